/**
 * The latency statistic a score used, as the pages show it (docs/pages.md): the leaderboard's latency column, whose
 * header names the statistic (the table explains the order: a score by the mean is ordered by means), and the status
 * page's lines for the statistic, the relative latency and the validity flags.
 */
import type { ResultRecord, ScoreStatistic, Validity } from '../../harness/result-record.js';
import { statisticLabel } from '../../scoring/formulas/measure-names.js';
import type { Leaderboard, LeaderboardEntry } from '../leaderboard/index.js';
import { html, type Html } from './html.js';
import { ms } from './format.js';

const digits = (x: number): string => x.toPrecision(3);
const percent = (f: number): string => `${(f * 100).toFixed(2)}%`;
const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Where an interval comes from: "between-trial interval over 5 trials, coverage 93.75%", "within-run interval, ...". */
export function intervalSource(trials: number | null, coverage: number | null): string {
  const over = trials === null ? 'within-run interval (no trials)' : `between-trial interval over ${trials} trials`;
  return coverage === null ? over : `${over}, coverage ${percent(coverage)}`;
}

/** The latency column's header: the statistic the scores used, the median where none names one. */
export function latencyHeader(b: Leaderboard): string {
  if (b.statistic !== null) return `${capitalised(statisticLabel(b.statistic))} latency, ms (interval)`;
  return b.entries.some((e) => e.statistic !== null) ? 'Latency the score used, ms (interval)' : 'Median latency, ms (interval)';
}

/**
 * An entry's latency cell: the statistic its score used with its interval, named when the header names another;
 * for an entry without one (the score used none, or the result was stored before scores named it) its median,
 * named when the header names another statistic.
 */
export function latencyCell(b: Leaderboard, e: LeaderboardEntry): Html {
  const st = e.statistic;
  if (st !== null) {
    const name = b.statistic === st.name ? '' : `${statisticLabel(st.name)} `;
    const interval =
      st.ci95 === null
        ? html` <span class="hint" title="${noIntervalReason(st.name, st.trials)}">(no interval)</span>`
        : html` <span class="hint" title="${intervalSource(st.trials, st.coverage)}">[${digits(st.ci95[0])}, ${digits(st.ci95[1])}]</span>`;
    return html`${name}${digits(st.value)}${interval}`;
  }
  if (e.latency === null) return html`—`;
  const named = b.statistic === null && !b.entries.some((x) => x.statistic !== null);
  const why = "median: this result's record does not name a latency statistic of its score";
  return html`${named ? '' : html`<span title="${why}">median</span> `}${digits(e.latency.p50)} <span class="hint">[${digits(e.latency.ci95[0])}, ${digits(e.latency.ci95[1])}]</span>`;
}

function noIntervalReason(name: ScoreStatistic['name'], trials: number | null): string {
  if (name === 'p90EarlyStopping') return "LoadGen's early-stopping estimate is itself a confidence bound: no interval";
  return trials === null ? 'no interval without trials' : 'no between-trial interval: not a per-trial figure';
}

/** The status page's line for the statistic the score used; null for a record made before scores named it. */
export function statisticLine(r: ResultRecord): Html | null {
  const st = r.score.statistic;
  if (st === undefined) return null;
  if (st === null) return html`none (the formula reads no latency statistic here, or the run lacks the one it names)`;
  const trials = r.latency.trials?.length ?? 0;
  const interval =
    st.ci95 === null
      ? html`no interval (${noIntervalReason(st.name, trials > 0 ? trials : null)})`
      : html`${intervalSource(trials > 0 ? trials : null, st.coverage)} [${ms(st.ci95[0])}, ${ms(st.ci95[1])}]`;
  return html`<strong>${statisticLabel(st.name)}</strong>, ${ms(st.value)}; ${interval}`;
}

/** relativeLatency with its interval, and the calibrated latency when the track fixes the reference's. */
export function relativeLatencyLine(r: ResultRecord): Html | null {
  const rel = r.relativeLatency;
  if (rel === undefined) return null;
  const cal = r.calibratedLatency;
  const calibrated =
    cal === undefined
      ? ''
      : html`; calibrated ${ms(cal.value)} [${ms(cal.ci95[0])}, ${ms(cal.ci95[1])}] (× the track's ${ms(cal.referenceLatencyMs)} reference latency)`;
  return html`${rel.value.toFixed(4)} × <code>${rel.reference}</code>, ${intervalSource(rel.count, rel.coverage)} [${rel.ci95[0].toFixed(4)}, ${rel.ci95[1].toFixed(4)}]; each trial paired in one process${calibrated}`;
}

const FLAGS: Record<Exclude<keyof Validity, 'valid' | 'cappedByMaxRuns'>, string> = {
  minRunsMet: 'a trial had fewer timed runs than minRuns',
  minDurationMet: 'a trial timed less than minDurationMs',
  earlyStoppingMet: "too few timed runs for LoadGen's early-stopping p90",
  environmentPassed: 'a trial broke the environment guards',
  freshProcessTrials: 'the trials did not run in fresh processes',
  referencePaired: 'the reference model was not paired in the trials',
};

/** "valid", or which flags failed; null for a record made before protocol v2. */
export function validityLine(r: ResultRecord): Html | null {
  const v = r.validity;
  if (v === undefined) return null;
  const capped = v.cappedByMaxRuns ? html` (maxRuns cut a trial short)` : '';
  if (v.valid) return html`valid${capped}`;
  const failed = (Object.keys(FLAGS) as (keyof typeof FLAGS)[]).filter((k) => v[k] === false);
  return html`<strong>not valid</strong>: ${failed.map((k, i) => html`${i > 0 ? '; ' : ''}<code>${k}</code> (${FLAGS[k]})`)}${capped}`;
}
