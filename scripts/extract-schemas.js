#!/usr/bin/env node
/*
 * Extracts what the offline validator (src/validator) needs into imports/validation/:
 *
 *  - crds.json: for every served version of the kept CRD kinds (groups networking.istio.io,
 *    security.istio.io, cert-manager.io and gateway.networking.k8s.io) the openAPIV3Schema, including
 *    its x-kubernetes-validations (CEL) rules and defaults. Identical schemas of several versions of one
 *    kind are stored once ({ "sameAs": "<version>" }).
 *  - cel.json: the syntax tree of every CEL rule of crds.json, parsed by @bufbuild/cel (src/validator/cel-ast.ts),
 *    with the parser's version: the validator plans these trees instead of parsing the rules in each process.
 *  - k8s.json: structural schemas of the Kubernetes built-in kinds the validator checks
 *    (Namespace, ServiceAccount, Service, Deployment, ConfigMap, Secret, Role, RoleBinding, ...),
 *    converted from the models that @kubernetes/client-node generates from the upstream
 *    Kubernetes OpenAPI spec (field names, types, formats, required fields). Only the
 *    definitions reachable from those kinds are kept.
 *
 * Output is deterministic: inputs sorted by folder/file name, keys sorted, 2-space indentation,
 * trailing newline.
 *
 * Usage: node scripts/extract-schemas.js [--out DIR] [crdFile...]
 *   --out DIR: output folder (default imports/validation)
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
const KEPT_GROUPS = ['networking.istio.io', 'security.istio.io', 'cert-manager.io', 'gateway.networking.k8s.io'];

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

// ---- Kubernetes built-ins from @kubernetes/client-node generated models ----
const K8S_ROOTS = {
  'v1/Namespace': 'V1Namespace',
  'v1/ServiceAccount': 'V1ServiceAccount',
  'v1/Service': 'V1Service',
  'v1/ConfigMap': 'V1ConfigMap',
  'v1/Secret': 'V1Secret',
  'v1/Pod': 'V1Pod',
  'apps/v1/Deployment': 'V1Deployment',
  'apps/v1/StatefulSet': 'V1StatefulSet',
  'apps/v1/DaemonSet': 'V1DaemonSet',
  'batch/v1/Job': 'V1Job',
  'rbac.authorization.k8s.io/v1/Role': 'V1Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'V1RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'V1ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'V1ClusterRoleBinding',
  'networking.k8s.io/v1/NetworkPolicy': 'V1NetworkPolicy',
  'policy/v1/PodDisruptionBudget': 'V1PodDisruptionBudget',
};

function k8sModelsDir() {
  const pkgJson = require.resolve('@kubernetes/client-node/package.json', { paths: [ROOT] });
  return { dir: path.join(path.dirname(pkgJson), 'dist', 'gen', 'models'), version: require(pkgJson).version };
}

function readModel(dir, name) {
  const js = fs.readFileSync(path.join(dir, name + '.js'), 'utf8');
  const m = js.match(new RegExp(name + '\\.attributeTypeMap = (\\[[\\s\\S]*?\\]);'));
  if (!m) throw new Error(`no attributeTypeMap in ${name}`);
  const attrs = JSON.parse(m[1]);
  const dts = fs.readFileSync(path.join(dir, name + '.d.ts'), 'utf8');
  const required = [];
  for (const mm of dts.matchAll(/^\s*'([^']+)'(\??):/gm)) if (!mm[2]) required.push(mm[1]);
  return { attrs, required };
}

function typeToSchema(type, format, refs) {
  type = type.trim();
  let m;
  if ((m = type.match(/^Array<(.+)>$/))) return { type: 'array', items: typeToSchema(m[1], format, refs) };
  if ((m = type.match(/^\{ \[key: string\]: (.+); \}$/))) return { type: 'object', additionalProperties: typeToSchema(m[1], format, refs) };
  switch (type) {
    case 'string': return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    case 'number': return (format === 'int32' || format === 'int64') ? { type: 'integer', format } : { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'Date': return { type: 'string', format: 'date-time' };
    case 'IntOrString': return { 'x-kubernetes-int-or-string': true };
    case 'any': return { 'x-kubernetes-preserve-unknown-fields': true };
    default:
      refs.push(type);
      return { $ref: type };
  }
}

function extractK8s() {
  const { dir, version } = k8sModelsDir();
  const defs = {};
  const queue = Object.values(K8S_ROOTS);
  while (queue.length) {
    const name = queue.shift();
    if (defs[name]) continue;
    const special = { V1Time: 'date-time', V1MicroTime: 'date-time' };
    if (special[name]) { defs[name] = { type: 'string', format: 'date-time' }; continue; }
    const { attrs, required } = readModel(dir, name);
    const refs = [];
    const properties = {};
    for (const a of attrs) properties[a.baseName] = typeToSchema(a.type, a.format, refs);
    const def = { type: 'object', properties };
    if (required.length) def.required = required.sort();
    defs[name] = def;
    queue.push(...refs);
  }
  return { source: `@kubernetes/client-node@${version} (dist/gen/models)`, kinds: K8S_ROOTS, definitions: defs };
}

function main() {
  const argv = process.argv.slice(2);
  const args = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') OUT = path.resolve(argv[++i]);
    else if (argv[i].startsWith('--out=')) OUT = path.resolve(argv[i].slice(6));
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
  const k8s = extractK8s();
  writeJson(path.join(OUT, 'k8s.json'), k8s);
  process.stdout.write(`extract-schemas: ${Object.keys(crds).length} CRD kinds (${rules} distinct CEL rules), ` +
    `${Object.keys(k8s.definitions).length} Kubernetes definitions -> ${path.relative(ROOT, OUT)}/\n`);
}

main();
