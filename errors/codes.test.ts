import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EXIT } from './codes.js';
import { LpcvError } from './lpcv-error.js';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

describe('error codes', () => {
  it('documents every code with its exit code and HTTP status, and nothing else', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
      expect(row, `docs/errors.md has no row for ${code}`).toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      expect(cells[2], `${code}: exit code`).toBe(String(spec.exit));
      expect(cells[3], `${code}: HTTP status`).toBe(String(spec.http));
      expect(cells[4], `${code}: fault`).toBe(spec.fault);
    }
    const documented = [...doc.matchAll(/^\| `(LPCV_E_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((c) => !(c! in ERROR_CODES))).toEqual([]);
  });

  it('documents every exit code', () => {
    for (const [name, value] of Object.entries(EXIT)) {
      expect(doc, `exit code ${name}`).toMatch(new RegExp(`^\\| ${value} \\| ${name} \\|`, 'm'));
    }
  });

  it('gives every code a distinct, stable-looking name', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^LPCV_E_[A-Z0-9_]+$/);
  });

  it('carries code, exit code, HTTP status and fault', () => {
    const e = new LpcvError('LPCV_E_MODEL_TIMEOUT', 'too slow', { ms: 5 });
    expect(e.exitCode).toBe(EXIT.run);
    expect(e.httpStatus).toBe(422);
    expect(e.fault).toBe('submission');
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'LPCV_E_MODEL_TIMEOUT', message: 'too slow', fault: 'submission', detail: { ms: 5 } });
  });
});
