/**
 * For the AI Hub driver's tests only: the stand-in qai_hub package (testing/qai_hub) on PYTHONPATH, its state in a
 * folder of the test's, and models copied under names carrying the stand-in's markers (`fail-compile`, ...).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STANDIN_PYTHONPATH = fileURLToPath(new URL('.', import.meta.url));

/** The helper's environment with the stand-in in place of the real client. */
export function standinEnv(stateDir: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { PYTHONPATH: STANDIN_PYTHONPATH, QAI_HUB_STANDIN_DIR: stateDir, QAI_HUB_STANDIN_QUEUE_POLLS: '2', ...extra };
}

/** A copy of `model` named `<marker>-<name>` in `dir` (the stand-in reads its markers from the uploaded file's name). */
export async function markedModel(model: string, dir: string, marker: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${marker}-${path.basename(model)}`);
  await copyFile(model, file);
  return file;
}
