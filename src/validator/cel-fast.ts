/**
 * A fast path for the CRDs' CEL rules: the syntax tree of a rule (cel-<release>.json, cel-ast.ts) compiled into
 * JavaScript closures, so that a validation whose rules all take it never loads @bufbuild/cel (about 600 KB of
 * code and a protobuf registry built at load: most of the validator's cold start) and never plans a rule.
 *
 * It is not a second CEL implementation: it decides only where the answer cannot differ from the interpreter's.
 * compileFast() accepts a tree made of what the kept CRDs use (literals and list and map literals, variables, field selection and has(),
 * indexing, `? :`, `&&`, `||`, `!`, equality and ordering, `+`, `in`, the all/exists/exists_one/map/filter
 * macros, size(), the string functions contains/startsWith/endsWith/matches/split/substring, int(), duration()
 * and the Kubernetes functions of cel-functions.ts) and declines any other (undefined: the rule goes to the
 * interpreter). A compiled rule evaluates only values of the types the operation is defined on without error:
 * ints (bigint) with ints, strings with strings, maps by a key they hold, lists by an index they hold, strings
 * without UTF-16 surrogates where CEL counts code points, ASCII strings where a regular expression or substring()
 * looks at them. Anything else (a missing key, a type mismatch, an int overflow, a heterogeneous comparison, a
 * value that is not a bool) is undecided, and a rule that ends undecided returns undefined: the interpreter
 * evaluates it and gives its own answer or error message. Only `&&` and `||` look past an undecided operand, as
 * CEL's commutative logic does (`error || true` is true): one operand that decides (false for `&&`, true for
 * `||`) gives the result whatever the others are.
 *
 * Regular expressions: CEL's matches() is RE2. A pattern is translated into an equivalent JavaScript RegExp when it
 * is written with literal ASCII characters, character classes of literals and ranges, \d \w \s, `.`, groups
 * (plain and `(?:`), alternation, the repetitions * + ? {n} {n,} {n,m} (m at most 1000), ^ and $, and an initial
 * (?i) (or one after a leading ^); any other pattern is left to the interpreter (test/validator/cel-fast.test.ts checks both agree on every
 * rule of the kept CRDs over generated values).
 */
import { isCidr, isIp, isUrl, schemeOf } from './cel-functions';

/** A syntax tree node: protobuf-es's cel.expr.Expr (ParsedExpr.expr), structurally. */
export interface CelExprNode {
  readonly exprKind: { readonly case?: string; readonly value?: any };
}

/** A compiled rule: the rule's result for `self`, or undefined when the interpreter must decide. */
export type FastProgram = (self: unknown) => boolean | undefined;

/**
 * A compiled node: its value in the current evaluation. Variables are cells, one per declaration (`self`, and the
 * iteration and accumulator variables of each comprehension), bound at compile time by lexical scope and set as the
 * evaluation enters them: a program runs to its end before it runs again (nothing in CEL calls back into a rule),
 * so one cell per declaration is enough, and no scope object is created per evaluation or iteration.
 */
type Fn = () => unknown;
interface Cell { v: unknown }
type Env = ReadonlyMap<string, Cell>;

/** Thrown while compiling a tree that holds something the fast path does not take. */
const UNSUPPORTED = Symbol('unsupported');
/** Thrown while evaluating a value the fast path does not decide on. */
const DEFER = Symbol('defer');

function unsupported(): never {
  throw UNSUPPORTED;
}
function defer(): never {
  throw DEFER;
}

/** A CEL duration (google.protobuf.Duration), in nanoseconds. */
class Duration {
  public constructor(public readonly ns: bigint) {}
}

const INT_MAX = (1n << 63n) - 1n;
const INT_MIN = -(1n << 63n);
const SURROGATE = /[\uD800-\uDFFF]/;
const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex

const bool = (v: unknown): boolean => (typeof v === 'boolean' ? v : defer());
/** A string whose UTF-16 units are its code points (no surrogates), where CEL counts or compares code points. */
const plain = (v: unknown): string => (typeof v === 'string' && !SURROGATE.test(v) ? v : defer());
const ascii = (v: unknown): string => (typeof v === 'string' && !NON_ASCII.test(v) ? v : defer());
const int = (v: unknown): bigint => (typeof v === 'bigint' ? v : defer());

/** CEL `==` of two values of one primitive type (or two nulls, two durations); anything else defers. */
function equals(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return a === b ? true : defer();
  const t = typeof a;
  if (t !== typeof b) defer();
  if (t === 'bigint' || t === 'boolean' || t === 'number') return a === b;
  if (t === 'string') return plain(a) === plain(b);
  if (a instanceof Duration && b instanceof Duration) return a.ns === b.ns;
  return defer();
}

/** The order of two ints, two doubles (not NaN), two strings (code points) or two durations; anything else defers. */
function compare(a: unknown, b: unknown): number {
  const t = typeof a;
  if (t !== typeof b) defer();
  if (t === 'bigint' || t === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) defer();
    return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  }
  if (t === 'string') {
    const x = plain(a);
    const y = plain(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof Duration && b instanceof Duration) return a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0;
  return defer();
}

function add(a: unknown, b: unknown): unknown {
  const t = typeof a;
  if (t !== typeof b) defer();
  if (t === 'bigint') {
    const r = (a as bigint) + (b as bigint);
    return r > INT_MAX || r < INT_MIN ? defer() : r;
  }
  if (t === 'string' || t === 'number') return (a as number) + (b as number);
  if (Array.isArray(a) && Array.isArray(b)) return a.concat(b);
  return defer();
}

function index(c: unknown, i: unknown): unknown {
  if (Array.isArray(c) && typeof i === 'bigint' && i >= 0n && i < BigInt(c.length)) return c[Number(i)];
  if (c instanceof Map && typeof i === 'string' && c.has(i)) return c.get(i);
  return defer();
}

function size(v: unknown): bigint {
  if (typeof v === 'string') return BigInt(plain(v).length);
  if (Array.isArray(v)) return BigInt(v.length);
  if (v instanceof Map) return BigInt(v.size);
  return defer();
}

function within(v: unknown, c: unknown): boolean {
  if (Array.isArray(c)) {
    for (const e of c) if (equals(v, e)) return true;
    return false;
  }
  if (c instanceof Map && typeof v === 'string') return c.has(v);
  return defer();
}

const DURATION = /^(?:[0-9]{1,9}(?:h|ms|m|s)){1,4}$/;
const UNIT_NS: Record<string, bigint> = { h: 3_600_000_000_000n, m: 60_000_000_000n, s: 1_000_000_000n, ms: 1_000_000n };
/** duration() of the strings Gateway API's Duration format allows (digits and h, m, s, ms); others defer. */
function duration(v: unknown): Duration {
  if (typeof v !== 'string' || !DURATION.test(v)) defer();
  let ns = 0n;
  for (const m of v.matchAll(/([0-9]+)(h|ms|m|s)/g)) ns += BigInt(m[1]) * UNIT_NS[m[2]];
  return new Duration(ns);
}

/** int() of an int, or of a string of decimal digits without sign, leading zeros or overflow; others defer. */
function toInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^-?(?:0|[1-9][0-9]{0,17})$/.test(v)) return BigInt(v);
  return defer();
}

function substring(s: unknown, start: unknown, end?: unknown): string {
  const t = ascii(s);
  const from = int(start);
  const to = end === undefined ? BigInt(t.length) : int(end);
  if (from < 0n || from > to || to > BigInt(t.length)) defer();
  return t.substring(Number(from), Number(to));
}

const PERL: Record<string, string> = { d: '0-9', w: '0-9A-Za-z_', s: '\\t\\n\\f\\r ' };
const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
const printable = (c: string | undefined): c is string => c !== undefined && c >= ' ' && c <= '~';
/** RE2 escapes of punctuation that stand for the character itself. */
const PUNCT = /^[-\\.*+?()[\]{}|^$/]$/;

/**
 * An equivalent JavaScript RegExp of an RE2 pattern written with the constructs of the module comment, for
 * ASCII input; undefined for any other pattern.
 */
export function re2ToRegExp(pattern: string): RegExp | undefined {
  let i = 0;
  let flags = '';
  let out = '';
  // (?i) at the start, or after a leading ^ (which case does not touch)
  for (const head of ['(?i)', '^(?i)']) {
    if (pattern.startsWith(head)) {
      flags = 'i';
      i = head.length;
      out = head.startsWith('^') ? '^' : '';
    }
  }
  let depth = 0;
  let quantifiable = false;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const d = pattern[i + 1];
      if (d !== undefined && d in PERL) out += `[${PERL[d]}]`;
      else if (d !== undefined && PUNCT.test(d)) out += hex(d);
      else return undefined;
      i += 2;
      quantifiable = true;
    } else if (c === '[') {
      const cls = characterClass(pattern, i + 1);
      if (!cls) return undefined;
      out += cls.text;
      i = cls.end;
      quantifiable = true;
    } else if (c === '(') {
      if (pattern.startsWith('(?:', i)) {
        out += '(?:';
        i += 3;
      } else if (pattern[i + 1] === '?') {
        return undefined; // flags, named groups
      } else {
        out += '(';
        i++;
      }
      depth++;
      quantifiable = false;
    } else if (c === ')') {
      if (--depth < 0 || out.endsWith('(') || out.endsWith('(?:')) return undefined;
      out += ')';
      i++;
      quantifiable = true;
    } else if (c === '|') {
      out += '|';
      i++;
      quantifiable = false;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      let q = c;
      if (c === '{') {
        const m = /^\{([0-9]{1,4})(,([0-9]{1,4})?)?\}/.exec(pattern.slice(i));
        if (!m) return undefined; // RE2 reads a '{' that starts no repetition as a literal: left to it
        const min = Number(m[1]);
        const max = m[3] === undefined ? min : Number(m[3]);
        if (min > 1000 || max > 1000 || (m[3] !== undefined && max < min)) return undefined;
        q = m[0];
      }
      if (!quantifiable) return undefined;
      out += q;
      i += q.length;
      if (pattern[i] === '?') {
        out += '?';
        i++;
      }
      quantifiable = false;
    } else if (c === '^' || c === '$') {
      out += c;
      i++;
      quantifiable = false;
    } else if (c === '.') {
      out += '[^\\n]'; // RE2's `.` matches \r, JavaScript's does not
      i++;
      quantifiable = true;
    } else if (printable(c)) {
      out += hex(c);
      i++;
      quantifiable = true;
    } else {
      return undefined;
    }
  }
  if (depth !== 0) return undefined;
  try {
    return new RegExp(out, flags);
  } catch {
    return undefined;
  }
}

/** A class `[...]` whose contents start at `start` (after '['): literals, ranges of literals, \d \w \s, negation. */
function characterClass(p: string, start: number): { text: string; end: number } | undefined {
  let j = start;
  let text = '[';
  if (p[j] === '^') {
    text += '^';
    j++;
  }
  const literal = (): string | undefined => {
    const c = p[j];
    if (c === '\\') {
      const d = p[j + 1];
      if (d === undefined || !PUNCT.test(d)) return undefined;
      j += 2;
      return d;
    }
    if (!printable(c) || c === '[' || c === ']') return undefined;
    j++;
    return c;
  };
  let first = true;
  while (p[j] !== ']' || first) {
    if (p[j] === undefined) return undefined;
    if (p[j] === '\\' && p[j + 1] !== undefined && p[j + 1] in PERL) {
      text += PERL[p[j + 1]];
      j += 2;
    } else {
      if (p[j] === ']') return undefined; // RE2 reads a leading ']' as a literal: left to it
      const lo = literal();
      if (lo === undefined) return undefined;
      if (p[j] === '-' && p[j + 1] !== ']' && p[j + 1] !== undefined) {
        j++;
        const hi = literal();
        if (hi === undefined || hi < lo) return undefined;
        text += `${hex(lo)}-${hex(hi)}`;
      } else {
        text += hex(lo);
      }
    }
    first = false;
  }
  return { text: `${text}]`, end: j + 1 };
}

/** The program of a rule's tree, or undefined when the tree holds anything the fast path does not take. */
export function compileFast(expr: CelExprNode): FastProgram | undefined {
  const self: Cell = { v: undefined };
  let fn: Fn;
  try {
    fn = compile(expr, new Map([['self', self]]));
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
  return (value) => {
    self.v = value;
    try {
      const r = fn();
      return typeof r === 'boolean' ? r : undefined;
    } catch {
      return undefined; // deferred (or any failure, such as a stack overflow on deep input): the interpreter decides
    }
  };
}

function compile(e: CelExprNode, env: Env): Fn {
  const v = e?.exprKind?.value;
  switch (e?.exprKind?.case) {
    case 'constExpr': {
      const k = v.constantKind;
      switch (k?.case) {
        case 'int64Value': {
          const n = k.value;
          if (typeof n !== 'bigint') unsupported();
          return () => n;
        }
        case 'doubleValue':
        case 'stringValue':
        case 'boolValue': {
          const x = k.value;
          return () => x;
        }
        case 'nullValue':
          return () => null;
        default:
          return unsupported();
      }
    }
    case 'identExpr': {
      const cell = env.get(v.name as string) ?? unsupported();
      return () => cell.v;
    }
    case 'selectExpr': {
      const field: string = v.field;
      const operand = compile(v.operand, env);
      // a key whose value is null: the interpreter's has() says false, as for an absent field; left to it
      if (v.testOnly) {
        return () => {
          const m = operand();
          if (!(m instanceof Map)) defer();
          const x = m.get(field);
          return x === null ? defer() : x !== undefined || m.has(field);
        };
      }
      return () => {
        const m = operand();
        const x = m instanceof Map ? m.get(field) : undefined;
        return x === undefined || x === null ? defer() : x;
      };
    }
    case 'listExpr': {
      if (v.optionalIndices?.length) unsupported();
      const items = (v.elements as CelExprNode[]).map((x) => compile(x, env));
      return () => items.map((f) => f());
    }
    case 'structExpr': {
      if (v.messageName) unsupported(); // a message; without a name, a map literal
      const entries = (v.entries as any[]).map((x) => {
        if (x.optionalEntry || x.keyKind?.case !== 'mapKey') unsupported();
        return [compile(x.keyKind.value, env), compile(x.value, env)] as const;
      });
      return () => {
        const m = new Map<string, unknown>();
        for (const [k, x] of entries) {
          const key = k();
          if (typeof key !== 'string' || m.has(key)) defer(); // other key types; a repeated key is an error
          m.set(key, x());
        }
        return m;
      };
    }
    case 'callExpr':
      return call(v.function, v.target, v.args ?? [], env);
    case 'comprehensionExpr':
      return comprehension(v, env);
    default:
      return unsupported();
  }
}

function comprehension(v: any, env: Env): Fn {
  if (v.iterVar2) unsupported(); // two-variable comprehensions
  const iter: Cell = { v: undefined };
  const accu: Cell = { v: undefined };
  const range = compile(v.iterRange, env);
  const init = compile(v.accuInit, env);
  const loop = new Map([...env, [v.iterVar as string, iter], [v.accuVar as string, accu]]);
  const cond = compile(v.loopCondition, loop);
  const step = compile(v.loopStep, loop);
  const result = compile(v.result, new Map([...env, [v.accuVar as string, accu]]));
  return () => {
    const r = range();
    const items: Iterable<unknown> = Array.isArray(r) ? r : r instanceof Map ? r.keys() : defer();
    accu.v = init();
    for (const x of items) {
      iter.v = x;
      if (!bool(cond())) break;
      accu.v = step();
    }
    return result();
  };
}

function call(fn: string, target: CelExprNode | undefined, argNodes: CelExprNode[], env: Env): Fn {
  const t = target === undefined ? undefined : compile(target, env);
  const args = argNodes.map((x) => compile(x, env));
  const [a, b, c] = args;
  const arity = (withTarget: boolean, n: number) => {
    if ((t !== undefined) !== withTarget || args.length !== n) unsupported();
  };
  switch (fn) {
    case '_&&_':
    case '_||_': {
      if (t !== undefined || args.length < 2) unsupported();
      // CEL's && and || are commutative: one false (true) operand decides, whatever the others evaluate to, errors
      // included; an operand the fast path does not decide on matters only when no operand decides
      const stop = fn === '_||_';
      return () => {
        let unknown = false;
        for (const f of args) {
          let v: unknown;
          try {
            v = f();
          } catch (e) {
            if (e !== DEFER) throw e;
            unknown = true;
            continue;
          }
          if (v === stop) return stop;
          if (typeof v !== 'boolean') unknown = true;
        }
        return unknown ? defer() : !stop;
      };
    }
    case '!_':
      arity(false, 1);
      return () => !bool(a());
    case '@not_strictly_false':
    case '__not_strictly_false__':
      arity(false, 1);
      return () => bool(a());
    case '_?_:_':
      arity(false, 3);
      return () => (bool(a()) ? b() : c());
    case '_==_':
      arity(false, 2);
      return () => equals(a(), b());
    case '_!=_':
      arity(false, 2);
      return () => !equals(a(), b());
    case '_<_':
      arity(false, 2);
      return () => compare(a(), b()) < 0;
    case '_<=_':
      arity(false, 2);
      return () => compare(a(), b()) <= 0;
    case '_>_':
      arity(false, 2);
      return () => compare(a(), b()) > 0;
    case '_>=_':
      arity(false, 2);
      return () => compare(a(), b()) >= 0;
    case '_+_':
      arity(false, 2);
      return () => add(a(), b());
    case '_[_]':
      arity(false, 2);
      return () => index(a(), b());
    case '@in':
      arity(false, 2);
      return () => within(a(), b());
    case 'size':
      if (t !== undefined) {
        arity(true, 0);
        return () => size(t());
      }
      arity(false, 1);
      return () => size(a());
    case 'contains':
      arity(true, 1);
      return () => plain(t!()).includes(plain(a()));
    case 'startsWith':
      arity(true, 1);
      return () => plain(t!()).startsWith(plain(a()));
    case 'endsWith':
      arity(true, 1);
      return () => plain(t!()).endsWith(plain(a()));
    case 'matches': {
      // s.matches(re) or matches(s, re), with a literal pattern
      const [subject, patternNode] = t !== undefined ? [t, argNodes[0]] : [a, argNodes[1]];
      if (args.length !== (t !== undefined ? 1 : 2)) unsupported();
      const k = (patternNode as any)?.exprKind?.value?.constantKind;
      if (patternNode?.exprKind?.case !== 'constExpr' || k?.case !== 'stringValue') unsupported();
      const re = re2ToRegExp(k.value) ?? unsupported();
      return () => re.test(ascii(subject()));
    }
    case 'split':
      arity(true, 1);
      return () => {
        const sep = plain(a());
        return sep === '' ? defer() : plain(t!()).split(sep);
      };
    case 'substring':
      if (t === undefined || args.length < 1 || args.length > 2) unsupported();
      return () => substring(t(), a(), b === undefined ? undefined : b());
    case 'int':
      arity(false, 1);
      return () => toInt(a());
    case 'duration':
      arity(false, 1);
      return () => duration(a());
    case 'isURL':
      arity(false, 1);
      return () => isUrl(plain(a()));
    case 'url':
      arity(false, 1);
      return () => {
        const u = plain(a());
        return isUrl(u) ? u : defer();
      };
    case 'getScheme':
      arity(true, 0);
      return () => schemeOf(plain(t!()));
    case 'isIP':
      arity(false, 1);
      return () => isIp(plain(a()));
    case 'isCIDR':
      arity(false, 1);
      return () => isCidr(plain(a()));
    default:
      return unsupported();
  }
}
