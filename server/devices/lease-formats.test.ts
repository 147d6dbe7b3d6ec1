import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../../test/testing/onnx-fixtures.js';
import { postgresTestDatabase, sqliteTestDatabase, type TestDatabase } from '../db/testing/databases.js';
import { useTestDatabase } from '../db/testing/suite-hooks.js';
import { startAgentTestApi, type AgentTestApi } from '../http/testing/agent-api-server.js';
import { declaredFormats } from './lease-for-device.js';

async function call(api: AgentTestApi, token: string, route: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${api.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

function leaseByFormat(name: string, database: TestDatabase): void {
  describe(`leases by artifact format on ${name}`, () => {
    let api: AgentTestApi;
    useTestDatabase(database, {
      setUp: async () => void (api = await startAgentTestApi(database, `formats-${name}`)),
      tearDown: async () => api?.close(),
    });

    it('gives an ONNX job only to a device that declared onnx; one that declared no formats takes any', async () => {
      const form = new FormData();
      form.append('track', 'fashion-mnist');
      form.append('file', new Blob([fixtureBytes('tiny-conv.onnx')]), 'm.onnx');
      const res = await fetch(`${api.url}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${api.team.token}` } });
      expect(res.status).toBe(201);
      const register = async (deviceName: string, capabilities: Record<string, unknown>): Promise<number> =>
        ((await call(api, api.agentA.token, '/api/agent/devices', { name: deviceName, kind: 'desktop', capabilities })).body as { deviceId: number }).deviceId;
      const zipOnly = await register('zip-only', { formats: ['zip'] });
      const onnx = await register('onnx', { formats: ['onnx', 'zip'] });
      const silent = await register('silent', {});
      expect((await call(api, api.agentA.token, '/api/agent/lease', { deviceId: zipOnly, leaseMs: 60_000 })).status).toBe(204);
      const leased = await call(api, api.agentA.token, '/api/agent/lease', { deviceId: onnx, leaseMs: 60_000 });
      expect(leased.status).toBe(200);
      expect(leased.body).toMatchObject({ artifact: { format: 'onnx' } });
      // Nothing else queued for the one that said nothing either: the filter only narrows.
      expect((await call(api, api.agentA.token, '/api/agent/lease', { deviceId: silent, leaseMs: 60_000 })).status).toBe(204);
    });
  });
}

leaseByFormat('SQLite', sqliteTestDatabase());
leaseByFormat('PostgreSQL', postgresTestDatabase());

describe('declared formats', () => {
  it('reads a non-empty list of strings, and nothing else', () => {
    expect(declaredFormats('{"formats":["onnx","zip"]}')).toEqual(['onnx', 'zip']);
    for (const bad of [null, '{}', '{"formats":[]}', '{"formats":"onnx"}', '{"formats":[1]}', 'not json']) expect(declaredFormats(bad)).toBeUndefined();
  });
});
