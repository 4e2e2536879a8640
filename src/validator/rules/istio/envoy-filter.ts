/**
 * EnvoyFilter as Istio 1.30.3 validates it: ValidateEnvoyFilter (pkg/config/validation/envoyfilter/envoyfilter.go,
 * with ValidateAlphaWorkloadSelector, validateListenerMatchName and pkg/config/xds's deprecated filter names).
 * Istio 1.31 differs in one place: a match proxyVersion over 1024 characters is not compiled but warned about
 * (istiod ignores it). What this validator cannot do is Istio's last step, decoding each patch value into the
 * Envoy type its applyTo names (xds.BuildXDSObjectFromStruct): it needs Envoy's protobuf descriptors, so a
 * misspelt or mistyped field inside a patch value is not found here; only type URLs of Envoy's removed v2 API are.
 */
import type { Obj, Reporter } from '../../context';
import { IstioReport, checkIstioMetadata, isMessage } from './common';
import { re2Error } from './gateway-common';
import { defineRule } from '../rule';

export const ENVOY_FILTER_INTERNAL = defineRule({
  id: 'istio/envoy-filter-internal',
  family: 'istio',
  severity: 'warning',
  description: 'Every EnvoyFilter: it patches Envoy\'s generated configuration, which may change at any release.',
  source: 'Istio envoyfilter.go ValidateEnvoyFilter',
  details: 'The warning Istio\'s webhook returns for every EnvoyFilter ("EnvoyFilter exposes internal implementation details that may change at any time"). Downgrade or silence it (--warn does not apply: it is a warning) where an EnvoyFilter is deliberate.',
});

export const ENVOY_FILTER = defineRule({
  id: 'istio/envoy-filter',
  family: 'istio',
  severity: 'error',
  description: 'An EnvoyFilter config patch lacks applyTo, patch, operation or value, has an invalid proxyVersion regex, or a match that does not fit its applyTo.',
  source: 'Istio envoyfilter.go ValidateEnvoyFilter, ValidateAlphaWorkloadSelector, validateListenerMatchName',
  details: 'ValidateEnvoyFilter: workloadSelector labels without empty keys or "*" (no labels: a warning, the filter applies to the whole namespace); each config patch not null, with applyTo, a patch, an operation, and a value unless the operation is REMOVE; match.proxy.proxyVersion an RE2 regex (Istio 1.31: one over 1024 characters is a warning and ignored); LISTENER/FILTER_CHAIN/NETWORK_FILTER/HTTP_FILTER only with a listener match, ROUTE_CONFIGURATION/VIRTUAL_HOST/HTTP_ROUTE only with a routeConfiguration match, CLUSTER only with a cluster match; a filter match needs a name, a subFilter match needs applyTo HTTP_FILTER, the http_connection_manager filter and a name; warnings for a filter match on LISTENER or FILTER_CHAIN (no effect) and deprecated filter names (envoy.router and the like). Patches with context WAYPOINT are not validated, as in Istio. Not checked (it needs Envoy\'s protobuf types): that each patch value decodes as the Envoy type of its applyTo; only type URLs of Envoy\'s removed v2 API are errors here, as Istio finds them unresolvable.',
});

const HCM = 'envoy.filters.network.http_connection_manager';
/** pkg/config/xds DeprecatedFilterNames, reversed: deprecated name -> canonical name. */
const DEPRECATED_FILTER_NAMES: Record<string, string> = {
  'envoy.buffer': 'envoy.filters.http.buffer',
  'envoy.cors': 'envoy.filters.http.cors',
  'envoy.csrf': 'envoy.filters.http.csrf',
  'envoy.http_dynamo_filter': 'envoy.filters.http.dynamo',
  // two canonical names map to envoy.ext_authz; Istio's reverse map keeps either
  'envoy.ext_authz': 'envoy.filters.http.ext_authz',
  'envoy.fault': 'envoy.filters.http.fault',
  'envoy.grpc_http1_bridge': 'envoy.filters.http.grpc_http1_bridge',
  'envoy.grpc_json_transcoder': 'envoy.filters.http.grpc_json_transcoder',
  'envoy.grpc_web': 'envoy.filters.http.grpc_web',
  'envoy.gzip': 'envoy.filters.http.gzip',
  'envoy.health_check': 'envoy.filters.http.health_check',
  'envoy.ip_tagging': 'envoy.filters.http.ip_tagging',
  'envoy.lua': 'envoy.filters.http.lua',
  'envoy.rate_limit': 'envoy.filters.http.ratelimit',
  'envoy.router': 'envoy.filters.http.router',
  'envoy.squash': 'envoy.filters.http.squash',
  'envoy.listener.http_inspector': 'envoy.filters.listener.http_inspector',
  'envoy.listener.original_dst': 'envoy.filters.listener.original_dst',
  'envoy.listener.original_src': 'envoy.filters.listener.original_src',
  'envoy.listener.proxy_protocol': 'envoy.filters.listener.proxy_protocol',
  'envoy.listener.tls_inspector': 'envoy.filters.listener.tls_inspector',
  'envoy.client_ssl_auth': 'envoy.filters.network.client_ssl_auth',
  'envoy.http_connection_manager': HCM,
  'envoy.mongo_proxy': 'envoy.filters.network.mongo_proxy',
  'envoy.ratelimit': 'envoy.filters.network.ratelimit',
  'envoy.redis_proxy': 'envoy.filters.network.redis_proxy',
  'envoy.tcp_proxy': 'envoy.filters.network.tcp_proxy',
};
const LISTENER_CLASS = new Set(['LISTENER', 'FILTER_CHAIN', 'NETWORK_FILTER', 'HTTP_FILTER']);
const ROUTE_CLASS = new Set(['ROUTE_CONFIGURATION', 'VIRTUAL_HOST', 'HTTP_ROUTE']);
const OBJECT_TYPES = ['listener', 'routeConfiguration', 'cluster', 'waypoint'];
const MAX_PROXY_VERSION = 1024;

/** Type URLs of Envoy's v2 API (removed; Istio cannot resolve them) anywhere in a patch value. */
function v2TypeUrls(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => v2TypeUrls(x, out));
  else if (isMessage(v)) {
    for (const [k, x] of Object.entries(v)) {
      if ((k === '@type' || k === 'type_url' || k === 'typeUrl') && typeof x === 'string' && /^type\.googleapis\.com\/envoy\..*\.v2(alpha\d*)?\./.test(x)) out.push(x);
      else v2TypeUrls(x, out);
    }
  }
  return out;
}

const nameOf = (m: unknown): string => (isMessage(m) && typeof m.name === 'string' ? m.name : '');

/** ValidateEnvoyFilter */
export function checkEnvoyFilter(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  const spec = isMessage(o.raw?.spec) ? o.raw.spec : {};
  r.warn(ENVOY_FILTER_INTERNAL, 'spec', 'EnvoyFilter exposes internal implementation details that may change at any time. Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.',
    'Prefer Istio\'s APIs (Telemetry, WasmPlugin, DestinationRule, ...) where they do what this filter does; retest it at every Istio upgrade. This validator does not check patch values against Envoy\'s API.');
  const sel = spec.workloadSelector;
  if (sel !== undefined && sel !== null) {
    const labels = isMessage(sel) && isMessage(sel.labels) ? sel.labels : {};
    let bad = false;
    for (const [k, v] of Object.entries(labels)) {
      const shown = JSON.stringify(`${k}=${typeof v === 'string' ? v : String(v)}`);
      if (k === '') { bad = true; r.error(ENVOY_FILTER, 'spec.workloadSelector.labels', `empty key is not supported in selector: ${shown}`, 'Use a label key, e.g. app.'); }
      if (k.includes('*') || String(v).includes('*')) { bad = true; r.error(ENVOY_FILTER, 'spec.workloadSelector.labels', `wildcard is not supported in selector: ${shown}`, 'Use exact label keys and values.'); }
    }
    if (bad) return; // Istio returns at a selector error
    if (Object.keys(labels).length === 0) {
      r.warn(ENVOY_FILTER, 'spec.workloadSelector', 'Envoy filter: workload selector specified without labels, will be applied to all services in namespace', 'Add labels, or remove workloadSelector to apply the filter to the whole namespace on purpose.');
    }
  }
  if (!Array.isArray(spec.configPatches)) return;
  spec.configPatches.forEach((cp: unknown, i: number) => {
    const f = `spec.configPatches[${i}]`;
    if (cp === null || cp === undefined) return r.error(ENVOY_FILTER, f, 'Envoy filter: null config patch', 'Remove the empty entry.');
    if (!isMessage(cp)) return;
    const match = isMessage(cp.match) ? cp.match : undefined;
    if (match?.context === 'WAYPOINT') return; // Istio does not validate waypoint patches yet
    const applyTo = typeof cp.applyTo === 'string' && cp.applyTo !== 'INVALID' ? cp.applyTo : undefined;
    if (!applyTo) return r.error(ENVOY_FILTER, `${f}.applyTo`, 'Envoy filter: missing applyTo', 'Say what the patch applies to: LISTENER, CLUSTER, HTTP_FILTER, ...');
    const patch = cp.patch;
    if (!isMessage(patch)) return r.error(ENVOY_FILTER, `${f}.patch`, 'Envoy filter: missing patch', 'Give the patch: an operation and a value.');
    const op = typeof patch.operation === 'string' && patch.operation !== 'INVALID' ? patch.operation : undefined;
    if (!op) return r.error(ENVOY_FILTER, `${f}.patch.operation`, 'Envoy filter: missing patch operation', 'Give an operation: MERGE, ADD, REMOVE, INSERT_BEFORE, INSERT_AFTER, INSERT_FIRST or REPLACE.');
    if (op !== 'REMOVE' && (patch.value === undefined || patch.value === null)) {
      return r.error(ENVOY_FILTER, `${f}.patch.value`, 'Envoy filter: missing patch value for non-remove operation', 'Give the value to merge, add or insert.');
    }
    const pv = isMessage(match?.proxy) && typeof match!.proxy.proxyVersion === 'string' ? match!.proxy.proxyVersion : '';
    if (pv !== '') {
      if (rep.release !== '1.30' && pv.length > MAX_PROXY_VERSION) {
        r.warn(ENVOY_FILTER, `${f}.match.proxy.proxyVersion`, `Envoy filter: proxyVersion match exceeds ${MAX_PROXY_VERSION} characters and will be ignored`, 'Use a short version regex, e.g. ^1\\.31.*');
      } else {
        const e = re2Error(pv);
        if (e) return r.error(ENVOY_FILTER, `${f}.match.proxy.proxyVersion`, `Envoy filter: invalid regex for proxy version, [${e}]`, 'Use an RE2 regex, e.g. ^1\\.30.*');
      }
    }
    const objectType = match ? OBJECT_TYPES.find((k) => match[k] !== undefined && match[k] !== null) : undefined;
    if (LISTENER_CLASS.has(applyTo) && objectType) {
      if (objectType !== 'listener') return r.error(ENVOY_FILTER, `${f}.match`, 'Envoy filter: applyTo for listener class objects cannot have non listener match', 'Match a listener for this applyTo.');
      const fc = isMessage(match!.listener) ? match!.listener.filterChain : undefined;
      const filter = isMessage(fc) ? fc.filter : undefined;
      if (isMessage(filter)) {
        const ff = `${f}.match.listener.filterChain.filter`;
        if (applyTo === 'LISTENER' || applyTo === 'FILTER_CHAIN') r.warn(ENVOY_FILTER, ff, `Envoy filter: filter match has no effect when used with ${applyTo}`, 'Remove the filter match, or apply the patch to NETWORK_FILTER or HTTP_FILTER.');
        const name = nameOf(filter);
        if (name === '') return r.error(ENVOY_FILTER, `${ff}.name`, 'Envoy filter: filter match has no name to match on', 'Name the filter to match, e.g. envoy.filters.network.http_connection_manager.');
        if (isMessage(filter.subFilter)) {
          if (applyTo !== 'HTTP_FILTER') return r.error(ENVOY_FILTER, `${ff}.subFilter`, 'Envoy filter: subfilter match can be used with applyTo HTTP_FILTER only', 'Use applyTo HTTP_FILTER, or remove the subFilter match.');
          if (name !== HCM && name !== 'envoy.http_connection_manager') return r.error(ENVOY_FILTER, `${ff}.name`, `Envoy filter: subfilter match requires filter match with ${HCM}`, `Match the filter ${HCM}.`);
          if (nameOf(filter.subFilter) === '') return r.error(ENVOY_FILTER, `${ff}.subFilter.name`, 'Envoy filter: subfilter match has no name to match on', 'Name the HTTP filter to match, e.g. envoy.filters.http.router.');
        }
        for (const [n, where] of [[name, `${ff}.name`], [isMessage(filter.subFilter) ? nameOf(filter.subFilter) : '', `${ff}.subFilter.name`]] as const) {
          const canonical = DEPRECATED_FILTER_NAMES[n];
          if (canonical) r.warn(ENVOY_FILTER, where, `using deprecated filter name ${JSON.stringify(n)}; use ${JSON.stringify(canonical)} instead`, `Match ${canonical}.`);
        }
      }
    } else if (ROUTE_CLASS.has(applyTo) && objectType && objectType !== 'routeConfiguration') {
      r.error(ENVOY_FILTER, `${f}.match`, 'Envoy filter: applyTo for http route class objects cannot have non route configuration match', 'Match a routeConfiguration for this applyTo.');
    } else if (applyTo === 'CLUSTER' && objectType && objectType !== 'cluster') {
      r.error(ENVOY_FILTER, `${f}.match`, 'Envoy filter: applyTo for cluster class objects cannot have non cluster match', 'Match a cluster for this applyTo.');
    }
    const v2 = v2TypeUrls(patch.value);
    if (v2.length) {
      r.error(ENVOY_FILTER, `${f}.patch.value`, `referenced type unknown (hint: try using the v3 XDS API): ${v2[0]}`, 'Use the Envoy v3 type (…v3.…); the v2 API was removed from Envoy.');
    }
  });
}
