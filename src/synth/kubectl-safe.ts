/**
 * Makes a manifest cdk8s wrote read the same in kubectl: cdk8s writes with the `yaml` package's YAML 1.1
 * schema, which leaves strings such as `0o17`, `0X1F`, `0B101` or `1e1_0` unquoted because they are strings
 * to it, while kubectl (sigs.k8s.io/yaml, go-yaml v2) reads them as numbers. Such scalars, and only those, are
 * re-emitted double-quoted; every other byte stays as cdk8s wrote it. Used by both synth paths
 * (`cdk8s-istio-egress synth` and the repository's `npm run synth`) on the files before they are moved
 * into place. Internal.
 */
import type * as YAML from 'yaml';
import { kubectlMisreading, mayMisread } from '../common/kubectl-yaml';

let yamlModule: typeof YAML | undefined;
/** The yaml package, loaded on first use: a text without a suspect word is never parsed. */
function yaml(): typeof YAML {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yamlModule ??= require('yaml') as typeof YAML);
}

/** A plain scalar of a file that kubectl would misread. */
export interface Misread {
  /** The string cdk8s meant. */
  readonly value: string;
  /** What kubectl would read instead (`the integer 15`). */
  readonly reading: string;
  /** Whether it is a mapping key. */
  readonly key: boolean;
}

/** Runs of characters a plain scalar kubectl misreads is made of (digits, letters, `+-._~<`). */
const WORD = /[-+._~<0-9A-Za-z]+/g;

/** Whether `word` could be a plain scalar that cdk8s wrote as a string and kubectl misreads (memoised). */
const suspect = new Map<string, boolean>();
const AS_KEY = { key: true };
function isSuspect(word: string): boolean {
  if (!mayMisread(word, AS_KEY)) return false; // most words (hosts, names, kinds): no lookup, no hash
  let s = suspect.get(word);
  if (s === undefined) {
    s = kubectlMisreading(word, AS_KEY) !== undefined && stringIn11(word);
    if (suspect.size < 10_000) suspect.set(word, s);
  }
  return s;
}

/**
 * Plain scalars the `yaml` package's YAML 1.1 schema reads as an int (decimal), a bool or null, after its
 * tags' own tests (yaml/dist/schema/yaml-1.1): answered without loading the package, which cdk8s's numbers
 * and booleans would otherwise load (72 modules) in every synth.
 */
const NOT_STRING_11 = /^(?:[-+]?[0-9]+|Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF|~|[Nn]ull|NULL)$/;

/** Whether the `yaml` package's YAML 1.1 schema, the one cdk8s writes with, reads the plain scalar `word` as a string. */
export function stringIn11(word: string): boolean {
  if (NOT_STRING_11.test(word)) return false;
  const { isScalar, parseAllDocuments } = yaml();
  const doc = parseAllDocuments(`${word}\n`, { version: '1.1' });
  if (!Array.isArray(doc) || doc.length !== 1 || doc[0].errors.length > 0) return false;
  const node = doc[0].contents;
  return isScalar(node) && node.type === 'PLAIN' && typeof node.value === 'string';
}

/**
 * Returns `text` (a multi-document YAML file as cdk8s's `Yaml.stringify` writes it) with every plain scalar
 * that kubectl would read as something other than the string the `yaml` package reads double-quoted, and the
 * list of those scalars. A text with none comes back unchanged, without being parsed. Only the documents
 * (between `---` lines) that hold a suspect word are parsed; when one of them does not parse, the whole text
 * is returned unchanged (the validator reports it; cdk8s's output always parses).
 */
export function quoteForKubectl(text: string): { readonly text: string; readonly quoted: readonly Misread[] } {
  // cdk8s joins the documents of a file with `---` lines, and nothing else it writes starts a line with `---`
  // (block scalars are indented): only the documents holding a suspect word are parsed, so the cost stays
  // that of a scan (about 10 ms a MB) unless a document needs quoting
  if (!hasSuspect(text)) return { text, quoted: [] };
  const edits: Edit[] = [];
  const starts = [0, ...[...text.matchAll(/^---\n/gm)].map((m) => m.index! + 4)];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    const end = i + 1 < starts.length ? starts[i + 1] - 4 : text.length;
    const chunk = text.slice(start, end);
    if (!hasSuspect(chunk)) continue;
    const found = misreadsIn(chunk, start);
    if (found === undefined) return whole(text); // not cdk8s's layout: parse the whole text
    edits.push(...found);
  }
  return apply(text, edits);
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly misread: Misread;
}

function hasSuspect(text: string): boolean {
  for (const m of text.matchAll(WORD)) if (isSuspect(m[0])) return true;
  return false;
}

/** quoteForKubectl on the whole text at once. */
function whole(text: string): { readonly text: string; readonly quoted: readonly Misread[] } {
  return apply(text, misreadsIn(text, 0) ?? []);
}

/** The misread plain scalars of `text` (offsets moved by `offset`), or undefined when it does not parse. */
function misreadsIn(text: string, offset: number): Edit[] | undefined {
  const { isPair, parseAllDocuments, visit } = yaml();
  const docs = parseAllDocuments(text, { version: '1.1' });
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
  const edits: Edit[] = [];
  for (const doc of docs) {
    visit(doc, {
      Scalar(where, node, path) {
        if (node.type !== 'PLAIN' || !node.range) return;
        const key = where === 'key' && isPair(path[path.length - 1]);
        // a plain `<<` key is a merge key to the `yaml` package too (a symbol), though cdk8s wrote the string
        const value = typeof node.value === 'string' ? node.value
          : key && typeof node.value === 'symbol' && text.slice(node.range[0], node.range[1]) === '<<' ? '<<' : undefined;
        if (value === undefined) return;
        const reading = kubectlMisreading(value, { key });
        if (reading === undefined) return;
        edits.push({ start: offset + node.range[0], end: offset + node.range[1], misread: { value, reading, key } });
      },
    });
  }
  return edits;
}

function apply(text: string, edits: readonly Edit[]): { readonly text: string; readonly quoted: readonly Misread[] } {
  if (edits.length === 0) return { text, quoted: [] };
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    out += text.slice(at, e.start) + JSON.stringify(e.misread.value);
    at = e.end;
  }
  out += text.slice(at);
  return { text: out, quoted: sorted.map((e) => e.misread) };
}

/** The text of `quoteForKubectl`: `text` itself when nothing needs quoting. */
export function kubectlSafeText(text: string): string {
  return quoteForKubectl(text).text;
}

/** `quoteForKubectl` for a file's bytes (UTF-8): the same Buffer when nothing needs quoting. */
export function kubectlSafeFile(content: Buffer): Buffer {
  const safe = quoteForKubectl(content.toString('utf8'));
  return safe.quoted.length === 0 ? content : Buffer.from(safe.text, 'utf8');
}
