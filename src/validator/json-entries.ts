/**
 * Single entries of a large JSON file, parsed on demand. The files of imports/validation/ are written by
 * `JSON.stringify(value, null, 2)` (scripts/extract-schemas.js): in that layout the entries of a top-level
 * object (`"kinds"` of crds.json, `"rules"` of cel.json) each start on a line indented by 4 spaces, and an
 * object entry ends at the next line that is `    }`. Parsing only the entries a validation needs (a
 * handful of the 22 CRD kinds, a few of the 107 CEL rules) costs a fraction of parsing the 0.9 MB.
 *
 * Any other layout (a file written by another tool) is parsed whole, with the same results.
 */
export class JsonEntries<T> {
  private whole: any;
  private readonly cache = new Map<string, T | undefined>();
  private readonly start: number;
  private readonly end: number;

  /** The entries of the top-level object `section` of the JSON `text`. */
  public constructor(private readonly text: string, private readonly section: string) {
    const head = `\n  ${JSON.stringify(section)}: {\n`;
    const at = text.startsWith('{\n  "') ? text.indexOf(head) : -1;
    this.start = at < 0 ? -1 : at + head.length - 1;
    this.end = at < 0 ? -1 : text.indexOf('\n  }', this.start);
    if (this.end < 0) this.start = -1;
  }

  /** The value of `key` in the section, or undefined. */
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
    const section = this.parsed()[this.section];
    return section && typeof section === 'object' && Object.prototype.hasOwnProperty.call(section, key) ? section[key] : undefined;
  }

  private find(key: string): T | undefined {
    const head = `\n    ${JSON.stringify(key)}: `;
    const at = this.text.indexOf(head, this.start);
    if (at < 0 || at >= this.end) return undefined; // every entry of the section starts so: none has this key
    const from = at + head.length;
    const open = this.text[from];
    let to: number;
    if ((open === '{' || open === '[') && this.text[from + 1] === '\n') {
      const close = this.text.indexOf(`\n    ${open === '{' ? '}' : ']'}`, from);
      to = close < 0 ? -1 : close + 6;
    } else {
      to = this.text.indexOf('\n', from);
      if (to >= 0 && this.text[to - 1] === ',') to--;
    }
    if (to < 0 || to > this.end) return this.fromWhole(key);
    return JSON.parse(this.text.slice(from, to)) as T;
  }
}
