import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { AmbientEgressTlsOrigination, EgressWaypoint, Resolution, WaypointTrafficType } from '../../src';
import { AmbientEgressTlsOriginationChart } from '../../app/topology-charts';
import { validateManifests } from '../../src/validator';
import { chart } from '../support/util';

const ROOT = path.resolve(__dirname, '../..');
const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const yamlFile = (file: string) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((o) => o);

describe('chart ambient-egress-tls-origination', () => {
  const objects = Testing.synth(new AmbientEgressTlsOriginationChart(Testing.app(), 'ambient-egress-tls-origination'));
  const task = yamlFile(path.join(__dirname, '..', 'fixtures', 'ambient-egress', 'tls-origination.yaml'));

  test("emits the task's objects with its names, API versions, labels and specs", () => {
    // THEN the same objects, field for field
    expect(objects.map(key).sort()).toEqual(task.map(key).sort());
    for (const t of task) {
      const ours = objects.find((o) => key(o) === key(t));
      expect({ key: key(t), apiVersion: ours.apiVersion, labels: ours.metadata.labels, spec: ours.spec })
        .toEqual({ key: key(t), apiVersion: t.apiVersion, labels: t.metadata.labels, spec: t.spec });
    }
  });

  test('dist/ambient-egress-tls-origination.k8s.yaml holds the chart and passes the validator on its own', () => {
    expect(validateManifests(objects).errors).toEqual([]);
    const file = yamlFile(path.join(ROOT, 'dist', 'ambient-egress-tls-origination.k8s.yaml'));
    expect(file).toEqual(objects);
    expect(validateManifests(file).errors).toEqual([]);
  });
});

describe('EgressWaypoint', () => {
  test('defaults: the enrolled namespace istio-egress and the waypoint Gateway istioctl creates', () => {
    const c = chart({ namespace: 'apps' });
    const wp = new EgressWaypoint(c, 'wp');
    const [ns, gw] = Testing.synth(c);
    expect(ns).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-egress', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } } });
    expect(gw.metadata).toEqual({ name: 'waypoint', namespace: 'istio-egress', labels: { 'istio.io/waypoint-for': 'service' } });
    expect(wp.namespace).toBe('istio-egress');
  });

  test('createNamespace false emits the Gateway only; trafficType ALL labels it all', () => {
    const c = chart();
    new EgressWaypoint(c, 'wp', { createNamespace: false, trafficType: WaypointTrafficType.ALL, name: 'egress', namespace: 'egress' });
    expect(Testing.synth(c).map((o) => [key(o), o.metadata.labels])).toEqual([['Gateway/egress/egress', { 'istio.io/waypoint-for': 'all' }]]);
  });

  test.each([
    ['a traffic type of workload only', { trafficType: 'workload' }, /'trafficType' must be one of service, all/],
    ['a bad namespace', { namespace: 'Egress' }, /'namespace' must be a Kubernetes namespace name/],
    ['a misspelt prop', { nmespace: 'x' }, /unknown prop 'nmespace' \(did you mean 'namespace'\?\)/],
  ])('fails when given %s', (_what, props, message) => {
    expect(() => new EgressWaypoint(chart(), 'wp', props as any)).toThrow(message);
  });
});

describe('AmbientEgressTlsOrigination', () => {
  test('defaults: ServiceEntry 80 → 443 and SIMPLE origination in the waypoint namespace, no AuthorizationPolicy', () => {
    const c = chart();
    const waypoint = new EgressWaypoint(c, 'wp');
    const o = new AmbientEgressTlsOrigination(c, 'api', { host: 'api.example.com', waypoint, sni: 'api.example.com' });
    expect(o.authorizationPolicy).toBeUndefined();
    expect(o.serviceEntry.toJson().spec.ports).toEqual([{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 443 }]);
    expect(o.destinationRule.toJson().metadata).toEqual({ name: 'api-example-com-tls', namespace: 'istio-egress' });
    expect(o.destinationRule.toJson().spec).toEqual({ host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'api.example.com' } } });
    expect(validateManifests(Testing.synth(c)).errors).toEqual([]);
  });

  test.each([
    ['a client credential (MUTUAL)', { credential: {} }, /'credential' is refused: mutual TLS origination at a waypoint is not a supported Istio path: .*istio\/istio#55329/],
    ['resolution NONE', { resolution: Resolution.NONE }, /'resolution' must be DNS or DNS_ROUND_ROBIN: the waypoint resolves the host itself/],
    ['lower-case methods', { allowedMethods: ['get'] }, /'allowedMethods' must be a non-empty list of HTTP methods in upper case/],
    ['a path without slash', { allowedPaths: ['get'] }, /'allowedPaths' must be a non-empty list of paths starting with "\/"/],
    ['no waypoint', { waypoint: undefined }, /'waypoint' must be an EgressWaypoint/],
    ['a wildcard host', { host: '*.example.com' }, /'host' must not be a wildcard here/],
  ])('fails when given %s', (_what, props, message) => {
    const c = chart();
    const waypoint = new EgressWaypoint(c, 'wp');
    expect(() => new AmbientEgressTlsOrigination(c, 'o', { host: 'api.example.com', waypoint, ...props } as any)).toThrow(message);
  });
});
