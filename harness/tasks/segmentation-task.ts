/**
 * Segmentation (docs/tasks.md): a class per pixel (the argmax of an [1, C, H, W] output), mIoU and mDice against
 * PNG label maps (scoring/segmentation.ts, LPCVC 2023's definitions).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { loadSharp } from '../datasets/load-sharp.js';
import { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import { SegmentationAccumulator } from '../../scoring/segmentation.js';
import { callerNumClasses } from '../evaluate/class-values.js';
import { named, splitMetrics } from '../evaluate/evaluation-report.js';
import { scoreSegmentationFolders } from '../evaluate/segmentation-files.js';
import type { LabelMapPrediction } from '../measurement.js';
import { finiteFloat32Output } from './output-decoding.js';
import { TASK_FACTS } from './task-catalog.js';
import type { PredictionsOf, TaskDefinition } from './task-definition.js';
import { inputSize } from './input-size.js';
import { checkRowCount } from './wire-rows.js';

const facts = TASK_FACTS.segmentation;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A label map on the wire: base64 of its uint8 or uint16 little-endian values, row by row. */
const labelMap = z.strictObject({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytesPerValue: z.union([z.literal(1), z.literal(2)]),
  data: z.string().regex(BASE64, 'expected base64'),
});
type LabelMapJson = z.infer<typeof labelMap>;

/** The task's predictions on the agent wire. */
export const labelMapPredictionsSchema = z.strictObject({
  kind: z.literal('label-maps'),
  ids: z.array(z.string().min(1)),
  maps: z.array(labelMap),
});

export const segmentationTask: TaskDefinition<'segmentation'> = {
  name: 'segmentation',
  predictionKind: 'label-maps',
  facts,

  postprocess: (track) => ({ kind: 'argmax-map', classes: track.classes.length, ...inputSize(track) }),
  fetch: () => undefined,
  /** The class of each pixel: the first of the highest scores over the class axis. */
  decodeImage(outputs, pp, outputName) {
    if (pp.kind !== 'argmax-map') throw new Error(`segmentation cannot decode a ${pp.kind} post-process`);
    const out = finiteFloat32Output(outputs, outputName);
    if ('kind' in out) return out;
    const { data, shape } = out;
    const [, c, h, w] = shape as [number, number, number, number];
    if (shape.length !== 4 || shape[0] !== 1 || c !== pp.classes || h !== pp.height || w !== pp.width) {
      return { kind: 'bad-output', message: `output shape [${shape.join(', ')}] is not [1, ${pp.classes}, ${pp.height}, ${pp.width}]`, shape };
    }
    const plane = h * w;
    const map = c <= 256 ? new Uint8Array(plane) : new Uint16Array(plane);
    for (let p = 0; p < plane; p++) {
      let best = 0;
      let bestV = data[p]!;
      for (let k = 1; k < c; k++) {
        const v = data[k * plane + p]!;
        if (v > bestV) {
          bestV = v;
          best = k;
        }
      }
      map[p] = best;
    }
    return { kind: 'ok', row: { width: w, height: h, data: map }, shape };
  },
  assemble: (ids, rows) => ({ kind: 'label-maps', ids, maps: rows }),

  wire: {
    schema: labelMapPredictionsSchema,
    encode: (p) => ({ kind: 'label-maps', ids: [...p.ids], maps: p.maps.map(encodeLabelMap) }),
    decode(json: unknown, key: string, code: ErrorCode): PredictionsOf<'segmentation'> {
      const p = json as z.output<typeof labelMapPredictionsSchema>;
      checkRowCount(key, 'maps', p.maps.length, p.ids.length, code);
      return { kind: 'label-maps', ids: p.ids, maps: p.maps.map((map, i) => decodeLabelMap(map, `${key}.maps.${i}`, code)) };
    },
  },

  async score(track, predictions, labels) {
    const acc = new SegmentationAccumulator(track.classes.length, { ignoreIndex: labels.ignoreIndex });
    for (let i = 0; i < labels.ids.length; i++) {
      const gt = await labels.readMask(i);
      const pred = predictions.maps[i]!;
      if (gt.width !== pred.width || gt.height !== pred.height) {
        throw new LpcvError(
          'LPCV_E_MODEL_OUTPUT_SHAPE',
          `label map of image ${labels.ids[i]} is ${pred.width}x${pred.height}, its mask ${gt.width}x${gt.height}`,
        );
      }
      acc.add({ pred: pred.data, gt: gt.data });
    }
    const seg = acc.result();
    return { accuracy: { miou: seg.miou, mdice: seg.mdice }, perClass: seg.perClass.map((c) => ({ ...c, name: track.classes[c.classIndex] })) };
  },

  async evaluate(opts, resolved) {
    const r = await scoreSegmentationFolders(opts.gt, opts.pred, {
      numClasses: callerNumClasses({ numClasses: opts.numClasses, classNames: opts.classNames }),
      ignoreIndex: opts.ignoreIndex,
    });
    return {
      task: 'segmentation',
      ...resolved,
      count: r.scores.images,
      numClasses: r.numClasses,
      ...splitMetrics(r.scores, facts.headline, ['images', 'skippedImages']),
      skippedImages: r.scores.skippedImages,
      perClass: r.scores.perClass.map((c) => ({ classIndex: c.classIndex, ...named(opts.classNames, c.classIndex), iou: c.iou, dice: c.dice })),
    };
  },

  /** A folder of the split's masks as PNGs named like the predictions' label maps. */
  async writeGroundTruth(target, labels) {
    await mkdir(target, { recursive: true });
    for (const [i, id] of labels.ids.entries()) await writeMapPng(target, id, await labels.readMask(i));
  },

  /** A folder of PNG label maps (8-bit grey, or 16-bit for more than 256 classes) named like the images. */
  async writePredictions(target, predictions) {
    await mkdir(target, { recursive: true });
    for (const [i, id] of predictions.ids.entries()) await writeMapPng(target, id, predictions.maps[i]!);
  },
};

/** One map as `<id>.png` (an id's own extension replaced) under `dir`: 8-bit grey, or 16-bit for wider values. */
async function writeMapPng(dir: string, id: string, map: LabelMapPrediction): Promise<void> {
  const name = /\.png$/i.test(id) ? id : `${id.replace(/\.[^./]*$/, '')}.png`;
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  const wide = map.data instanceof Uint16Array;
  const raw = Buffer.from(map.data.buffer, map.data.byteOffset, map.data.byteLength);
  const sharp = await loadSharp();
  await sharp(raw, { raw: { width: map.width, height: map.height, channels: 1, ...(wide ? { depth: 'ushort' as const } : {}) } })
    .toColourspace(wide ? 'grey16' : 'b-w')
    .png()
    .toFile(file);
}

function encodeLabelMap(m: LabelMapPrediction): LabelMapJson {
  if (m.data instanceof Uint8Array) {
    return { width: m.width, height: m.height, bytesPerValue: 1, data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('base64') };
  }
  const buf = Buffer.alloc(m.data.length * 2);
  m.data.forEach((v, i) => buf.writeUInt16LE(v, i * 2));
  return { width: m.width, height: m.height, bytesPerValue: 2, data: buf.toString('base64') };
}

function decodeLabelMap(map: LabelMapJson, key: string, code: ErrorCode): LabelMapPrediction {
  const bytes = Buffer.from(map.data, 'base64');
  const expected = map.width * map.height * map.bytesPerValue;
  if (bytes.length !== expected) {
    throw new LpcvError(code, `the completion is malformed: ${key}.data: ${bytes.length} bytes, expected ${map.width} x ${map.height} x ${map.bytesPerValue}`);
  }
  if (map.bytesPerValue === 1) return { width: map.width, height: map.height, data: new Uint8Array(bytes) };
  const data = new Uint16Array(map.width * map.height);
  for (let i = 0; i < data.length; i++) data[i] = bytes.readUInt16LE(2 * i);
  return { width: map.width, height: map.height, data };
}
