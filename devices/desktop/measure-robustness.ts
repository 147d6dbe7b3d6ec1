import { LpcvError } from '../../errors/lpcv-error.js';
import { OnnxProcess } from './onnx-process.js';
import { adversarialInputs, corruptedInputs, robustnessSplitsOf } from '../../harness/datasets/corruptions/robustness-splits.js';
import type { InputSet } from '../../harness/datasets/types.js';
import type { Track } from '../../harness/tracks/track.js';
import type { AgentTrack } from '../../harness/wire/index.js';
import { accuracyPass } from './accuracy-pass.js';
import { postprocessFor } from './measure-onnx.js';
import type { Predictions } from '../../harness/measurement.js';

/** One robustness split as the measuring side runs it: its name and its inputs (no labels). */
export interface RobustnessPass {
  readonly name: string;
  readonly inputs: InputSet;
}

export interface RobustnessPlan {
  readonly passes: RobustnessPass[];
  /** Declared splits that will not run, and why. */
  readonly skipped: Record<string, string>;
}

export const ADVERSARIAL_NOT_ON_AGENTS =
  'the server sent no inputs for this adversarial set (a server older than adversarial input packs): score it locally with lpcv score (docs/robustness.md)';

/** An adversarial set the server shipped must hold the clean split's ids, in order: predictions are scored by them. */
function checkedAdversarial(name: string, set: InputSet, clean: InputSet): InputSet {
  if (set.ids.length !== clean.ids.length || set.ids.some((id, i) => id !== clean.ids[i])) {
    throw new LpcvError('LPCV_E_INPUT_PACK_INVALID', `the input pack of ${name} does not hold the clean split's ${clean.ids.length} ids in order`);
  }
  return set;
}

/**
 * The robustness passes of `split` over its clean inputs: each corrupted split corrupts the clean inputs
 * as they are read (on the measuring side, which has no labels). Each adversarial set is read from the
 * track's folder when `adversarial` is true (locally, with the whole track); on an agent, whose leased track
 * has no folder, it is the input pack the server shipped, else listed as skipped.
 */
export function planRobustness(track: Track, split: string, clean: InputSet, o: { adversarial: true }): Promise<RobustnessPlan>;
export function planRobustness(
  track: AgentTrack,
  split: string,
  clean: InputSet,
  o: { adversarial: false | Readonly<Record<string, InputSet>> },
): Promise<RobustnessPlan>;
export async function planRobustness(
  track: AgentTrack & { readonly dir?: string },
  split: string,
  clean: InputSet,
  o: { adversarial: boolean | Readonly<Record<string, InputSet>> },
): Promise<RobustnessPlan> {
  const passes: RobustnessPass[] = [];
  const skipped: Record<string, string> = {};
  for (const s of robustnessSplitsOf(track, split)) {
    if (s.kind === 'corruption') passes.push({ name: s.name, inputs: corruptedInputs(clean, s.corruption) });
    else if (o.adversarial === true) passes.push({ name: s.name, inputs: await adversarialInputs(s, clean) });
    else if (o.adversarial !== false && o.adversarial[s.name] !== undefined)
      passes.push({ name: s.name, inputs: checkedAdversarial(s.name, o.adversarial[s.name]!, clean) });
    else skipped[s.name] = ADVERSARIAL_NOT_ON_AGENTS;
  }
  return { passes, skipped };
}

export interface MeasureRobustnessOptions {
  modelPath: string;
  inputName: string;
  outputName?: string;
  track: AgentTrack;
  passes: readonly RobustnessPass[];
  threads: number;
  /** The track's run limit: each pass gets it, so the process is killed past passes x timeoutMs. */
  timeoutMs: number;
  /** Resident memory the inference process may hold, bytes; past it LPCV_E_MODEL_MEMORY. */
  maxRssBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'robustness'; split: string; done: number; total: number; fraction: number }) => void;
}

/**
 * The accuracy pass over each robustness split, in its own inference process, after the clean run
 * (docs/protocol.md): predictions only, no timing, so the clean split's latency and energy are measured
 * without them. Inputs are pre-processed exactly as the clean split's (toInputTensor); a non-finite output
 * is the model's fault as on the clean split.
 */
export async function measureRobustnessOnnx(opts: MeasureRobustnessOptions): Promise<Record<string, Predictions>> {
  const out: Record<string, Predictions> = {};
  if (opts.passes.length === 0) return out;
  const { track } = opts;
  const postprocess = postprocessFor(track);
  const proc = await OnnxProcess.start({
    timeoutMs: opts.timeoutMs * opts.passes.length,
    ...(opts.maxRssBytes !== undefined ? { maxRssBytes: opts.maxRssBytes } : {}),
  });
  const cancel = (): void => proc.kill(new LpcvError('LPCV_E_RUN_CANCELLED', 'the run was cancelled and its inference process killed'));
  if (opts.signal?.aborted) cancel();
  opts.signal?.addEventListener('abort', cancel, { once: true });
  try {
    await proc.load(opts.modelPath, opts.threads, opts.inputName, opts.outputName);
    for (const pass of opts.passes) {
      out[pass.name] = await accuracyPass(proc, pass.inputs, {
        spec: track.input,
        postprocess,
        where: pass.name,
        onChunk: (done, total) => opts.onProgress?.({ phase: 'robustness', split: pass.name, done, total, fraction: done / total }),
      });
    }
    return out;
  } finally {
    opts.signal?.removeEventListener('abort', cancel);
    await proc.close();
  }
}
