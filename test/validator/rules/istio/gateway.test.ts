// Istio's webhook rules for Gateway (istio/gw-*, src/validator/rules/istio/gateway.ts): a failing and a passing input per rule.
import { expectClean, expectFinding, gateway, istio, ok } from '../../../support/istio-gw-vs';

describe('Gateway (ValidateGateway)', () => {
  test('a valid egress gateway passes', () => {
    // GIVEN an HTTPS server with credentialName and a plain HTTP server that redirects
    const gw = gateway({ servers: [ok, { hosts: ['foo.example.com'], port: { number: 80, name: 'http', protocol: 'HTTP' }, tls: { httpsRedirect: true } }] });
    // THEN nothing is reported
    expectClean(gw);
  });

  test('fails when the Gateway name has dots', () => {
    const f = expectFinding(gateway({ servers: [ok] }, 'egress.gateway'), 'istio/gw-name', 'invalid gateway name: "egress.gateway"');
    expect(f.field).toBe('metadata.name');
  });

  test('fails when there are no servers or port names repeat', () => {
    expectFinding(gateway({}), 'istio/gw-servers', 'gateway must have at least one server');
    const f = expectFinding(gateway({ servers: [ok, { ...ok, port: { number: 8443, name: 'https', protocol: 'HTTPS' } }] }), 'istio/gw-servers',
      'port names in servers must be unique: duplicate name https');
    expect(f.field).toBe('spec.servers[1].port.name');
  });

  test('warns when httpsRedirect is set on a non-HTTP server', () => {
    expectFinding(gateway({ servers: [{ ...ok, tls: { ...ok.tls, httpsRedirect: true } }] }), 'istio/gw-servers', 'tls.httpsRedirect should only be used with http servers', 'warning');
  });

  test.each([
    ['foo', 'short names (non FQDN) are not allowed'],
    ['*bar.com', 'partial wildcard "*bar.com" not allowed'],
    ['foo.*.com', 'domain name "*.com" invalid'],
    ['~/foo.example.com', 'invalid namespace value "~" in gateway'],
    ['/foo.example.com', 'config namespace and dnsName in host entry cannot be empty'],
  ])('fails when a server host is %s', (host, message) => {
    const f = expectFinding(gateway({ servers: [{ ...ok, hosts: [host] }] }), 'istio/gw-server-hosts', message);
    expect(f.field).toBe('spec.servers[0].hosts[0]');
  });

  test.each(['foo.example.com', '*.example.com', '*', 'ns1/foo.example.com', './foo.example.com', '*/foo.example.com', '10.0.0.1'])('accepts server host %s', host => {
    expectClean(gateway({ servers: [{ ...ok, hosts: [host] }] }));
  });

  test('accepts "~/" hosts on Gateways converted from the Gateway API', () => {
    const gw = gateway({ servers: [{ ...ok, hosts: ['~/foo.example.com'] }] });
    gw.metadata.annotations = { 'internal.istio.io/gateway-semantics': 'gateway' };
    expect(istio(gw)).toEqual([]);
  });

  test('fails when a port or bind is bad', () => {
    const server = (port: any, bind?: string) => gateway({ servers: [{ hosts: ['foo.example.com'], port, ...(bind ? { bind } : {}) }] });
    expectFinding(server({ number: 80, name: 'x', protocol: 'kafka' }), 'istio/gw-server-port', 'invalid protocol "kafka"');
    expectFinding(server({ number: 66000, name: 'x', protocol: 'HTTP' }), 'istio/gw-server-port', 'port number 66000 must be in the range 1..65535');
    expectFinding(server({ number: 80, name: 'x', protocol: 'HTTP', targetPort: 8080 }), 'istio/gw-server-port', 'targetPort has no impact on Gateways');
    expectFinding(server({ number: 80, name: '', protocol: 'HTTP' }), 'istio/gw-server-port', 'port name must be set');
    expectFinding(server({ number: 80, name: 'x', protocol: 'HTTP' }, 'foo.bar'), 'istio/gw-server-port', 'foo.bar is not a valid IP');
    expectFinding(server({ number: 80, name: 'x', protocol: 'HTTP' }, 'unix://@sock'), 'istio/gw-server-port', 'port number must be 0 for unix domain socket');
    expectFinding(server({ number: 0, name: 'x', protocol: 'HTTP' }, 'unix://relative'), 'istio/gw-server-port', 'relative is not an absolute path to a file');
    expect(istio(server({ number: 0, name: 'x', protocol: 'HTTP' }, 'unix://@sock'))).toEqual([]);
    expect(istio(server({ number: 80, name: 'x', protocol: 'HTTP' }, '127.0.0.1'))).toEqual([]);
  });

  test('fails when an HTTP server has a TLS mode, or an HTTPS server no TLS', () => {
    // the case: protocol HTTP with tls.mode SIMPLE
    expectFinding(gateway({ servers: [{ ...ok, port: { number: 80, name: 'http', protocol: 'HTTP' } }] }), 'istio/gw-server-tls', 'server cannot have TLS settings for plain text HTTP ports');
    expectFinding(gateway({ servers: [{ ...ok, port: { number: 9000, name: 'tcp', protocol: 'TCP' } }] }), 'istio/gw-server-tls', 'server cannot have TLS settings for non HTTPS/TLS ports');
    expectFinding(gateway({ servers: [{ hosts: ok.hosts, port: ok.port }] }), 'istio/gw-server-tls', 'server must have TLS settings for HTTPS/TLS protocols');
  });

  test('fails when TLS settings break the certificate rules of validateTLSOptions', () => {
    const tls = (t: any) => gateway({ servers: [{ ...ok, tls: t }] });
    expectFinding(tls({ mode: 'SIMPLE' }), 'istio/gw-server-tls', 'SIMPLE TLS requires a server certificate');
    expectFinding(tls({ mode: 'MUTUAL', serverCertificate: 'c', privateKey: 'k' }), 'istio/gw-server-tls', 'MUTUAL TLS requires a client CA bundle');
    expectFinding(tls({ mode: 'SIMPLE', credentialName: 'x', serverCertificate: 'c', privateKey: 'k' }), 'istio/gw-server-tls', 'only one of credential_name, credential_names');
    expectFinding(tls({ mode: 'ISTIO_MUTUAL', credentialName: 'x' }), 'istio/gw-server-tls', 'ISTIO_MUTUAL TLS cannot have associated credentialName');
    expectFinding(tls({ mode: 'SIMPLE', serverCertificate: 'c', privateKey: 'k', caCrl: 'crl' }), 'istio/gw-server-tls', 'CRL is not supported with SIMPLE TLS');
    expectFinding(tls({ mode: 'PASSTHROUGH', credentialName: 'x' }), 'istio/gw-server-tls', 'PASSTHROUGH mode does not use certificates', 'warning');
    expectFinding(tls({ ...ok.tls, cipherSuites: ['nope', 'AES128-SHA', 'AES128-SHA'] }), 'istio/gw-server-tls', 'ignoring invalid cipher suites: [nope]', 'warning');
    expectFinding(tls({ ...ok.tls, cipherSuites: ['AES128-SHA', 'AES128-SHA'] }), 'istio/gw-server-tls', 'ignoring duplicate cipher suites: [AES128-SHA]', 'warning');
    expectFinding(tls({ ...ok.tls, minProtocolVersion: 'TLSV1_1' }), 'istio/gw-server-tls', 'TLS version below TLSV1_2', 'warning');
    expect(istio(tls({ mode: 'MUTUAL', serverCertificate: 'c', privateKey: 'k', caCertificates: 'ca' }))).toEqual([]);
  });
});
