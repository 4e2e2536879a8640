import { Testing } from 'cdk8s';
import { GatewayApiEgressGateway, GatewayApiEgressTlsOrigination, Resolution, TlsCredential } from '../../src';
import { validateManifests } from '../../src/validator';
import { gatewayApiChainProblems } from '../egress-gateway/egress-gateway-util';
import { chart } from '../support/util';

const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('GatewayApiEgressGateway', () => {
  test('defaults: one HTTPS listener on port 80 for every host, Istio mutual TLS to <name>-istio without SNI', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const gw = new GatewayApiEgressGateway(c, 'egress');
    // THEN
    expect(gw.host).toBe('egress-istio.default.svc.cluster.local');
    expect(gw.podLabels).toEqual({ 'gateway.networking.k8s.io/gateway-name': 'egress' });
    const [gateway, dr] = Testing.synth(c);
    expect(gateway).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
      metadata: { name: 'egress', namespace: 'default', annotations: { 'networking.istio.io/service-type': 'ClusterIP' } },
      spec: {
        gatewayClassName: 'istio',
        listeners: [{
          name: 'https', port: 80, protocol: 'HTTPS',
          tls: { mode: 'Terminate', options: { 'gateway.istio.io/tls-terminate-mode': 'ISTIO_MUTUAL' } },
          allowedRoutes: { namespaces: { from: 'Same' } },
        }],
      },
    });
    expect(dr.metadata).toEqual({ name: 'egress-istio', namespace: 'default' });
    expect(dr.spec).toEqual({
      host: 'egress-istio.default.svc.cluster.local',
      trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] },
    });
  });

  test.each([
    ['a name too long for <name>-istio', { name: 'a'.repeat(58) }, /'name' must be a name that leaves room for the Service Istio generates/],
    ['a name with dots', { name: 'egress.gw' }, /'name' must be a Gateway name/],
    ['no listener', { listeners: [] }, /'listeners' must list 1 to 64 listeners/],
    ['two listeners on one port', { listeners: [{ name: 'a', port: 80 }, { name: 'b', port: 80, hostname: 'x.example.com' }] }, /'listeners\[1\].port' must be unique in the Gateway: the DestinationRule .* sets one SNI per port/],
    ['two listeners with one name', { listeners: [{ name: 'a', port: 80 }, { name: 'a', port: 443 }] }, /'listeners\[1\].name' must be unique/],
    ['a listener hostname that is a URL', { listeners: [{ name: 'a', port: 80, hostname: 'https://x.example.com' }] }, /'listeners\[0\].hostname' must be a host name, not a URL/],
    ['a misspelt prop', { listner: [] }, /GatewayApiEgressGateway: unknown prop 'listner' \(did you mean 'listeners'\?\)/],
    ['a misspelt listener prop', { listeners: [{ name: 'a', port: 80, host: 'x.example.com' }] }, /unknown prop 'host'/],
  ])('fails when given %s', (_what, props, message) => {
    expect(() => new GatewayApiEgressGateway(chart(), 'egress', props as any)).toThrow(message);
  });
});

describe('GatewayApiEgressTlsOrigination', () => {
  test('many hosts share one gateway and one listener: one ServiceEntry, two HTTPRoutes and one DestinationRule per host', () => {
    // GIVEN
    const c = chart();
    const gateway = new GatewayApiEgressGateway(c, 'egress');
    // WHEN
    for (const host of ['edition.cnn.com', 'api.example.com']) new GatewayApiEgressTlsOrigination(c, host, { host, gateway });
    // THEN
    const objects = Testing.synth(c);
    expect(objects.map(key)).toEqual([
      'Gateway/default/egress', 'DestinationRule/default/egress-istio',
      'ServiceEntry/default/edition-cnn-com', 'HTTPRoute/default/direct-edition-cnn-com-to-egress-gateway',
      'HTTPRoute/default/forward-edition-cnn-com-from-egress-gateway', 'DestinationRule/default/originate-tls-for-edition-cnn-com',
      'ServiceEntry/default/api-example-com', 'HTTPRoute/default/direct-api-example-com-to-egress-gateway',
      'HTTPRoute/default/forward-api-example-com-from-egress-gateway', 'DestinationRule/default/originate-tls-for-api-example-com',
    ]);
    expect(gatewayApiChainProblems(objects, gateway)).toEqual([]);
    expect(validateManifests(objects).errors).toEqual([]);
  });

  test('clients in another namespace: the route sends to the gateway namespace with a ReferenceGrant, once per namespace', () => {
    // GIVEN a gateway in egress and clients in team-a
    const c = chart();
    const gateway = new GatewayApiEgressGateway(c, 'egress', { namespace: 'egress' });
    // WHEN
    new GatewayApiEgressTlsOrigination(c, 'a', { host: 'a.example.com', gateway, namespace: 'team-a' });
    const b = new GatewayApiEgressTlsOrigination(c, 'b', { host: 'b.example.com', gateway, namespace: 'team-a' });
    // THEN
    const objects = Testing.synth(c);
    expect(objects.filter((o) => o.kind === 'ReferenceGrant').map((o) => [key(o), o.spec])).toEqual([['ReferenceGrant/egress/egress-istio-from-team-a', {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'team-a' }], to: [{ group: '', kind: 'Service', name: 'egress-istio' }],
    }]]);
    expect(b.meshRoute.toJson().spec.rules[0].backendRefs).toEqual([{ name: 'egress-istio', namespace: 'egress', port: 80 }]);
    expect(b.forwardRoute.metadata.namespace).toBe('egress');
    expect(b.destinationRule.metadata.namespace).toBe('egress');
    expect(gatewayApiChainProblems(objects, gateway)).toEqual([]);
    expect(validateManifests(objects).errors).toEqual([]);
  });

  test('a fromPem credential is emitted in the gateway namespace, with the gateway RBAC once', () => {
    // GIVEN
    const c = chart();
    const gateway = new GatewayApiEgressGateway(c, 'egress', { namespace: 'egress' });
    // WHEN two mutual originations through it
    for (const host of ['a.example.com', 'b.example.com']) {
      new GatewayApiEgressTlsOrigination(c, host, { host, gateway, credential: TlsCredential.fromExistingSecret(`${host.split('.')[0]}-credential`) });
    }
    // THEN
    const objects = Testing.synth(c);
    expect(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding').map(key)).toEqual(['Role/egress/egress-istio-sds', 'RoleBinding/egress/egress-istio-sds']);
    const dr = objects.find((o) => o.metadata.name === 'originate-mtls-for-a-example-com');
    expect(dr.spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'MUTUAL', credentialName: 'a-credential', sni: 'a.example.com' });
    expect(gatewayApiChainProblems(objects, gateway)).toEqual([]);
  });

  test('a listener with a wildcard hostname accepts the hosts of its domain', () => {
    const c = chart();
    const gateway = new GatewayApiEgressGateway(c, 'egress', { listeners: [{ name: 'cnn', port: 80, hostname: 'edition.cnn.com' }, { name: 'example', port: 8080, hostname: '*.example.com' }] });
    const o = new GatewayApiEgressTlsOrigination(c, 'api', { host: 'api.example.com', gateway });
    expect(o.gatewayPort).toBe(8080);
    expect(gatewayApiChainProblems(Testing.synth(c), gateway)).toEqual([]);
  });

  test.each([
    ['resolution NONE', { resolution: Resolution.NONE }, /'resolution' NONE makes the egress gateway forward to the original destination address.*routes to itself/],
    ['no gateway', { gateway: undefined }, /'gateway' must be a GatewayApiEgressGateway/],
    ['a host no listener accepts', { host: 'x.other.org', gatewayFor: 'edition.cnn.com' }, /'host' must be accepted by a listener of the Gateway "egress": https \(port 80, hostname edition.cnn.com\) \(got host "x.other.org"\)/],
    ['a gateway port without listener', { gatewayPort: 443 }, /'gatewayPort' must be accepted by a listener .* on port 443\)/],
    ['the gateway\'s own Service as host', { host: 'egress-istio.default.svc.cluster.local' }, /'host' must not be the egress gateway's own Service/],
    ['a DestinationRule namespace off the lookup path', { destinationRuleNamespace: 'other' }, /'destinationRuleNamespace' must be where the egress gateway looks DestinationRules up/],
    ['a misspelt prop', { gatewayPorts: 80 }, /unknown prop 'gatewayPorts' \(did you mean 'gatewayPort'\?\)/],
    ['a credential that is not a TlsCredential', { credential: 'client-credential' }, /'credential' must be made with TlsCredential/],
    ['a referenceGrantName without a Service of another namespace', { referenceGrantName: 'grant' }, /'referenceGrantName' has no effect/],
  ])('fails when given %s', (_what, props: any, message) => {
    const c = chart();
    const { gatewayFor, ...rest } = props;
    const gateway = new GatewayApiEgressGateway(c, 'egress', gatewayFor ? { listeners: [{ name: 'https', port: 80, hostname: gatewayFor }] } : {});
    expect(() => new GatewayApiEgressTlsOrigination(c, 'o', { host: 'api.example.com', gateway, ...rest })).toThrow(message);
  });

  test('fails when a host is routed through the gateway twice', () => {
    const c = chart();
    const gateway = new GatewayApiEgressGateway(c, 'egress');
    new GatewayApiEgressTlsOrigination(c, 'a', { host: 'api.example.com', gateway });
    expect(() => new GatewayApiEgressTlsOrigination(c, 'b', { host: 'api.example.com', gateway, name: 'b' }))
      .toThrow(/'host' "api.example.com" is already routed through the Gateway "egress" by 'test\/a'/);
  });
});
