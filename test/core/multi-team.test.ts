import { ApiObject, App, Chart, Testing } from 'cdk8s';
import {
  AmbientEgressTlsOrigination, EgressGateway, EgressGatewayTlsOrigination, EgressTlsOrigination, EgressWaypoint, GatewayApiEgressGateway,
  GatewayApiEgressTlsOrigination, MutualTlsOrigination, ServiceEntryLocation, SleepClient, TlsCredential,
} from '../../src';
import { validateManifests } from '../../src/validator';
import { GATEWAY_ELSEWHERE_ANNOTATION } from '../../src/validator/rules';
import { chart } from '../support/util';

/** `kind ns/name` → spec.exportTo of every object of the app's charts (`-` when not set). */
function exportTos(app: App): Record<string, string[] | '-'> {
  const out: Record<string, string[] | '-'> = {};
  for (const o of app.charts.flatMap((c) => c.toJson())) {
    if (o.apiVersion.startsWith('networking.istio.io/')) out[`${o.kind} ${o.metadata.namespace}/${o.metadata.name}`] = o.spec.exportTo ?? '-';
  }
  return out;
}

function errors(objects: any[]): string[] {
  return validateManifests(objects).findings.filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}: ${f.message}`);
}

/** The app of issue 12: a gateway chart, and a prod and a staging chart each with its own sidecar client. */
function multiTeamApp(exportTo: string[] | undefined) {
  const app = Testing.app();
  const gateways = new Chart(app, 'gateways', { namespace: 'istio-egress' });
  const gatewayApi = new GatewayApiEgressGateway(gateways, 'egress');
  const prod = new Chart(app, 'prod', { namespace: 'prod' });
  const staging = new Chart(app, 'staging', { namespace: 'staging' });
  new SleepClient(prod, 'sleep');
  new SleepClient(staging, 'sleep');
  const gateway = EgressGateway.fromAttributes(); // istio-egressgateway in istio-system, installed out of band
  new EgressGatewayTlsOrigination(prod, 'cnn', { host: 'edition.cnn.com', gateway, exportTo });
  new GatewayApiEgressTlsOrigination(prod, 'httpbin', { host: 'httpbin.org', gateway: gatewayApi, exportTo });
  new GatewayApiEgressTlsOrigination(staging, 'github', { host: 'api.github.com', gateway: gatewayApi, exportTo });
  return app;
}

describe('multi-team layout: exportTo on the egress gateway originations', () => {
  test("exportTo ['.'] synthesizes with 0 errors and no JSON patch; the gateway's namespace is added where the gateway must see an object", () => {
    // GIVEN the app of four charts
    const app = multiTeamApp(['.']);
    // WHEN
    const objects = app.charts.flatMap((c) => c.toJson());
    // THEN
    expect(errors(objects)).toEqual([]);
    expect(app.charts.flatMap((c) => c.node.findAll()).some((n) => n instanceof ApiObject && (n as any).patches?.length)).toBe(false);
    expect(exportTos(app)).toEqual({
      'DestinationRule istio-egress/egress-istio': '-',
      // Istio API gateway in istio-system: ServiceEntry, VirtualService and the originating DestinationRule are seen by the gateway
      'ServiceEntry prod/edition-cnn-com': ['.', 'istio-system'],
      'Gateway prod/egressgateway-for-edition-cnn-com': '-',
      'DestinationRule prod/egressgateway-for-edition-cnn-com': ['.'],
      'VirtualService prod/direct-edition-cnn-com-through-egress-gateway': ['.', 'istio-system'],
      'DestinationRule prod/originate-tls-for-edition-cnn-com': ['.', 'istio-system'],
      // Gateway API gateway in istio-egress
      'ServiceEntry prod/httpbin-org': ['.', 'istio-egress'],
      'DestinationRule istio-egress/originate-tls-for-httpbin-org': ['.', 'prod'],
      'ServiceEntry staging/api-github-com': ['.', 'istio-egress'],
      'DestinationRule istio-egress/originate-tls-for-api-github-com': ['.', 'staging'],
    });
  });

  test('without exportTo the output is unchanged, and the staging sidecars fail wiring/dr-visibility (the issue)', () => {
    const app = multiTeamApp(undefined);
    expect(Object.values(exportTos(app)).every((v) => v === '-')).toBe(true);
    expect(errors(app.charts.flatMap((c) => c.toJson())).filter((e) => e.startsWith('wiring/dr-visibility'))).toHaveLength(1);
  });

  test('clients of several namespaces: the origination in the gateway namespace, exported to both', () => {
    // GIVEN
    const app = Testing.app();
    const system = new Chart(app, 'system', { namespace: 'istio-system' });
    new SleepClient(new Chart(app, 'prod', { namespace: 'prod' }), 'sleep');
    new SleepClient(new Chart(app, 'staging', { namespace: 'staging' }), 'sleep');
    // WHEN
    new EgressGatewayTlsOrigination(system, 'cnn', { host: 'edition.cnn.com', exportTo: ['prod', 'staging'] });
    // THEN the subset DestinationRule lives in the gateway Service's namespace: every listed namespace finds it
    expect(errors(app.charts.flatMap((c) => c.toJson()))).toEqual([]);
    expect(exportTos(app)).toEqual({
      'ServiceEntry istio-system/edition-cnn-com': ['.', 'prod', 'staging'],
      'Gateway istio-system/egressgateway-for-edition-cnn-com': '-',
      'DestinationRule istio-system/egressgateway-for-edition-cnn-com': ['.', 'prod', 'staging'],
      'VirtualService istio-system/direct-edition-cnn-com-through-egress-gateway': ['.', 'prod', 'staging'],
      'DestinationRule istio-system/originate-tls-for-edition-cnn-com': ['.', 'prod', 'staging'],
    });
  });

  test("mutual TLS: the originating DestinationRule in the gateway's namespace is exported there and to the clients'", () => {
    const c = chart({ namespace: 'shop' });
    const o = new EgressGatewayTlsOrigination(c, 'nginx', {
      host: 'my-nginx.example.com', credential: TlsCredential.fromExistingSecret('client-credential'), exportTo: ['shop'],
    });
    expect(o.destinationRule.toJson().metadata.namespace).toBe('istio-system');
    expect(o.destinationRule.toJson().spec.exportTo).toEqual(['.', 'shop']);
    expect(o.virtualService.toJson().spec.exportTo).toEqual(['.', 'istio-system']);
    expect(o.gatewayDestinationRule.toJson().spec.exportTo).toEqual(['.']);
  });

  test("a namespace of the gateway's own listed explicitly is not duplicated", () => {
    const c = chart({ namespace: 'shop' });
    const o = new EgressGatewayTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', exportTo: ['.', 'istio-system'] });
    expect(o.serviceEntry!.toJson().spec.exportTo).toEqual(['.', 'istio-system']);
    expect(o.gatewayDestinationRule.toJson().spec.exportTo).toEqual(['.', 'istio-system']);
  });

  test.each([
    [['staging'], /'exportTo' must list only '.' \(namespace "shop"\) and optionally the gateway's namespace "istio-system" \(got \["staging"\], which exports to "staging"\): Istio applies the DestinationRule with the gateway subset \("egressgateway-for-edition-cnn-com" in namespace "shop"\) only to sidecars of namespace "shop", so sidecars of other namespaces would get the route to subset "edition-cnn-com" and fail with 503 cluster_not_found/],
    [['.', 'staging'], /which exports to "staging"/],
    [['*'], /which exports to every namespace\): .*put the origination in the gateway's namespace "istio-system" and list them there/],
    [['istio-system'], /'exportTo' must include '.' \(namespace "shop"\) \(got \["istio-system"\]\): only sidecars of namespace "shop" can use this origination/],
    [['~'], /'exportTo' must not contain '~'/],
    [['.', 'shop'], /must not list both '.' and the own namespace "shop"/],
  ])('EgressGatewayTlsOrigination fails when exportTo is %j', (exportTo, message) => {
    const c = chart({ namespace: 'shop' });
    expect(() => new EgressGatewayTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', exportTo })).toThrow(message);
  });

  test('EgressGatewayTlsOrigination fails when a namespace is named but the own namespace is unknown', () => {
    expect(() => new EgressGatewayTlsOrigination(chart(), 'cnn', { host: 'edition.cnn.com', exportTo: ['shop'] }))
      .toThrow(/set 'namespace' to name "shop" as the origination's own namespace/);
  });

  test("GatewayApiEgressTlsOrigination: '*' stays '*'; a Service host without ServiceEntry exports the mesh VirtualService to the list only", () => {
    const c = chart({ namespace: 'shop' });
    const gateway = new GatewayApiEgressGateway(c, 'egress', { namespace: 'istio-egress' });
    const all = new GatewayApiEgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', gateway, exportTo: ['*'] });
    expect(all.serviceEntry!.toJson().spec.exportTo).toEqual(['*']);
    expect(all.destinationRule.toJson().spec.exportTo).toEqual(['*']);
    const svc = new GatewayApiEgressTlsOrigination(c, 'nginx', { host: 'my-nginx.mesh-external.svc.cluster.local', gateway, exportTo: ['.'] });
    expect(svc.meshRoute.toJson().kind).toBe('VirtualService');
    expect(svc.meshRoute.toJson().spec.exportTo).toEqual(['.']);
    expect(svc.destinationRule.toJson().spec.exportTo).toEqual(['.', 'shop']);
  });

  test("GatewayApiEgressTlsOrigination fails when exportTo contains '~'", () => {
    const c = chart({ namespace: 'shop' });
    const gateway = new GatewayApiEgressGateway(c, 'egress');
    expect(() => new GatewayApiEgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', gateway, exportTo: ['~'] })).toThrow(/'exportTo' must not contain '~'/);
  });

  test("AmbientEgressTlsOrigination: the waypoint's namespace is always in the list", () => {
    const c = chart();
    const waypoint = new EgressWaypoint(c, 'waypoint');
    const o = new AmbientEgressTlsOrigination(c, 'httpbin', { host: 'httpbin.org', waypoint, exportTo: ['shop'] });
    expect(o.serviceEntry.toJson().spec.exportTo).toEqual(['.', 'shop']);
    expect(o.destinationRule.toJson().spec.exportTo).toEqual(['.', 'shop']);
    expect(() => new AmbientEgressTlsOrigination(c, 'bad', { host: 'bad.example.com', waypoint, exportTo: ['~'] })).toThrow(/'exportTo' must not contain '~'/);
  });
});

describe('location', () => {
  test('every origination that emits a ServiceEntry takes location; unset emits none', () => {
    const c = chart({ namespace: 'shop' });
    const sleep = new SleepClient(c, 'sleep');
    const gatewayApi = new GatewayApiEgressGateway(c, 'egress');
    const waypoint = new EgressWaypoint(c, 'waypoint');
    const location = ServiceEntryLocation.MESH_EXTERNAL;
    const ses = [
      new EgressTlsOrigination(c, 'a', { host: 'a.example.com', location }).serviceEntry,
      new MutualTlsOrigination(c, 'b', { host: 'b.example.com', client: sleep, credential: TlsCredential.fromExistingSecret('b'), location: ServiceEntryLocation.MESH_INTERNAL }).serviceEntry,
      new EgressGatewayTlsOrigination(c, 'c', { host: 'c.example.com', location }).serviceEntry!,
      new GatewayApiEgressTlsOrigination(c, 'd', { host: 'd.example.com', gateway: gatewayApi, location }).serviceEntry!,
      new AmbientEgressTlsOrigination(c, 'e', { host: 'e.example.com', waypoint, location }).serviceEntry,
      new EgressTlsOrigination(c, 'f', { host: 'f.example.com' }).serviceEntry,
    ];
    expect(ses.map((se) => se.toJson().spec.location)).toEqual(['MESH_EXTERNAL', 'MESH_INTERNAL', 'MESH_EXTERNAL', 'MESH_EXTERNAL', 'MESH_EXTERNAL', undefined]);
  });

  test('fails when location is not a ServiceEntryLocation', () => {
    expect(() => new EgressTlsOrigination(chart(), 'a', { host: 'a.example.com', location: 'EXTERNAL' as any }))
      .toThrow("'location' must be one of MESH_EXTERNAL, MESH_INTERNAL (got \"EXTERNAL\")");
  });

  test('fails when location is given without a ServiceEntry', () => {
    expect(() => new EgressGatewayTlsOrigination(chart(), 'a', { host: 'a.example.com', createServiceEntry: false, location: ServiceEntryLocation.MESH_EXTERNAL }))
      .toThrow(/'location' has no effect without a ServiceEntry/);
  });
});

describe('GatewayApiEgressGateway.fromAttributes', () => {
  test('emits nothing; originations through it emit only their own objects, annotated for what the owner must grant', () => {
    // GIVEN a gateway owned by another repository
    const gateway = GatewayApiEgressGateway.fromAttributes({ name: 'egress', namespace: 'istio-egress' });
    const c = chart({ namespace: 'shop' });
    new SleepClient(c, 'sleep');
    // WHEN
    const o = new GatewayApiEgressTlsOrigination(c, 'nginx', {
      host: 'nginx.example.com', gateway, credential: TlsCredential.fromExistingSecret('client-credential'), exportTo: ['.'],
    });
    const objects = Testing.synth(c);
    // THEN no ReferenceGrant, no Gateway, no SDS Role or RoleBinding
    expect(gateway.deployedElsewhere).toBe(true);
    expect(gateway.host).toBe('egress-istio.istio-egress.svc.cluster.local');
    expect(objects.map((x) => `${x.kind} ${x.metadata.namespace}/${x.metadata.name}`)).toEqual([
      'ServiceAccount shop/sleep', 'Service shop/sleep', 'Deployment shop/sleep',
      'ServiceEntry shop/nginx-example-com', 'HTTPRoute shop/direct-nginx-example-com-to-egress-gateway',
      'HTTPRoute istio-egress/forward-nginx-example-com-from-egress-gateway', 'DestinationRule istio-egress/originate-mtls-for-nginx-example-com',
    ]);
    expect(o.meshRoute.toJson().metadata.annotations).toEqual({ [GATEWAY_ELSEWHERE_ANNOTATION]: 'true' });
    expect(o.destinationRule.toJson().metadata.annotations).toEqual({ [GATEWAY_ELSEWHERE_ANNOTATION]: 'true' });
    expect(o.meshRoute.toJson().spec.rules[0].backendRefs).toEqual([{ name: 'egress-istio', namespace: 'istio-egress', port: 80 }]);
    // and the validator notes what it could not check instead of failing
    const report = validateManifests(objects);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.findings.filter((f) => f.ruleId === 'wiring/reference-grant').map((f) => [f.severity, f.message])).toEqual([[
      'note', 'the gateway is deployed elsewhere: could not check that its owner grants HTTPRoutes of "shop" access to Service istio-egress/egress-istio (without a ReferenceGrant, Istio ignores the backend: RefNotPermitted)',
    ]]);
  });

  test('the same origination through a gateway of this app: the gateway emits the grants in its own chart', () => {
    const app = Testing.app();
    const gatewayChart = new Chart(app, 'gateway', { namespace: 'istio-egress' });
    const gateway = new GatewayApiEgressGateway(gatewayChart, 'egress');
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const o = new GatewayApiEgressTlsOrigination(shop, 'nginx', { host: 'nginx.example.com', gateway, credential: TlsCredential.fromExistingSecret('client-credential') });
    expect(gatewayChart.toJson().map((x) => `${x.kind} ${x.metadata.name}`)).toEqual([
      'Gateway egress', 'DestinationRule egress-istio', 'ReferenceGrant egress-istio-from-shop', 'Role egress-istio-sds', 'RoleBinding egress-istio-sds',
    ]);
    expect(o.meshRoute.toJson().metadata.annotations).toBeUndefined();
    expect(validateManifests([...gatewayChart.toJson(), ...shop.toJson()]).findings.filter((f) => f.ruleId === 'wiring/reference-grant')).toEqual([]);
  });

  test('listeners and apiVersion are taken from the attributes', () => {
    const gateway = GatewayApiEgressGateway.fromAttributes({ name: 'egress', namespace: 'egress', listeners: [{ name: 'cnn', port: 443, hostname: 'edition.cnn.com' }] });
    const o = new GatewayApiEgressTlsOrigination(chart({ namespace: 'shop' }), 'cnn', { host: 'edition.cnn.com', gateway });
    expect(o.gatewayPort).toBe(443);
    expect(() => new GatewayApiEgressTlsOrigination(chart(), 'other', { host: 'other.example.com', gateway }))
      .toThrow(/'host' must be accepted by a listener of the Gateway "egress"/);
  });

  test.each([
    [{ namespace: 'egress' }, /'name' must be a Gateway name/],
    [{ name: 'egress' }, /'namespace' must be a Kubernetes namespace name/],
    [{ name: 'egress', namespace: 'egress', destinationRuleName: 'x' }, /GatewayApiEgressGateway.fromAttributes: unknown prop 'destinationRuleName'/],
  ])('fails when the attributes are %j', (attrs, message) => {
    expect(() => GatewayApiEgressGateway.fromAttributes(attrs as any)).toThrow(message);
  });
});
