import { describe, expect, it } from 'vitest';
import { boardTrialEnvironment, parseBoardSnapshot, parseChildrenTimes } from './board-environment.js';

// What board/lpcv-run.sh prints (env_snapshot), as dash printed it on this machine with the Jetson-like tree.
const READING = [
  't_ns\t1796620569423077035',
  'cpus\t\t0-1',
  'loadavg\t6.93 5.54 3.88 10/275 15333',
  'stat\tcpu0 503704 2218 77983 220163 856 0 339 260 0 0',
  'stat\tcpu1 515960 951 80340 206223 1549 0 978 275 0 0',
  'stat\tcpu2 1 0 0 1 0 0 0 0 0 0',
  'freq\t0\t1479000\t1479000\tschedutil',
  'freq\t1\t\t\t',
  'freq\t2\t1479000\t1479000\tschedutil',
  'thermal\tthermal_zone10\tPMIC-Die\t100000',
  'thermal\tthermal_zone1\tCPU-therm\t38500',
  'thermal\tthermal_zone2\tGPU-therm\t',
  '',
].join('\n');

describe('parseBoardSnapshot', () => {
  it("reads the runner's lines, keeping only the cores the command could run on (Cpus_allowed_list)", () => {
    expect(parseBoardSnapshot(READING)).toEqual({
      t: 1796620569423,
      loadAvg1: 6.93,
      cpu: [
        // busy = user + nice + system + irq + softirq + steal; total adds idle and iowait.
        { core: 0, busyJiffies: 503704 + 2218 + 77983 + 339 + 260, totalJiffies: 503704 + 2218 + 77983 + 339 + 260 + 220163 + 856 },
        { core: 1, busyJiffies: 515960 + 951 + 80340 + 978 + 275, totalJiffies: 515960 + 951 + 80340 + 978 + 275 + 206223 + 1549 },
      ],
      cpufreq: [
        { core: 0, curKHz: 1479000, maxKHz: 1479000, governor: 'schedutil' },
        { core: 1, curKHz: null, maxKHz: null, governor: null },
      ],
      // Zones in zone order; one whose temp could not be read is absent.
      thermalC: { 'CPU-therm': 38.5, 'PMIC-Die': 100 },
    });
  });

  it('takes every core when the board does not say which, the epoch seconds without date +%N, and nothing without a time', () => {
    const s = parseBoardSnapshot('epoch_s\t1733000000\nstat\tcpu3 1 2 3 4 5 6 7 8 0 0\n');
    expect(s).toEqual({
      t: 1733000000000,
      loadAvg1: null,
      cpu: [{ core: 3, busyJiffies: 1 + 2 + 3 + 6 + 7 + 8, totalJiffies: 27 + 4 + 5 }],
      cpufreq: [],
      thermalC: {},
    });
    expect(parseBoardSnapshot('stat\tcpu0 1 2 3 4\n')).toBeNull();
    expect(parseBoardSnapshot('epoch_s\t\n')).toBeNull();
  });
});

describe('parseChildrenTimes', () => {
  it("reads the children's line of `times` as dash, bash, mksh and busybox ash print it", () => {
    expect(parseChildrenTimes('0m0.000000s 0m0.000000s\n0m0.160000s 0m0.030000s\n')).toBe(19);
    expect(parseChildrenTimes('0m0.001s 0m0.000s\n1m2.345s 0m0.006s\n')).toBe(6235);
    expect(parseChildrenTimes('0m00.00s 0m00.00s\n0m00.16s 0m00.03s\n')).toBe(19);
    expect(parseChildrenTimes('0m 0.00s 0m 0.00s\n0m 0.16s 0m 0.03s\n')).toBe(19);
    expect(parseChildrenTimes('0m0.1s 0m0.1s\n')).toBeNull();
    expect(parseChildrenTimes('')).toBeNull();
  });
});

describe('boardTrialEnvironment', () => {
  const at = (busy: number, total: number, temp: number, extra = ''): string =>
    `t_ns\t1000000000\ncpus\t0\nstat\tcpu0 ${busy} 0 0 ${total - busy} 0 0 0 0 0 0\nthermal\tthermal_zone0\tcpu-thermal\t${temp}\n${extra}`;

  it("takes the command's CPU time from `times` and judges the readings with the track's guards", () => {
    // 100 jiffies elapsed, 90 busy, the command's own 0.30 + 0.10 s = 40: 50% other processes.
    const env = boardTrialEnvironment(
      {
        envBefore: at(1000, 5000, 45000),
        envAfter: at(1090, 5100, 81000),
        timesBefore: '0m0s 0m0s\n0m0.05s 0m0.05s\n',
        timesAfter: '0m0s 0m0s\n0m0.35s 0m0.15s\n',
      },
      { maxOtherBusyPct: 40, maxTempC: 80, repeats: 2 },
    );
    expect(env!.ownJiffies).toBe(40);
    expect(env!.verdict).toEqual({
      ok: false,
      reasons: [
        "core 0 was 50% busy with other processes over the trial, limit 40% (busy in all: 90%; the run's own 40 jiffies taken off)",
        'thermal zone cpu-thermal was at 81 °C after the trial, limit 80 °C',
      ],
    });
  });

  it("adds the power loop's CPU time (the harness's own work) to the command's", () => {
    const env = boardTrialEnvironment(
      {
        envBefore: at(1000, 5000, 45000, 'harness\t120\n'),
        envAfter: at(1090, 5100, 45000, 'harness\t127\n'),
        timesBefore: '0m0s 0m0s\n0m0.05s 0m0.05s\n',
        timesAfter: '0m0s 0m0s\n0m0.35s 0m0.15s\n',
      },
      { maxOtherBusyPct: 50, repeats: 0 },
    );
    // 40 jiffies of the command and 7 of the power loop: (90 - 47) / 100 = 43% other.
    expect(env!.ownJiffies).toBe(47);
    expect(env!.verdict.ok).toBe(true);
  });

  it('accepts everything without guards, counts all busy time without `times`, and is null without readings', () => {
    const env = boardTrialEnvironment({ envBefore: at(1000, 5000, 45000), envAfter: at(1090, 5100, 99000) }, undefined);
    expect(env).toMatchObject({ ownJiffies: null, verdict: { ok: true, reasons: [] } });
    expect(boardTrialEnvironment({ envAfter: at(1, 2, 3) }, undefined)).toBeNull();
    expect(boardTrialEnvironment({ envBefore: 'garbage', envAfter: at(1, 2, 3) }, undefined)).toBeNull();
  });
});
