import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../server/serve/start-server.js';
import { ROOT } from './testing/run-lpcv.js';
import { lpcvWithEnv, spawnLpcv } from './testing/spawn-lpcv.js';

const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const ADMIN_TOKEN = 'compose-test-admin-token-0123456789abcdef';

/** Whether Debian's docker-compose (v1) is installed; CI sets LPCV_REQUIRE_DOCKER_COMPOSE=1 to insist. */
async function dockerComposeVersion(): Promise<string | null> {
  const r = await execa('docker-compose', ['version', '--short'], { reject: false, stdin: 'ignore' });
  return r.exitCode === 0 ? String(r.stdout).trim() : null;
}
const version = await dockerComposeVersion();
const required = process.env.LPCV_REQUIRE_DOCKER_COMPOSE === '1';
if (version === null && !required) {
  console.warn('docker-compose is not installed: skipping the docker-compose.yml checks (set LPCV_REQUIRE_DOCKER_COMPOSE=1 to fail instead)');
}

/**
 * `docker-compose config` validates the file as Compose reads it (no Docker engine runs on these machines,
 * so nothing is built or started). An empty --env-file keeps a developer's .env out of it.
 */
describe.skipIf(version === null && !required)('docker-compose.yml, as docker-compose reads it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-compose-'));
  const emptyEnv = path.join(dir, 'empty.env');
  writeFileSync(emptyEnv, '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const compose = (args: string[], env: Record<string, string>) =>
    execa('docker-compose', ['--env-file', emptyEnv, '-f', COMPOSE_FILE, ...args], {
      reject: false,
      stdin: 'ignore',
      cwd: ROOT,
      env: { LPCV_ADMIN_TOKEN: '', LPCV_DATABASE_URL: '', LPCV_PORT: '', ...env },
    });

  it('is installed (CI requires it)', () => {
    expect(version, 'docker-compose is not installed but LPCV_REQUIRE_DOCKER_COMPOSE=1').not.toBeNull();
  });

  it('passes `config -q`, and `config` names the init, server and agent services and their volumes', async () => {
    const quiet = await compose(['config', '-q'], { LPCV_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(quiet.exitCode, String(quiet.stderr)).toBe(0);
    const services = await compose(['config', '--services'], { LPCV_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(String(services.stdout).split('\n').sort()).toEqual(['agent', 'init', 'server']);
    const volumes = await compose(['config', '--volumes'], { LPCV_ADMIN_TOKEN: ADMIN_TOKEN });
    expect(String(volumes.stdout).split('\n').sort()).toEqual(['agent-cache', 'agent-token', 'data']);
    const full = String((await compose(['config'], { LPCV_ADMIN_TOKEN: ADMIN_TOKEN })).stdout);
    expect(full).toContain(`LPCV_ADMIN_TOKEN: ${ADMIN_TOKEN}`);
    expect(full).toContain('condition: service_completed_successfully');
    expect(full).toMatch(/published: 8080\s+target: 8080/);
  });

  it('refuses to run without LPCV_ADMIN_TOKEN, saying so', async () => {
    const r = await compose(['config', '-q'], {});
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain('set LPCV_ADMIN_TOKEN in .env');
  });
});

/** The services' `command: [...]` lines (flow sequences of double-quoted strings: JSON arrays). */
function composeCommands(): Record<string, string[]> {
  const text = readFileSync(COMPOSE_FILE, 'utf8');
  const commands: Record<string, string[]> = {};
  let service: string | undefined;
  for (const line of text.split('\n')) {
    const name = /^ {2}([a-z][a-z0-9-]*):\s*$/.exec(line);
    if (name) service = name[1];
    const command = /^ {4}command: (\[.*\])\s*$/.exec(line);
    if (command && service) commands[service] = JSON.parse(command[1]!) as string[];
  }
  return commands;
}

/**
 * The compose services' own commands, run here without Docker (the paths mapped into a temp folder): the
 * init command twice (the second `docker-compose up` must work too), then the agent command with the
 * token file init wrote, against a server on that data folder.
 */
describe("docker-compose.yml's commands, run without Docker", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-compose-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const mapPaths = (args: string[], serverUrl = ''): string[] =>
    args.map((a) =>
      a
        .replace(/^\/data$/, path.join(dir, 'data'))
        .replace(/^\/run\/lpcv\//, `${path.join(dir, 'run-lpcv')}/`)
        .replace(/^\/cache$/, path.join(dir, 'cache'))
        .replace(/^http:\/\/server:8080$/, serverUrl),
    );

  it('init makes a working agent token on every run, and the agent service uses it', async () => {
    const commands = composeCommands();
    expect(Object.keys(commands).sort()).toEqual(['agent', 'init', 'server']);
    expect(commands.server).toEqual(expect.arrayContaining(['serve', '--no-local-agent', '--host', '0.0.0.0', '--data-dir', '/data']));

    const init = mapPaths(commands.init!);
    const first = await lpcvWithEnv(init);
    expect(first.exitCode, first.stderr).toBe(0);
    const tokenFile = path.join(dir, 'run-lpcv', 'agent.token');
    const token = readFileSync(tokenFile, 'utf8');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const again = await lpcvWithEnv(init);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(readFileSync(tokenFile, 'utf8')).toBe(token);

    const server = await startServer({ port: 0, dataDir: path.join(dir, 'data'), seedBaselines: false, log: () => {}, env: {} });
    try {
      const agent = spawnLpcv([...mapPaths(commands.agent!, server.url), '--poll-ms', '200']);
      try {
        // Registered means the server accepted the token that init wrote.
        for (let tries = 0; ; tries++) {
          const devices = (await server.db('devices').select('name')) as Array<{ name: string }>;
          if (devices.some((d) => d.name === 'compose-desktop')) break;
          if (tries > 600 || agent.exitCode !== null) throw new Error(`the agent did not register: ${String(agent.exitCode)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        agent.kill('SIGTERM');
      }
      const done = await agent;
      expect(done.exitCode, String(done.stderr)).toBe(0);
    } finally {
      await server.close();
    }
  }, 120_000);
});
