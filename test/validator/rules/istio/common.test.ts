import { validateManifests } from '../../../../src/validator';

// Istio's webhook accepts a host or SNI with a trailing dot (agent.ValidateDNS1123Labels allows an empty last
// label); Envoy then matches it to nothing. The validator warns, with the reason, and never errs on it.
const meta = { name: 'x', namespace: 'default' };
const se = (hosts: string[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta, spec: { hosts, ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' } });
const dr = (host: string, sni?: string) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta,
  spec: { host, trafficPolicy: { tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt', ...(sni ? { sni, subjectAltNames: ['edition.cnn.com'] } : {}) } } },
});
const istio = (obj: unknown) => validateManifests([obj]).findings.filter((f) => f.ruleId.startsWith('istio/')).map((f) => [f.severity, f.ruleId, f.field, f.message]);

describe('a host or SNI with a trailing dot', () => {
  test('a ServiceEntry host edition.cnn.com. is a warning that says why, not an error', () => {
    expect(istio(se(['edition.cnn.com.']))).toEqual([[
      'warning', 'istio/se-host', 'spec.hosts[0]',
      'host "edition.cnn.com." ends with \'.\': Istio accepts it, but Envoy compares hosts and server names (SNI) as strings and clients send names without the dot (RFC 6066 forbids it in SNI), so traffic for "edition.cnn.com" does not match it',
    ]]);
  });

  test('10.0.0.1. passes Istio\'s all-numeric top-level-domain check (its last label is empty): a warning too', () => {
    expect(istio(se(['10.0.0.1.'])).map(([sev, rule, , msg]) => [sev, rule, /ends with '\.'/.test(String(msg))])).toEqual([['warning', 'istio/se-host', true]]);
    // and without the dot it is Istio's error
    expect(istio(se(['10.0.0.1'])).map(([sev, rule]) => [sev, rule])).toContainEqual(['error', 'istio/se-host']);
  });

  test('a DestinationRule host and an sni with a trailing dot are warnings', () => {
    expect(istio(dr('edition.cnn.com.')).map(([sev, rule, field]) => [sev, rule, field])).toEqual([['warning', 'istio/dr-host', 'spec.host']]);
    expect(istio(dr('edition.cnn.com', 'edition.cnn.com.')).map(([sev, rule, field, msg]) => [sev, rule, field, /^sni "edition\.cnn\.com\." ends with '\.': Istio accepts it/.test(String(msg))]))
      .toEqual([['warning', 'istio/tls-sni', 'spec.trafficPolicy.tls.sni', true]]);
  });

  test('the same objects without the dot have no finding', () => {
    expect(istio(se(['edition.cnn.com']))).toEqual([]);
    expect(istio(dr('edition.cnn.com', 'edition.cnn.com'))).toEqual([]);
  });
});
