/**
 * The few cookies the pages use (docs/pages.md): parsed and written here, without a library. Names and
 * values are ours (base64url, digits, dots), so no percent-decoding is needed; anything else is ignored.
 */

/** The cookies of a request; a name sent twice keeps its first value (RFC 6265 sends the most specific first). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || !/^[A-Za-z0-9_.~-]*$/.test(value)) continue;
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieOptions {
  /** Seconds; 0 deletes the cookie. Omitted: a browser-session cookie. */
  readonly maxAgeSeconds?: number;
  /** Send it over HTTPS only (set when the server is behind TLS). */
  readonly secure: boolean;
  /** Lax for the login (a link from elsewhere still arrives logged in), Strict for the form token. */
  readonly sameSite: 'Strict' | 'Lax';
}

/** A Set-Cookie value: always HttpOnly (no script reads these) and for the whole site. */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${o.sameSite}`];
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`);
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}
