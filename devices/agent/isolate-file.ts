import { copyFile, link, mkdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Puts `file` alone in the fresh folder `dir` (created; a hard link to the cached file, or a copy where a link
 * cannot be made) and answers its path there. Every run loads its model from such a folder: the artifact cache
 * holds every team's models side by side under their sha256, and a model whose tensor names an external data
 * file in its own folder (onnxruntime refuses `..` and absolute paths, not a neighbour) must find no neighbour
 * there, whatever field of the model the intake's check could not see.
 */
export async function isolateFile(file: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const alone = path.join(dir, path.basename(file));
  try {
    await link(file, alone);
  } catch {
    await copyFile(file, alone);
  }
  return alone;
}
