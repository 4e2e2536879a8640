// IST0116 DeploymentAssociatedToMultipleServices and IST0137 DeploymentConflictingPorts
// (src/validator/rules/analyzer/deployment-services.ts, Istio's deployment.ServiceAssociationAnalyzer).
import { validateManifests, type Finding } from '../../../../src/validator';

const IDS = ['analyzer/deployment-multiple-services', 'analyzer/deployment-conflicting-ports'];
const ns = (name: string, injected: boolean) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(injected ? { labels: { 'istio-injection': 'enabled' } } : {}) } });
const deployment = (name: string, namespace: string, template: { labels?: object; annotations?: object } = {}) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: 'details' } },
    template: { metadata: { labels: { app: 'details', ...template.labels }, ...(template.annotations ? { annotations: template.annotations } : {}) }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
  },
});
const svc = (name: string, namespace: string, ports: object[], selector: object = { app: 'details' }) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, ports } });
const found = (objs: unknown[]): Finding[] => validateManifests(objs).findings.filter(f => IDS.includes(f.ruleId));
const show = (fs: Finding[]) => fs.map(f => `${f.severity} ${f.ruleId} ${f.object.namespace}/${f.object.name}: ${f.message}`);

describe('analyzer/deployment-multiple-services (IST0116) and analyzer/deployment-conflicting-ports (IST0137)', () => {
  test('fails: two Services give port 9080 TCP and UDP (IST0116); two Services reach targetPort 9080 from 9080 and 9090 (IST0137)', () => {
    const fs = found([
      ns('bookinfo', true),
      deployment('details', 'bookinfo'),
      svc('details-tcp', 'bookinfo', [{ name: 'tcp', port: 9080 }]),
      svc('details-udp', 'bookinfo', [{ name: 'udp', port: 9080, protocol: 'UDP' }]),
      svc('details-alt', 'bookinfo', [{ name: 'http-alt', port: 9090, targetPort: 9080 }]),
    ]);
    expect(show(fs)).toEqual([
      'warning analyzer/deployment-multiple-services bookinfo/details: IST0116 This deployment details is associated with multiple services using port 9080 but different protocols: [bookinfo/details-tcp bookinfo/details-udp]',
      'warning analyzer/deployment-conflicting-ports bookinfo/details: IST0137 This deployment details is associated with multiple services [bookinfo/details-alt bookinfo/details-udp] using targetPort "9080" but different ports: [9080 9090].',
    ]);
    expect(fs.every(f => f.field === 'metadata.name')).toBe(true);
  });

  test('a note when the Namespace (and so whether the Deployment is in the mesh) is not in the input', () => {
    const fs = found([deployment('details', 'elsewhere'), svc('a', 'elsewhere', [{ name: 'tcp', port: 80 }]), svc('b', 'elsewhere', [{ name: 'udp', port: 80, protocol: 'UDP' }])]);
    expect(show(fs)).toEqual([
      'note analyzer/deployment-multiple-services elsewhere/details: IST0116 This deployment details is associated with multiple services using port 80 but different protocols: [elsewhere/a elsewhere/b]. Could not check whether the Deployment is in the mesh (no istio-proxy container, no sidecar.istio.io/inject label or annotation on its pod template, Namespace elsewhere not in the input): Istio reports this only for a Deployment in the mesh.',
    ]);
  });

  test('passes: outside the mesh (namespace not injected, inject annotation "false"), Services of another namespace or without selector, distinct ports', () => {
    const conflicting = (namespace: string) => [svc('a', namespace, [{ name: 'tcp', port: 80 }]), svc('b', namespace, [{ name: 'udp', port: 80, protocol: 'UDP' }])];
    expect(found([ns('plain', false), deployment('details', 'plain'), ...conflicting('plain')])).toEqual([]);
    expect(found([ns('mesh', true), deployment('details', 'mesh', { annotations: { 'sidecar.istio.io/inject': 'false' } }), ...conflicting('mesh')])).toEqual([]);
    expect(found([ns('mesh', true), ns('other', true), deployment('details', 'mesh'), ...conflicting('other'), svc('c', 'mesh', [{ name: 'tcp', port: 80 }], {})])).toEqual([]);
    expect(found([ns('mesh', true), deployment('details', 'mesh'), svc('a', 'mesh', [{ name: 'http', port: 80 }]), svc('b', 'mesh', [{ name: 'http', port: 81 }])])).toEqual([]);
  });
});
