import { listFormulas, paramType } from '../../scoring/formulas/registry.js';
import type { Formula } from '../../scoring/formulas/types.js';

/** `lpcv formulas`: the score formula catalog, with each formula's inputs and parameters. */
export async function formulasCommand(o: { json?: boolean }): Promise<number> {
  const formulas = listFormulas();
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ formulas: formulas.map(describeFormula) })}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const f of formulas) {
    lines.push(`${f.name}@${f.version}  ${f.title}`);
    const inputs = f.inputs?.map((i) => `${i.name} (${i.unit})`).join(', ') ?? '(see lpcv formulas --json: description)';
    lines.push(`  inputs  ${inputs}`);
    const params = Object.entries(f.params).map(([k, p]) =>
      p.default !== undefined
        ? `${k}=${String(p.default)}`
        : `${k} (required ${paramType(p) ?? ''}${p.example !== undefined ? `, e.g. ${String(p.example)}` : ''})`,
    );
    lines.push(`  params  ${params.join(', ') || 'none'}`);
    lines.push('');
  }
  lines.push('lpcv formula <name>[@version] --set <measure>=<value> ... computes one score; docs/formulas.md has each formula in full.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export function describeFormula(f: Formula): Record<string, unknown> {
  return {
    name: f.name,
    version: f.version,
    title: f.title,
    description: f.description,
    source: f.source,
    inputs: f.inputs ?? null,
    params: Object.fromEntries(
      Object.entries(f.params).map(([k, p]) => [
        k,
        {
          description: p.description,
          type: paramType(p) ?? null,
          ...(p.default !== undefined ? { default: p.default } : { required: true }),
          ...(p.choices !== undefined ? { choices: p.choices } : {}),
          ...(p.example !== undefined ? { example: p.example } : {}),
        },
      ]),
    ),
  };
}
