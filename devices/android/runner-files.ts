import { readFile } from 'node:fs/promises';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { InputSet } from '../../harness/datasets/types.js';
import { parseClassificationPredictions } from '../../harness/evaluate/classification-files.js';
import type { Predictions } from '../../harness/measurement.js';
import type { AgentTrack } from '../../harness/wire/index.js';
import { readOutputFolder, writeInputFolderWithSizes } from '../solution/package-io.js';

/**
 * The files the on-device accuracy runner reads and writes (docs/android.md, "The runner contract"):
 * the inputs as PNG files named by id (the solution packages' naming, devices/solution/package-io.ts),
 * and one predictions file in the `lpcv evaluate` classification formats, names being those file names.
 */

/** Writes the inputs as PNGs into `dir`; returns the file names in input order and each image's size. */
export async function writeRunnerInputs(inputs: InputSet, dir: string): Promise<{ names: string[]; sizes: { width: number; height: number }[] }> {
  return writeInputFolderWithSizes(inputs, dir);
}

/**
 * A detection or segmentation runner's output folder (docs/android.md, "The runner contract"): what a solution
 * package writes for the task (`detections.json`, or one PNG label map per input), read by the task's package
 * reader with the inputs' sizes. The runner is ours, not the submission's: anything the reader refuses is
 * LPCV_E_ANDROID_RUNNER_FAILED (infrastructure), with the reader's reason.
 */
export async function readRunnerOutputFolder(
  track: AgentTrack,
  ids: readonly string[],
  sizes: readonly { width: number; height: number }[],
  dir: string,
): Promise<Predictions> {
  try {
    return await readOutputFolder(track, ids, dir, { sizes });
  } catch (e) {
    if (!(e instanceof LpcvError)) throw e;
    throw new LpcvError('LPCV_E_ANDROID_RUNNER_FAILED', `the accuracy runner's ${track.task} outputs are unusable: ${e.code}: ${e.message}`);
  }
}

/**
 * The runner's predictions, in input order. The runner is ours, not the submission's: a file that does
 * not parse, or that misses or adds an image, is LPCV_E_ANDROID_RUNNER_FAILED (infrastructure). A model
 * whose output the runner cannot rank is the runner's exit 3 (the submission's fault), before any file.
 */
export async function readRunnerPredictions(track: AgentTrack, ids: readonly string[], names: readonly string[], file: string): Promise<Predictions> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new LpcvError('LPCV_E_ANDROID_RUNNER_FAILED', `the accuracy runner's predictions were not pulled to ${file}: ${(e as Error).message}`);
  }
  let predictions: Map<string, number[]>;
  try {
    predictions = parseClassificationPredictions(text, file, {
      classNames: track.classes,
      numClasses: track.output.numClasses ?? track.classes.length,
    }).predictions;
  } catch (e) {
    throw new LpcvError('LPCV_E_ANDROID_RUNNER_FAILED', `the accuracy runner wrote unreadable predictions: ${(e as Error).message}`);
  }
  const wanted = new Set(names);
  const missing = names.filter((n) => !predictions.has(n));
  const unknown = [...predictions.keys()].filter((k) => !wanted.has(k));
  if (missing.length > 0 || unknown.length > 0) {
    throw new LpcvError(
      'LPCV_E_ANDROID_RUNNER_FAILED',
      `the accuracy runner's predictions do not match its inputs: ${missing.length} of ${names.length} inputs have none (${missing.slice(0, 3).join(', ')}), ${unknown.length} name no input (${unknown.slice(0, 3).join(', ')})`,
    );
  }
  return { kind: 'topk', ids: [...ids], topk: names.map((n) => predictions.get(n)!) };
}
