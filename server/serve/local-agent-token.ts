import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { authenticate, createAgent, issueToken, listAgents } from '../auth/index.js';
import type { Db } from '../db/index.js';

export const LOCAL_AGENT_NAME = 'local-desktop';
export const LOCAL_AGENT_TOKEN_FILE = 'local-agent.token';

/**
 * The in-process agent's token: the one kept in `<dataDir>/local-agent.token` (mode 0600) while the
 * database still accepts it; else a new token of the `local-desktop` agent (created when missing), written
 * there. Null when an admin disabled that agent: then no local agent runs.
 */
export async function localAgentToken(db: Db, dataDir: string, now: number): Promise<string | null> {
  const file = path.join(dataDir, LOCAL_AGENT_TOKEN_FILE);
  const kept = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (kept !== '' && (await authenticate(db, kept, 'agent', now)) !== null) return kept;
  const existing = (await listAgents(db)).find((a) => a.name.toLowerCase() === LOCAL_AGENT_NAME);
  if (existing?.disabledAt != null) return null;
  const token =
    existing === undefined ? (await createAgent(db, LOCAL_AGENT_NAME, now)).token : (await issueToken(db, { kind: 'agent', ownerId: existing.id }, now)).token;
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return token;
}
