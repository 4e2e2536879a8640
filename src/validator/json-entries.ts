import * as fs from 'fs';

/**
 * Single entries of a large JSON file, parsed on demand. The files of imports/validation/ are written by
 * `JSON.stringify(value, null, 2)` (scripts/extract-schemas.js): in that layout the entries of the top-level
 * object each start on a line indented by 2 spaces, those of an object one level down (`"kinds"` of
 * crds-<release>.json, `"rules"` of cel-<release>.json) on a line indented by 4 spaces, and an entry whose value is a non-empty
 * object or array ends at the next line indented as much that closes it. Parsing only the entries a
 * validation needs (a handful of the 22 CRD kinds, a few of the 107 CEL rules) costs a fraction of parsing
 * the whole file.
 *
 * Any other layout (a file written by another tool) is parsed whole, with the same results.
 */
export class JsonEntries<T> {
  private whole: any;
  private readonly cache = new Map<string, T | undefined>();
  private readonly indent: string;
  private readonly start: number;
  private readonly end: number;

  /** The entries of the top-level object `section` of the JSON `text`, or of the top-level object itself. */
  public constructor(private readonly text: string, private readonly section?: string) {
    this.indent = section === undefined ? '  ' : '    ';
    let start = -1;
    let end = -1;
    if (text.startsWith('{\n  "')) {
      if (section === undefined) {
        start = 1;
        end = text.lastIndexOf('\n}');
      } else {
        const head = `\n  ${JSON.stringify(section)}: {\n`;
        const at = text.indexOf(head);
        if (at >= 0) {
          start = at + head.length - 1;
          end = text.indexOf('\n  }', start);
        }
      }
    }
    this.start = end < 0 ? -1 : start;
    this.end = end;
  }

  /** The value of `key`, or undefined. */
  public get(key: string): T | undefined {
    if (this.cache.has(key)) return this.cache.get(key);
    const value = this.start < 0 ? this.fromWhole(key) : this.find(key);
    this.cache.set(key, value);
    return value;
  }

  /** The whole file, parsed. */
  public parsed(): any {
    if (this.whole === undefined) this.whole = JSON.parse(this.text);
    return this.whole;
  }

  private fromWhole(key: string): T | undefined {
    const whole = this.parsed();
    const section = this.section === undefined ? whole : whole?.[this.section];
    return section && typeof section === 'object' && Object.prototype.hasOwnProperty.call(section, key) ? section[key] : undefined;
  }

  private find(key: string): T | undefined {
    const head = `\n${this.indent}${JSON.stringify(key)}: `;
    const at = this.text.indexOf(head, this.start);
    if (at < 0 || at >= this.end) return undefined; // every entry starts so: none has this key
    const from = at + head.length;
    const open = this.text[from];
    let to: number;
    if ((open === '{' || open === '[') && this.text[from + 1] === '\n') {
      const close = this.text.indexOf(`\n${this.indent}${open === '{' ? '}' : ']'}`, from);
      to = close < 0 ? -1 : close + this.indent.length + 2;
    } else {
      to = this.text.indexOf('\n', from);
      if (to >= 0 && this.text[to - 1] === ',') to--;
    }
    if (to < 0 || to > this.end) return this.fromWhole(key);
    return JSON.parse(this.text.slice(from, to)) as T;
  }
}

/** A file's text, read as bytes then decoded: for a large ASCII file that is twice as fast as readFileSync(file, 'utf8') in Node 20. */
export function readText(file: string): string {
  return fs.readFileSync(file).toString('utf8');
}
