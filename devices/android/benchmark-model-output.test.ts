import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { parseBenchmarkModelOutput, parseStatLine, toMs } from './benchmark-model-output.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/benchmark-model/${name}`, import.meta.url), 'utf8');

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof LpcvError ? e.code : `not coded: ${String(e)}`;
  }
  return undefined;
}

describe('benchmark_model output (TF 2.3-era format, the 2020 OVIC builds)', () => {
  const out = parseBenchmarkModelOutput(fixture('tf2.3-50-runs.txt'));
  it('reads the timed phase as the last summary and the warm-up as the one before it', () => {
    expect(out.inference).toEqual({ count: 50, first: 29178, curr: 24584, min: 24208, max: 29178, avg: 24879.9, std: 887, allSame: false, requestedRuns: 50 });
    expect(out.warmup).toMatchObject({ count: 19, first: 33094, curr: 26310, avg: 26789.4, requestedRuns: 1 });
    expect(out.inference.p5).toBeUndefined();
  });
  it('reads the timings line, the echoed threads and graph', () => {
    expect(out.timings).toEqual({ initUs: 2806, firstInferenceUs: 33094, warmupAvgUs: 26789.4, inferenceAvgUs: 24879.9 });
    expect(out.threads).toBe(1);
    expect(out.graph).toBe('/data/local/tmp/mobilenet_v1_1.0_224_quant.tflite');
  });
  it('one run per invocation prints the all-same form; curr is that run', () => {
    const one = parseBenchmarkModelOutput(fixture('../phone/standin/benchmark-outputs/tf2.3/run-1.txt'));
    expect(one.inference).toEqual({ count: 1, curr: 1043, allSame: true, requestedRuns: 1 });
    expect(one.warmup).toMatchObject({ count: 5, first: 1402, curr: 1086, min: 1017, max: 1402 });
    expect(one.timings?.inferenceAvgUs).toBe(1043);
  });
});

describe('benchmark_model output (newer builds: INFO: prefix and percentiles)', () => {
  const out = parseBenchmarkModelOutput(fixture('tf2.16-50-runs.txt'));
  it('reads the percentiles beside the summary', () => {
    expect(out.inference).toEqual({
      count: 63,
      first: 15911,
      curr: 15744,
      min: 15468,
      max: 17960,
      avg: 15872.3,
      std: 402,
      p5: 15502,
      median: 15761,
      p95: 16710,
      allSame: false,
      requestedRuns: 50,
    });
    expect(out.warmup?.p95).toBe(17402);
    expect(out.timings).toEqual({ initUs: 11542, firstInferenceUs: 21877, warmupAvgUs: 16154.7, inferenceAvgUs: 15872.3 });
  });
  it('one run with percentiles', () => {
    const one = parseBenchmarkModelOutput(fixture('../phone/standin/benchmark-outputs/tf2.16/run-2.txt'));
    expect(one.inference).toEqual({ count: 1, curr: 688, p5: 688, median: 688, p95: 688, allSame: true, requestedRuns: 1 });
  });
  it('strips logcat prefixes too', () => {
    const text = fixture('tf2.16-50-runs.txt').replaceAll('INFO: ', '07-14 13:14:56.520 22838 22838 I tflite  : ');
    expect(parseBenchmarkModelOutput(text).inference.median).toBe(15761);
  });
});

describe('other layouts the tool has printed', () => {
  it('the 2019 "Average inference timings" line', () => {
    const out = parseBenchmarkModelOutput(fixture('tf-2019-average-line.txt'));
    expect(out.inference.avg).toBe(79732);
    expect(out.timings).toEqual({ initUs: 38467, firstInferenceUs: null, warmupAvgUs: 83235, inferenceAvgUs: 79760.9 });
  });
  it('scientific notation, and the op profiler\'s "Timings (microseconds)" lines are not runs', () => {
    const out = parseBenchmarkModelOutput(fixture('op-profiling-tail.txt'));
    expect(out.inference).toMatchObject({ count: 50, curr: 2913402, avg: 2950340 });
    expect(out.timings?.warmupAvgUs).toBe(3512390);
    expect(out.warmup).toEqual({ count: 1, curr: 3512391, allSame: true, requestedRuns: 1 });
  });
  it('"(all same)" after a count above one', () => {
    expect(parseStatLine('count=5 curr=1200(all same)')).toEqual({ count: 5, curr: 1200, allSame: true });
  });
  it('nan where there were no warm-up runs', () => {
    const out = parseBenchmarkModelOutput(
      'count=0\n\ncount=1 curr=900\n\nInference timings in us: Init: 2000, First inference: 0, Warmup (avg): -nan, Inference (avg): 900\n',
    );
    expect(out.warmup?.count).toBe(0);
    expect(out.timings?.warmupAvgUs).toBeNull();
    expect(out.inference.curr).toBe(900);
  });
  it('converts microseconds to milliseconds', () => {
    expect(toMs(24584)).toBeCloseTo(24.584, 10);
  });
});

describe('malformed output is LPCV_E_ANDROID_BENCHMARK_OUTPUT', () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['no summary (the tool failed before running)', 'STARTING!\nFailed to mmap model /data/local/tmp/x.tflite\n'],
    ['a garbled value', 'count=50 first=29178 curr=24x84 min=24208 max=29178 avg=24879.9 std=887'],
    ['a partial summary', 'count=50 first=29178 curr=24584 min=24208'],
    ['no curr', 'count=3 first=1 min=1 max=2 avg=1.5 std=0.5'],
    ['a negative duration', 'count=1 curr=-5'],
    ['an unknown key', 'count=1 curr=5 p99=7'],
    ['a repeated key', 'count=1 curr=5 curr=6'],
    ['the timed phase ran nothing', 'count=3 first=1 curr=2 min=1 max=2 avg=1.5 std=0\n\ncount=0\n'],
    ['a timings line cut short', 'count=1 curr=5\nInference timings in us: Init: 12, First inf'],
  ];
  for (const [name, text] of cases) {
    it(name, () => expect(codeOf(() => parseBenchmarkModelOutput(text))).toBe('LPCV_E_ANDROID_BENCHMARK_OUTPUT'));
  }
});
