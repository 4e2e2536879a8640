/** Structural schema validation of single objects (the CEL rules met on the way: ../cel/crd-validations.ts). */
import { checkCelSites } from '../cel/crd-validations';
import type { Obj, Reporter } from '../../context';
import { isSecretDataField } from '../../redact';
import { checkObjectMeta } from './object-meta';
import { k8sDefinitions, k8sReleases, lookupSchema, OBJECT_META } from '../../schemas';
import { walk, type CelSite, type Schema, type StructuralIssue, SCHEMA_DUPLICATE, SCHEMA_REQUIRED, SCHEMA_UNKNOWN_FIELD } from './structural';
import { defineRule } from '../rule';

export const SCHEMA_INVALID_OBJECT = defineRule({
  id: 'schema/invalid-object',
  family: 'schema',
  severity: 'error',
  description: 'The document is not a Kubernetes object (needs apiVersion, kind, metadata.name).',
  source: 'Kubernetes API server (object decoding)',
});

export const SCHEMA_UNKNOWN_KIND = defineRule({
  id: 'schema/unknown-kind',
  family: 'schema',
  severity: 'error',
  description: 'No schema is known for this apiVersion/kind (a note for API groups the validator does not know).',
  source: 'Kubernetes API server (REST mapping); kubectl apply',
  details: 'No schema is known for this apiVersion/kind: an error when its API group is known (a misspelt kind of a built-in or vendored group), a note (not validated structurally) for other groups.',
});

export const SCHEMA_UNSERVED_VERSION = defineRule({
  id: 'schema/unserved-version',
  family: 'schema',
  severity: 'error',
  description: 'The version named by apiVersion is not served (by the CRD, or by Kubernetes for a built-in kind).',
  source: 'CRD spec.versions[].served; Kubernetes Deprecated API Migration Guide',
  details: 'The version named by apiVersion is not served: by the CRD of this kind, or by Kubernetes for a built-in kind (a removed API version: the release that stopped serving it and its replacement). A note for a built-in API that only some of the supported Kubernetes releases (1.32 to 1.36) serve.',
});

export const SCHEMA_METADATA_NAME = defineRule({
  id: 'schema/metadata-name',
  family: 'schema',
  severity: 'error',
  description: 'metadata.name / metadata.namespace is not a valid DNS-1123 name for this kind.',
  source: 'Kubernetes apimachinery ValidateObjectMeta (NameIsDNSSubdomain, NameIsDNSLabel, ValidatePathSegmentName)',
});

export const SCHEMA_NAMESPACE_SCOPE = defineRule({
  id: 'schema/namespace-scope',
  family: 'schema',
  severity: 'error',
  description: 'A cluster-scoped object carries metadata.namespace.',
  source: 'Kubernetes API server (cluster-scoped resources)',
});

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// kinds whose names must be DNS-1123 labels (not subdomains)
const LABEL_NAMED = new Set(['Namespace', 'Service']);
// RBAC objects accept path-segment names
const PATH_SEGMENT_NAMED = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

export function checkSchema(o: Obj, rep: Reporter): void {
  const raw = o.raw;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !o.apiVersion || typeof raw.kind !== 'string') {
    rep.add(o, SCHEMA_INVALID_OBJECT, '(root)', 'document is not a Kubernetes object (apiVersion and kind are required)', 'Give the document apiVersion, kind and metadata.name.');
    return;
  }
  if (!raw.metadata || typeof raw.metadata !== 'object' || typeof raw.metadata.name !== 'string' || raw.metadata.name === '') {
    rep.add(o, SCHEMA_INVALID_OBJECT, 'metadata.name', 'metadata.name is required', 'Set metadata.name.');
  }
  checkNames(o, rep);
  checkObjectMeta(o, rep);

  const found = lookupSchema(o.apiVersion, o.kind);
  if (found.found === 'unknown-kind' && isExperimentalGatewayApi(o.group, o.kind)) {
    rep.add(o, SCHEMA_UNKNOWN_KIND, 'apiVersion',
      `could not check ${o.apiVersion} ${o.kind} structurally: it is a kind of the Gateway API's experimental channel, whose CRDs are not vendored (Istio serves it when they are installed)`,
      'Make sure the experimental-channel CRDs of the Gateway API release Istio is built against are installed.', 'warning');
    return;
  }
  if (found.found === 'unknown-kind') {
    rep.add(o, SCHEMA_UNKNOWN_KIND, 'apiVersion',
      found.knownGroup ? `no schema known for ${o.apiVersion} ${o.kind}; not validated structurally` : `could not check ${o.apiVersion} ${o.kind} structurally: no schema is known for its API group`,
      found.knownGroup ? `Check apiVersion/kind spelling: the group ${found.group} is known but this kind/version is not.` : 'Add its CRD to scripts/extract-schemas.js inputs if it should be validated.',
      found.knownGroup ? 'error' : 'note');
    return;
  }
  if (found.found === 'unserved-version') {
    const removed = found.removed;
    if (removed) {
      rep.add(o, SCHEMA_UNSERVED_VERSION, 'apiVersion', `${o.apiVersion} ${o.kind} is no longer served: Kubernetes stopped serving it in ${removed.removedIn}; ${removed.use ? `use ${removed.use}` : removed.note ?? 'it has no replacement'}`,
        removed.use ? `Change apiVersion to ${removed.use} (https://kubernetes.io/docs/reference/using-api/deprecation-guide/ lists the field changes).` : 'Remove the object.');
    } else if (found.builtin) {
      rep.add(o, SCHEMA_UNSERVED_VERSION, 'apiVersion', `${o.kind} is not served in version ${o.apiVersion}; served versions: ${found.servedVersions.join(', ')}`, `Use one of: ${found.servedVersions.join(', ')}.`);
    } else {
      rep.add(o, SCHEMA_UNSERVED_VERSION, 'apiVersion', `${o.kind} is not served in version ${o.apiVersion}; served versions: ${found.servedVersions.join(', ')}`, `Use one of: ${found.servedVersions.map(v => `${o.group}/${v}`).join(', ')}.`);
    }
    return;
  }
  if (found.found === 'k8s' && found.servedIn) {
    const all = k8sReleases().map(r => r.replace(/\.0$/, ''));
    rep.add(o, SCHEMA_UNSERVED_VERSION, 'apiVersion',
      `${o.apiVersion} ${o.kind} is served by Kubernetes ${found.servedIn.join(', ')} only, of the releases Istio 1.30 and 1.31 support (${all.join(', ')}); which release the cluster runs is not in the input`,
      'Check that the cluster serves this API version (kubectl api-versions), or use an API version that all these releases serve.', 'note');
  }

  const issues: StructuralIssue[] = [];
  const celSites: CelSite[] = [];
  const redact = (p: string) => isSecretDataField(o.kind, p);
  const defs = k8sDefinitions();
  // metadata is always validated against the upstream ObjectMeta
  if (raw.metadata && typeof raw.metadata === 'object') {
    walk({ $ref: OBJECT_META }, raw.metadata, 'metadata', { issues, celSites: [], defs });
  }
  if (found.found === 'crd') {
    const root: Schema = found.schema;
    const props = root.properties ?? {};
    for (const key of Object.keys(raw)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      const ps = props[key];
      if (!ps) {
        issues.push({ rule: SCHEMA_UNKNOWN_FIELD, field: key, message: `unknown field "${key}"`, fix: `Remove ${key}; known top-level fields: ${Object.keys(props).join(', ')}.` });
        continue;
      }
      if (key === 'status') continue; // status is a subresource: ignored on create
      walk(ps, raw[key], key, { issues, celSites });
    }
    for (const req of root.required ?? []) {
      if (raw[req] === undefined) issues.push({ rule: SCHEMA_REQUIRED, field: req, message: `required field "${req}" is missing`, fix: `Set ${req}.` });
    }
    if (found.scope === 'Cluster' && raw.metadata?.namespace) {
      rep.add(o, SCHEMA_NAMESPACE_SCOPE, 'metadata.namespace', `${o.kind} is cluster-scoped but has metadata.namespace`, 'Remove metadata.namespace.');
    }
  } else {
    const def = defs[found.definition];
    const props = def.properties ?? {};
    for (const key of Object.keys(raw)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status') continue;
      const ps = props[key];
      if (!ps) {
        issues.push({ rule: SCHEMA_UNKNOWN_FIELD, field: key, message: `unknown field "${key}"`, fix: `Remove ${key}; known top-level fields: ${Object.keys(props).filter(p => p !== 'status').join(', ')}.` });
        continue;
      }
      walk(ps, raw[key], key, { issues, celSites: [], defs, redact });
    }
    for (const req of def.required ?? []) {
      if (req !== 'metadata' && raw[req] === undefined) issues.push({ rule: SCHEMA_REQUIRED, field: req, message: `required field "${req}" is missing`, fix: `Set ${req}.` });
    }
  }
  for (const i of issues) {
    // Duplicate keys of a list-map of a built-in kind: server-side apply refuses them, the API server's create and
    // client-side kubectl apply refuse some (Service ports) and accept others with a warning (container ports, env).
    if (i.rule === SCHEMA_DUPLICATE && (found.found === 'k8s' || i.field.startsWith('metadata'))) {
      rep.add(o, i.rule, i.field, `${i.message} (server-side apply refuses it; whether the API server's own validation does depends on the field)`, i.fix, 'warning');
    } else {
      rep.add(o, i.rule, i.field, i.message, i.fix);
    }
  }
  checkCelSites(o, rep, celSites);
}

function checkNames(o: Obj, rep: Reporter) {
  const name = o.raw?.metadata?.name;
  if (typeof name === 'string' && name) {
    if (PATH_SEGMENT_NAMED.has(o.kind)) {
      if (name === '.' || name === '..' || /[/%]/.test(name)) rep.add(o, SCHEMA_METADATA_NAME, 'metadata.name', `invalid name ${JSON.stringify(name)}: may not be "." or ".." or contain "/" or "%"`, 'Rename the object.');
    } else if (LABEL_NAMED.has(o.kind)) {
      if (name.length > 63 || !DNS1123_LABEL.test(name)) rep.add(o, SCHEMA_METADATA_NAME, 'metadata.name', `invalid name ${JSON.stringify(name)}: a ${o.kind} name must be a DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)`, 'Rename the object.');
    } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
      rep.add(o, SCHEMA_METADATA_NAME, 'metadata.name', `invalid name ${JSON.stringify(name)}: must be a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".")`, 'Rename the object.');
    }
  }
  const ns = o.raw?.metadata?.namespace;
  if (typeof ns === 'string' && ns && (ns.length > 63 || !DNS1123_LABEL.test(ns))) {
    rep.add(o, SCHEMA_METADATA_NAME, 'metadata.namespace', `invalid namespace ${JSON.stringify(ns)}: must be a DNS-1123 label`, 'Use a valid namespace name.');
  }
}

/** Kinds of the Gateway API's experimental channel (istio supports them; only the standard channel's CRDs are vendored). */
const EXPERIMENTAL_GATEWAY_KINDS = new Set(['TCPRoute', 'UDPRoute', 'BackendLBPolicy', 'BackendTrafficPolicy']);
function isExperimentalGatewayApi(group: string, kind: string): boolean {
  return group === 'gateway.networking.x-k8s.io' || (group === 'gateway.networking.k8s.io' && EXPERIMENTAL_GATEWAY_KINDS.has(kind));
}
