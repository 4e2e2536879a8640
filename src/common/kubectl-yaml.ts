/**
 * How kubectl reads a plain (unquoted) YAML scalar: sigs.k8s.io/yaml decodes with its copy of go-yaml v2
 * (`goyaml.v2/resolve.go`), which resolves a plain scalar by the YAML 1.1 rules of its own tables, not by
 * the rules of the `yaml` package cdk8s writes with (`version: '1.1'`). The two disagree on a few strings that
 * cdk8s writes unquoted: `0o17`, `0O17`, `0X1F`, `0B101`, `-0o17`, `0o_17`, `1e1_0` are strings to cdk8s's
 * writer and numbers to kubectl, so `namespace: 0o17` fails with `cannot unmarshal number into Go struct
 * field ObjectMeta.metadata.namespace`. This module ports go-yaml v2's resolution as data (its table of
 * words, its hint by first character, Go's `strconv.ParseInt(s, 0, 64)` after `_` is removed) and tells, for a
 * string, whether kubectl would read it unquoted as something else, and as what.
 *
 * @internal
 */

/** What go-yaml v2 makes of a plain scalar. */
export interface GoYamlReading {
  /** The YAML tag it resolves to (a timestamp is decoded as the string it is, so it is a `str` here). */
  readonly tag: 'str' | 'bool' | 'int' | 'float' | 'null';
  /** The value as text: `15` for `0o17`, `true` for `on`, `1e+10` for `1e1_0`. */
  readonly value: string;
}

/** go-yaml v2's `resolveMap`: plain scalars read by table lookup (hint M, S, `.` and the empty string). */
const WORDS: ReadonlyArray<readonly [GoYamlReading, readonly string[]]> = [
  [{ tag: 'bool', value: 'true' }, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']],
  [{ tag: 'bool', value: 'false' }, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']],
  [{ tag: 'null', value: 'null' }, ['', '~', 'null', 'Null', 'NULL']],
  [{ tag: 'float', value: 'NaN' }, ['.nan', '.NaN', '.NAN']],
  [{ tag: 'float', value: 'Infinity' }, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  [{ tag: 'float', value: '-Infinity' }, ['-.inf', '-.Inf', '-.INF']],
];
const WORD = new Map<string, GoYamlReading>(WORDS.flatMap(([reading, words]) => words.map((w) => [w, reading] as const)));

/** go-yaml v2's `resolveTable`: the hint given by a scalar's first character (absent: always a string). */
const HINT: Readonly<Record<string, 'S' | 'D' | 'M' | '.'>> = {
  '+': 'S', '-': 'S', '.': '.',
  ...Object.fromEntries([...'0123456789'].map((c) => [c, 'D'])),
  ...Object.fromEntries([...'yYnNtTfFoO~'].map((c) => [c, 'M'])),
};

/** go-yaml v2's `yamlStyleFloat`, tried (after `_` is removed) when the scalar is not an integer. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's `strconv.ParseFloat` accepts of a scalar starting with `.` (no sign, no `_`, no hex). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/**
 * Go's `strconv.ParseUint(s, 0, 64)`: a base prefix (`0b`, `0o`, `0x` in either case, with at least one
 * character after it; a lone leading `0` means octal), digits of that base; `range` as soon as the value
 * passes 2^64-1, even if a later character is not a digit (Go returns there).
 */
function parseUint(s: string): bigint | 'syntax' | 'range' {
  if (s === '') return 'syntax';
  let base = 10n;
  let digits = s;
  if (s[0] === '0') {
    const p = s.length >= 3 ? s[1].toLowerCase() : '';
    if (p === 'b' || p === 'o' || p === 'x') {
      base = p === 'b' ? 2n : p === 'o' ? 8n : 16n;
      digits = s.slice(2);
    } else {
      base = 8n;
      digits = s.slice(1);
    }
  }
  let n = 0n;
  for (const c of digits) {
    const d = /[0-9]/.test(c) ? BigInt(c.charCodeAt(0) - 48) : /[a-z]/i.test(c) ? BigInt(c.toLowerCase().charCodeAt(0) - 87) : -1n;
    if (d < 0n || d >= base) return 'syntax';
    n = n * base + d;
    if (n > U64_MAX) return 'range';
  }
  return n;
}

/** Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then as parseUint, within the int64 range. */
function parseInt64(s: string): bigint | 'syntax' | 'range' {
  const neg = s[0] === '-';
  const u = parseUint(s[0] === '+' || s[0] === '-' ? s.slice(1) : s);
  if (typeof u !== 'bigint') return u;
  const v = neg ? -u : u;
  return v < I64_MIN || v > I64_MAX ? 'range' : v;
}

/** Go's `big.Int.SetString(s, 0)` for what reaches it (a positive number too large for uint64). */
function parseBig(s: string): bigint | undefined {
  const m = /^([-+]?)(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2];
  const v = /^0[bBoOxX]/.test(body) ? BigInt(body.slice(0, 2).toLowerCase() + body.slice(2))
    : body.length > 1 && body[0] === '0' ? BigInt(`0o${body.slice(1)}`) : BigInt(body);
  return m[1] === '-' ? -v : v;
}

/**
 * How go-yaml v2 (and so kubectl) resolves `plain`, the text of an unquoted, untagged scalar (after YAML's
 * line folding). A port of `resolve()` in sigs.k8s.io/yaml's `goyaml.v2/resolve.go`.
 */
export function goYamlResolve(plain: string): GoYamlReading {
  const hint = plain === '' ? 'N' : HINT[plain[0]];
  if (hint === undefined) return { tag: 'str', value: plain };
  const word = WORD.get(plain);
  if (word) return word;
  if (hint === '.') {
    const f = Number(plain);
    return DOT_FLOAT.test(plain) && Number.isFinite(f) ? { tag: 'float', value: String(f) } : { tag: 'str', value: plain };
  }
  if (hint !== 'D' && hint !== 'S') return { tag: 'str', value: plain };
  // go-yaml v2 tries a timestamp first (2001-12-14, ...) but decodes it into an interface{} as the string it
  // is, and nothing of that shape is a number: not ported
  const s = plain.replace(/_/g, '');
  const i = parseInt64(s);
  if (typeof i === 'bigint') return { tag: 'int', value: String(i) };
  const u = parseUint(s);
  if (typeof u === 'bigint') return { tag: 'int', value: String(u) };
  if (YAML_STYLE_FLOAT.test(s)) {
    const f = Number(s);
    if (Number.isFinite(f)) return { tag: 'float', value: String(f) }; // Go: out of range is an error, then a string
  }
  // go-yaml v2 then retries a `0b` / `-0b` prefix with strconv.ParseInt(rest, 2, 64), which takes a sign:
  // `0b-1` is the integer -1
  if (s.startsWith('0b') || s.startsWith('-0b')) {
    const rest = s.startsWith('0b') ? s.slice(2) : `-${s.slice(3)}`;
    const m = /^([-+]?)([01]+)$/.exec(rest);
    if (m) {
      const v = m[1] === '-' ? -BigInt(`0b${m[2]}`) : BigInt(`0b${m[2]}`);
      if (v >= I64_MIN && v <= (m[1] === '' && s[0] === '0' ? U64_MAX : I64_MAX)) return { tag: 'int', value: String(v) };
    }
  }
  if (u === 'range') {
    const big = parseBig(s);
    if (big !== undefined) return { tag: 'int', value: String(big) };
  }
  return { tag: 'str', value: plain };
}

/**
 * False when kubectlMisreading(value, options) is certainly undefined, from the first character alone (go-yaml
 * v2 reads a plain scalar without a hint for its first character as a string): a cheap test before the full one.
 */
export function mayMisread(value: string, options: { key?: boolean } = {}): boolean {
  return value === '' || HINT[value[0]] !== undefined || (options.key === true && value === '<<');
}

/**
 * What kubectl reads instead of the string `value` when it is written unquoted, described for a message
 * (`the integer 15`, `the boolean true`, `null`, `the number 10000000000`, `a merge key`), or undefined when
 * kubectl reads the same string. `key`: the scalar is a mapping key, where a plain `<<` merges a map.
 */
export function kubectlMisreading(value: string, options: { key?: boolean } = {}): string | undefined {
  if (options.key && value === '<<') return 'a merge key (it merges a map into the object)';
  const r = goYamlResolve(value);
  switch (r.tag) {
    case 'str': return undefined;
    case 'bool': return `the boolean ${r.value}`;
    case 'null': return 'null';
    case 'int': return `the integer ${r.value}`;
    case 'float': return `the number ${r.value}`;
  }
}
