import { EgressGateway } from '../../src';

describe('EgressGateway', () => {
  test("defaults describe Istio's istio-egressgateway in istio-system", () => {
    // WHEN
    const gw = EgressGateway.fromAttributes();
    // THEN
    expect(gw.namespace).toBe('istio-system');
    expect(gw.serviceName).toBe('istio-egressgateway');
    expect(gw.host).toBe('istio-egressgateway.istio-system.svc.cluster.local');
    expect(gw.podLabels).toEqual({ istio: 'egressgateway' });
    expect(gw.ports).toEqual([{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }]);
    expect(gw.clusterDomain).toBe('cluster.local');
    expect(gw.hasPort(80)).toBe(true);
    expect(gw.hasPort(8080)).toBe(false);
  });

  test('describes a gateway installed with the Helm chart under another name', () => {
    // WHEN
    const gw = EgressGateway.fromAttributes({
      namespace: 'egress',
      serviceName: 'egress-gw',
      podLabels: { istio: 'egress-gw' },
      ports: [{ port: 443, name: 'tls' }, { port: 8443, targetPort: 9443 }],
      clusterDomain: 'corp.local',
    });
    // THEN
    expect(gw.host).toBe('egress-gw.egress.svc.corp.local');
    expect(gw.podLabels).toEqual({ istio: 'egress-gw' });
    expect(gw.ports).toEqual([{ name: 'tls', port: 443, targetPort: 443 }, { port: 8443, targetPort: 9443 }]);
    expect(gw.portNumbers).toEqual([443, 8443]);
  });

  test('keeps its own copy of the pod labels', () => {
    // GIVEN
    const labels: Record<string, string> = { istio: 'egressgateway' };
    // WHEN
    const gw = EgressGateway.fromAttributes({ podLabels: labels });
    labels.istio = 'changed';
    // THEN
    expect(gw.podLabels).toEqual({ istio: 'egressgateway' });
  });

  describe('refuses bad attributes', () => {
    test.each([
      ['null attributes', null, /EgressGateway.fromAttributes: attributes must be an object \(got null\)/],
      ['a bad namespace', { namespace: 'Istio_System' }, /'namespace' must be a Kubernetes namespace name .*\(got "Istio_System"\)/],
      ['a Service name with dots', { serviceName: 'istio.egressgateway' }, /'serviceName' must be a Service name .*\(got "istio.egressgateway"\)/],
      ['empty pod labels', { podLabels: {} }, /'podLabels' must contain at least one label: an empty selector selects every workload/],
      ['a bad label key', { podLabels: { 'bad key': 'x' } }, /'podLabels' has an invalid label key "bad key"/],
      ['no ports', { ports: [] }, /'ports' must list at least one port of the gateway's Service \(got \[\]\)/],
      ['a port out of range', { ports: [{ port: 70000 }] }, /'ports\[0\].port' must be an integer from 1 to 65535 \(got 70000\)/],
      ['a target port out of range', { ports: [{ port: 80, targetPort: 0 }] }, /'ports\[0\].targetPort' must be an integer from 1 to 65535 \(got 0\)/],
      ['one port twice', { ports: [{ port: 80 }, { port: 80 }] }, /'ports\[1\].port' must be unique: the Service already has port 80/],
      ['one port name twice', { ports: [{ port: 80, name: 'http' }, { port: 81, name: 'http' }] }, /'ports\[1\].name' must be unique: the Service already has a port named "http"/],
      ['a bad port name', { ports: [{ port: 80, name: 'HTTP' }] }, /'ports\[0\].name' must be a port name .*\(got "HTTP"\)/],
      ['a bad cluster domain', { clusterDomain: 'https://cluster.local' }, /'clusterDomain' must be a host name, not a URL/],
    ])('fails when given %s', (_what, attrs, message) => {
      expect(() => EgressGateway.fromAttributes(attrs as any)).toThrow(message);
    });
  });
});
