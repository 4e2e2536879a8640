/**
 * Istio's webhook rules for VirtualService, after istio/istio 1.30.3 and 1.31 pkg/config/validation (1.31: redirect prefixRewrite)
 * (ValidateVirtualService, validateGatewayNames, validateTLSRoute/Match, validateSniHost, validateTCPRoute/Match,
 * validateHTTPRouteDestinations, validateRouteDestinations, validateDestination, validateCORSPolicy,
 * validateHTTPFaultInjection, validateHTTPRetry, validateHTTPRedirect, validateHTTPDirectResponse,
 * validateHTTPMirrors, validateHTTPRewrite, analyzeUnreachable*Rules in validation.go; validateHTTPRoute,
 * validateAuthorityRewrite, validateHTTPRouteMatchRequest, validateHTTPRouteConflict in virtualservice.go).
 * Messages are Istio's own. Each part of the object is visited once; duplicate hosts and overlapping prefix
 * matches are found through maps of suffixes / prefixes rather than by comparing every pair.
 */
import type { Obj, Reporter } from '../../context';
import { exportToErrors, isIp, EXPORT_TO } from './common';
import {
  arr, canonicalJson, durationErr, fqdnError, gatewayBoundDomainErr, hostSubsetOf, ipSubnetErr, isDns1123Label, isObj, labelsErrors,
  matchType, num, parseDurationNs, portErr, q, regexErr, str, stringMatchErr, stringMatchRegexpErr, wildcardDomainErr,
} from './gateway-common';
import { defineRule, type IstioRelease, type Rule } from '../rule';

export const VS_HOSTS = defineRule({
  id: 'istio/vs-hosts',
  family: 'istio',
  severity: 'error',
  description: 'VirtualService hosts are not DNS names or IPs, or overlap (ValidateVirtualService).',
  source: 'Istio validation.go ValidateVirtualService, agent.ValidateWildcardDomain',
  details: 'VirtualService hosts are DNS names or IPs (no URL, no host:port), "*" only when bound to gateways, no duplicates incl. wildcard overlaps (ValidateVirtualService, agent.ValidateWildcardDomain*).',
});

export const VS_GATEWAYS = defineRule({
  id: 'istio/vs-gateways',
  family: 'istio',
  severity: 'error',
  description: 'A gateway reference is not <namespace>/<name> or an FQDN (validateGatewayNames).',
  source: 'Istio validation.go validateGatewayNames',
  details: 'Gateway references are <namespace>/<name> DNS labels or an FQDN (legacy name.namespace form: a warning) (validateGatewayNames).',
});

export const VS_DELEGATE = defineRule({
  id: 'istio/vs-delegate',
  family: 'istio',
  severity: 'error',
  description: 'A delegate VirtualService or a delegating route sets what delegation forbids (ValidateVirtualService, validateHTTPRouteConflict).',
  source: 'Istio validation.go ValidateVirtualService, validateHTTPRouteConflict',
  details: 'Delegate VirtualServices (no hosts) have no gateways, tls or tcp and do not delegate again; root routes that delegate have no route or redirect (ValidateVirtualService, validateHTTPRouteConflict).',
});

export const VS_ROUTES = defineRule({
  id: 'istio/vs-routes',
  family: 'istio',
  severity: 'error',
  description: 'A VirtualService has no routes, or a route lacks or conflicts in its actions (validateHTTPRouteConflict, validateTLSRoute, validateTCPRoute).',
  source: 'Istio validation.go validateHTTPRouteConflict, validateTLSRoute, validateTCPRoute',
  details: 'http, tls or tcp present; an HTTP route has route, redirect or directResponse and no conflicting combination; TLS routes have matches and destinations, TCP routes destinations (validateHTTPRouteConflict, validateTLSRoute, validateTCPRoute).',
});

export const VS_MATCH = defineRule({
  id: 'istio/vs-match',
  family: 'istio',
  severity: 'error',
  description: 'A route match (headers, URI, regex, port, labels, SNI, subnets) is invalid (validateHTTPRouteMatchRequest, validateTLSMatch, validateTCPMatch).',
  source: 'Istio validation.go validateHTTPRouteMatchRequest, validateStringMatch, validateTLSMatch, validateSniHost, validateTCPMatch',
  details: 'Matches: header names, non-null header matches, no empty prefix, RE2 regexes up to 1024 characters, ports, source labels and namespaces, gateways; JWT claim routing only on gateways; SNI hosts valid and covered by the hosts (an IP: a warning); subnets (validateHTTPRouteMatchRequest, validateStringMatch, validateTLSMatch, validateSniHost, validateTCPMatch).',
});

export const VS_DESTINATION = defineRule({
  id: 'istio/vs-destination',
  family: 'istio',
  severity: 'error',
  description: 'A route destination (host, subset, port, weight) is invalid (validateDestination, validateRouteDestinations).',
  source: 'Istio validation.go validateDestination, validateHTTPRouteDestinations, validateRouteDestinations',
  details: 'Destinations: present, host a DNS name (not "*", not host:port or URL), subset a DNS label, port 1..65535, weights >= 0 and not all 0 (validateDestination, validateHTTPRouteDestinations, validateRouteDestinations).',
});

export const VS_HEADERS = defineRule({
  id: 'istio/vs-headers',
  family: 'istio',
  severity: 'error',
  description: 'A header operation names a forbidden header or has a malformed value (ValidateHTTPHeaderValue, validateAuthorityRewrite).',
  source: 'Istio validation.go ValidateHTTPHeaderNameOrJwtClaimRoute, ValidateHTTPHeaderValue, validateAuthorityRewrite',
  details: 'Header operations: non-empty names, no ":"-prefixed or Host header (":authority" only in request add/set), values with well-formed %VARIABLE% expressions; authority rewritten in one place only (ValidateHTTPHeader*, ValidateHTTPHeaderValue, validateAuthorityRewrite).',
});

export const VS_DURATION = defineRule({
  id: 'istio/vs-duration',
  family: 'istio',
  severity: 'error',
  description: 'A route duration is under 1ms or not in whole milliseconds (agent.ValidateDuration).',
  source: 'Istio agent/validation.go ValidateDuration',
  details: 'timeout, retries.perTryTimeout/backoff, fault delays and corsPolicy.maxAge: at least 1ms and whole milliseconds (agent.ValidateDuration).',
});

export const VS_RETRIES = defineRule({
  id: 'istio/vs-retries',
  family: 'istio',
  severity: 'error',
  description: 'The retry policy (attempts, retryOn) is invalid (validateHTTPRetry).',
  source: 'Istio validation.go validateHTTPRetry',
  details: 'retries: attempts >= 0, no policy with attempts 0, retryOn of Envoy policies or HTTP status codes (validateHTTPRetry).',
});

export const VS_FAULT = defineRule({
  id: 'istio/vs-fault',
  family: 'istio',
  severity: 'error',
  description: 'The fault injection (abort, delay, percentages) is invalid (validateHTTPFaultInjection).',
  source: 'Istio validation.go validateHTTPFaultInjection, validateHTTPFaultInjectionAbort, validateHTTPFaultInjectionDelay',
  details: 'fault: abort and/or delay, percentages 0 or 0.0001..100, HTTP status 200..599 or a gRPC status name, no http2Error or exponentialDelay; abort without error type: a warning (validateHTTPFaultInjection*).',
});

export const VS_CORS = defineRule({
  id: 'istio/vs-cors',
  family: 'istio',
  severity: 'error',
  description: 'The corsPolicy (origins, methods, headers, maxAge) is invalid (validateCORSPolicy).',
  source: 'Istio validation.go validateCORSPolicy',
  details: 'corsPolicy: non-empty origins with RE2 regexes, known methods, header names, maxAge in whole seconds (validateCORSPolicy).',
});

export const VS_REDIRECT = defineRule({
  id: 'istio/vs-redirect',
  family: 'istio',
  severity: 'error',
  description: 'A redirect, rewrite or directResponse is invalid (validateHTTPRedirect, validateHTTPRewrite, validateHTTPDirectResponse).',
  source: 'Istio validation.go validateHTTPRedirect, validateHTTPRewrite, validateHTTPDirectResponse',
  details: 'redirect (uri/authority/scheme/port, 3xx code, http/https), rewrite (one of uri or uriRegexRewrite, valid regex) and directResponse (status 200..599, body under 1 MB; over 100 KB a warning) (validateHTTPRedirect, validateHTTPRewrite, validateHTTPDirectResponse).',
  releases: {
    '1.31': { note: 'a redirect may set prefixRewrite (a field 1.31 adds; 1.30\'s CRD refuses it) instead of uri, not with it, and only when every uri match of the route is a prefix match' },
  },
});

export const VS_MIRROR = defineRule({
  id: 'istio/vs-mirror',
  family: 'istio',
  severity: 'error',
  description: 'mirror/mirrors are both set, invalid, or have bad percentages (validateHTTPRoute, validateHTTPMirrors).',
  source: 'Istio validation.go validateHTTPRoute, validateHTTPMirrors',
  details: 'mirror/mirrors: not both, destinations present and valid, percentages 0..100; mirrorPercent deprecated, a warning (validateHTTPRoute, validateHTTPMirrors).',
});

export const VS_UNREACHABLE_RULE = defineRule({
  id: 'istio/vs-unreachable-rule',
  family: 'istio',
  severity: 'warning',
  description: 'A route rule is never used because an earlier rule matches first (analyzeUnreachableHTTPRules/TCPRules/TLSRules).',
  source: 'Istio validation.go analyzeUnreachableHTTPRules, analyzeUnreachableTCPRules, analyzeUnreachableTLSRules',
  details: 'A rule after a rule without matches, a duplicate match, or a URI prefix match covered by an earlier one is never used (analyzeUnreachableHTTPRules/TCPRules/TLSRules). Istio\'s webhook returns these as warnings; istioctl analyze (schema.ValidationAnalyzer) reports them as IST0130 VirtualServiceUnreachableRule (a rule: warning) and IST0131 VirtualServiceIneffectiveMatch (a match: info), and the messages start with those codes. Both stay warnings here, as the webhook gives them on apply.',
});

/** Annotation Istio sets on VirtualServices converted from Gateway API routes. */
const ROUTE_SEMANTICS = 'internal.istio.io/route-semantics';
const MESH = 'mesh';

const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);
/** Status codes Go's http.StatusText knows. */
const HTTP_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424,
  425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);
const GRPC_STATUS = new Set([
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE',
  'DATA_LOSS', 'UNAUTHENTICATED',
]);
const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*']);
const TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);
const KB = 1024;
const MB = 1024 * KB;

type Add = (rule: Rule, field: string, msg: string, fix: string) => void;

/** jwt.ToRoutingClaim(name).Match */
function isJwtClaimRoute(name: string): boolean {
  return /^@request\.auth\.claims[.[]./i.test(name);
}

/** ValidateHTTPHeaderNameOrJwtClaimRoute */
function headerNameOrClaimErr(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name)) return undefined;
  return TOKEN.test(name) ? undefined : `header name ${name} is not a valid header name`;
}
function isInternalHeader(k: string) {
  return k.startsWith(':') || k.toLowerCase() === 'host';
}
function isAuthorityHeader(k: string) {
  return k.toLowerCase() === ':authority' || k.toLowerCase() === 'host';
}
/** ValidateHTTPHeaderWithAuthorityOperationName (request add/set) */
function headerWithAuthorityErr(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isInternalHeader(name) && !isAuthorityHeader(name)) return `invalid header ${q(name)}: header cannot have ":" prefix`;
  return undefined;
}
/** ValidateHTTPHeaderOperationName (request remove, response add/set/remove) */
function headerOperationErr(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header ${q(name)}: cannot set Host header`;
  if (isInternalHeader(name)) return `invalid header ${q(name)}: header cannot have ":" prefix`;
  return undefined;
}
/**
 * ValidateHTTPHeaderValue: no control characters but tab, and Envoy's %VARIABLE% syntax: "%%" is a literal
 * "%", otherwise "%" opens a variable that must read %NAME%, %NAME(args)% or %NAME(args):N%.
 */
export function headerValueErr(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000A-\u001F\u007F]/.test(value)) return `header value configuration ${value} is invalid`;
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '%') continue;
    if (value[i + 1] === '%') {
      i++;
      continue;
    }
    const m = /^%[A-Z0-9_]+(\([^)]*\))?(:\d+)?%/.exec(value.slice(i));
    if (!m) return `header value configuration ${value} is invalid`;
    i += m[0].length - 1;
  }
  return undefined;
}

function goList(xs: string[]) {
  return `[${xs.join(' ')}]`;
}
function goFloat(n: number) {
  return n.toFixed(6);
}

export function checkVirtualService(o: Obj, rep: Reporter): void {
  const spec = o.raw?.spec;
  if (!isObj(spec)) return;
  const err: Add = (rule, field, msg, fix) => rep.add(o, rule, field, msg, fix);
  const warn: Add = (rule, field, msg, fix) => rep.add(o, rule, field, msg, fix, 'warning');
  const hosts = arr(spec.hosts).filter((h): h is string => typeof h === 'string');
  const gateways = arr(spec.gateways).filter((g): g is string => typeof g === 'string');
  const http = arr(spec.http);
  const tls = arr(spec.tls);
  const tcp = arr(spec.tcp);
  const gatewaySemantics = o.raw?.metadata?.annotations?.[ROUTE_SEMANTICS] === 'gateway';

  if (arr(spec.hosts).length === 0) {
    const fix = 'A VirtualService without hosts is a delegate: give it hosts, or route only HTTP and let the root VirtualService select gateways.';
    if (gateways.length) err(VS_DELEGATE, 'spec.gateways', 'delegate virtual service must have no gateways specified', fix);
    if (tls.length) err(VS_DELEGATE, 'spec.tls', 'delegate virtual service must have no tls route specified', fix);
    if (tcp.length) err(VS_DELEGATE, 'spec.tcp', 'delegate virtual service must have no tcp route specified', fix);
  }
  let appliesToGateway = false;
  if (gateways.length) {
    gatewayNamesCheck(gateways, 'spec.gateways', gatewaySemantics, err, warn);
    appliesToGateway = !gateways.includes(MESH);
  }
  const appliesToMesh = !appliesToGateway;
  if (!appliesToGateway) {
    http.forEach((h, i) => arr(h?.match).forEach((m, j) => {
      for (const kind of ['headers', 'withoutHeaders']) {
        for (const key of Object.keys(isObj(m?.[kind]) ? m[kind] : {})) {
          if (isJwtClaimRoute(key)) {
            err(VS_MATCH, `spec.http[${i}].match[${j}].${kind}["${key}"]`, `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: ${goList(gateways)}`, 'Bind the VirtualService to an ingress gateway (spec.gateways), where the JWT is verified.');
          }
        }
      }
    }));
  }

  // hosts
  const sni = tls.some(t => arr(t?.match).some(m => arr(m?.sniHosts).length > 0));
  let allHostsValid = true;
  hosts.forEach((h, i) => {
    const e = appliesToGateway ? gatewayBoundDomainErr(sni, h) : wildcardDomainErr(h);
    if (e) {
      if (!isIp(h)) {
        err(VS_HOSTS, `spec.hosts[${i}]`, e, 'Use a DNS name (a Service short name, an FQDN or a "*."-prefixed wildcard), not a URL or host:port.');
        allHostsValid = false;
      }
    } else if (appliesToMesh && h === '*') {
      err(VS_HOSTS, `spec.hosts[${i}]`, 'wildcard host * is not allowed for virtual services bound to the mesh gateway', 'Name the hosts, or bind the VirtualService to a gateway.');
      allHostsValid = false;
    }
  });
  if (allHostsValid) duplicateHosts(hosts, err);

  if (!http.length && !tcp.length && !tls.length) err(VS_ROUTES, 'spec', 'http, tcp or tls must be provided in virtual service', 'Add spec.http, spec.tls or spec.tcp routes.');
  const delegate = arr(spec.hosts).length === 0;
  http.forEach((h, i) => {
    if (!isObj(h)) err(VS_ROUTES, `spec.http[${i}]`, 'http route may not be null', 'Remove the empty entry.');
    else checkHttpRoute(h, `spec.http[${i}]`, delegate, gatewaySemantics, err, warn, rep.release);
  });
  tls.forEach((t, i) => {
    if (isObj(t)) checkTlsRoute(t, `spec.tls[${i}]`, hosts, appliesToGateway, gatewaySemantics, err, warn);
  });
  tcp.forEach((t, i) => {
    if (isObj(t)) checkTcpRoute(t, `spec.tcp[${i}]`, gatewaySemantics, err, warn);
  });
  for (const e of exportToErrors(spec.exportTo, o.namespace ?? 'default', false, false)) {
    err(EXPORT_TO, 'spec.exportTo', e, 'Use ".", "*" or namespace names, each once; "*" alone ("~" is only for ServiceEntries).');
  }
  unreachableRules(http, 'http', warn);
  unreachableRules(tcp, 'tcp', warn);
  unreachableRules(tls, 'tls', warn);
}

/** validateGatewayNames */
function gatewayNamesCheck(names: string[], field: string, gatewaySemantics: boolean, err: Add, warn: Add) {
  const fix = 'Refer to gateways as <namespace>/<name> (or "mesh" for the sidecars).';
  for (let i = 0; i < names.length; i++) {
    const g = names[i];
    const f = `${field}[${i}]`;
    const slash = g.indexOf('/');
    if (slash < 0) {
      if (g.includes('.')) {
        const p = g.split('.');
        warn(VS_GATEWAYS, f, `using legacy gatewayName format ${q(g)}; prefer the <namespace>/<name> format: ${q(`${p[1]}/${p[0]}`)}`, fix);
      }
      const e = fqdnError(g);
      if (e) err(VS_GATEWAYS, f, e, fix);
      return; // Istio stops at the first name without "/"
    }
    const ns = g.slice(0, slash);
    const name = g.slice(slash + 1);
    if (!ns || !name) err(VS_GATEWAYS, f, 'config namespace and gateway name cannot be empty', fix);
    if (!isDns1123Label(ns)) err(VS_GATEWAYS, f, `invalid value for namespace: ${q(ns)}`, fix);
    if (!isDns1123Label(name) && !gatewaySemantics) err(VS_GATEWAYS, f, `invalid value for gateway name: ${q(name)}`, fix);
  }
}

/**
 * Duplicate hosts (host.Name.Matches, wildcards included). Each host is compared with the earlier ones through
 * maps: exact names, wildcard suffixes ("*.foo.com" -> ".foo.com") and every suffix of the earlier names.
 */
function duplicateHosts(hosts: string[], err: Add) {
  const wildTails = new Map<string, string>(); // tail of an earlier wildcard -> that host
  const suffixes = new Map<string, string>(); // every suffix of an earlier host (wildcards: of its tail) -> that host
  hosts.forEach((h, i) => {
    const wild = h.startsWith('*');
    const body = wild ? h.slice(1) : h;
    let dup: string | undefined;
    // an earlier wildcard whose tail is a suffix of this host (or of this wildcard's tail)
    for (let k = 0; k <= body.length && dup === undefined; k++) dup = wildTails.get(body.slice(k));
    // an earlier host ending with this wildcard's tail; an earlier identical plain host
    if (dup === undefined && wild) dup = suffixes.get(body);
    if (dup === undefined && !wild) dup = suffixes.get(`=${h}`);
    if (dup !== undefined) err(VS_HOSTS, `spec.hosts[${i}]`, `duplicate hosts in virtual service: ${dup} & ${h}`, 'List each host once; a wildcard host already covers the names it matches.');
    if (wild) {
      if (!wildTails.has(body)) wildTails.set(body, h);
    } else if (!suffixes.has(`=${h}`)) suffixes.set(`=${h}`, h);
    for (let k = 0; k <= body.length; k++) if (!suffixes.has(body.slice(k))) suffixes.set(body.slice(k), h);
  });
}

/** validateDestination */
function destinationCheck(d: any, f: string, err: Add) {
  if (!isObj(d)) return;
  const rule = VS_DESTINATION;
  const host = str(d.host);
  const fix = 'Use the destination service name (short name or FQDN), without scheme or port; set the port in destination.port.number.';
  if (host === '*') err(rule, `${f}.host`, `invalid destination host ${host}`, fix);
  else {
    const e = wildcardDomainErr(host);
    if (e) err(rule, `${f}.host`, e, fix);
  }
  if (typeof d.subset === 'string' && d.subset !== '' && !isDns1123Label(d.subset)) err(rule, `${f}.subset`, `subset name is invalid: ${d.subset}`, 'Use the name of a DestinationRule subset (a DNS label).');
  if (isObj(d.port)) {
    const e = portErr(num(d.port.number));
    if (e) err(rule, `${f}.port.number`, e, 'Set port.number to a port of the destination service.');
  }
}

function headerOpsCheck(headers: any, f: string, err: Add) {
  if (!isObj(headers)) return;
  const rule = VS_HEADERS;
  const fix = 'Use a non-empty header name without ":" prefix (":authority"/"host" only in request add/set) and a value with well-formed %VARIABLE% expressions ("%%" for a literal %).';
  for (const dir of ['request', 'response'] as const) {
    const ops = headers[dir];
    if (!isObj(ops)) continue;
    for (const op of ['add', 'set'] as const) {
      if (!isObj(ops[op])) continue;
      for (const [name, val] of Object.entries(ops[op])) {
        const ne = dir === 'request' ? headerWithAuthorityErr(name) : headerOperationErr(name);
        if (ne) err(rule, `${f}.${dir}.${op}["${name}"]`, ne, fix);
        if (typeof val === 'string') {
          const ve = headerValueErr(val);
          if (ve) err(rule, `${f}.${dir}.${op}["${name}"]`, ve, fix);
        }
      }
    }
    arr(ops.remove).forEach((name, i) => {
      const ne = typeof name === 'string' ? headerOperationErr(name) : undefined;
      if (ne) err(rule, `${f}.${dir}.remove[${i}]`, ne, fix);
    });
  }
}

/** validateHTTPRouteDestinations / validateRouteDestinations */
function routeDestinationsCheck(routes: any[], f: string, withHeaders: boolean, gatewaySemantics: boolean, err: Add) {
  let total = 0;
  routes.forEach((r, i) => {
    const rf = `${f}[${i}]`;
    if (!isObj(r)) {
      err(VS_DESTINATION, rf, 'weight may not be nil', 'Remove the empty entry.');
      return;
    }
    if (!isObj(r.destination)) err(VS_DESTINATION, `${rf}.destination`, 'destination is required', 'Set destination.host.');
    if (withHeaders) headerOpsCheck(r.headers, `${rf}.headers`, err);
    if (!gatewaySemantics) destinationCheck(r.destination, `${rf}.destination`, err);
    const w = num(r.weight);
    if (w < 0) err(VS_DESTINATION, `${rf}.weight`, `weight ${w} < 0`, 'Use weights of 0 or more.');
    total += w;
  });
  if (routes.length > 1 && total === 0) err(VS_DESTINATION, f, 'total destination weight = 0', 'Give at least one destination a positive weight.');
}

function durationCheck(v: unknown, f: string, err: Add) {
  const e = durationErr(v);
  if (e) err(VS_DURATION, f, e, 'Use a duration of at least 1ms in whole milliseconds, e.g. "1.5s" or "250ms".');
}

function checkHttpRoute(h: any, f: string, delegate: boolean, gatewaySemantics: boolean, err: Add, warn: Add, release: IstioRelease) {
  const routeType = delegate ? 'delegate' : h.delegate ? 'root' : 'independent';
  routeConflicts(h, f, routeType, err);
  matchRequestCheck(h, f, err);
  headerOpsCheck(h.headers, `${f}.headers`, err);
  corsCheck(h.corsPolicy, `${f}.corsPolicy`, err);
  faultCheck(h.fault, `${f}.fault`, err, warn);
  for (const key of ['mirrorPercent', 'mirror_percent']) {
    const v = h[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && v > 100) err(VS_MIRROR, `${f}.${key}`, `mirror_percent must have a max value of 100 (it has ${v})`, 'Use mirrorPercentage.value from 0 to 100.');
    warn(VS_MIRROR, `${f}.${key}`, 'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead', 'Replace mirrorPercent with mirrorPercentage: { value: N }.');
  }
  if (isObj(h.mirrorPercentage)) {
    const v = num(h.mirrorPercentage.value);
    if (v > 100) err(VS_MIRROR, `${f}.mirrorPercentage.value`, `mirror_percentage must have a max value of 100 (it has ${goFloat(v)})`, 'Use a value from 0 to 100.');
    if (v < 0) err(VS_MIRROR, `${f}.mirrorPercentage.value`, `mirror_percentage must have a min value of 0 (it has ${goFloat(v)})`, 'Use a value from 0 to 100.');
  }
  destinationCheck(h.mirror, `${f}.mirror`, err);
  arr(h.mirrors).forEach((m, i) => {
    const mf = `${f}.mirrors[${i}]`;
    if (!isObj(m)) err(VS_MIRROR, mf, 'mirror cannot be null', 'Remove the empty entry.');
    else if (!isObj(m.destination)) err(VS_MIRROR, `${mf}.destination`, 'destination is required for mirrors', 'Set destination.host.');
    else {
      destinationCheck(m.destination, `${mf}.destination`, err);
      if (isObj(m.percentage)) {
        const v = num(m.percentage.value);
        if (v > 100) err(VS_MIRROR, `${mf}.percentage.value`, `mirror percentage must have a max value of 100 (it has ${goFloat(v)})`, 'Use a value from 0 to 100.');
        if (v < 0) err(VS_MIRROR, `${mf}.percentage.value`, `mirror percentage must have a min value of 0 (it has ${goFloat(v)})`, 'Use a value from 0 to 100.');
      }
    }
  });
  redirectCheck(h.redirect, h.match, `${f}.redirect`, err, release);
  directResponseCheck(h.directResponse, `${f}.directResponse`, err, warn);
  retryCheck(h.retries, `${f}.retries`, err);
  rewriteCheck(h.rewrite, `${f}.rewrite`, err);
  authorityRewriteCheck(h, f, err);
  routeDestinationsCheck(arr(h.route), `${f}.route`, true, gatewaySemantics, err);
  if (h.timeout !== undefined) durationCheck(h.timeout, `${f}.timeout`, err);
}

/** validateHTTPRouteConflict */
function routeConflicts(h: any, f: string, routeType: string, err: Add) {
  const rule = VS_ROUTES;
  const has = (k: string) => h[k] !== undefined && h[k] !== null;
  const routes = arr(h.route);
  if (routeType === 'root') {
    const fix = 'A route that delegates takes its destinations from the delegate VirtualService: remove route/redirect here.';
    if (has('redirect')) err(VS_DELEGATE, `${f}.redirect`, `root HTTP route ${str(h.name)} must not specify redirect`, fix);
    if (has('route')) err(VS_DELEGATE, `${f}.route`, `root HTTP route ${str(h.name)} must not specify route`, fix);
    return;
  }
  if (routeType === 'delegate' && has('delegate')) err(VS_DELEGATE, `${f}.delegate`, 'delegate HTTP route cannot contain delegate', 'Delegation is one level deep: route to destinations here.');
  if (has('redirect')) {
    if (routes.length) err(rule, f, 'HTTP route cannot contain both route and redirect', 'Keep either route or redirect.');
    if (has('fault')) err(rule, f, 'HTTP route cannot contain both fault and redirect', 'Keep either fault or redirect.');
    if (has('rewrite')) err(rule, f, 'HTTP route rule cannot contain both rewrite and redirect', 'Keep either rewrite or redirect.');
    if (has('directResponse')) err(rule, f, 'HTTP route rule cannot contain both direct_response and redirect', 'Keep either directResponse or redirect.');
  } else if (has('directResponse')) {
    if (routes.length) err(rule, f, 'HTTP route cannot contain both route and direct_response', 'Keep either route or directResponse.');
    if (has('fault')) err(rule, f, 'HTTP route cannot contain both fault and direct_response', 'Keep either fault or directResponse.');
    if (has('rewrite')) err(rule, f, 'HTTP route rule cannot contain both rewrite and direct_response', 'Keep either rewrite or directResponse.');
  } else if (!routes.length) {
    err(rule, f, 'HTTP route, redirect or direct_response is required', 'Add route (destinations), redirect or directResponse.');
  }
  if (has('mirror') && arr(h.mirrors).length) err(VS_MIRROR, f, 'HTTP route cannot contain both mirror and mirrors', 'Move mirror into mirrors.');
}

/** validateHTTPRouteMatchRequest */
function matchRequestCheck(h: any, f: string, err: Add) {
  const rule = VS_MATCH;
  const fix = 'Use a valid header name, a non-empty prefix and an RE2 regex.';
  arr(h.match).forEach((m, j) => {
    if (!isObj(m)) return;
    const mf = `${f}.match[${j}]`;
    for (const [name, sm] of Object.entries(isObj(m.headers) ? m.headers : {})) {
      const hf = `${mf}.headers["${name}"]`;
      if (sm === null || sm === undefined) err(rule, hf, `header match ${name} cannot be null`, 'Give the header a match (exact, prefix or regex), or remove it.');
      const ne = headerNameOrClaimErr(name);
      if (ne) err(rule, hf, ne, fix);
      const e = stringMatchErr(sm, 'headers');
      if (e) err(rule, hf, e, fix);
    }
    for (const [name, sm] of Object.entries(isObj(m.withoutHeaders) ? m.withoutHeaders : {})) {
      const hf = `${mf}.withoutHeaders["${name}"]`;
      const ne = headerNameOrClaimErr(name);
      if (ne) err(rule, hf, ne, fix);
      // "*" is not a regex here: Istio turns it into a presence match
      if (isObj(sm) && sm.regex !== '*') {
        const e = stringMatchErr(sm, 'withoutHeaders');
        if (e) err(rule, hf, e, fix);
      }
    }
    const checks: Array<[string, string | undefined]> = [
      ['uri', stringMatchRegexpErr(m.uri, 'uri')],
      ['scheme', stringMatchErr(m.scheme, 'scheme')],
      ['method', stringMatchErr(m.method, 'method')],
      ['authority', stringMatchErr(m.authority, 'authority')],
    ];
    for (const [k, e] of checks) if (e) err(rule, `${mf}.${k}`, e, fix);
    for (const [k, sm] of Object.entries(isObj(m.queryParams) ? m.queryParams : {})) {
      const e = stringMatchErr(sm, 'queryParams');
      if (e) err(rule, `${mf}.queryParams["${k}"]`, e, fix);
    }
    l4MatchCommon(m, mf, err, { warn: () => undefined });
    if (typeof m.sourceNamespace === 'string' && m.sourceNamespace !== '' && !isDns1123Label(m.sourceNamespace)) {
      err(rule, `${mf}.sourceNamespace`, `sourceNamespace match ${m.sourceNamespace} is invalid`, 'Use a namespace name.');
    }
  });
}

/** The checks HTTP, TLS and TCP matches share: port, sourceLabels, gateways. */
function l4MatchCommon(m: any, mf: string, err: Add, w: { warn: Add }) {
  if (typeof m.port === 'number' && m.port !== 0) {
    const e = portErr(m.port);
    if (e) err(VS_MATCH, `${mf}.port`, e, 'Use a port from 1 to 65535.');
  }
  for (const e of labelsErrors(m.sourceLabels)) err(VS_MATCH, `${mf}.sourceLabels`, e, 'Use Kubernetes label keys and values.');
  gatewayNamesCheck(arr(m.gateways).filter((g): g is string => typeof g === 'string'), `${mf}.gateways`, false, err, w.warn);
}

function corsCheck(c: any, f: string, err: Add) {
  if (!isObj(c)) return;
  const rule = VS_CORS;
  arr(c.allowOrigins).forEach((o, i) => {
    const t = matchType(o);
    const of = `${f}.allowOrigins[${i}]`;
    if (!t || t[1] === '') err(rule, of, "'' is not a valid match type for CORS allow origins", 'Give each origin a non-empty exact, prefix or regex.');
    else {
      const e = stringMatchRegexpErr(o, 'corsPolicy.allowOrigins');
      if (e) err(rule, of, e, 'Use an RE2 regex.');
    }
  });
  arr(c.allowMethods).forEach((m, i) => {
    if (typeof m === 'string' && !CORS_METHODS.has(m)) err(rule, `${f}.allowMethods[${i}]`, `${q(m)} is not a supported HTTP method`, `Use ${[...CORS_METHODS].join(', ')}.`);
  });
  for (const k of ['allowHeaders', 'exposeHeaders']) {
    arr(c[k]).forEach((n, i) => {
      if (typeof n !== 'string') return;
      const e = n === '' ? 'header name cannot be empty' : n !== '*' && !TOKEN.test(n) ? `header name ${n} is not a valid header name` : undefined;
      if (e) err(rule, `${f}.${k}[${i}]`, e, 'Use header names (RFC 7230 tokens) or "*".');
    });
  }
  if (c.maxAge !== undefined) {
    durationCheck(c.maxAge, `${f}.maxAge`, err);
    const ns = typeof c.maxAge === 'string' ? parseDurationNs(c.maxAge) : undefined;
    if (ns !== undefined && ns > 0n && ns % 1000000000n !== 0n) err(rule, `${f}.maxAge`, 'max_age duration is accurate only to seconds precision', 'Use whole seconds, e.g. "24h" or "600s".');
  }
}

function percentageErr(p: any): string | undefined {
  if (!isObj(p)) return undefined;
  const v = num(p.value);
  return v < 0 || v > 100 || (v > 0 && v < 0.0001) ? `percentage ${v} is neither 0.0, nor in range [0.0001, 100.0]` : undefined;
}

function faultCheck(fault: any, f: string, err: Add, warn: Add) {
  if (!isObj(fault)) return;
  const rule = VS_FAULT;
  const abort = fault.abort;
  const delay = fault.delay;
  if (!isObj(abort) && !isObj(delay)) err(rule, f, 'HTTP fault injection must have an abort and/or a delay', 'Add fault.abort or fault.delay.');
  if (isObj(abort)) {
    const pe = percentageErr(abort.percentage);
    if (pe) err(rule, `${f}.abort.percentage`, pe, 'Use a percentage of 0 or from 0.0001 to 100.');
    if (typeof abort.grpcStatus === 'string') {
      if (!GRPC_STATUS.has(abort.grpcStatus)) {
        err(rule, `${f}.abort.grpcStatus`, `gRPC status ${q(abort.grpcStatus)} is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`, 'Use a gRPC status name such as UNAVAILABLE.');
      }
    } else if (typeof abort.http2Error === 'string') {
      err(rule, `${f}.abort.http2Error`, 'HTTP/2 abort fault injection not supported yet', 'Use httpStatus or grpcStatus.');
    } else if (typeof abort.httpStatus === 'number') {
      if (abort.httpStatus < 200 || abort.httpStatus > 600) err(rule, `${f}.abort.httpStatus`, `HTTP status ${abort.httpStatus} is not in range 200-599`, 'Use an HTTP status from 200 to 599.');
    } else {
      warn(rule, `${f}.abort`, 'abort configured, but error type not set', 'Set abort.httpStatus or abort.grpcStatus.');
    }
  }
  if (isObj(delay)) {
    const pe = percentageErr(delay.percentage);
    if (pe) err(rule, `${f}.delay.percentage`, pe, 'Use a percentage of 0 or from 0.0001 to 100.');
    if (delay.fixedDelay !== undefined) durationCheck(delay.fixedDelay, `${f}.delay.fixedDelay`, err);
    else if (delay.exponentialDelay !== undefined) {
      durationCheck(delay.exponentialDelay, `${f}.delay.exponentialDelay`, err);
      err(rule, `${f}.delay.exponentialDelay`, 'exponentialDelay not supported yet', 'Use fixedDelay.');
    }
  }
}

function retryCheck(r: any, f: string, err: Add) {
  if (!isObj(r)) return;
  const rule = VS_RETRIES;
  const attempts = num(r.attempts);
  if (attempts < 0) err(rule, `${f}.attempts`, 'attempts cannot be negative', 'Use 0 (no retries) or more.');
  const retryOn = str(r.retryOn);
  if (attempts === 0 && (r.perTryTimeout !== undefined || retryOn !== '' || (r.retryRemoteLocalities !== undefined && r.retryRemoteLocalities !== null))) {
    err(rule, `${f}.attempts`, 'http retry policy configured when attempts are set to 0 (disabled)', 'Set attempts above 0, or remove the other retry settings.');
  }
  if (r.perTryTimeout !== undefined) durationCheck(r.perTryTimeout, `${f}.perTryTimeout`, err);
  if (retryOn !== '') {
    for (const p of retryOn.split(',')) {
      const code = /^[+-]?\d+$/.test(p) ? Number(p) : 0;
      if (!HTTP_STATUS.has(code) && !RETRY_ON.has(p)) err(rule, `${f}.retryOn`, `${q(p)} is not a valid retryOn policy`, `Use HTTP status codes or ${[...RETRY_ON].join(', ')}, separated by commas.`);
    }
  }
  if (r.backoff !== undefined) durationCheck(r.backoff, `${f}.backoff`, err);
}

function redirectCheck(r: any, matches: unknown, f: string, err: Add, release: IstioRelease) {
  if (!isObj(r)) return;
  const rule = VS_REDIRECT;
  const hasPort = r.port !== undefined || r.derivePort !== undefined;
  // 1.31 adds prefixRewrite (1.30's CRD has no such field)
  const prefixRewrite = release !== '1.30' && str(r.prefixRewrite);
  if (prefixRewrite && str(r.uri)) {
    err(rule, f, 'redirect may only specify one of uri or prefix_rewrite', 'Keep redirect.uri (the whole path) or redirect.prefixRewrite (the matched prefix).');
    return;
  }
  if (prefixRewrite) {
    const i = arr(matches).findIndex((m: any) => isObj(m) && isObj(m.uri) && typeof m.uri.prefix !== 'string');
    if (i >= 0) {
      err(rule, `${f}.prefixRewrite`, 'redirect prefix_rewrite requires all URI matches to use prefix match type', `Match spec.http[].match[${i}].uri by prefix, or redirect with uri instead of prefixRewrite.`);
      return;
    }
  }
  if (!str(r.uri) && !prefixRewrite && !str(r.authority) && !hasPort && !str(r.scheme)) {
    err(rule, f, 'redirect must specify URI, authority, scheme, or port', 'Set redirect.uri, authority, scheme or port.');
    return;
  }
  const code = num(r.redirectCode);
  if (code !== 0 && (code < 300 || code > 399)) {
    err(rule, `${f}.redirectCode`, `${code} is not a valid redirect code, must be 3xx`, 'Use 301, 302, 303, 307 or 308.');
    return;
  }
  if (str(r.scheme) && r.scheme !== 'http' && r.scheme !== 'https') {
    err(rule, `${f}.scheme`, 'invalid redirect scheme, must be "http" or "https"', 'Use "http" or "https".');
    return;
  }
  if (num(r.port) > 0) {
    const e = portErr(num(r.port));
    if (e) err(rule, `${f}.port`, e, 'Use a port from 1 to 65535.');
  }
}

function directResponseCheck(d: any, f: string, err: Add, warn: Add) {
  if (!isObj(d)) return;
  const rule = VS_REDIRECT;
  if (isObj(d.body)) {
    let size = 0;
    if (typeof d.body.string === 'string') size = Buffer.byteLength(d.body.string, 'utf8');
    else if (typeof d.body.bytes === 'string') size = Buffer.from(d.body.bytes, 'base64').length;
    if (size > MB) err(rule, `${f}.body`, 'large direct_responses may impact control plane performance, must be less than 1MB', 'Serve large bodies from a backend.');
    else if (size > 100 * KB) warn(rule, `${f}.body`, 'large direct_responses may impact control plane performance', 'Keep direct response bodies under 100 KiB.');
  }
  const status = num(d.status);
  if (status < 200 || status > 600) err(rule, `${f}.status`, `HTTP status ${status} is not in range 200-599`, 'Use an HTTP status from 200 to 599.');
}

function rewriteCheck(r: any, f: string, err: Add) {
  if (!isObj(r)) return;
  const rule = VS_REDIRECT;
  const rr = r.uriRegexRewrite;
  const hasRegex = isObj(rr);
  if (str(r.uri) && hasRegex) {
    err(rule, f, 'rewrite may only contain one of URI or UriRegexRewrite', 'Keep uri or uriRegexRewrite.');
    return;
  }
  if (!str(r.uri) && !hasRegex && !str(r.authority)) {
    err(rule, f, 'rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified', 'Set rewrite.uri, uriRegexRewrite or authority, or remove rewrite.');
    return;
  }
  if (hasRegex) {
    const e = !str(rr.match) || !str(rr.rewrite)
      ? 'UriRegexRewrite requires both Rewrite and Match fields to be specified'
      : regexErr(rr.match, 'HTTPRewrite.UriRegexRewrite.Match');
    if (e) err(rule, `${f}.uriRegexRewrite`, `UriRegexRewrite has errors\n${e}`, 'Give uriRegexRewrite an RE2 match and a rewrite.');
  }
}

/** validateAuthorityRewrite: the authority is rewritten in one place only. */
function authorityRewriteCheck(h: any, f: string, err: Add) {
  let current = isObj(h.rewrite) ? str(h.rewrite.authority) : '';
  const req = isObj(h.headers) && isObj(h.headers.request) ? h.headers.request : {};
  for (const op of ['set', 'add']) {
    for (const [k, v] of Object.entries(isObj(req[op]) ? req[op] : {})) {
      if (!isAuthorityHeader(k)) continue;
      if (current !== '') {
        err(VS_HEADERS, `${f}.headers.request.${op}["${k}"]`, `authority header cannot be set multiple times: have ${q(current)}, attempting to set ${q(str(v))}`, 'Rewrite the authority either with rewrite.authority or with one header operation.');
        return;
      }
      current = str(v);
    }
  }
}

function checkTlsRoute(t: any, f: string, hosts: string[], appliesToGateway: boolean, gatewaySemantics: boolean, err: Add, warn: Add) {
  const matches = arr(t.match);
  if (!matches.length) err(VS_ROUTES, `${f}.match`, 'TLS route must have at least one match condition', 'Add a match with sniHosts.');
  matches.forEach((m, j) => {
    const mf = `${f}.match[${j}]`;
    if (!isObj(m)) {
      err(VS_MATCH, mf, 'TLS match may not be null', 'Remove the empty entry.');
      return;
    }
    const sni = arr(m.sniHosts).filter((s): s is string => typeof s === 'string');
    if (!sni.length) err(VS_MATCH, `${mf}.sniHosts`, 'TLS match must have at least one SNI host', 'List the SNI names this route matches.');
    sni.forEach((s, k) => sniHostCheck(s, `${mf}.sniHosts[${k}]`, hosts, appliesToGateway, err, warn));
    arr(m.destinationSubnets).forEach((s, k) => {
      const e = typeof s === 'string' ? ipSubnetErr(s) : undefined;
      if (e) err(VS_MATCH, `${mf}.destinationSubnets[${k}]`, e, 'Use an IP address or CIDR block.');
    });
    l4MatchCommon(m, mf, err, { warn });
  });
  if (!arr(t.route).length) err(VS_ROUTES, `${f}.route`, 'TLS route is required', 'Add route with destinations.');
  routeDestinationsCheck(arr(t.route), `${f}.route`, false, gatewaySemantics, err);
}

/** validateSniHost */
function sniHostCheck(s: string, f: string, hosts: string[], appliesToGateway: boolean, err: Add, warn: Add) {
  const e = appliesToGateway ? gatewayBoundDomainErr(true, s) : wildcardDomainErr(s);
  if (e) {
    if (isIp(s)) warn(VS_MATCH, f, `using an IP address (${q(s)}) goes against SNI spec and most clients do not support this`, 'Match on a DNS name, or on destinationSubnets.');
    else err(VS_MATCH, f, e, 'Use a DNS name (optionally "*."-prefixed).');
    return;
  }
  if (!hosts.some(h => hostSubsetOf(s, h))) {
    err(VS_MATCH, f, `SNI host ${q(s)} is not a compatible subset of any of the virtual service hosts: [${hosts.join(', ')}]`, 'Match SNI names that the VirtualService hosts cover.');
  }
}

function checkTcpRoute(t: any, f: string, gatewaySemantics: boolean, err: Add, warn: Add) {
  arr(t.match).forEach((m, j) => {
    const mf = `${f}.match[${j}]`;
    if (!isObj(m)) {
      err(VS_MATCH, mf, 'tcp match may not be nil', 'Remove the empty entry.');
      return;
    }
    arr(m.destinationSubnets).forEach((s, k) => {
      const e = typeof s === 'string' ? ipSubnetErr(s) : undefined;
      if (e) err(VS_MATCH, `${mf}.destinationSubnets[${k}]`, e, 'Use an IP address or CIDR block.');
    });
    l4MatchCommon(m, mf, err, { warn });
  });
  if (!arr(t.route).length) err(VS_ROUTES, `${f}.route`, 'TCP route is required', 'Add route with destinations.');
  routeDestinationsCheck(arr(t.route), `${f}.route`, false, gatewaySemantics, err);
}

interface PrefixMatch {
  readonly route: string;
  readonly match: string;
  readonly prefix: string;
  readonly port: number;
  readonly method: string;
  readonly authority: string;
  readonly headers: Map<string, string>;
  readonly query: Map<string, string>;
  readonly without: Map<string, string>;
}

function exactOrPrefix(sm: any): string {
  if (!isObj(sm)) return '';
  if (str(sm.exact)) return `exact:${sm.exact}`;
  if (str(sm.prefix)) return `prefix:${sm.prefix}`;
  return '';
}
function matchMap(x: any): Map<string, string> {
  return new Map(Object.entries(isObj(x) ? x : {}).map(([k, v]) => [k, exactOrPrefix(v)]));
}

/** coveredValidation: does earlier prefix match a cover later match b (b's prefix starts with a's)? */
function covered(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  if (a.method !== b.method && !a.method.startsWith(b.method)) return false;
  if (a.authority !== b.authority && !a.authority.startsWith(b.authority)) return false;
  for (const [ma, mb] of [[a.headers, b.headers], [a.query, b.query], [a.without, b.without]]) {
    if (ma.size !== mb.size) return false;
    for (const [k, v] of ma) {
      const w = mb.get(k);
      if (w === undefined || (v !== w && !v.startsWith(w))) return false;
    }
  }
  return true;
}

/** analyzeUnreachableHTTPRules / TCP / TLS: warnings for rules and matches that can never be used. */
function unreachableRules(routes: any[], kind: 'http' | 'tcp' | 'tls', warn: Add) {
  const rule = VS_UNREACHABLE_RULE;
  const routeName = (r: any, n: number) => (kind === 'http' && str(r?.name) ? q(r.name) : `#${n}`);
  const requestName = (m: any, n: number) => (kind === 'http' && str(m?.name) ? q(m.name) : `#${n}`);
  const unused = (f: string, rn: string, reason: string) =>
    warn(rule, f, `IST0130 VirtualService rule ${rn} not used (${reason}).`, 'Reorder the rules (most specific first, the rule without matches last) or remove the unreachable one.');
  const ineffective = (f: string, rn: string, mn: string, dn: string) =>
    warn(rule, f, `IST0131 VirtualService rule ${rn} match ${mn} is not used (duplicate/overlapping match in rule ${dn}).`, 'Remove the match, or move the more specific match before the one that covers it.');
  const seen = new Map<string, number>();
  let emptyAt = -1;
  const prefixes = new Map<string, PrefixMatch[]>(); // earlier prefix matches by URI prefix
  routes.forEach((r, n) => {
    if (!isObj(r)) return;
    const f = `spec.${kind}[${n}]`;
    const matches = arr(r.match);
    if (!matches.length) {
      if (emptyAt >= 0) unused(f, routeName(r, n), 'only the last rule can have no matches');
      emptyAt = n;
      return;
    }
    let dups = 0;
    matches.forEach((m, j) => {
      if (emptyAt >= 0) {
        unused(f, routeName(r, n), 'route without matches defined before');
        return;
      }
      const key = canonicalJson(m, kind === 'http');
      const d = seen.get(key);
      if (d !== undefined) {
        ineffective(`${f}.match[${j}]`, routeName(r, n), requestName(m, j), routeName(routes[d], d));
        dups++;
        return;
      }
      seen.set(key, n);
      if (kind !== 'http' || !isObj(m) || !isObj(m.uri) || !str(m.uri.prefix)) return;
      const cur: PrefixMatch = {
        route: routeName(r, n), match: requestName(m, j), prefix: m.uri.prefix, port: num(m.port),
        method: exactOrPrefix(m.method) || 'exact:GET', authority: exactOrPrefix(m.authority),
        headers: matchMap(m.headers), query: matchMap(m.queryParams), without: matchMap(m.withoutHeaders),
      };
      // earlier prefix matches whose (different) prefix starts this one's
      for (let k = 0; k < cur.prefix.length; k++) {
        for (const a of prefixes.get(cur.prefix.slice(0, k)) ?? []) {
          if (covered(a, cur)) ineffective(`${f}.match[${j}]`, cur.route, `${cur.match} of prefix ${cur.prefix}`, `${a.match} of prefix ${a.prefix} on ${a.route}`);
        }
      }
      const same = prefixes.get(cur.prefix);
      if (same) same.push(cur);
      else prefixes.set(cur.prefix, [cur]);
    });
    if (dups === matches.length) unused(f, routeName(r, n), 'all matches used by prior rules');
  });
}
