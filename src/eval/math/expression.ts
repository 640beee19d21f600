/**
 * A small evaluator for answer-sized math: LaTeX is turned into plain infix, parsed, and
 * evaluated numerically. Letters are variables, so two expressions can be compared at random
 * points (an identity test) without sympy.
 */
import { closingBrace } from '../../agent/answer-extraction.ts';

const FUNCTIONS: Record<string, (x: number) => number> = {
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  sec: (x) => 1 / Math.cos(x),
  csc: (x) => 1 / Math.sin(x),
  cot: (x) => 1 / Math.tan(x),
  arcsin: Math.asin,
  arccos: Math.acos,
  arctan: Math.atan,
  // Python / sympy spellings, as agents pass them to final_answer.
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  ln: Math.log,
  log: Math.log,
  exp: Math.exp,
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, inf: Infinity, oo: Infinity };
const PLAIN_COMMANDS: Record<string, string> = {
  pi: 'pi',
  infty: 'inf',
  cdot: '*',
  times: '*',
  ast: '*',
  div: '/',
};

/** One argument of a LaTeX command: `{...}` or a single character. */
function readArg(s: string, i: number): { text: string; end: number } | null {
  while (s[i] === ' ') i++;
  if (i >= s.length) return null;
  if (s[i] === '{') {
    const close = closingBrace(s, i + 1);
    if (close < 0) return null;
    return { text: s.slice(i + 1, close), end: close + 1 };
  }
  if (s[i] === '\\') {
    const m = /^\\[a-zA-Z]+/.exec(s.slice(i));
    if (m) return { text: m[0], end: i + m[0].length };
  }
  return { text: s[i] ?? '', end: i + 1 };
}

/** LaTeX to plain infix (`\frac{a}{b}` -> `((a)/(b))`), or null when something is not understood. */
export function latexToPlain(s: string): string | null {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const ch = s[i] ?? '';
    if (ch === '\\') {
      const m = /^\\([a-zA-Z]+)/.exec(s.slice(i));
      if (!m?.[1]) return null;
      const name = m[1];
      i += m[0].length;
      if (name === 'frac') {
        const a = readArg(s, i);
        const b = a && readArg(s, a.end);
        if (!a || !b) return null;
        const pa = latexToPlain(a.text);
        const pb = latexToPlain(b.text);
        if (pa === null || pb === null) return null;
        out += `((${pa})/(${pb}))`;
        i = b.end;
      } else if (name === 'binom') {
        // Only sympy reads this form (the evaluator has no commas): binomial(n, k).
        const a = readArg(s, i);
        const b = a && readArg(s, a.end);
        const pa = a && latexToPlain(a.text);
        const pb = b && latexToPlain(b.text);
        if (!b || pa === null || pb === null || pa === undefined || pb === undefined) return null;
        out += `binomial((${pa}),(${pb}))`;
        i = b.end;
      } else if (name === 'sqrt') {
        let index = '2';
        if (s[i] === '[') {
          const close = s.indexOf(']', i);
          if (close < 0) return null;
          const pi = latexToPlain(s.slice(i + 1, close));
          if (pi === null) return null;
          index = pi;
          i = close + 1;
        }
        const a = readArg(s, i);
        if (!a) return null;
        const pa = latexToPlain(a.text);
        if (pa === null) return null;
        out += index === '2' ? `sqrt(${pa})` : `((${pa})^(1/(${index})))`;
        i = a.end;
      } else if (name in PLAIN_COMMANDS) {
        out += ` ${PLAIN_COMMANDS[name]} `;
      } else if (name in FUNCTIONS) {
        out += ` ${name} `;
      } else {
        return null;
      }
    } else if (ch === '{') {
      out += '(';
      i++;
    } else if (ch === '}') {
      out += ')';
      i++;
    } else if (ch === '_') {
      // Subscripts (bases like 52_8, indexed names) have no numeric meaning here.
      return null;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

type Token =
  | { t: 'num'; v: number }
  | { t: 'id'; v: string }
  | { t: 'fn'; v: string }
  | { t: 'op'; v: string }
  | { t: '('; v: '(' }
  | { t: ')'; v: ')' };

function tokenize(s: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    const ch = s[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+(?![a-zA-Z]))?/.exec(rest);
    if (num) {
      tokens.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const word = /^[a-zA-Z]+/.exec(rest);
    if (word) {
      // Known names first, then each remaining letter is its own variable ("xy" = x*y).
      let w = word[0];
      while (w.length) {
        const known = [...Object.keys(FUNCTIONS), ...Object.keys(CONSTANTS)]
          .filter((k) => w.startsWith(k))
          .sort((a, b) => b.length - a.length)[0];
        if (known) {
          tokens.push(known in FUNCTIONS ? { t: 'fn', v: known } : { t: 'id', v: known });
          w = w.slice(known.length);
        } else {
          tokens.push({ t: 'id', v: w[0] ?? '' });
          w = w.slice(1);
        }
      }
      i += word[0].length;
      continue;
    }
    if (ch === '*' && s[i + 1] === '*') {
      tokens.push({ t: 'op', v: '^' });
      i += 2;
      continue;
    }
    if ('+-*/^!'.includes(ch)) tokens.push({ t: 'op', v: ch });
    else if (ch === '(' || ch === '[') tokens.push({ t: '(', v: '(' });
    else if (ch === ')' || ch === ']') tokens.push({ t: ')', v: ')' });
    else return null;
    i++;
  }
  return tokens;
}

export type Env = Record<string, number>;
type Node = (env: Env) => number;

function factorial(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 170) return NaN;
  let r = 1;
  for (let k = 2; k <= n; k++) r *= k;
  return r;
}

class Parser {
  private pos = 0;
  readonly variables = new Set<string>();
  constructor(private readonly tokens: Token[]) {}

  parse(): Node | null {
    const node = this.expr();
    return node && this.pos === this.tokens.length ? node : null;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private expr(): Node | null {
    let left = this.term();
    for (
      let tok = this.peek();
      left && tok?.t === 'op' && '+-'.includes(tok.v);
      tok = this.peek()
    ) {
      this.pos++;
      const right = this.term();
      if (!right) return null;
      const l: Node = left;
      left = tok.v === '+' ? (e) => l(e) + right(e) : (e) => l(e) - right(e);
    }
    return left;
  }

  private startsPrimary(tok: Token | undefined): boolean {
    return tok?.t === 'num' || tok?.t === 'id' || tok?.t === 'fn' || tok?.t === '(';
  }

  private term(): Node | null {
    let left = this.unary();
    for (;;) {
      const tok = this.peek();
      if (!left) return null;
      const l: Node = left;
      if (tok?.t === 'op' && (tok.v === '*' || tok.v === '/')) {
        this.pos++;
        const right = this.unary();
        if (!right) return null;
        left = tok.v === '*' ? (e) => l(e) * right(e) : (e) => l(e) / right(e);
      } else if (this.startsPrimary(tok)) {
        const right = this.power();
        if (!right) return null;
        left = (e) => l(e) * right(e);
      } else {
        return left;
      }
    }
  }

  private unary(): Node | null {
    const tok = this.peek();
    if (tok?.t === 'op' && (tok.v === '-' || tok.v === '+')) {
      this.pos++;
      const inner = this.unary();
      if (!inner) return null;
      return tok.v === '-' ? (e) => -inner(e) : inner;
    }
    return this.power();
  }

  private power(): Node | null {
    const base = this.postfix();
    const tok = this.peek();
    if (base && tok?.t === 'op' && tok.v === '^') {
      this.pos++;
      const exp = this.unary();
      if (!exp) return null;
      return (e) => Math.pow(base(e), exp(e));
    }
    return base;
  }

  private postfix(): Node | null {
    let node = this.primary();
    while (node && this.peek()?.t === 'op' && this.peek()?.v === '!') {
      this.pos++;
      const inner: Node = node;
      node = (e) => factorial(inner(e));
    }
    return node;
  }

  private primary(): Node | null {
    const tok = this.peek();
    if (!tok) return null;
    this.pos++;
    switch (tok.t) {
      case 'num':
        return () => tok.v;
      case 'id': {
        const c = CONSTANTS[tok.v];
        if (c !== undefined) return () => c;
        this.variables.add(tok.v);
        return (e) => e[tok.v] ?? NaN;
      }
      case 'fn': {
        const f = FUNCTIONS[tok.v];
        // sin(x)^2 squares the sine; sin x^2 takes the sine of a square.
        const arg = this.peek()?.t === '(' ? this.postfix() : this.power();
        if (!f || !arg) return null;
        return (e) => f(arg(e));
      }
      case '(': {
        const inner = this.expr();
        if (!inner || this.peek()?.t !== ')') return null;
        this.pos++;
        return inner;
      }
      default:
        return null;
    }
  }
}

/** Token for token the same expression (2^{2019}-2020 and 2**2019 - 2020), even past float range. */
export function sameTokens(a: string, b: string): boolean {
  const plain = (t: string): string | null =>
    t.includes('\\') || /[{}]/.test(t) ? latexToPlain(t) : t;
  const pa = plain(a);
  const pb = plain(b);
  const ta = pa === null ? null : tokenize(pa);
  const tb = pb === null ? null : tokenize(pb);
  if (!ta?.length || !tb?.length) return false;
  return JSON.stringify(ta) === JSON.stringify(tb);
}

export interface ParsedExpression {
  evaluate: Node;
  variables: string[];
}

/** Parses plain infix or LaTeX; null when the text is not an expression this evaluator knows. */
export function parseExpression(text: string): ParsedExpression | null {
  const plain = text.includes('\\') || /[{}]/.test(text) ? latexToPlain(text) : text;
  if (plain === null || !plain.trim()) return null;
  const tokens = tokenize(plain);
  if (!tokens?.length) return null;
  const parser = new Parser(tokens);
  const evaluate = parser.parse();
  if (!evaluate) return null;
  return { evaluate, variables: [...parser.variables].sort() };
}

/** The value of a constant expression, or null (variables, not parseable, not finite-or-inf). */
export function evaluateConstant(text: string): number | null {
  const parsed = parseExpression(text);
  if (!parsed || parsed.variables.length) return null;
  const v = parsed.evaluate({});
  if (Number.isNaN(v)) return null;
  // 2^2023 overflows: two different huge numbers must not compare equal as Infinity.
  if (!Number.isFinite(v) && !/\b(?:inf|oo)\b|\\infty/.test(text)) return null;
  return v;
}
