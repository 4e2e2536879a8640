#!/usr/bin/env node
/*
 * Extracts what the offline validator (src/validator) needs into imports/validation/:
 *
 *  - crds.json: for every served version of the kept CRD kinds (groups networking.istio.io,
 *    security.istio.io, telemetry.istio.io, extensions.istio.io, cert-manager.io and gateway.networking.k8s.io)
 *    the openAPIV3Schema, including its x-kubernetes-validations (CEL) rules and defaults. Identical schemas of
 *    several versions of one kind are stored once ({ "sameAs": "<version>" }).
 *  - cel.json: the syntax tree of every CEL rule of crds.json, parsed by @bufbuild/cel (src/validator/cel-ast.ts),
 *    with the parser's version: the validator plans these trees instead of parsing the rules in each process.
 *  - k8s.json: the schemas of every Kubernetes built-in kind served by the releases vendored in k8s-schemas/
 *    (Kubernetes 1.32 to 1.36, the upstream OpenAPI definitions; see k8s-schemas/README.md): each
 *    apiVersion/kind with the definition of the newest release that serves it ("kinds"), the releases serving
 *    it when not all do ("servedIn"), the apiVersions of each kind ("kindVersions"), the API versions
 *    Kubernetes stopped serving ("removed", K8S_REMOVED below), and the definitions they reach, descriptions
 *    dropped ("definitions").
 *
 * Output is deterministic: inputs sorted by folder/file name, keys sorted, 2-space indentation,
 * trailing newline.
 *
 * Usage: node scripts/extract-schemas.js [--out DIR] [--k8s DIR] [crdFile...]
 *   --out DIR: output folder (default imports/validation)
 *   --k8s DIR: the Kubernetes schemas, laid out like k8s-schemas/ (default k8s-schemas)
 *   crdFile:   default: every CRD vendored in crds/ (Istio 1.30.3, cert-manager v1.21.1, Gateway API
 *              v1.5.1), the same list scripts/import.sh passes after checking crds/SHA256SUMS.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
// the validator's CEL parser, compiled (lib/): its trees are what the validator reads; the bindings in imports/
// (which `npm run import` rewrites just before running this) are not its input
require('./built').checkBuilt({ sources: ['src'] });
const celAst = () => require('../lib/src/validator/cel-ast.js');

const ROOT = path.resolve(__dirname, '..');
let OUT = path.join(ROOT, 'imports', 'validation');
const KEPT_GROUPS = ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io', 'cert-manager.io', 'gateway.networking.k8s.io'];

function stable(value) {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value).sort()) out[k] = stable(value[k]);
    return out;
  }
  return value;
}
function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stable(value), null, 2) + '\n');
}

const VENDORED = path.join(ROOT, 'crds');
/** The vendored CRD files (see crds/README.md), in the order of crds/SHA256SUMS. */
function vendoredCrdFiles() {
  return fs.readFileSync(path.join(VENDORED, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean)
    .map(line => path.join(VENDORED, line.replace(/^[0-9a-f]{64} {2}/, '')));
}
const sourceName = f => `${path.basename(path.dirname(f))}/${path.basename(f)}`;

function extractCrds(files) {
  const out = {};
  let rules = 0;
  for (const file of files) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => d.toJS()).filter(Boolean);
    for (const d of docs) {
      if (d.kind !== 'CustomResourceDefinition') continue;
      const group = d.spec.group;
      if (!KEPT_GROUPS.includes(group)) continue;
      const kind = d.spec.names.kind;
      const entry = { group, kind, plural: d.spec.names.plural, scope: d.spec.scope, versions: {} };
      const seen = [];
      for (const v of d.spec.versions) {
        if (!v.served) continue;
        const schema = stripDescriptions(v.schema && v.schema.openAPIV3Schema);
        const text = JSON.stringify(stable(schema));
        const same = seen.find(s => s.text === text);
        if (same) {
          entry.versions[v.name] = { sameAs: same.name };
        } else {
          seen.push({ name: v.name, text });
          entry.versions[v.name] = { schema };
          rules += countRules(schema);
        }
      }
      out[`${group}/${kind}`] = entry;
    }
  }
  return { crds: out, rules };
}

// Drops documentation (description) from schema nodes; keeps everything that validation uses.
function stripDescriptions(s) {
  if (!s || typeof s !== 'object' || Array.isArray(s)) return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'description') continue;
    if (k === 'properties' || k === 'patternProperties') {
      out[k] = {};
      for (const [pk, pv] of Object.entries(v)) out[k][pk] = stripDescriptions(pv);
    } else if (k === 'items' || k === 'additionalProperties' || k === 'not') {
      out[k] = stripDescriptions(v);
    } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
      out[k] = v.map(stripDescriptions);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function countRules(s) {
  if (!s || typeof s !== 'object') return 0;
  let n = (s['x-kubernetes-validations'] || []).length;
  for (const v of Object.values(s.properties || {})) n += countRules(v);
  if (s.items) n += countRules(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') n += countRules(s.additionalProperties);
  return n;
}

/** Every CEL rule of the extracted schemas. */
function celRules(crds) {
  const rules = [];
  const walk = (s) => {
    if (!s || typeof s !== 'object') return;
    if (Array.isArray(s)) return s.forEach(walk);
    for (const r of s['x-kubernetes-validations'] || []) rules.push(r.rule);
    for (const [k, v] of Object.entries(s)) if (k !== 'x-kubernetes-validations') walk(v);
  };
  for (const entry of Object.values(crds)) for (const v of Object.values(entry.versions)) walk(v.schema);
  return rules;
}

// ---- Kubernetes built-ins from the upstream OpenAPI definitions vendored in k8s-schemas/ ----
let K8S_DIR = path.join(ROOT, 'k8s-schemas');
/** Releases of k8s-schemas/ (see its README.md), newest first: Istio 1.30 and 1.31 support Kubernetes 1.32 to 1.36. */
function k8sReleases(dir) {
  return fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').split('\n').filter(Boolean)
    .map(line => line.replace(/^[0-9a-f]{64} {2}/, '').split('/')[0])
    .sort((a, b) => semver(b) - semver(a));
}
const semver = v => v.replace(/^v/, '').split('.').reduce((n, x) => n * 1000 + Number(x), 0);
const minor = v => v.replace(/\.0$/, '');

/**
 * API versions of built-in kinds that Kubernetes stopped serving, from the Deprecated API Migration Guide
 * (https://kubernetes.io/docs/reference/using-api/deprecation-guide/, "Removed APIs by release"): apiVersion ->
 * { release that stopped serving it, kinds, the apiVersion to use instead (none: the API was removed, see note) }.
 */
const K8S_REMOVED = [
  ['v1.16', 'extensions/v1beta1', ['DaemonSet', 'Deployment', 'ReplicaSet'], 'apps/v1'],
  ['v1.16', 'extensions/v1beta1', ['NetworkPolicy'], 'networking.k8s.io/v1'],
  ['v1.16', 'extensions/v1beta1', ['PodSecurityPolicy'], null, 'the PodSecurityPolicy API was removed in v1.25, with no kind to replace it: Pod Security Admission (the pod-security.kubernetes.io/* labels of a namespace) does its work'],
  ['v1.16', 'apps/v1beta1', ['Deployment', 'StatefulSet', 'ReplicaSet'], 'apps/v1'],
  ['v1.16', 'apps/v1beta2', ['DaemonSet', 'Deployment', 'StatefulSet', 'ReplicaSet'], 'apps/v1'],
  ['v1.22', 'admissionregistration.k8s.io/v1beta1', ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], 'admissionregistration.k8s.io/v1'],
  ['v1.22', 'apiextensions.k8s.io/v1beta1', ['CustomResourceDefinition'], 'apiextensions.k8s.io/v1'],
  ['v1.22', 'apiregistration.k8s.io/v1beta1', ['APIService'], 'apiregistration.k8s.io/v1'],
  ['v1.22', 'authentication.k8s.io/v1beta1', ['TokenReview'], 'authentication.k8s.io/v1'],
  ['v1.22', 'authorization.k8s.io/v1beta1', ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SubjectAccessReview'], 'authorization.k8s.io/v1'],
  ['v1.22', 'certificates.k8s.io/v1beta1', ['CertificateSigningRequest'], 'certificates.k8s.io/v1'],
  ['v1.22', 'coordination.k8s.io/v1beta1', ['Lease'], 'coordination.k8s.io/v1'],
  ['v1.22', 'extensions/v1beta1', ['Ingress'], 'networking.k8s.io/v1'],
  ['v1.22', 'networking.k8s.io/v1beta1', ['Ingress', 'IngressClass'], 'networking.k8s.io/v1'],
  ['v1.22', 'rbac.authorization.k8s.io/v1beta1', ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], 'rbac.authorization.k8s.io/v1'],
  ['v1.22', 'scheduling.k8s.io/v1beta1', ['PriorityClass'], 'scheduling.k8s.io/v1'],
  ['v1.22', 'storage.k8s.io/v1beta1', ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], 'storage.k8s.io/v1'],
  ['v1.25', 'batch/v1beta1', ['CronJob'], 'batch/v1'],
  ['v1.25', 'discovery.k8s.io/v1beta1', ['EndpointSlice'], 'discovery.k8s.io/v1'],
  ['v1.25', 'events.k8s.io/v1beta1', ['Event'], 'events.k8s.io/v1'],
  ['v1.25', 'autoscaling/v2beta1', ['HorizontalPodAutoscaler'], 'autoscaling/v2'],
  ['v1.25', 'policy/v1beta1', ['PodDisruptionBudget'], 'policy/v1'],
  ['v1.25', 'policy/v1beta1', ['PodSecurityPolicy'], null, 'the PodSecurityPolicy API was removed, with no kind to replace it: Pod Security Admission (the pod-security.kubernetes.io/* labels of a namespace) does its work'],
  ['v1.25', 'node.k8s.io/v1beta1', ['RuntimeClass'], 'node.k8s.io/v1'],
  ['v1.26', 'flowcontrol.apiserver.k8s.io/v1beta1', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
  ['v1.26', 'autoscaling/v2beta2', ['HorizontalPodAutoscaler'], 'autoscaling/v2'],
  ['v1.27', 'storage.k8s.io/v1beta1', ['CSIStorageCapacity'], 'storage.k8s.io/v1'],
  ['v1.29', 'flowcontrol.apiserver.k8s.io/v1beta2', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
  ['v1.32', 'flowcontrol.apiserver.k8s.io/v1beta3', ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'],
];

// Upstream definition names, shortened: io.k8s.api.core.v1.PodSpec -> core.v1.PodSpec,
// io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta -> meta.v1.ObjectMeta, ...
const PREFIXES = ['io.k8s.api.', 'io.k8s.apimachinery.pkg.apis.', 'io.k8s.apimachinery.pkg.', 'io.k8s.apiextensions-apiserver.pkg.apis.', 'io.k8s.kube-aggregator.pkg.apis.'];
function shortName(name) {
  for (const p of PREFIXES) if (name.startsWith(p)) return name.slice(p.length);
  return name;
}
// Definitions written in place of a $ref to them: the value types of apimachinery.
const INLINE = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { 'x-kubernetes-int-or-string': true },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
};
// Keys of the upstream definitions that validation uses; the others (descriptions, strategic-merge-patch
// hints, x-kubernetes-group-version-kind, x-kubernetes-map-type, ...) are dropped.
const KEPT_KEYS = new Set(['type', 'format', 'properties', 'additionalProperties', 'items', 'required', 'enum', 'oneOf', 'anyOf', 'allOf', 'not', '$ref',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern']);

/**
 * One upstream definition as the validator reads it. k8s-schemas/ holds the swagger.json definitions of each
 * release converted by openapi2jsonschema --kubernetes; the conversion's two additions are undone: the
 * `enum: [Kind]` it gives the `kind` property of each kind (upstream has none: the API server checks kind
 * against the URL, not the schema) and `#/definitions/` in $ref. An object without properties
 * (RawExtension, FieldsV1, JSON, ...) holds any fields, as the API server decodes it.
 */
function convertDef(def, refs, isKind) {
  const conv = (s) => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) return s;
    if (typeof s.$ref === 'string') {
      const name = s.$ref.replace(/^#\/definitions\//, '');
      if (INLINE[name]) return { ...INLINE[name] };
      refs.push(name);
      return { $ref: shortName(name) };
    }
    const out = {};
    for (const [k, v] of Object.entries(s)) {
      if (!KEPT_KEYS.has(k)) continue;
      if (k === 'properties') {
        out[k] = {};
        for (const [pk, pv] of Object.entries(v)) out[k][pk] = conv(pv);
      } else if (k === 'items' || k === 'additionalProperties' || k === 'not') {
        out[k] = typeof v === 'object' ? conv(v) : v;
      } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
        out[k] = v.map(conv);
      } else {
        out[k] = v;
      }
    }
    return out;
  };
  const out = conv(def);
  if (isKind && out.properties && out.properties.kind) delete out.properties.kind.enum;
  const keys = Object.keys(out);
  if ((out.type === 'object' || keys.length === 0) && !out.properties && !out.additionalProperties && !out.$ref && !out.oneOf && !out.anyOf && !out.allOf) {
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return out;
}

function extractK8s(dir) {
  const releases = k8sReleases(dir);
  const sources = {};
  const kinds = {};
  const servedIn = {};
  const defs = {};
  const origin = {};
  for (const release of releases) {
    const file = path.join(dir, release, '_definitions.json');
    const text = fs.readFileSync(file);
    sources[release] = { file: `${release}/_definitions.json`, sha256: require('crypto').createHash('sha256').update(text).digest('hex') };
    const all = JSON.parse(text).definitions;
    const queue = [];
    for (const name of Object.keys(all).sort()) {
      // the kinds of a release: definitions with a group-version-kind, less those of apimachinery (DeleteOptions,
      // Status, WatchEvent, ...: parameters and responses, never objects of a manifest),
      // and the lists (ConfigMapList, ...: the validator reads their items as objects of their own)
      if (name.startsWith('io.k8s.apimachinery.')) continue;
      if (/List$/.test(name) && all[name].properties && all[name].properties.items) continue;
      for (const gvk of all[name]['x-kubernetes-group-version-kind'] || []) {
        const key = `${gvk.group ? gvk.group + '/' : ''}${gvk.version}/${gvk.kind}`;
        (servedIn[key] = servedIn[key] || []).push(minor(release));
        if (kinds[key]) continue; // served by a newer release: its schema is the newer one
        kinds[key] = shortName(name);
        queue.push(name);
      }
    }
    queue.push('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    while (queue.length) {
      const name = queue.shift();
      const short = shortName(name);
      if (INLINE[name]) continue;
      if (origin[short] !== undefined) {
        if (origin[short] !== name) throw new Error(`extract-schemas: definitions ${origin[short]} and ${name} shorten to the same name ${short}`);
        if (defs[short]) continue;
      }
      if (!all[name]) throw new Error(`extract-schemas: ${release} has no definition ${name}`);
      // the validator finds definitions by their name as written (src/validator/schemas.ts, IndexedEntries)
      if (JSON.stringify(short) !== `"${short}"`) throw new Error(`extract-schemas: definition name ${JSON.stringify(short)} needs escaping`);
      const refs = [];
      defs[short] = convertDef(all[name], refs, Boolean(all[name]['x-kubernetes-group-version-kind']));
      origin[short] = name;
      queue.push(...refs);
    }
  }
  const all = releases.map(minor);
  const partial = {};
  for (const [key, rels] of Object.entries(servedIn)) if (rels.length !== all.length) partial[key] = rels.sort((a, b) => semver(a) - semver(b));
  const removed = {};
  for (const [release, apiVersion, names, use, note] of K8S_REMOVED) {
    for (const kind of names) {
      const key = `${apiVersion}/${kind}`;
      if (kinds[key]) throw new Error(`extract-schemas: ${key} is listed as removed in ${release} but k8s-schemas/ serves it`);
      if (use && !kinds[`${use}/${kind}`]) throw new Error(`extract-schemas: ${key}: its replacement ${use}/${kind} is not served`);
      removed[key] = { removedIn: release, ...(use ? { use } : {}), ...(note ? { note } : {}) };
    }
  }
  const kindVersions = {};
  const groups = new Set();
  const groupOf = apiVersion => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');
  for (const key of Object.keys(kinds)) {
    const i = key.lastIndexOf('/');
    (kindVersions[key.slice(i + 1)] = kindVersions[key.slice(i + 1)] || []).push(key.slice(0, i));
    groups.add(groupOf(key.slice(0, i)));
  }
  for (const key of Object.keys(removed)) groups.add(groupOf(key.slice(0, key.lastIndexOf('/'))));
  for (const v of Object.values(kindVersions)) v.sort();
  return {
    source: 'Kubernetes OpenAPI (swagger.json) definitions of the releases below, as vendored in k8s-schemas/ (see its README.md)',
    releases: sources,
    groups: [...groups].sort(),
    kinds,
    kindVersions,
    servedIn: partial,
    removed,
    definitions: defs,
  };
}

function main() {
  const argv = process.argv.slice(2);
  const args = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') OUT = path.resolve(argv[++i]);
    else if (argv[i].startsWith('--out=')) OUT = path.resolve(argv[i].slice(6));
    else if (argv[i] === '--k8s') K8S_DIR = path.resolve(argv[++i]);
    else if (argv[i].startsWith('--')) throw new Error(`extract-schemas: unknown option ${argv[i]}`);
    else args.push(path.resolve(argv[i]));
  }
  const files = (args.length ? args : vendoredCrdFiles()).sort((a, b) => (sourceName(a) < sourceName(b) ? -1 : sourceName(a) > sourceName(b) ? 1 : 0));
  const { crds, rules } = extractCrds(files);
  writeJson(path.join(OUT, 'crds.json'), {
    sources: files.map(sourceName),
    keptGroups: KEPT_GROUPS,
    kinds: crds,
  });
  writeJson(path.join(OUT, 'cel.json'), celAst().precompileRules(celRules(crds)));
  const k8s = extractK8s(K8S_DIR);
  writeJson(path.join(OUT, 'k8s.json'), k8s);
  process.stdout.write(`extract-schemas: ${Object.keys(crds).length} CRD kinds (${rules} distinct CEL rules), ` +
    `${Object.keys(k8s.definitions).length} Kubernetes definitions -> ${path.relative(ROOT, OUT)}/\n`);
}

main();
