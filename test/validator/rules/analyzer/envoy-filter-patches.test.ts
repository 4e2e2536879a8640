// IST0151-IST0155 (src/validator/rules/analyzer/envoy-filter-patches.ts), Istio's envoyfilter.EnvoyPatchAnalyzer:
// relative patch operations without priority (warnings) and operations Istio ignores for their applyTo (errors).
import { validateManifests, type Finding } from '../../../../src/validator';

const RELATIVE = 'analyzer/envoy-filter-relative-operation';
const IGNORED = 'analyzer/envoy-filter-ignored-operation';

function ef(name: string, configPatches: unknown[], priority?: number) {
  return {
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'EnvoyFilter',
    metadata: { name, namespace: 'bookinfo' },
    spec: { workloadSelector: { labels: { app: name } }, configPatches, ...(priority !== undefined ? { priority } : {}) },
  };
}

const httpFilter = (operation: string, proxyVersion?: string) => ({
  applyTo: 'HTTP_FILTER',
  match: {
    context: 'SIDECAR_INBOUND',
    ...(proxyVersion ? { proxy: { proxyVersion } } : {}),
    listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } },
  },
  patch: { operation, value: { name: 'envoy.lua', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua', inlineCode: 'function envoy_on_request(h) end' } } },
});
const route = (applyTo: string, operation: string) => ({
  applyTo,
  match: { context: 'SIDECAR_OUTBOUND', routeConfiguration: { vhost: { name: 'reviews.bookinfo.svc.cluster.local:9080' } } },
  patch: { operation, ...(operation === 'REMOVE' ? {} : { value: { name: 'extra' } }) },
});

const of = (objs: unknown[], ...ids: string[]): Finding[] => validateManifests(objs).findings.filter(f => ids.includes(f.ruleId));

describe('analyzer/envoy-filter-relative-operation (IST0151, IST0155)', () => {
  test('fails: INSERT_BEFORE without priority is IST0151, a warning at the patch', () => {
    const fs = of([ef('lua', [httpFilter('INSERT_BEFORE')])], RELATIVE);
    expect(fs.map(f => [f.severity, f.field])).toEqual([['warning', 'spec.configPatches[0]']]);
    expect(fs[0].message).toBe('IST0151 This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly (config patch #0 INSERT_BEFORE on HTTP_FILTER).');
    expect(fs[0].fix).toBe('Give the EnvoyFilter a spec.priority, or use an absolute operation (INSERT_FIRST or ADD).');
  });

  test('fails: a relative patch for a filter an earlier patch with proxyVersion names is IST0155; each code once per EnvoyFilter', () => {
    const fs = of([ef('lua', [httpFilter('INSERT_AFTER', '^1\\.11.*'), httpFilter('REPLACE'), httpFilter('INSERT_BEFORE', '^1\\.12.*')])], RELATIVE);
    expect(fs.map(f => `${f.field} ${f.message.slice(0, 7)} ${f.message.slice(f.message.lastIndexOf('(config'))}`)).toEqual([
      'spec.configPatches[0] IST0151 (config patch #0 INSERT_AFTER on HTTP_FILTER).',
      'spec.configPatches[1] IST0155 (config patches #1 REPLACE on HTTP_FILTER, filter "envoy.lua", #2 INSERT_BEFORE on HTTP_FILTER, filter "envoy.lua").',
    ]);
    expect(fs.every(f => f.severity === 'warning')).toBe(true);
  });

  test('passes: a priority, or absolute operations (INSERT_FIRST, ADD, MERGE)', () => {
    expect(of([ef('lua', [httpFilter('INSERT_BEFORE')], 10)], RELATIVE, IGNORED)).toEqual([]);
    expect(of([ef('lua', [httpFilter('INSERT_FIRST'), httpFilter('MERGE'), { applyTo: 'CLUSTER', match: { context: 'SIDECAR_OUTBOUND' }, patch: { operation: 'ADD', value: { name: 'c' } } }])], RELATIVE, IGNORED)).toEqual([]);
  });
});

describe('analyzer/envoy-filter-ignored-operation (IST0152, IST0153, IST0154)', () => {
  test('fails: ADD on HTTP_ROUTE is IST0153, REMOVE on ROUTE_CONFIGURATION is IST0154, REPLACE on CLUSTER is IST0152 (errors)', () => {
    const fs = of([
      ef('add', [route('HTTP_ROUTE', 'ADD')]),
      ef('remove', [route('ROUTE_CONFIGURATION', 'REMOVE')]),
      ef('replace', [{ applyTo: 'CLUSTER', match: { context: 'SIDECAR_OUTBOUND', cluster: { service: 'x' } }, patch: { operation: 'REPLACE', value: { name: 'c' } } }], 10),
    ], IGNORED, RELATIVE);
    expect(fs.map(f => [f.ruleId, f.severity, f.object.name, f.field, f.message])).toEqual([
      [IGNORED, 'error', 'add', 'spec.configPatches[0].patch.operation', 'IST0153 The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE (config patch #0 ADD on HTTP_ROUTE).'],
      [IGNORED, 'error', 'remove', 'spec.configPatches[0].patch.operation', 'IST0154 The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE (config patch #0 REMOVE on ROUTE_CONFIGURATION).'],
      [IGNORED, 'error', 'replace', 'spec.configPatches[0].patch.operation', 'IST0152 The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER (and VIRTUAL_HOST) (config patch #0 REPLACE on CLUSTER).'],
    ]);
  });

  test('passes: REPLACE on VIRTUAL_HOST and HTTP_FILTER with a priority, MERGE on ROUTE_CONFIGURATION', () => {
    expect(of([ef('ok', [route('VIRTUAL_HOST', 'REPLACE'), httpFilter('REPLACE'), route('ROUTE_CONFIGURATION', 'MERGE')], 5)], IGNORED, RELATIVE)).toEqual([]);
  });

  test('the walk of an EnvoyFilter stops at the first patch without patch (Istio\'s break)', () => {
    expect(of([ef('stop', [{ applyTo: 'HTTP_FILTER', match: { context: 'SIDECAR_INBOUND' } }, route('HTTP_ROUTE', 'ADD')])], IGNORED)).toEqual([]);
  });
});
