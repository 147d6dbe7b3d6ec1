/**
 * Hostile ONNX files made by the tests and benchmarks themselves (never shipped): a chain of Identity nodes
 * as long as asked, encoded straight to protobuf bytes (a million nodes in well under a second, where building
 * the objects for protobufjs would take many), and subgraphs nested as deep as asked.
 */
import { encodeModel, rawValueInfo } from './onnx-fixtures.js';

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited field (wire type 2). */
function field(num: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...varint((num << 3) | 2), ...varint(body.length)]), body]);
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/**
 * x -> Identity -> ... -> Identity -> y, `nodes` of them; the input is float [1, 1, inputSide, inputSide] (the
 * sample track wants 28: another size is a graph the intake refuses once it has read it all).
 */
export function identityChainModel(nodes: number, inputSide = 27): Uint8Array {
  const parts: Buffer[] = [];
  for (let i = 0; i < nodes; i++) {
    const input = i === 0 ? 'x' : `n${i - 1}`;
    const output = i === nodes - 1 ? 'y' : `n${i}`;
    parts.push(field(1, Buffer.concat([field(1, text(input)), field(2, text(output)), field(4, text('Identity'))])));
  }
  const io = encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'chain', input: [rawValueInfo('x', [1, 1, inputSide, inputSide])], output: [rawValueInfo('y', [1, 1, inputSide, inputSide])] },
  });
  // The model's other fields as encodeModel wrote them, with the nodes added to its graph (field 7): protobuf
  // merges two occurrences of a message field, so a second graph field holding only nodes joins the first.
  return Buffer.concat([Buffer.from(io), field(7, Buffer.concat(parts))]);
}

/**
 * x [1,1,28,28] -> Expand to [copies,1,28,28] -> ReduceSum over the copies -> [1,784] -> MatMul -> y [1,10]: a
 * valid classifier whose run holds copies x 3 KiB of memory (onnxruntime's arena keeps it afterwards).
 */
export function memoryHogModel(copies: number): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'hog',
      node: [
        { opType: 'Expand', input: ['x', 'shape'], output: ['many'] },
        { opType: 'ReduceSum', input: ['many', 'axes'], output: ['one'], attribute: [{ name: 'keepdims', type: 2, i: 1 }] },
        { opType: 'Reshape', input: ['one', 'flat'], output: ['row'] },
        { opType: 'MatMul', input: ['row', 'w'], output: ['y'] },
      ],
      initializer: [
        { name: 'shape', dims: [4], dataType: 7, int64Data: [copies, 1, 28, 28] },
        { name: 'axes', dims: [1], dataType: 7, int64Data: [0] },
        { name: 'flat', dims: [2], dataType: 7, int64Data: [1, 784] },
        { name: 'w', dims: [784, 10], dataType: 1, floatData: Array.from({ length: 7840 }, (_, i) => (i % 10) / 10) },
      ],
      input: [rawValueInfo('x', [1, 1, 28, 28])],
      output: [rawValueInfo('y', [1, 10])],
    },
  });
}

/** A model whose graph holds an If whose branch holds an If ... `depth` levels of subgraphs. */
export function nestedIfModel(depth: number): Uint8Array {
  let graph: Record<string, unknown> = { name: `g${depth}`, node: [{ opType: 'Identity', input: ['x'], output: ['y'] }] };
  for (let level = depth - 1; level >= 0; level--) {
    graph = {
      name: `g${level}`,
      node: [
        {
          opType: 'If',
          input: ['c'],
          output: ['y'],
          attribute: [
            { name: 'then_branch', type: 5, g: graph },
            { name: 'else_branch', type: 5, g: { name: `e${level}`, node: [{ opType: 'Identity', input: ['x'], output: ['y'] }] } },
          ],
        },
      ],
    };
  }
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { ...graph, input: [rawValueInfo('x', [1, 1, 28, 28])], output: [rawValueInfo('y', [1, 1, 28, 28])] },
  });
}
