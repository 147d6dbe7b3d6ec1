import { writeFileSync } from 'node:fs';
import { TASK_FACTS, type TaskName } from '../../harness/tasks/task-catalog.js';
import path from 'node:path';
import { runScore, type ScoreOutcome } from '../run-score.js';
import { resolveSplit, resolveTrack } from '../../harness/tracks/load-track.js';
import { int, ms, num, pct, table } from '../format.js';
import { ProgressBar } from '../progress.js';
import type { ScoreStatistic } from '../../harness/result-record.js';
import { statisticLabel } from '../../scoring/formulas/measure-names.js';

export interface ScoreCliOptions {
  track: string;
  split?: string;
  threads?: number;
  runs?: number;
  warmup?: number;
  trials?: number;
  timeout?: number;
  json?: boolean;
  out?: string;
  predictions?: string;
  /** false with --no-robustness. */
  robustness?: boolean;
}

export async function scoreCommand(model: string, o: ScoreCliOptions): Promise<number> {
  const track = resolveTrack(o.track);
  const split = resolveSplit(track, o.split);
  const bar = new ProgressBar();
  const labels: Record<string, string> = { accuracy: 'accuracy', warmup: 'warm-up', latency: 'latency', robustness: 'robustness' };
  let outcome: ScoreOutcome;
  try {
    outcome = await runScore({
      modelPath: model,
      track,
      split,
      threads: o.threads,
      runs: o.runs,
      warmup: o.warmup,
      trials: o.trials,
      timeoutMs: o.timeout !== undefined ? o.timeout * 1000 : undefined,
      onProgress: (p) =>
        bar.update(
          labels[p.phase] ?? p.phase,
          p.fraction,
          p.phase === 'latency'
            ? `trial ${(p.trial ?? 0) + 1}: ${p.done} timed runs`
            : p.phase === 'robustness'
              ? `${p.split} ${p.done}/${p.total}`
              : `${p.done}/${p.total}`,
        ),
      robustness: o.robustness,
    });
  } finally {
    bar.done();
  }
  if (o.out) {
    writeFileSync(o.out, `${JSON.stringify(outcome.record, null, 2)}\n`);
    const rawFile = rawSamplesPath(o.out);
    writeFileSync(rawFile, `${JSON.stringify(outcome.raw)}\n`);
  }
  // --predictions: in the format `lpcv evaluate` reads for the task (harness/tasks/: the LPCVC 2020 result file, a
  // COCO results JSON for the split's ground truth, a folder of PNG label maps named like the images).
  if (o.predictions) await outcome.writePredictions(o.predictions);
  for (const w of outcome.warnings) process.stderr.write(`lpcv: warning: ${w}\n`);
  // Scoring needs the split's labels, so a hidden split scored here had them on this machine. On stderr only: the
  // record stays the same whether it was made here or on the server (docs/protocol.md, 9).
  if (track.splits[split]?.visibility === 'hidden') {
    process.stderr.write(
      `lpcv: note: split ${split} of track ${track.name} is hidden: a real competition keeps its labels on the server, and this number is only possible because this track ships them (docs/tracks.md, "Hidden labels")\n`,
    );
  }
  if (o.json) process.stdout.write(`${JSON.stringify(outcome.record)}\n`);
  else process.stdout.write(`${formatScoreReport(outcome, track.task, track.classes.length <= 20)}\n`);
  return 0;
}

/** Where the raw samples go beside a result file: result.json -> result.samples.json. */
export function rawSamplesPath(out: string): string {
  const ext = path.extname(out);
  return ext ? `${out.slice(0, -ext.length)}.samples${ext}` : `${out}.samples.json`;
}

export function formatScoreReport(o: ScoreOutcome, task: TaskName, showPerClass: boolean): string {
  const r = o.record;
  const l = r.latency;
  const lines: string[] = [];
  lines.push(`lpcv score: track ${r.track}, split ${r.split} (${int(r.protocol.accuracyImages)} images)`);
  lines.push(`model     ${r.model.path}`);
  lines.push(`          ${r.model.format}, ${int(r.model.bytes)} bytes, sha256 ${r.model.sha256}`);
  lines.push(`target    ${r.target.kind} ${r.target.device}: ${r.target.runtime}, ${r.target.threads} thread(s)`);
  lines.push(`          ${r.target.cpu}; ${r.target.os}`);
  lines.push('');
  lines.push('accuracy');
  for (const [k, v] of Object.entries(r.accuracy)) lines.push(`  ${k.padEnd(6)} ${pct(v)}`);
  if (showPerClass && o.perClass.length > 0) {
    // The task's columns (harness/tasks/task-catalog.ts): images and top-1, AP and AP@.50, IoU and Dice.
    const columns = TASK_FACTS[task].perClass;
    const perClass = o.perClass as ({ classIndex: number; name?: string } & Record<string, unknown>)[];
    const rows = perClass.map((c) => [
      String(c.classIndex),
      c.name ?? '',
      ...columns.map(({ key, holds }) => (holds === 'count' ? int((c[key] as number | undefined) ?? 0) : pct((c[key] as number | null | undefined) ?? null))),
    ]);
    lines.push('');
    lines.push(indent(table(['class', 'name', ...columns.map((col) => col.label)], rows)));
  }
  lines.push('');
  const trials = l.trials?.length ?? 0;
  lines.push(
    trials > 0
      ? `latency, ms per image (${trials} trials, each a fresh process: ${int(l.count)} timed runs in all after ${int(r.protocol.warmupRuns)} warm-up each; inference call only)`
      : `latency, ms per image (${int(l.count)} timed runs after ${int(r.protocol.warmupRuns)} warm-up; inference call only)`,
  );
  lines.push(
    indent(table(['mean', 'std', 'min', 'p50', 'p90', 'p95', 'p99', 'max'], [[l.mean, l.std, l.min, l.p50, l.p90, l.p95, l.p99, l.max].map((v) => ms(v))])),
  );
  if (trials > 0) {
    lines.push(`  p50 = the median of the trial medians (${l.trials!.map((t) => ms(t.p50)).join(', ')}); mean, p90, p95, p99 likewise`);
    const cov = l.betweenTrials ? `, coverage ${pct(l.betweenTrials.p50.coverage)}` : '';
    lines.push(`  between-trial interval of the p50 [${ms(l.ci95[0])}, ${ms(l.ci95[1])}] ms (distribution-free${cov})`);
  } else {
    lines.push(`  median 95% confidence interval [${ms(l.ci95[0])}, ${ms(l.ci95[1])}] ms (distribution-free)`);
  }
  if (l.p90EarlyStopping !== undefined) {
    lines.push(`  p90 early-stopping estimate (LoadGen, 0.99 confidence): ${l.p90EarlyStopping === null ? 'too few runs' : `${ms(l.p90EarlyStopping)} ms`}`);
  }
  const rel = r.relativeLatency;
  if (rel) {
    lines.push(
      `relative  ${rel.value.toFixed(4)} x ${rel.reference} (interval [${rel.ci95[0].toFixed(4)}, ${rel.ci95[1].toFixed(4)}], coverage ${pct(rel.coverage)}; paired in each trial's process)`,
    );
  }
  if (r.calibratedLatency)
    lines.push(`calibrated ${ms(r.calibratedLatency.value)} ms (relative x the track's ${ms(r.calibratedLatency.referenceLatencyMs)} ms reference)`);
  if (r.throughput) lines.push(`throughput ${num(r.throughput.value)} images/s (offline stream, median of ${r.throughput.count} trials)`);
  if (r.validity) {
    const v = r.validity;
    const failed = Object.entries(v)
      .filter(([k, x]) => k !== 'valid' && k !== 'cappedByMaxRuns' && x === false)
      .map(([k]) => k);
    lines.push(`validity  ${v.valid ? 'valid' : `NOT valid: ${failed.join(', ')}`}${v.cappedByMaxRuns ? ' (maxRuns cut a trial short)' : ''}`);
  }
  if (r.environment && r.environment.refusedAttempts > 0)
    lines.push(`          the environment guards refused ${r.environment.refusedAttempts} attempt(s), run again`);
  if (r.profile) {
    const top = r.profile.nodes.slice(0, 5).map((n) => [n.name, n.op, ms(n.ms), pct(n.share), n.macs === null ? '-' : int(n.macs)]);
    lines.push(
      '',
      `layers by measured time (onnxruntime profiler, ${r.profile.runs} runs after the trials)`,
      indent(table(['node', 'op', 'ms', 'share', 'MACs'], top)),
    );
  }
  if (r.preprocess) lines.push(`pre-processing ${ms(r.preprocess.mean)} ms per image on average (timed apart, not scored)`);
  if (r.robustness) lines.push('', ...formatRobustness(r.robustness));
  lines.push(
    r.energy
      ? `energy    ${num(r.energy.joules)} J, ${num(r.energy.avgWatts)} W average (${r.energy.source})`
      : `energy    not measured: ${r.energyNote ?? 'no sensor'}`,
  );
  lines.push('');
  const s = r.score;
  lines.push(`score     ${num(s.value)}  (${s.formula} v${s.version}${s.qualified ? '' : ', not qualified'}${s.reason ? `: ${s.reason}` : ''})`);
  if (s.statistic !== undefined) lines.push(`          ${statisticLine(s.statistic, trials)}`);
  return lines.join('\n');
}

/** Which statistic of the latency the score used, with its interval (docs/formulas.md, "Which latency statistic"). */
export function statisticLine(st: ScoreStatistic | null, trials: number): string {
  if (st === null) return 'by no latency statistic (the formula reads none here, or the run lacks the one it names)';
  const used = `by the ${statisticLabel(st.name)} latency, ${ms(st.value)} ms`;
  if (st.ci95 === null) {
    const why = st.name === 'p90EarlyStopping' ? "LoadGen's estimate is itself a confidence bound" : trials > 0 ? 'not a per-trial figure' : 'no trials';
    return `${used} (no interval: ${why})`;
  }
  const over = trials > 0 ? `between-trial interval over ${trials} trials` : 'within-run interval';
  return `${used}, ${over} [${ms(st.ci95[0])}, ${ms(st.ci95[1])}] ms${st.coverage === null ? '' : ` (coverage ${pct(st.coverage)})`}`;
}

/** The robustness splits' accuracy (docs/robustness.md), one row per split. */
export function formatRobustness(rb: NonNullable<ScoreOutcome['record']['robustness']>): string[] {
  const rows: string[][] = [];
  for (const [name, acc] of Object.entries(rb.splits)) rows.push([name, 'corrupted', pct(acc[rb.metric])]);
  for (const [name, acc] of Object.entries(rb.adversarial)) rows.push([name, 'adversarial', pct(acc[rb.metric])]);
  for (const [name, why] of Object.entries(rb.notMeasured ?? {})) rows.push([name, 'not measured', why]);
  const lines = [`robustness (${rb.metric}; labels of the clean split)`];
  if (rows.length > 0) lines.push(indent(table(['split', 'kind', rb.metric], rows)));
  lines.push(`  robust accuracy ${pct(rb.robustAccuracy)} (mean over the corrupted splits${rb.robustAccuracy === null ? ': not all were measured' : ''})`);
  return lines;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
