/**
 * The `expression` formula's language: a tokenizer and a recursive-descent parser to an AST. Nothing here
 * evaluates text as code (no eval, no Function): the AST is walked by evaluate.ts.
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?          right-associative; -2^2 = -(2^2) = -4, 2^-1 = 0.5
 *   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 *
 * Every error is LPCV_E_EXPRESSION_INVALID with a 1-based column (detail.column): empty text, text longer
 * than MAX_LENGTH, nesting deeper than MAX_DEPTH, a number that is not a finite double, an unknown
 * character, measure or function, a measure called like a function or a function used like a measure, the
 * wrong number of arguments, a missing parenthesis, trailing text.
 */
import { LpcvError } from '../../../errors/lpcv-error.js';
import { FUNCTIONS, VARIABLES, functionNames, variableNames } from './names.js';

export const MAX_LENGTH = 2000;
export const MAX_DEPTH = 64;

export type Node =
  | { kind: 'number'; value: number; column: number }
  | { kind: 'variable'; name: string; column: number }
  | { kind: 'negate'; arg: Node; column: number }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: Node; right: Node; column: number }
  | { kind: 'call'; fn: string; args: Node[]; column: number };

type Token =
  | { type: 'number'; text: string; value: number; column: number }
  | { type: 'name'; text: string; column: number }
  | { type: 'op'; text: '+' | '-' | '*' | '/' | '^' | '(' | ')' | ','; column: number }
  | { type: 'end'; text: ''; column: number };

function fail(column: number, message: string): never {
  throw new LpcvError('LPCV_E_EXPRESSION_INVALID', `expression: column ${column}: ${message}`, { column });
}

function shown(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}...` : s;
}

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
      continue;
    }
    const column = i + 1;
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(text);
    if (num !== null) {
      const end = i + num[0].length;
      // `2e`, `3x`, `1.5.2`: a number running into letters, digits or a second point is a typo, not two tokens.
      if (end < text.length && /[A-Za-z0-9_.]/.test(text[end]!)) fail(column, `malformed number '${shown(text.slice(i, end + 1))}'`);
      const value = Number(num[0]);
      if (!Number.isFinite(value)) fail(column, `the number ${shown(num[0])} is too large (not a finite double)`);
      tokens.push({ type: 'number', text: num[0], value, column });
      i = end;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (name !== null) {
      tokens.push({ type: 'name', text: name[0], column });
      i += name[0].length;
      continue;
    }
    if ('+-*/^(),'.includes(c)) {
      tokens.push({ type: 'op', text: c as '+', column });
      i += 1;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const printable = cp > 0x20 && cp < 0x7f;
    fail(column, `unexpected character ${printable ? `'${c}'` : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`}`);
  }
  tokens.push({ type: 'end', text: '', column: text.length + 1 });
  return tokens;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.type !== 'end') this.pos += 1;
    return t;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.type === 'op' && t.text === text;
  }

  private enter(column: number): void {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) fail(column, `nesting deeper than ${MAX_DEPTH} levels`);
  }

  private leave(): void {
    this.depth -= 1;
  }

  parseAll(): Node {
    if (this.peek().type === 'end') fail(1, 'the expression is empty');
    const node = this.expr();
    const t = this.peek();
    if (t.type !== 'end') {
      fail(t.column, t.type === 'op' && t.text === ')' ? "unmatched ')'" : `unexpected ${describe(t)} after a complete expression`);
    }
    return node;
  }

  private expr(): Node {
    let left = this.term();
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && (t.text === '+' || t.text === '-')) {
        this.next();
        left = { kind: 'binary', op: t.text, left, right: this.term(), column: t.column };
      } else return left;
    }
  }

  private term(): Node {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && (t.text === '*' || t.text === '/')) {
        this.next();
        left = { kind: 'binary', op: t.text, left, right: this.unary(), column: t.column };
      } else return left;
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.type === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      this.enter(t.column);
      const arg = this.unary();
      this.leave();
      return t.text === '-' ? { kind: 'negate', arg, column: t.column } : arg;
    }
    return this.power();
  }

  private power(): Node {
    const base = this.primary();
    const t = this.peek();
    if (t.type === 'op' && t.text === '^') {
      this.next();
      this.enter(t.column);
      const exponent = this.unary();
      this.leave();
      return { kind: 'binary', op: '^', left: base, right: exponent, column: t.column };
    }
    return base;
  }

  private primary(): Node {
    const t = this.next();
    if (t.type === 'number') return { kind: 'number', value: t.value, column: t.column };
    if (t.type === 'op' && t.text === '(') {
      this.enter(t.column);
      const inner = this.expr();
      this.leave();
      this.expect(')', `'(' at column ${t.column} is not closed`);
      return inner;
    }
    if (t.type === 'name') {
      if (this.isOp('(')) return this.call(t);
      if (Object.hasOwn(FUNCTIONS, t.text)) fail(t.column, `'${t.text}' is a function: write ${t.text}(...)`);
      if (!Object.hasOwn(VARIABLES, t.text)) fail(t.column, `unknown measure '${shown(t.text)}' (measures: ${variableNames()})`);
      return { kind: 'variable', name: t.text, column: t.column };
    }
    if (t.type === 'end') fail(t.column, 'the expression ends early: a number, measure or ( is missing');
    fail(t.column, `unexpected ${describe(t)}: a number, measure or ( was expected`);
  }

  private call(name: Token & { type: 'name' }): Node {
    if (Object.hasOwn(VARIABLES, name.text)) fail(name.column, `'${name.text}' is a measure, not a function`);
    if (!Object.hasOwn(FUNCTIONS, name.text)) fail(name.column, `unknown function '${shown(name.text)}' (functions: ${functionNames()})`);
    const spec = FUNCTIONS[name.text]!;
    const open = this.next();
    this.enter(open.column);
    const args: Node[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.isOp(',')) {
        this.next();
        args.push(this.expr());
      }
    }
    this.leave();
    this.expect(')', `'${name.text}(' at column ${name.column} is not closed`);
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      const want =
        spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : spec.maxArgs === Infinity ? `at least ${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
      fail(name.column, `${name.text} takes ${want} argument${want === '1' ? '' : 's'}, got ${args.length}`);
    }
    return { kind: 'call', fn: name.text, args, column: name.column };
  }

  private expect(op: ')', message: string): void {
    const t = this.peek();
    if (t.type === 'op' && t.text === op) {
      this.next();
      return;
    }
    fail(t.column, t.type === 'end' ? message : `${message}: unexpected ${describe(t)}`);
  }
}

function describe(t: Token): string {
  if (t.type === 'number') return `number ${shown(t.text)}`;
  if (t.type === 'name') return `name '${shown(t.text)}'`;
  if (t.type === 'end') return 'end of the expression';
  return `'${t.text}'`;
}

/** Parses an expression to its AST; LPCV_E_EXPRESSION_INVALID naming the column on any error. */
export function parseExpression(text: string): Node {
  if (typeof text !== 'string') fail(1, 'the expression must be text');
  if (text.length > MAX_LENGTH) fail(MAX_LENGTH + 1, `the expression is ${text.length} characters long (at most ${MAX_LENGTH})`);
  if (text.trim() === '') fail(1, 'the expression is empty');
  return new Parser(tokenize(text)).parseAll();
}

/** The measures an expression reads, in order of first use. */
export function variablesOf(node: Node, into: string[] = []): string[] {
  switch (node.kind) {
    case 'number':
      break;
    case 'variable':
      if (!into.includes(node.name)) into.push(node.name);
      break;
    case 'negate':
      variablesOf(node.arg, into);
      break;
    case 'binary':
      variablesOf(node.left, into);
      variablesOf(node.right, into);
      break;
    case 'call':
      for (const a of node.args) variablesOf(a, into);
      break;
  }
  return into;
}
