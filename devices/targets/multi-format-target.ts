import { LpcvError } from '../../errors/lpcv-error.js';
import type { TargetInfo } from '../../harness/result-record.js';
import type { ModelFormat } from '../../submissions/model-format.js';
import type { Target, TargetJob, TargetRun } from './target.js';

/**
 * One device that runs more than one artifact format by handing each job to the driver for its format
 * (the `desktop` spec: ONNX models in the inference process, solution packages in the bubblewrap sandbox).
 * A part whose probe fails (no bubblewrap on this machine) is dropped with a log line, so that the device
 * still serves the formats it can run; the server is told only those formats.
 */
export class MultiFormatTarget implements Target {
  readonly name: string;
  readonly kind: string;
  #parts: Target[];

  constructor(
    parts: readonly Target[],
    private readonly log: (line: string) => void = () => {},
  ) {
    const first = parts[0];
    if (first === undefined) throw new LpcvError('LPCV_E_INTERNAL', 'a multi-format target needs at least one part');
    for (const p of parts) {
      if (p.name !== first.name || p.kind !== first.kind) throw new LpcvError('LPCV_E_INTERNAL', `the parts of device ${first.name} disagree on name or kind`);
    }
    this.name = first.name;
    this.kind = first.kind;
    this.#parts = [...parts];
  }

  get formats(): readonly ModelFormat[] {
    return this.#parts.flatMap((p) => p.formats);
  }

  capabilities(): Record<string, unknown> {
    return { formats: [...this.formats], drivers: this.#parts.map((p) => p.capabilities()) };
  }

  async probe(signal?: AbortSignal): Promise<TargetInfo> {
    const working: Target[] = [];
    let info: TargetInfo | undefined;
    let lastError: unknown;
    for (const p of this.#parts) {
      try {
        const i = await p.probe(signal);
        info ??= i;
        working.push(p);
      } catch (e) {
        lastError = e;
        this.log(
          `device ${this.name}: ${p.formats.join('/')} unavailable (${e instanceof Error ? e.message : String(e)}); serving ${
            this.#parts
              .filter((q) => q !== p)
              .flatMap((q) => q.formats)
              .join(', ') || 'nothing'
          }`,
        );
      }
    }
    if (info === undefined) throw lastError;
    this.#parts = working;
    return info;
  }

  run(job: TargetJob): Promise<TargetRun> {
    const part = this.#parts.find((p) => p.formats.includes(job.artifact.format));
    if (part === undefined) {
      return Promise.reject(
        new LpcvError('LPCV_E_TARGET_FORMAT', `device ${this.name} (${this.kind}) runs ${this.formats.join(', ')}, not ${job.artifact.format}`),
      );
    }
    return part.run(job);
  }

  async close(): Promise<void> {
    await Promise.all(this.#parts.map((p) => p.close?.()));
  }
}
