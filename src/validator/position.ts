/**
 * Where an object and its fields are in the file they were read from, for findings (`file:line:col`,
 * SARIF regions). Reading keeps what is cheap to keep: for YAML the offsets of the keys and items it converts
 * anyway (not the parsed nodes), for JSON the offset of each value (its fields are found by scanning the text
 * on demand); lines and columns are worked out only for objects and fields that have a finding.
 *
 * - Lines and columns are 1-based; columns count UTF-16 code units (SARIF's `utf16CodeUnits`, what
 *   editors and GitHub code scanning count). Lines end at `\r\n`, `\n` or `\r` (YAML's and JSON's line breaks).
 *   A byte order mark is not a column (at the start of the file or of a line).
 * - The line starts of a file are computed once, on the first position asked in that file.
 * - An object is at its first character: the first key of a YAML document (after `---` and comments), the
 *   `{` of a JSON value, or, for the items of a `List`, the item.
 * - A field (`spec.trafficPolicy.portLevelSettings[0].tls.mode`, `metadata.annotations["a/b"]`) is at its
 *   key, an array element at the element. A field that is not in the file (a required field that is
 *   missing) is at its deepest ancestor that is; text after the path (`spec.hosts (and 2 more)`) is ignored.
 *   Through YAML aliases and `<<` merge keys, a field is where its key is written (in the anchored map).
 */
/** A place in a file: 1-based line, 1-based column in UTF-16 code units. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Where an object read from a file is, and where its fields are. */
export interface ObjectSource {
  /** The position of the object's first character. */
  position(): SourcePosition;
  /**
   * The position of the field at `field` (a JSON path as findings write it), or of its deepest ancestor in
   * the file; the object's position when no part of the path is in the file.
   */
  locate(field: string): SourcePosition;
}

/** The text of one file, with its line starts computed on first use. */
export class SourceText {
  private lineStarts?: number[];
  constructor(readonly text: string) {}

  /** Line and column of the character at `offset`. */
  position(offset: number): SourcePosition {
    const starts = (this.lineStarts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    // a byte order mark that starts a line (a document after "---" of concatenated files) is no column either
    const bom = this.text.charCodeAt(starts[lo]) === 0xfeff && offset > starts[lo] ? 1 : 0;
    return { line: lo + 1, column: offset - starts[lo] + 1 - bom };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

type Segment = string | number;

const SEGMENT = /\.?([A-Za-z0-9_$@-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/** The segments of a finding's field path, up to the first character that is not part of a path. */
export function fieldSegments(field: string): Segment[] {
  const out: Segment[] = [];
  SEGMENT.lastIndex = 0;
  for (let m = SEGMENT.exec(field); m; m = SEGMENT.exec(field)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else {
      try {
        out.push(JSON.parse(m[3]) as string);
      } catch {
        break;
      }
    }
  }
  return out;
}

/**
 * Where the entries of the maps and sequences of a YAML file are written, by the JavaScript value the reader
 * made of each (read.ts, toJs): for a map `[key, offset of the key, key, offset, ...]` in the order the
 * reader set them (the last occurrence of a key wins, as in the value), for a sequence the offset of each
 * item. About two numbers per entry: the parsed YAML nodes, six times the size of the values, are not kept.
 */
export type YamlOffsets = Map<object, Array<string | number>>;

/** An object of a YAML file: the value the reader made, and the offset where it is written. */
export class YamlObjectSource implements ObjectSource {
  constructor(private readonly text: SourceText, private readonly offsets: YamlOffsets, private readonly value: unknown, private readonly at: number) {}

  position(): SourcePosition {
    return this.text.position(this.at);
  }

  locate(field: string): SourcePosition {
    let value = this.value;
    let offset: number | undefined;
    for (const seg of fieldSegments(field)) {
      const table = value !== null && typeof value === 'object' ? this.offsets.get(value) : undefined;
      if (!table) break;
      let at = -1;
      if (Array.isArray(value)) {
        if (typeof seg !== 'number') break;
        at = (table[seg] as number | undefined) ?? -1;
      } else {
        at = keyOffset(table, String(seg));
      }
      if (at < 0) break;
      offset = at;
      value = (value as { [k: string]: unknown })[seg];
    }
    return offset === undefined ? this.position() : this.text.position(offset);
  }

  /** The sources of the items of this object, a `List` (its `items` sequence), in order. */
  items(): YamlObjectSource[] {
    const items = (this.value as { items?: unknown }).items;
    const table = Array.isArray(items) ? this.offsets.get(items) : undefined;
    if (!Array.isArray(items) || !table) return [];
    return items.map((item, k) => new YamlObjectSource(this.text, this.offsets, item, (table[k] as number | undefined) ?? this.at));
  }
}

const tableIndex = new WeakMap<Array<string | number>, Map<string, number>>();

/** The offset of the last occurrence of `key` in a map's table (-1 for none); large tables are indexed once. */
function keyOffset(table: Array<string | number>, key: string): number {
  if (table.length <= 32) {
    for (let i = table.length - 2; i >= 0; i -= 2) if (table[i] === key) return table[i + 1] as number;
    return -1;
  }
  let index = tableIndex.get(table);
  if (!index) {
    index = new Map();
    for (let i = 0; i < table.length; i += 2) index.set(table[i] as string, table[i + 1] as number);
    tableIndex.set(table, index);
  }
  return index.get(key) ?? -1;
}

/**
 * The text of a JSON file (already checked by JSON.parse). The members of an object or array are scanned
 * once, when a field in it is first located, so that locating the fields of an object's many findings stays
 * linear; a duplicate key is where its last occurrence is, as JSON.parse keeps the last.
 */
export class JsonText extends SourceText {
  private readonly containers = new Map<number, Map<string, Member> | number[]>();

  /** The key (or element) offset and the value offset of `seg` in the object or array at `pos`. */
  child(pos: number, seg: Segment): Member | undefined {
    let c = this.containers.get(pos);
    if (!c) {
      c = this.text[pos] === '{' ? jsonMembers(this.text, pos) : jsonItems(this.text, pos);
      this.containers.set(pos, c);
    }
    if (Array.isArray(c)) {
      const at = typeof seg === 'number' ? c[seg] : undefined;
      return at === undefined ? undefined : { at, value: at };
    }
    return typeof seg === 'string' ? c.get(seg) : undefined;
  }

  /** Where the value at `segs` below the value at `from` is written (its key for a member); undefined for none. */
  locate(from: number, segs: readonly Segment[]): Member | undefined {
    let value = from;
    let found: Member | undefined;
    for (const seg of segs) {
      const next = this.child(value, seg);
      if (!next) break;
      value = next.value;
      found = next;
    }
    return found;
  }
}

/** Where a member of a JSON object is: its key (`at`) and its value. */
interface Member {
  readonly at: number;
  readonly value: number;
}

/** An object of a JSON stream (or an item of a JSON `List`), at the offset of its `{`. */
export class JsonObjectSource implements ObjectSource {
  private offset?: number;
  /** `at`: the offset of the object's `{`, or a function computing it on first use (the items of a List). */
  constructor(private readonly text: JsonText, private readonly at: number | (() => number)) {}

  position(): SourcePosition {
    return this.text.position(this.start());
  }

  locate(field: string): SourcePosition {
    const from = this.start();
    return this.text.position(this.text.locate(from, fieldSegments(field))?.at ?? from);
  }

  private start(): number {
    return (this.offset ??= typeof this.at === 'number' ? this.at : this.at());
  }
}

function jsonMembers(text: string, pos: number): Map<string, Member> {
  const out = new Map<string, Member>();
  if (text[pos] !== '{') return out;
  let i = skipWs(text, pos + 1);
  while (text[i] === '"') {
    const keyEnd = skipString(text, i);
    const raw = text.slice(i + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(text.slice(i, keyEnd)) as string) : raw;
    const value = skipWs(text, skipWs(text, keyEnd) + 1); // past ':'
    out.set(key, { at: i, value });
    i = skipWs(text, skipValue(text, value));
    if (text[i] !== ',') break;
    i = skipWs(text, i + 1);
  }
  return out;
}

function jsonItems(text: string, pos: number): number[] {
  const out: number[] = [];
  if (text[pos] !== '[') return out;
  let i = skipWs(text, pos + 1);
  while (i < text.length && text[i] !== ']') {
    out.push(i);
    i = skipWs(text, skipValue(text, i));
    if (text[i] !== ',') break;
    i = skipWs(text, i + 1);
  }
  return out;
}

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return text.length;
}

/** Offset just past the JSON value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === 34) j = skipString(text, j) - 1;
      else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !/[\s,\]}]/.test(text[j])) j++;
  return j;
}
