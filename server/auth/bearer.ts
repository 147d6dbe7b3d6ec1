/** RFC 6750's b64token: the characters a bearer credential may use. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token in an `Authorization: Bearer <token>` header, or null when the header is missing, uses
 * another scheme, is malformed, or came more than once (which one would be meant?). The scheme name is
 * case-insensitive (RFC 7235); surrounding whitespace is ignored. Give it every copy the request carried
 * (`authorizationHeaders(req)`): Node's `req.headers` keeps only the first `Authorization` and drops the rest,
 * so a repeated header would otherwise authenticate as its first copy.
 */
export function parseBearer(header: string | readonly string[] | null | undefined): string | null {
  const one = typeof header === 'string' ? header : header?.length === 1 ? header[0] : undefined;
  if (one === undefined) return null;
  const m = BEARER.exec(one.trim());
  return m ? m[1]! : null;
}

/**
 * Every `Authorization` header of a request, in order (`req.headersDistinct`, which keeps the copies that
 * `req.headers` drops), or undefined when it has none.
 */
export function authorizationHeaders(req: { headersDistinct: NodeJS.Dict<string[]> }): string[] | undefined {
  return req.headersDistinct.authorization;
}
