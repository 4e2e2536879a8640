import { formatFindings, RULES, validateManifests, type Finding } from '../../src/validator';
import { parseDurationNs } from '../../src/validator/rules/istio/gateway-common';
import { headerValueErr } from '../../src/validator/rules/istio/virtual-service';

/** Istio's webhook rules for Gateway and VirtualService (istio/gw-*, istio/vs-*): a failing and a passing input per family. */

const ok = { hosts: ['foo.example.com'], port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'foo-cert' } };
function gateway(spec: any, name = 'egress-gateway'): any {
  return { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'istio-system' }, spec };
}
function vs(spec: any, metadata: any = {}): any {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs', namespace: 'default', ...metadata }, spec };
}
/** A VirtualService with hosts [api.example.com] and one HTTP route to api.example.com, changed by `route`. */
function vsRoute(route: any): any {
  return vs({ hosts: ['api.example.com'], http: [{ route: [{ destination: { host: 'api.example.com' } }], ...route }] });
}
/** Findings of the Gateway / VirtualService rules only. */
function istio(obj: any): Finding[] {
  return validateManifests([obj]).findings.filter(f => /^istio\/(gw-|vs-|export-to)/.test(f.ruleId));
}
function expectFinding(obj: any, ruleId: string, message: string | RegExp, severity: 'error' | 'warning' = 'error'): Finding {
  const fs = istio(obj);
  const f = fs.find(x => x.ruleId === ruleId && (typeof message === 'string' ? x.message.includes(message) : message.test(x.message)));
  if (!f) throw new Error(`expected ${ruleId} ${message}; got:\n${formatFindings(fs)}`);
  expect(f.severity).toBe(severity);
  return f;
}
function expectClean(obj: any) {
  const all = validateManifests([obj]).findings.filter(f => !/^(wiring|analyzer)\//.test(f.ruleId));
  expect(all.map(f => `${f.ruleId} ${f.field}: ${f.message}`)).toEqual([]);
}

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

describe('VirtualService (ValidateVirtualService)', () => {
  test('a valid VirtualService passes', () => {
    expectClean(vs({
      hosts: ['api.example.com', 'reviews'],
      gateways: ['istio-system/egress-gateway', 'mesh'],
      http: [
        { match: [{ uri: { prefix: '/v2' }, headers: { 'x-user': { exact: 'a' } } }], route: [{ destination: { host: 'reviews', subset: 'v2', port: { number: 9080 } } }],
          retries: { attempts: 3, perTryTimeout: '1.5s', retryOn: '5xx,503' }, timeout: '10s' },
        { route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] },
      ],
    }));
  });

  test.each([
    ['http://api.example.com', 'domain name "http://api.example.com" invalid (label "http://api" invalid)'],
    ['api.example.com:443', 'domain name "example.com:443" invalid (label "com:443" invalid)'],
    ['*', 'wildcard host * is not allowed for virtual services bound to the mesh gateway'],
  ])('fails when a host is %s', (host, message) => {
    const f = expectFinding(vs({ hosts: [host], http: [{ route: [{ destination: { host: 'api.example.com' } }] }] }), 'istio/vs-hosts', message);
    expect(f.field).toBe('spec.hosts[0]');
  });

  test('fails when hosts repeat, wildcards included', () => {
    expectFinding(vs({ hosts: ['a.example.com', '*.example.com'], http: [{ route: [{ destination: { host: 'a' } }] }] }), 'istio/vs-hosts', 'duplicate hosts in virtual service: a.example.com & *.example.com');
    expectFinding(vs({ hosts: ['*.foo.bar', '*.bar'], http: [{ route: [{ destination: { host: 'a' } }] }] }), 'istio/vs-hosts', 'duplicate hosts in virtual service: *.foo.bar & *.bar');
    expectFinding(vs({ hosts: ['b', 'b'], http: [{ route: [{ destination: { host: 'a' } }] }] }), 'istio/vs-hosts', 'duplicate hosts in virtual service: b & b');
    expect(istio(vs({ hosts: ['a.example.com', 'b.example.com', '*.example.org'], http: [{ route: [{ destination: { host: 'a' } }] }] }))).toEqual([]);
  });

  test('fails when a gateway reference is bad, and warns on the legacy name.namespace form', () => {
    const withGw = (g: string) => vs({ hosts: ['api.example.com'], gateways: [g], http: [{ route: [{ destination: { host: 'a' } }] }] });
    expectFinding(withGw('ns1/*'), 'istio/vs-gateways', 'invalid value for gateway name: "*"');
    expectFinding(withGw('*/gw'), 'istio/vs-gateways', 'invalid value for namespace: "*"');
    expectFinding(withGw('gw.istio-system'), 'istio/vs-gateways', 'using legacy gatewayName format "gw.istio-system"; prefer the <namespace>/<name> format: "istio-system/gw"', 'warning');
    expect(istio(withGw('istio-system/egress-gateway'))).toEqual([]);
  });

  test('fails when delegation rules are broken', () => {
    expectFinding(vs({ gateways: ['gw'], http: [{ route: [{ destination: { host: 'a' } }] }] }), 'istio/vs-delegate', 'delegate virtual service must have no gateways specified');
    expectFinding(vs({ http: [{ delegate: { name: 'd', namespace: 'n' } }] }), 'istio/vs-delegate', 'delegate HTTP route cannot contain delegate');
    expectFinding(vsRoute({ delegate: { name: 'd', namespace: 'n' } }), 'istio/vs-delegate', 'must not specify route');
    expect(istio(vs({ hosts: ['a.example.com'], http: [{ delegate: { name: 'd', namespace: 'n' } }] }))).toEqual([]);
  });

  test('fails when routes are missing or conflict', () => {
    expectFinding(vs({ hosts: ['a'] }), 'istio/vs-routes', 'http, tcp or tls must be provided in virtual service');
    expectFinding(vs({ hosts: ['a'], http: [{}] }), 'istio/vs-routes', 'HTTP route, redirect or direct_response is required');
    expectFinding(vsRoute({ redirect: { uri: '/x' } }), 'istio/vs-routes', 'HTTP route cannot contain both route and redirect');
    expectFinding(vs({ hosts: ['a'], tcp: [{ match: [{ port: 9000 }] }] }), 'istio/vs-routes', 'TCP route is required');
    expectFinding(vs({ hosts: ['a'], tls: [{ match: [{ sniHosts: ['a'] }] }] }), 'istio/vs-routes', 'TLS route is required');
    expect(istio(vs({ hosts: ['a'], tls: [{ match: [{ sniHosts: ['a'] }], route: [{ destination: { host: 'a' } }] }] }))).toEqual([]);
  });

  test('fails when a destination is bad (host:443, "*", subset, port, weights)', () => {
    // the case: a destination written as host:port
    const f = expectFinding(vsRoute({ route: [{ destination: { host: 'api.example.com:443' } }] }), 'istio/vs-destination', '(label "com:443" invalid)');
    expect(f.field).toBe('spec.http[0].route[0].destination.host');
    expectFinding(vsRoute({ route: [{ destination: { host: '*' } }] }), 'istio/vs-destination', 'invalid destination host *');
    expectFinding(vsRoute({ route: [{ destination: { host: 'a', subset: 'v_1' } }] }), 'istio/vs-destination', 'subset name is invalid: v_1');
    expectFinding(vsRoute({ route: [{ destination: { host: 'a', port: {} } }] }), 'istio/vs-destination', 'port number 0 must be in the range 1..65535');
    expectFinding(vsRoute({ route: [{ destination: { host: 'a' } }, { destination: { host: 'b' } }] }), 'istio/vs-destination', 'total destination weight = 0');
    expect(istio(vsRoute({ route: [{ destination: { host: '*.example.com', port: { number: 443 } } }] }))).toEqual([]);
  });

  test('fails when a match is bad', () => {
    const match = (m: any) => vsRoute({ match: [m] });
    expectFinding(match({ uri: { regex: '(?=x)' } }), 'istio/vs-match', 'Istio uses RE2 style regex-based match');
    expectFinding(match({ headers: { h: { prefix: '' } } }), 'istio/vs-match', '"headers": prefix string match should not be empty');
    expectFinding(match({ headers: { 'bad header': { exact: 'x' } } }), 'istio/vs-match', 'header name bad header is not a valid header name');
    expectFinding(match({ headers: { '@request.auth.claims.group': { exact: 'x' } } }), 'istio/vs-match', 'JWT claim based routing (key: @request.auth.claims.group) is only supported for gateway');
    expectFinding(match({ sourceNamespace: 'Not_A_Namespace' }), 'istio/vs-match', 'sourceNamespace match Not_A_Namespace is invalid');
    expectFinding(match({ sourceLabels: { 'app!': 'x' } }), 'istio/vs-match', 'invalid tag key: "app!"');
    expectFinding(vs({ hosts: ['a.example.com'], tls: [{ match: [{ sniHosts: ['b.example.com'] }], route: [{ destination: { host: 'a' } }] }] }), 'istio/vs-match',
      'SNI host "b.example.com" is not a compatible subset of any of the virtual service hosts: [a.example.com]');
    expectFinding(vs({ hosts: ['a'], tcp: [{ match: [{ destinationSubnets: ['10.0.0.0/33'] }], route: [{ destination: { host: 'a' } }] }] }), 'istio/vs-match', '10.0.0.0/33 is not a valid CIDR block');
    expect(istio(match({ uri: { regex: '^/v[0-9]+/(?P<rest>.*)$' }, withoutHeaders: { h: { regex: '*' } } }))).toEqual([]);
  });

  test('fails when a header operation is bad', () => {
    const hdr = (h: any) => vsRoute({ headers: h });
    expectFinding(hdr({ request: { set: { ':path': '/x' } } }), 'istio/vs-headers', 'invalid header ":path": header cannot have ":" prefix');
    expectFinding(hdr({ response: { set: { host: 'x' } } }), 'istio/vs-headers', 'invalid header "host": cannot set Host header');
    expectFinding(hdr({ response: { add: { x: 'abc%123' } } }), 'istio/vs-headers', 'header value configuration abc%123 is invalid');
    expectFinding(vsRoute({ rewrite: { authority: 'a' }, headers: { request: { set: { host: 'b' } } } }), 'istio/vs-headers', 'authority header cannot be set multiple times: have "a", attempting to set "b"');
    expect(istio(hdr({ request: { set: { ':authority': 'a.example.com', 'x-node': '%HOSTNAME%' } }, response: { remove: ['server'] } }))).toEqual([]);
  });

  test.each([
    ['1500us', 'only durations to ms precision are supported'],
    ['2.000000042s', 'only durations to ms precision are supported'],
    ['0.5ms', 'duration must be greater than 1ms'],
  ])('fails when a timeout is %s', (timeout, message) => {
    // the case: a duration finer than a millisecond passes the CRD's CEL rule
    const f = expectFinding(vsRoute({ timeout }), 'istio/vs-duration', message);
    expect(f.field).toBe('spec.http[0].timeout');
  });

  test.each(['1ms', '1.5s', '1m30s', '2h'])('accepts timeout %s', timeout => {
    expect(istio(vsRoute({ timeout }))).toEqual([]);
  });

  test('fails when retries are bad', () => {
    expectFinding(vsRoute({ retries: { attempts: 0, retryOn: '5xx' } }), 'istio/vs-retries', 'http retry policy configured when attempts are set to 0 (disabled)');
    expectFinding(vsRoute({ retries: { attempts: 2, retryOn: '5xx,sometimes' } }), 'istio/vs-retries', '"sometimes" is not a valid retryOn policy');
    expectFinding(vsRoute({ retries: { attempts: 2, perTryTimeout: '1500us' } }), 'istio/vs-duration', 'only durations to ms precision are supported');
    expect(istio(vsRoute({ retries: { attempts: 2, retryOn: 'gateway-error,connect-failure,503', backoff: '25ms' } }))).toEqual([]);
  });

  test('fails when fault injection is bad', () => {
    expectFinding(vsRoute({ fault: {} }), 'istio/vs-fault', 'HTTP fault injection must have an abort and/or a delay');
    expectFinding(vsRoute({ fault: { abort: { httpStatus: 700 } } }), 'istio/vs-fault', 'HTTP status 700 is not in range 200-599');
    expectFinding(vsRoute({ fault: { abort: { percentage: { value: 20 } } } }), 'istio/vs-fault', 'abort configured, but error type not set', 'warning');
    expectFinding(vsRoute({ fault: { delay: { exponentialDelay: '1s' } } }), 'istio/vs-fault', 'exponentialDelay not supported yet');
    expect(istio(vsRoute({ fault: { delay: { fixedDelay: '5s', percentage: { value: 0.1 } }, abort: { grpcStatus: 'UNAVAILABLE' } } }))).toEqual([]);
  });

  test('fails when a CORS policy is bad', () => {
    expectFinding(vsRoute({ corsPolicy: { allowMethods: ['FETCH'] } }), 'istio/vs-cors', '"FETCH" is not a supported HTTP method');
    expectFinding(vsRoute({ corsPolicy: { maxAge: '1500ms' } }), 'istio/vs-cors', 'max_age duration is accurate only to seconds precision');
    expect(istio(vsRoute({ corsPolicy: { allowOrigins: [{ exact: 'https://a.example.com' }], allowMethods: ['GET'], allowHeaders: ['*'], maxAge: '24h' } }))).toEqual([]);
  });

  test('fails when a redirect, rewrite or direct response is bad', () => {
    const only = (h: any) => vs({ hosts: ['a'], http: [h] });
    expectFinding(only({ redirect: { redirectCode: 302 } }), 'istio/vs-redirect', 'redirect must specify URI, authority, scheme, or port');
    expectFinding(only({ redirect: { uri: '/x', scheme: 'ftp' } }), 'istio/vs-redirect', 'invalid redirect scheme, must be "http" or "https"');
    expectFinding(vsRoute({ rewrite: { uriRegexRewrite: { match: '[', rewrite: '/' } } }), 'istio/vs-redirect', 'UriRegexRewrite has errors');
    expectFinding(only({ directResponse: { status: 200, body: { string: 'a'.repeat(101 * 1024) } } }), 'istio/vs-redirect', 'large direct_responses may impact control plane performance', 'warning');
    expectFinding(only({ directResponse: { status: 200, body: { bytes: Buffer.alloc(1024 * 1024 + 1).toString('base64') } } }), 'istio/vs-redirect', 'must be less than 1MB');
    expect(istio(only({ directResponse: { status: 503, body: { string: 'down' } } }))).toEqual([]);
  });

  test('fails when mirrors are bad, and warns on mirrorPercent', () => {
    expectFinding(vsRoute({ mirror: { host: 'a' }, mirrors: [{ destination: { host: 'b' } }] }), 'istio/vs-mirror', 'HTTP route cannot contain both mirror and mirrors');
    expectFinding(vsRoute({ mirrorPercentage: { value: 101 } }), 'istio/vs-mirror', 'mirror_percentage must have a max value of 100 (it has 101.000000)');
    expectFinding(vsRoute({ mirror: { host: 'a' }, mirrorPercent: 5 }), 'istio/vs-mirror', 'using deprecated setting "mirrorPercent"', 'warning');
    expect(istio(vsRoute({ mirrors: [{ destination: { host: 'shadow' }, percentage: { value: 10 } }] }))).toEqual([]);
  });

  test('warns on rules and matches that are never used', () => {
    const r = [{ destination: { host: 'a' } }];
    expectFinding(vs({ hosts: ['a'], http: [{ route: r }, { match: [{ uri: { exact: '/x' } }], route: r }] }), 'istio/vs-unreachable-rule',
      'virtualService rule #1 not used (route without matches defined before)', 'warning');
    expectFinding(vs({ hosts: ['a'], http: [{ name: 'one', match: [{ uri: { exact: '/x' } }], route: r }, { match: [{ name: 'dup', uri: { exact: '/x' } }], route: r }] }),
      'istio/vs-unreachable-rule', 'virtualService rule #1 match "dup" is not used (duplicate/overlapping match in rule "one")', 'warning');
    expectFinding(vs({ hosts: ['a'], tcp: [{ route: r }, { route: r }] }), 'istio/vs-unreachable-rule', 'virtualService rule #1 not used (only the last rule can have no matches)', 'warning');
    expect(istio(vs({ hosts: ['a'], http: [{ match: [{ uri: { prefix: '/v2' } }], route: r }, { match: [{ uri: { prefix: '/v1' } }], route: r }, { route: r }] }))).toEqual([]);
  });

  test('fails when exportTo is "~", which only ServiceEntries accept', () => {
    // the case
    expectFinding(vs({ hosts: ['a'], exportTo: ['~'], http: [{ route: [{ destination: { host: 'a' } }] }] }), 'istio/export-to', 'exportTo ~ (none) is not allowed');
    expect(istio(vs({ hosts: ['a'], exportTo: ['.'], http: [{ route: [{ destination: { host: 'a' } }] }] }))).toEqual([]);
  });

  test('stays linear on large objects (1000 hosts, 1000 prefix matches)', () => {
    // GIVEN distinct hosts and prefix matches that do not cover each other
    const hosts = Array.from({ length: 1000 }, (_, i) => `h${i}.example.com`);
    const http = Array.from({ length: 1000 }, (_, i) => ({ match: [{ uri: { prefix: `/p${i}/` } }], route: [{ destination: { host: 'a' } }] }));
    // WHEN validating
    const t0 = Date.now();
    const findings = istio(vs({ hosts, http }));
    // THEN no finding, well under a second
    expect(findings).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('helpers', () => {
  test('durations parse as Go time.ParseDuration does', () => {
    expect(parseDurationNs('1h2m3.5s')).toBe(3723500000000n);
    expect(parseDurationNs('1500us')).toBe(1500000n);
    expect(parseDurationNs('0.000000999s')).toBe(999n);
    expect(parseDurationNs('10')).toBeUndefined();
  });

  test('header values follow Envoy\'s %VARIABLE% syntax', () => {
    for (const v of ['foo', '100%%', '%HOSTNAME%', '%DOWNSTREAM_PEER_CERT_V_END(%b %d %H:%M:%S %Y %Z)%', '%REQ(x-id):10%']) expect(headerValueErr(v)).toBeUndefined();
    for (const v of ['%START_TIME%%', 'abc%123', '%lower%', 'a\u0001b']) expect(headerValueErr(v)).toMatch(/is invalid/);
  });

  test('every rule id used here is registered with its Istio source function', () => {
    const ids = RULES.filter(r => /^istio\/(gw|vs)-/.test(r.id));
    expect(ids.length).toBe(19);
    for (const r of ids) expect(r.description).toMatch(/\((?:[A-Za-z.]+[A-Za-z*]*(?:, |\/)?)+.*\)\.$/);
  });
});
