/**
 * A post-processed detection model's outputs turned into one image's boxes (docs/protocol.md, "Detection
 * outputs"): `boxes` [N, 4] as x1, y1, x2, y2 in input pixels, `scores` [N], `classes` [N] (float or integer
 * class indices), each optionally with a leading batch axis of 1. Pure: the worker hands it onnxruntime's
 * tensors as {dims, type, data}. What it refuses:
 * - another rank, N differing between the three, a float class that is not a whole number: bad-output
 *   (LPCV_E_MODEL_OUTPUT_SHAPE);
 * - NaN or an infinity anywhere: non-finite (LPCV_E_MODEL_OUTPUT_NAN);
 * - a box with x2 < x1 or y2 < y1, or outside the image by more than half a pixel, more than maxDetections
 *   boxes, a class index the track does not have: bad-detections (LPCV_E_MODEL_DETECTIONS).
 */
import { reachesOutside } from './detection-rules.js';
import type { DetectionPrediction } from '../measurement.js';
import type { OutputTensor } from '../tasks/output-decoding.js';

export interface DetectionRules {
  /** The track's number of classes. */
  readonly classes: number;
  /** The input image's size in pixels. */
  readonly width: number;
  readonly height: number;
  readonly maxDetections: number;
}

export type DetectionRead =
  | { kind: 'ok'; boxes: DetectionPrediction[]; shape: number[] }
  | { kind: 'bad-output'; message: string; shape: number[] }
  | { kind: 'non-finite' }
  | { kind: 'bad-detections'; message: string };

/**
 * Raw SSD heads: `locations` [P, 4] and `confidences` [P, classes + 1] (float32, a batch axis of 1 optional),
 * P the track's prior count; NaN or an infinity is non-finite. The tensors' data as they are, for decodeSsd.
 */
export function readSsdHeads(
  outputs: Readonly<Record<string, { dims: readonly number[]; type: string; data: unknown } | undefined>>,
  priors: number,
  classes: number,
):
  | { kind: 'ok'; heads: { locations: Float32Array; confidences: Float32Array }; shape: number[] }
  | { kind: 'bad-output'; message: string; shape: number[] }
  | { kind: 'non-finite' } {
  const loc = outputs.locations;
  const conf = outputs.confidences;
  const shape = loc ? [...loc.dims] : [];
  if (!loc || !conf) return { kind: 'bad-output', message: 'a model with SSD heads must output locations and confidences', shape };
  const l = unbatched(loc.dims, 2);
  const c = unbatched(conf.dims, 2);
  if (l === undefined || l[0] !== priors || l[1] !== 4 || loc.type !== 'float32') {
    return {
      kind: 'bad-output',
      message: `output locations is ${loc.type} [${loc.dims.join(', ')}]; expected float32 [${priors}, 4] for the track's ${priors} priors`,
      shape,
    };
  }
  if (c === undefined || c[0] !== priors || c[1] !== classes + 1 || conf.type !== 'float32') {
    return {
      kind: 'bad-output',
      message: `output confidences is ${conf.type} [${conf.dims.join(', ')}]; expected float32 [${priors}, ${classes + 1}] (background and ${classes} classes)`,
      shape,
    };
  }
  const locations = loc.data as Float32Array;
  const confidences = conf.data as Float32Array;
  for (const a of [locations, confidences]) for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return { kind: 'non-finite' };
  return { kind: 'ok', heads: { locations, confidences }, shape };
}

/** The shape without a leading batch axis of 1, if it has `rank` + 1 axes. */
function unbatched(dims: readonly number[], rank: number): number[] | undefined {
  if (dims.length === rank) return [...dims];
  if (dims.length === rank + 1 && dims[0] === 1) return dims.slice(1);
  return undefined;
}

export function readDetections(outputs: Readonly<Record<string, OutputTensor | undefined>>, rules: DetectionRules): DetectionRead {
  const boxes = outputs.boxes;
  const scores = outputs.scores;
  const classes = outputs.classes;
  const shape = boxes ? [...boxes.dims] : [];
  if (!boxes || !scores || !classes) return { kind: 'bad-output', message: 'a detection model must output boxes, scores and classes', shape };
  const b = unbatched(boxes.dims, 2);
  const s = unbatched(scores.dims, 1);
  const c = unbatched(classes.dims, 1);
  if (b === undefined || b[1] !== 4)
    return { kind: 'bad-output', message: `output boxes has shape [${boxes.dims.join(', ')}]; expected [N, 4] or [1, N, 4]`, shape };
  const n = b[0]!;
  if (s === undefined || s[0] !== n || c === undefined || c[0] !== n) {
    return {
      kind: 'bad-output',
      message: `outputs scores [${scores.dims.join(', ')}] and classes [${classes.dims.join(', ')}] must each be [${n}] (or [1, ${n}]) for ${n} boxes`,
      shape,
    };
  }
  if (boxes.type !== 'float32' || scores.type !== 'float32') return { kind: 'bad-output', message: 'outputs boxes and scores must be float32', shape };
  const box = (i: number): number => Number(boxes.data[i]);
  for (let i = 0; i < 4 * n; i++) if (!Number.isFinite(box(i))) return { kind: 'non-finite' };
  for (let i = 0; i < n; i++) if (!Number.isFinite(Number(scores.data[i]))) return { kind: 'non-finite' };
  const out: DetectionPrediction[] = [];
  for (let i = 0; i < n; i++) {
    const cls = Number(classes.data[i]);
    if (!Number.isFinite(cls)) return { kind: 'non-finite' };
    if (!Number.isInteger(cls)) return { kind: 'bad-output', message: `output classes holds ${cls}, not a class index`, shape };
    if (cls < 0 || cls >= rules.classes)
      return { kind: 'bad-detections', message: `box ${i} has class ${cls}; the track has ${rules.classes} classes (0 to ${rules.classes - 1})` };
    const [x1, y1, x2, y2] = [box(4 * i), box(4 * i + 1), box(4 * i + 2), box(4 * i + 3)];
    if (x2 < x1 || y2 < y1) return { kind: 'bad-detections', message: `box ${i} is [${x1}, ${y1}, ${x2}, ${y2}]: expected x1 <= x2 and y1 <= y2` };
    if (reachesOutside([x1, y1, x2, y2], rules.width, rules.height)) {
      return { kind: 'bad-detections', message: `box ${i} [${x1}, ${y1}, ${x2}, ${y2}] reaches outside the ${rules.width}x${rules.height} image` };
    }
    out.push({ box: [x1, y1, x2, y2], score: Number(scores.data[i]), classIndex: cls });
  }
  if (n > rules.maxDetections) return { kind: 'bad-detections', message: `${n} boxes; the track takes at most ${rules.maxDetections} an image` };
  return { kind: 'ok', boxes: out, shape };
}
