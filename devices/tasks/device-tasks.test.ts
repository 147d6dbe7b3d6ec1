/**
 * The device half of the task contract (harness/tasks/task-contract.test.ts is the pure half): every task of the
 * catalog has device parts, a package's output folder written in the task's documented format reads back as
 * the predictions it holds, and an empty folder is the package's fault with a stable code.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Predictions } from '../../harness/measurement.js';
import { TASK_NAMES, type TaskName } from '../../harness/tasks/task-catalog.js';
import { taskCase } from '../../harness/tasks/testing/task-cases.js';
import { inputFileNames, readOutputFolder } from '../solution/package-io.js';
import { DEVICE_TASKS } from './device-tasks.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lpcv-device-tasks-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What a package writes for these predictions, in each task's format (docs/solution-packages.md). */
const WRITE_AS_PACKAGE: Record<TaskName, (out: string, p: Predictions) => Promise<void>> = {
  async classification(out, p) {
    if (p.kind !== 'topk') throw new Error('topk expected');
    const names = inputFileNames(p.ids);
    await writeFile(path.join(out, 'predictions.json'), JSON.stringify(Object.fromEntries(names.map((n, i) => [n, p.topk[i]]))));
  },
  async detection(out, p) {
    if (p.kind !== 'detections') throw new Error('detections expected');
    const names = inputFileNames(p.ids);
    const list = p.detections.flatMap((boxes, i) =>
      boxes.map((d) => ({
        image_id: names[i],
        category_id: d.classIndex,
        bbox: [d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]],
        score: d.score,
      })),
    );
    await writeFile(path.join(out, 'detections.json'), JSON.stringify(list));
  },
  async segmentation(out, p) {
    if (p.kind !== 'label-maps') throw new Error('label maps expected');
    for (const [i, name] of inputFileNames(p.ids).entries()) {
      const m = p.maps[i]!;
      await sharp(Buffer.from(m.data), { raw: { width: m.width, height: m.height, channels: 1 } })
        .toColourspace('b-w')
        .png()
        .toFile(path.join(out, name));
    }
  },
};

describe.each(TASK_NAMES)('the %s task on devices', (name) => {
  it('has device parts: a package reader and a stated phone support', () => {
    const parts = DEVICE_TASKS[name];
    expect(typeof parts.readPackageOutputs).toBe('function');
    if (!parts.phone.runs) expect(parts.phone.why).not.toBe('');
  });

  it("reads a package's output folder in the task's format back into the predictions written", async () => {
    const k = taskCase(name, dir);
    const out = await mkdtemp(path.join(dir, `${name}-out-`));
    await WRITE_AS_PACKAGE[name](out, k.predictions);
    const read = await readOutputFolder(k.track, k.predictions.ids, out);
    expect(read).toEqual(k.predictions);
  });

  it('refuses an empty output folder as LPCV_E_SOLUTION_NO_OUTPUT', async () => {
    const k = taskCase(name, dir);
    const out = path.join(dir, `${name}-empty`);
    await mkdir(out, { recursive: true });
    await expect(readOutputFolder(k.track, k.predictions.ids, out)).rejects.toMatchObject({ code: 'LPCV_E_SOLUTION_NO_OUTPUT' });
  });
});
