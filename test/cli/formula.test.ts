import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../errors/codes.js';
import { expectOneLineError, lpcv } from '../testing/run-lpcv.js';

const json = (stdout: string): Record<string, unknown> => JSON.parse(stdout) as Record<string, unknown>;

describe('lpcv formulas and lpcv formula (the real CLI)', () => {
  it('lists the catalog with inputs and parameter defaults', async () => {
    const r = await lpcv(['formulas', '--json']);
    expect(r.exitCode).toBe(0);
    const { formulas } = json(r.stdout) as { formulas: { name: string; version: number; params: Record<string, { default?: unknown; required?: boolean }> }[] };
    expect(formulas.map((f) => `${f.name}@${f.version}`)).toEqual(
      expect.arrayContaining([
        'lpirc@1',
        'lpcv2020-video@1',
        'lpcv2021-video@1',
        'lpcv2020-fpga@1',
        'lpcv2021-fpga@1',
        'lpcv2023-seg@1',
        'ovic@1',
        'lpcv2025@1',
        'dac-sdc-2022@1',
        'expression@1',
        'accuracy-per-time@1',
      ]),
    );
    expect(formulas.find((f) => f.name === 'lpcv2020-video')?.params.idleWatts?.default).toBe(1.961);
    expect(formulas.find((f) => f.name === 'lpcv2025')?.params.cutoffMs?.required).toBe(true);
    const text = await lpcv(['formulas']);
    expect(text.stdout).toMatch(/^ovic@1 +OVIC/m);
    expect(text.stdout).toMatch(/k=16\.894553358968146/);
  });

  it('computes lpcv2021-fpga from measures with units, showing the converted inputs', async () => {
    // 20288 images in 1014.4 s = 20 fps; 0.5 Wh = 1800 J; 1e4 / 1800 x (0.35 - 0.2) x (20 - 5) = 12.5
    const r = await lpcv([
      'formula',
      'lpcv2021-fpga@1',
      '--set',
      'map=0.35',
      '--set',
      'energy=0.5Wh',
      '--set',
      'duration=1014.4s',
      '--set',
      'images=20288',
      '--json',
    ]);
    expect(r.exitCode).toBe(0);
    const out = json(r.stdout) as {
      formula: string;
      version: number;
      value: number;
      qualified: boolean;
      inputs: Record<string, { value: number; unit: string; from?: string }>;
    };
    expect(out).toMatchObject({ formula: 'lpcv2021-fpga', version: 1, qualified: true });
    expect(out.value).toBeCloseTo(12.5, 10);
    expect(out.inputs.energy).toEqual({ value: 1800, unit: 'J' });
    expect(out.inputs.fps?.from).toBe('images / duration');
  });

  it('gives the same score for the same energy in J, Wh and mWh', async () => {
    const score = async (energy: string) => {
      const r = await lpcv(['formula', 'lpirc', '--set', 'map50=0.411', '--set', `energy=${energy}`, '--json']);
      expect(r.exitCode).toBe(0);
      return (json(r.stdout) as { value: number }).value;
    };
    // 1.37 Wh = 4932 J = 1370 mWh; 0.411 / 1.37 = 0.3
    const [j, wh, mwh] = await Promise.all([score('4932J'), score('1.37Wh'), score('1370mWh')]);
    expect(wh).toBeCloseTo(0.3, 12);
    expect(j).toBeCloseTo(wh, 12);
    expect(mwh).toBeCloseTo(wh, 12);
  });

  it('prints a readable result with a null score and its reason', async () => {
    const r = await lpcv(['formula', 'dac-sdc-2022', '--set', 'iou=0.8', '--set', 'energy=1J', '--set', 'fps=30']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^score +- +not qualified: the energy is 1 J: log2\(E\) <= 0/m);
  });

  it('refuses a unit of the wrong kind, a missing measure, an unknown measure or a bad expression with a usage exit code', async () => {
    const cases: [string[], keyof typeof ERROR_CODES, RegExp][] = [
      [['formula', 'lpirc', '--set', 'map50=0.3', '--set', 'energy=5ms'], 'LPCV_E_MEASURE_UNIT', /'ms' is a unit of time; energy is an energy/],
      [['formula', 'lpirc', '--set', 'map50=0.3', '--set', 'energy=36.7'], 'LPCV_E_MEASURE_UNIT', /energy needs a unit/],
      [['formula', 'lpirc', '--set', 'map50=0.3'], 'LPCV_E_MEASURE_MISSING', /lpirc v1 needs energy \(e\.g\. --set energy=36\.7J/],
      [['formula', 'lpirc', '--set', 'energy=3J'], 'LPCV_E_MEASURE_MISSING', /needs map50/],
      [['formula', 'lpirc', '--set', 'mAP=0.3'], 'LPCV_E_MEASURE_UNKNOWN', /--set mAP: unknown measure/],
      [
        ['formula', 'expression', '--param', 'expr=relu(map - 0.2', '--set', 'map=0.3'],
        'LPCV_E_EXPRESSION_INVALID',
        /column 15: 'relu\(' at column 1 is not closed/,
      ],
    ];
    await Promise.all(
      cases.map(async ([args, code, says]) => {
        const r = await lpcv(args);
        const e = expectOneLineError(r);
        expect(e.code).toBe(code);
        expect(e.message).toMatch(says);
        expect(r.exitCode).toBe(ERROR_CODES[code].exit);
        expect(r.exitCode).toBe(2);
      }),
    );
  });
});
