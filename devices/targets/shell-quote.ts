/**
 * POSIX shell quoting for the one remote command line that ssh hands to the board's login shell. ssh joins
 * its remote arguments with spaces into a single string and the remote shell parses it again, so an
 * argument array on the host side does not survive the trip: every word must be quoted here, once.
 *
 * Single quotes are the only POSIX quoting with no special characters inside ($, `, \, ", ! and newlines
 * are all literal); a single quote itself cannot appear inside them, so it is written as '\'' (close, an
 * escaped quote, reopen). The result is valid for sh, dash, bash, ksh and busybox ash.
 */

/** One word, quoted so that a POSIX shell reads it back as exactly `word` (also the empty word). */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new TypeError('a shell word cannot contain a NUL byte');
  // Words made only of characters no shell treats specially stay readable in logs (no `=`: a first word
  // `a=b` would be read as an assignment; no `~`: it expands at the start of a word).
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Words joined into one command line, each quoted: the line runs argv exactly as given. */
export function shellLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('an empty command line');
  return argv.map(shellQuote).join(' ');
}
