/**
 * POSIX shell quoting for `adb shell`. adb joins its arguments with spaces into ONE line that the phone's
 * shell (mksh or toybox sh) parses again, so an argument array is not enough by itself: every word is
 * quoted here first. A word of only safe characters stays as it is (readable logs); anything else is put
 * in single quotes, where the shell interprets nothing, and a single quote inside becomes '\'' (close,
 * escaped quote, reopen). An empty word is '' so that it stays a word.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shQuote(word: string): string {
  if (word.includes('\0')) throw new TypeError('a shell word cannot contain a NUL byte');
  if (SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** One remote shell line from words: each quoted, joined by single spaces. */
export function shJoin(words: readonly string[]): string {
  return words.map(shQuote).join(' ');
}
