import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { MAY_IMPORT } from './import-boundaries.js';

const ROOT = new URL('../', import.meta.url).pathname;
const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8');

/** The rows of the "dependency table" section: folder -> the folders it may import. */
function documentedTable(): Record<string, string[]> {
  const section = doc.slice(doc.indexOf('## The dependency table'));
  const rows: Record<string, string[]> = {};
  for (const line of section.split('\n')) {
    const m = /^\| `([a-z]+)` \| (.+) \|$/.exec(line);
    if (m === null) continue;
    rows[m[1]!] = m[2] === 'nothing' ? [] : [...m[2]!.matchAll(/`([a-z]+)`/g)].map((x) => x[1]!);
  }
  return rows;
}

describe('the import-boundary lint', () => {
  it('encodes the table of docs/architecture.md, row for row', () => {
    expect(documentedTable()).toEqual(MAY_IMPORT);
  });

  const eslint = new ESLint({ cwd: ROOT });
  async function boundaryErrors(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: `${ROOT}${file}` });
    return result!.messages.filter((m) => m.ruleId === 'lpcv/import-boundaries').map((m) => m.message);
  }

  it.each([
    ['harness/tracks/x.ts', "import { runAgent } from '../../devices/agent/run-agent.js';\nvoid runAgent;", /harness\/ may not import devices\//],
    ['harness/x.ts', "export { startServer } from '../server/serve/start-server.js';", /harness\/ may not import server\//],
    ['server/http/x.ts', "const m = await import('../../cli/main.js');\nvoid m;", /server\/ may not import cli\//],
    ['server/http/x.ts', "import type { Target } from '../../devices/targets/target.js';\nexport type T = Target;", /server\/ may not import devices\//],
    ['submissions/x.ts', "import type { Track } from '../harness/tracks/track.js';\nexport type T = Track;", /submissions\/ may not import harness\//],
    ['devices/agent/x.ts', "export * from '../../server/queue/index.js';", /devices\/ may not import server\//],
    ['scoring/x.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", /scoring\/ is pure/],
    ['server/queue/x.ts', "import { queueContract } from './testing/queue.contract.js';\nvoid queueContract;", /may not import test code/],
    ['harness/x.ts', "import { fixtureBytes } from '../test/testing/onnx-fixtures.js';\nvoid fixtureBytes;", /may not import test code/],
  ])('refuses a back edge in %s', async (file, code, message) => {
    const errors = await boundaryErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    [
      'cli/x.ts',
      "import { runAgent } from '../devices/agent/run-agent.js';\nimport { startServer } from '../server/serve/start-server.js';\nvoid runAgent; void startServer;",
    ],
    ['server/http/x.ts', "import { listDevices } from '../devices/index.js';\nvoid listDevices;"],
    ['devices/agent/x.ts', "import type { Track } from '../../harness/tracks/track.js';\nexport type T = Track;"],
    ['server/queue/x.test.ts', "import { runAgent } from '../../devices/agent/run-agent.js';\nvoid runAgent;"],
    ['server/http/testing/x.ts', "import { measureOnnx } from '../../../devices/desktop/measure-onnx.js';\nvoid measureOnnx;"],
    ['bench/x.ts', "import { fixtureBytes } from '../test/testing/onnx-fixtures.js';\nvoid fixtureBytes;"],
  ])('allows %s its imports', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
