import { readModelFile } from '../../submissions/validate/validate-model.js';
import { modelCost, readOnnxModel } from '../../submissions/onnx/index.js';
import { int, num, table } from '../format.js';

function dims(s: readonly number[] | null): string {
  return s ? s.join('x') : '?';
}

export async function inspectCommand(model: string, o: { json?: boolean; batch?: number }): Promise<number> {
  const bytes = readModelFile(model);
  const onnx = readOnnxModel(bytes, model);
  const cost = modelCost(onnx, { batch: o.batch ?? 1 });
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ model, bytes: bytes.length, ...cost })}\n`);
    return 0;
  }
  const rows = cost.layers.map((l) => [
    l.name,
    l.op,
    dims(l.inputShape),
    dims(l.outputShape),
    int(l.params),
    int(l.macs),
    l.cio === null ? '-' : int(l.cio),
    l.moc === null ? '-' : num(l.moc, 3),
  ]);
  const lines = [
    `lpcv inspect: ${model} (${int(bytes.length)} bytes)`,
    '',
    table(['layer', 'op', 'input', 'output', 'params', 'MACs', 'CIO', 'MoC'], rows),
    '',
    `params ${int(cost.params)}   MACs ${int(cost.macs)}   CIO ${int(cost.cio)}   MoC ${num(cost.moc, 3)}`,
    cost.cioDefinition,
  ];
  if (cost.unknownOps.length > 0) lines.push(`ops without shape inference (their costs are not counted): ${cost.unknownOps.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
