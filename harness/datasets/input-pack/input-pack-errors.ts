import { LpcvError } from '../../../errors/lpcv-error.js';

/** The file is not a pack this harness can read; the message names the file and what is wrong. */
export function packInvalid(file: string, what: string, detail: Record<string, unknown> = {}): LpcvError {
  return new LpcvError('LPCV_E_INPUT_PACK_INVALID', `${file}: ${what}`, { file, ...detail });
}

/** The pack's bytes are not the ones announced: a corrupt (or cut short, or stale) download. */
export function packHashMismatch(file: string, expected: string, actual: string): LpcvError {
  return new LpcvError('LPCV_E_INPUT_PACK_HASH', `${file}: sha256 ${actual}, expected ${expected}: the download is corrupt; delete it and fetch it again`, {
    file,
    expected,
    actual,
  });
}
