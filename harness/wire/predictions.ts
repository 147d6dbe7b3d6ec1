import { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.js';
import { LpcvError } from '../../errors/lpcv-error.js';
import type { LabelMapPrediction, Predictions } from '../measurement.js';

/**
 * Predictions as completions carry them (docs/api.md, "Heartbeat, complete, fail"): top-k lists and detections
 * (boxes as corners in input pixels, finite numbers, at most MAX_DETECTIONS_PER_IMAGE an image) as they are,
 * label maps as base64 of their uint8 or uint16 little-endian values, row by row. One function each way; the
 * schema checks the shapes, decodePredictions what a shape cannot say (one entry per id, a map's byte count).
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const topkPredictions = z.strictObject({
  kind: z.literal('topk'),
  ids: z.array(z.string().min(1)),
  topk: z.array(z.array(z.number().int().nonnegative()).min(1).max(5)),
});

const labelMap = z.strictObject({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytesPerValue: z.union([z.literal(1), z.literal(2)]),
  data: z.string().regex(BASE64, 'expected base64'),
});

const labelMapPredictions = z.strictObject({
  kind: z.literal('label-maps'),
  ids: z.array(z.string().min(1)),
  maps: z.array(labelMap),
});

/** Boxes per image a completion may carry (COCO scores at most 100 per image, by score). */
export const MAX_DETECTIONS_PER_IMAGE = 1000;

const finite = z.number().finite();
const detection = z
  .strictObject({
    box: z.tuple([finite, finite, finite, finite]),
    score: finite,
    classIndex: z.number().int().nonnegative(),
  })
  .refine((d) => d.box[0] <= d.box[2] && d.box[1] <= d.box[3], 'expected box [x1, y1, x2, y2] with x1 <= x2 and y1 <= y2');

const detectionPredictions = z.strictObject({
  kind: z.literal('detections'),
  ids: z.array(z.string().min(1)),
  detections: z.array(z.array(detection).max(MAX_DETECTIONS_PER_IMAGE)),
});

export const predictionsSchema = z.discriminatedUnion('kind', [topkPredictions, labelMapPredictions, detectionPredictions]);

export type PredictionsJson = z.infer<typeof predictionsSchema>;
type LabelMapJson = z.infer<typeof labelMap>;

/** The agent's side: predictions as JSON. */
export function encodePredictions(p: Predictions): PredictionsJson {
  if (p.kind === 'topk') return { kind: 'topk', ids: [...p.ids], topk: p.topk };
  if (p.kind === 'detections') return { kind: 'detections', ids: [...p.ids], detections: p.detections };
  return { kind: 'label-maps', ids: [...p.ids], maps: p.maps.map(encodeLabelMap) };
}

/**
 * The server's side: predictions checked against their ids and decoded. `key` is where they sit in the body
 * (`measurement.predictions`), for the message; a mismatch is `code`.
 */
export function decodePredictions(p: PredictionsJson, key: string, code: ErrorCode): Predictions {
  const [field, count] = p.kind === 'topk' ? ['topk', p.topk.length] : p.kind === 'detections' ? ['detections', p.detections.length] : ['maps', p.maps.length];
  if (count !== p.ids.length) {
    throw new LpcvError(code, `the completion is malformed: ${key}.${field}: ${count} entries for ${p.ids.length} ids`);
  }
  if (p.kind === 'topk') return { kind: 'topk', ids: p.ids, topk: p.topk };
  if (p.kind === 'detections') return { kind: 'detections', ids: p.ids, detections: p.detections };
  return { kind: 'label-maps', ids: p.ids, maps: p.maps.map((map, i) => decodeLabelMap(map, `${key}.maps.${i}`, code)) };
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
