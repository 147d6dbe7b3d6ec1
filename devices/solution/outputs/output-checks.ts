import { LpcvError } from '../../../errors/lpcv-error.js';
import { listSome, MAX_LISTED } from '../../../harness/evaluate/name-mismatch.js';
import type { AgentTrack } from '../../../harness/wire/index.js';

/** What a task's reader of a package's output folder gets (devices/tasks/device-tasks.ts). */
export interface OutputFolder {
  readonly track: AgentTrack;
  /** The inputs' ids, in order, and their file names (inputFileNames). */
  readonly ids: readonly string[];
  readonly names: readonly string[];
  /** The regular files the package wrote into `dir`. */
  readonly files: ReadonlySet<string>;
  readonly dir: string;
  readonly opts: ReadOutputOptions;
}

export interface ReadOutputOptions {
  /** Each image's size in input order: a label map of another size is LPCV_E_PRED_MISMATCH. */
  readonly sizes?: readonly { readonly width: number; readonly height: number }[];
  /** Entries of the output folder read at most (default DEFAULT_MAX_OUTPUT_FILES); more is LPCV_E_OUTPUT_TOO_LARGE. */
  readonly maxFiles?: number;
}

/**
 * The largest classification predictions file read: 1 MiB, and 4 KiB per image (five class names of a
 * long-named track and the image's name fit many times over). Larger is LPCV_E_OUTPUT_TOO_LARGE, decided from
 * its size before a byte is read, so that a package's 3 GiB file costs the agent nothing.
 */
export function maxPredictionsBytes(images: number): number {
  return 1024 * 1024 + 4096 * images;
}

/** Every input name has an output and no output names an input that does not exist: else LPCV_E_PRED_MISMATCH. */
export function checkNames(where: string, names: readonly string[], outputs: { has(k: string): boolean; keys(): Iterable<string> }, what: string): void {
  const wanted = new Set(names);
  const missing = names.filter((n) => !outputs.has(n));
  const unknown = [...outputs.keys()].filter((k) => !wanted.has(k));
  if (missing.length === 0 && unknown.length === 0) return;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`${missing.length} of ${names.length} inputs have no output (${listSome(missing)})`);
  if (unknown.length > 0) parts.push(`${unknown.length} ${what} name no input (${listSome(unknown)})`);
  throw new LpcvError('LPCV_E_PRED_MISMATCH', `${where}: ${parts.join('; ')}`, {
    file: where,
    missingCount: missing.length,
    missing: missing.slice(0, MAX_LISTED),
    unknownCount: unknown.length,
    unknown: unknown.slice(0, MAX_LISTED),
  });
}
