import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { parse as parseYaml } from 'yaml';
import { POSTGRES_TEST_URL } from '../server/db/testing/databases.js';
import { ROOT } from './testing/run-lpcv.js';
import { lpcvWithEnv, spawnLpcv } from './testing/spawn-lpcv.js';

const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const ADMIN_TOKEN = 'compose-test-admin-token-0123456789abcdef';
const DB_PASSWORD = 'composeTestPassword42';
const SET = { LPCV_ADMIN_TOKEN: ADMIN_TOKEN, LPCV_DB_PASSWORD: DB_PASSWORD };

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
      env: { LPCV_ADMIN_TOKEN: '', LPCV_DB_PASSWORD: '', LPCV_DATABASE_URL: '', LPCV_PORT: '', ...env },
    });

  it('is installed (CI requires it)', () => {
    expect(version, 'docker-compose is not installed but LPCV_REQUIRE_DOCKER_COMPOSE=1').not.toBeNull();
  });

  it('passes `config -q`, and `config` names the postgres, init, server and agent services and their volumes', async () => {
    const quiet = await compose(['config', '-q'], SET);
    expect(quiet.exitCode, String(quiet.stderr)).toBe(0);
    const services = await compose(['config', '--services'], SET);
    expect(String(services.stdout).split('\n').sort()).toEqual(['agent', 'init', 'postgres', 'server']);
    const volumes = await compose(['config', '--volumes'], SET);
    expect(String(volumes.stdout).split('\n').sort()).toEqual(['agent-cache', 'agent-token', 'data', 'pgdata']);
    const full = String((await compose(['config'], SET)).stdout);
    expect(full).toContain(`LPCV_ADMIN_TOKEN: ${ADMIN_TOKEN}`);
    expect(full).toContain(`POSTGRES_PASSWORD: ${DB_PASSWORD}`);
    // init and server both reach the postgres service, and wait for it to accept connections.
    expect(full.match(new RegExp(`LPCV_DATABASE_URL: postgres://lpcv:${DB_PASSWORD}@postgres:5432/lpcv`, 'g'))).toHaveLength(2);
    expect(full.match(/condition: service_healthy/g)).toHaveLength(2);
    expect(full).toContain('pg_isready -U lpcv -d lpcv');
    expect(full).toContain('condition: service_completed_successfully');
    expect(full).toMatch(/published: 8080\s+target: 8080/);
    // The metrics port is for the compose network only: exposed, never published.
    expect(full).not.toMatch(/published: 9464/);
  });

  it.each([
    ['LPCV_ADMIN_TOKEN', { LPCV_DB_PASSWORD: DB_PASSWORD }],
    ['LPCV_DB_PASSWORD', { LPCV_ADMIN_TOKEN: ADMIN_TOKEN }],
  ])('refuses to run without %s, saying so', async (missing, env) => {
    const r = await compose(['config', '-q'], env);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain(`set ${missing} in .env`);
  });
});

/** The services' commands, as the YAML says (services without one, such as postgres, run their image's). */
function composeCommands(): Record<string, string[]> {
  const doc = parseYaml(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, { command?: string[] }> };
  return Object.fromEntries(Object.entries(doc.services).flatMap(([name, svc]) => (svc.command === undefined ? [] : [[name, svc.command]])));
}

/**
 * The compose services' own commands, run here without Docker: the paths mapped into a temp folder, the
 * postgres service played by this machine's PostgreSQL (a fresh schema, dropped after), the ports by free
 * ones. The init command twice (the second `docker-compose up` must work too), then the server command (JSON
 * logs, metrics on their own address) and the agent command with the token file init wrote: the agent
 * registers, as the server's metrics say without a token.
 */
describe("docker-compose.yml's commands, run without Docker", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpcv-compose-run-'));
  const schema = `lpcv_compose_${randomBytes(4).toString('hex')}`;
  const database = { LPCV_DATABASE_URL: POSTGRES_TEST_URL, LPCV_DATABASE_SCHEMA: schema };
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const admin = knexFactory({ client: 'pg', connection: POSTGRES_TEST_URL, pool: { min: 0, max: 1 } });
    try {
      await admin.schema.dropSchemaIfExists(schema, true);
    } finally {
      await admin.destroy();
    }
  });
  const mapArgs = (args: string[], serverUrl = ''): string[] =>
    args.map((a, i) =>
      args[i - 1] === '--port'
        ? '0'
        : args[i - 1] === '--host'
          ? '127.0.0.1'
          : a
              .replace(/^0\.0\.0\.0:9464$/, '127.0.0.1:0')
              .replace(/^\/data$/, path.join(dir, 'data'))
              .replace(/^\/run\/lpcv\//, `${path.join(dir, 'run-lpcv')}/`)
              .replace(/^\/cache$/, path.join(dir, 'cache'))
              .replace(/^http:\/\/server:8080$/, serverUrl),
    );

  it('init makes a working agent token on every run; the server logs JSON and serves metrics; the agent registers', async () => {
    const commands = composeCommands();
    expect(Object.keys(commands).sort()).toEqual(['agent', 'init', 'server']);
    expect(commands.server).toEqual(expect.arrayContaining(['serve', '--no-local-agent', '--host', '0.0.0.0', '--data-dir', '/data', '--log-format', 'json']));

    const init = mapArgs(commands.init!);
    const first = await lpcvWithEnv(init, database);
    expect(first.exitCode, first.stderr).toBe(0);
    const tokenFile = path.join(dir, 'run-lpcv', 'agent.token');
    const token = readFileSync(tokenFile, 'utf8');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const again = await lpcvWithEnv(init, database);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(readFileSync(tokenFile, 'utf8')).toBe(token);

    const server = spawnLpcv(mapArgs(commands.server!), { ...database, LPCV_ADMIN_TOKEN: ADMIN_TOKEN });
    let log = '';
    server.stderr.on('data', (b: Buffer) => (log += b.toString()));
    try {
      const records = (): Array<Record<string, unknown>> =>
        log
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const said = async (pattern: RegExp): Promise<RegExpExecArray> => {
        for (let tries = 0; ; tries++) {
          for (const r of records()) {
            const m = pattern.exec(String(r.msg));
            if (m !== null) return m;
          }
          if (tries > 600 || server.exitCode !== null) throw new Error(`the server did not say ${String(pattern)}: ${log}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      const serverUrl = (await said(/^serving on (http:\/\/\S+)/))[1]!;
      const metricsUrl = (await said(/^metrics \(no token\) on (http:\/\/\S+)/))[1]!;
      expect((await said(/^listening on .*database postgres/))[0]).toBeTruthy();
      const agent = spawnLpcv([...mapArgs(commands.agent!, serverUrl), '--poll-ms', '200']);
      try {
        // Registered means the server accepted the token that init wrote.
        for (let tries = 0; ; tries++) {
          const metrics = await (await fetch(metricsUrl)).text();
          if (/^lpcv_devices\{kind="desktop",state="[a-z]+"\} 1$/m.test(metrics)) break;
          if (tries > 600 || agent.exitCode !== null) throw new Error(`the agent did not register: ${String(agent.exitCode)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        agent.kill('SIGTERM');
      }
      const done = await agent;
      expect(done.exitCode, String(done.stderr)).toBe(0);
      // Every line the server wrote is one JSON record; the request lines carry their request's id.
      const http = records().filter((r) => r.component === 'http');
      expect(http.length).toBeGreaterThan(0);
      for (const r of http) expect(typeof r.reqId).toBe('string');
      expect(log).not.toContain(ADMIN_TOKEN);
      expect(log).not.toContain(token.trim());
    } finally {
      server.kill('SIGTERM');
      await server;
    }
  }, 120_000);
});
