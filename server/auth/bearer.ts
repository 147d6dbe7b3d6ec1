/** RFC 6750's b64token: the characters a bearer credential may use. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token in an `Authorization: Bearer <token>` header, or null when the header is missing, uses
 * another scheme, is malformed, or came more than once (which one would be meant?). The scheme name is
 * case-insensitive (RFC 7235); surrounding whitespace is ignored.
 */
export function parseBearer(header: string | readonly string[] | null | undefined): string | null {
  if (typeof header !== 'string') return null;
  const m = BEARER.exec(header.trim());
  return m ? m[1]! : null;
}
