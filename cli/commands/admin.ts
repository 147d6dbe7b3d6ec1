import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LpcvError } from '../../errors/lpcv-error.js';
import {
  authenticate,
  checkName,
  createAgent,
  createTeam,
  issueToken,
  listAgents,
  listTeams,
  type AgentSummary,
  type TeamSummary,
} from '../../server/auth/index.js';
import { withDatabase, type DatabaseOptions } from '../../server/db/index.js';
import { table } from '../format.js';

/** `lpcv admin team|agent add <name>`: the token on stdout, once; the warning on stderr. */
export async function adminAddCommand(what: 'team' | 'agent', name: string, o: DatabaseOptions & { json?: boolean }): Promise<number> {
  checkName(what, name); // before the database: a typo should not wait for a connection
  const created = await withDatabase(o, (db) => (what === 'team' ? createTeam(db, name, Date.now()) : createAgent(db, name, Date.now())));
  process.stdout.write(o.json ? `${JSON.stringify({ id: created.id, name: created.name, token: created.token })}\n` : `${created.token}\n`);
  const use = what === 'team' ? 'submissions (Authorization: Bearer <token>, or the web form)' : 'a device agent on its board (Authorization: Bearer <token>)';
  process.stderr.write(
    `lpcv: ${what} ${JSON.stringify(created.name)} added (id ${created.id}). Its token is for ${use}. Keep it now: it is stored hashed and cannot be shown again.\n`,
  );
  return 0;
}

export interface AgentTokenOptions extends DatabaseOptions {
  /** Add the agent when it does not exist yet. */
  readonly create?: boolean;
  /** Write the token to this file (mode 0600) instead of stdout, and keep a token already there that still works. */
  readonly out?: string;
  readonly json?: boolean;
}

/**
 * `lpcv admin agent token <name>`: a new token for an existing agent (its other tokens stay valid), on
 * stdout once. With --out the token goes into a file instead, and a token already in that file is kept while
 * the database accepts it for this agent: running it at every start (docker-compose's `init` service) issues
 * a token only the first time. --create adds the agent when it is missing. A disabled agent gets no token.
 */
export async function adminAgentTokenCommand(name: string, o: AgentTokenOptions): Promise<number> {
  checkName('agent', name);
  // The file's folder first: a token issued and then not written would be lost.
  if (o.out !== undefined) ensureFolder(path.dirname(path.resolve(o.out)));
  const kept = o.out !== undefined ? readKeptToken(o.out) : '';
  const outcome = await withDatabase(o, async (db) => {
    const now = Date.now();
    const agent = (await listAgents(db)).find((a) => a.name.toLowerCase() === name.toLowerCase());
    if (agent?.disabledAt != null) throw new LpcvError('LPCV_E_USAGE', `the agent ${JSON.stringify(agent.name)} is disabled: it gets no token`);
    if (agent === undefined) {
      if (!o.create)
        throw new LpcvError(
          'LPCV_E_USAGE',
          `no agent named ${JSON.stringify(name)} (add it with: lpcv admin agent add ${JSON.stringify(name)}, or pass --create)`,
        );
      const created = await createAgent(db, name, now);
      return { id: created.id, name: created.name, token: created.token, issued: true, created: true };
    }
    if (kept !== '' && (await authenticate(db, kept, 'agent', now))?.ownerId === agent.id) {
      return { id: agent.id, name: agent.name, token: kept, issued: false, created: false };
    }
    const issued = await issueToken(db, { kind: 'agent', ownerId: agent.id }, now);
    return { id: agent.id, name: agent.name, token: issued.token, issued: true, created: false };
  });
  const { id, name: agentName, issued, created } = outcome;
  if (o.out === undefined) {
    process.stdout.write(o.json ? `${JSON.stringify({ id, name: agentName, token: outcome.token })}\n` : `${outcome.token}\n`);
    process.stderr.write(
      `lpcv: a new token for the agent ${JSON.stringify(agentName)}${created ? ' (added now)' : ''} (id ${id}). Keep it now: it is stored hashed and cannot be shown again.\n`,
    );
    return 0;
  }
  if (issued) writePrivateFile(o.out, `${outcome.token}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify({ id, name: agentName, file: o.out, issued, created })}\n`);
  process.stderr.write(
    issued
      ? `lpcv: ${created ? 'added the agent' : 'a new token for the agent'} ${JSON.stringify(agentName)} (id ${id}); its token is in ${o.out}\n`
      : `lpcv: the token in ${o.out} still works for the agent ${JSON.stringify(agentName)} (id ${id}): kept\n`,
  );
  return 0;
}

function ensureFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new LpcvError('LPCV_E_USAGE', `cannot create the folder ${dir} for the token file: ${(e as Error).message}`);
  }
}

function readKeptToken(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new LpcvError('LPCV_E_USAGE', `cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Written beside the target and renamed over it: a reader never sees half a token. */
function writePrivateFile(file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
  } catch (e) {
    throw new LpcvError('LPCV_E_USAGE', `cannot write the token to ${file}: ${(e as Error).message}`);
  }
}

/** `lpcv admin team|agent list`: names, ids, dates and token prefixes; never a token. */
export async function adminListCommand(what: 'team' | 'agent', o: DatabaseOptions & { json?: boolean }): Promise<number> {
  const owners: readonly (TeamSummary | AgentSummary)[] = await withDatabase(o, (db) => (what === 'team' ? listTeams(db) : listAgents(db)));
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ [`${what}s`]: owners })}\n`);
    return 0;
  }
  if (owners.length === 0) {
    process.stdout.write(`no ${what}s yet (add one with: lpcv admin ${what} add <name>)\n`);
    return 0;
  }
  const rows = owners.map((a) => {
    const lastUsed = Math.max(0, ...a.tokens.map((t) => t.lastUsedAt ?? 0));
    return [
      a.name,
      String(a.id),
      date(a.createdAt),
      a.tokens.length === 0 ? '(none)' : a.tokens.map((t) => `${t.prefix}...`).join(', '),
      lastUsed > 0 ? date(lastUsed) : '-',
      ...('disabledAt' in a ? [a.disabledAt === null ? 'enabled' : `disabled ${date(a.disabledAt)}`] : []),
    ];
  });
  const header = [what, 'id', 'created (UTC)', 'tokens', 'last used', ...(what === 'agent' ? ['status'] : [])];
  process.stdout.write(`${table(header, rows)}\n`);
  return 0;
}

function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
