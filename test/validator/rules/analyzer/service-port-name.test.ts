// IST0118 PortNameIsNotUnderNamingConvention and IST0150 ExternalNameServiceTypeInvalidPortName
// (src/validator/rules/analyzer/service-port-name.ts, Istio's service.PortNameAnalyzer).
import { validateManifests, type Finding } from '../../../../src/validator';
import { convertProtocol } from '../../../../src/validator/rules/analyzer/service-port-name';

const IDS = ['analyzer/port-name-convention', 'analyzer/external-name-port-name'];

function svc(name: string, ports: object[], extra: { namespace?: string; type?: string; labels?: object } = {}) {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: extra.namespace ?? 'apps', ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { ...(extra.type ? { type: extra.type, externalName: 'example.com' } : { selector: { app: name } }), ports },
  };
}
const found = (objs: unknown[]): Finding[] => validateManifests(objs).findings.filter(f => IDS.includes(f.ruleId));
const show = (fs: Finding[]) => fs.map(f => `${f.severity} ${f.ruleId} ${f.object.namespace}/${f.object.name} ${f.field}`);

describe('analyzer/port-name-convention (IST0118)', () => {
  test('fails: an unnamed port and a port named foo, one note per port with Istio\'s message', () => {
    const fs = found([svc('web', [{ port: 8080, targetPort: 9090, protocol: 'TCP' }, { name: 'foo', port: 8081, protocol: 'TCP' }])]);
    expect(show(fs)).toEqual(['note analyzer/port-name-convention apps/web spec.ports[0]', 'note analyzer/port-name-convention apps/web spec.ports[1]']);
    expect(fs.map(f => f.message)).toEqual([
      "IST0118 Port name  (port: 8080, targetPort: 9090) doesn't follow the naming convention of Istio port.",
      "IST0118 Port name foo (port: 8081, targetPort: 8081) doesn't follow the naming convention of Istio port.",
    ]);
    expect(fs[1].fix).toBe('Rename port "foo" <protocol>[-<suffix>] (e.g. "http-web", "tcp-db", "https") or set appProtocol, so that Istio need not detect the protocol.');
  });

  test('passes: <protocol>[-suffix] names, appProtocol, UDP, well-known ports, control-plane and gateway-managed Services, kube-system', () => {
    expect(found([
      svc('named', [{ name: 'http-web', port: 80 }, { name: 'GRPC-Web-x', port: 81 }, { name: 'tcp', port: 82 }, { name: 'https', port: 443 }]),
      svc('app-protocol', [{ name: 'web', appProtocol: 'http', port: 80 }, { name: 'h2c', appProtocol: 'kubernetes.io/h2c', port: 81 }]),
      svc('udp', [{ name: 'dns', port: 5353, protocol: 'UDP' }]),
      svc('well-known', [{ port: 53 }, { port: 3306 }]),
      svc('control-plane', [{ port: 8080 }], { labels: { istio: 'ingressgateway' } }),
      svc('managed', [{ name: 'default', port: 80 }], { labels: { 'gateway.istio.io/managed': 'istio.io-gateway-controller' } }),
      svc('system', [{ port: 8080 }], { namespace: 'kube-system' }),
    ])).toEqual([]);
  });

  test('convertProtocol follows kube.ConvertProtocol', () => {
    expect(convertProtocol(80, 'http2-x', 'TCP', undefined)).toBe('HTTP2');
    expect(convertProtocol(80, 'grpc-web', 'TCP', undefined)).toBe('GRPC-Web');
    expect(convertProtocol(80, 'http', 'TCP', 'foo')).toBe('UnsupportedProtocol');
    expect(convertProtocol(27017, 'db', 'TCP', undefined)).toBe('TCP');
    expect(convertProtocol(80, 'x', 'UDP', undefined)).toBe('UDP');
  });
});

describe('analyzer/external-name-port-name (IST0150)', () => {
  test('fails: ExternalName Services with a port named tcp, an unnamed port, a bad name: one warning per Service', () => {
    const fs = found([
      svc('tcp-named', [{ name: 'tcp', port: 443 }], { type: 'ExternalName' }),
      svc('unnamed', [{ port: 443 }, { port: 8443 }], { type: 'ExternalName' }),
    ]);
    expect(show(fs)).toEqual(['warning analyzer/external-name-port-name apps/tcp-named spec.ports[0]', 'warning analyzer/external-name-port-name apps/unnamed spec.ports[0]']);
    expect(fs[0].message).toBe('IST0150 Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly');
  });

  test('passes: an ExternalName Service with a port named https', () => {
    expect(found([svc('ok', [{ name: 'https', port: 443 }], { type: 'ExternalName' })])).toEqual([]);
  });
});
