/**
 * Lazy, cached access to the extracted schemas in imports/validation/ (written by
 * scripts/extract-schemas.js). Works from src/validator (ts via swc/esbuild) and from
 * lib/src/validator (compiled) by walking up from __dirname.
 */
import * as fs from 'fs';
import * as path from 'path';
import { JsonEntries, readText } from './json-entries';
import type { Schema } from './rules/schema/structural';

interface CrdEntry {
  group: string;
  kind: string;
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  versions: { [version: string]: { schema?: Schema; sameAs?: string } };
}
interface CrdFile { kinds: { [groupKind: string]: CrdEntry }; keptGroups: string[] }
interface K8sFile { source: string; kinds: { [apiVersionKind: string]: string }; definitions: { [name: string]: Schema } }

let dirCache: string | undefined;
let crdCache: { top: JsonEntries<unknown>; kinds: JsonEntries<CrdEntry> } | undefined;
let k8sCache: K8sFile | undefined;

/** Directory holding crds.json and k8s.json. Override with CDK8S_ISTIO_EGRESS_VALIDATION_DIR. */
export function validationDataDir(): string {
  if (dirCache) return dirCache;
  const override = process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR;
  if (override) return (dirCache = override);
  const starts = [__dirname, process.cwd()];
  for (const start of starts) {
    let d = path.resolve(start);
    for (;;) {
      const candidate = path.join(d, 'imports', 'validation');
      if (fs.existsSync(path.join(candidate, 'crds.json'))) return (dirCache = candidate);
      const up = path.dirname(d);
      if (up === d) break;
      d = up;
    }
  }
  throw new Error(`cdk8s-istio-egress validator: imports/validation/crds.json not found above ${__dirname}; run "node scripts/extract-schemas.js"`);
}

/** crds.json, its entries and kinds each parsed when first looked up. */
function crdFile(): { top: JsonEntries<unknown>; kinds: JsonEntries<CrdEntry> } {
  if (!crdCache) {
    const text = readText(path.join(validationDataDir(), 'crds.json'));
    crdCache = { top: new JsonEntries<unknown>(text), kinds: new JsonEntries<CrdEntry>(text, 'kinds') };
  }
  return crdCache;
}
function crds(): CrdFile {
  return crdFile().kinds.parsed();
}
export function k8s(): K8sFile {
  if (!k8sCache) k8sCache = JSON.parse(readText(path.join(validationDataDir(), 'k8s.json')));
  return k8sCache!;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export type SchemaLookup =
  | { found: 'crd'; schema: Schema; scope: 'Namespaced' | 'Cluster'; servedVersions: string[] }
  | { found: 'k8s'; schema: Schema; defs: { [name: string]: Schema }; definition: string }
  | { found: 'unserved-version'; servedVersions: string[] }
  | { found: 'unknown-kind'; group: string; knownGroup: boolean };

export function lookupSchema(apiVersion: string, kind: string): SchemaLookup {
  const { group, version } = splitApiVersion(apiVersion);
  // crds.json holds kinds of its keptGroups only: the others (the built-in kinds) are not looked for
  const { top, kinds } = crdFile();
  const kept = top.get('keptGroups');
  const entry = Array.isArray(kept) && !kept.includes(group) ? undefined : kinds.get(`${group}/${kind}`);
  if (entry) {
    const served = Object.keys(entry.versions);
    let v = entry.versions[version];
    if (!v) return { found: 'unserved-version', servedVersions: served };
    if (v.sameAs) v = entry.versions[v.sameAs];
    return { found: 'crd', schema: v.schema!, scope: entry.scope, servedVersions: served };
  }
  const k = k8s();
  const def = k.kinds[`${apiVersion}/${kind}`];
  if (def) return { found: 'k8s', schema: { $ref: def }, defs: k.definitions, definition: def };
  const knownGroup = Object.values(crds().kinds).some(e => e.group === group) || Object.keys(k.kinds).some(x => splitApiVersion(x.slice(0, x.lastIndexOf('/'))).group === group);
  return { found: 'unknown-kind', group, knownGroup };
}

/** All CEL rules of the kept CRD kinds (distinct schemas only), for counting/tests. */
export function allCelRules(): Array<{ kind: string; version: string; field: string; rule: string }> {
  const out: Array<{ kind: string; version: string; field: string; rule: string }> = [];
  for (const e of Object.values(crds().kinds)) {
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
