import { LpcvError } from '../errors/lpcv-error.js';

/**
 * Run one CLI action: a known error becomes one line on stderr (`lpcv: CODE: message`) and its documented
 * exit code; with --json also `{"error": {...}}` on stdout. An unexpected error is a harness bug
 * (LPCV_E_INTERNAL, exit 1); its stack shows only with LPCV_DEBUG=1.
 */
export async function runCommand(json: boolean, action: () => Promise<number | void>): Promise<never> {
  let exitCode = 0;
  try {
    exitCode = (await action()) ?? 0;
  } catch (e) {
    const err = e instanceof LpcvError ? e : new LpcvError('LPCV_E_INTERNAL', `unexpected error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    if (!(e instanceof LpcvError) && process.env.LPCV_DEBUG) console.error(e);
    // One line whatever the message holds (commander puts its "Did you mean ...?" on a line of its own).
    const message = err.message.replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`lpcv: ${err.code}: ${message}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: err.code, message, fault: err.fault } })}\n`);
    exitCode = err.exitCode;
  }
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(exitCode);
}

/** Parse a positive integer option value, or fail with LPCV_E_USAGE naming the option. */
export function positiveInt(name: string, allowZero = false): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || (!allowZero && n === 0)) {
      throw new LpcvError('LPCV_E_USAGE', `${name} expects a ${allowZero ? 'non-negative' : 'positive'} integer, got "${value}"`);
    }
    return n;
  };
}

/** Parse an integer option value in [min, max], or fail with LPCV_E_USAGE naming the option and the range. */
export function intInRange(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new LpcvError('LPCV_E_USAGE', `${name} expects an integer from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}
