/**
 * The text of a manifest file, byte for byte what cdk8s's `Yaml.stringify(...docs)` writes (the `yaml` package
 * cdk8s bundles, YAML 1.1, `lineWidth: 0`, `keepUndefined: true`), written faster for the documents cdk8s apps
 * render most: plain objects and arrays of strings, integers, booleans and null, without shared references.
 * A document holding anything else (a string of several lines, of other characters or that `yaml` would quote
 * with single quotes, a fraction, an object met twice, a class instance) is written by `Yaml.stringify` itself,
 * so the output never depends on this module's reading of the `yaml` package beyond the subset below:
 *
 * - a string of one line of printable ASCII without `"` or `\`, at most 1,000 characters: plain where `yaml`
 *   writes it plain (no indicator, `: ` or ` #`, and none of the YAML 1.1 schema's default tags (bool, int,
 *   float, null, timestamp, merge...) of cdk8s's own copy of `yaml` reads it as another type, as its
 *   plainString() tests them), else double-quoted, which for these characters is JSON.stringify()'s quoting;
 * - a safe integer (not -0) as `String(n)`, `true`, `false`, `null` (and `undefined` as `null`, as
 *   `keepUndefined` writes it);
 * - block maps and block sequences (sequences indented under their key), `{}` and `[]` for empty ones.
 *
 * Used by both synth commands; internal. test/synth/yaml-text.test.ts compares it with `Yaml.stringify` on
 * every object of the task app, of the corpus of real configurations and on generated values.
 */
import { createRequire } from 'module';

interface YamlTag {
  readonly default?: boolean | string;
  readonly tag?: string;
  readonly test?: RegExp;
  readonly identify?: (value: unknown) => boolean;
}

/** One copy of cdk8s: its Yaml.stringify, and what the fast path needs of its `yaml` when it may write for it. */
interface Writer {
  readonly stringify: (...docs: unknown[]) => string;
  /** Undefined when the copy's `yaml` is not the major version the subset was written for, or unreadable. */
  readonly strings?: Strings;
}

/** The `yaml` package's verdicts on strings, for text(). */
interface Strings {
  /** Whether a default tag other than `str` of this `yaml` (YAML 1.1) reads a string: then `yaml` quotes it. */
  readonly readAsOtherType: (s: string) => boolean;
  /** Whether a tag other than `str` takes the string itself when the node is made (`<<`, the merge key). */
  readonly takenByOtherTag: (s: string) => boolean;
  /** Memo of text() for this copy. */
  readonly texts: Map<string, string>;
}

/** The `yaml` major version whose output the fast path reproduces (cdk8s 2 bundles yaml 2). */
const YAML_MAJOR = 2;

const writers = new Map<string, Writer>();
/**
 * The writer of the cdk8s package whose main module is `cdk8sMain` (each copy has its own `yaml`). A copy whose
 * `yaml` is not of YAML_MAJOR, or whose schema cannot be read, has every document written by its Yaml.stringify.
 */
function writerOf(cdk8sMain: string): Writer {
  let w = writers.get(cdk8sMain);
  if (w) return w;
  const req = createRequire(cdk8sMain);
  const { Yaml } = req(cdk8sMain) as typeof import('cdk8s');
  w = { stringify: (...docs: unknown[]) => Yaml.stringify(...docs), strings: stringsOf(req) };
  writers.set(cdk8sMain, w);
  return w;
}

/** What text() needs of the `yaml` that `req` resolves, or undefined when it is not one the fast path knows. */
function stringsOf(req: NodeJS.Require): Strings | undefined {
  try {
    const version = String(req('yaml/package.json').version);
    if (Number(version.split('.')[0]) !== YAML_MAJOR) return undefined;
    const YAML = req('yaml');
    const schema = new YAML.Document(null, { keepUndefined: true, lineWidth: 0, version: '1.1' }).schema as { tags: YamlTag[]; compat?: YamlTag[] | null };
    const others = [...schema.tags, ...(schema.compat ?? [])].filter((t) => t.tag !== 'tag:yaml.org,2002:str');
    const tests = others.filter((t) => t.default && t.test instanceof RegExp).map((t) => t.test as RegExp);
    const identifies = others.filter((t) => typeof t.identify === 'function').map((t) => t.identify!);
    return {
      readAsOtherType: (str) => tests.some((re) => re.test(str)),
      takenByOtherTag: (str) => identifies.some((identify) => identify(str)),
      texts: new Map(),
    };
  } catch {
    return undefined;
  }
}

/**
 * The strings the fast path writes: one line of printable ASCII without `"` or `\` (so that `yaml` writes them
 * plain, or double-quoted as JSON.stringify() quotes them), at most 1,000 characters (longer keys are written as
 * explicit `? ` keys); the others make the document fall back.
 */
const WRITABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{0,1000}$/;
/** yaml's plainString(): a string it quotes whatever the schema (indicators, `: `, ` #`, trailing space or `:`). */
const NEEDS_QUOTES = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** yaml's containsDocumentMarker() (after `%`, which NEEDS_QUOTES covers): written as a block in places; not taken. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)/;

/** Thrown inside a document the fast path does not write; caught per document. */
const FALLBACK = Symbol('fallback');

/** The strings of the current yamlText() call's writer. */
let strings: Strings;

/** A string as `yaml` writes it, as a value or a key: plain, or double-quoted where `yaml` quotes it. */
function text(s: string): string {
  let t = strings.texts.get(s);
  if (t === undefined) {
    if (!WRITABLE.test(s) || strings.takenByOtherTag(s)) throw FALLBACK;
    if (NEEDS_QUOTES.test(s)) t = `"${s}"`;
    else if (DOCUMENT_MARKER.test(s)) throw FALLBACK;
    else t = strings.readAsOtherType(s) ? `"${s}"` : s;
    if (strings.texts.size < 100_000) strings.texts.set(s, t);
  }
  return t;
}

function scalar(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string': return text(v);
    case 'number':
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw FALLBACK;
      return String(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'undefined': return 'null';
    case 'object': return v === null ? 'null' : undefined;
    default: throw FALLBACK;
  }
}

/** A plain object or an array, seen for the first time in this document; anything else falls back. */
function collection(v: object, seen: Set<object>): 'map' | 'seq' {
  if (seen.has(v)) throw FALLBACK; // yaml writes an anchor and an alias
  seen.add(v);
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(v)) {
    if (proto !== Array.prototype) throw FALLBACK;
    return 'seq';
  }
  if (proto !== Object.prototype && proto !== null) throw FALLBACK;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') throw FALLBACK;
  return 'map';
}

/**
 * Appends the block collection `v` at `indent` to `out`. `first` is the prefix of its first line when it
 * continues a `- ` of a sequence (its first item on that line), else undefined.
 */
function block(out: string[], v: object, indent: string, seen: Set<object>, first?: string): void {
  let lead = first;
  const next = (): string => {
    const l = lead ?? indent;
    lead = undefined;
    return l;
  };
  if (collection(v, seen) === 'seq') {
    const items = v as unknown[];
    for (let i = 0; i < items.length; i++) {
      if (!(i in items)) throw FALLBACK; // a hole
      item(out, `${next()}- `, items[i], `${indent}  `, seen);
    }
    return;
  }
  const map = v as Record<string, unknown>;
  const keys = Object.keys(map);
  if (!keys.some((k) => map[k] !== null && map[k] !== undefined)) throw FALLBACK; // only nulls: yaml may write a set
  for (const k of keys) {
    const value = map[k];
    const head = `${next()}${text(k)}:`;
    const one = inline(value, seen);
    if (one !== undefined) {
      out.push(`${head} ${one}\n`);
      continue;
    }
    out.push(`${head}\n`);
    block(out, value as object, `${indent}  `, seen);
  }
}

/** Appends one item of a sequence: `prefix` (`<indent>- `), then the value, its collection continuing that line. */
function item(out: string[], prefix: string, value: unknown, indent: string, seen: Set<object>): void {
  const one = inline(value, seen);
  if (one !== undefined) out.push(`${prefix}${one}\n`);
  else block(out, value as object, indent, seen, prefix);
}

/**
 * A value written on its key's or its dash's line: a scalar, or `{}` / `[]` for an empty collection (checked as
 * collection() checks it); undefined for a collection written as a block.
 */
function inline(value: unknown, seen: Set<object>): string | undefined {
  const s = scalar(value);
  if (s !== undefined) return s;
  const c = value as object;
  if (Array.isArray(c) ? c.length > 0 : Object.keys(c).length > 0) return undefined;
  collection(c, seen);
  return Array.isArray(c) ? '[]' : '{}';
}

/** One document as `Yaml.stringify(doc)` writes it, or undefined when the fast path does not write it. */
function fastDocument(doc: unknown): string | undefined {
  try {
    const seen = new Set<object>();
    const one = inline(doc, seen);
    if (one !== undefined) return `${one}\n`;
    const out: string[] = [];
    block(out, doc as object, '', seen);
    return out.join('');
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw e;
  }
}

/** How many documents of the last call the fast path wrote, and how many `Yaml.stringify` (for the tests). */
export const yamlTextStats = { fast: 0, fallback: 0 };

/**
 * `Yaml.stringify(...docs)` of cdk8s, byte for byte (`yaml` writes a document the fast path does not);
 * `cdk8sMain`: the main module of the app's copy of cdk8s (default: the one this package resolves).
 */
export function yamlText(docs: readonly unknown[], cdk8sMain: string = require.resolve('cdk8s')): string {
  const writer = writerOf(cdk8sMain);
  if (writer.strings) strings = writer.strings;
  yamlTextStats.fast = 0;
  yamlTextStats.fallback = 0;
  return docs.map((d) => {
    if (d === undefined) return '\n';
    const fast = writer.strings ? fastDocument(d) : undefined;
    if (fast !== undefined) {
      yamlTextStats.fast++;
      return fast;
    }
    yamlTextStats.fallback++;
    return writer.stringify(d);
  }).join('---\n');
}
