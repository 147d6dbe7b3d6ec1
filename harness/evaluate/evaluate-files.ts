import { resolve } from 'node:path';
import { taskNamed } from '../tasks/task-registry.js';
import type { EvaluateFilesOptions, EvaluationReport } from './evaluation-report.js';
import { checkInputPath } from './input-paths.js';

/**
 * `lpcv evaluate`: scores a predictions file a device produced against ground truth, without running
 * anything, by the task's reader (harness/tasks/): classification and detection read one file on each side,
 * segmentation one folder on each side.
 */

export async function evaluateFiles(opts: EvaluateFilesOptions): Promise<EvaluationReport> {
  const task = taskNamed(opts.task);
  const kind = task.facts.evaluateInput;
  await checkInputPath(opts.gt, 'ground truth', kind);
  await checkInputPath(opts.pred, 'predictions', kind);
  const paths = { gt: resolve(opts.gt), pred: resolve(opts.pred) };
  return task.evaluate(opts, paths);
}
