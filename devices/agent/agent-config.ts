import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LpcvError } from '../../errors/lpcv-error.js';
import { describeIssues } from '../../harness/schema-issues.js';
import { leaseMsSchema } from '../../harness/wire/index.js';

/**
 * An agent's config file (docs/agents.md, "Config file"): JSON, validated at start-up; paths relative to
 * the file's folder. The command line's --server, --token-file and --device win over the file.
 *   { "server": "http://server:8080", "tokenFile": "agent.token", "cacheDir": "cache",
 *     "devices": ["desktop", "ssh://xilinx@ultra96?key=id_ed25519&kind=ultra96-v2"],
 *     "leaseMs": 60000, "pollMs": 1000, "graceMs": 30000 }
 */
export const agentConfigSchema = z.strictObject({
  server: z.string().min(1).optional(),
  tokenFile: z.string().min(1).optional(),
  cacheDir: z.string().min(1).optional(),
  devices: z.array(z.string().min(1)).min(1).optional(),
  leaseMs: leaseMsSchema.optional(),
  pollMs: z.number().int().positive().optional(),
  graceMs: z.number().int().nonnegative().optional(),
});

export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** Reads and validates the file; relative paths (tokenFile, cacheDir) resolve against its folder. */
export function loadAgentConfig(file: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LpcvError('LPCV_E_DEVICE_SPEC', `cannot read the agent config ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LpcvError('LPCV_E_DEVICE_SPEC', `the agent config ${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = agentConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new LpcvError('LPCV_E_DEVICE_SPEC', `the agent config ${file}: ${describeIssues(parsed.error.issues)}`);
  }
  const dir = path.dirname(path.resolve(file));
  const c = parsed.data;
  return {
    ...c,
    ...(c.tokenFile !== undefined ? { tokenFile: path.resolve(dir, c.tokenFile) } : {}),
    ...(c.cacheDir !== undefined ? { cacheDir: path.resolve(dir, c.cacheDir) } : {}),
  };
}
