/**
 * Scalars as kubectl reads them: go-yaml v2's `resolve` (gopkg.in/yaml.v2 resolve.go, the reader of
 * sigs.k8s.io/yaml that `kubectl apply -f` uses), then sigs.k8s.io/yaml's conversion of the result to JSON.
 *
 * A plain (unquoted, untagged) scalar is resolved by its first character:
 * - `yYnNtTfFoO~` and the empty string: only the table below (`yes`, `On`, `NO`, `~`, `null`, `True`, ...);
 * - `.`: the table (`.inf`, `.NaN`, ...), else a decimal float such as `.5` (a lone `.` stays a string);
 * - a digit, `+` or `-`: underscores dropped, an integer as Go's `strconv.ParseInt(s, 0, 64)` reads it
 *   (`0x1F`, `0X1F`, `0o17`, `0b101`, `0755` octal, `+1`), else an unsigned 64-bit integer, else a float of the
 *   form `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (`1e3`, `08`), else a string;
 * - anything else: a string.
 * Timestamps stay strings (go-yaml v2 decodes them into interface{} as the text) and there are no base-60
 * numbers. Quoted and block scalars are strings; an explicit tag (`!!int "12"`, `!!str 12`, `!!float 1`)
 * resolves as go-yaml does, and a tag the value does not fit (`!!int abc`) is an error.
 */

/** What a scalar resolved to: a JSON value, or a float that JSON cannot hold (kubectl refuses it). */
export type Resolved =
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number };

const STR = 'tag:yaml.org,2002:str';
const BOOL = 'tag:yaml.org,2002:bool';
const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';
const NULL = 'tag:yaml.org,2002:null';
const TIMESTAMP = 'tag:yaml.org,2002:timestamp';
const BINARY = 'tag:yaml.org,2002:binary';
/** The tags go-yaml v2 resolves (`resolvableTag`); any other tag leaves the text as it is. */
const RESOLVABLE = new Set([STR, BOOL, INT, FLOAT, NULL, TIMESTAMP]);

const TABLE = new Map<string, Resolved>();
for (const [v, words] of [
  [{ kind: 'bool', value: true }, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']],
  [{ kind: 'bool', value: false }, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']],
  [{ kind: 'null' }, ['', '~', 'null', 'Null', 'NULL']],
  [{ kind: 'float', value: NaN }, ['.nan', '.NaN', '.NAN']],
  [{ kind: 'float', value: Infinity }, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']],
  [{ kind: 'float', value: -Infinity }, ['-.inf', '-.Inf', '-.INF']],
] as Array<[Resolved, string[]]>) {
  for (const w of words) TABLE.set(w, v);
}

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_UINT64 = (1n << 64n) - 1n;

/** go-yaml v2's `yamlStyleFloat`. */
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's ParseFloat accepts after a leading `.` (underscores only between digits). */
const DOT_FLOAT = /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/;

/** Go's `strconv.ParseInt(s, 0, 64)` (s without underscores): the value, or undefined when Go returns an error. */
export function parseGoInt(s: string, unsigned = false): bigint | undefined {
  let i = 0;
  let neg = false;
  if (!unsigned && (s[0] === '+' || s[0] === '-')) {
    neg = s[0] === '-';
    i = 1;
  }
  let base = 10;
  let digits = /^[0-9]+$/;
  if (s[i] === '0' && s.length > i + 1) {
    const p = s[i + 1];
    if (p === 'x' || p === 'X') [base, digits, i] = [16, /^[0-9a-fA-F]+$/, i + 2];
    else if (p === 'o' || p === 'O') [base, digits, i] = [8, /^[0-7]+$/, i + 2];
    else if (p === 'b' || p === 'B') [base, digits, i] = [2, /^[01]+$/, i + 2];
    else [base, digits, i] = [8, /^[0-7]+$/, i + 1];
  }
  const body = s.slice(i);
  if (!digits.test(body)) return undefined;
  let v = 0n;
  const b = BigInt(base);
  for (const c of body) v = v * b + BigInt(parseInt(c, 16));
  if (neg) v = -v;
  if (unsigned ? v > MAX_UINT64 : v > MAX_INT64 || v < MIN_INT64) return undefined;
  return v;
}

/** go-yaml v2's parseTimestamp, for an explicit `!!timestamp` tag (the formats Go's time.Parse accepts there). */
function isTimestamp(s: string): boolean {
  return /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$/.test(s)
    || /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/.test(s)
    || /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2} [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?$/.test(s);
}

/** go-yaml v2's `resolve("", s)`: a plain, untagged scalar. */
export function resolvePlain(s: string): Resolved {
  const c = s.charCodeAt(0);
  // the hint: 'M' letters and '~' (table only), '.', digits and signs; the empty string is in the table
  const isDigit = c >= 48 && c <= 57;
  const isSign = c === 43 || c === 45;
  if (s !== '' && !isDigit && !isSign && c !== 46 && 'yYnNtTfFoO~'.indexOf(s[0]) < 0) return { kind: 'str', value: s };
  const known = TABLE.get(s);
  if (known) return known;
  if (c === 46) {
    // '.': maybe a float such as .5 (Go's ParseFloat of the text, underscores between digits allowed)
    if (DOT_FLOAT.test(s)) {
      const f = Number(s.replace(/_/g, ''));
      if (Number.isFinite(f)) return { kind: 'float', value: f };
    }
    return { kind: 'str', value: s };
  }
  if (!isDigit && !isSign) return { kind: 'str', value: s };
  const plain = s.indexOf('_') >= 0 ? s.replace(/_/g, '') : s;
  const int = parseGoInt(plain) ?? parseGoInt(plain, true);
  if (int !== undefined) return { kind: 'int', value: int };
  if (YAML_FLOAT.test(plain)) {
    const f = Number(plain);
    // ParseFloat reports a range error for what overflows to ±Inf: go-yaml then keeps the string
    if (Number.isFinite(f)) return { kind: 'float', value: f };
  }
  return { kind: 'str', value: s };
}

/** Short form of a YAML tag for messages (`!!int`); a tag that is not one of yaml.org's is not shown. */
export function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice(18)}` : 'a local tag';
}

/**
 * go-yaml v2's scalar decoding into interface{}: `plain` for a plain scalar, `tag` its explicit tag (long
 * form) when it has one. Throws (a message without the value) when the value does not fit its tag.
 */
export function resolveScalar(text: string, plain: boolean, tag: string | undefined): Resolved {
  if (tag === undefined || tag === '') return plain ? resolvePlain(text) : { kind: 'str', value: text };
  if (!RESOLVABLE.has(tag)) return { kind: 'str', value: text }; // !foo, the non-specific "!", !!binary (decoded by the caller)
  if (tag === STR) return { kind: 'str', value: text };
  const r = resolvePlain(text);
  const got = r.kind === 'str' ? (tag === TIMESTAMP && isTimestamp(text) ? TIMESTAMP : STR) : r.kind === 'bool' ? BOOL : r.kind === 'null' ? NULL : r.kind === 'int' ? INT : FLOAT;
  if (got === tag) return r;
  if (tag === FLOAT && r.kind === 'int') return { kind: 'float', value: Number(r.value) };
  throw new Error(`a ${shortTag(tag)} tag on a ${shortTag(got)} value: kubectl refuses it (go-yaml v2: "cannot decode ${shortTag(got)} as a ${shortTag(tag)}")`);
}

export { BINARY as BINARY_TAG };

/**
 * The JSON value of a resolved scalar, as sigs.k8s.io/yaml converts it (json.Marshal): integers and floats are
 * numbers; a NaN or infinite float cannot be written as JSON and is refused (undefined).
 */
export function jsonValue(r: Resolved): string | number | boolean | null | undefined {
  switch (r.kind) {
    case 'str':
    case 'bool':
      return r.value;
    case 'null':
      return null;
    case 'int':
      return Number(r.value);
    case 'float':
      return Number.isFinite(r.value) ? r.value : undefined;
  }
}

/**
 * The JSON object key of a resolved scalar, as sigs.k8s.io/yaml converts map keys: strings as they are,
 * integers in decimal, floats as Go's `FormatFloat(f, 'g', -1, 32)` (`.inf`, `-.inf`, `.nan`), booleans
 * `true` / `false`. null and integers above the int64 range are refused (undefined), as there.
 */
export function jsonKey(r: Resolved): string | undefined {
  switch (r.kind) {
    case 'str':
      return r.value;
    case 'bool':
      return r.value ? 'true' : 'false';
    case 'null':
      return undefined;
    case 'int':
      return r.value > MAX_INT64 ? undefined : r.value.toString();
    case 'float':
      return formatFloat32G(r.value);
  }
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 32)`, with go-yaml's names for the infinities and NaN. */
export function formatFloat32G(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Infinity) return '.inf';
  if (f === -Infinity) return '-.inf';
  const x = Math.fround(f);
  if (x === Infinity) return '+Inf'; // float64 beyond float32's range: Go formats the float32 infinity
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  // the shortest decimal that reads back as the same float32
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const s = Math.abs(x).toExponential(p - 1);
    if (Math.fround(Number(s)) === Math.abs(x)) {
      const [m, e] = s.split('e');
      digits = m.replace('.', '').replace(/0+$/, '') || '0';
      exp = Number(e);
      break;
    }
  }
  const sign = x < 0 ? '-' : '';
  // %e when the exponent is < -4 or >= 6 (Go: eprec 6 for the shortest form), else %f
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}
