/** Typed reads of a formula's resolved parameters (computeScore has checked their types and filled in defaults). */
import { LpcvError } from '../../errors/lpcv-error.js';
import type { ParamValue } from './types.js';

export function stringParam(params: Readonly<Record<string, ParamValue>>, key: string, id: string): string {
  const v = params[key];
  if (typeof v !== 'string') throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id}: parameter '${key}' must be a string, got ${String(v)}`, { param: key });
  return v;
}

export function numberParam(params: Readonly<Record<string, ParamValue>>, key: string, id: string): number {
  const v = params[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id}: parameter '${key}' must be a finite number, got ${String(v)}`, { param: key });
  }
  return v;
}

/** A string parameter that must be one of `choices`. */
export function choiceParam<T extends string>(params: Readonly<Record<string, ParamValue>>, key: string, id: string, choices: readonly T[]): T {
  const v = stringParam(params, key, id);
  if (!(choices as readonly string[]).includes(v)) {
    throw new LpcvError('LPCV_E_FORMULA_INPUT', `${id}: parameter '${key}' must be one of ${choices.join(', ')}, got '${v}'`, { param: key });
  }
  return v as T;
}

export const relu = (x: number): number => (x > 0 ? x : 0);
