/**
 * One process of device agents for bench/queue-throughput.ts (forked by it, never run by hand). Each agent
 * has its own token and its own device and runs one job at a time over real HTTP: lease, then complete
 * with a valid small completion at once (no measuring), until the lease answers 204 (the queue is empty:
 * every job was queued before the start). It times each request.
 *
 * IPC: parent -> {type: 'start', ...AgentsStart}; child -> {type: 'ready'} once every device is registered;
 * parent -> {type: 'go'}; child -> {type: 'done', agents: AgentReport[], cpuMs} and exits (cpuMs: this process's
 * CPU time, user + system, from 'go' to the end).
 */

export interface AgentsStart {
  readonly url: string;
  /** One token per agent of this process. */
  readonly tokens: readonly string[];
  /** The hidden split's ids: a completion predicts exactly these. */
  readonly ids: readonly string[];
  /** Latency samples in each completion (a real one has at least the protocol's minRuns, 300). */
  readonly samples: number;
  readonly leaseMs: number;
}

export interface AgentReport {
  readonly deviceId: number;
  /** Ids of the jobs this agent completed (the server answered done), in order. */
  readonly jobs: number[];
  /** Request latencies in ms: every lease (the final 204 included) and every complete. */
  readonly leaseMs: number[];
  readonly completeMs: number[];
  /** Anything unexpected (a status other than 200/204, a failed completion). */
  readonly errors: string[];
}

type FromParent = ({ type: 'start' } & AgentsStart) | { type: 'go' };

async function post(url: string, token: string, body: string): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0 };
}

function completionTail(o: AgentsStart): string {
  // Everything of the body but the token, serialised once: the token is spliced in front per job.
  const latency = Array.from({ length: o.samples }, (_, i) => 0.03 + (i % 17) * 0.001);
  const body = {
    measurement: {
      predictions: { kind: 'topk', ids: o.ids, topk: o.ids.map((_, i) => [i % 10, (i + 1) % 10, (i + 2) % 10, (i + 3) % 10, (i + 4) % 10]) },
      runtime: 'bench 1.0',
      threads: 1,
      protocol: { warmupRuns: 20, minRuns: o.samples, minDurationMs: 0, maxRuns: 100_000 },
      latencyMs: latency,
      warmupMs: latency.slice(0, 20),
      preprocessMs: latency.slice(0, 20),
    },
    target: { kind: 'desktop', device: 'bench', runtime: 'bench 1.0', threads: 1, os: 'linux', cpu: 'bench' },
    energy: null,
    energyNote: 'bench: nothing measured',
    startedAt: '2027-01-15T08:00:00.000Z',
    finishedAt: '2027-01-15T08:00:01.000Z',
  };
  return JSON.stringify(body).slice(1);
}

async function register(o: AgentsStart, token: string, name: string): Promise<number> {
  const r = await post(`${o.url}/api/agent/devices`, token, JSON.stringify({ name, kind: 'desktop' }));
  if (r.status !== 200) throw new Error(`registering ${name}: ${r.status} ${r.text}`);
  return (JSON.parse(r.text) as { deviceId: number }).deviceId;
}

async function runAgent(o: AgentsStart, token: string, deviceId: number, tail: string): Promise<AgentReport> {
  const report: AgentReport = { deviceId, jobs: [], leaseMs: [], completeMs: [], errors: [] };
  const leaseBody = JSON.stringify({ deviceId, leaseMs: o.leaseMs });
  for (;;) {
    const leased = await post(`${o.url}/api/agent/lease`, token, leaseBody);
    report.leaseMs.push(leased.ms);
    if (leased.status === 204) return report;
    if (leased.status !== 200) {
      report.errors.push(`lease: ${leased.status} ${leased.text.slice(0, 300)}`);
      return report;
    }
    const job = (JSON.parse(leased.text) as { job: { id: number; leaseToken: string } }).job;
    const done = await post(`${o.url}/api/agent/jobs/${job.id}/complete`, token, `{"leaseToken":${JSON.stringify(job.leaseToken)},${tail}`);
    report.completeMs.push(done.ms);
    const status = done.status === 200 ? (JSON.parse(done.text) as { status?: string }).status : undefined;
    if (status === 'done') report.jobs.push(job.id);
    else report.errors.push(`complete ${job.id}: ${done.status} ${done.text.slice(0, 300)}`);
  }
}

const send = (msg: unknown): Promise<void> => new Promise((resolve, reject) => process.send!(msg, undefined, {}, (e) => (e ? reject(e) : resolve())));

let start: AgentsStart | undefined;
let devices: number[] = [];
process.on('message', (msg: FromParent) => {
  void (async () => {
    if (msg.type === 'start') {
      start = msg;
      devices = [];
      for (const [i, token] of msg.tokens.entries()) devices.push(await register(msg, token, `bench-${process.pid}-${i}`));
      await send({ type: 'ready' });
    } else {
      const o = start!;
      const tail = completionTail(o);
      const cpu0 = process.cpuUsage();
      const agents = await Promise.all(o.tokens.map((token, i) => runAgent(o, token, devices[i]!, tail)));
      const cpu = process.cpuUsage(cpu0);
      await send({ type: 'done', agents, cpuMs: (cpu.user + cpu.system) / 1000 });
      process.disconnect();
    }
  })().catch((e: unknown) => {
    console.error(`bench agent ${process.pid}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  });
});
