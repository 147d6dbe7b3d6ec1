/**
 * For the detection tests (not used by the harness): a post-processed detection model with fixed boxes, and a
 * two-image COCO track (a shirt in each image, a bag in the second) written into a folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeModel, rawValueInfo } from '../../../test/testing/onnx-fixtures.js';
import { writePng } from '../../../test/testing/write-images.js';

/**
 * A model whose named float outputs are fixed tensors, each added to 0 x the input's sum so that the graph reads
 * its [1, 1, 32, 32] input.
 */
function fixedOutputsModel(name: string, outputs: readonly { name: string; dims: number[]; values: number[] }[]): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name,
      node: [
        { opType: 'ReduceSum', input: ['x'], output: ['sum'], attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
        { opType: 'Mul', input: ['sum', 'zero'], output: ['nothing'] },
        ...outputs.map((o) => ({ opType: 'Add', input: [`${o.name}_value`, 'nothing'], output: [o.name] })),
      ],
      initializer: [
        { name: 'zero', dims: [], dataType: 1, floatData: [0] },
        ...outputs.map((o) => ({ name: `${o.name}_value`, dims: o.dims, dataType: 1, floatData: o.values })),
      ],
      input: [rawValueInfo('x', [1, 1, 32, 32])],
      output: outputs.map((o) => rawValueInfo(o.name, o.dims)),
    },
  });
}

/** A post-processed detection model whose outputs are fixed: boxes [N, 4], scores [N], classes [N] as float. */
export function fixedDetector(boxes: number[], scores: number[], classes: number[]): Uint8Array {
  const n = scores.length;
  return fixedOutputsModel('fixed-detector', [
    { name: 'boxes', dims: [n, 4], values: boxes },
    { name: 'scores', dims: [n], values: scores },
    { name: 'classes', dims: [n], values: classes },
  ]);
}

/** A model with raw SSD heads whose outputs are fixed: locations [P, 4] and confidences [P, classes + 1]. */
export function fixedSsdHeads(locations: number[], confidences: number[], classes: number): Uint8Array {
  const p = locations.length / 4;
  return fixedOutputsModel('fixed-ssd', [
    { name: 'locations', dims: [p, 4], values: locations },
    { name: 'confidences', dims: [p, classes + 1], values: confidences },
  ]);
}

/**
 * Writes the images, annotations.json and track.json (the track det-tiny; with `output`, that output section)
 * into `dir`; answers the track file.
 */
export async function writeDetectionTrack(dir: string, output?: object): Promise<string> {
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  for (const name of ['a.png', 'b.png']) await writePng(path.join(dir, 'images', name), 32, 32, 1, new Uint8Array(32 * 32).fill(100));
  // Both images have a shirt at [2, 2, 10, 10] (x, y, width, height); image b also a bag at [20, 20, 8, 8].
  const annotations = {
    images: [
      { id: 1, file_name: 'a.png', width: 32, height: 32 },
      { id: 2, file_name: 'b.png', width: 32, height: 32 },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 5, bbox: [2, 2, 10, 10], area: 100 },
      { id: 2, image_id: 2, category_id: 5, bbox: [2, 2, 10, 10], area: 100 },
      { id: 3, image_id: 2, category_id: 6, bbox: [20, 20, 8, 8], area: 64 },
    ],
    categories: [
      { id: 5, name: 'shirt' },
      { id: 6, name: 'bag' },
    ],
  };
  writeFileSync(path.join(dir, 'annotations.json'), JSON.stringify(annotations));
  const track = {
    name: 'det-tiny',
    title: 'tiny detection track (test)',
    task: 'detection',
    classes: ['shirt', 'bag'],
    dataset: { format: 'coco', images: 'images', annotations: 'annotations.json' },
    splits: { val: { start: 0, count: 2, visibility: 'public' } },
    input: { name: 'x', shape: [1, 1, 32, 32], dtype: 'float32', layout: 'NCHW', preprocess: { channels: 'gray', scale: 1, mean: [0], std: [1] } },
    formats: ['onnx'],
    metrics: ['map', 'map50'],
    score: { formula: 'accuracy-per-time', version: 1, params: { accuracy: 'map' } },
    protocol: { warmupRuns: 1, minRuns: 5, minDurationMs: 0, maxRuns: 5, trials: 1 },
    limits: { maxArtifactBytes: 1_000_000, runTimeoutMs: 60_000 },
    target: { kind: 'desktop' },
    ...(output ? { output } : {}),
  };
  const file = path.join(dir, 'track.json');
  writeFileSync(file, JSON.stringify(track));
  return file;
}
