import { LpcvError } from '../../errors/lpcv-error.js';
import { evaluateFiles } from '../../harness/evaluate/evaluate-files.js';
import { TASK_FACTS, TASK_NAMES } from '../../harness/tasks/task-catalog.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadLabels } from '../../harness/datasets/open-split.js';
import { taskNamed } from '../../harness/tasks/task-registry.js';
import { resolveSplit, resolveTrack } from '../../harness/tracks/load-track.js';
import type { Track } from '../../harness/tracks/track.js';
import { int, pct, table } from '../format.js';

export interface EvaluateCliOptions {
  task: string;
  gt?: string;
  /** With --track, instead of --gt: the ground truth of the track's split. */
  split?: string;
  pred: string;
  classes?: number;
  track?: string;
  ignoreIndex?: number;
  json?: boolean;
}

/**
 * The ground truth of a track's split, written by the task (harness/tasks/) into a private temporary folder for the
 * evaluation and removed after it: the split's images and annotations only, so that predictions of that split
 * are scored on its images (COCO counts a ground-truth image without detections as missed).
 */
async function withSplitGroundTruth<T>(track: Track, split: string, evaluate: (gt: string) => Promise<T>): Promise<T> {
  const labels = await loadLabels(track, split);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lpcv-evaluate-gt-'));
  try {
    const task = taskNamed(track.task);
    const gt = path.join(dir, task.facts.evaluateInput === 'dir' ? 'ground-truth' : 'ground-truth.json');
    await task.writeGroundTruth(gt, labels);
    return await evaluate(gt);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Per-class keys that hold counts or ids; every other number is a fraction shown as a percentage. */
const COUNT_KEYS = new Set(['classIndex', 'categoryId', 'count', 'images', 'gtCount', 'support']);

export async function evaluateCommand(o: EvaluateCliOptions): Promise<number> {
  const task = TASK_NAMES.find((t) => t === o.task);
  if (!task) throw new LpcvError('LPCV_E_USAGE', `--task must be one of ${TASK_NAMES.join(', ')}, got "${o.task}"`);
  if ((o.gt === undefined) === (o.split === undefined)) {
    throw new LpcvError('LPCV_E_USAGE', 'give the ground truth as --gt <file|dir>, or as --track <track> --split <split> (not both)');
  }
  if (o.split !== undefined && o.track === undefined)
    throw new LpcvError('LPCV_E_USAGE', '--split needs --track (the track whose split holds the ground truth)');
  const track = o.track ? resolveTrack(o.track) : undefined;
  if (track !== undefined && o.split !== undefined && track.task !== task) {
    throw new LpcvError('LPCV_E_USAGE', `--task ${task}: track ${track.name} is a ${track.task} track`);
  }
  const evaluate = (gt: string) =>
    evaluateFiles({
      task,
      gt,
      pred: o.pred,
      numClasses: o.classes ?? track?.classes.length,
      classNames: track ? [...track.classes] : undefined,
      ignoreIndex: o.ignoreIndex ?? (track?.dataset.format === 'segmentation' ? track.dataset.ignoreIndex : undefined),
    });
  const report = o.gt !== undefined ? await evaluate(o.gt) : await withSplitGroundTruth(track!, resolveSplit(track!, o.split), evaluate);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  }
  const lines = [
    `lpcv evaluate: ${task}, ${int(report.count)} ${TASK_FACTS[task].countNoun}`,
    `  ground truth  ${report.gt}`,
    `  predictions   ${report.pred}`,
    '',
    'accuracy',
  ];
  for (const [k, v] of Object.entries(report.accuracy)) lines.push(`  ${k.padEnd(6)} ${pct(v)}`);
  const details = Object.entries(report.details);
  if (details.length > 0) {
    lines.push('');
    for (const [k, v] of details) lines.push(`  ${k.padEnd(10)} ${v < 0 ? '- (no ground truth in range)' : pct(v)}`);
  }
  if (report.perClass.length > 0) {
    const perClass = report.perClass as Record<string, unknown>[];
    const header = Object.keys(perClass[0]!);
    const rows = perClass.map((c) =>
      header.map((h) => {
        const v = c[h];
        if (typeof v === 'number') return COUNT_KEYS.has(h) ? String(v) : pct(v);
        return v === null || v === undefined ? '-' : String(v);
      }),
    );
    lines.push('', table(header, rows));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
