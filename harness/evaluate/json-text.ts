/** The outcome of trying to read a text file as one JSON object. */
export type JsonObjectText =
  | { readonly kind: 'object'; readonly value: Record<string, unknown> }
  /** Does not look like JSON at all: the caller tries its line format. */
  | { readonly kind: 'not-json' }
  /** Starts like JSON ('{' or '[') but does not parse, or is not an object. */
  | { readonly kind: 'bad'; readonly reason: string };

/**
 * Format detection by content: a file is JSON when it parses as a JSON object. Text that starts with '{' or
 * '[' but fails to parse (or is an array) is reported as bad JSON rather than handed to a line parser that
 * would only say "line 1 is malformed".
 */
export function readJsonObject(text: string): JsonObjectText {
  const trimmed = text.trimStart();
  const looksLikeJson = trimmed.startsWith('{') || trimmed.startsWith('[');
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (e) {
    return looksLikeJson ? { kind: 'bad', reason: `not valid JSON (${(e as Error).message})` } : { kind: 'not-json' };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return { kind: 'object', value: value as Record<string, unknown> };
  }
  return looksLikeJson ? { kind: 'bad', reason: 'expected a JSON object keyed by image name' } : { kind: 'not-json' };
}

/** File text with a UTF-8 byte-order mark removed (Windows editors add one to CSV files). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
