/**
 * The track's on-board command (track.target.command): an argv array whose words may hold placeholders for
 * the run's paths on the board. Each word is substituted on its own and later quoted on its own
 * (shell-quote.ts), so a path with spaces or quotes stays one argument and nothing in it is ever run.
 */
import type { ModelFormat } from '../../submissions/model-format.js';

/** The 2023 contract: `python3 solution.pyz -i IMG_DIR -o OUT_DIR` (docs/solution-packages.md). */
export const DEFAULT_BOARD_COMMAND: readonly string[] = ['python3', '{package}', '-i', '{inputs}', '-o', '{outputs}'];

export interface BoardPaths {
  /** The submission's file on the board. */
  readonly package: string;
  /** The input images (PNG, one per input; devices/solution/package-io.ts names them). */
  readonly inputs: string;
  /** The empty folder the command writes its predictions into. */
  readonly outputs: string;
  /** The run's own folder (holds the three above). */
  readonly workdir: string;
}

const PLACEHOLDER = /\{(package|inputs|outputs|workdir)\}/g;

/** The argv with every `{package}`, `{inputs}`, `{outputs}`, `{workdir}` replaced; other braces stay as written. */
export function boardCommand(template: readonly string[], paths: BoardPaths): string[] {
  return template.map((w) => w.replace(PLACEHOLDER, (_, k: keyof BoardPaths) => paths[k]));
}

/** The submission's file name on the board, by format (python runs a zip app whatever its name; tools want the extension). */
export function packageFileName(format: ModelFormat): string {
  switch (format) {
    case 'zip':
      return 'solution.pyz';
    case 'onnx':
      return 'model.onnx';
    case 'tflite':
      return 'model.tflite';
    case 'aihub-job':
      // A board never declares this format (only aihub:// devices run AI Hub compile jobs): named for completeness.
      return 'aihub-job.json';
  }
}
