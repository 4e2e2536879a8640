// Istio's telemetry.DefaultSelectorAnalyzer (src/validator/rules/analyzer/telemetry-default-selector.ts): more than one
// Telemetry without selector in a namespace (IST0160, error).
import { validateManifests, type Finding } from '../../../../src/validator';

const ID = 'analyzer/telemetry-multiple-default';

const telemetry = (name: string, namespace: string, extra: object = {}) => ({
  apiVersion: 'telemetry.istio.io/v1',
  kind: 'Telemetry',
  metadata: { name, namespace },
  spec: { metrics: [{ providers: [{ name: 'prometheus' }] }], ...extra },
});
const of = (objs: unknown[]): Finding[] => validateManifests(objs).findings.filter(f => f.ruleId === ID);

describe('analyzer/telemetry-multiple-default (IST0160)', () => {
  test('fails: two Telemetries of ns2 have no selector; both are reported as errors with the sorted names', () => {
    const fs = of([telemetry('has-conflict-2', 'ns2'), telemetry('has-conflict-1', 'ns2')]);
    expect(fs.map(f => [f.severity, f.object.name, f.field])).toEqual([['error', 'has-conflict-2', 'spec.selector'], ['error', 'has-conflict-1', 'spec.selector']]);
    for (const f of fs) expect(f.message).toBe('IST0160 The Telemetries [has-conflict-1 has-conflict-2] in namespace "ns2" have no workload selector, which can lead to undefined behavior.');
  });

  test('passes: one namespace-wide Telemetry per namespace; one with a selector or targetRefs is not namespace-wide', () => {
    expect(of([
      telemetry('no-selector', 'ns1'),
      telemetry('has-selector', 'ns1', { selector: { matchLabels: { app: 'foo' } } }),
      telemetry('gateway', 'ns1', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }] }),
      telemetry('other-ns', 'ns2'),
    ])).toEqual([]);
  });
});
