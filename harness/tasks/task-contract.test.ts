/**
 * The task contract: every task of the catalog runs through the same checks (docs/tasks.md), so that a task added
 * to the list is held to what the others promise: its wire codec round-trips, its scorer gives 1 on the labels
 * themselves and agrees with `lpcv evaluate` on what its --predictions writer wrote, its output decoding reads a
 * model's tensors and refuses NaN and wrong shapes, and the catalog's facts match the track schema.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { evaluateFiles } from '../evaluate/evaluate-files.js';
import { scorePredictions } from '../score/score-predictions.js';
import { datasetSchema, metricSchema } from '../tracks/track-schema.js';
import { decodePredictions, encodePredictions, predictionsSchema } from '../wire/predictions.js';
import { PREDICTION_KIND, TASK_FACTS, TASK_NAMES, taskOfDatasetFormat } from './task-catalog.js';
import { TASKS, taskNamed, taskOfPostprocess, taskOfPredictions } from './task-registry.js';
import { taskCase } from './testing/task-cases.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lpcv-task-contract-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the task catalog', () => {
  it('lists each task once, in the registry in the same order, each under its own name and kind', () => {
    expect(Object.keys(TASKS)).toEqual([...TASK_NAMES]);
    for (const name of TASK_NAMES) {
      expect(TASKS[name].name).toBe(name);
      expect(TASKS[name].predictionKind).toBe(PREDICTION_KIND[name]);
      expect(taskOfPredictions(PREDICTION_KIND[name]).name).toBe(name);
    }
    expect(new Set(Object.values(PREDICTION_KIND)).size).toBe(TASK_NAMES.length);
  });

  it('gives every data set format of the track schema to exactly one task, and every metric of the schema to one', () => {
    const formats = datasetSchema.options.map((o) => o.shape.format.value);
    for (const format of formats) expect(TASK_NAMES.filter((t) => TASK_FACTS[t].datasetFormats.includes(format))).toEqual([taskOfDatasetFormat(format)]);
    expect(TASK_NAMES.flatMap((t) => TASK_FACTS[t].datasetFormats).sort()).toEqual([...formats].sort());
    expect(TASK_NAMES.flatMap((t) => TASK_FACTS[t].metrics).sort()).toEqual([...metricSchema.options].sort());
  });

  it('has a member of the wire union for every task', () => {
    expect(predictionsSchema.options.map((o) => o.shape.kind.value).sort()).toEqual(Object.values(PREDICTION_KIND).sort());
  });
});

describe.each(TASK_NAMES)('the %s task', (name) => {
  const task = taskNamed(name);
  const c = () => taskCase(name, dir);

  it('round-trips its predictions through the agent wire (JSON text, the schema, decode)', () => {
    const { predictions } = c();
    const json = JSON.parse(JSON.stringify(encodePredictions(predictions)));
    expect(decodePredictions(predictionsSchema.parse(json), 'measurement.predictions', 'LPCV_E_PRED_MALFORMED')).toEqual(predictions);
  });

  it('refuses wire predictions with a row too few for their ids, with the caller code and key', () => {
    const json = predictionsSchema.parse(JSON.parse(JSON.stringify(encodePredictions(c().predictions))));
    const short = { ...json, ids: [...json.ids, 'extra.png'] };
    expect(() => decodePredictions(short, 'measurement.predictions', 'LPCV_E_PRED_MALFORMED')).toThrow(
      expect.objectContaining({ code: 'LPCV_E_PRED_MALFORMED', message: expect.stringContaining('measurement.predictions.') }),
    );
  });

  it('scores the labels themselves 1 on every metric it gives, and the mixed predictions strictly between', async () => {
    const k = c();
    const perfect = await scorePredictions(k.track, k.perfect, k.labels);
    for (const m of k.track.metrics) expect(perfect.accuracy[m]).toBe(1);
    const mixed = await scorePredictions(k.track, k.predictions, k.labels);
    for (const m of k.track.metrics) {
      expect(mixed.accuracy[m]).toBeGreaterThan(0);
      expect(mixed.accuracy[m]).toBeLessThan(1);
    }
  });

  it('gives per-class rows holding the columns reports show for the task', async () => {
    const k = c();
    const scored = await scorePredictions(k.track, k.predictions, k.labels);
    expect(scored.perClass.length).toBeGreaterThan(0);
    for (const row of scored.perClass) {
      expect(k.track.classes).toContain(row.name);
      for (const col of task.facts.perClass) expect(row).toHaveProperty(col.key);
    }
  });

  it("refuses another task's predictions, and predictions for other images, as LPCV_E_PRED_MISMATCH", async () => {
    const k = c();
    for (const other of TASK_NAMES.filter((t) => t !== name)) {
      const theirs = taskCase(other, dir).predictions;
      const err = await scorePredictions(k.track, { ...theirs, ids: k.labels.ids } as typeof theirs, k.labels).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LpcvError);
      expect((err as LpcvError).code).toBe('LPCV_E_PRED_MISMATCH');
    }
    const err = await scorePredictions(k.track, { ...k.predictions, ids: [...k.labels.ids].reverse() }, k.labels).catch((e: unknown) => e);
    expect((err as LpcvError).code).toBe('LPCV_E_PRED_MISMATCH');
  });

  it('writes ground truth and --predictions that lpcv evaluate scores as the scorer does', async () => {
    const k = c();
    const at = await mkdtemp(path.join(dir, `${name}-`));
    // The task's own writers on both sides: what `lpcv evaluate --track --split` and `lpcv score --predictions` write.
    const gt = path.join(at, task.facts.evaluateInput === 'dir' ? 'gt' : 'gt.json');
    await task.writeGroundTruth(gt, k.labels);
    const target = path.join(at, task.facts.evaluateInput === 'dir' ? 'pred' : 'pred.txt');
    await task.writePredictions(target, k.predictions, k.labels, k.track);
    const report = await evaluateFiles({ task: name, gt, pred: target, numClasses: k.track.classes.length, classNames: k.track.classes });
    const scored = await scorePredictions(k.track, k.predictions, k.labels);
    expect(report.task).toBe(name);
    expect(Object.keys(report.accuracy)).toEqual([...task.facts.headline]);
    for (const m of task.facts.headline) if (m in scored.accuracy) expect(report.accuracy[m]).toBe(scored.accuracy[m]);
  });

  it("decodes one image's output tensors into its row, and refuses NaN and wrong shapes", () => {
    const k = c();
    const pp = task.postprocess(k.track);
    expect(taskOfPostprocess(pp).name).toBe(name);
    expect(task.decodeImage(k.outputs.tensors, pp, k.outputs.outputName)).toEqual({ kind: 'ok', row: k.outputs.row, shape: expect.any(Array) });
    expect(task.decodeImage(k.nanOutputs, pp, k.outputs.outputName)).toEqual({ kind: 'non-finite' });
    expect(task.decodeImage(k.badShapeOutputs, pp, k.outputs.outputName)).toMatchObject({ kind: 'bad-output' });
    const assembled = task.assemble(['x.png'], [k.outputs.row]);
    expect(assembled.kind).toBe(task.predictionKind);
    expect(assembled.ids).toEqual(['x.png']);
  });

  it('is the task of its data set formats, and its metrics are the ones tracks of it may list', () => {
    for (const format of task.facts.datasetFormats) expect(taskOfDatasetFormat(format)).toBe(name);
    expect(c().track.metrics.every((m) => (task.facts.metrics as readonly string[]).includes(m))).toBe(true);
  });
});
