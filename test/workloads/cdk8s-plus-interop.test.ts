import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EgressTlsOrigination, MeshWorkload, MutualTlsOrigination, TlsCredential } from '../../src';
import { REMOTE_CLIENT_ANNOTATION } from '../../src/validator/rules';
import { validateManifests } from '../../src/validator';
import { loadsCdk8sPlus } from '../support/loading';
import { chart, one } from '../support/util';

const HOST = 'payments.example.com';
const IMAGE = 'example/checkout:1.4.2';
/** Pods of the Istio egress tasks: a sidecar, a container cdk8s-plus-28 accepts as it is. */
const injected = { podMetadata: { labels: { 'sidecar.istio.io/inject': 'true' } } };
const container = { image: IMAGE, portNumber: 8080 };

/** Every cdk8s-plus-28 kind with pods, made the way its docs show, with a sidecar label on the pods. */
const WORKLOADS: Array<[string, (c: Chart, sa?: kplus.IServiceAccount) => kplus.AbstractPod]> = [
  ['Deployment', (c, sa) => new kplus.Deployment(c, 'checkout', { ...injected, serviceAccount: sa, containers: [container] })],
  ['StatefulSet', (c, sa) => new kplus.StatefulSet(c, 'checkout', {
    ...injected, serviceAccount: sa, containers: [container],
    service: new kplus.Service(c, 'checkout-svc', { ports: [{ port: 8080 }], clusterIP: 'None' }),
  })],
  ['DaemonSet', (c, sa) => new kplus.DaemonSet(c, 'checkout', { ...injected, serviceAccount: sa, containers: [container] })],
  ['Job', (c, sa) => new kplus.Job(c, 'checkout', { ...injected, serviceAccount: sa, containers: [container] })],
  ['CronJob', (c, sa) => new kplus.CronJob(c, 'checkout', { ...injected, schedule: Cron.daily(), serviceAccount: sa, containers: [container] })],
  ['Pod', (c, sa) => new kplus.Pod(c, 'checkout', { metadata: { labels: { 'sidecar.istio.io/inject': 'true' } }, serviceAccount: sa, containers: [container] })],
];

/** The labels the pods of a synthesized workload get (`spec.template` or, for a Pod, its own metadata). */
function podLabelsOf(o: any): Record<string, string> {
  return o.kind === 'Pod' ? o.metadata.labels : o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.metadata.labels : o.spec.template.metadata.labels;
}

describe('a cdk8s-plus-28 workload as the client (MeshWorkload.fromWorkload)', () => {
  test.each(WORKLOADS)('a %s is the client of MutualTlsOrigination: its selector, its service account and its chart\'s namespace', (kind, make) => {
    // GIVEN a cdk8s-plus-28 workload with its own ServiceAccount in a namespaced chart
    const c = chart({ namespace: 'shop' });
    const sa = new kplus.ServiceAccount(c, 'sa', { metadata: { name: 'checkout' } });
    const workload = make(c, sa);
    // WHEN it is the client of a mutual TLS origination
    new MutualTlsOrigination(c, 'mtls', {
      host: HOST, client: MeshWorkload.fromWorkload(workload), credential: TlsCredential.fromExistingSecret('checkout-credential'),
    });
    // THEN the DestinationRule selects exactly its pods, in its namespace, and its service account reads the credential
    const objects = Testing.synth(c);
    const pods = objects.find((o) => o.kind === kind);
    const dr = objects.find((o) => o.kind === 'DestinationRule');
    const selector = dr.spec.workloadSelector.matchLabels;
    // (a Job and a CronJob have no selector in their spec: Kubernetes adds one; their pods carry the address label)
    expect(selector).toEqual(kind === 'Pod' || kind.endsWith('Job') ? podLabelsOf(pods) : pods.spec.selector.matchLabels);
    expect(Object.keys(selector)).toContain('cdk8s.io/metadata.addr');
    expect(podLabelsOf(pods)).toEqual(expect.objectContaining(selector));
    expect(dr.metadata.namespace).toBe('shop');
    expect(dr.metadata.annotations?.[REMOTE_CLIENT_ANNOTATION]).toBeUndefined();
    const binding = objects.find((o) => o.kind === 'RoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'checkout', namespace: 'shop' }]);
    expect(binding.metadata.annotations?.[REMOTE_CLIENT_ANNOTATION]).toBeUndefined();
    // and the validator, which checks the pods (they are in the output: selector, sidecar, service account) and each
    // workload against its upstream schema, finds no error
    const errors = validateManifests(objects).errors.map((f) => f.ruleId);
    expect(errors).toEqual([]);
  });

  test('a workload without a service account runs as "default", which cdk8s-plus-28 leaves out of the pod spec', () => {
    // GIVEN a Deployment without serviceAccount (cdk8s-plus-28 needs automountServiceAccountToken then)
    const c = chart({ namespace: 'shop' });
    const deployment = new kplus.Deployment(c, 'checkout', { ...injected, automountServiceAccountToken: true, containers: [container] });
    // WHEN it is the client
    const client = MeshWorkload.fromWorkload(deployment);
    new MutualTlsOrigination(c, 'mtls', { host: HOST, client, credential: TlsCredential.fromExistingSecret('checkout-credential') });
    // THEN its service account is "default", as Kubernetes runs the pods
    const objects = Testing.synth(c);
    expect(objects.find((o) => o.kind === 'Deployment').spec.template.spec.serviceAccountName).toBeUndefined();
    expect(client.serviceAccountName).toBe('default');
    expect(client.deployedElsewhere).toBe(false);
    expect(objects.find((o) => o.kind === 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'default', namespace: 'shop' }]);
    expect(validateManifests(objects).errors.filter((f) => f.ruleId.startsWith('wiring/'))).toEqual([]);
  });

  test('the workload\'s own metadata.namespace wins over the chart\'s, and the origination follows it', () => {
    // GIVEN a Deployment pinned to namespace "payments" in a chart of namespace "shop"
    const c = chart({ namespace: 'shop' });
    const deployment = new kplus.Deployment(c, 'checkout', { ...injected, metadata: { namespace: 'payments' }, automountServiceAccountToken: true, containers: [container] });
    // WHEN it is the client of a SIMPLE origination
    const origination = new EgressTlsOrigination(c, 'tls', { host: HOST, client: MeshWorkload.fromWorkload(deployment) });
    // THEN the DestinationRule is in its namespace and selects its pods
    expect(origination.namespace).toBe('payments');
    const dr = one(c, 'DestinationRule');
    expect(dr.metadata.namespace).toBe('payments');
    expect(dr.spec.workloadSelector.matchLabels).toEqual(deployment.matchLabels);
  });

  test('a workload in a chart without namespace has none, like a SleepClient', () => {
    // GIVEN / WHEN
    const client = MeshWorkload.fromWorkload(new kplus.Deployment(chart(), 'checkout', { automountServiceAccountToken: true, containers: [container] }));
    // THEN
    expect(client.namespace).toBeUndefined();
  });

  test('a workload with select: false gives the labels its pods have', () => {
    // GIVEN a Deployment that selects its pods by a label of its own
    const c = chart();
    const deployment = new kplus.Deployment(c, 'checkout', {
      select: false, podMetadata: { labels: { app: 'checkout', 'sidecar.istio.io/inject': 'true' } }, automountServiceAccountToken: true, containers: [container],
    });
    deployment.select(kplus.LabelSelector.of({ labels: { app: 'checkout' } }));
    // WHEN / THEN the selector is used
    expect(MeshWorkload.fromWorkload(deployment).podLabels).toEqual({ app: 'checkout' });
    // and a Pod without other labels gives the address label cdk8s-plus-28 puts on every pod
    const pod = new kplus.Pod(c, 'pod', { automountServiceAccountToken: true, containers: [container] });
    expect(MeshWorkload.fromWorkload(pod).podLabels).toEqual({ [kplus.Pod.ADDRESS_LABEL]: pod.podMetadata.getLabel(kplus.Pod.ADDRESS_LABEL) });
  });

  test('fails when given a SleepClient or something that is not a cdk8s-plus workload, naming the factory and what it got', () => {
    // GIVEN / WHEN / THEN a ServiceAccount (a construct without pods)
    const c = chart();
    const sa = new kplus.ServiceAccount(c, 'sa');
    expect(() => MeshWorkload.fromWorkload(sa as any))
      .toThrow(/^MeshWorkload\.fromWorkload: 'workload' must be a cdk8s-plus workload \(Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod\) \(got a ServiceAccount \(construct "test\/sa"\)\)$/);
    expect(() => MeshWorkload.fromWorkload(undefined as any)).toThrow(/^MeshWorkload\.fromWorkload: 'workload' must be .* \(got undefined\)$/);
    expect(() => MeshWorkload.fromWorkload(MeshWorkload.fromAttributes({ serviceAccountName: 'a', podLabels: { app: 'a' } }) as any))
      .toThrow(/\(got an object with keys namespace, serviceAccountName, podLabels, deployedElsewhere\); a SleepClient or an IMeshWorkload is a client as it is$/);
  });

  test('fails when the workload\'s pods run as a service account whose name Kubernetes refuses, naming the workload', () => {
    // GIVEN a ServiceAccount reference with a bad name
    const c = chart();
    const sa = kplus.ServiceAccount.fromServiceAccountName(c, 'sa', 'Bad_Name');
    const deployment = new kplus.Deployment(c, 'checkout', { serviceAccount: sa, containers: [container] });
    // WHEN / THEN
    expect(() => MeshWorkload.fromWorkload(deployment)).toThrow(/^MeshWorkload\.fromWorkload: 'serviceAccount\.name of "test\/checkout"' must be a Kubernetes object name .*\(got "Bad_Name"\)$/);
  });

  test('loading the library and taking a workload by its shape does not load cdk8s-plus-28', () => {
    // GIVEN freshly loaded sources of the library
    const loaded = loadsCdk8sPlus(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const lib: typeof import('../../src') = require('../../src');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { App, Chart }: typeof import('cdk8s') = require('cdk8s');
      const c = new Chart(new App({ outdir: 'unused' }), 'c', { namespace: 'shop' });
      // WHEN an object shaped like a cdk8s-plus-28 Deployment becomes a client
      const meta = (labels: Record<string, string>, namespace?: string) => ({ namespace, toJson: () => ({ labels }) });
      const workload = { node: { path: 'c/checkout' }, metadata: meta({}, 'shop'), podMetadata: meta({ app: 'checkout' }), matchLabels: { app: 'checkout' } };
      new lib.EgressTlsOrigination(c, 'tls', { host: 'payments.example.com', client: lib.MeshWorkload.fromWorkload(workload as any) });
      c.toJson();
    });
    // THEN
    expect(loaded).toBe(false);
  });
});

describe('cdk8s-plus-28 ServiceAccounts and Namespaces where a name is taken', () => {
  test('MeshWorkload.fromAttributes takes a cdk8s-plus-28 ServiceAccount instead of serviceAccountName', () => {
    // GIVEN the ServiceAccount of a workload deployed elsewhere, made in this app
    const c = chart({ namespace: 'shop' });
    const sa = new kplus.ServiceAccount(c, 'sa', { metadata: { name: 'checkout' } });
    // WHEN it names the client's service account
    const client = MeshWorkload.fromAttributes({ serviceAccount: sa, podLabels: { app: 'checkout' } });
    new MutualTlsOrigination(c, 'mtls', { host: HOST, client, credential: TlsCredential.fromExistingSecret('checkout-credential') });
    // THEN the RoleBinding binds it, and the validator finds it in the output
    const objects = Testing.synth(c);
    expect(client.serviceAccountName).toBe('checkout');
    expect(objects.find((o) => o.kind === 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'checkout', namespace: 'shop' }]);
    // and a reference by name works the same
    expect(MeshWorkload.fromAttributes({ serviceAccount: kplus.ServiceAccount.fromServiceAccountName(c, 'ref', 'payments'), podLabels: { app: 'p' } }).serviceAccountName)
      .toBe('payments');
  });

  test('fails when given both or neither of serviceAccount and serviceAccountName, or a name as serviceAccount', () => {
    // GIVEN
    const sa = new kplus.ServiceAccount(chart(), 'sa', { metadata: { name: 'checkout' } });
    // WHEN / THEN
    expect(() => MeshWorkload.fromAttributes({ serviceAccount: sa, serviceAccountName: 'checkout', podLabels: { app: 'a' } }))
      .toThrow(/^MeshWorkload\.fromAttributes: give exactly one of 'serviceAccountName' and 'serviceAccount' \(got both\)$/);
    expect(() => MeshWorkload.fromAttributes({ podLabels: { app: 'a' } })).toThrow(/\(got neither\)$/);
    expect(() => MeshWorkload.fromAttributes({ serviceAccount: 'checkout' as any, podLabels: { app: 'a' } }))
      .toThrow(/^MeshWorkload\.fromAttributes: 'serviceAccount' must be a cdk8s-plus ServiceAccount \(got "checkout"\); give a name as 'serviceAccountName'$/);
  });

  test('a cdk8s-plus-28 Namespace gives its name to every namespace prop', () => {
    // GIVEN a Namespace of this app
    const c = chart();
    const ns = new kplus.Namespace(c, 'shop', { metadata: { name: 'shop' } });
    // WHEN its name is the namespace of an origination and of a workload
    const deployment = new kplus.Deployment(c, 'checkout', { ...injected, metadata: { namespace: ns.name }, automountServiceAccountToken: true, containers: [container] });
    new EgressTlsOrigination(c, 'tls', { host: HOST, namespace: ns.name, client: MeshWorkload.fromWorkload(deployment) });
    // THEN both are in it
    const objects = Testing.synth(c);
    expect(objects.filter((o) => o.kind === 'DestinationRule' || o.kind === 'ServiceEntry').map((o) => o.metadata.namespace)).toEqual(['shop', 'shop']);
    expect(validateManifests(objects).findings.filter((f) => f.ruleId === 'wiring/namespace-exists')).toEqual([]);
  });

  test('fails when given the Namespace or ServiceAccount itself where its name goes, saying to give its name', () => {
    // GIVEN
    const c = chart();
    const ns = new kplus.Namespace(c, 'shop', { metadata: { name: 'shop' } });
    const sa = new kplus.ServiceAccount(c, 'sa', { metadata: { name: 'checkout' } });
    // WHEN / THEN (from JavaScript, or TypeScript with a cast)
    expect(() => new EgressTlsOrigination(c, 'tls', { host: HOST, namespace: ns as any }))
      .toThrow(/^test\/tls: 'namespace' must be a Kubernetes namespace name .*\(got a Namespace \(construct "test\/shop"\)\); give its name instead \(\.name, here "shop"\)$/);
    expect(() => MeshWorkload.fromAttributes({ serviceAccountName: sa as any, podLabels: { app: 'a' } }))
      .toThrow(/^MeshWorkload\.fromAttributes: 'serviceAccountName' must be a Kubernetes object name .*\(got a ServiceAccount \(construct "test\/sa"\)\); give its name instead \(\.name, here "checkout"\)$/);
  });
});

test('fails when a cdk8s-plus workload is given as the client itself (from JavaScript), saying to wrap it', () => {
  // GIVEN
  const c = chart();
  const deployment = new kplus.Deployment(c, 'checkout', { automountServiceAccountToken: true, containers: [container] });
  // WHEN / THEN: before, "'client.serviceAccountName' must be ... (got undefined)"
  expect(() => new MutualTlsOrigination(c, 'mtls', { host: HOST, client: deployment as any, credential: TlsCredential.fromExistingSecret('c') }))
    .toThrow(/^test\/mtls: 'client' must be an IMeshWorkload \(got a Deployment \(construct "test\/checkout"\)\): wrap a cdk8s-plus workload with MeshWorkload\.fromWorkload\(\.\.\.\)$/);
});
