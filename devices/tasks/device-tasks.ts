/**
 * Each task's device parts (docs/tasks.md), the twin of harness/tasks/task-registry.ts: how a solution package's
 * output folder is read (devices/solution/outputs/), whether those readers check against the inputs' sizes,
 * and whether phones run the task. Registered by task name, in the catalog's order.
 */
import type { Predictions } from '../../harness/measurement.js';
import type { TaskName } from '../../harness/tasks/task-catalog.js';
import { readClassificationOutputs } from '../solution/outputs/classification-outputs.js';
import { readDetectionOutputs } from '../solution/outputs/detection-outputs.js';
import type { OutputFolder } from '../solution/outputs/output-checks.js';
import { readSegmentationOutputs } from '../solution/outputs/segmentation-outputs.js';

export interface DeviceTaskParts {
  /** A package's output folder as Predictions for its inputs (the submission's faults as LpcvErrors). */
  readPackageOutputs(folder: OutputFolder): Promise<Predictions>;
  /** Whether the reader checks the outputs against each input image's size (boxes inside, maps as large). */
  readonly checksImageSizes: boolean;
  /**
   * Phones (devices/android/, docs/android.md "The runner contract"): whether the adb driver runs the task and
   * what its accuracy runner writes: a predictions file (classification, the original contract) or, told
   * `--task <task>`, the task's package output folder; or why phones do not run it.
   */
  readonly phone: { readonly runs: true; readonly runnerWrites: 'predictions-file' | 'package-folder' } | { readonly runs: false; readonly why: string };
}

export const DEVICE_TASKS: { readonly [T in TaskName]: DeviceTaskParts } = {
  classification: { readPackageOutputs: readClassificationOutputs, checksImageSizes: false, phone: { runs: true, runnerWrites: 'predictions-file' } },
  detection: {
    readPackageOutputs: readDetectionOutputs,
    checksImageSizes: true,
    phone: { runs: true, runnerWrites: 'package-folder' },
  },
  segmentation: {
    readPackageOutputs: readSegmentationOutputs,
    checksImageSizes: true,
    phone: { runs: true, runnerWrites: 'package-folder' },
  },
};
