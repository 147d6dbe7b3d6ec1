// The import-boundary lint: the dependency table of docs/architecture.md as an ESLint rule, so that an import
// that runs back up (harness -> devices, server -> cli, ...) fails `npm run lint` and CI. lint/architecture.test.ts
// checks the table here against the one in the docs, both ways, and that a deliberate back edge is refused.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Each top-level folder of production code and the top-level folders it may import. A folder always imports
 * itself. Anything not listed (tracks/, baselines/, docs/) holds no code that imports.
 */
export const MAY_IMPORT = {
  errors: [],
  scoring: ['errors'],
  submissions: ['errors', 'scoring'],
  harness: ['errors', 'scoring', 'submissions'],
  devices: ['errors', 'scoring', 'submissions', 'harness'],
  server: ['errors', 'scoring', 'submissions', 'harness'],
  cli: ['errors', 'scoring', 'submissions', 'harness', 'devices', 'server'],
  bench: ['errors', 'scoring', 'submissions', 'harness', 'devices', 'server', 'cli'],
  bin: ['cli'],
};

/** Folders that may use test support (fixtures, model builders) although they are not tests. */
export const MAY_IMPORT_TEST_CODE = ['bench'];

/** Folders whose production code must stay pure: no Node built-in module and no package (numbers in, numbers out). */
export const PURE = ['scoring'];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The top-level folder of a path inside the repository, or null for a file at the root or outside. */
function topFolder(abs) {
  const rel = path.relative(ROOT, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const parts = rel.split(path.sep);
  return parts.length > 1 ? parts[0] : null;
}

/** Test code: a test file, anything in a testing/ folder (test support, contract suites), the test/ tree. */
export function isTestCode(abs) {
  const rel = path.relative(ROOT, abs).split(path.sep);
  return rel[0] === 'test' || rel.includes('testing') || /\.test\.[cm]?[jt]s$/.test(abs);
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the dependency table of docs/architecture.md' },
    schema: [],
    messages: {
      backEdge: '{{from}}/ may not import {{to}}/ ({{spec}}): {{from}}/ may import {{allowed}} (docs/architecture.md)',
      testSupport: 'production code may not import test code ({{spec}}): test support lives in testing/ folders and test/ (docs/architecture.md)',
      impure: '{{from}}/ is pure and may not import {{spec}}: no Node built-in modules or packages (docs/architecture.md)',
    },
  },
  create(context) {
    const file = path.resolve(context.filename);
    const from = topFolder(file);
    // Tests and their support may import anything; files at the root (configs) are not layered.
    if (from === null || isTestCode(file) || !(from in MAY_IMPORT)) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (!spec.startsWith('.')) {
        if (PURE.includes(from)) context.report({ node, messageId: 'impure', data: { from, spec } });
        return;
      }
      const target = path.resolve(path.dirname(file), spec);
      if (isTestCode(target)) {
        if (!MAY_IMPORT_TEST_CODE.includes(from)) context.report({ node, messageId: 'testSupport', data: { spec } });
        return;
      }
      const to = topFolder(target);
      if (to === null || to === from) return;
      const allowed = MAY_IMPORT[from];
      if (!allowed.includes(to))
        context.report({ node, messageId: 'backEdge', data: { from, to, spec, allowed: allowed.length > 0 ? allowed.join(', ') : 'nothing' } });
    };
    const ofSource = (node) => check(node.source, node.source?.value);
    return {
      ImportDeclaration: ofSource,
      ExportNamedDeclaration: (node) => node.source && ofSource(node),
      ExportAllDeclaration: ofSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { 'import-boundaries': rule } };
