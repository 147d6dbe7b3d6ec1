import { LpcvError } from '../../errors/lpcv-error.js';
import { evaluateFiles } from '../../harness/evaluate/evaluate-files.js';
import { TASK_FACTS, TASK_NAMES } from '../../harness/tasks/task-catalog.js';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { int, pct, table } from '../format.js';

export interface EvaluateCliOptions {
  task: string;
  gt: string;
  pred: string;
  classes?: number;
  track?: string;
  ignoreIndex?: number;
  json?: boolean;
}

/** Per-class keys that hold counts or ids; every other number is a fraction shown as a percentage. */
const COUNT_KEYS = new Set(['classIndex', 'categoryId', 'count', 'images', 'gtCount', 'support']);

export async function evaluateCommand(o: EvaluateCliOptions): Promise<number> {
  const task = TASK_NAMES.find((t) => t === o.task);
  if (!task) throw new LpcvError('LPCV_E_USAGE', `--task must be one of ${TASK_NAMES.join(', ')}, got "${o.task}"`);
  const track = o.track ? resolveTrack(o.track) : undefined;
  const report = await evaluateFiles({
    task,
    gt: o.gt,
    pred: o.pred,
    numClasses: o.classes ?? track?.classes.length,
    classNames: track ? [...track.classes] : undefined,
    ignoreIndex: o.ignoreIndex,
  });
  if (o.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  }
  const lines = [
    `lpcv evaluate: ${task}, ${int(report.count)} ${TASK_FACTS[task].countNoun}`,
    `  ground truth  ${report.gt}`,
    `  predictions   ${report.pred}`,
    '',
    'accuracy',
  ];
  for (const [k, v] of Object.entries(report.accuracy)) lines.push(`  ${k.padEnd(6)} ${pct(v)}`);
  const details = Object.entries(report.details);
  if (details.length > 0) {
    lines.push('');
    for (const [k, v] of details) lines.push(`  ${k.padEnd(10)} ${v < 0 ? '- (no ground truth in range)' : pct(v)}`);
  }
  if (report.perClass.length > 0) {
    const perClass = report.perClass as Record<string, unknown>[];
    const header = Object.keys(perClass[0]!);
    const rows = perClass.map((c) =>
      header.map((h) => {
        const v = c[h];
        if (typeof v === 'number') return COUNT_KEYS.has(h) ? String(v) : pct(v);
        return v === null || v === undefined ? '-' : String(v);
      }),
    );
    lines.push('', table(header, rows));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
