/**
 * F1 scores from counts and macro-averaged F1 over single-label predictions. Pure functions.
 */
import { LpcvError } from '../errors/lpcv-error.js';

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface MacroF1Report {
  macroF1: number;
  /**
   * One row per class 0..numClasses-1. precision is null when the class was never predicted (tp + fp = 0),
   * recall null when it never occurs in the labels (tp + fn = 0), f1 null when both (the class takes no part).
   */
  perClass: { classIndex: number; precision: number | null; recall: number | null; f1: number | null }[];
}

/**
 * F1 = 2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall written over counts.
 * It is 0 whenever TP = 0, including the 0/0 case TP = FP = FN = 0 ("nothing to find, nothing found"):
 * scikit-learn's zero_division=0 choice. Callers that want such a class left out of an average must skip it
 * themselves, as macroF1 does.
 */
export function f1FromCounts({ tp, fp, fn }: Counts): number {
  for (const [name, v] of [
    ['tp', tp],
    ['fp', fp],
    ['fn', fn],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) {
      throw new LpcvError('LPCV_E_FORMULA_INPUT', `F1 count ${name} must be a finite number >= 0, got ${v}`);
    }
  }
  if (tp === 0) return 0;
  return (2 * tp) / (2 * tp + fp + fn);
}

/**
 * Macro F1 over classes: the unweighted mean of per-class F1 over the classes that occur in the labels or in
 * the predictions (as scikit-learn's f1_score(average='macro') with its default labels). A class that is
 * predicted but never labelled takes part with F1 = 0; a class in neither is left out (f1 null).
 * Labels outside [0, numClasses) are a ground-truth fault, predictions outside it a submission fault.
 */
export function macroF1(predicted: readonly number[], labels: readonly number[], numClasses: number): MacroF1Report {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `numClasses must be an integer >= 1, got ${numClasses}`);
  }
  if (predicted.length !== labels.length) {
    throw new LpcvError('LPCV_E_PRED_MISMATCH', `${predicted.length} predictions for ${labels.length} labels`);
  }
  if (labels.length === 0) {
    throw new LpcvError('LPCV_E_PRED_MISMATCH', 'no predictions and no labels to score');
  }
  const tp = new Array<number>(numClasses).fill(0);
  const fp = new Array<number>(numClasses).fill(0);
  const fn = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const p = predicted[i];
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) {
      throw new LpcvError('LPCV_E_GT_MALFORMED', `label ${i} is ${y}, outside [0, ${numClasses})`);
    }
    if (!Number.isInteger(p) || p < 0 || p >= numClasses) {
      throw new LpcvError('LPCV_E_PRED_MISMATCH', `prediction ${i} is ${p}, outside [0, ${numClasses})`);
    }
    if (p === y) {
      tp[y]++;
    } else {
      fp[p]++;
      fn[y]++;
    }
  }
  let sum = 0;
  let used = 0;
  const perClass = tp.map((t, c) => {
    const predictedCount = t + fp[c];
    const labelledCount = t + fn[c];
    const f1 = predictedCount + labelledCount === 0 ? null : f1FromCounts({ tp: t, fp: fp[c], fn: fn[c] });
    if (f1 !== null) {
      sum += f1;
      used++;
    }
    return {
      classIndex: c,
      precision: predictedCount === 0 ? null : t / predictedCount,
      recall: labelledCount === 0 ? null : t / labelledCount,
      f1,
    };
  });
  // used >= 1: every label is a class that occurs.
  return { macroF1: sum / used, perClass };
}
