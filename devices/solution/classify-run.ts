/**
 * What a sandboxed run's end means (docs/solution-packages.md, "What can be told apart"). Evidence the
 * package cannot forge comes first (the harness's own timer and signal, the supervisor's counts from the
 * kernel), then what the package's own failure says (its exit and its last stderr line). A package that
 * meets a wall and carries on is not caught by the second kind; it still reached nothing.
 */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { SandboxRun } from './run-sandboxed.js';

export interface ClassifyContext {
  readonly timeoutMs: number;
  readonly maxProcesses: number;
  readonly memoryMb: number;
  /** The output folder's limits (bytes in all, also one file's largest size; entries). */
  readonly outputBytes: number;
  readonly maxOutputFiles: number;
  /** Base names of the track's label files and folders (labels.csv, masks, ...), never inside the sandbox. */
  readonly labelNames: readonly string[];
}

/** The last non-blank line of a text, trimmed and cut to 300 characters. */
export function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

/** An LpcvError when the run failed, undefined when the package exited 0 inside its limits. */
export function classifySandboxRun(run: SandboxRun, ctx: ClassifyContext): LpcvError | undefined {
  const detail = { stderrTail: run.stderrTail.slice(-2000), exitCode: run.report?.exitCode ?? run.exitCode, signal: run.report?.signal ?? run.signal };
  if (run.outcome === 'timeout') {
    return new LpcvError(
      'LPCV_E_MODEL_TIMEOUT',
      `the solution package ran past the time limit of ${ctx.timeoutMs} ms; the sandbox and every process in it were killed`,
      detail,
    );
  }
  if (run.outcome === 'cancelled') return new LpcvError('LPCV_E_RUN_CANCELLED', 'the run was cancelled; the sandbox and every process in it were killed');
  if (!run.started) {
    const why = lastLine(run.stderrTail) || `exit ${run.exitCode ?? run.signal}`;
    return new LpcvError('LPCV_E_SANDBOX_UNAVAILABLE', `the sandbox could not be set up: ${why}`, detail);
  }
  const report = run.report;
  if (report === undefined) {
    return new LpcvError(
      'LPCV_E_SANDBOX_SUPERVISOR',
      `the sandbox's supervisor died before it reported (bwrap ${run.signal ?? `exit ${run.exitCode}`}): the package killed it`,
      detail,
    );
  }
  if (report.violation === 'network') {
    const moved = Object.entries(report.network)
      .map(([k, v]) => `${k} +${v}`)
      .slice(0, 6)
      .join(', ');
    return new LpcvError(
      'LPCV_E_SANDBOX_NETWORK',
      `the solution package tried to use the network (the sandbox's IP counters moved: ${moved}); it was stopped`,
      { ...detail, network: report.network },
    );
  }
  const line = lastLine(run.stderrTail);
  // SIGXFSZ (25) kills a process that writes past RLIMIT_FSIZE; Python ignores it and sees EFBIG (27).
  if (report.violation === 'output' || report.signal === 25 || /\[Errno 27\]|File too large/.test(line)) {
    return new LpcvError(
      'LPCV_E_OUTPUT_TOO_LARGE',
      `the solution package wrote more than its output folder may hold (${ctx.outputBytes} bytes, ${ctx.maxOutputFiles} entries; ` +
        `counted ${report.outputBytes} bytes in ${report.outputFiles} entries); it was stopped`,
      { ...detail, outputBytes: report.outputBytes, outputFiles: report.outputFiles },
    );
  }
  const forkFailed = /BlockingIOError: \[Errno 11\]/.test(line) && /\bfork\b|Popen|spawn/.test(run.stderrTail);
  if (report.violation === 'processes' || forkFailed || /can't start new thread/.test(line)) {
    return new LpcvError(
      'LPCV_E_SANDBOX_PROCESSES',
      `the solution package reached the limit of ${ctx.maxProcesses} processes and threads (peak seen ${report.peakTasks}); it was stopped`,
      { ...detail, peakTasks: report.peakTasks },
    );
  }
  if (report.exitCode === 0) return undefined;
  const how = report.signal !== null ? `was killed by signal ${report.signal}` : `exited with status ${report.exitCode}`;
  if (/\bMemoryError\b|\[Errno 12\]/.test(line)) {
    return new LpcvError('LPCV_E_SANDBOX_MEMORY', `the solution package ran out of its ${ctx.memoryMb} MiB memory limit: ${line}`, detail);
  }
  const named = namedPath(line);
  if (named !== undefined && /\[Errno 2\]/.test(line) && named.split('/').some((part) => ctx.labelNames.includes(part))) {
    return new LpcvError('LPCV_E_SANDBOX_LABELS', `the solution package tried to read a label file, which is never in the sandbox: ${line}`, {
      ...detail,
      path: named,
    });
  }
  if (/\[Errno (30|13)\]/.test(line)) {
    return new LpcvError('LPCV_E_SANDBOX_WRITE', `the solution package tried to write outside its output folder, which is read-only in the sandbox: ${line}`, {
      ...detail,
      ...(named ? { path: named } : {}),
    });
  }
  return new LpcvError('LPCV_E_SOLUTION_EXIT', `the solution package ${how}${line ? `: ${line}` : ''}`, detail);
}

/** The path an OSError line names: `...: '/some/path'`. */
function namedPath(line: string): string | undefined {
  const m = /: '([^']+)'\s*$/.exec(line) ?? /: "([^"]+)"\s*$/.exec(line);
  return m?.[1];
}
