import { describe, expect, it } from 'vitest';
import { classifySandboxRun, lastLine, type ClassifyContext } from './classify-run.js';
import type { SandboxRun, SupervisorReport } from './run-sandboxed.js';
import { SolutionTarget } from './solution-target.js';

const ctx: ClassifyContext = {
  timeoutMs: 5000,
  maxProcesses: 16,
  memoryMb: 512,
  outputBytes: 1_048_576,
  maxOutputFiles: 100,
  labelNames: ['labels.csv', 'masks'],
};
const cleanExit: SupervisorReport = {
  exitCode: 0,
  signal: null,
  violation: null,
  network: {},
  peakTasks: 1,
  leftoverTasks: 0,
  packageNs: 1e6,
  outputBytes: 0,
  outputFiles: 0,
};

function run(over: Partial<SandboxRun> = {}, report: Partial<SupervisorReport> | null = {}): SandboxRun {
  return {
    outcome: 'exited',
    startMs: 0,
    endMs: 10,
    durationMs: 10,
    exitCode: 0,
    signal: null,
    pid: 1234,
    started: true,
    ...(report === null ? {} : { report: { ...cleanExit, ...report } }),
    stdoutTail: '',
    stderrTail: '',
    stdoutBytes: 0,
    stderrBytes: 0,
    ...over,
  };
}

const codeOf = (r: SandboxRun): string | undefined => classifySandboxRun(r, ctx)?.code;
const failed = (stderr: string): SandboxRun => run({ stderrTail: stderr }, { exitCode: 1 });

describe('classifySandboxRun', () => {
  it('a clean exit inside the limits is no failure', () => {
    expect(codeOf(run())).toBeUndefined();
  });

  it("the harness's own evidence first: its timer, the job's signal, a sandbox that never started (ours), a supervisor that never reported", () => {
    expect(codeOf(run({ outcome: 'timeout' }, null))).toBe('LPCV_E_MODEL_TIMEOUT');
    expect(codeOf(run({ outcome: 'cancelled' }, null))).toBe('LPCV_E_RUN_CANCELLED');
    const setup = classifySandboxRun(run({ started: false, exitCode: 1, stderrTail: 'bwrap: No permissions to creating new namespace\n' }, null), ctx);
    expect(setup?.code).toBe('LPCV_E_SANDBOX_UNAVAILABLE');
    expect(setup?.fault).toBe('infrastructure');
    expect(setup?.message).toContain('No permissions');
    expect(codeOf(run({ exitCode: 137 }, null))).toBe('LPCV_E_SANDBOX_SUPERVISOR');
  });

  it("the supervisor's kernel counts beat the package's exit: network use with a clean exit is still network use", () => {
    expect(codeOf(run({}, { violation: 'network', network: { 'Tcp.ActiveOpens': 1 } }))).toBe('LPCV_E_SANDBOX_NETWORK');
    expect(codeOf(run({}, { violation: 'processes', exitCode: null, signal: 9 }))).toBe('LPCV_E_SANDBOX_PROCESSES');
    const output = classifySandboxRun(run({}, { violation: 'output', outputBytes: 2_000_000, outputFiles: 3 }), ctx);
    expect(output).toMatchObject({ code: 'LPCV_E_OUTPUT_TOO_LARGE', fault: 'submission' });
    expect(output?.message).toContain('counted 2000000 bytes in 3 entries');
  });

  it('a write past the largest file the package may write is its output being too large', () => {
    expect(codeOf(run({}, { exitCode: null, signal: 25 }))).toBe('LPCV_E_OUTPUT_TOO_LARGE');
    expect(codeOf(failed("OSError: [Errno 27] File too large: '/output/predictions.json'\n"))).toBe('LPCV_E_OUTPUT_TOO_LARGE');
  });

  it("then the package's own failure, by its last stderr line", () => {
    expect(codeOf(failed('Traceback...\nMemoryError\n'))).toBe('LPCV_E_SANDBOX_MEMORY');
    expect(codeOf(failed('  os.fork()\nBlockingIOError: [Errno 11] Resource temporarily unavailable\n'))).toBe('LPCV_E_SANDBOX_PROCESSES');
    expect(codeOf(failed("RuntimeError: can't start new thread\n"))).toBe('LPCV_E_SANDBOX_PROCESSES');
    expect(codeOf(failed("FileNotFoundError: [Errno 2] No such file or directory: '/data/track/labels.csv'\n"))).toBe('LPCV_E_SANDBOX_LABELS');
    expect(codeOf(failed("FileNotFoundError: [Errno 2] No such file or directory: '/input/../masks/a.png'\n"))).toBe('LPCV_E_SANDBOX_LABELS');
    expect(codeOf(failed("FileNotFoundError: [Errno 2] No such file or directory: '/submission/weights.pt'\n"))).toBe('LPCV_E_SOLUTION_EXIT');
    expect(codeOf(failed("OSError: [Errno 30] Read-only file system: '/input/x'\n"))).toBe('LPCV_E_SANDBOX_WRITE');
    expect(codeOf(failed("PermissionError: [Errno 13] Permission denied: '/dev/x'\n"))).toBe('LPCV_E_SANDBOX_WRITE');
    // EAGAIN from a non-blocking read is no fork bomb.
    expect(codeOf(failed('BlockingIOError: [Errno 11] Resource temporarily unavailable\n'))).toBe('LPCV_E_SOLUTION_EXIT');
    const plain = classifySandboxRun(run({ stderrTail: 'boom\n' }, { exitCode: null, signal: 11 }), ctx);
    expect(plain?.code).toBe('LPCV_E_SOLUTION_EXIT');
    expect(plain?.message).toContain('signal 11');
    expect(plain?.fault).toBe('submission');
  });

  it('lastLine takes the last non-blank line, cut to 300 characters', () => {
    expect(lastLine('a\n\n  b  \n\n')).toBe('b');
    expect(lastLine('')).toBe('');
    expect(lastLine('x'.repeat(400))).toHaveLength(300);
  });
});

describe('SolutionTarget without a usable sandbox tool', () => {
  it("probe fails as the infrastructure's problem (LPCV_E_SANDBOX_UNAVAILABLE), so the agent can drop the format", async () => {
    const target = new SolutionTarget({ bwrap: '/nonexistent/bwrap', setpriv: '/nonexistent/setpriv' });
    const e = await target.probe().then(
      () => undefined,
      (err: unknown) => err as { code: string; fault: string },
    );
    expect(e?.code).toBe('LPCV_E_SANDBOX_UNAVAILABLE');
    expect(e?.fault).toBe('infrastructure');
  });

  it('refuses an interpreter outside /usr (only /usr is inside the sandbox)', () => {
    expect(() => new SolutionTarget({ python: '/root/.pyenv/shims/python3' })).toThrow(/under \/usr/);
  });
});
