/**
 * Reading manifests the way `kubectl apply -f PATH` does, hardened against hostile input:
 *
 * - a folder contributes its `*.yaml`, `*.yml` and `*.json` files (case-sensitive, not recursive), a path
 *   named explicitly is read whatever its extension;
 * - only regular files are read (a symlink only when its target is one): FIFOs, sockets and devices are
 *   reported, never opened for blocking reads; a symlink loop is named as such;
 * - a file may hold at most `maxFileBytes` bytes and `maxYamlNodes` YAML nodes, aliases expanded, nested at
 *   most MAX_DEPTH levels;
 * - content starting with `{` is a JSON stream (a key written twice in an object is refused, as in YAML);
 *   anything else is cut into documents at `---` lines as kubectl's YAMLReader cuts it, each read as
 *   sigs.k8s.io/yaml (go-yaml v2) reads it: YAML 1.1 scalars resolved as go-yaml's resolve.go does
 *   (yaml-resolve.ts: `yes/no/on/off/y/n` are booleans, `0755`, `0o17`, `0x1F` and `0X1F` integers, `.` and
 *   timestamps strings, `1:30` a string), `<<` merge keys, no directives (kubectl refuses them);
 * - `List` objects (any kind ending in `List` with `items`) are unwrapped;
 * - parse errors say where and what, never with a code frame or text of the file (it may be a Secret).
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as YAML from 'yaml';
import { JsonScanError, scanJsonValue, showKey } from './json-stream';
import { JsonObjectSource, JsonText, SourceText, YamlObjectSource, type ObjectSource, type YamlOffsets } from './position';
import { BINARY_TAG, jsonKey, jsonValue, resolveScalar, type Resolved } from './yaml-resolve';

let yamlModule: typeof YAML | undefined;
/** The yaml package, loaded on first use: validating objects in memory (npm run synth) never parses YAML. */
function yaml(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as typeof YAML);
}

/** Limits of the reader. */
export interface ReadLimits {
  /** Largest file read, in bytes. @default 10 MiB */
  readonly maxFileBytes?: number;
  /** Most YAML nodes (scalars, maps, sequences, map keys; aliases counted as what they expand to) per file. @default 2,000,000 */
  readonly maxYamlNodes?: number;
}

export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
export const DEFAULT_MAX_YAML_NODES = 2_000_000;
/**
 * Deepest nesting of maps and sequences (JSON objects and arrays) read, in YAML and JSON alike. No
 * Kubernetes object comes near it (a CRD's schema is some 30 levels deep); the yaml package composes
 * recursively and runs out of stack near 800 levels, and the validator's own walks recurse too, so the
 * limit leaves them room.
 */
export const MAX_DEPTH = 500;

/** The extensions `kubectl apply -f DIR` reads. */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.json', '.yaml', '.yml'];

/** Manifests read from files, with what could not be read. */
export interface ReadResult {
  /** The objects, in file order, `List`s unwrapped. */
  readonly objects: any[];
  /** The file each object came from, by object identity. */
  readonly files: Map<object, string>;
  /** Where each object is in its file (line and column of the object and of its fields), by object identity. */
  readonly sources: Map<object, ObjectSource>;
  /** The files read. */
  readonly read: string[];
  /** One message per path that could not be read or parsed; each names the path. */
  readonly errors: string[];
  /** Files left out on purpose, with the reason (cdk8s's construct-metadata.json), and files without objects. */
  readonly skipped: string[];
}

/** Reads a file's text: only a regular file (or a symlink to one), at most `maxFileBytes` bytes. */
export function readRegularFile(file: string, limits: ReadLimits = {}): string {
  const max = limits.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let st = fs.lstatSync(file);
  if (st.isSymbolicLink()) {
    try {
      st = fs.statSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new Error(`${file}: symlink loop (ELOOP): the link leads back to itself, there is no file to read`);
      throw new Error(`${file}: symlink to a missing target (${code ?? (e as Error).message})`);
    }
    if (!st.isFile()) throw new Error(`${file}: symlink to ${describe(st)}; only regular files are read`);
  } else if (!st.isFile()) {
    throw new Error(`${file}: is ${describe(st)}; only regular files are read`);
  }
  if (st.size > max) throw new Error(`${file}: ${st.size} bytes is over the limit of ${max} bytes (maxFileBytes)`);
  // O_NONBLOCK: should the path have become a FIFO since the stat, open() does not wait for a writer
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const fst = fs.fstatSync(fd);
    if (!fst.isFile()) throw new Error(`${file}: is ${describe(fst)}; only regular files are read`);
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(max + 1, 1 << 20));
    for (;;) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, max + 1 - total), null);
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total > max) throw new Error(`${file}: more than ${max} bytes (maxFileBytes)`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function describe(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/**
 * Parses the text of one manifest file as kubectl does: a JSON stream when it starts with `{`, else
 * multi-document YAML 1.1. Throws an Error naming `file` on syntax errors and on more than
 * `maxYamlNodes` nodes.
 */
export function parseManifestText(text: string, file = '(input)', limits: ReadLimits = {}): any[] {
  return parseManifest(text, file, limits).objects;
}

/** The objects of a manifest file's text (`List`s unwrapped) and, at the same index, where each one is. */
export function parseManifest(text: string, file = '(input)', limits: ReadLimits = {}): { objects: any[]; sources: ObjectSource[] } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const docs = /^\s*\{/.test(body) ? parseJsonStream(body, file, limits, new JsonText(body)) : parseYamlStream(body, file, limits, new SourceText(body));
  const objects: any[] = [];
  const sources: ObjectSource[] = [];
  for (const d of docs) {
    const v = d.value;
    if (v === null || v === undefined) continue;
    if (isList(v)) {
      const items = (v as { items: unknown[] }).items;
      const at = d.items(items.length);
      for (let k = 0; k < items.length; k++) {
        objects.push(items[k]);
        sources.push(at[k] ?? d.source);
      }
    } else {
      objects.push(v);
      sources.push(d.source);
    }
  }
  return { objects, sources };
}

/** A value read from a file, where it is, and where its `items` are should it be a List. */
interface Doc {
  readonly value: unknown;
  readonly source: ObjectSource;
  items(count: number): ObjectSource[];
}

function isList(v: any): boolean {
  return v && typeof v === 'object' && !Array.isArray(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

/** `file: line L, column C: message`, at the position of `offset` in `src`. */
function positioned(file: string, src: SourceText, offset: number, message: string): Error {
  const at = src.position(offset);
  return new Error(`${file}: line ${at.line}, column ${at.column}: ${message}`);
}

// --- YAML ---------------------------------------------------------------------------------------------------------

/**
 * The composer's options: every scalar is kept as its text (the failsafe schema) and resolved as go-yaml v2
 * does (yaml-resolve.ts); merge keys and duplicate keys are handled in toJs, after keys are resolved
 * (`yes` and `true` are the same key); errors without a code frame (it would print the lines of a Secret).
 */
const COMPOSE_OPTIONS: YAML.ParseOptions & YAML.DocumentOptions & YAML.SchemaOptions = {
  version: '1.1',
  schema: 'failsafe',
  merge: false,
  uniqueKeys: false,
  prettyErrors: false,
};

/** Go's unicode.IsSpace, which kubectl trims a `---` line with (not U+FEFF, which String.prototype.trim removes). */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;
const GO_SPACE_PREFIX = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;

/**
 * The documents of a YAML stream as kubectl's YAMLReader (k8s.io/apimachinery util/yaml) cuts them before
 * go-yaml reads each one on its own: at every line that starts with `---`, which must be followed by
 * nothing but spaces or a comment ("invalid Yaml document separator" otherwise). Linear: one pass over the
 * line starts.
 */
function kubectlDocuments(text: string, file: string, src: SourceText): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let docStart = 0;
  for (let line = 0; line < text.length;) {
    const nl = text.indexOf('\n', line);
    const next = nl < 0 ? text.length : nl + 1;
    if (text.startsWith('---', line)) {
      const rest = text.slice(line + 3, nl < 0 ? text.length : nl);
      if (!GO_SPACE.test(rest) && rest.slice(rest.match(GO_SPACE_PREFIX)![0].length)[0] !== '#') {
        throw positioned(file, src, line, 'text after "---" on its line: kubectl takes a line that starts with "---" as a document separator and accepts only spaces or a comment after it ("invalid Yaml document separator"); put the content on the next line');
      }
      out.push({ start: docStart, end: line });
      docStart = next;
    }
    line = next;
  }
  out.push({ start: docStart, end: text.length });
  return out;
}

/** Whether text[start, end) holds only spaces, line breaks and comments. */
function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    if (c !== 35) return false; // '#'
    const nl = text.indexOf('\n', i);
    if (nl < 0 || nl >= end) return true;
    i = nl;
  }
  return true;
}

/** The offset of the first line of text[start, end) that is neither blank nor a comment, if it starts with `%`. */
function directiveAt(text: string, start: number, end: number): number {
  for (let i = start; i < end;) {
    const nl = text.indexOf('\n', i);
    const next = nl < 0 || nl >= end ? end : nl + 1;
    if (!isBlank(text, i, next)) return text.charCodeAt(i) === 37 ? i : -1; // '%'
    i = next;
  }
  return -1;
}

/** What go-yaml v2 (the reader kubectl uses) says of the directive at `at`. */
function directiveError(text: string, at: number): string {
  const version = /^%YAML[ \t]+([0-9]{1,4})\.([0-9]{1,4})(?=\s|$)/.exec(text.slice(at, at + 32));
  if (version && (version[1] !== '1' || version[2] !== '1')) {
    return `%YAML ${Number(version[1])}.${Number(version[2])}: kubectl reads YAML 1.1 only and refuses the file (go-yaml v2: "found incompatible YAML document"); remove the directive`;
  }
  if (version || /^%TAG[ \t]/.test(text.slice(at, at + 5))) {
    return 'a %YAML or %TAG directive: kubectl cuts the file at "---" lines before it reads YAML, so the directive ends up alone and kubectl refuses the file (go-yaml v2: "did not find expected <document start>"); remove the directive';
  }
  return 'an unknown directive: kubectl refuses the file (go-yaml v2: "found unknown directive name")';
}

/** The yaml package's messages that quote nothing of the input, by code or as they are. */
const LITERAL_MESSAGES = /^(An alias node must not specify any properties|Alias cannot be an empty string|Anchor cannot be an empty string|All sequence items must start at the same column|A block sequence may not be used as an implicit map key|Nested mappings are not allowed in compact mappings|Block scalar header not found|The : indicator must be at most 1024 chars after the start of an implicit (block mapping|flow sequence) key|Missing closing ['"]quote|Block collection cannot start on same line with directives-end marker|Comments must be separated from other tokens by white space characters|Implicit map keys need to be followed by map values|Missing directives-end(\/doc-start)? indicator line|Sequence item without - indicator|Tags and anchors must be separated from the next token by white space|Missing (,|, or :) between flow (map|sequence) items|Missing space after : in flow (map|sequence)|Implicit keys need to be on a single line|Implicit keys of flow sequence pairs need to be on a single line|A node can have at most one anchor|A node can have at most one tag|Tabs are not allowed as indentation|Unexpected , in flow (map|sequence)|Unexpected empty item in flow (map|sequence)|Flow (sequence|map) in block collection must be sufficiently indented and end with a [\]}]|All mapping items must start at the same column|Unexpected [a-z-]+ at node end|Unexpected [a-z-]+ token|Plain value cannot start with reserved character [@`]|Verbatim tags must end with a >)$/;
/** A message that ends with a quote of the input: the part before it. */
const QUOTING_MESSAGE = /^(Unexpected [a-z-]+ token in YAML stream): /;
const CODE_MESSAGES: { readonly [code: string]: string } = {
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote the value)',
  BAD_PROP_ORDER: 'anchors and tags must come after the indicator',
  BAD_INDENT: 'bad indentation',
  BAD_DIRECTIVE: 'an invalid directive',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection',
  MISSING_CHAR: 'a character is missing here (a closing quote or bracket, a comma or a colon)',
  TAG_RESOLVE_FAILED: 'a tag that cannot be resolved (is its handle declared?)',
  UNEXPECTED_TOKEN: 'unexpected content here',
};

/**
 * A YAML syntax error, told without a code frame and without any text of the input: the parse failed, so
 * whether the document is a Secret cannot be told, and some of the yaml package's messages quote the source.
 */
function yamlErrorMessage(e: YAML.YAMLError, maxDepth: number): string {
  if (e.code === 'RESOURCE_EXHAUSTION') return `nested too deeply (more than ${maxDepth} levels are refused; the YAML reader ran out of stack)`;
  const quoting = QUOTING_MESSAGE.exec(e.message);
  const text = LITERAL_MESSAGES.test(e.message) ? e.message : quoting ? quoting[1] : CODE_MESSAGES[e.code] ?? 'YAML syntax error';
  return `${text} (${e.code})`;
}

/**
 * The tokens of the first YAML document of `body` (as go-yaml's Unmarshal, which kubectl runs on each
 * document: text after a `...` end marker is ignored). The parser is driven token by token so that nesting
 * deeper than `maxDepth` stops it at once, after reading no more than that prefix: the yaml package's
 * composer recurses per level and its parser slows down with depth.
 */
function firstDocumentTokens(body: string, maxDepth: number, fail: (offset: number, message: string) => Error): { tokens: YAML.CST.Token[]; aliases: boolean } {
  const lexer = new (yaml().Lexer)();
  const parser = new (yaml().Parser)();
  const tokens: YAML.CST.Token[] = [];
  let documents = 0;
  // an alias is a lexeme of its own starting with "*" (a scalar starting with "*" must be quoted)
  let aliases = false;
  const take = (tok: YAML.CST.Token): boolean => {
    if (tok.type === 'document' && ++documents > 1) return false;
    // after the first document only its end marker and comments belong to it
    if (documents === 1 && tok.type !== 'document' && tok.type !== 'doc-end' && tok.type !== 'comment' && tok.type !== 'space' && tok.type !== 'newline') return false;
    tokens.push(tok);
    return true;
  };
  for (const lexeme of lexer.lex(body, false)) {
    if (lexeme.charCodeAt(0) === 42) aliases = true;
    for (const tok of parser.next(lexeme)) if (!take(tok)) return { tokens, aliases };
    // the stack holds the document, its open collections and at most a scalar and a pair being built
    if (parser.stack.length > maxDepth + 2) throw fail(parser.offset, `nested more than ${maxDepth} levels deep (maps and sequences)`);
  }
  for (const tok of parser.end()) if (!take(tok)) return { tokens, aliases };
  return { tokens, aliases };
}

function parseYamlStream(text: string, file: string, limits: ReadLimits, src: SourceText): Doc[] {
  const maxNodes = limits.maxYamlNodes ?? DEFAULT_MAX_YAML_NODES;
  const maxDepth = MAX_DEPTH;
  let budget = maxNodes;
  const out: Doc[] = [];
  const offsets: YamlOffsets = new Map();
  let n = 0;
  for (const chunk of kubectlDocuments(text, file, src)) {
    n++;
    // a byte order mark after "---": go-yaml reads each document on its own and skips one at its start
    const base = text.charCodeAt(chunk.start) === 0xfeff ? chunk.start + 1 : chunk.start;
    if (isBlank(text, base, chunk.end)) continue;
    const fail = (offset: number, message: string) => positioned(file, src, base + offset, message);
    const directive = directiveAt(text, base, chunk.end);
    if (directive >= 0) throw positioned(file, src, directive, directiveError(text, directive));
    const body = text.slice(base, chunk.end);
    const { tokens, aliases: hasAliases } = firstDocumentTokens(body, maxDepth, fail);
    const doc = [...new (yaml().Composer)(COMPOSE_OPTIONS).compose(tokens, false, body.length)][0];
    if (!doc) continue;
    if (doc.errors.length) throw fail(doc.errors[0].pos[0], yamlErrorMessage(doc.errors[0], maxDepth));
    try {
      const aliases = hasAliases ? resolveAliases(doc) : new Map<YAML.Alias, YAML.Node>();
      const expanded = expandedSize(doc.contents, aliases, budget);
      budget -= expanded.size;
      if (budget < 0) throw new Error(`${file}: more than ${maxNodes} YAML nodes with aliases expanded (maxYamlNodes); an alias bomb?`);
      if (expanded.depth > maxDepth) throw fail(doc.contents?.range?.[0] ?? 0, `nested more than ${maxDepth} levels deep (maps and sequences${aliases.size ? ', aliases expanded' : ''})`);
      const value = toJs(doc.contents, { aliases, memo: new Map(), offsets, base, fail });
      const source = new YamlObjectSource(src, offsets, value, base + (doc.contents?.range?.[0] ?? 0));
      out.push({ value, source, items: () => source.items() });
    } catch (e) {
      if (e instanceof RangeError) throw new Error(`${file}: document ${n} is nested too deeply`);
      const msg = (e as Error).message;
      throw new Error(msg.startsWith(file) ? msg : `${file}: document ${n}: ${msg}`);
    }
  }
  return out;
}

/**
 * The node each alias of a document refers to: the last node with that anchor before the alias, in
 * document order. One pass (the yaml package's Alias.resolve scans the document for every alias).
 */
function resolveAliases(doc: YAML.Document.Parsed): Map<YAML.Alias, YAML.Node> {
  const anchors = new Map<string, YAML.Node>();
  const aliases = new Map<YAML.Alias, YAML.Node>();
  yaml().visit(doc, {
    Alias: (_k, node) => {
      const target = anchors.get(node.source);
      if (!target) throw new Error(`alias *${node.source} has no anchor before it`);
      aliases.set(node, target);
    },
    Node: (_k, node) => {
      if (!yaml().isAlias(node) && node.anchor) anchors.set(node.anchor, node);
    },
  });
  return aliases;
}

/**
 * Number of nodes a document becomes once its aliases are expanded, and how deep it is nested then, computed
 * without expanding: each node's size and depth are memoized, so an alias costs one lookup. Stops counting
 * past `limit`.
 */
function expandedSize(root: unknown, aliases: Map<YAML.Alias, YAML.Node>, limit: number): { size: number; depth: number } {
  const memo = new Map<unknown, number>();
  const depths = new Map<unknown, number>();
  const active = new Set<unknown>();
  let depth = 0;
  const size = (node: unknown): number => {
    depth = 0;
    if (node === null || node === undefined) return 0;
    const known = memo.get(node);
    if (known !== undefined) {
      depth = depths.get(node)!;
      return known;
    }
    let n: number;
    let d = 0;
    if (yaml().isAlias(node)) {
      const target = aliases.get(node)!;
      if (active.has(target)) throw new Error(`alias *${node.source} refers to a node that contains it`);
      n = size(target);
      d = depth;
    } else if (yaml().isPair(node)) {
      n = size(node.key);
      d = depth;
      n += size(node.value);
      d = Math.max(d, depth);
    } else if (yaml().isCollection(node)) {
      active.add(node);
      n = 1;
      for (const item of node.items) {
        n += size(item);
        d = Math.max(d, depth);
        if (n > limit) break;
      }
      d++;
      active.delete(node);
    } else {
      n = 1;
    }
    memo.set(node, n);
    depths.set(node, d);
    depth = d;
    return n;
  };
  const n = size(root);
  return { size: n, depth };
}

/** What toJs needs: the aliases' targets, the values made so far, where keys are, and the document's offset. */
interface ToJsContext {
  readonly aliases: Map<YAML.Alias, YAML.Node>;
  readonly memo: Map<unknown, unknown>;
  readonly offsets: YamlOffsets;
  /** Offset of the document in the file's text (node ranges are relative to the document). */
  readonly base: number;
  readonly fail: (offset: number, message: string) => Error;
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** A `<<` key: plain and untagged (or tagged !!merge), as go-yaml v2's isMerge. */
function isMergeKey(key: unknown): boolean {
  return yaml().isScalar(key) && key.value === '<<' && key.type === 'PLAIN' && (key.tag === undefined || key.tag === MERGE_TAG);
}

/** A scalar node resolved as go-yaml v2 does; throws (positioned) when its tag does not fit its value. */
function resolveNode(node: YAML.Scalar, ctx: ToJsContext): Resolved {
  const v = node.value;
  // !!binary: the yaml package decodes the base64; go-yaml makes a string of the bytes (json.Marshal then
  // replaces invalid UTF-8 with U+FFFD, as toString does)
  if (v instanceof Uint8Array) return { kind: 'str', value: Buffer.from(v).toString('utf8') };
  const text = typeof v === 'string' ? v : String(v);
  if (node.tag === BINARY_TAG) {
    // Go's base64.StdEncoding.DecodeString: padded, line breaks ignored
    const b64 = text.replace(/[\r\n]/g, '');
    if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw ctx.fail(node.range?.[0] ?? 0, 'a !!binary value that is not base64: kubectl refuses it (go-yaml v2: "!!binary value contains invalid base64 data")');
    return { kind: 'str', value: Buffer.from(b64, 'base64').toString('utf8') };
  }
  try {
    return resolveScalar(text, node.type === 'PLAIN', node.tag);
  } catch (e) {
    throw ctx.fail(node.range?.[0] ?? 0, (e as Error).message);
  }
}

function scalarValue(node: YAML.Scalar, ctx: ToJsContext): unknown {
  const r = resolveNode(node, ctx);
  const v = jsonValue(r);
  if (v === undefined) {
    const what = r.kind === 'float' && Number.isNaN(r.value) ? 'NaN' : r.kind === 'float' && r.value < 0 ? '-Inf' : '+Inf';
    throw ctx.fail(node.range?.[0] ?? 0, `a YAML float ${what === 'NaN' ? '.nan' : what === '-Inf' ? '-.inf' : '.inf'} that JSON cannot hold: kubectl refuses the document ("json: unsupported value: ${what}"); quote it for a string`);
  }
  return v;
}

/** A map key as sigs.k8s.io/yaml converts it to a JSON key; throws for the keys it refuses. */
function keyOf(node: unknown, ctx: ToJsContext): string {
  const target = yaml().isAlias(node) ? ctx.aliases.get(node) : node;
  const at = ((node as YAML.Node | null)?.range?.[0]) ?? 0;
  if (target === null || target === undefined) throw ctx.fail(at, 'an empty (null) key: kubectl refuses it ("unsupported map key of type: <nil>")');
  if (!yaml().isScalar(target)) throw ctx.fail(at, 'a mapping key is a map or a sequence (not supported)');
  const r = resolveNode(target, ctx);
  const key = jsonKey(r);
  if (key === undefined) {
    throw ctx.fail(at, r.kind === 'null' ? 'a null key: kubectl refuses it ("unsupported map key of type: <nil>")' : 'an integer key beyond the int64 range: kubectl refuses it ("unsupported map key of type: uint64")');
  }
  return key;
}

/**
 * The JavaScript value of a node, as kubectl reads it (go-yaml v2 into interface{}, then sigs.k8s.io/yaml's
 * JSON conversion): an alias is the value of its anchor (shared, not copied); map keys become strings; a `<<`
 * merge writes the merged map's entries at its position (later keys override them, a merge overrides earlier
 * keys; of a sequence of maps, earlier maps win); a key written twice is an error.
 */
function toJs(node: unknown, ctx: ToJsContext): unknown {
  if (node === null || node === undefined) return null;
  if (yaml().isAlias(node)) return toJs(ctx.aliases.get(node)!, ctx);
  if (ctx.memo.has(node)) return ctx.memo.get(node);
  let value: unknown;
  if (yaml().isScalar(node)) {
    value = scalarValue(node, ctx);
  } else if (yaml().isMap(node)) {
    const obj: { [k: string]: unknown } = {};
    ctx.memo.set(node, obj);
    // where each key is written (position.ts), in the order the keys are set: the last one of a key wins
    const at: Array<string | number> = [];
    ctx.offsets.set(obj, at);
    const written = new Set<string>();
    for (const pair of node.items) {
      if (isMergeKey(pair.key)) {
        const src = yaml().isAlias(pair.value) ? ctx.aliases.get(pair.value) : pair.value;
        const maps = yaml().isSeq(src) ? [...src.items].reverse() : [src];
        for (const m of maps) {
          const target = yaml().isAlias(m) ? ctx.aliases.get(m) : m;
          if (!yaml().isMap(target)) throw new Error('map merge requires map or sequence of maps as the value');
          const merged = toJs(target, ctx) as object;
          for (const [k, v] of Object.entries(merged)) setKey(obj, k, v);
          for (const x of ctx.offsets.get(merged) ?? []) at.push(x);
        }
        continue;
      }
      const key = keyOf(pair.key, ctx);
      const keyAt = ctx.base + ((pair.key as YAML.Node | null)?.range?.[0] ?? 0);
      if (written.has(key)) throw ctx.fail(keyAt - ctx.base, `duplicate key ${showKey(key)} (written twice in one map)`);
      written.add(key);
      setKey(obj, key, toJs(pair.value, ctx));
      at.push(key, keyAt);
    }
    value = obj;
  } else if (yaml().isSeq(node)) {
    const arr: unknown[] = [];
    ctx.memo.set(node, arr);
    const at: number[] = [];
    ctx.offsets.set(arr, at);
    for (const item of node.items) {
      // !!omap / !!pairs items are pairs
      arr.push(yaml().isPair(item) ? { [keyOf(item.key, ctx)]: toJs(item.value, ctx) } : toJs(item, ctx));
      at.push(ctx.base + (((yaml().isPair(item) ? item.key : item) as YAML.Node | null)?.range?.[0] ?? 0));
    }
    value = arr;
  } else {
    value = null;
  }
  ctx.memo.set(node, value);
  return value;
}

function setKey(obj: { [k: string]: unknown }, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

// --- JSON ---------------------------------------------------------------------------------------------------------

/**
 * A JSON stream (kubectl's decoder reads one value after the other), each value scanned strictly first
 * (json-stream.ts: depth, duplicate keys, syntax, in one linear pass) and then built by JSON.parse; each
 * value counts against maxYamlNodes.
 */
function parseJsonStream(text: string, file: string, limits: ReadLimits, src: JsonText): Doc[] {
  const maxNodes = limits.maxYamlNodes ?? DEFAULT_MAX_YAML_NODES;
  const out: Doc[] = [];
  let budget = maxNodes;
  let i = 0;
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
    if (i >= text.length) break;
    let end: number;
    try {
      const scanned = scanJsonValue(text, i, MAX_DEPTH);
      end = scanned.end;
      budget -= scanned.nodes;
    } catch (e) {
      if (!(e instanceof JsonScanError)) throw e;
      const at = src.position(e.offset);
      throw new Error(`${file}: ${e.syntax ? 'invalid JSON' : 'JSON'} at offset ${e.offset} (line ${at.line}, column ${at.column}): ${e.message}`);
    }
    if (budget < 0) throw new Error(`${file}: more than ${maxNodes} JSON nodes (maxYamlNodes)`);
    let v: unknown;
    try {
      v = JSON.parse(text.slice(i, end));
    } catch {
      // V8's message quotes the input: not shown
      const at = src.position(i);
      throw new Error(`${file}: invalid JSON at offset ${i} (line ${at.line}, column ${at.column})`);
    }
    const at = i;
    out.push({
      value: v,
      source: new JsonObjectSource(src, at),
      items: (count) => Array.from({ length: count }, (_, k) => new JsonObjectSource(src, () => src.locate(at, ['items', k])?.value ?? at)),
    });
    i = end;
  }
  return out;
}

/** Files of a folder that `kubectl apply -f DIR` reads: `*.json`, `*.yaml`, `*.yml`, not recursive, sorted. */
export function listManifestFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.isDirectory() && MANIFEST_EXTENSIONS.includes(path.extname(e.name)))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** cdk8s writes construct-metadata.json next to the manifests when validation plugins run. */
function isConstructMetadata(file: string, values: unknown[]): boolean {
  return path.basename(file) === 'construct-metadata.json' && values.length === 1
    && typeof (values[0] as any)?.version === 'string' && typeof (values[0] as any)?.resources === 'object' && (values[0] as any)?.kind === undefined;
}

/**
 * Reads the manifests of files and folders. Never throws for bad input: unreadable paths, hostile
 * files and syntax errors are returned in `errors`, the readable files are still read.
 */
export function readManifests(paths: readonly string[], limits: ReadLimits = {}): ReadResult {
  const result: ReadResult = { objects: [], files: new Map(), sources: new Map(), read: [], errors: [], skipped: [] };
  // a set of files: one named twice, or by another path (a symlink, ./x and x), is read once
  const readAs = new Map<string, string>();
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      result.errors.push(code === 'ELOOP' ? `${p}: symlink loop (ELOOP): the link leads back to itself, there is no file to read` : `${p}: cannot read (${code ?? (e as Error).message})`);
      continue;
    }
    let files: string[];
    if (st.isDirectory()) {
      try {
        files = listManifestFiles(p);
      } catch (e) {
        result.errors.push(`${p}: cannot list the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        continue;
      }
      if (files.length === 0) {
        result.errors.push(`no manifests (*.yaml, *.yml, *.json) in ${p}`);
        continue;
      }
    } else {
      files = [p];
    }
    for (const file of files) {
      const real = realPath(file);
      const first = readAs.get(real);
      if (first !== undefined) {
        result.skipped.push(first === file ? `${file}: named more than once, read once` : `${file}: the same file as ${first}, read once`);
        continue;
      }
      readAs.set(real, file);
      let values: any[];
      let sources: ObjectSource[];
      try {
        ({ objects: values, sources } = parseManifest(readRegularFile(file, limits), file, limits));
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        result.errors.push(err.code && !err.message.startsWith(file) ? `${file}: cannot read (${err.code})` : err.message);
        continue;
      }
      if (isConstructMetadata(file, values)) {
        result.skipped.push(`${file}: cdk8s construct metadata, not a manifest (kubectl apply -f on this folder would reject it)`);
        continue;
      }
      result.read.push(file);
      if (values.length === 0) result.skipped.push(`${file}: no objects (empty, or only comments and "---" lines); kubectl apply skips it`);
      for (const [k, o] of values.entries()) {
        result.objects.push(o);
        if (o && typeof o === 'object') {
          result.files.set(o, file);
          // an object written twice (a YAML alias) is where it is first
          if (!result.sources.has(o)) result.sources.set(o, sources[k]);
        }
      }
    }
  }
  return result;
}

/** The canonical path of a file (symlinks resolved), or its absolute path when it cannot be resolved (the read reports why). */
function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
