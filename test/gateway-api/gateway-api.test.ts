import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import {
  Gateway, GatewaySpecListenersAllowedRoutesNamespacesFrom, GatewaySpecListenersTlsMode, HttpRoute,
} from '../../imports/gateway.networking.k8s.io';
import { compileRule, evalRule } from '../../src/validator/cel';
import { allCelRules, parseYamlDocuments, validateManifests } from '../../src/validator';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'gateway-api', 'egress-gateway.yaml');
const GATEWAY_API = 'gateway.networking.k8s.io';

/** The Gateway of Istio's egress-gateway task (Gateway API variant), with `change` applied to its first listener. */
function gateway(change: (listener: any, spec: any) => void = () => undefined): any {
  const gw = parseYamlDocuments(fs.readFileSync(FIXTURE, 'utf8')).find((o) => o.kind === 'Gateway');
  change(gw.spec.listeners[0], gw.spec);
  return gw;
}

function route(kind: string, spec: any, apiVersion = `${GATEWAY_API}/v1`): any {
  return { apiVersion, kind, metadata: { name: 'r', namespace: 'default' }, spec };
}

const celFindings = (objects: any[]) => validateManifests(objects).findings.filter((f) => f.ruleId.startsWith('cel/'));

describe('Gateway API v1.6.0 schemas and CEL rules (the version Istio 1.31 is built against: validate --istio 1.31)', () => {
  test('every kind of the standard channel is validated, in every served version; all CEL rules compile', () => {
    // GIVEN the schemas extracted for Istio 1.31
    const crds = JSON.parse(fs.readFileSync(path.join(__dirname, '../..', 'imports', 'validation', 'crds-1.31.json'), 'utf8'));
    const served = Object.entries<any>(crds.kinds).filter(([k]) => k.startsWith(`${GATEWAY_API}/`))
      .map(([k, e]) => `${k.split('/')[1]} ${Object.keys(e.versions).sort().join(',')}`);
    const rules = allCelRules('1.31').filter((r) => r.kind.startsWith(`${GATEWAY_API}/`));
    const compiled = rules.map((r) => ({ r, c: compileRule(r.rule, '1.31') }));
    // THEN v1.6.0's standard channel adds ListenerSet, TCPRoute and UDPRoute to v1.5.1's seven kinds
    expect(crds.sources.filter((s: string) => s.startsWith('gateway-api'))).toContain('gateway-api-v1.6.0/standard/gateway.networking.k8s.io_listenersets.yaml');
    expect(served.sort()).toEqual(['BackendTLSPolicy v1', 'GRPCRoute v1', 'Gateway v1,v1beta1', 'GatewayClass v1,v1beta1',
      'HTTPRoute v1,v1beta1', 'ListenerSet v1', 'ReferenceGrant v1,v1beta1', 'TCPRoute v1', 'TLSRoute v1', 'UDPRoute v1']);
    expect(compiled.filter(({ c }) => !c.ok && !c.transition).map(({ r, c }) => `${r.kind} ${r.field}: ${(c as any).reason}`)).toEqual([]);
    expect(compiled.filter(({ c }) => !c.ok && c.transition).map(({ r }) => `${r.kind} ${r.field}`)).toEqual([`${GATEWAY_API}/GatewayClass spec.controllerName`]);
    expect(rules.length).toBe(166);
  });

  test('a TCPRoute is validated for 1.31 (v1.6.0 standard) and not checked for 1.30 (v1.5.1: experimental channel)', () => {
    const route = { apiVersion: `${GATEWAY_API}/v1`, kind: 'TCPRoute', metadata: { name: 'r', namespace: 'default' }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'svc', port: 9000 }], bogus: 1 }] } };
    const rules = (istio: string) => validateManifests([route], { istio }).findings.filter((f) => f.ruleId.startsWith('schema/')).map((f) => `${f.severity} ${f.ruleId} ${f.field}`);
    expect(rules('1.31')).toEqual(['error schema/unknown-field spec.rules[0].bogus']);
    // 1.30: an experimental-channel kind of v1.5.1, whose CRDs are not vendored: a warning that says so
    expect(rules('1.30')).toEqual(['warning schema/unknown-kind apiVersion']);
  });
});

describe('Gateway API v1.5.1 schemas and CEL rules (Istio 1.30: validate --istio 1.30)', () => {
  test('every kind of the standard channel is validated, in every served version', () => {
    // GIVEN the extracted schemas
    const crds = JSON.parse(fs.readFileSync(path.join(__dirname, '../..', 'imports', 'validation', 'crds-1.30.json'), 'utf8'));
    const served = Object.entries<any>(crds.kinds).filter(([k]) => k.startsWith(`${GATEWAY_API}/`))
      .map(([k, e]) => `${k.split('/')[1]} ${Object.keys(e.versions).sort().join(',')}`);
    const withRules = new Set(allCelRules('1.30').filter((r) => r.kind.startsWith(`${GATEWAY_API}/`)).map((r) => r.kind.split('/')[1]));

    // THEN the seven standard kinds are there with their served versions, all but ReferenceGrant with CEL rules
    expect(served.sort()).toEqual(['BackendTLSPolicy v1', 'GRPCRoute v1', 'Gateway v1,v1beta1', 'GatewayClass v1,v1beta1',
      'HTTPRoute v1,v1beta1', 'ReferenceGrant v1,v1beta1', 'TLSRoute v1']);
    expect([...withRules].sort()).toEqual(['BackendTLSPolicy', 'GRPCRoute', 'Gateway', 'GatewayClass', 'HTTPRoute', 'TLSRoute']);
    // and no Gateway API object is an unknown kind
    const objects = [
      gateway(), { ...gateway(), apiVersion: `${GATEWAY_API}/v1beta1`, metadata: { name: 'beta', namespace: 'default' } },
      { apiVersion: `${GATEWAY_API}/v1`, kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } },
    ];
    expect(validateManifests(objects, { istio: '1.30' }).findings.filter((f) => f.ruleId.startsWith('schema/'))).toEqual([]);
  });

  test('every CEL rule compiles: none unsupported, one transition rule (not evaluated on create)', () => {
    // GIVEN every rule of the Gateway API kinds (distinct schemas per version)
    const rules = allCelRules('1.30').filter((r) => r.kind.startsWith(`${GATEWAY_API}/`));
    const compiled = rules.map((r) => ({ r, c: compileRule(r.rule, '1.30') }));

    // THEN all compile except GatewayClass' immutable controllerName (self == oldSelf)
    expect(compiled.filter(({ c }) => !c.ok && !c.transition).map(({ r, c }) => `${r.kind} ${r.field}: ${(c as any).reason}`)).toEqual([]);
    expect(compiled.filter(({ c }) => !c.ok && c.transition).map(({ r }) => `${r.kind} ${r.field}`))
      .toEqual([`${GATEWAY_API}/GatewayClass spec.controllerName`]);
    expect(rules.length).toBe(153);
    expect(new Set(rules.map((r) => r.rule)).size).toBe(78);
  });

  test("the objects of Istio's egress-gateway task (Gateway API variant) pass schema and CEL", () => {
    // GIVEN the task's ServiceEntry, Gateways, HTTPRoutes, DestinationRules and ReferenceGrant
    const objects = parseYamlDocuments(fs.readFileSync(FIXTURE, 'utf8'));

    // WHEN validated
    const report = validateManifests(objects);

    // THEN no error, and the only warning is the mesh-external namespace the fixture does not create
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}`))
      .toEqual([
        // the task's SIMPLE origination sets no CA (IST0128, as istioctl analyze reports)
        'istio/tls-ca-certificates DestinationRule/originate-tls-for-edition-cnn-com',
        'wiring/namespace-exists ReferenceGrant/my-nginx-reference-grant',
      ]);
  });

  test('the generated bindings emit a Gateway and an HTTPRoute that the validator accepts', () => {
    // GIVEN the egress gateway of the task, written with imports/gateway.networking.k8s.io.ts
    const chart = Testing.chart();
    new Gateway(chart, 'gw', {
      metadata: { name: 'cnn-egress-gateway', annotations: { 'networking.istio.io/service-type': 'ClusterIP' } },
      spec: {
        gatewayClassName: 'istio',
        listeners: [{
          name: 'https-listener-for-tls-origination', hostname: 'edition.cnn.com', port: 80, protocol: 'HTTPS',
          tls: { mode: GatewaySpecListenersTlsMode.TERMINATE, options: { 'gateway.istio.io/tls-terminate-mode': 'ISTIO_MUTUAL' } },
          allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
        }],
      },
    });
    new HttpRoute(chart, 'forward', {
      metadata: { name: 'forward-cnn-from-egress-gateway' },
      spec: {
        parentRefs: [{ name: 'cnn-egress-gateway' }],
        hostnames: ['edition.cnn.com'],
        rules: [{ backendRefs: [{ kind: 'Hostname', group: 'networking.istio.io', name: 'edition.cnn.com', port: 443 }] }],
      },
    });

    // WHEN synthesized and validated
    const manifests = Testing.synth(chart);

    // THEN the kinds and versions are the served v1, and nothing is reported
    expect(manifests.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([`${GATEWAY_API}/v1 Gateway`, `${GATEWAY_API}/v1 HTTPRoute`]);
    expect(validateManifests(manifests).findings).toEqual([]);
  });

  test('fails when two listeners of a Gateway share a name (CRD rule message)', () => {
    // GIVEN a Gateway whose second listener repeats the first one's name on another port
    const gw = gateway((l, spec) => spec.listeners.push({ ...l, port: 8443 }));

    // WHEN validated
    const findings = celFindings([gw]);

    // THEN the CRD's CEL rule reports it on spec.listeners with its own message
    expect(findings).toEqual([expect.objectContaining({
      ruleId: 'cel/rule', field: 'spec.listeners', severity: 'error',
      message: expect.stringMatching(/^Listener name must be unique within the Gateway \(CEL rule: /),
    })]);
    // (the list is also a map keyed by name: the structural check reports the duplicate too)
    expect(validateManifests([gw]).errors.map((f) => f.ruleId)).toContain('schema/duplicate');
  });

  test('fails when an HTTP listener has tls', () => {
    // GIVEN the task's listener switched to protocol HTTP but still with its tls block
    const gw = gateway((l) => { l.protocol = 'HTTP'; });

    // THEN
    expect(celFindings([gw]).map((f) => [f.ruleId, f.field, f.message.split(' (CEL rule')[0]]))
      .toEqual([['cel/rule', 'spec.listeners', "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"]]);
  });

  test('fails when an HTTPS listener terminates TLS without certificateRefs or options', () => {
    // GIVEN the task's listener without the Istio option (mode Terminate, nothing to terminate with)
    const gw = gateway((l) => { l.tls = { mode: 'Terminate', certificateRefs: [] }; });

    // THEN
    expect(celFindings([gw]).map((f) => [f.field, f.message.split(' (CEL rule')[0]]))
      .toEqual([['spec.listeners[0].tls', 'certificateRefs or options must be specified when mode is Terminate: evaluation error: field not found: options']]);
  });

  test('an HTTPRoute rule without matches gets the default "/" match before its rules run (as the API server does)', () => {
    // GIVEN a URL rewrite of a prefix, which the CRD allows only with exactly one PathPrefix match, and no matches
    const r = route('HTTPRoute', {
      parentRefs: [{ name: 'gw' }],
      rules: [{ filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } }], backendRefs: [{ name: 'svc', port: 80 }] }],
    });

    // THEN the defaulted match (PathPrefix "/") satisfies both that rule and the total-matches rule
    expect(celFindings([r])).toEqual([]);

    // WHEN the only match is an exact path instead
    r.spec.rules[0].matches = [{ path: { type: 'Exact', value: '/v1' } }];

    // THEN the rule's message is reported
    expect(celFindings([r]).map((f) => f.message.split(' (CEL rule')[0]))
      .toEqual(['When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified']);
  });

  test('fails when an HTTPRoute backendRequest timeout exceeds the request timeout (duration())', () => {
    const r = route('HTTPRoute', { rules: [{ timeouts: { request: '10s', backendRequest: '1m' }, backendRefs: [{ name: 'svc', port: 80 }] }] });
    expect(celFindings([r]).map((f) => [f.field, f.message.split(' (CEL rule')[0]]))
      .toEqual([['spec.rules[0].timeouts', 'backendRequest timeout cannot be longer than request timeout']]);
    r.spec.rules[0].timeouts.backendRequest = '5s';
    expect(celFindings([r])).toEqual([]);
  });

  test('fails when a TLSRoute hostname is an IP address (isIP())', () => {
    const r = route('TLSRoute', { parentRefs: [{ name: 'gw' }], hostnames: ['10.0.0.1'], rules: [{ backendRefs: [{ name: 'svc', port: 443 }] }] });
    expect(celFindings([r]).map((f) => f.message.split(' (CEL rule')[0])).toContain('Hostnames cannot contain an IP');
    r.spec.hostnames = ['my-nginx.mesh-external.svc.cluster.local'];
    expect(celFindings([r])).toEqual([]);
  });

  test('fails when a GRPCRoute service name has invalid characters (RE2 (?i) flag)', () => {
    const r = route('GRPCRoute', { rules: [{ matches: [{ method: { service: 'Foo.Bar', method: 'Get' } }] }] });
    expect(celFindings([r])).toEqual([]);
    r.spec.rules[0].matches[0].method.service = 'foo-bar';
    expect(celFindings([r]).map((f) => f.message.split(' (CEL')[0])).toEqual([expect.stringMatching(/^service must only contain valid characters/)]);
  });
});

describe('Kubernetes CEL library functions', () => {
  test.each([
    ['10.0.0.1', true], ['::ffff:10.0.0.1', true], ['2001:db8::1', true],
    ['010.0.0.1', false], ['fe80::1%eth0', false], ['edition.cnn.com', false], ['', false],
  ])('isIP(%j) is %s', (ip, expected) => {
    expect(evalRule('isIP(self)', { type: 'string' }, ip)).toEqual({ status: expected ? 'pass' : 'fail' });
  });

  test.each([
    ['10.0.0.0/8', true], ['2001:db8::/32', true], ['10.0.0.0/33', false], ['10.0.0.0', false], ['10.0.0.0/08', false],
  ])('isCIDR(%j) is %s', (cidr, expected) => {
    expect(evalRule('isCIDR(self)', { type: 'string' }, cidr)).toEqual({ status: expected ? 'pass' : 'fail' });
  });

  test('fails to compile (reported, never evaluated) when a rule calls a function the validator lacks', () => {
    // GIVEN a rule with a function of a newer Kubernetes CEL library
    const c = compileRule("self.all(x, quantity(x).isGreaterThan(quantity('1')))");

    // THEN it is not compiled and the reason names the functions
    expect(c).toEqual({ ok: false, reason: 'cannot compile: unsupported function(s) isGreaterThan, quantity' });
  });
});
