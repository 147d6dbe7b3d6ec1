import { execa, type ResultPromise } from 'execa';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './run-lpcv.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/lpcv.js', import.meta.url));

/**
 * The environment of an `lpcv` child: the tokens that the commands read from the environment are blanked
 * unless a test sets them, so that a developer's own LPCV_TOKEN cannot change a test's outcome.
 */
function childEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return { LPCV_DEBUG: '', LPCV_TOKEN: '', LPCV_AGENT_TOKEN: '', LPCV_DATABASE_URL: '', LPCV_FROM_SOURCE: '1', ...env };
}

/** Run `lpcv` to its end with these environment variables (never throws on a non-zero exit). */
export async function lpcvWithEnv(args: string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 120_000): Promise<CliResult> {
  const r = await execa(process.execPath, [BIN, ...args], { cwd: ROOT, reject: false, timeout: timeoutMs, env: childEnv(env), stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Start a long-running `lpcv` (e.g. `lpcv agent`); the test stops it (kill) and awaits the result. */
export function spawnLpcv(
  args: string[],
  env: Readonly<Record<string, string>> = {},
): ResultPromise<{ reject: false; stdin: 'ignore'; forceKillAfterDelay: number }> {
  // execa follows kill() with SIGKILL after 5 s by default: too soon for a clean stop on a loaded 2-core machine, where
  // a test that checks the stop would fail for the machine's load (cli/commands/serve.test.ts did).
  return execa(process.execPath, [BIN, ...args], { cwd: ROOT, reject: false, env: childEnv(env), stdin: 'ignore', forceKillAfterDelay: 30_000 });
}

/** A TCP port of 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function unusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
