// Istio's webhook rules for VirtualService (istio/vs-*, src/validator/rules/istio/virtual-service.ts): a failing and a
// passing input per rule, and the helpers the Gateway and VirtualService rules share.
import { RULES } from '../../../../src/validator';
import { parseDurationNs } from '../../../../src/validator/rules/istio/gateway-common';
import { headerValueErr } from '../../../../src/validator/rules/istio/virtual-service';
import { expectClean, expectFinding, istio, vs, vsRoute } from '../../../support/istio-gw-vs';
import { budget } from '../../../support/budget';

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
      'IST0130 VirtualService rule #1 not used (route without matches defined before).', 'warning');
    expectFinding(vs({ hosts: ['a'], http: [{ name: 'one', match: [{ uri: { exact: '/x' } }], route: r }, { match: [{ name: 'dup', uri: { exact: '/x' } }], route: r }] }),
      'istio/vs-unreachable-rule', 'IST0131 VirtualService rule #1 match "dup" is not used (duplicate/overlapping match in rule "one").', 'warning');
    expectFinding(vs({ hosts: ['a'], tcp: [{ route: r }, { route: r }] }), 'istio/vs-unreachable-rule', 'IST0130 VirtualService rule #1 not used (only the last rule can have no matches).', 'warning');
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
    expect(Date.now() - t0).toBeLessThan(budget(2000));
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
