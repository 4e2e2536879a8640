/** Structural schema + CEL validation of single objects. */
import { evalRule, toCel } from '../../cel';
import type { Obj, Reporter } from '../../context';
import { isSecretDataField } from '../../redact';
import { k8s, lookupSchema } from '../../schemas';
import { walk, type CelSite, type Schema, type StructuralIssue } from './structural';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// kinds whose names must be DNS-1123 labels (not subdomains)
const LABEL_NAMED = new Set(['Namespace', 'Service']);
// RBAC objects accept path-segment names
const PATH_SEGMENT_NAMED = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

/** Statistics of CEL evaluation, accumulated over the process (for the tests and the CLI). */
export const celStats = { evaluated: 0, failed: 0, skippedTransition: 0, unsupported: 0 };

export function checkSchema(o: Obj, rep: Reporter): void {
  const raw = o.raw;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || !o.apiVersion || typeof raw.kind !== 'string') {
    rep.add(o, 'schema/invalid-object', '(root)', 'document is not a Kubernetes object (apiVersion and kind are required)', 'Give the document apiVersion, kind and metadata.name.');
    return;
  }
  if (!raw.metadata || typeof raw.metadata !== 'object' || typeof raw.metadata.name !== 'string' || raw.metadata.name === '') {
    rep.add(o, 'schema/invalid-object', 'metadata.name', 'metadata.name is required', 'Set metadata.name.');
  }
  checkNames(o, rep);

  const found = lookupSchema(o.apiVersion, o.kind);
  if (found.found === 'unknown-kind') {
    rep.add(o, 'schema/unknown-kind', 'apiVersion',
      found.knownGroup ? `no schema known for ${o.apiVersion} ${o.kind}; not validated structurally` : `could not check ${o.apiVersion} ${o.kind} structurally: no schema is known for its API group`,
      found.knownGroup ? `Check apiVersion/kind spelling: the group ${found.group} is known but this kind/version is not.` : 'Add its CRD to scripts/extract-schemas.js inputs if it should be validated.',
      found.knownGroup ? 'error' : 'note');
    return;
  }
  if (found.found === 'unserved-version') {
    rep.add(o, 'schema/unserved-version', 'apiVersion', `${o.kind} is not served in version ${o.apiVersion}; served versions: ${found.servedVersions.join(', ')}`, `Use one of: ${found.servedVersions.map(v => `${o.group}/${v}`).join(', ')}.`);
    return;
  }

  const issues: StructuralIssue[] = [];
  const celSites: CelSite[] = [];
  const redact = (p: string) => isSecretDataField(o.kind, p);
  const k = k8s();
  // metadata is always validated against the upstream ObjectMeta
  if (raw.metadata && typeof raw.metadata === 'object') {
    walk({ $ref: 'V1ObjectMeta' }, raw.metadata, 'metadata', { issues, celSites: [], defs: k.definitions });
  }
  if (found.found === 'crd') {
    const root: Schema = found.schema;
    const props = root.properties ?? {};
    for (const key of Object.keys(raw)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      const ps = props[key];
      if (!ps) {
        issues.push({ ruleId: 'schema/unknown-field', field: key, message: `unknown field "${key}"`, fix: `Remove ${key}; known top-level fields: ${Object.keys(props).join(', ')}.` });
        continue;
      }
      if (key === 'status') continue; // status is a subresource: ignored on create
      walk(ps, raw[key], key, { issues, celSites });
    }
    for (const req of root.required ?? []) {
      if (raw[req] === undefined) issues.push({ ruleId: 'schema/required', field: req, message: `required field "${req}" is missing`, fix: `Set ${req}.` });
    }
    if (found.scope === 'Cluster' && raw.metadata?.namespace) {
      rep.add(o, 'schema/namespace-scope', 'metadata.namespace', `${o.kind} is cluster-scoped but has metadata.namespace`, 'Remove metadata.namespace.');
    }
  } else {
    const def = k.definitions[found.definition];
    const props = def.properties ?? {};
    for (const key of Object.keys(raw)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status') continue;
      const ps = props[key];
      if (!ps) {
        issues.push({ ruleId: 'schema/unknown-field', field: key, message: `unknown field "${key}"`, fix: `Remove ${key}; known top-level fields: ${Object.keys(props).filter(p => p !== 'status').join(', ')}.` });
        continue;
      }
      walk(ps, raw[key], key, { issues, celSites: [], defs: k.definitions, redact });
    }
    for (const req of def.required ?? []) {
      if (req !== 'metadata' && raw[req] === undefined) issues.push({ ruleId: 'schema/required', field: req, message: `required field "${req}" is missing`, fix: `Set ${req}.` });
    }
  }
  for (const i of issues) rep.add(o, i.ruleId, i.field, i.message, i.fix);
  for (const site of celSites) evalSite(o, rep, site);
}

function evalSite(o: Obj, rep: Reporter, site: CelSite): void {
  let celValue: unknown;
  for (const rule of site.rules) {
    if (celValue === undefined) celValue = toCel(site.schema, site.value);
    const out = evalRule(rule.rule, site.schema, site.value, celValue);
    const field = rule.fieldPath ? `${site.field}${rule.fieldPath.startsWith('.') || rule.fieldPath.startsWith('[') ? '' : '.'}${rule.fieldPath}` : site.field || '(root)';
    switch (out.status) {
      case 'pass':
        celStats.evaluated++;
        break;
      case 'fail':
        celStats.evaluated++;
        celStats.failed++;
        rep.add(o, 'cel/rule', field, `${rule.message ?? 'failed rule'} (CEL rule: ${rule.rule})`, `Change ${field} so that the CRD rule \`${rule.rule}\` holds.`);
        break;
      case 'skipped':
        if (out.transition) celStats.skippedTransition++;
        else {
          celStats.unsupported++;
          rep.add(o, 'cel/unsupported', field, `CEL rule not evaluated offline: ${out.reason} (rule: ${rule.rule})`, 'Check this rule by hand or with a server-side dry run.');
        }
        break;
      case 'error':
        // The API server reports evaluation errors (e.g. no such key) as invalid values.
        celStats.evaluated++;
        celStats.failed++;
        rep.add(o, 'cel/rule', field, `${rule.message ?? 'rule'}: evaluation error: ${out.reason} (CEL rule: ${rule.rule})`, `Change ${field} so that the CRD rule \`${rule.rule}\` can be evaluated and holds.`);
        break;
    }
  }
}

function checkNames(o: Obj, rep: Reporter) {
  const name = o.raw?.metadata?.name;
  if (typeof name === 'string' && name) {
    if (PATH_SEGMENT_NAMED.has(o.kind)) {
      if (name === '.' || name === '..' || /[/%]/.test(name)) rep.add(o, 'schema/metadata-name', 'metadata.name', `invalid name ${JSON.stringify(name)}: may not be "." or ".." or contain "/" or "%"`, 'Rename the object.');
    } else if (LABEL_NAMED.has(o.kind)) {
      if (name.length > 63 || !DNS1123_LABEL.test(name)) rep.add(o, 'schema/metadata-name', 'metadata.name', `invalid name ${JSON.stringify(name)}: a ${o.kind} name must be a DNS-1123 label (lowercase alphanumerics and "-", at most 63 characters)`, 'Rename the object.');
    } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
      rep.add(o, 'schema/metadata-name', 'metadata.name', `invalid name ${JSON.stringify(name)}: must be a DNS-1123 subdomain (lowercase alphanumerics, "-" and ".")`, 'Rename the object.');
    }
  }
  const ns = o.raw?.metadata?.namespace;
  if (typeof ns === 'string' && ns && (ns.length > 63 || !DNS1123_LABEL.test(ns))) {
    rep.add(o, 'schema/metadata-name', 'metadata.namespace', `invalid namespace ${JSON.stringify(ns)}: must be a DNS-1123 label`, 'Use a valid namespace name.');
  }
}
