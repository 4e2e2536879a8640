// Istio's webhook rules for EnvoyFilter (istio/envoy-filter, istio/envoy-filter-internal,
// src/validator/rules/istio/envoy-filter.ts), including the one that differs in Istio 1.31.
import { checkEnvoyFilter } from '../../../../src/validator/rules/istio/envoy-filter';
import { checkIn, expectClean, expectFinding, istioFindings, object } from '../../../support/istio-kinds';

const ef = (spec: any) => object('EnvoyFilter', spec);
const patch = (p: any) => ef({ workloadSelector: { labels: { app: 'egress' } }, configPatches: [p] });
const remove = { operation: 'REMOVE' };

describe('EnvoyFilter (ValidateEnvoyFilter)', () => {
  test('every EnvoyFilter gets Istio\'s warning, and a valid one nothing else', () => {
    const obj = patch({ applyTo: 'HTTP_FILTER', match: { context: 'SIDECAR_OUTBOUND', listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } } },
      patch: { operation: 'INSERT_BEFORE', value: { name: 'envoy.lua', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua' } } } });
    const fs = istioFindings(obj);
    expect(fs.map(f => `${f.severity} ${f.ruleId}`)).toEqual(['warning istio/envoy-filter-internal']);
    expect(fs[0].message).toContain('EnvoyFilter exposes internal implementation details');
    expectClean(obj, ['istio/envoy-filter-internal']);
  });

  test('fails on a patch without applyTo, patch, operation or value', () => {
    expectFinding(ef({ configPatches: [{ patch: remove }] }), 'istio/envoy-filter', 'Envoy filter: missing applyTo');
    expectFinding(ef({ configPatches: [{ applyTo: 'CLUSTER' }] }), 'istio/envoy-filter', 'Envoy filter: missing patch');
    expectFinding(ef({ configPatches: [{ applyTo: 'CLUSTER', patch: {} }] }), 'istio/envoy-filter', 'Envoy filter: missing patch operation');
    const f = expectFinding(ef({ configPatches: [{ applyTo: 'CLUSTER', patch: { operation: 'MERGE' } }] }), 'istio/envoy-filter', 'Envoy filter: missing patch value for non-remove operation');
    expect(f.field).toBe('spec.configPatches[0].patch.value');
  });

  test('fails on a proxyVersion that is not RE2 (look-ahead included)', () => {
    expectFinding(patch({ applyTo: 'CLUSTER', match: { proxy: { proxyVersion: '^1\\.(?=30)' } }, patch: remove }), 'istio/envoy-filter', 'Envoy filter: invalid regex for proxy version, [error parsing regexp: invalid or unsupported Perl syntax: look-around]');
    expectClean(patch({ applyTo: 'CLUSTER', match: { proxy: { proxyVersion: '^1\\.30.*' } }, patch: remove }), ['istio/envoy-filter-internal']);
  });

  test('a proxyVersion over 1024 characters: compiled by 1.30, a warning in 1.31', () => {
    const obj = patch({ applyTo: 'LISTENER', match: { proxy: { proxyVersion: 'a{100}'.repeat(200) } }, patch: remove });
    expect(checkIn('1.30', checkEnvoyFilter, obj).filter(f => f.ruleId === 'istio/envoy-filter')).toEqual([]);
    const in131 = checkIn('1.31', checkEnvoyFilter, obj).filter(f => f.ruleId === 'istio/envoy-filter');
    expect(in131.map(f => `${f.severity} ${f.message}`)).toEqual(['warning Envoy filter: proxyVersion match exceeds 1024 characters and will be ignored']);
    // and a long invalid one is not compiled in 1.31: no error
    const bad = patch({ applyTo: 'LISTENER', match: { proxy: { proxyVersion: '('.repeat(1100) } }, patch: remove });
    expect(checkIn('1.31', checkEnvoyFilter, bad).filter(f => f.severity === 'error')).toEqual([]);
    expect(checkIn('1.30', checkEnvoyFilter, bad).filter(f => f.severity === 'error').map(f => f.ruleId)).toEqual(['istio/envoy-filter']);
  });

  test('fails when the match does not fit applyTo', () => {
    expectFinding(patch({ applyTo: 'NETWORK_FILTER', match: { cluster: { service: 'x' } }, patch: remove }), 'istio/envoy-filter', 'applyTo for listener class objects cannot have non listener match');
    expectFinding(patch({ applyTo: 'HTTP_ROUTE', match: { listener: {} }, patch: remove }), 'istio/envoy-filter', 'applyTo for http route class objects cannot have non route configuration match');
    expectFinding(patch({ applyTo: 'CLUSTER', match: { routeConfiguration: {} }, patch: remove }), 'istio/envoy-filter', 'applyTo for cluster class objects cannot have non cluster match');
  });

  test('filter and subFilter matches', () => {
    const m = (filter: any) => ({ listener: { filterChain: { filter } } });
    expectFinding(patch({ applyTo: 'NETWORK_FILTER', match: m({}), patch: remove }), 'istio/envoy-filter', 'filter match has no name to match on');
    expectFinding(patch({ applyTo: 'FILTER_CHAIN', match: m({ name: 'envoy.filters.network.tcp_proxy' }), patch: remove }), 'istio/envoy-filter', 'filter match has no effect when used with FILTER_CHAIN', 'warning');
    expectFinding(patch({ applyTo: 'NETWORK_FILTER', match: m({ name: 'x', subFilter: { name: 'y' } }), patch: remove }), 'istio/envoy-filter', 'subfilter match can be used with applyTo HTTP_FILTER only');
    expectFinding(patch({ applyTo: 'HTTP_FILTER', match: m({ name: 'x', subFilter: { name: 'y' } }), patch: remove }), 'istio/envoy-filter', 'subfilter match requires filter match with envoy.filters.network.http_connection_manager');
    expectFinding(patch({ applyTo: 'HTTP_FILTER', match: m({ name: 'envoy.http_connection_manager', subFilter: { name: 'envoy.router' } }), patch: remove }), 'istio/envoy-filter',
      'using deprecated filter name "envoy.router"; use "envoy.filters.http.router" instead', 'warning');
  });

  test('fails on a type URL of Envoy\'s v2 API in a patch value', () => {
    const f = expectFinding(patch({ applyTo: 'NETWORK_FILTER', patch: { operation: 'INSERT_FIRST', value: { typed_config: { '@type': 'type.googleapis.com/envoy.config.filter.network.ext_authz.v2.ExtAuthz' } } } }),
      'istio/envoy-filter', 'referenced type unknown (hint: try using the v3 XDS API)');
    expect(f.field).toBe('spec.configPatches[0].patch.value');
  });

  test('warns on a selector without labels, fails on a wildcard one; WAYPOINT patches are not validated', () => {
    expectFinding(ef({ workloadSelector: {} }), 'istio/envoy-filter', 'Envoy filter: workload selector specified without labels, will be applied to all services in namespace', 'warning');
    expectFinding(ef({ workloadSelector: { labels: { app: '*' } } }), 'istio/envoy-filter', 'wildcard is not supported in selector: "app=*"');
    expect(istioFindings(ef({ configPatches: [{ match: { context: 'WAYPOINT', waypoint: {} } }] })).filter(f => f.ruleId === 'istio/envoy-filter')).toEqual([]);
  });
});
