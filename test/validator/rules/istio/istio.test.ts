import { validateManifests, type Finding, type ValidationReport } from '../../../../src/validator';
import { expectFinding, find, mtlsTls, mutated, MUTUAL_DR } from '../../../support/validator-seed';
import { budget } from '../../../support/budget';

/**
 * Istio webhook rules and analyzers for ServiceEntry, DestinationRule and Sidecar (src/validator/rules/istio/*.ts):
 * one failing and one passing input per rule family, and the cases of issue 7 ("Validator parity with Istio itself").
 */
const meta = (name = 'x') => ({ name, namespace: 'default' });
const se = (spec: any, metadata: any = meta()) => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata, spec });
const dr = (spec: any, metadata: any = meta()) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata, spec });
const sidecar = (spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: meta(), spec });
const CA = '/etc/ssl/certs/ca-certificates.crt';
/** A DestinationRule that verifies the server, with the given traffic policy merged in. */
const drWith = (trafficPolicy: any, extra: any = {}) => dr({ host: 'api.example.com', trafficPolicy, ...extra });
const SELECTOR = { workloadSelector: { matchLabels: { app: 'sleep' } } };
const HTTPS_SE = { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' };

function findings(obj: any, rule: string): Finding[] {
  return validateManifests([obj]).findings.filter(f => f.ruleId === rule);
}
function expectError(obj: any, rule: string, message: RegExp, field?: string): Finding {
  const r: ValidationReport = validateManifests([obj]);
  const f = r.errors.find(x => x.ruleId === rule && message.test(x.message) && (field === undefined || x.field === field));
  if (!f) throw new Error(`expected error ${rule} ${message}; got ${JSON.stringify(r.findings.map(x => [x.severity, x.ruleId, x.field, x.message]), null, 1)}`);
  return f;
}
function expectWarning(obj: any, rule: string, message: RegExp, severity: 'warning' | 'note' = 'warning'): Finding {
  const r = validateManifests([obj]);
  expect(r.errors.filter(x => x.ruleId.startsWith('istio/'))).toEqual([]);
  const f = r.findings.find(x => x.severity === severity && x.ruleId === rule && message.test(x.message));
  if (!f) throw new Error(`expected ${severity} ${rule} ${message}; got ${JSON.stringify(r.findings.map(x => [x.severity, x.ruleId, x.message]), null, 1)}`);
  return f;
}
function expectClean(obj: any, prefix = 'istio/') {
  expect(validateManifests([obj]).findings.filter(f => f.ruleId.startsWith(prefix)).map(f => `${f.severity} ${f.ruleId} ${f.field}: ${f.message}`)).toEqual([]);
}

describe('issue 7: Istio rejects, the validator passed', () => {
  test.each([
    ['SIMPLE', { subjectAltNames: ['api.example.com'] }, /cannot specify CaCertificates or CredentialName or SubjectAltNames/],
    ['SIMPLE', { caCertificates: CA }, /cannot specify CaCertificates or CredentialName or SubjectAltNames/],
    ['SIMPLE', { credentialName: 'cred' }, /cannot specify CaCertificates or CredentialName or SubjectAltNames/],
    ['MUTUAL', { subjectAltNames: ['api.example.com'], credentialName: 'cred' }, /cannot specify CaCertificates or SubjectAltNames/],
    ['MUTUAL', { caCertificates: CA, clientCertificate: '/c.pem', privateKey: '/k.pem' }, /cannot specify CaCertificates or SubjectAltNames/],
  ])('fails when insecureSkipVerify is true with mode %s and %j', (mode, extra, message) => {
    // GIVEN insecureSkipVerify together with a way to verify the server
    const obj = drWith({ tls: { mode, insecureSkipVerify: true, ...extra } }, SELECTOR);
    // THEN Istio's ValidateTLS message
    expectError(obj, 'istio/tls-settings', message, 'spec.trafficPolicy.tls.insecureSkipVerify');
  });
  test('passes when insecureSkipVerify is true with MUTUAL and only a credentialName', () => {
    expectClean(drWith({ tls: { mode: 'MUTUAL', insecureSkipVerify: true, credentialName: 'cred' } }, SELECTOR));
  });
  test('fails when a DestinationRule has exportTo ["~"]', () => {
    expectError(drWith({ tls: { mode: 'SIMPLE', caCertificates: CA } }, { exportTo: ['~'] }), 'istio/export-to', /exportTo ~ \(none\) is not allowed for Istio configuration objects/);
    // a ServiceEntry may hide itself
    expectClean(se({ ...HTTPS_SE, exportTo: ['~'] }));
  });
  test('fails when trafficPolicy is empty', () => {
    expectError(drWith({}), 'istio/traffic-policy', /traffic policy must have at least one field/, 'spec.trafficPolicy');
  });
  test('fails when a port-level entry has only a port', () => {
    expectError(drWith({ portLevelSettings: [{ port: { number: 443 } }] }), 'istio/port-level-settings', /port traffic policy must have at least one field/);
  });
  test('fails when a port-level entry has no port', () => {
    expectError(drWith({ portLevelSettings: [{ tls: { mode: 'SIMPLE', caCertificates: CA } }] }), 'istio/port-level-settings', /portTrafficPolicy must have valid port/);
  });
  test.each(['v1.0', 'a_b', 'x'.repeat(64)])('fails when the subset name %s is not a DNS label', (name) => {
    const f = expectError(dr({ host: 'api.example.com', subsets: [{ name }] }), 'istio/dr-subsets', /subset name is invalid|subset name/);
    expect(f.field).toBe('spec.subsets[0].name');
  });
  test('passes with a DNS-label subset name (upper case is a DNS label for Istio)', () => {
    expectClean(dr({ host: 'api.example.com', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'V2' }] }));
  });
  test.each(['1500us', '1.5ms', '1000001ns'])('fails when a duration is finer than a millisecond: %s', (d) => {
    expectError(drWith({ connectionPool: { tcp: { connectTimeout: d } } }), 'istio/connection-pool', /only durations to ms precision are supported/);
    expectError(drWith({ outlierDetection: { interval: d } }), 'istio/outlier-detection', /only durations to ms precision are supported/);
  });
  test('passes whole-millisecond durations in any unit', () => {
    expectClean(drWith({ connectionPool: { tcp: { connectTimeout: '1500ms', idleTimeout: '0s', maxConnectionDuration: '1h2m' } }, outlierDetection: { interval: '2000000us', baseEjectionTime: '30s' } }));
  });
  test.each([
    [{ 'bad key!': 'v' }, /invalid tag key: "bad key!"/],
    [{ 'example.com/': 'v' }, /invalid tag key/],
    [{ version: 'not valid' }, /invalid tag value: "not valid"/],
    [{ version: '-v1' }, /invalid tag value/],
  ])('fails when subset labels %j are not valid', (labels, message) => {
    expectError(dr({ host: 'api.example.com', subsets: [{ name: 'v1', labels }] }), 'istio/dr-subsets', message, 'spec.subsets[0].labels');
  });
  test('fails when ServiceEntry endpoint labels are not valid', () => {
    expectError(se({ ...HTTPS_SE, endpoints: [{ address: 'a.example.com', labels: { 'k/v/w': 'x' } }] }), 'istio/se-endpoints', /invalid tag key/);
  });
  test('passes valid label keys with a DNS prefix', () => {
    expectClean(dr({ host: 'api.example.com', subsets: [{ name: 'v1', labels: { 'app.kubernetes.io/version': 'v1.2_3', 'empty': '' } }] }));
  });
});

describe('issue 7: Istio warns, the validator was silent', () => {
  test('IST0129: port-level SIMPLE without a CA source is a note with the analyzer text and what Istio 1.24+ does', () => {
    // GIVEN the seed's own DestinationRule (SIMPLE on port 80, no caCertificates: the OS root CAs verify the server)
    const obj = dr({ host: 'edition.cnn.com', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] } }, meta('edition-cnn-com'));
    // THEN Istio's analyzer message, as a note that says the OS root CAs verify the server
    const f = expectWarning(obj, 'istio/tls-ca-certificates', /^IST0129: /, 'note');
    expect(f.message).toBe('IST0129: DestinationRule default/edition-cnn-com in namespace default has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: edition.cnn.com at port number:80: since Istio 1.24 an empty caCertificates means that the proxy verifies the server certificate against its OS root CAs (istioctl analyze still reports this as a warning that the certificate is not verified)');
    expect(f.field).toBe('spec.trafficPolicy.portLevelSettings[0].tls.caCertificates');
  });
  test('IST0128: top-level MUTUAL without caCertificates is a note', () => {
    const f = expectWarning(drWith({ tls: { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem' } }), 'istio/tls-ca-certificates', /^IST0128: /, 'note');
    expect(f.message).toMatch(/has TLS mode set to MUTUAL but no caCertificates are set to validate server identity for host: api.example.com: since Istio 1.24 an empty caCertificates means that the proxy verifies the server certificate against its OS root CAs/);
  });
  test('no IST0128/IST0129 with caCertificates, or with credentialName and a workloadSelector', () => {
    expect(findings(drWith({ tls: { mode: 'SIMPLE', caCertificates: CA } }), 'istio/tls-ca-certificates')).toEqual([]);
    expect(findings(drWith({ portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL', credentialName: 'cred' } }] }, SELECTOR), 'istio/tls-ca-certificates')).toEqual([]);
  });
  test('IST0134: resolution NONE with a TCP or unset-protocol port and no addresses warns', () => {
    const spec = { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }, { number: 6379, name: 'redis' }], resolution: 'NONE' };
    const ws = validateManifests([se(spec)]).warnings.filter(f => f.ruleId === 'istio/se-addresses');
    expect(ws.map(w => w.field)).toEqual(['spec.ports[0]', 'spec.ports[1]']);
    expect(ws[0].message).toMatch(/addresses are required for ports serving TCP \(or unset\) protocol.*IST0134/);
  });
  test('no IST0134 with addresses, with DNS resolution (auto-allocated) or with HTTP ports', () => {
    const base = { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }] };
    expect(findings(se({ ...base, resolution: 'NONE', addresses: ['240.0.0.1'] }), 'istio/se-addresses')).toEqual([]);
    expect(findings(se({ ...base, resolution: 'DNS' }), 'istio/se-addresses')).toEqual([]);
    expect(findings(se({ ...HTTPS_SE, resolution: 'NONE' }), 'istio/se-addresses')).toEqual([]);
  });
  test('DNS resolution warns when auto-allocation is switched off by label', () => {
    const obj = se({ hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], resolution: 'DNS' },
      { ...meta(), labels: { 'networking.istio.io/enable-autoallocate-ip': 'false' } });
    expectWarning(obj, 'istio/se-addresses', /addresses are required/);
  });
});

describe('issue 7: sni', () => {
  test('fails when sni contains a space', () => {
    expectError(drWith({ tls: { mode: 'SIMPLE', caCertificates: CA, sni: 'api example.com' } }), 'istio/tls-sni', /is not a DNS host name/, 'spec.trafficPolicy.tls.sni');
  });
  test('warns when sni is an IP address', () => {
    expectWarning(drWith({ tls: { mode: 'SIMPLE', caCertificates: CA, sni: '10.0.0.1' } }), 'istio/tls-sni', /is an IP address/);
  });
  test('passes a host name', () => {
    expectClean(drWith({ tls: { mode: 'SIMPLE', caCertificates: CA, sni: 'api.example.com' } }));
  });
});

describe('rule families: one failing, one passing input each', () => {
  const cases: Array<[string, any, RegExp, any]> = [
    ['istio/se-host', se({ ...HTTPS_SE, hosts: ['1.2.3.4'] }), /top level domain "4" cannot be all-numeric/, se(HTTPS_SE)],
    ['istio/se-ports', se({ ...HTTPS_SE, ports: [{ number: 443, name: 'https', protocol: 'HTTPX' }] }), /unsupported protocol: HTTPX/, se(HTTPS_SE)],
    ['istio/se-resolution', se({ ...HTTPS_SE, hosts: ['*.example.com'] }), /hosts must be FQDN or contain only prefix wildcards/, se({ ...HTTPS_SE, hosts: ['*.example.com'], resolution: 'NONE' })],
    ['istio/se-endpoints', se({ ...HTTPS_SE, resolution: 'STATIC', endpoints: [{ address: 'api.example.com' }] }), /is not a valid IP address/, se({ ...HTTPS_SE, resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] })],
    ['istio/se-addresses', se({ ...HTTPS_SE, resolution: 'NONE', addresses: ['10.0.0.0/33'] }), /is not a valid CIDR block/, se({ ...HTTPS_SE, resolution: 'NONE', addresses: ['10.0.0.0/8'] })],
    ['istio/se-workload-selector', se({ ...HTTPS_SE, resolution: 'STATIC', workloadSelector: { labels: { app: 'web*' } } }), /wildcard is not supported in selector/, se({ ...HTTPS_SE, resolution: 'STATIC', workloadSelector: { labels: { app: 'web' } } })],
    ['istio/dr-host', dr({ host: 'api.*.com', trafficPolicy: { tls: { mode: 'SIMPLE', caCertificates: CA } } }), /invalid \(label "\*" invalid\)/, drWith({ tls: { mode: 'SIMPLE', caCertificates: CA } })],
    ['istio/dr-subsets', dr({ host: 'a.example.com', subsets: [{ name: 'v1' }, { name: 'v1' }] }), /duplicate subset names: v1/, dr({ host: 'a.example.com', subsets: [{ name: 'v1' }, { name: 'v2' }] })],
    ['istio/dr-workload-selector', drWith({ tls: { mode: 'SIMPLE', caCertificates: CA } }, { workloadSelector: { matchLabels: { app: '*' } } }), /wildcard is not supported in selector/, drWith({ tls: { mode: 'SIMPLE', caCertificates: CA } }, SELECTOR)],
    ['istio/traffic-policy', drWith({ tunnel: { targetHost: 'proxy.example.com', targetPort: 3128 }, proxyProtocol: { version: 'V1' } }), /tunnel and proxyProtocol must not be set together/, drWith({ tunnel: { targetHost: 'proxy.example.com', targetPort: 3128 } })],
    ['istio/tls-settings', drWith({ tls: { mode: 'MUTUAL', caCertificates: CA } }), /client certificate required for mutual tls/, drWith({ tls: { mode: 'MUTUAL', caCertificates: CA, clientCertificate: '/c.pem', privateKey: '/k.pem' } })],
    ['istio/load-balancer', drWith({ loadBalancer: { consistentHash: { maglev: { tableSize: 1000 } } } }), /tableSize must be a prime number for maglev/, drWith({ loadBalancer: { consistentHash: { maglev: { tableSize: 65537 } } } })],
    ['istio/locality-lb', drWith({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us/*', to: { 'us/a': 60, 'us/b': 30 } }] } } }), /total locality weight 90 != 100/, drWith({ loadBalancer: { localityLbSetting: { distribute: [{ from: 'us/*', to: { 'us/a': 70, 'us/b': 30 } }] } } })],
    ['istio/outlier-detection', drWith({ outlierDetection: { maxEjectionPercent: 101 } }), /percentage 101 is not in range 0..100/, drWith({ outlierDetection: { maxEjectionPercent: 100 } })],
    ['istio/connection-pool', drWith({ connectionPool: { tcp: { maxConnections: -1 } } }), /max connections must be non-negative/, drWith({ connectionPool: { tcp: { maxConnections: 100 } } })],
    ['istio/sidecar', sidecar({}), /sidecar: empty configuration provided/, sidecar({ egress: [{ hosts: ['./*', 'istio-system/*'] }] })],
    ['istio/sidecar-egress', sidecar({ egress: [{ hosts: ['api.example.com'] }] }), /host must be of form namespace\/dnsName/, sidecar({ egress: [{ hosts: ['*/api.example.com'] }] })],
    ['istio/sidecar-ingress', sidecar({ ingress: [{ port: { number: 80, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '10.0.0.1:8080' }] }), /defaultEndpoint must be of form/, sidecar({ ingress: [{ port: { number: 80, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:8080' }] })],
    ['istio/sidecar-outbound-traffic-policy', sidecar({ outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: { host: 'proxy.example.com', port: { number: 3128 } } } }), /egress_proxy must be set only with ALLOW_ANY/, sidecar({ outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'proxy.example.com', port: { number: 3128 } } } })],
    ['istio/sidecar-workload-selector', sidecar({ workloadSelector: { labels: { '': 'x' } }, egress: [{ hosts: ['./*'] }] }), /empty key is not supported in selector/, sidecar({ workloadSelector: { labels: { app: 'x' } }, egress: [{ hosts: ['./*'] }] })],
    ['istio/metadata', se(HTTPS_SE, { ...meta(), annotations: { 'istio.io/dry-run': 'true' } }), /unsupported annotation istio.io\/dry-run/, se(HTTPS_SE, { ...meta(), annotations: { 'example.com/a': 'b' } })],
  ];
  test.each(cases)('%s: fails on the bad input, passes the good one', (rule, bad, message, good) => {
    expectError(bad, rule, message);
    expectClean(good);
  });
  test('the Service exportTo annotation allows "~"', () => {
    const svc = (v: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { ...meta(), annotations: { 'networking.istio.io/exportTo': v } }, spec: { ports: [{ port: 80 }] } });
    expect(findings(svc('~'), 'istio/export-to')).toEqual([]);
    expect(findings(svc('~,ns1'), 'istio/export-to').map(f => f.message)).toEqual(['cannot export service entry to no one (~) and someone']);
  });
});

describe('performance', () => {
  test('validation stays linear: 2,000 DestinationRules with every family set', () => {
    // GIVEN many DestinationRules exercising traffic policy, TLS, load balancer, locality and subsets
    const objs = Array.from({ length: 2000 }, (_, i) => drWith({
      connectionPool: { tcp: { maxConnections: 10, connectTimeout: '1s' }, http: { idleTimeout: '30s' } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
      loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { distribute: [{ from: 'us/*', to: { 'us/a': 50, 'us/b': 50 } }] } },
      tls: { mode: 'SIMPLE', caCertificates: CA, sni: `api${i}.example.com` },
    }, { host: `api${i}.example.com`, subsets: [{ name: 'v1', labels: { version: 'v1' } }] }));
    // WHEN validated
    const t0 = Date.now();
    const r = validateManifests(objs.map((o, i) => ({ ...o, metadata: meta(`dr-${i}`) })));
    // THEN no findings, in well under the time a cluster round trip takes (generous bound for a shared 2-core machine)
    expect(r.findings.filter((f) => !f.ruleId.startsWith('analyzer/'))).toEqual([]); // the hosts are not in the output: IST0174 warnings
    expect(Date.now() - t0).toBeLessThan(budget(20000));
  });
});

// On the seed of the Egress TLS Origination task, mutated (moved from test/validator/validator.test.ts).
describe('Istio semantics', () => {
  test('ServiceEntry hosts: IP address, invalid name', () => {
    const r = mutated(objs => { find(objs, 'ServiceEntry', 'edition-cnn-com').spec.hosts = ['1.2.3.4', 'bad_host.example.com']; });
    expectFinding(r, 'istio/se-host', 'spec.hosts[0]');
    expectFinding(r, 'istio/se-host', 'spec.hosts[1]');
  });
  test('ServiceEntry ports unique by name, valid protocol', () => {
    const r = mutated(objs => {
      const se = find(objs, 'ServiceEntry', 'edition-cnn-com');
      se.spec.ports[1].name = 'http-port';
      se.spec.ports[0].protocol = 'HTTPX';
    });
    expectFinding(r, 'istio/se-ports', 'spec.ports[1].name');
    expectFinding(r, 'istio/se-ports', 'spec.ports[0].protocol');
  });
  test('resolution DNS with a wildcard host', () => {
    const r = mutated(objs => { find(objs, 'ServiceEntry', 'edition-cnn-com').spec.hosts = ['*.cnn.com']; find(objs, 'DestinationRule', 'edition-cnn-com').spec.host = '*.cnn.com'; });
    expectFinding(r, 'istio/se-resolution', 'spec.hosts[0]');
  });
  test('resolution STATIC without endpoints; CIDR with DNS', () => {
    const r = mutated(objs => {
      find(objs, 'ServiceEntry', 'edition-cnn-com').spec.resolution = 'STATIC';
      find(objs, 'ServiceEntry', MUTUAL_DR).spec.addresses = ['10.0.0.0/8'];
    });
    // Istio accepts STATIC without endpoints; the host then has no endpoints: a warning
    expectFinding(r, 'istio/se-resolution', 'spec.resolution', 'warning');
    expectFinding(r, 'istio/se-resolution', 'spec.addresses');
  });
  test('DestinationRule host', () => {
    const r = mutated(objs => { find(objs, 'DestinationRule', 'edition-cnn-com').spec.host = 'edition.cnn.com/x'; });
    expectFinding(r, 'istio/dr-host', 'spec.host');
  });
  test('TLS: MUTUAL without credentials', () => {
    const r = mutated(objs => { delete mtlsTls(objs).credentialName; });
    expectFinding(r, 'istio/tls-settings', 'spec.trafficPolicy.portLevelSettings[0].tls.clientCertificate');
    expectFinding(r, 'istio/tls-settings', 'spec.trafficPolicy.portLevelSettings[0].tls.privateKey');
  });
  test('TLS: credentialName together with file certificates', () => {
    const r = mutated(objs => { Object.assign(mtlsTls(objs), { clientCertificate: '/etc/certs/c.pem', caCertificates: '/etc/certs/ca.pem' }); });
    expectFinding(r, 'istio/tls-settings', 'spec.trafficPolicy.portLevelSettings[0].tls.clientCertificate');
    expectFinding(r, 'istio/tls-settings', 'spec.trafficPolicy.portLevelSettings[0].tls.caCertificates');
  });
  test('TLS: certificates with ISTIO_MUTUAL are ignored (warning)', () => {
    const r = mutated(objs => { mtlsTls(objs).mode = 'ISTIO_MUTUAL'; });
    expectFinding(r, 'istio/tls-settings', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName', 'warning');
  });
  test('credentialName without workloadSelector (the silent trap): an error where a mesh route of the input sends sidecar traffic to the host', () => {
    // GIVEN the DestinationRule without workloadSelector and a VirtualService routing the sidecars to its host
    const r = mutated(objs => {
      delete find(objs, 'DestinationRule', MUTUAL_DR).spec.workloadSelector;
      objs.push({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'nginx', namespace: 'default' },
        spec: { hosts: ['my-nginx.mesh-external.svc.cluster.local'], http: [{ route: [{ destination: { host: 'my-nginx.mesh-external.svc.cluster.local', port: { number: 80 } } }] }] } });
    });
    const f = expectFinding(r, 'istio/credential-without-selector', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    expect(f.message).toBe('credentialName "client-credential" on a DestinationRule without workloadSelector: sidecars ignore credentialName (only gateways read it), and a mesh route of the input sends sidecar traffic to host my-nginx.mesh-external.svc.cluster.local, which leaves without the client certificate');
  });
  test('credentialName without workloadSelector: an HTTPRoute attached to the ServiceEntry (a mesh route) sending to the host is an error too', () => {
    const r = mutated(objs => {
      delete find(objs, 'DestinationRule', MUTUAL_DR).spec.workloadSelector;
      objs.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'nginx', namespace: 'default' },
        spec: { parentRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: MUTUAL_DR }], rules: [{ backendRefs: [{ kind: 'Hostname', group: 'networking.istio.io', name: 'my-nginx.mesh-external.svc.cluster.local', port: 80 }] }] } });
    });
    expectFinding(r, 'istio/credential-without-selector', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
  });
  test('credentialName without workloadSelector, nothing in the input routing to the host: a warning (a gateway routed by another file may read it)', () => {
    const r = mutated(objs => { delete find(objs, 'DestinationRule', MUTUAL_DR).spec.workloadSelector; });
    const f = expectFinding(r, 'istio/credential-without-selector', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName', 'warning');
    expect(f.message).toBe('could not check which proxy reads credentialName "client-credential" of this DestinationRule without workloadSelector: the routes to host my-nginx.mesh-external.svc.cluster.local are not in the input (none from a Gateway, which reads credentialName, nor from sidecars, which ignore it and send their traffic without the client certificate)');
    expect(r.errors.filter(e => e.ruleId === 'istio/credential-without-selector')).toEqual([]);
  });
  test('portLevelSettings port not on the ServiceEntry of the host', () => {
    const r = mutated(objs => { find(objs, 'DestinationRule', 'edition-cnn-com').spec.trafficPolicy.portLevelSettings[0].port.number = 8080; });
    expectFinding(r, 'istio/port-level-settings', 'spec.trafficPolicy.portLevelSettings[0].port.number');
  });
  test('exportTo values', () => {
    const r = mutated(objs => {
      find(objs, 'ServiceEntry', 'edition-cnn-com').spec.exportTo = ['.', '*'];
      find(objs, 'DestinationRule', 'edition-cnn-com').spec.exportTo = ['Bad_NS'];
      find(objs, 'DestinationRule', MUTUAL_DR).spec.exportTo = ['*'];
    });
    expect(r.findings.filter(f => f.ruleId === 'istio/export-to' && f.field === 'spec.exportTo').map(f => f.object.name).sort())
      .toEqual(['edition-cnn-com', 'edition-cnn-com', MUTUAL_DR].sort());
  });
  test('networking.istio.io/exportTo annotation on Services', () => {
    const r = mutated(objs => { find(objs, 'Service', 'my-nginx').metadata.annotations['networking.istio.io/exportTo'] = '.,*'; });
    expectFinding(r, 'istio/export-to', 'metadata.annotations["networking.istio.io/exportTo"]');
  });
});
