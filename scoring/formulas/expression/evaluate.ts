/**
 * Evaluates an expression AST over measured values. Arithmetic that leaves the real numbers (a division
 * by zero, the log of 0, an overflow to Infinity, NaN from a negative base to a fractional power) stops
 * the evaluation at that node: the score is then null with a reason naming the column, never NaN or
 * Infinity. These depend on the measured numbers, not on the text, so they are no parse error.
 */
import { FUNCTIONS } from './names.js';
import type { Node } from './parse.js';

export type Evaluation = { ok: true; value: number } | { ok: false; reason: string };

class Stop {
  constructor(readonly reason: string) {}
}

export function evaluate(node: Node, values: ReadonlyMap<string, number>): Evaluation {
  try {
    return { ok: true, value: walk(node, values) };
  } catch (e) {
    if (e instanceof Stop) return { ok: false, reason: e.reason };
    throw e;
  }
}

function finite(x: number, column: number, what: string): number {
  if (!Number.isFinite(x)) throw new Stop(`${what} at column ${column} gives ${x}`);
  return x;
}

function walk(node: Node, values: ReadonlyMap<string, number>): number {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'variable': {
      const v = values.get(node.name);
      if (v === undefined) throw new Stop(`${node.name} has no value`);
      return v;
    }
    case 'negate':
      return -walk(node.arg, values);
    case 'binary': {
      const a = walk(node.left, values);
      const b = walk(node.right, values);
      switch (node.op) {
        case '+':
          return finite(a + b, node.column, 'the sum');
        case '-':
          return finite(a - b, node.column, 'the difference');
        case '*':
          return finite(a * b, node.column, 'the product');
        case '/':
          if (b === 0) throw new Stop(`division by zero at column ${node.column}`);
          return finite(a / b, node.column, 'the quotient');
        case '^':
          return finite(a ** b, node.column, `${a} ^ ${b}`);
      }
      break;
    }
    case 'call': {
      const spec = FUNCTIONS[node.fn]!;
      const args = node.args.map((arg) => walk(arg, values));
      const bad = spec.domain?.(args) ?? null;
      if (bad !== null) throw new Stop(`${bad} at column ${node.column}`);
      return finite(spec.apply(args), node.column, `${node.fn}(...)`);
    }
  }
  throw new Stop('an unknown expression node');
}
