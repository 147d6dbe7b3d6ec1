import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_ENV, adminTokenFromEnv, isAdminToken } from './admin-token.js';

const SECRET = 'q3J0c2VjcmV0LWFkbWluLXRva2VuLWZvci10ZXN0cw';

describe('the admin token', () => {
  it('is read from LPCV_ADMIN_TOKEN and matches only itself', () => {
    const admin = adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: SECRET });
    expect(isAdminToken(SECRET, admin)).toBe(true);
    for (const other of [`${SECRET}x`, SECRET.slice(0, -1), SECRET.toUpperCase(), 'short', '', null, undefined]) {
      expect(isAdminToken(other, admin), String(other)).toBe(false);
    }
    // Only a digest is held, so a logged configuration does not leak the secret.
    expect(JSON.stringify(admin)).not.toContain(SECRET);
  });

  it('is absent when unset or empty, and nothing matches it then', () => {
    expect(adminTokenFromEnv({})).toBeNull();
    expect(adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: '' })).toBeNull();
    expect(isAdminToken(SECRET, null)).toBe(false);
    expect(isAdminToken('', null)).toBe(false);
  });

  it('must be long enough and hold no whitespace', () => {
    expect(() => adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: 'x'.repeat(31) })).toThrow(/LPCV_ADMIN_TOKEN must be at least 32 characters without spaces \(got 31\)/);
    expect(() => adminTokenFromEnv({ [ADMIN_TOKEN_ENV]: `${SECRET} ` })).toThrow(/without spaces/);
  });
});
