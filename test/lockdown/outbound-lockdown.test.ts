import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  AllowedHostProtocol, EgressGateway, EgressGatewayTlsOrigination, EgressTlsOrigination, GatewayApiEgressGateway, GatewayApiEgressTlsOrigination,
  MutualTlsOrigination, OutboundLockdown, Resolution, SleepClient, TlsCredential,
} from '../../src';
import { EgressControlLockdownChart } from '../../app/topology-charts';
import { validateManifests } from '../../src/validator';
import { chart } from '../support/util';

const ROOT = path.resolve(__dirname, '../..');
const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const yamlFile = (file: string) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((o) => o);
const sidecar = (objects: any[]) => objects.find((o) => o.kind === 'Sidecar');

describe('chart egress-control-lockdown', () => {
  const objects = Testing.synth(new EgressControlLockdownChart(Testing.app(), 'egress-control-lockdown'));

  test("the sleep namespace is REGISTRY_ONLY and reaches the task's allow-listed hosts through its ServiceEntries", () => {
    // THEN the task's ServiceEntries, field for field
    const task = yamlFile(path.join(__dirname, '..', 'fixtures', 'egress-control', 'service-entries.yaml'));
    for (const t of task) expect(objects.find((o) => key(o) === key(t))?.spec).toEqual(t.spec);
    // and the namespace-wide Sidecar
    expect(sidecar(objects)).toEqual({
      apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default' },
      spec: { egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
    });
  });

  test('dist/egress-control-lockdown.k8s.yaml holds the chart and passes the validator on its own', () => {
    expect(validateManifests(objects).errors).toEqual([]);
    const file = yamlFile(path.join(ROOT, 'dist', 'egress-control-lockdown.k8s.yaml'));
    expect(file).toEqual(objects);
    expect(validateManifests(file).errors).toEqual([]);
  });
});

describe('OutboundLockdown', () => {
  test('allow() imports the host and the egress gateway Service, and the NetworkPolicy lets the pods reach DNS and istio-system only', () => {
    // GIVEN the sleep client's namespace, routed through the installed egress gateway
    const c = chart({ namespace: 'apps' });
    new SleepClient(c, 'sleep');
    const cnn = new EgressGatewayTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', gateway: EgressGateway.fromAttributes() });
    // WHEN
    new OutboundLockdown(c, 'lockdown', { networkPolicy: true }).allow(cnn);
    // THEN
    const objects = Testing.synth(c);
    expect(sidecar(objects).spec.egress).toEqual([{ hosts: ['./*', 'istio-system/istio-egressgateway.istio-system.svc.cluster.local'] }]);
    const np = objects.find((o) => o.kind === 'NetworkPolicy');
    expect(key(np)).toBe('NetworkPolicy/apps/restrict-egress');
    expect(np.spec).toEqual({
      podSelector: { matchExpressions: [{ key: 'gateway.networking.k8s.io/gateway-name', operator: 'DoesNotExist' }] },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }] },
        { to: [{ podSelector: {} }] },
      ],
    });
    expect(validateManifests(objects).errors).toEqual([]);
  });

  test('a Gateway API gateway in another namespace is imported and reachable; selected workloads only', () => {
    const c = chart();
    const gateway = new GatewayApiEgressGateway(c, 'egress', { namespace: 'egress' });
    const o = new GatewayApiEgressTlsOrigination(c, 'api', { host: 'api.example.com', gateway, namespace: 'apps' });
    new OutboundLockdown(c, 'lockdown', { namespace: 'apps', workloadSelector: { app: 'sleep' }, networkPolicy: true, importOwnNamespace: false }).allow(o);
    const objects = Testing.synth(c);
    expect(sidecar(objects).metadata).toEqual({ name: 'lockdown', namespace: 'apps' });
    expect(sidecar(objects).spec.workloadSelector).toEqual({ labels: { app: 'sleep' } });
    expect(sidecar(objects).spec.egress[0].hosts).toEqual(['./api.example.com', 'egress/egress-istio.egress.svc.cluster.local']);
    const np = objects.find((x) => x.kind === 'NetworkPolicy');
    expect(np.metadata.name).toBe('lockdown-egress');
    expect(np.spec.podSelector).toEqual({ matchLabels: { app: 'sleep' } });
    expect(np.spec.egress[1].to.map((t: any) => t.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['egress', 'istio-system']);
    expect(np.spec.egress).toHaveLength(2);
  });

  test('sidecar originations and allowed hosts are imported from their namespaces', () => {
    const c = chart();
    const sleep = new SleepClient(c, 'sleep');
    const lockdown = new OutboundLockdown(c, 'lockdown', { additionalEgressHosts: ['istio-system/*'] });
    lockdown.allow(new EgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', namespace: 'shared' }));
    lockdown.allow(new MutualTlsOrigination(c, 'mtls', { host: 'partner.example.com', client: sleep, credential: TlsCredential.fromExistingSecret('client-credential') }));
    lockdown.allowHost({ host: 'httpbin.org', port: 80, protocol: AllowedHostProtocol.HTTP });
    const objects = Testing.synth(c);
    expect(sidecar(objects).spec.egress[0].hosts).toEqual(['./*', 'shared/edition.cnn.com', 'istio-system/*']);
    expect(objects.find((o) => o.kind === 'ServiceEntry' && o.metadata.name === 'httpbin-org').spec)
      .toEqual({ hosts: ['httpbin.org'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS', location: 'MESH_EXTERNAL' });
    expect(validateManifests(objects).errors).toEqual([]);
  });

  test('fails when a sidecar origination is allowed with the NetworkPolicy, which blocks it', () => {
    const c = chart();
    const lockdown = new OutboundLockdown(c, 'lockdown', { networkPolicy: true });
    expect(() => lockdown.allow(new EgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com' })))
      .toThrow(/'test\/cnn' originates TLS to edition.cnn.com at the sidecar, so the traffic leaves from the pod itself, which the NetworkPolicy of 'test\/lockdown' blocks/);
    expect(() => lockdown.allowHost({ host: 'httpbin.org' })).toThrow(/'host' "httpbin.org" would be called from the pods directly, which the NetworkPolicy/);
  });

  test('fails when an origination with resolution NONE is allowed (Host spoofing)', () => {
    const c = chart();
    const o = new EgressTlsOrigination(c, 'w', { host: 'api.example.com', resolution: Resolution.NONE, originateTls: false });
    expect(() => new OutboundLockdown(c, 'lockdown').allow(o)).toThrow(/declares api.example.com with resolution NONE: .*spoofing the Host header; use resolution DNS/);
  });

  test("fails when the origination only serves another namespace's clients", () => {
    const c = chart();
    const o = new EgressGatewayTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', namespace: 'team-b' });
    expect(() => new OutboundLockdown(c, 'lockdown', { namespace: 'team-a' }).allow(o))
      .toThrow(/'test\/cnn' only serves clients of namespace "team-b", not the locked-down namespace "team-a"/);
  });

  test.each([
    ['an allowed host with resolution NONE', (l: OutboundLockdown) => l.allowHost({ host: 'httpbin.org', resolution: Resolution.NONE }), /'resolution' must be DNS or DNS_ROUND_ROBIN/],
    ['a wildcard allowed host', (l: OutboundLockdown) => l.allowHost({ host: '*.example.com' }), /'host' must not be a wildcard here/],
    ['one ServiceEntry name twice', (l: OutboundLockdown) => { l.allowHost({ host: 'a.example.com', name: 'x' }); l.allowHost({ host: 'b.example.com', name: 'x' }); }, /'name' "x" is already the ServiceEntry of allowed host "a.example.com"/],
    ['something that is no origination', (l: OutboundLockdown) => l.allow({} as any), /'origination' must be an origination construct of this library/],
  ])('fails when given %s', (_what, act, message) => {
    expect(() => act(new OutboundLockdown(chart(), 'lockdown'))).toThrow(message);
  });

  test.each([
    ['an egress host without namespace', { additionalEgressHosts: ['api.example.com'] }, /'additionalEgressHosts\[0\]' must be a host in Istio's "namespace\/dnsName" form/],
    ['an egress host that excludes a namespace (Istio 1.31 only)', { additionalEgressHosts: ['*/*', '~prod-us2/*'] }, /'additionalEgressHosts\[1\]' must not exclude a namespace \(got "~prod-us2\/\*"\): Istio 1\.31 accepts Sidecar egress exclusions \("~namespace\/host"\), Istio 1\.30 refuses them, and this construct emits what both releases accept/],
    ['an empty workload selector', { workloadSelector: {} }, /'workloadSelector' must contain at least one label/],
    ['a NetworkPolicy name without NetworkPolicy', { networkPolicyName: 'x' }, /'networkPolicyName' has no effect without 'networkPolicy: true'/],
    ['a misspelt prop', { networkPolicies: true }, /unknown prop 'networkPolicies' \(did you mean 'networkPolicy'\?\)/],
  ])('fails when constructed with %s', (_what, props, message) => {
    expect(() => new OutboundLockdown(chart(), 'lockdown', props as any)).toThrow(message);
  });
});
