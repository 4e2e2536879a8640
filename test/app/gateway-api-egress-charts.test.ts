import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { GatewayApiEgressMutualTlsOriginationChart, GatewayApiEgressTlsOriginationChart } from '../../app/gateway-api-egress-charts';
import { formatFindings, validateManifests } from '../../src/validator';
import { gatewayApiChainProblems } from '../egress-gateway/egress-gateway-util';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(__dirname, '..', 'fixtures');

function yamlFile(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((o) => o);
}

const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const isTaskKind = (o: any) => /^(networking\.istio\.io|gateway\.networking\.k8s\.io|rbac\.authorization\.k8s\.io)\//.test(o.apiVersion);
// the existing Gateway API fixture holds the cnn task and part of the nginx one: its cnn objects are the first task
const cnnTask = () => yamlFile(path.join(FIXTURES, 'gateway-api', 'egress-gateway.yaml')).filter((o) => !/nginx/.test(JSON.stringify(o)));
const nginxTask = () => yamlFile(path.join(FIXTURES, 'egress-gateway-api', 'mtls-origination.yaml'));

const gatewayOf = (name: string, namespace = 'default') => ({ name, namespace, serviceName: `${name}-istio`, host: `${name}-istio.${namespace}.svc.cluster.local` });

describe.each([
  ['egress-gateway-api-tls-origination', GatewayApiEgressTlsOriginationChart, cnnTask, 'cnn-egress-gateway'],
  ['egress-gateway-api-mtls-origination', GatewayApiEgressMutualTlsOriginationChart, nginxTask, 'nginx-egressgateway'],
])('chart %s', (id, ChartClass, fixture, gatewayName) => {
  const objects = Testing.synth(new ChartClass(Testing.app(), id));
  const task = fixture();

  test("emits the task's Istio, Gateway API and RBAC objects with its names and namespaces", () => {
    expect(objects.filter(isTaskKind).map(key).sort()).toEqual(task.map(key).sort());
  });

  test("every object has the task's API version and spec, field for field", () => {
    for (const t of task) {
      const ours = objects.find((o) => key(o) === key(t));
      expect({ key: key(t), apiVersion: ours.apiVersion }).toEqual({ key: key(t), apiVersion: t.apiVersion });
      if (t.spec) expect({ key: key(t), spec: ours.spec }).toEqual({ key: key(t), spec: t.spec });
      if (t.metadata.annotations) expect(ours.metadata.annotations).toEqual(t.metadata.annotations);
      if (t.rules) expect(ours.rules).toEqual(t.rules);
      if (t.roleRef) expect(ours.roleRef).toEqual(t.roleRef);
      // the task's subject has no namespace (the RoleBinding's is meant); the construct writes it
      if (t.subjects) expect(ours.subjects).toEqual(t.subjects.map((s: any) => ({ ...s, namespace: s.namespace ?? t.metadata.namespace })));
    }
  });

  test('the chain is consistent: ServiceEntry route → <gw>-istio listener with Istio mTLS → gateway route → originating DestinationRule', () => {
    expect(gatewayApiChainProblems(objects, gatewayOf(gatewayName))).toEqual([]);
  });

  test('no Secret and no private key reaches the manifests', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/PRIVATE KEY/);
  });

  test('passes the validator with 0 errors', () => {
    expect(formatFindings(validateManifests(objects).errors)).toBe('0 error(s), 0 warning(s), 0 note(s)\n');
  });

  test(`dist/${id}.k8s.yaml holds the objects of the chart and passes the validator on its own`, () => {
    const file = yamlFile(path.join(ROOT, 'dist', `${id}.k8s.yaml`));
    expect(file).toEqual(objects);
    expect(validateManifests(file).errors).toEqual([]);
  });

  test('a chart namespace and labels flow down to every namespaced object, and the chain still holds', () => {
    const labelled = Testing.synth(new ChartClass(Testing.app(), 'x', { namespace: 'team-a', labels: { team: 'a' } }));
    for (const o of labelled) expect({ o: key(o), team: o.metadata.labels?.team }).toEqual({ o: key(o), team: 'a' });
    for (const o of labelled.filter((x) => isTaskKind(x) && x.kind !== 'ReferenceGrant')) expect({ o: key(o), ns: o.metadata.namespace }).toEqual({ o: key(o), ns: 'team-a' });
    expect(gatewayApiChainProblems(labelled, gatewayOf(gatewayName, 'team-a'))).toEqual([]);
    expect(validateManifests(labelled).errors).toEqual([]);
  });
});

describe('chart egress-gateway-api-mtls-origination', () => {
  const objects = Testing.synth(new GatewayApiEgressMutualTlsOriginationChart(Testing.app(), 'c'));

  test('the client credential is the existing Secret client-credential of the gateway namespace, which the validator says must exist', () => {
    const dr = objects.find((o) => o.kind === 'DestinationRule' && o.metadata.name === 'originate-mtls-for-nginx');
    expect(dr.metadata.namespace).toBe('default');
    expect(dr.spec.workloadSelector).toBeUndefined();
    const note = validateManifests(objects).notes.find((w) => w.ruleId === 'wiring/secret-exists' && w.object.kind === 'DestinationRule');
    expect(note?.message).toMatch(/^could not check that Secret default\/client-credential named by credentialName exists: it is not in the output/);
  });

  test("the nginx Service is not hidden from the gateway (no exportTo annotation) and is the task's", () => {
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'my-nginx');
    expect(service.metadata.annotations).toBeUndefined();
    expect(service.metadata.namespace).toBe('mesh-external');
  });
});

describe('the Gateway API chain check', () => {
  // the consistency tests above are only worth something if the check sees each broken link
  const GW = gatewayOf('cnn-egress-gateway');
  const fresh = () => Testing.synth(new GatewayApiEgressTlsOriginationChart(Testing.app(), 'c'));
  const find = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  test.each([
    ['the mesh route sends to another port', (o: any[]) => { find(o, 'HTTPRoute', 'direct-cnn-to-egress-gateway').spec.rules[0].backendRefs[0].port = 443; }, /backend port 443 is no listener port/],
    ['the mesh route sends to another Service', (o: any[]) => { find(o, 'HTTPRoute', 'direct-cnn-to-egress-gateway').spec.rules[0].backendRefs[0].name = 'cnn-egress-gateway'; }, /is not the gateway Service default\/cnn-egress-gateway-istio/],
    ['the gateway DestinationRule has no ISTIO_MUTUAL', (o: any[]) => { find(o, 'DestinationRule', 'egressgateway-for-cnn').spec.trafficPolicy.portLevelSettings[0].tls.mode = 'DISABLE'; }, /sets ISTIO_MUTUAL on port 80/],
    ['the SNI is not the listener hostname', (o: any[]) => { find(o, 'DestinationRule', 'egressgateway-for-cnn').spec.trafficPolicy.portLevelSettings[0].tls.sni = 'other.example.com'; }, /not the listener hostname edition.cnn.com/],
    ['the forward route sends to another port', (o: any[]) => { find(o, 'HTTPRoute', 'forward-cnn-from-egress-gateway').spec.rules[0].backendRefs[0].port = 80; }, /0 DestinationRules originate TLS for edition.cnn.com port 80/],
    ['the forward route is in another namespace', (o: any[]) => { find(o, 'HTTPRoute', 'forward-cnn-from-egress-gateway').metadata.namespace = 'other'; }, /the listeners only allow routes of default/],
    ['the originating DestinationRule is off the lookup path', (o: any[]) => { find(o, 'DestinationRule', 'originate-tls-for-edition-cnn-com').metadata.namespace = 'other'; }, /off the gateway's lookup path/],
    ['the listener does not terminate Istio mutual TLS', (o: any[]) => { delete find(o, 'Gateway', 'cnn-egress-gateway').spec.listeners[0].tls.options; }, /does not terminate Istio mutual TLS/],
  ])('sees a broken link when %s', (_what, breakIt, problem) => {
    const objects = fresh();
    breakIt(objects);
    expect(gatewayApiChainProblems(objects, GW).join('\n')).toMatch(problem);
  });

  test('sees missing RBAC and a missing ReferenceGrant in the mutual TLS task', () => {
    const objects = Testing.synth(new GatewayApiEgressMutualTlsOriginationChart(Testing.app(), 'c'))
      .filter((o) => o.kind !== 'RoleBinding' && o.kind !== 'ReferenceGrant');
    const problems = gatewayApiChainProblems(objects, gatewayOf('nginx-egressgateway')).join('\n');
    expect(problems).toMatch(/ServiceAccount default\/nginx-egressgateway-istio may not get, list and watch the Secrets of default/);
    expect(problems).toMatch(/no ReferenceGrant in mesh-external lets HTTPRoutes of default use Service my-nginx/);
  });
});
