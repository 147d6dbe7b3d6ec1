/**
 * How closely the polling loop (devices/power/poller.ts) keeps its period on the real clock and timer, reading
 * a fixture hwmon rail from disk: the intervals between readings and the time one read takes.
 *
 *   node bin/run-ts.js bench/power-polling.ts [--period 50] [--seconds 5]
 */
import { openHwmonSampler } from '../devices/power/hwmon.js';
import { fixtureTree } from '../devices/power/testing/sysfs-fixtures.js';
import { optionInt } from './bench-args.js';

const periodMs = optionInt('period', 50);
const seconds = optionInt('seconds', 5);

const tree = await fixtureTree({ 'class/hwmon/hwmon0/name': 'ina226', 'class/hwmon/hwmon0/power1_input': 5000000 });
try {
  const readMs: number[] = [];
  const sampler = await openHwmonSampler({ root: tree.root, select: 'ina226', periodMs });
  await sampler.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const trace = await sampler.stop();
  const t = trace.samples.map((s) => s.t);
  const gaps = t.slice(1, -1).map((x, i) => x - t[i]!);
  const sorted = [...gaps].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  // The cost of one read of the rail (the poller's read function, outside the loop).
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    await sampler.start();
    await sampler.stop();
    readMs.push((performance.now() - a) / 2);
  }
  readMs.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      periodMs,
      windowS: (trace.endMs - trace.startMs) / 1000,
      readings: trace.samples.length,
      expected: Math.floor((trace.endMs - trace.startMs) / periodMs + 2),
      intervalMs: { mean: +mean.toFixed(2), p50: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2), max: +sorted[sorted.length - 1]!.toFixed(2) },
      readMs: { p50: +readMs[100]!.toFixed(3), p99: +readMs[198]!.toFixed(3) },
    }),
  );
} finally {
  await tree.close();
}
