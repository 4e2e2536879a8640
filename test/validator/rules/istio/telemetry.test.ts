// Istio's webhook rules for Telemetry (istio/telemetry, src/validator/rules/istio/telemetry.ts) and the selector and
// targetRef rules it shares (istio/policy-selector, istio/policy-target-ref): a failing and a passing input per rule.
import { expectClean, expectFinding, object } from '../../../support/istio-kinds';

const tel = (spec: any) => object('Telemetry', spec);

describe('Telemetry (ValidateTelemetry)', () => {
  test('a Telemetry with tracing, metrics and access logging passes', () => {
    expectClean(tel({
      selector: { matchLabels: { app: 'egress' } },
      tracing: [{ providers: [{ name: 'otel' }], randomSamplingPercentage: 10, customTags: { env: { literal: { value: 'prod' } } } }],
      metrics: [{ providers: [{ name: 'prometheus' }], overrides: [{ match: { metric: 'REQUEST_COUNT' }, tagOverrides: { x: { operation: 'REMOVE' } } }] }],
      accessLogging: [{ providers: [{ name: 'envoy' }], filter: { expression: 'response.code >= 400' } }],
    }));
  });

  test('fails when randomSamplingPercentage is 150 (the issue\'s case), beside the schema\'s maximum', () => {
    const f = expectFinding(tel({ tracing: [{ randomSamplingPercentage: 150 }] }), 'istio/telemetry', 'randomSamplingPercentage must be in range [0.0, 100.0]');
    expect(f.field).toBe('spec.tracing[0].randomSamplingPercentage');
  });

  test('fails on an empty provider name, and at the first one only', () => {
    const f = expectFinding(tel({ accessLogging: [{ providers: [{ name: 'envoy' }, { name: '' }, {}] }] }), 'istio/telemetry', 'providers.name may not be empty');
    expect(f.field).toBe('spec.accessLogging[0].providers[1]');
  });

  test.each([
    [{ a: { literal: { value: '' } } }, 'literal tag value may not be empty'],
    [{ a: { header: { name: '' } } }, 'header tag name may not be empty'],
    [{ a: { environment: {} } }, 'environment tag name may not be empty'],
    [{ a: null }, "tag 'a' may not have a nil value"],
  ])('fails on custom tags %j', (customTags, message) => {
    expectFinding(tel({ tracing: [{ customTags }] }), 'istio/telemetry', message);
  });

  test('fails on tag overrides: UPSERT without a value, REMOVE with one, a null override, an empty customMetric', () => {
    const t = tel({ metrics: [{ overrides: [{ tagOverrides: { a: { operation: 'UPSERT' }, b: { operation: 'REMOVE', value: 'x' } } }, { match: { customMetric: '' } }] }] });
    expectFinding(t, 'istio/telemetry', 'tagOverrides.value must be set when operation is UPSERT');
    expectFinding(t, 'istio/telemetry', 'tagOverrides.value may only be set when operation is UPSERT');
    expectFinding(t, 'istio/telemetry', 'customMetric may not be empty');
    expectFinding(tel({ metrics: [{ overrides: [{ tagOverrides: { a: null } }] }] }), 'istio/telemetry', 'tagOverrides may not be null');
  });

  test('warns on two tracing entries and two tracing providers, as Istio does', () => {
    expectFinding(tel({ tracing: [{}, {}] }), 'istio/telemetry', 'multiple tracing is not currently supported', 'warning');
    expectFinding(tel({ tracing: [{ providers: [{ name: 'a' }, { name: 'b' }] }] }), 'istio/telemetry', 'multiple providers is not currently supported', 'warning');
  });

  test('fails when an access-log filter is not CEL', () => {
    const f = expectFinding(tel({ accessLogging: [{ filter: { expression: ')++++' } }] }), 'istio/telemetry', 'must be a valid CEL expression');
    expect(f.field).toBe('spec.accessLogging[0].filter.expression');
  });

  test('selector and targetRef: wildcard, empty labels, both set, cross-namespace, wrong kind', () => {
    expectFinding(tel({ selector: { matchLabels: { app: '*' } } }), 'istio/policy-selector', 'wildcard is not supported in selector: "app=*"');
    expectFinding(tel({ selector: {} }), 'istio/policy-selector', 'workload selector specified without labels', 'warning');
    const ref = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' };
    expectFinding(tel({ selector: { matchLabels: { app: 'a' } }, targetRef: ref }), 'istio/policy-target-ref', 'only one of targetRefs or workloadSelector can be set');
    expectFinding(tel({ targetRefs: [{ ...ref, namespace: 'other' }] }), 'istio/policy-target-ref', 'targetRef namespace must not be set');
    expectFinding(tel({ targetRef: { ...ref, kind: 'HTTPRoute' } }), 'istio/policy-target-ref', 'but was gateway.networking.k8s.io/HTTPRoute');
    expectClean(tel({ targetRefs: [ref, { kind: 'Service', name: 'svc' }] }));
  });
});
