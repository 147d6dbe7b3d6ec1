import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LpcvError } from '../../errors/lpcv-error.js';
import { AihubTarget } from '../aihub/aihub-target.js';
import type { Target } from '../targets/target.js';
import { probeAtStart } from './run-agent.js';

const empty = mkdtempSync(path.join(os.tmpdir(), 'lpcv-probe-at-start-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** An AI Hub device whose Python cannot import qai_hub (nothing on PYTHONPATH but an empty folder). */
const withoutClient = (name: string): Target => new AihubTarget({ spec: `aihub://${name}?device=S24&runtime=tflite`, env: { PYTHONPATH: empty } });
const present: Target = {
  name: 'desk',
  kind: 'desktop',
  formats: ['onnx'],
  capabilities: () => ({}),
  probe: async () => ({ kind: 'desktop', device: 'desk', runtime: 'test', threads: 1, os: 'test', cpu: 'test' }),
  run: () => Promise.reject(new Error('not run here')),
};

describe('the agent start-up policy', () => {
  it('reports and skips a device that fails its probe (qai_hub missing: one line naming what to install); the others serve', async () => {
    const lines: string[] = [];
    const serving = await probeAtStart([withoutClient('s24'), present], (l) => lines.push(l), new AbortController().signal);
    expect(serving.map((d) => d.name)).toEqual(['desk']);
    const skipped = lines.filter((l) => l.includes('skipped'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/^\[s24\] device s24 skipped: .*pip install qai-hub, then qai-hub configure/);
  }, 20_000);

  it('stops only when no device is left, with the failure', async () => {
    const e = await probeAtStart([withoutClient('a'), withoutClient('b')], () => {}, new AbortController().signal).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LpcvError);
    expect((e as LpcvError).message).toMatch(/no device is left to serve: a: .*; b: /);
  }, 20_000);
});
