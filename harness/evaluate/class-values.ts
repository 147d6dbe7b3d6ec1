import { LpcvError } from '../../errors/lpcv-error.js';

/** What the caller knows about the classes: their number, their names (index = position), both or neither. */
export interface ClassSpace {
  /** Exclusive upper bound on class indices, when known. */
  readonly numClasses?: number;
  readonly classNames?: readonly string[];
}

export type ResolvedClass = { readonly index: number } | { readonly error: string };

/**
 * The caller's class count: `numClasses`, else the number of `classNames`, else undefined (derive it from the
 * ground truth). Both given and different is a usage error, as is a count that is not a positive integer.
 */
export function callerNumClasses(space: ClassSpace): number | undefined {
  const { numClasses, classNames } = space;
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 1)) {
    throw new LpcvError('LPCV_E_USAGE', `numClasses must be an integer >= 1, got ${numClasses}`);
  }
  if (classNames !== undefined && classNames.length === 0) {
    throw new LpcvError('LPCV_E_USAGE', 'classNames is empty');
  }
  if (numClasses !== undefined && classNames !== undefined && classNames.length !== numClasses) {
    throw new LpcvError('LPCV_E_USAGE', `numClasses is ${numClasses} but ${classNames.length} class names were given`);
  }
  return numClasses ?? classNames?.length;
}

const INDEX = /^\d+$/;

/**
 * Resolves one class value from a ground-truth or predictions file. A JSON number or a string of digits is a
 * class index (indices win over names, so a class named "3" cannot be written by name); any other string is
 * looked up in `classNames`. The index must be below `numClasses` when that is known.
 */
export function resolveClass(value: unknown, space: ClassSpace): ResolvedClass {
  let index: number;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return { error: `class ${value} is not an integer >= 0` };
    index = value;
  } else if (typeof value === 'string') {
    const token = value.trim();
    if (INDEX.test(token)) {
      index = Number(token);
      if (!Number.isSafeInteger(index)) return { error: `class ${token} is too large` };
    } else {
      const named = space.classNames?.indexOf(token) ?? -1;
      if (named < 0) {
        return {
          error: space.classNames
            ? `${JSON.stringify(token)} is neither a class index nor one of the ${space.classNames.length} class names`
            : `${JSON.stringify(token)} is not a class index (an integer >= 0; class names need the class list)`,
        };
      }
      index = named;
    }
  } else {
    return { error: `expected a class index or name, got ${describeJson(value)}` };
  }
  if (space.numClasses !== undefined && index >= space.numClasses) {
    return { error: `class ${index} is outside [0, ${space.numClasses})` };
  }
  return { index };
}

/** A short description of a JSON value's type for messages. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
