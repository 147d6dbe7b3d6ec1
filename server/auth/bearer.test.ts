import { describe, expect, it } from 'vitest';
import { parseBearer } from './bearer.js';

const TOKEN = 'lpcv_team_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde';

describe('parseBearer', () => {
  it('takes the token out of a Bearer header, whatever the scheme case and spacing', () => {
    expect(parseBearer(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(parseBearer(`bearer ${TOKEN}`)).toBe(TOKEN);
    expect(parseBearer(`  BEARER   ${TOKEN}  `)).toBe(TOKEN);
    expect(parseBearer('Bearer abc+/~.=')).toBe('abc+/~.=');
  });

  it('refuses a missing, repeated or malformed header, or another scheme', () => {
    for (const h of [
      undefined,
      null,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN} extra`,
      `Bearer\t${TOKEN}`,
      `Bearer ${TOKEN},x`,
      `Token ${TOKEN}`,
      'Bearer =abc',
      'Bearer a=b',
    ]) {
      expect(parseBearer(h), String(h)).toBeNull();
    }
    expect(parseBearer([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`])).toBeNull();
    expect(parseBearer([`Bearer ${TOKEN}`, ''])).toBeNull();
    expect(parseBearer([])).toBeNull();
  });

  it("takes the one copy of a request's headersDistinct list", () => {
    expect(parseBearer([`Bearer ${TOKEN}`])).toBe(TOKEN);
    expect(parseBearer([`Basic ${TOKEN}`])).toBeNull();
  });
});
