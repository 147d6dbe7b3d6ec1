/**
 * Every task's definition, in the catalog's order (harness/tasks/task-catalog.ts): the one place the harness
 * turns a task name, a Predictions kind or a post-process into the code for it.
 */
import type { Predictions } from '../measurement.js';
import { classificationTask } from './classification-task.js';
import { detectionTask } from './detection-task.js';
import type { Postprocess } from './output-decoding.js';
import { segmentationTask } from './segmentation-task.js';
import { PREDICTION_KIND, TASK_NAMES, type TaskName } from './task-catalog.js';
import type { TaskDefinition } from './task-definition.js';

export const TASKS: { readonly [T in TaskName]: TaskDefinition<T> } = {
  classification: classificationTask,
  detection: detectionTask,
  segmentation: segmentationTask,
};

/**
 * A task's definition with its types widened to every task's, for code that dispatches on a name or kind at
 * run time and has checked that the values it passes belong to that task.
 */
export type AnyTask = TaskDefinition<TaskName>;

export function taskNamed(name: TaskName): AnyTask {
  return TASKS[name] as unknown as AnyTask;
}

/** The task whose predictions these are. */
export function taskOfPredictions(kind: Predictions['kind']): AnyTask {
  return taskNamed(TASK_NAMES.find((t) => PREDICTION_KIND[t] === kind)!);
}

const TASK_OF_POSTPROCESS: Readonly<Record<Postprocess['kind'], TaskName>> = { topk: 'classification', detections: 'detection', 'argmax-map': 'segmentation' };

/** The task a post-process belongs to. */
export function taskOfPostprocess(pp: Postprocess): AnyTask {
  return taskNamed(TASK_OF_POSTPROCESS[pp.kind]);
}
