import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrack } from '../../harness/tracks/load-track.js';
import { createTeam, type CreatedOwner } from '../../server/auth/index.js';
import { startServer, type RunningServer } from '../../server/serve/start-server.js';
import { expectOneLineError, ROOT } from '../testing/run-lpcv.js';
import { lpcvWithEnv } from '../testing/spawn-lpcv.js';

const fashion = resolveTrack('fashion-mnist');
// ONNX too: the track's reference model (protocol.reference) is ONNX and must fit the track's formats.
const jobsTrack = { ...fashion, name: 'aihub-s24', formats: ['onnx' as const, 'aihub-job' as const] };

/**
 * cli/main.ts declares `--aihub-job`; until that line is there (it is added by the command's owner), these
 * tests have nothing to run against and are skipped rather than failing on commander's "unknown option".
 */

/** `lpcv submit --aihub-job` as a child process against a real server (SQLite in a temp folder, no agent). */
describe('lpcv submit --aihub-job against a running server', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-submit-aihub-'));
  let server: RunningServer;
  let team: CreatedOwner;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      dataDir: path.join(dir, 'data'),
      tracks: new Map([
        [fashion.name, fashion],
        [jobsTrack.name, jobsTrack],
      ]),
      seedBaselines: false,
      log: () => undefined,
      env: {},
    });
    team = await createTeam(server.db, 'aihub-cli-team', Date.now());
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (args: string[]): ReturnType<typeof lpcvWithEnv> => lpcvWithEnv(['submit', ...args, '--server', server.url], { LPCV_TOKEN: team.token });

  it('sends the job id: the server stores the canonical reference and queues an aihub-job submission', async () => {
    const r = await submit(['--aihub-job', 'jgdx8v3p5', '--track', jobsTrack.name, '--description', 'compiled on AI Hub', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };
    expect(r.stderr).toContain(`submitted AI Hub compile job jgdx8v3p5 to track ${jobsTrack.name}`);
    expect(await server.db('submissions').where('id', id).first('format', 'description')).toEqual({ format: 'aihub-job', description: 'compiled on AI Hub' });
    const stored = await fetch(`${server.url}/api/submissions/${id}/artifact`, { headers: { authorization: `Bearer ${team.token}` } });
    expect(await stored.text()).toBe('{"kind":"aihub-compile-job","jobId":"jgdx8v3p5"}');
  }, 60_000);

  it("refuses a malformed id before any request (exit 5), and a track that takes no jobs with the server's code", async () => {
    const before = await server.db('submissions').count({ n: '*' });
    const malformed = await submit(['--aihub-job', 'https://app.aihub.qualcomm.com/jobs/jgdx8v3p5', '--track', jobsTrack.name]);
    expect(malformed.exitCode).toBe(5);
    expect(expectOneLineError(malformed).code).toBe('LPCV_E_AIHUB_JOB_ID');
    const wrongTrack = await submit(['--aihub-job', 'jgdx8v3p5', '--track', fashion.name]);
    expect(wrongTrack.exitCode).toBe(5);
    expect(expectOneLineError(wrongTrack)).toMatchObject({ code: 'LPCV_E_MODEL_FORMAT', message: expect.stringContaining('AI Hub compile job') });
    expect(await server.db('submissions').count({ n: '*' })).toEqual(before);
  }, 60_000);

  it('wants exactly one of a model file and --aihub-job', async () => {
    const both = await submit([path.join(ROOT, 'test/fixtures/onnx/tiny-conv.onnx'), '--aihub-job', 'jgdx8v3p5', '--track', jobsTrack.name]);
    expect(both.exitCode).toBe(2);
    expect(expectOneLineError(both).code).toBe('LPCV_E_USAGE');
    const neither = await submit(['--track', jobsTrack.name]);
    expect(neither.exitCode).toBe(2);
    expect(expectOneLineError(neither).code).toBe('LPCV_E_USAGE');
  }, 60_000);
});
