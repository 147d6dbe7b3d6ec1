import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LpcvError } from '../../../errors/lpcv-error.js';
import type { Track } from '../../tracks/track.js';
import { checkIndex, datasetMissing } from '../dataset-errors.js';
import { imageFolderInputs } from '../image-folder.js';
import { idxInputs, readIdxImages } from '../idx.js';
import type { DecodedImage, InputSet } from '../types.js';
import { corruptImage, type CorruptionSpec } from './corrupt-image.js';
import { robustnessOf } from './robustness-schema.js';

/** The separator between a clean split's name and its robustness split's: `test~gaussian-noise-3`. */
export const ROBUSTNESS_SEPARATOR = '~';

export type RobustnessSplit =
  | { readonly kind: 'corruption'; readonly name: string; readonly of: string; readonly corruption: CorruptionSpec }
  /** `images`: absolute; absent when the track has no folder (an agent's, which gets the sets as input packs). */
  | { readonly kind: 'adversarial'; readonly name: string; readonly of: string; readonly set: string; readonly images?: string };

/**
 * The robustness splits a track derives from `split`, in declaration order (corruptions by kind, then
 * severity as listed; then adversarial sets); none when the track has no robustness block or `split` is
 * not one of its `of`. Adversarial `images` paths resolve against the track's folder; a track without one
 * (the leased track of an agent, harness/wire/agent-track.ts) lists its adversarial sets without them.
 */
export function robustnessSplitsOf(track: Pick<Track, 'robustness'> & { readonly dir?: string }, split: string): RobustnessSplit[] {
  const r = track.robustness;
  if (r === undefined || !robustnessOf(r).includes(split)) return [];
  const out: RobustnessSplit[] = [];
  for (const c of r.corruptions) {
    for (const severity of c.severities) {
      out.push({
        kind: 'corruption',
        name: `${split}${ROBUSTNESS_SEPARATOR}${c.kind}-${severity}`,
        of: split,
        corruption: { kind: c.kind, severity: severity as CorruptionSpec['severity'], seed: r.seed, profile: r.profile },
      });
    }
  }
  for (const a of r.adversarial) {
    const images = track.dir === undefined ? {} : { images: resolve(track.dir, a.images) };
    out.push({ kind: 'adversarial', name: `${split}${ROBUSTNESS_SEPARATOR}${a.name}`, of: split, set: a.name, ...images });
  }
  return out;
}

/** The clean inputs, each corrupted when read (same ids, same order): what the measuring side runs. */
export function corruptedInputs(clean: InputSet, spec: CorruptionSpec): InputSet {
  return {
    ids: clean.ids,
    async read(index: number): Promise<DecodedImage> {
      return corruptImage(await clean.read(index), spec);
    },
  };
}

function adversarialError(split: string, file: string, what: string): LpcvError {
  return new LpcvError('LPCV_E_ADVERSARIAL_SET', `adversarial split ${split} (${file}): ${what}`, { split, file });
}

/**
 * An adversarial set as the clean split's InputSet: the same ids in the same order, each image read from
 * the set. A folder: the file named `<id>`, else `<id>.png`, `.jpg` or `.jpeg`. An IDX images file: by the
 * position when the file holds exactly the split's number of images, else by the data set's own ids
 * (zero-padded global index, as a file as long as the data set has them). Every
 * id must be there, and the first image must have the clean one's size and channels
 * (LPCV_E_ADVERSARIAL_SET).
 */
export async function adversarialInputs(split: Extract<RobustnessSplit, { kind: 'adversarial' }>, clean: InputSet): Promise<InputSet> {
  const file = split.images;
  if (file === undefined) throw adversarialError(split.name, split.set, 'the track has no folder to read its images from');
  const st = await stat(file).catch(() => undefined);
  if (st === undefined) throw datasetMissing(file, `adversarial set ${split.set}`);
  let source: InputSet;
  let indexOf: (id: string, position: number) => number | undefined;
  if (st.isDirectory()) {
    source = await imageFolderInputs(file);
    const byName = new Map<string, number>();
    source.ids.forEach((name, i) => byName.set(name, i));
    indexOf = (id) => byName.get(id) ?? byName.get(`${id}.png`) ?? byName.get(`${id}.jpg`) ?? byName.get(`${id}.jpeg`);
  } else {
    source = idxInputs(await readIdxImages(file));
    if (source.ids.length === clean.ids.length) {
      indexOf = (_id, position) => position;
    } else {
      const byId = new Map<string, number>();
      source.ids.forEach((id, i) => byId.set(id, i));
      indexOf = (id) => byId.get(id);
    }
  }
  const indices = clean.ids.map((id, position) => {
    const i = indexOf(id, position);
    if (i === undefined) throw adversarialError(split.name, file, `has no image for sample ${id}`);
    return i;
  });
  const set: InputSet = {
    ids: clean.ids,
    async read(index: number): Promise<DecodedImage> {
      checkIndex(index, indices.length);
      const img = await source.read(indices[index]!);
      return { ...img, id: clean.ids[index]! };
    },
  };
  if (clean.ids.length > 0) {
    const [a, c] = await Promise.all([set.read(0), clean.read(0)]);
    if (a.width !== c.width || a.height !== c.height || a.channels !== c.channels) {
      throw adversarialError(split.name, file, `sample ${c.id} is ${a.width}x${a.height}x${a.channels}, the clean image ${c.width}x${c.height}x${c.channels}`);
    }
  }
  return set;
}
