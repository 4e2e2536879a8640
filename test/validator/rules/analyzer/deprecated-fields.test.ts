// IST0002 Deprecated (src/validator/rules/analyzer/deprecated-fields.ts, Istio's deprecation.FieldAnalyzer).
import { validateManifests, type Finding } from '../../../../src/validator';

const ID = 'analyzer/deprecated';
const vs = (delay: object) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'apps' },
  spec: { hosts: ['reviews'], http: [{ fault: { delay: { fixedDelay: '5s', ...delay } }, route: [{ destination: { host: 'reviews' } }] }] },
});
const sidecar = (otp: object) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: 'apps' },
  spec: { egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: otp },
});
const crd = (kind: string) => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${kind.toLowerCase()}s.rbac.istio.io` },
  spec: { group: 'rbac.istio.io', names: { kind, plural: `${kind.toLowerCase()}s` }, scope: 'Namespaced', versions: [] },
});
const found = (objs: unknown[]): Finding[] => validateManifests(objs).findings.filter(f => f.ruleId === ID);

describe('analyzer/deprecated (IST0002)', () => {
  test('fails: fault.delay.percent, Sidecar egressProxy, a removed rbac.istio.io CRD', () => {
    const fs = found([vs({ percent: 50 }), sidecar({ mode: 'ALLOW_ANY', egressProxy: { host: 'example', port: { number: 9080 } } }), crd('ServiceRole')]);
    expect(fs.map(f => `${f.severity} ${f.object.kind} ${f.field}: ${f.message}`)).toEqual([
      'warning VirtualService spec.http[0].fault.delay.percent: IST0002 Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage',
      'warning Sidecar spec.outboundTrafficPolicy.egressProxy: IST0002 Deprecated: OutboundTrafficPolicy.EgressProxy ignored',
      'warning CustomResourceDefinition spec.names.kind: IST0002 Deprecated: Custom resource type rbac.istio.io ServiceRole is removed',
    ]);
  });

  test('passes: fault.delay.percentage, percent 0, no egressProxy, another CRD', () => {
    expect(found([vs({ percentage: { value: 50 } }), vs({ percent: 0 }), sidecar({ mode: 'REGISTRY_ONLY' }), { ...crd('Other'), spec: { ...crd('Other').spec, group: 'example.com' } }])).toEqual([]);
  });
});
