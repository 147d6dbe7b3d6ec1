import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOKEN_KINDS, generateToken, hashToken, tokenKindOf } from './token.js';

describe('tokens', () => {
  it('are the kind prefix and 43 base64url characters of 32 random bytes', () => {
    for (const kind of TOKEN_KINDS) {
      const t = generateToken(kind);
      expect(t.token).toMatch(new RegExp(`^lpcv_${kind}_[A-Za-z0-9_-]{43}$`));
      expect(Buffer.from(t.token.slice(`lpcv_${kind}_`.length), 'base64url')).toHaveLength(32);
      expect(t.prefix).toBe(t.token.slice(0, `lpcv_${kind}_`.length + 8));
      expect(t.hash).toBe(createHash('sha256').update(t.token).digest('hex'));
      expect(tokenKindOf(t.token)).toBe(kind);
    }
    expect(new Set(Array.from({ length: 100 }, () => generateToken('team').token)).size).toBe(100);
  });

  it('are recognised by shape only', () => {
    const { token } = generateToken('agent');
    for (const bad of ['', token.slice(0, -1), `${token}A`, token.replace('lpcv_agent_', 'lpcv_admin_'), ` ${token}`, token.replace(/.$/, '=')]) {
      expect(tokenKindOf(bad), bad).toBeNull();
    }
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
