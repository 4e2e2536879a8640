import { validateManifests, type Finding } from '../../src/validator';
import { lookupSchema } from '../../src/validator/schemas';

// The kinds of Istio's crd-all.gen.yaml beyond networking.istio.io and security.istio.io: their structural schemas
// and CEL rules (the webhook rules of validation.go for them are not ported here).
const row = (f: Finding) => [f.severity, f.ruleId, f.field, f.message];
const schemaFindings = (objects: any[]) => validateManifests(objects).findings.filter((f) => /^(schema|cel)\//.test(f.ruleId)).map(row);

// Telemetry API task examples (istio.io: Tasks > Observability > Telemetry API, Distributed Tracing, Access Logs)
const telemetry = (spec: any, apiVersion = 'telemetry.istio.io/v1') => ({ apiVersion, kind: 'Telemetry', metadata: { name: 'mesh-default', namespace: 'istio-system' }, spec });
const TELEMETRY_SPEC = () => ({
  tracing: [{ providers: [{ name: 'localtrace' }], customTags: { foo: { literal: { value: 'bar' } } }, randomSamplingPercentage: 100 }],
  accessLogging: [{ providers: [{ name: 'envoy' }], filter: { expression: 'response.code >= 400' } }],
  metrics: [{ providers: [{ name: 'prometheus' }], overrides: [{ match: { metric: 'REQUEST_COUNT', mode: 'CLIENT_AND_SERVER' }, tagOverrides: { request_method: { operation: 'REMOVE' } } }] }],
});
// WasmPlugin reference example (istio.io: Reference > Configuration > Extensions > Wasm Plugin, basic auth)
const wasmPlugin = (spec: any) => ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'basic-auth', namespace: 'istio-system' }, spec });
const WASM_SPEC = () => ({
  selector: { matchLabels: { istio: 'ingressgateway' } },
  url: 'oci://ghcr.io/istio-ecosystem/wasm-extensions/basic_auth:1.12.0',
  phase: 'AUTHN',
  pluginConfig: { basic_auth_rules: [{ prefix: '/productpage', request_methods: ['GET', 'POST'], credentials: ['ok:test', 'YWRtaW4zOmFkbWluMw=='] }] },
});
// TrafficExtension (new in Istio 1.30: a Wasm or Lua extension), written from its CRD
const trafficExtension = (spec: any) => ({ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'TrafficExtension', metadata: { name: 'add-header', namespace: 'default' }, spec });
const LUA_SPEC = () => ({
  selector: { matchLabels: { app: 'httpbin' } },
  phase: 'STATS',
  match: [{ mode: 'SERVER', ports: [{ number: 8080 }] }],
  lua: { inlineCode: 'function envoy_on_response(h) h:headers():add("x-lua", "1") end' },
});

describe('telemetry.istio.io and extensions.istio.io: every kind and served version of crd-all.gen.yaml has its schema', () => {
  test.each([
    ['telemetry.istio.io/v1', 'Telemetry'], ['telemetry.istio.io/v1alpha1', 'Telemetry'],
    ['extensions.istio.io/v1alpha1', 'WasmPlugin'], ['extensions.istio.io/v1alpha1', 'TrafficExtension'],
  ])('%s %s', (apiVersion, kind) => {
    expect(lookupSchema(apiVersion, kind).found).toBe('crd');
  });
  test('a version the CRD does not serve is an error naming the served ones', () => {
    expect(schemaFindings([wasmPlugin(WASM_SPEC())].map((o) => ({ ...o, apiVersion: 'extensions.istio.io/v1' })))).toEqual([
      ['error', 'schema/unserved-version', 'apiVersion', 'WasmPlugin is not served in version extensions.istio.io/v1; served versions: v1alpha1'],
    ]);
  });
});

describe('Telemetry', () => {
  test('the documentation example passes (v1 and v1alpha1)', () => {
    expect(schemaFindings([telemetry(TELEMETRY_SPEC()), telemetry(TELEMETRY_SPEC(), 'telemetry.istio.io/v1alpha1')])).toEqual([]);
  });
  test('a misspelt field, an out-of-range sampling percentage and a bad enum fail', () => {
    // GIVEN the example with three mistakes (before: only "no schema is known for its API group", a note)
    const spec: any = TELEMETRY_SPEC();
    spec.tracing[0].randomSamplingPercentage = 150;
    spec.accessLogging[0].providers[0].nam = 'envoy';
    spec.metrics[0].overrides[0].match.mode = 'BOTH';
    // THEN
    expect(schemaFindings([telemetry(spec)])).toEqual([
      ['error', 'schema/range', 'spec.tracing[0].randomSamplingPercentage', '150 is above the maximum 100'],
      ['error', 'schema/unknown-field', 'spec.accessLogging[0].providers[0].nam', 'unknown field "nam"'],
      ['error', 'schema/enum', 'spec.metrics[0].overrides[0].match.mode', 'unsupported value "BOTH"; supported values: "CLIENT_AND_SERVER", "CLIENT", "SERVER"'],
    ]);
  });
  test('its CEL rules run: selector and targetRefs together are refused', () => {
    const spec: any = { ...TELEMETRY_SPEC(), selector: { matchLabels: { app: 'x' } }, targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }] };
    expect(schemaFindings([telemetry(spec)])).toEqual([
      ['error', 'cel/rule', 'spec', expect.stringMatching(/^only one of targetRefs or selector can be set \(CEL rule: /)],
    ]);
  });
});

describe('WasmPlugin', () => {
  test('the documentation example passes', () => {
    expect(schemaFindings([wasmPlugin(WASM_SPEC())])).toEqual([]);
  });
  test('a bad phase, a misspelt field and a non-integer priority fail', () => {
    const spec: any = { ...WASM_SPEC(), phase: 'NOPE', pluginConfg: {}, priority: 1.5 };
    expect(schemaFindings([wasmPlugin(spec)])).toEqual([
      ['error', 'schema/enum', 'spec.phase', 'unsupported value "NOPE"; supported values: "UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"'],
      ['error', 'schema/unknown-field', 'spec.pluginConfg', 'unknown field "pluginConfg"'],
      ['error', 'schema/type', 'spec.priority', 'expected integer, got number 1.5'],
    ]);
  });
  test('its CEL rules run: an ftp URL is refused', () => {
    expect(schemaFindings([wasmPlugin({ ...WASM_SPEC(), url: 'ftp://example.com/plugin.wasm' })])).toEqual([
      ['error', 'cel/rule', 'spec.url', expect.stringMatching(/^url must have schema one of \[http, https, file, oci\] \(CEL rule: /)],
    ]);
  });
});

describe('TrafficExtension', () => {
  test('a Lua extension written from the CRD passes', () => {
    expect(schemaFindings([trafficExtension(LUA_SPEC())])).toEqual([]);
  });
  test('wasm and lua together, a bad phase and an out-of-range port fail', () => {
    const spec: any = LUA_SPEC();
    spec.wasm = { url: 'oci://example.com/ext:1' };
    spec.phase = 'NOPE';
    spec.match[0].ports[0].number = 70000;
    expect(schemaFindings([trafficExtension(spec)])).toEqual([
      ['error', 'schema/enum', 'spec.phase', 'unsupported value "NOPE"; supported values: "UNSPECIFIED", "AUTHN", "AUTHZ", "STATS"'],
      ['error', 'schema/range', 'spec.match[0].ports[0].number', '70000 is above the maximum 65535'],
      ['error', 'schema/one-of', 'spec', 'at most one of the fields wasm, lua may be set'],
    ]);
  });
});
