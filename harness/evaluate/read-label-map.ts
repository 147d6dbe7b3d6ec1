import { LpcvError } from '../../errors/lpcv-error.js';
import { decodeLabelMapPng, type LabelMap } from '../datasets/label-map-png.js';
import type { InputRole } from './input-paths.js';

/**
 * Reads a ground-truth or predicted PNG label map for scoring, 8- or 16-bit, by the rules of the one
 * label-map decoder (harness/datasets/label-map-png.ts). What it refuses is LPCV_E_GT_MALFORMED for ground
 * truth and LPCV_E_PRED_MALFORMED for predictions, naming the file.
 */
export async function readLabelMap(file: string, role: InputRole): Promise<LabelMap> {
  const code = role === 'ground truth' ? 'LPCV_E_GT_MALFORMED' : 'LPCV_E_PRED_MALFORMED';
  return decodeLabelMapPng(file, (why) => new LpcvError(code, `${file}: ${why}`, { file }));
}
