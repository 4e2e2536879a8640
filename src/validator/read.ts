/**
 * Reading manifests the way `kubectl apply -f PATH` does, hardened against hostile input:
 *
 * - a folder contributes its `*.yaml`, `*.yml` and `*.json` files (case-sensitive, not recursive), a path
 *   named explicitly is read whatever its extension;
 * - only regular files are read (a symlink only when its target is one): FIFOs, sockets and devices are
 *   reported, never opened for blocking reads;
 * - a file may hold at most `maxFileBytes` bytes and `maxYamlNodes` YAML nodes, aliases expanded;
 * - content starting with `{` is a JSON stream, anything else YAML 1.1 as sigs.k8s.io/yaml (go-yaml v2)
 *   reads it: `yes/no/on/off/y/n` are booleans, `<<` merge keys work, `0755` is octal; timestamps and
 *   `1:30` stay strings;
 * - `List` objects (any kind ending in `List` with `items`) are unwrapped.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as YAML from 'yaml';
import { JsonObjectSource, JsonText, SourceText, YamlObjectSource, type ObjectSource, type YamlOffsets } from './position';

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
  /** Files left out on purpose, with the reason (cdk8s's construct-metadata.json). */
  readonly skipped: string[];
}

const YAML_11_OPTIONS: YAML.ParseOptions & YAML.DocumentOptions & YAML.SchemaOptions = {
  version: '1.1',
  merge: true,
  // go-yaml v2 decodes timestamps into interface{} as strings and has no base-60 numbers
  customTags: (tags) => tags.filter((t) => !(typeof t === 'object' && (t.tag === 'tag:yaml.org,2002:timestamp' || (t as { format?: string }).format === 'TIME'))),
};

/** Reads a file's text: only a regular file (or a symlink to one), at most `maxFileBytes` bytes. */
export function readRegularFile(file: string, limits: ReadLimits = {}): string {
  const max = limits.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let st = fs.lstatSync(file);
  if (st.isSymbolicLink()) {
    try {
      st = fs.statSync(file);
    } catch (e) {
      throw new Error(`${file}: symlink to a missing target (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
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
  const maxNodes = limits.maxYamlNodes ?? DEFAULT_MAX_YAML_NODES;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const docs = /^\s*\{/.test(body) ? parseJsonStream(body, file, maxNodes, new JsonText(body)) : parseYaml11(body, file, maxNodes, new SourceText(body));
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

function parseYaml11(text: string, file: string, maxNodes: number, src: SourceText): Doc[] {
  const docs = yaml().parseAllDocuments(text, YAML_11_OPTIONS);
  const list = Array.isArray(docs) ? docs : [docs];
  let budget = maxNodes;
  const out: Doc[] = [];
  const offsets: YamlOffsets = new Map();
  for (const [i, doc] of list.entries()) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    try {
      const aliases = resolveAliases(doc);
      budget -= expandedSize(doc.contents, aliases, budget);
      if (budget < 0) throw new Error(`${file}: more than ${maxNodes} YAML nodes with aliases expanded (maxYamlNodes); an alias bomb?`);
      const value = toJs(doc.contents, aliases, new Map(), offsets);
      const source = new YamlObjectSource(src, offsets, value, doc.contents?.range?.[0] ?? 0);
      out.push({ value, source, items: () => source.items() });
    } catch (e) {
      if (e instanceof RangeError) throw new Error(`${file}: document ${i + 1} is nested too deeply`);
      const msg = (e as Error).message;
      throw new Error(msg.startsWith(file) ? msg : `${file}: document ${i + 1}: ${msg}`);
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
 * Number of nodes a document becomes once its aliases are expanded, computed without expanding:
 * each node's size is memoized, so an alias costs one lookup. Stops counting past `limit`.
 */
function expandedSize(root: unknown, aliases: Map<YAML.Alias, YAML.Node>, limit: number): number {
  const memo = new Map<unknown, number>();
  const active = new Set<unknown>();
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    const known = memo.get(node);
    if (known !== undefined) return known;
    let n: number;
    if (yaml().isAlias(node)) {
      const target = aliases.get(node)!;
      if (active.has(target)) throw new Error(`alias *${node.source} refers to a node that contains it`);
      n = size(target);
    } else if (yaml().isPair(node)) {
      n = size(node.key) + size(node.value);
    } else if (yaml().isCollection(node)) {
      active.add(node);
      n = 1;
      for (const item of node.items) {
        n += size(item);
        if (n > limit) break;
      }
      active.delete(node);
    } else {
      n = 1;
    }
    memo.set(node, n);
    return n;
  };
  return size(root);
}

const isMergeKey = (key: unknown) => yaml().isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';

/**
 * The JavaScript value of a node, as go-yaml v2 decodes it into interface{}: an alias is the value of
 * its anchor (shared, not copied); map keys become strings; a `<<` merge writes the merged map's entries
 * at its position (later keys override them, a merge overrides earlier keys; of a sequence of maps,
 * earlier maps win).
 */
function toJs(node: unknown, aliases: Map<YAML.Alias, YAML.Node>, memo: Map<unknown, unknown>, offsets: YamlOffsets): unknown {
  if (node === null || node === undefined) return null;
  if (yaml().isAlias(node)) return toJs(aliases.get(node)!, aliases, memo, offsets);
  if (memo.has(node)) return memo.get(node);
  let value: unknown;
  if (yaml().isScalar(node)) {
    value = node.value;
  } else if (yaml().isMap(node)) {
    const obj: { [k: string]: unknown } = {};
    memo.set(node, obj);
    // where each key is written (position.ts), in the order the keys are set: the last one of a key wins
    const at: Array<string | number> = [];
    offsets.set(obj, at);
    for (const pair of node.items) {
      if (isMergeKey(pair.key)) {
        const src = yaml().isAlias(pair.value) ? aliases.get(pair.value) : pair.value;
        const maps = yaml().isSeq(src) ? [...src.items].reverse() : [src];
        for (const m of maps) {
          const target = yaml().isAlias(m) ? aliases.get(m) : m;
          if (!yaml().isMap(target)) throw new Error('map merge requires map or sequence of maps as the value');
          const merged = toJs(target, aliases, memo, offsets) as object;
          for (const [k, v] of Object.entries(merged)) setKey(obj, k, v);
          for (const x of offsets.get(merged) ?? []) at.push(x);
        }
        continue;
      }
      const key = keyString(toJs(pair.key, aliases, memo, offsets));
      setKey(obj, key, toJs(pair.value, aliases, memo, offsets));
      at.push(key, (pair.key as YAML.Node | null)?.range?.[0] ?? -1);
    }
    value = obj;
  } else if (yaml().isSeq(node)) {
    const arr: unknown[] = [];
    memo.set(node, arr);
    const at: number[] = [];
    offsets.set(arr, at);
    for (const item of node.items) {
      // !!omap / !!pairs items are pairs
      arr.push(yaml().isPair(item) ? { [keyString(toJs(item.key, aliases, memo, offsets))]: toJs(item.value, aliases, memo, offsets) } : toJs(item, aliases, memo, offsets));
      at.push(((yaml().isPair(item) ? item.key : item) as YAML.Node | null)?.range?.[0] ?? -1);
    }
    value = arr;
  } else {
    value = null;
  }
  memo.set(node, value);
  return value;
}

function keyString(k: unknown): string {
  if (k === null || k === undefined) return 'null';
  if (typeof k === 'object') throw new Error('a mapping key is a map or a sequence (not supported)');
  return String(k);
}

function setKey(obj: { [k: string]: unknown }, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** A JSON stream (kubectl's decoder reads one value after the other); each value counts against maxNodes. */
function parseJsonStream(text: string, file: string, maxNodes: number, src: JsonText): Doc[] {
  const out: Doc[] = [];
  let budget = maxNodes;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const end = jsonValueEnd(text, i);
    if (end < 0) throw new Error(`${file}: JSON value at offset ${i} is not closed`);
    let v: unknown;
    try {
      v = JSON.parse(text.slice(i, end));
    } catch (e) {
      throw new Error(`${file}: invalid JSON at offset ${i}: ${(e as Error).message}`);
    }
    budget -= jsonNodes(v, budget);
    if (budget < 0) throw new Error(`${file}: more than ${maxNodes} JSON nodes (maxYamlNodes)`);
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

/** End offset of the JSON object or array starting at `start` (-1 when it does not close). */
function jsonValueEnd(text: string, start: number): number {
  const open = text[start];
  if (open !== '{' && open !== '[') {
    // a scalar: up to the next whitespace (JSON.parse reports what is wrong with it)
    const m = /\s/.exec(text.slice(start));
    return m ? start + m.index : text.length;
  }
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function jsonNodes(v: unknown, limit: number): number {
  let n = 0;
  const stack: unknown[] = [v];
  while (stack.length && n <= limit) {
    const x = stack.pop();
    n++;
    if (Array.isArray(x)) stack.push(...x);
    else if (x && typeof x === 'object') {
      for (const val of Object.values(x)) {
        n++; // the key
        stack.push(val);
      }
    }
  }
  return n;
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
      result.errors.push(`${p}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
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
