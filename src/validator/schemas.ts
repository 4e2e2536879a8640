/**
 * Lazy, cached access to the extracted schemas in imports/validation/ (written by
 * scripts/extract-schemas.js). Works from src/validator (ts via swc/esbuild) and from
 * lib/src/validator (compiled) by walking up from __dirname.
 */
import * as fs from 'fs';
import * as path from 'path';
import { JsonEntries, readText } from './json-entries';
import { DEFAULT_RELEASE, type IstioRelease } from './rules/rule';
import type { Schema } from './rules/schema/structural';

interface CrdEntry {
  group: string;
  kind: string;
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  versions: { [version: string]: { schema?: Schema; sameAs?: string } };
  /** Versions the CRD declares with served: false (e.g. those only a Gateway API experimental channel serves). */
  unserved?: string[];
}
interface CrdFile { kinds: { [groupKind: string]: CrdEntry }; keptGroups: string[] }
/** An API version of a built-in kind that Kubernetes no longer serves (k8s.json "removed"). */
export interface RemovedApi { readonly removedIn: string; readonly use?: string; readonly note?: string }
/**
 * k8s.json (scripts/extract-schemas.js), its sections each read by entry: "kinds" (apiVersion/kind -> definition),
 * "kindVersions" (kind -> the apiVersions serving it), "servedIn" (apiVersion/kind -> the releases serving it, when
 * not all), "removed" (apiVersion/kind -> RemovedApi), "definitions" (name -> schema), "groups" and "releases".
 */
interface K8sEntries {
  top: JsonEntries<unknown>;
  kinds: JsonEntries<string>;
  kindVersions: JsonEntries<string[]>;
  servedIn: JsonEntries<string[]>;
  removed: JsonEntries<RemovedApi>;
  definitions: IndexedEntries<Schema>;
}

/**
 * The entries of one section of a file written by scripts/extract-schemas.js, found by one pass over it: a
 * validation looks up a hundred definitions or more (a Deployment reaches 60), which JsonEntries would each look
 * for from the start of the section. Any other layout is read through JsonEntries.
 */
class IndexedEntries<T> {
  private index?: Map<string, [number, number]>;
  private readonly cache = new Map<string, T | undefined>();
  private readonly fallback: JsonEntries<T>;
  constructor(private readonly text: string, private readonly section: string) {
    this.fallback = new JsonEntries<T>(text, section);
  }
  get(key: string): T | undefined {
    if (this.cache.has(key)) return this.cache.get(key);
    const at = this.entries()?.get(key);
    const value = this.index ? (at ? JSON.parse(this.text.slice(at[0], at[1])) as T : undefined) : this.fallback.get(key);
    this.cache.set(key, value);
    return value;
  }
  private entries(): Map<string, [number, number]> | undefined {
    if (this.index) return this.index;
    const head = `\n  ${JSON.stringify(this.section)}: {\n`;
    const start = this.text.startsWith('{\n  "') ? this.text.indexOf(head) : -1;
    if (start < 0) return undefined;
    const end = this.text.indexOf('\n  }', start + head.length - 1);
    if (end < 0) return undefined;
    const index = new Map<string, [number, number]>();
    let line = this.text.indexOf('\n    "', start + head.length - 1);
    while (line >= 0 && line < end) {
      const colon = this.text.indexOf('": ', line + 6);
      const next = this.text.indexOf('\n    "', colon);
      const stop = next >= 0 && next < end ? next - 1 : end; // the entry before a next one ends with a comma
      index.set(this.text.slice(line + 6, colon), [colon + 3, stop]); // names are written unescaped
      line = next;
    }
    return (this.index = index);
  }
}

let dirCache: string | undefined;
/** crds-<release>.json of each release looked at: a validation reads only the file of its target release. */
const crdCache = new Map<IstioRelease, { top: JsonEntries<unknown>; kinds: JsonEntries<CrdEntry> }>();
let k8sCache: K8sEntries | undefined;
let defsCache: { [name: string]: Schema } | undefined;

/**
 * Directory holding k8s.json and, per Istio release, crds-<release>.json and cel-<release>.json. Override with
 * CDK8S_ISTIO_EGRESS_VALIDATION_DIR.
 */
export function validationDataDir(): string {
  if (dirCache) return dirCache;
  const override = process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR;
  if (override) return (dirCache = override);
  const starts = [__dirname, process.cwd()];
  for (const start of starts) {
    let d = path.resolve(start);
    for (;;) {
      const candidate = path.join(d, 'imports', 'validation');
      if (fs.existsSync(path.join(candidate, 'k8s.json'))) return (dirCache = candidate);
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  throw new Error(`cdk8s-istio-egress validator: imports/validation/k8s.json not found above ${__dirname}; run "node scripts/extract-schemas.js"`);
}

/** crds-<release>.json, its entries and kinds each parsed when first looked up. */
function crdFile(release: IstioRelease): { top: JsonEntries<unknown>; kinds: JsonEntries<CrdEntry> } {
  let c = crdCache.get(release);
  if (!c) {
    const text = readText(path.join(validationDataDir(), `crds-${release}.json`));
    c = { top: new JsonEntries<unknown>(text), kinds: new JsonEntries<CrdEntry>(text, 'kinds') };
    crdCache.set(release, c);
  }
  return c;
}
function crds(release: IstioRelease): CrdFile {
  return crdFile(release).kinds.parsed();
}
function k8sFile(): K8sEntries {
  if (!k8sCache) {
    const text = readText(path.join(validationDataDir(), 'k8s.json'));
    k8sCache = {
      top: new JsonEntries<unknown>(text),
      kinds: new JsonEntries<string>(text, 'kinds'),
      kindVersions: new JsonEntries<string[]>(text, 'kindVersions'),
      servedIn: new JsonEntries<string[]>(text, 'servedIn'),
      removed: new JsonEntries<RemovedApi>(text, 'removed'),
      definitions: new IndexedEntries<Schema>(text, 'definitions'),
    };
  }
  return k8sCache;
}

/** The definitions of the built-in kinds by name (as `$ref`s name them), each parsed when first looked up. */
export function k8sDefinitions(): { [name: string]: Schema } {
  if (!defsCache) {
    const defs = k8sFile().definitions;
    defsCache = new Proxy({} as { [name: string]: Schema }, { get: (_t, name) => (typeof name === 'string' ? defs.get(name) : undefined) });
  }
  return defsCache;
}
/** The definition of the metadata of every object. */
export const OBJECT_META = 'meta.v1.ObjectMeta';

/** The Kubernetes releases whose built-in kinds k8s.json holds (the releases Istio 1.30 and 1.31 support). */
export function k8sReleases(): string[] {
  const r = k8sFile().top.get('releases');
  return r && typeof r === 'object' ? Object.keys(r) : [];
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export type SchemaLookup =
  | { found: 'crd'; schema: Schema; scope: 'Namespaced' | 'Cluster'; servedVersions: string[] }
  /** servedIn: the releases that serve it, when only some of k8sReleases() do. */
  | { found: 'k8s'; schema: Schema; defs: { [name: string]: Schema }; definition: string; servedIn?: string[] }
  /** servedVersions: versions of a CRD; apiVersions of a built-in kind (builtin: true), removed: when Kubernetes stopped serving it. */
  | { found: 'unserved-version'; servedVersions: string[]; builtin?: boolean; removed?: RemovedApi; declared?: boolean }
  | { found: 'unknown-kind'; group: string; knownGroup: boolean };

/** The schema of `apiVersion` `kind`: a CRD of the Istio `release` targeted (its CRD files), or a built-in kind. */
export function lookupSchema(apiVersion: string, kind: string, release: IstioRelease = DEFAULT_RELEASE): SchemaLookup {
  const { group, version } = splitApiVersion(apiVersion);
  // crds-<release>.json holds kinds of its keptGroups only: the others (the built-in kinds) are not looked for
  const { top, kinds } = crdFile(release);
  const kept = top.get('keptGroups');
  const entry = Array.isArray(kept) && !kept.includes(group) ? undefined : kinds.get(`${group}/${kind}`);
  if (entry) {
    const served = Object.keys(entry.versions);
    let v = entry.versions[version];
    if (!v) return { found: 'unserved-version', servedVersions: served, ...(entry.unserved?.includes(version) ? { declared: true } : {}) };
    if (v.sameAs) v = entry.versions[v.sameAs];
    return { found: 'crd', schema: v.schema!, scope: entry.scope, servedVersions: served };
  }
  const k = k8sFile();
  const key = `${apiVersion}/${kind}`;
  const def = k.kinds.get(key);
  if (def) {
    const servedIn = k.servedIn.get(key);
    return { found: 'k8s', schema: { $ref: def }, defs: k8sDefinitions(), definition: def, ...(servedIn ? { servedIn } : {}) };
  }
  const removed = k.removed.get(key);
  const served = (k.kindVersions.get(kind) ?? []).filter(av => splitApiVersion(av).group === group);
  if (removed || served.length) return { found: 'unserved-version', servedVersions: served, builtin: true, ...(removed ? { removed } : {}) };
  const groups = k.top.get('groups');
  const knownGroup = (Array.isArray(kept) && kept.includes(group)) || (Array.isArray(groups) && groups.includes(group));
  return { found: 'unknown-kind', group, knownGroup };
}

/** All CEL rules of the kept CRD kinds of `release` (distinct schemas only), for counting/tests. */
export function allCelRules(release: IstioRelease = DEFAULT_RELEASE): Array<{ kind: string; version: string; field: string; rule: string }> {
  const out: Array<{ kind: string; version: string; field: string; rule: string }> = [];
  for (const e of Object.values(crds(release).kinds)) {
    for (const [version, v] of Object.entries(e.versions)) {
      if (!v.schema) continue;
      const walk = (s: Schema, field: string) => {
        if (!s || typeof s !== 'object') return;
        for (const r of s['x-kubernetes-validations'] ?? []) out.push({ kind: `${e.group}/${e.kind}`, version, field, rule: r.rule });
        for (const [k, ps] of Object.entries<Schema>(s.properties ?? {})) walk(ps, field ? `${field}.${k}` : k);
        if (s.items) walk(s.items, `${field}[*]`);
        if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${field}[*]`);
      };
      walk(v.schema, '');
    }
  }
  return out;
}
