import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/lpcv.js', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run the real `lpcv` command as a child process (never throws on a non-zero exit). */
export async function lpcv(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    reject: false,
    timeout: opts.timeoutMs ?? 120_000,
    // LPCV_FROM_SOURCE: the tests run the TypeScript sources, never dist/ (whether it is missing, stale or current).
    env: { LPCV_DEBUG: '', LPCV_FROM_SOURCE: '1' },
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The one-line error a failing command must print: code and message, and no stack trace. */
export function expectOneLineError(r: CliResult): { code: string; message: string } {
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('lpcv: warning:'));
  if (lines.length !== 1) throw new Error(`expected one line on stderr, got:\n${r.stderr}`);
  const m = /^lpcv: (LPCV_E_[A-Z0-9_]+): (.+)$/.exec(lines[0]!);
  if (!m) throw new Error(`not a coded error line: ${lines[0]}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error(`stack trace on stderr:\n${r.stderr}`);
  return { code: m[1]!, message: m[2]! };
}
