import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { MeshExternalNginx, MeshWorkload, MutualTlsOrigination, SleepClient, TlsCredential } from '../../src';
import { API_VERSIONS, KubeKind } from '../../src/private/k8s-object';
import { buildApp } from '../../app/main';
import type { CertificateBundle } from '../../src/certificates';
import { loadsCdk8sPlus } from '../support/loading';
import { chart, one, testCertificates } from '../support/util';

// The constructs emit their Kubernetes objects as plain ApiObjects (src/k8s-object.ts), not with cdk8s-plus-28's
// bindings, whose 4.7 MB of JavaScript synth would otherwise load: the JSON must stay what the bindings render.

let certs: CertificateBundle;
beforeAll(async () => {
  certs = await testCertificates();
});

/** What cdk8s-plus-28's `k8s.Kube<Kind>` renders for an object whose resolved JSON is `o` (its toJson()). */
function asBinding(o: any): any {
  const toJson = (k8s as any)[`toJson_Kube${o.kind}Props`] as (props: any) => any;
  return { apiVersion: o.apiVersion, kind: o.kind, ...toJson(o) };
}

/** Every object of `objects` that src/k8s-object.ts emits. */
function kubeObjects(objects: any[]): any[] {
  return objects.filter((o) => (API_VERSIONS as Record<string, string>)[o.kind] === o.apiVersion);
}

/** Every construct configured with every prop that reaches a Kubernetes object (but resources and securityContext). */
function fullyConfigured(): Chart {
  const c = chart({ namespace: 'apps', labels: { team: 'egress' } });
  const sleep = new SleepClient(c, 'sleep', { name: 'curl', namespace: 'apps', podLabels: { app: 'curl', tier: 'debug' }, injectSidecar: false, runAsUser: 1000 });
  const nginx = new MeshExternalNginx(c, 'nginx', {
    namespace: 'outside', name: 'tls-server', exportTo: ['.', 'istio-system'], configMapName: 'conf', port: 8443,
    serverCertificate: TlsCredential.fromPem({ secretName: 'server', certificate: certs.server.cert, privateKey: certs.server.key }),
    caCertificate: TlsCredential.fromPem({ secretName: 'ca', caCertificate: certs.ca.cert }), replicas: 2,
  });
  new MutualTlsOrigination(c, 'mtls', {
    host: nginx.host, httpsPort: nginx.port, client: MeshWorkload.fromAttributes({ namespace: 'apps', serviceAccountName: sleep.serviceAccountName, podLabels: sleep.podLabels }),
    credential: TlsCredential.fromPem({ secretName: 'client', certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.ca.cert }),
    roleName: 'read-client', roleBindingName: 'read-client-binding',
  });
  return c;
}

describe('Kubernetes objects without cdk8s-plus-28', () => {
  test('the main app renders each Kubernetes object as cdk8s-plus-28 does, key order included', () => {
    // GIVEN the main app
    const app = buildApp({ outdir: path.join(__dirname, 'unused') });
    // WHEN it is synthesized
    const objects = app.charts.flatMap((c) => kubeObjects(c.toJson()));
    // THEN every kind of src/k8s-object.ts is there, and each object is what the binding renders
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(['ServiceAccount', 'Service', 'Deployment', 'Namespace', 'ConfigMap', 'Role', 'RoleBinding']));
    for (const o of objects) expect(JSON.stringify(o)).toBe(JSON.stringify(asBinding(o)));
  });

  test('fully configured constructs (Secrets from PEM, chart labels and namespace) render as cdk8s-plus-28 does', () => {
    // GIVEN constructs with every prop that reaches a Kubernetes object
    const c = fullyConfigured();
    // WHEN synthesized
    const objects = kubeObjects(Testing.synth(c));
    // THEN the kinds are all there, and each object is what the binding renders
    const kinds = new Set(objects.map((o) => o.kind as KubeKind));
    expect(kinds).toEqual(new Set(Object.keys(API_VERSIONS)));
    for (const o of objects) expect(JSON.stringify(o)).toBe(JSON.stringify(asBinding(o)));
  });

  test('the Namespace of MeshExternalNginx ignores the chart namespace, as before', () => {
    // GIVEN a chart with a namespace
    const c = chart({ namespace: 'apps' });
    // WHEN
    new MeshExternalNginx(c, 'nginx');
    // THEN
    expect(one(c, 'Namespace').metadata).toEqual({ name: 'mesh-external', labels: { 'istio-injection': 'disabled' } });
  });
});

describe('user values of cdk8s-plus-28 types', () => {
  test('MeshExternalNginx resources (k8s.Quantity) and securityContext render as cdk8s-plus-28 renders them', () => {
    // GIVEN resources as Quantity objects, from strings and numbers, and a full security context
    const c = chart();
    const resources: k8s.ResourceRequirements = {
      limits: { cpu: k8s.Quantity.fromNumber(1), memory: k8s.Quantity.fromString('64Mi') },
      requests: { memory: k8s.Quantity.fromString('32Mi'), cpu: k8s.Quantity.fromString('100m') },
    };
    const securityContext: k8s.SecurityContext = {
      runAsUser: 101, runAsNonRoot: true, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      seccompProfile: { type: 'RuntimeDefault' }, seLinuxOptions: { level: 's0:c123,c456' },
    };
    // WHEN
    new MeshExternalNginx(c, 'nginx', { resources, securityContext });
    // THEN the quantities are rendered by value, keys sorted, as the binding does
    const container = one(c, 'Deployment').spec.template.spec.containers[0];
    expect(JSON.stringify(container.resources)).toBe('{"limits":{"cpu":1,"memory":"64Mi"},"requests":{"cpu":"100m","memory":"32Mi"}}');
    expect(JSON.stringify(container.securityContext)).toBe(JSON.stringify({
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 101,
      seLinuxOptions: { level: 's0:c123,c456' }, seccompProfile: { type: 'RuntimeDefault' },
    }));
  });

  test('keys cdk8s-plus-28 does not render (an untyped caller) are dropped as before', () => {
    // GIVEN a security context with a key that is no field of it (from JavaScript)
    const c = chart();
    const securityContext = { runAsUser: 101, notAField: true } as k8s.SecurityContext;
    // WHEN
    new MeshExternalNginx(c, 'nginx', { securityContext });
    // THEN the binding drops it, as it did
    expect(one(c, 'Deployment').spec.template.spec.containers[0].securityContext).toEqual({ runAsUser: 101 });
  });

  test('SleepClient resources (k8s.Quantity) render as cdk8s-plus-28 renders them', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new SleepClient(c, 'sleep', { resources: { limits: { cpu: k8s.Quantity.fromString('50m') } } });
    // THEN
    const deployment = one(c, 'Deployment');
    expect(JSON.stringify(deployment.spec.template.spec.containers[0].resources)).toBe('{"limits":{"cpu":"50m"}}');
  });
});

describe('loading', () => {
  /** Builds `make`'s app with freshly loaded sources and renders its charts; answers whether cdk8s-plus-28 was loaded. */
  const loadsPlus = (make: (lib: typeof import('../../src'), cdk8s: typeof import('cdk8s')) => import('cdk8s').App): boolean => loadsCdk8sPlus(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const app = make(require('../../src'), require('cdk8s'));
    for (const c of app.charts) c.toJson();
  });

  test('synthesizing the main app does not load cdk8s-plus-28', () => {
    // GIVEN / WHEN the main app is built and rendered / THEN
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(loadsPlus(() => require('../../app/main').buildApp({ outdir: 'unused' }))).toBe(false);
  });

  test('resources given as k8s.Quantity load cdk8s-plus-28, to render them', () => {
    // GIVEN / WHEN a SleepClient with resources / THEN
    expect(loadsPlus((lib, { App, Chart }) => {
      const app = new App({ outdir: 'unused' });
      const quantity = { value: '10m' }; // shaped as k8s.Quantity, without loading it here
      new lib.SleepClient(new Chart(app, 'c'), 'sleep', { resources: { limits: { cpu: quantity as any } } });
      return app;
    })).toBe(true);
  });
});
