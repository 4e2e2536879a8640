import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { EgressGateway } from '../../src';
import { EgressGatewayMutualTlsOriginationChart, EgressGatewayTlsOriginationChart } from '../../app/egress-gateway-charts';
import { formatFindings, validateManifests } from '../../src/validator';
import { chainProblems } from '../egress-gateway/egress-gateway-util';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'egress-gateway');
const GATEWAY = EgressGateway.fromAttributes();

function yamlFile(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((o) => o);
}

const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const isIstio = (o: any) => o.apiVersion.startsWith('networking.istio.io/');

/** Fails with the path of the first field of `subset` that `actual` lacks or has with another value. */
function expectSuperset(actual: any, subset: any, at = ''): void {
  if (Array.isArray(subset)) {
    expect({ at, length: actual?.length }).toEqual({ at, length: subset.length });
    subset.forEach((v, i) => expectSuperset(actual[i], v, `${at}[${i}]`));
  } else if (subset && typeof subset === 'object') {
    for (const [k, v] of Object.entries(subset)) expectSuperset(actual?.[k], v, `${at}.${k}`);
  } else {
    expect({ at, value: actual }).toEqual({ at, value: subset });
  }
}

describe.each([
  ['egress-gateway-tls-origination', EgressGatewayTlsOriginationChart, 'tls-origination.yaml'],
  ['egress-gateway-mtls-origination', EgressGatewayMutualTlsOriginationChart, 'mtls-origination.yaml'],
])('chart %s', (id, ChartClass, fixture) => {
  const objects = Testing.synth(new ChartClass(Testing.app(), id));
  const task = yamlFile(path.join(FIXTURES, fixture));

  test("emits the task's Istio objects with its names and namespaces", () => {
    expect(objects.filter(isIstio).map(key).sort()).toEqual(task.map(key).sort());
  });

  test("every Istio object has the task's spec, field for field", () => {
    for (const t of task) {
      const ours = objects.find((o) => key(o) === key(t));
      expect(ours.apiVersion).toBe(t.apiVersion);
      expect({ key: key(t), spec: ours.spec }).toEqual({ key: key(t), spec: t.spec });
    }
  });

  test('the chain is consistent: mesh route → gateway subset and server → gateway route → originating DestinationRule', () => {
    expect(chainProblems(objects, GATEWAY)).toEqual([]);
  });

  test('the sleep client of the task runs in the namespace of the routes', () => {
    const sleep = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'sleep');
    expect(sleep.metadata.namespace).toBeUndefined();
    expect(sleep.spec.template.metadata.labels).toMatchObject({ app: 'sleep' });
  });

  test('no Secret and no private key reaches the manifests', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/PRIVATE KEY/);
  });

  test('passes the validator with 0 errors', () => {
    const report = validateManifests(objects);
    expect(formatFindings(report.errors)).toBe('0 error(s), 0 warning(s), 0 note(s)\n');
  });

  test(`dist/${id}.k8s.yaml holds the objects of the chart and passes the validator`, () => {
    const file = yamlFile(path.join(ROOT, 'dist', `${id}.k8s.yaml`));
    expect(file).toEqual(objects);
    expect(validateManifests(file).errors).toEqual([]);
  });

  test('chart labels and a chart namespace flow down to the client-side objects', () => {
    const labelled = Testing.synth(new ChartClass(Testing.app(), 'x', { namespace: 'team-a', labels: { team: 'a' } }));
    for (const o of labelled) expect({ o: key(o), team: o.metadata.labels?.team }).toEqual({ o: key(o), team: 'a' });
    for (const o of labelled.filter((x) => ['ServiceEntry', 'Gateway', 'VirtualService'].includes(x.kind))) expect(o.metadata.namespace).toBe('team-a');
    expect(labelled.find((o) => o.kind === 'DestinationRule' && o.spec.host === GATEWAY.host).metadata.namespace).toBe('team-a');
    expect(chainProblems(labelled, GATEWAY)).toEqual([]);
    expect(validateManifests(labelled).errors).toEqual([]);
  });
});

describe('chart egress-gateway-mtls-origination', () => {
  const objects = Testing.synth(new EgressGatewayMutualTlsOriginationChart(Testing.app(), 'egress-gateway-mtls-origination'));

  test("the nginx Service and Deployment carry every field of the task's, and the Service is not hidden from the gateway", () => {
    for (const t of yamlFile(path.join(FIXTURES, 'mtls-server.yaml'))) {
      const ours = objects.find((o) => key(o) === key(t));
      const copy = JSON.parse(JSON.stringify(t));
      for (const c of copy.spec.template?.spec?.containers ?? []) {
        expect(c.image).toBe('nginx');
        delete c.image; // the one deliberate difference: the image is pinned
      }
      expectSuperset(ours, copy, key(t));
    }
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'my-nginx');
    expect(service.metadata.annotations).toBeUndefined();
  });

  test('the client credential is the existing Secret client-credential, read by the gateway in istio-system', () => {
    const dr = objects.find((o) => o.kind === 'DestinationRule' && o.metadata.name === 'originate-mtls-for-nginx');
    expect(dr.metadata.namespace).toBe(GATEWAY.namespace);
    expect(dr.spec.workloadSelector).toBeUndefined();
    expect(dr.spec.trafficPolicy.portLevelSettings[0].tls.credentialName).toBe('client-credential');
    expect(objects.filter((o) => ['Role', 'RoleBinding', 'ServiceEntry'].includes(o.kind))).toEqual([]);
  });

  test('the validator notes that client-credential must exist in istio-system', () => {
    const note = validateManifests(objects).notes.find((w) => w.ruleId === 'wiring/secret-exists' && w.object.kind === 'DestinationRule');
    expect(note?.message).toMatch(/^could not check that Secret istio-system\/client-credential named by credentialName exists: it is not in the output/);
  });
});

describe('the chain check', () => {
  // the consistency tests above are only worth something if the check sees each broken link
  const fresh = () => Testing.synth(new EgressGatewayTlsOriginationChart(Testing.app(), 'c'));
  const find = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  test.each([
    ['the subset port differs from the mesh route port', (o: any[]) => { find(o, 'DestinationRule', 'egressgateway-for-cnn').spec.subsets[0].trafficPolicy.portLevelSettings[0].port.number = 443; },
      /subset cnn has no TLS settings for port 80/],
    ['the subset is renamed', (o: any[]) => { find(o, 'DestinationRule', 'egressgateway-for-cnn').spec.subsets[0].name = 'other'; }, /defines subset cnn/],
    ['the gateway DestinationRule is in another namespace', (o: any[]) => { find(o, 'DestinationRule', 'egressgateway-for-cnn').metadata.namespace = 'other'; }, /in namespace default defines subset cnn/],
    ['the Gateway server port is not a gateway Service port', (o: any[]) => { find(o, 'Gateway', 'istio-egressgateway').spec.servers[0].port.number = 8080; },
      /Gateway server port 8080 is not a port of the gateway Service/],
    ['the gateway route matches another port', (o: any[]) => { find(o, 'VirtualService', 'direct-cnn-through-egress-gateway').spec.http[1].match[0].port = 443; },
      /the gateway route matches port 443, which is no Gateway server port/],
    ['the originating DestinationRule is on another port', (o: any[]) => { find(o, 'DestinationRule', 'originate-tls-for-edition-cnn-com').spec.trafficPolicy.portLevelSettings[0].port.number = 80; },
      /0 DestinationRules originate TLS for edition.cnn.com port 443/],
    ['the originating DestinationRule is off the lookup path', (o: any[]) => { find(o, 'DestinationRule', 'originate-tls-for-edition-cnn-com').metadata.namespace = 'other'; },
      /the originating DestinationRule is in other, off the gateway's lookup path/],
    ['the Gateway selects other pods', (o: any[]) => { find(o, 'Gateway', 'istio-egressgateway').spec.selector = { istio: 'ingressgateway' }; }, /does not select the gateway pods/],
  ])('sees a broken link when %s', (_what, breakIt, problem) => {
    const objects = fresh();
    breakIt(objects);
    expect(chainProblems(objects, GATEWAY).join('\n')).toMatch(problem);
  });

  test('sees a credential outside the gateway namespace', () => {
    const objects = Testing.synth(new EgressGatewayMutualTlsOriginationChart(Testing.app(), 'c'));
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'client-credential', namespace: 'default' } });
    expect(chainProblems(objects, GATEWAY)).toEqual([expect.stringMatching(/credential client-credential is in default, not the gateway's namespace istio-system/)]);
  });
});

describe('dist/', () => {
  const files = () => fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.yaml')).sort();

  test('one file per task, and each passes the validator on its own', () => {
    expect(files()).toEqual([
      'ambient-egress-tls-origination.k8s.yaml', 'egress-control-lockdown.k8s.yaml', 'egress-gateway-api-mtls-origination.k8s.yaml',
      'egress-gateway-api-tls-origination.k8s.yaml', 'egress-gateway-mtls-origination.k8s.yaml', 'egress-gateway-tls-origination.k8s.yaml',
      'egress-tls-origination.k8s.yaml',
    ]);
    for (const f of files()) expect({ f, errors: validateManifests(yamlFile(path.join(ROOT, 'dist', f))).errors }).toEqual({ f, errors: [] });
  });

  test('the two egress gateway tasks are alternatives: applied together, their Gateways of one name collide', () => {
    // Istio's task names both Gateways default/istio-egressgateway (one for edition.cnn.com, one for my-nginx):
    // applying both files makes the second replace the first.
    const both = ['egress-gateway-mtls-origination.k8s.yaml', 'egress-gateway-tls-origination.k8s.yaml'].flatMap((f) => yamlFile(path.join(ROOT, 'dist', f)));
    const errors = validateManifests(both).errors;
    expect(errors.filter((e) => e.ruleId === 'wiring/duplicate-object').map((e) => `${e.object.kind} ${e.object.namespace}/${e.object.name}`))
      .toEqual(['Gateway default/istio-egressgateway']);
    expect(errors.map((e) => e.ruleId)).toContain('analyzer/host-not-in-gateway');
  });
});
