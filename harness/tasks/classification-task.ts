/** Classification (docs/tasks.md): top-k class lists per image, top-1/top-5/macro F1 against class labels. */
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.js';
import { classificationReport, topKFromScores } from '../../scoring/classification.js';
import { macroF1 } from '../../scoring/f1.js';
import { readClassificationFiles } from '../evaluate/classification-files.js';
import { named, splitMetrics } from '../evaluate/evaluation-report.js';
import { finiteFloat32Output } from './output-decoding.js';
import { TASK_FACTS } from './task-catalog.js';
import type { PredictionsOf, TaskDefinition } from './task-definition.js';
import { checkRowCount } from './wire-rows.js';

const facts = TASK_FACTS.classification;

/** The task's predictions on the agent wire. */
export const topkPredictionsSchema = z.strictObject({
  kind: z.literal('topk'),
  ids: z.array(z.string().min(1)),
  topk: z.array(z.array(z.number().int().nonnegative()).min(1).max(5)),
});

export const classificationTask: TaskDefinition<'classification'> = {
  name: 'classification',
  predictionKind: 'topk',
  facts,

  postprocess: (track) => ({ kind: 'topk', k: 5, classes: track.output.numClasses ?? track.classes.length }),
  fetch: () => undefined,
  decodeImage(outputs, pp, outputName) {
    if (pp.kind !== 'topk') throw new Error(`classification cannot decode a ${pp.kind} post-process`);
    const out = finiteFloat32Output(outputs, outputName);
    if ('kind' in out) return out;
    const { data, shape } = out;
    const n = shape.length === 0 ? 0 : shape[shape.length - 1]!;
    if (data.length !== n || n !== pp.classes)
      return { kind: 'bad-output', message: `output shape [${shape.join(', ')}] is not one row of ${pp.classes} class scores`, shape };
    return { kind: 'ok', row: topKFromScores(data, Math.min(pp.k, n)), shape };
  },
  assemble: (ids, rows) => ({ kind: 'topk', ids, topk: rows }),

  wire: {
    schema: topkPredictionsSchema,
    encode: (p) => ({ kind: 'topk', ids: [...p.ids], topk: p.topk }),
    decode(json: unknown, key: string, code: ErrorCode): PredictionsOf<'classification'> {
      const p = json as z.output<typeof topkPredictionsSchema>;
      checkRowCount(key, 'topk', p.topk.length, p.ids.length, code);
      return { kind: 'topk', ids: p.ids, topk: p.topk };
    },
  },

  async score(track, predictions, labels) {
    const numClasses = track.output.numClasses ?? track.classes.length;
    const rep = classificationReport(predictions.topk, labels.labels, numClasses);
    const accuracy: Record<string, number> = { top1: rep.top1 };
    if (track.metrics.includes('top5')) accuracy.top5 = rep.top5;
    // Macro-averaged F1 of the top-1 predictions, for tracks that list it (classes absent from both the
    // labels and the predictions take no part: scoring/f1.ts).
    if (track.metrics.includes('f1'))
      accuracy.f1 = macroF1(
        predictions.topk.map((t) => t[0] ?? -1),
        labels.labels,
        numClasses,
      ).macroF1;
    return { accuracy, perClass: rep.perClass.map((c) => ({ ...c, name: track.classes[c.classIndex] })) };
  },

  async evaluate(opts, resolved) {
    const input = await readClassificationFiles(opts.gt, opts.pred, { numClasses: opts.numClasses, classNames: opts.classNames });
    const r = classificationReport(input.topk, input.labels, input.numClasses);
    return {
      task: 'classification',
      ...resolved,
      count: input.labels.length,
      numClasses: input.numClasses,
      ...splitMetrics(r, facts.headline),
      predictionFormat: input.predictionFormat,
      perClass: r.perClass.map((c) => ({ classIndex: c.classIndex, ...named(opts.classNames, c.classIndex), count: c.count, top1: c.top1 })),
    };
  },

  /** A JSON object `{ "<id>": class }` (names may hold any character; CSV would need quoting). */
  writeGroundTruth: (target, labels) => writeFile(target, `${JSON.stringify(Object.fromEntries(labels.ids.map((id, i) => [id, labels.labels[i]])))}\n`),
  writePredictions: (target, predictions) => writeFile(target, formatLpcv2020Predictions(predictions)),
};

/** The LPCVC 2020 FPGA result format: per image, up to 5 lines `<name> <class>` in top-5 order. */
export function formatLpcv2020Predictions(p: { ids: readonly string[]; topk: number[][] }): string {
  const lines: string[] = [];
  p.ids.forEach((id, i) => {
    for (const c of p.topk[i] ?? []) lines.push(`${id} ${c}`);
  });
  return `${lines.join('\n')}\n`;
}
