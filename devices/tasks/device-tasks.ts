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
   * Phones (devices/android/): whether the adb driver runs the task (the accuracy runner writes a predictions
   * file for classification, the task's package output folder for the others: docs/android.md), or why not.
   */
  readonly phone: { readonly runs: true } | { readonly runs: false; readonly why: string };
}

export const DEVICE_TASKS: { readonly [T in TaskName]: DeviceTaskParts } = {
  classification: { readPackageOutputs: readClassificationOutputs, checksImageSizes: false, phone: { runs: true } },
  detection: {
    readPackageOutputs: readDetectionOutputs,
    checksImageSizes: true,
    phone: { runs: true },
  },
  segmentation: {
    readPackageOutputs: readSegmentationOutputs,
    checksImageSizes: true,
    phone: { runs: true },
  },
};
