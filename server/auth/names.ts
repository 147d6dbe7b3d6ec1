import { LpcvError } from '../../errors/lpcv-error.js';

export const MAX_NAME_CHARS = 64;

/** ASCII letters, digits, `-`, `_`, `.`; single spaces between words. ASCII keeps look-alike names apart. */
const NAME = /^[A-Za-z0-9._-]+(?: [A-Za-z0-9._-]+)*$/;
const NAME_CHAR = /[A-Za-z0-9._ -]/;

/**
 * Returns the name unchanged when it is a valid team or agent name; otherwise throws LPCV_E_NAME_INVALID
 * saying what is wrong. Nothing is trimmed or folded: the name shown on the leaderboard is the name given.
 */
export function checkName(what: 'team' | 'agent', name: string): string {
  const fail = (why: string): never => {
    throw new LpcvError('LPCV_E_NAME_INVALID', `${what} name ${JSON.stringify(name)} ${why}`, { name });
  };
  if (name.length === 0) fail('is empty');
  if (name.length > MAX_NAME_CHARS) fail(`is ${name.length} characters long; at most ${MAX_NAME_CHARS} are allowed`);
  if (NAME.test(name)) return name;
  const bad = [...name].find((c) => !NAME_CHAR.test(c));
  if (bad !== undefined) fail(`has the character ${JSON.stringify(bad)}: use letters A-Z a-z, digits, "-", "_", "." and spaces between words`);
  if (name.startsWith(' ') || name.endsWith(' ')) fail('starts or ends with a space');
  return fail('has two spaces in a row');
}
