/**
 * AuthorizationPolicy as Istio 1.30.3 validates it: ValidateAuthorizationPolicy with validateMetadata's
 * istio.io/dry-run check (checkDryRunAnnotation), validateOneOfSelectorType, validateWorkloadSelector,
 * validatePolicyTargetReference(s) (policy-target.ts) and pkg/config/security's ValidateIPs, ValidatePorts,
 * CheckEmptyValues, CheckServiceAccount, CheckTrustDomainValues, CheckValidPathTemplate and ValidateAttribute.
 * Istio 1.31 validates AuthorizationPolicy the same (no difference in validation.go or its test table).
 */
import type { Obj, Reporter } from '../../context';
import { ipAddressError, IstioReport, isIp, isMessage, ISTIO_METADATA, checkIstioMetadata } from './common';
import { checkPolicySelector, checkPolicyTargets, nsName } from './policy-target';
import { defineRule } from '../rule';

export const AUTHZ_ACTION = defineRule({
  id: 'istio/authz-action',
  family: 'istio',
  severity: 'error',
  description: 'An AuthorizationPolicy DENY or CUSTOM has no rules, a CUSTOM one no provider name, or a provider is set without CUSTOM.',
  source: 'Istio validation.go ValidateAuthorizationPolicy',
  details: 'DENY or CUSTOM without `rules` never triggers (Istio: add an empty rule `{}` to match every request); CUSTOM needs `provider.name`; `provider` only with CUSTOM. `rules: []` counts as no rules, as Istio decodes it (an empty list is an unset repeated field).',
});

export const AUTHZ_RULE = defineRule({
  id: 'istio/authz-rule',
  family: 'istio',
  severity: 'error',
  description: 'An AuthorizationPolicy rule has a null or empty from/to/source/operation, an empty value, or a field CUSTOM does not support.',
  source: 'Istio validation.go ValidateAuthorizationPolicy, pkg/config/security CheckEmptyValues, CheckServiceAccount, CheckTrustDomainValues',
  details: 'Per rule: not null; `from`/`to`, when given, not empty and without null entries; `source`/`operation` set and not empty; no empty string in any list of source or operation; serviceAccounts not with principals or namespaces, at most 16, no "*", "sa" or "ns/sa"; with CUSTOM no namespaces, serviceAccounts, trustDomains, principals or requestPrincipals (nor their not* forms) and no when key source.namespace, source.serviceAccount, source.trustDomain, source.principal or request.auth.*. Of CheckTrustDomainValues only the empty-value check is ported (its wildcard grammar is not in the reference sources).',
});

export const AUTHZ_IP_BLOCK = defineRule({
  id: 'istio/authz-ip-block',
  family: 'istio',
  severity: 'error',
  description: 'An ipBlocks/remoteIpBlocks entry (or a source.ip, remote.ip, destination.ip condition value) is not an IP address or CIDR range.',
  source: 'Istio pkg/config/security ValidateIPs',
  details: 'ValidateIPs: an entry with "/" must parse as a prefix (netip.ParsePrefix: an address and 0..32 or 0..128 bits, so 5.6.7.0/33 is refused), any other entry as an address (netip.ParseAddr).',
});

export const AUTHZ_PORT = defineRule({
  id: 'istio/authz-port',
  family: 'istio',
  severity: 'error',
  description: 'An operation ports/notPorts entry (or a destination.port condition value) is not a port number 0..65535.',
  source: 'Istio pkg/config/security ValidatePorts',
});

export const AUTHZ_PATH = defineRule({
  id: 'istio/authz-path',
  family: 'istio',
  severity: 'error',
  description: 'An operation paths/notPaths entry is an invalid or unsupported path template.',
  source: 'Istio pkg/config/security CheckValidPathTemplate',
  details: 'A path with {*} or {**} is a template: {**} only as the last segment, no other "{" or "}", and every other segment a valid literal (RFC 3986 pchar).',
});

export const AUTHZ_CONDITION = defineRule({
  id: 'istio/authz-condition',
  family: 'istio',
  severity: 'error',
  description: 'An AuthorizationPolicy when condition has no key, no values, an unknown key or a bad value.',
  source: 'Istio validation.go ValidateAuthorizationPolicy, pkg/config/security ValidateAttribute',
  details: 'when: a key, values or notValues; a known attribute (request.headers[...], source.ip, remote.ip, source.namespace, source.serviceAccount, source.trustDomain, source.principal, request.auth.principal/audiences/presenter/claims[...], destination.ip, destination.port, connection.sni, experimental.envoy.filters.*[...]); destination.namespace, destination.labels, destination.name and destination.user are refused; values non-empty, IPs for the IP keys, ports for destination.port.',
});

export const AUTHZ_DENY_HTTP_ONLY = defineRule({
  id: 'istio/authz-deny-http-only',
  family: 'istio',
  severity: 'warning',
  description: 'A DENY AuthorizationPolicy rule uses only HTTP attributes, so it denies all traffic to TCP ports under its scope.',
  source: 'Istio validation.go ValidateAuthorizationPolicy',
  details: 'Istio\'s warning: a DENY rule whose `from` has only HTTP attributes (requestPrincipals) and no `to`, or whose `to` sets no ports, denies every TCP connection it applies to; set the ports explicitly.',
});

const RULES_FIX = 'Add rules (an empty rule `{}` matches every request).';
const ANY_FIELDS = {
  source: ['principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks', 'notPrincipals', 'notRequestPrincipals', 'notNamespaces',
    'notIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains'],
  operation: ['ports', 'methods', 'paths', 'hosts', 'notPorts', 'notMethods', 'notPaths', 'notHosts'],
};
/** The Source fields that make a rule apply to TCP traffic too. */
const TCP_SOURCE = ['notPrincipals', 'principals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces', 'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts'];
const CUSTOM_UNSUPPORTED_FROM = ['namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains', 'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals'];
const upperFirst = (s: string) => s[0].toUpperCase() + s.slice(1);

/** A repeated string field as Go sees it: its elements, as strings. */
function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : x === null || x === undefined ? '' : String(x))) : [];
}
/** A repeated field that is set (protojson decodes `[]` as unset). */
const given = (v: unknown) => Array.isArray(v) && v.length > 0;

/** CheckEmptyValues */
function emptyValueError(key: string, values: string[]): string | undefined {
  return values.includes('') ? `empty value not allowed, found in ${key}` : undefined;
}

/** CheckServiceAccount */
function serviceAccountError(key: string, values: string[]): string | undefined {
  if (values.length > 16) return 'may not have more than 16 values';
  for (const v of values) {
    if (v === '') return `empty value not allowed, found in ${key}`;
    if (v.includes('*')) return `wildcard not allowed, found in ${key}`;
    const slashes = v.split('/').length - 1;
    if (slashes > 1) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(v)} in ${key}`;
    if (v.length > 320) return `value cannot exceed 320 characters, found ${JSON.stringify(v)} in ${key}`;
    if (slashes === 1) {
      const [ns, sa] = v.split('/');
      if (!ns) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty namespace ${JSON.stringify(v)} in ${key}`;
      if (!sa) return `expected format 'serviceAccount' or 'namespace/serviceAccount', found empty serviceAccount ${JSON.stringify(v)} in ${key}`;
    }
  }
  return undefined;
}

/** netip.ParsePrefix, with Go's messages. */
function prefixError(s: string): string | undefined {
  const slash = s.lastIndexOf('/');
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const where = `netip.ParsePrefix(${JSON.stringify(s)})`;
  if (addr.includes('%')) return `${where}: IPv6 zones cannot be present in a prefix`;
  if (!isIp(addr)) return `${where}: ParseAddr(${JSON.stringify(addr)}): unable to parse IP`;
  if (!/^(0|[1-9]\d*)$/.test(bits)) return `${where}: bad bits after slash: ${JSON.stringify(bits)}`;
  if (Number(bits) > (addr.includes(':') ? 128 : 32)) return `${where}: prefix length out of range`;
  return undefined;
}

/** security.ValidateIPs: every failure, as Istio joins them. */
export function ipErrors(values: string[]): string[] {
  return values.flatMap((v) => {
    if (v.includes('/')) {
      const e = prefixError(v);
      return e ? [`bad CIDR range (${v}): ${e}`] : [];
    }
    return ipAddressError(v) ? [`bad IP address (${v})`] : [];
  });
}

/** security.ValidatePorts (strconv.ParseUint(port, 10, 32), at most 65535). */
export function portErrors(values: string[]): string[] {
  return values.flatMap((p) => {
    if (!/^\d+$/.test(p)) return [`bad port (${p}): strconv.ParseUint: parsing ${JSON.stringify(p)}: invalid syntax`];
    const n = Number(p);
    if (n > 4294967295) return [`bad port (${p}): strconv.ParseUint: parsing ${JSON.stringify(p)}: value out of range`];
    return n > 65535 ? [`bad port (${p}): <nil>`] : [];
  });
}

const VALID_LITERAL = /^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$/;
/** security.CheckValidPathTemplate */
function pathTemplateError(key: string, paths: string[]): string | undefined {
  for (const raw of paths) {
    const template = raw.includes('{*}') || raw.includes('{**}');
    let matchAny = false;
    const path = raw.replace(/^\/+|\/+$/g, '');
    for (const glob of path.split('/')) {
      if (glob === '{*}' && !matchAny) continue;
      if (glob === '{**}' && !matchAny) {
        matchAny = true;
        continue;
      }
      if ((glob === '{**}' || glob === '{*}') && matchAny) return `invalid or unsupported path ${path}, found in ${key}. {**} is not the last operator`;
      if (/[{}]/.test(glob)) return `invalid or unsupported path ${path}, found in ${key}. Contains '{' or '}' beyond a supported path template`;
      if (template && !VALID_LITERAL.test(glob)) return `invalid or unsupported path ${path}, found in ${key}. Contains segment ${glob} with invalid string literal`;
    }
  }
  return undefined;
}

/** validateMapKey: "a[b]". */
function mapKeyError(key: string): string | undefined {
  const open = key.indexOf('[');
  return key.endsWith(']') && open > 0 && open < key.length - 2 ? undefined : `bad key (${key}): should have format a[b]`;
}

/** security.ValidateAttribute: one error (Istio returns the first), with the rule it belongs to. */
function attributeError(key: string, values: string[]): { rule: typeof AUTHZ_CONDITION; message: string } | undefined {
  const cond = (message: string | undefined) => (message ? { rule: AUTHZ_CONDITION, message } : undefined);
  const empty = emptyValueError(key, values);
  if (empty) return cond(empty);
  if (key.startsWith('request.headers') || key.startsWith('request.experimental.inline.headers') || key.startsWith('request.auth.claims') || key.startsWith('experimental.envoy.filters.')) {
    return cond(mapKeyError(key));
  }
  if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') {
    const e = ipErrors(values);
    return e.length ? { rule: AUTHZ_IP_BLOCK, message: e.join('; ') } : undefined;
  }
  if (key === 'destination.port') {
    const e = portErrors(values);
    return e.length ? { rule: AUTHZ_PORT, message: e.join('; ') } : undefined;
  }
  if (key === 'source.serviceAccount') return cond(serviceAccountError(key, values));
  if (['source.namespace', 'source.trustDomain', 'source.principal', 'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'connection.sni'].includes(key)) return undefined;
  if (key === 'destination.namespace') return cond(`attribute ${key} is replaced by the metadata.namespace`);
  if (key.startsWith('destination.labels')) return cond(`attribute ${key} is replaced by the workload selector`);
  if (key === 'destination.name' || key === 'destination.user') return cond(`deprecated attribute ${key}: only supported in v1alpha1`);
  return cond(`unknown attribute: ${key}`);
}

const PARSE_BOOL = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** checkDryRunAnnotation for AuthorizationPolicy: a boolean, with ALLOW or DENY only. */
function checkDryRun(o: Obj, action: string, r: IstioReport): boolean {
  const a = o.raw?.metadata?.annotations;
  if (!isMessage(a) || !('istio.io/dry-run' in a)) return false;
  const field = 'metadata.annotations["istio.io/dry-run"]';
  const val = typeof a['istio.io/dry-run'] === 'string' ? a['istio.io/dry-run'] : String(a['istio.io/dry-run']);
  if (action === 'ALLOW' || action === 'DENY') {
    if (PARSE_BOOL.has(val)) return false;
    r.error(ISTIO_METADATA, field, `${nsName(o)} has annotation istio.io/dry-run with invalid value (${val}): strconv.ParseBool: parsing ${JSON.stringify(val)}: invalid syntax`, 'Use "true" or "false".');
  } else {
    r.error(ISTIO_METADATA, field, `the annotation istio.io/dry-run currently only supports action ALLOW/DENY, found action ${action} in ${nsName(o)}`, 'Remove the annotation, or use it on an ALLOW or DENY policy.');
  }
  return true;
}

export function checkAuthorizationPolicy(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  const spec = isMessage(o.raw?.spec) ? o.raw.spec : {};
  const action = typeof spec.action === 'string' && spec.action ? spec.action : 'ALLOW';
  // validateMetadata returns before the policy is validated when the annotation is refused
  if (checkDryRun(o, action, r)) return;

  checkPolicyTargets(spec, r);
  checkPolicySelector(spec, 'selector', r);

  const rules: unknown[] = Array.isArray(spec.rules) ? spec.rules : [];
  const hasRules = rules.length > 0;
  const provider = spec.provider;
  if (action === 'CUSTOM') {
    if (!hasRules) r.error(AUTHZ_ACTION, 'spec.rules', 'CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request', RULES_FIX);
    else if (!isMessage(provider) || typeof provider.name !== 'string' || provider.name === '') r.error(AUTHZ_ACTION, 'spec.provider.name', '`provider.name` must not be empty', 'Name the extension provider of the mesh config.');
    rules.forEach((rule: any, i) => {
      if (!isMessage(rule)) return;
      (Array.isArray(rule.from) ? rule.from : []).forEach((from: any, j: number) => {
        const src = isMessage(from) && isMessage(from.source) ? from.source : undefined;
        if (!src) return;
        for (const f of CUSTOM_UNSUPPORTED_FROM) {
          if (given(src[f])) r.error(AUTHZ_RULE, `spec.rules[${i}].from[${j}].source.${f}`, `From.${upperFirst(f)} is currently not supported with CUSTOM action`, 'Match on IPs, hosts, ports, methods or paths; CUSTOM does not see identities.');
        }
      });
      (Array.isArray(rule.when) ? rule.when : []).forEach((when: any, j: number) => {
        const f = `spec.rules[${i}].when[${j}]`;
        if (!isMessage(when)) {
          r.error(AUTHZ_RULE, f, 'when field cannot be nil', 'Remove the empty condition.');
          return;
        }
        const key = typeof when.key === 'string' ? when.key : '';
        if (['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal'].includes(key) || key.startsWith('request.auth.')) {
          r.error(AUTHZ_RULE, `${f}.key`, `${key} is currently not supported with CUSTOM action`, 'CUSTOM does not see identities: use another condition.');
        }
      });
    });
  }
  if (provider !== undefined && provider !== null && action !== 'CUSTOM') {
    r.error(AUTHZ_ACTION, 'spec.provider', `\`provider\` must not be with non CUSTOM action, found ${action}`, 'Remove provider, or set action: CUSTOM.');
  }
  if (action === 'DENY' && !hasRules) {
    r.error(AUTHZ_ACTION, 'spec.rules', 'DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request', RULES_FIX);
  }

  rules.forEach((rule: any, i) => {
    const base = `spec.rules[${i}]`;
    if (!isMessage(rule)) {
      r.error(AUTHZ_RULE, base, `\`rule\` must not be nil, found at rule ${i}`, 'Remove the empty rule, or write `{}`.');
      return;
    }
    let tcpInFrom = false;
    let tcpInTo = false;
    let fromExists = false;
    let toExists = false;
    if (Array.isArray(rule.from) && rule.from.length === 0) r.error(AUTHZ_RULE, `${base}.from`, `\`from\` must not be empty, found at rule ${i}`, 'Remove `from`, or give it a source.');
    (Array.isArray(rule.from) ? rule.from : []).forEach((from: any, j: number) => {
      const f = `${base}.from[${j}]`;
      if (!isMessage(from)) {
        r.error(AUTHZ_RULE, f, `\`from\` must not be nil, found at rule ${i}`, 'Remove the empty entry.');
        return;
      }
      if (!isMessage(from.source)) {
        r.error(AUTHZ_RULE, `${f}.source`, `\`from.source\` must not be nil, found at rule ${i}`, 'Give the entry a source.');
        return;
      }
      fromExists = true;
      const src = from.source;
      const sf = `${f}.source`;
      const n = (k: string) => list(src[k]).length;
      if (n('principals') + n('notPrincipals') + n('namespaces') + n('notNamespaces') > 0 && n('serviceAccounts') + n('notServiceAccounts') > 0) {
        r.error(AUTHZ_RULE, sf, `cannot set serviceAccounts with namespaces or principals, found at rule ${i}`, 'Use serviceAccounts alone, or principals/namespaces alone.');
      }
      if (ANY_FIELDS.source.every((k) => n(k) === 0)) r.error(AUTHZ_RULE, sf, `\`from.source\` must not be empty, found at rule ${i}`, 'Set at least one field of the source.');
      for (const k of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) {
        for (const e of ipErrors(list(src[k]).filter((v) => v !== ''))) r.error(AUTHZ_IP_BLOCK, `${sf}.${k}`, e, 'Use IP addresses or CIDR ranges (a.b.c.d/0..32, IPv6/0..128).');
      }
      for (const k of ['principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks', 'notPrincipals', 'notRequestPrincipals', 'notNamespaces', 'notIpBlocks', 'notRemoteIpBlocks', 'trustDomains', 'notTrustDomains']) {
        r.error(AUTHZ_RULE, `${sf}.${k}`, emptyValueError(upperFirst(k), list(src[k])), 'Remove the empty string.');
      }
      for (const k of ['serviceAccounts', 'notServiceAccounts']) {
        r.error(AUTHZ_RULE, `${sf}.${k}`, serviceAccountError(upperFirst(k), list(src[k])), 'Use "serviceAccount" or "namespace/serviceAccount", at most 16.');
      }
      if (TCP_SOURCE.some((k) => src[k] !== undefined && src[k] !== null)) tcpInFrom = true;
    });
    if (Array.isArray(rule.to) && rule.to.length === 0) r.error(AUTHZ_RULE, `${base}.to`, `\`to\` must not be empty, found at rule ${i}`, 'Remove `to`, or give it an operation.');
    (Array.isArray(rule.to) ? rule.to : []).forEach((to: any, j: number) => {
      const f = `${base}.to[${j}]`;
      if (!isMessage(to)) {
        r.error(AUTHZ_RULE, f, `\`to\` must not be nil, found at rule ${i}`, 'Remove the empty entry.');
        return;
      }
      if (!isMessage(to.operation)) {
        r.error(AUTHZ_RULE, `${f}.operation`, `\`to.operation\` must not be nil, found at rule ${i}`, 'Give the entry an operation.');
        return;
      }
      toExists = true;
      const op = to.operation;
      const of = `${f}.operation`;
      if (ANY_FIELDS.operation.every((k) => list(op[k]).length === 0)) r.error(AUTHZ_RULE, of, `\`to.operation\` must not be empty, found at rule ${i}`, 'Set at least one of ports, methods, paths, hosts (or their not* forms).');
      for (const k of ['ports', 'notPorts']) {
        for (const e of portErrors(list(op[k]))) r.error(AUTHZ_PORT, `${of}.${k}`, e, 'Use port numbers as strings, "0" to "65535".');
      }
      for (const k of ANY_FIELDS.operation) r.error(AUTHZ_RULE, `${of}.${k}`, emptyValueError(upperFirst(k), list(op[k])), 'Remove the empty string.');
      for (const k of ['paths', 'notPaths']) r.error(AUTHZ_PATH, `${of}.${k}`, pathTemplateError(upperFirst(k), list(op[k])), 'Use {*} for one segment and {**} only at the end, with no other braces.');
      if ((op.ports !== undefined && op.ports !== null) || (op.notPorts !== undefined && op.notPorts !== null)) tcpInTo = true;
    });
    (Array.isArray(rule.when) ? rule.when : []).forEach((c: any, j: number) => {
      const f = `${base}.when[${j}]`;
      const key = isMessage(c) && typeof c.key === 'string' ? c.key : '';
      if (key === '') {
        r.error(AUTHZ_CONDITION, `${f}.key`, '`key` must not be empty', 'Name an attribute, e.g. source.ip or request.headers[x-token].');
        return;
      }
      const values = list(c.values);
      const notValues = list(c.notValues);
      if (values.length === 0 && notValues.length === 0) {
        r.error(AUTHZ_CONDITION, f, `at least one of \`values\` or \`notValues\` must be set for key ${key}`, 'Add values or notValues.');
        return;
      }
      const ve = attributeError(key, values);
      if (ve) r.error(ve.rule, `${f}.values`, `invalid \`value\` for \`key\` ${key}: ${ve.message}`, 'See the attribute\'s format in Istio\'s authorization conditions reference.');
      const ne = attributeError(key, notValues);
      if (ne) r.error(ne.rule, `${f}.notValues`, `invalid \`notValue\` for \`key\` ${key}: ${ne.message}`, 'See the attribute\'s format in Istio\'s authorization conditions reference.');
    });
    if (action === 'DENY' && ((fromExists && !toExists && !tcpInFrom) || (toExists && !tcpInTo))) {
      r.warn(AUTHZ_DENY_HTTP_ONLY, base, 'configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule; it is recommended to explicitly specify the port', 'Add to.operation.ports to the rule.');
    }
  });
}
