/**
 * End-to-end: mutual TLS origination at an Istio egress gateway, proven link by link on the synthesized
 * objects and, for the last hop, against the REAL nginx run from the synthesized manifests.
 *
 * For each scenario:
 *  1. synthesize the chart; generate certificates for the server host (src/certificates.ts) and supply them
 *     as the out-of-band Secrets: the server's in its namespace, the client credential in the GATEWAY's;
 *  2. derive the whole chain from the objects alone (test/e2e/gateway-chain.ts): the client's plaintext
 *     call -> mesh route -> gateway subset (ISTIO_MUTUAL, sni) -> Gateway server -> gateway route -> the
 *     host's ServiceEntry or Service -> the DestinationRule originating TLS at the gateway -> the credential
 *     Secret in the gateway's namespace; then the server behind the target (test/e2e/manifests.ts);
 *  3. in private namespaces (test/e2e/sandbox.ts), run nginx with the mounted ConfigMap/Secrets under the
 *     container's securityContext, and connect as the gateway would (test/e2e/client.js): the derived SNI,
 *     the derived credential, verifying the server with the credential's CA.
 *
 * The sidecar -> gateway hop (Istio mutual TLS, Envoy) is not run: it is checked on the objects only.
 * Needs nginx, unshare (util-linux) and ip (iproute2): `sudo scripts/ci-install.sh`. Without them the
 * nginx part is skipped with a loud message, except under CI=true where it fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { EgressGateway, EgressGatewayTlsOrigination, MeshExternalNginx, SleepClient, TlsCredential } from '../../src';
import { CertificateBundle, generateCertificates, secretManifests } from '../../src/certificates';
import { EgressGatewayMutualTlsOriginationChart, EgressGatewayTlsOriginationChart } from '../../app/egress-gateway-charts';
import { chainProblems } from '../egress-gateway/egress-gateway-util';
import { seedNginxConf } from '../support/seed';
import { GatewayChain, deriveGatewayChain } from './gateway-chain';
import { Manifest, ServerSide, deriveServer } from './manifests';
import { e2ePrerequisites, lastHopTests } from './last-hop';
import type { Tools } from './sandbox';

jest.setTimeout(30_000);

const { tools, describeE2e } = e2ePrerequisites('nginx egress gateway mTLS e2e');

const TASK_HOST = 'my-nginx.mesh-external.svc.cluster.local';
const TASK_URL = `http://${TASK_HOST}`;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** Certificates per server host (RSA key generation dominates the run time; scenarios with the same host share). */
const bundles = new Map<string, Promise<CertificateBundle>>();
const certsFor = (host: string, keyAlgorithm?: 'ECDSA-P256') => {
  const k = `${host}/${keyAlgorithm ?? ''}`;
  if (!bundles.has(k)) bundles.set(k, generateCertificates({ serverHost: host, keyAlgorithm }));
  return bundles.get(k)!;
};
/** A client certificate from an unrelated CA (same subject names, other keys). */
let foreign: Promise<CertificateBundle> | undefined;
const foreignCerts = () => (foreign ??= generateCertificates({ keyAlgorithm: 'ECDSA-P256' }));

function yamlFile(file: string): Manifest[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((o) => o);
}

/** The task's own YAML, verbatim: the nginx server, the Istio objects, and the ConfigMap made from its nginx.conf. */
function taskManifests(): Manifest[] {
  const dir = path.join(__dirname, '..', 'fixtures', 'egress-gateway');
  const configMap: Manifest = {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nginx-configmap', namespace: 'mesh-external' },
    data: { 'nginx.conf': seedNginxConf() },
  };
  return [configMap, ...yamlFile(path.join(dir, 'mtls-server.yaml')), ...yamlFile(path.join(dir, 'mtls-origination.yaml'))];
}

/** The mTLS chart of the task, with the out-of-band Secrets as `kubectl create secret` makes them. */
async function taskChart(): Promise<{ objects: Manifest[]; certs: CertificateBundle }> {
  const objects = Testing.synth(new EgressGatewayMutualTlsOriginationChart(Testing.app(), 'egress-gateway-mtls-origination')) as Manifest[];
  return { objects, certs: await certsFor(TASK_HOST) };
}

interface ScenarioDef {
  readonly title: string;
  /** Synthesizes the objects; Secrets the manifests do not hold come back as `clusterSecrets`. */
  readonly build: () => Promise<{ objects: Manifest[]; clusterSecrets: Manifest[]; certs: CertificateBundle }>;
  readonly url: string;
  readonly clientNamespace: string;
  readonly gateway?: EgressGateway;
  /** What the chain must resolve to. */
  readonly expected: Record<string, unknown>;
}

const CUSTOM_GATEWAY = EgressGateway.fromAttributes({
  namespace: 'egress',
  serviceName: 'egress-gw',
  podLabels: { istio: 'egress-gw' },
  ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'tls', port: 9443, targetPort: 19443 }],
});

const scenarios: ScenarioDef[] = [
  {
    title: 'EgressGatewayMutualTlsOriginationChart (the task: default -> istio-egressgateway:443 -> my-nginx:443)',
    build: async () => {
      const { objects, certs } = await taskChart();
      const clusterSecrets = secretManifests(certs, { namespace: 'mesh-external', clientNamespace: 'istio-system' }) as unknown as Manifest[];
      return { objects, clusterSecrets, certs };
    },
    url: TASK_URL,
    clientNamespace: 'default',
    expected: {
      meshRoute: 'VirtualService default/direct-nginx-through-egress-gateway spec.http[0] subset nginx port 443',
      gatewaySubset: 'DestinationRule default/egressgateway-for-nginx sni my-nginx.mesh-external.svc.cluster.local',
      gatewayServer: 'Gateway default/istio-egressgateway spec.servers[0] 443 -> 8443',
      gatewayRoute: 'VirtualService default/direct-nginx-through-egress-gateway spec.http[1] -> my-nginx.mesh-external.svc.cluster.local:443',
      registry: 'Service mesh-external/my-nginx',
      origination: 'DestinationRule istio-system/originate-mtls-for-nginx MUTUAL',
      sni: TASK_HOST,
      credential: 'istio-system/client-credential',
      target: 'my-nginx.mesh-external.svc.cluster.local:443',
      containerPort: 443,
    },
  },
  {
    title: "reference: the task's own YAML, verbatim (checks the derivation and the harness against the task itself)",
    build: async () => {
      const certs = await certsFor(TASK_HOST);
      const clusterSecrets = secretManifests(certs, { namespace: 'mesh-external', clientNamespace: 'istio-system' }) as unknown as Manifest[];
      return { objects: taskManifests(), clusterSecrets, certs };
    },
    url: TASK_URL,
    clientNamespace: 'default',
    expected: {
      meshRoute: 'VirtualService default/direct-nginx-through-egress-gateway spec.http[0] subset nginx port 443',
      gatewaySubset: 'DestinationRule default/egressgateway-for-nginx sni my-nginx.mesh-external.svc.cluster.local',
      gatewayServer: 'Gateway default/istio-egressgateway spec.servers[0] 443 -> 8443',
      gatewayRoute: 'VirtualService default/direct-nginx-through-egress-gateway spec.http[1] -> my-nginx.mesh-external.svc.cluster.local:443',
      registry: 'Service mesh-external/my-nginx',
      origination: 'DestinationRule istio-system/originate-mtls-for-nginx MUTUAL',
      sni: TASK_HOST,
      credential: 'istio-system/client-credential',
      target: 'my-nginx.mesh-external.svc.cluster.local:443',
      containerPort: 443,
    },
  },
  {
    title: 'non-default (gateway egress/egress-gw:9443, client in apps calling :8080, tls-echo.edge-ext:8443, credential fromPem, subjectAltNames)',
    build: async () => {
      const host = 'tls-echo.edge-ext.svc.cluster.local';
      const certs = await certsFor(host, 'ECDSA-P256');
      const chart = Testing.chart();
      const client = new SleepClient(chart, 'sleep', { namespace: 'apps', name: 'curl' });
      const nginx = new MeshExternalNginx(chart, 'nginx', {
        namespace: 'edge-ext', name: 'tls-echo', port: 8443, exportTo: ['.', CUSTOM_GATEWAY.namespace],
      });
      new EgressGatewayTlsOrigination(chart, 'echo', {
        host: nginx.host,
        httpsPort: nginx.port,
        namespace: client.namespace,
        httpPort: 8080,
        gateway: CUSTOM_GATEWAY,
        gatewayPort: 9443,
        subjectAltNames: [host],
        credential: TlsCredential.fromPem({
          secretName: 'echo-client', certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.ca.cert,
        }),
      });
      // only the server's Secrets come out of band; the credential Secret is in the manifests (gateway namespace)
      const clusterSecrets = (secretManifests(certs, { namespace: 'edge-ext' }) as unknown as Manifest[]).filter((s) => s.metadata.namespace === 'edge-ext');
      return { objects: Testing.synth(chart) as Manifest[], clusterSecrets, certs };
    },
    url: 'http://tls-echo.edge-ext.svc.cluster.local:8080',
    clientNamespace: 'apps',
    gateway: CUSTOM_GATEWAY,
    expected: {
      meshRoute: 'VirtualService apps/direct-tls-echo-edge-ext-svc-cluster-local-through-egr-8c166a93 spec.http[0] subset tls-echo-edge-ext-svc-cluster-local port 9443',
      gatewaySubset: 'DestinationRule apps/egressgateway-for-tls-echo-edge-ext-svc-cluster-local sni tls-echo.edge-ext.svc.cluster.local',
      gatewayServer: 'Gateway apps/egressgateway-for-tls-echo-edge-ext-svc-cluster-local spec.servers[0] 9443 -> 19443',
      gatewayRoute: 'VirtualService apps/direct-tls-echo-edge-ext-svc-cluster-local-through-egr-8c166a93 spec.http[1] -> tls-echo.edge-ext.svc.cluster.local:8443',
      registry: 'Service edge-ext/tls-echo',
      origination: 'DestinationRule egress/originate-mtls-for-tls-echo-edge-ext-svc-cluster-local MUTUAL',
      sni: 'tls-echo.edge-ext.svc.cluster.local',
      credential: 'egress/echo-client',
      target: 'tls-echo.edge-ext.svc.cluster.local:8443',
      containerPort: 8443,
    },
  },
];

/** The chain in one line per link, for exact comparisons. */
function summary(chain: GatewayChain, server?: ServerSide): Record<string, unknown> {
  return {
    meshRoute: `${chain.meshRoute.virtualService} ${chain.meshRoute.route} subset ${chain.meshRoute.subset} port ${chain.meshRoute.gatewayPort}`,
    gatewaySubset: `${chain.gatewaySubset.destinationRule} sni ${chain.gatewaySubset.sni}`,
    gatewayServer: `${chain.gatewayServer.gateway} ${chain.gatewayServer.server} ${chain.gatewayServer.port} -> ${chain.gatewayServer.targetPort}`,
    gatewayRoute: `${chain.gatewayRoute.virtualService} ${chain.gatewayRoute.route} -> ${chain.gatewayRoute.host}:${chain.gatewayRoute.port}`,
    registry: chain.registry.object,
    origination: `${chain.origination.destinationRule} ${chain.origination.mode}`,
    sni: chain.sni,
    credential: chain.credential?.secret,
    target: `${chain.target.host}:${chain.target.port}`,
    ...(server ? { containerPort: server.containerPort } : {}),
  };
}

/** Pure derivation: needs no nginx. */
describe.each(scenarios)('egress gateway chain derivation: $title', (def) => {
  test('the call resolves link by link to the expected target, SNI and credential', async () => {
    // GIVEN the synthesized objects and the out-of-band Secrets
    const { objects, clusterSecrets } = await def.build();
    // WHEN the chain is derived from the client's plaintext call
    const chain = deriveGatewayChain(objects, { url: def.url, clientNamespace: def.clientNamespace, gateway: def.gateway, clusterSecrets });
    const server = deriveServer(objects, chain.target.host, chain.target.port, { clusterSecrets });
    // THEN every link is the expected object, and the chain checker on objects agrees
    expect(summary(chain, server)).toEqual(def.expected);
    expect(chain.hops).toHaveLength(8);
    expect(chainProblems(objects, def.gateway ?? EgressGateway.fromAttributes())).toEqual([]);
  });
});

describe('egress gateway chain derivation: charts and the task agree', () => {
  test('the mTLS chart derives to the same chain, credential and server mounts as the task YAML', async () => {
    // GIVEN the chart and the task's own YAML with the same out-of-band Secrets
    const { objects, certs } = await taskChart();
    const clusterSecrets = secretManifests(certs, { namespace: 'mesh-external', clientNamespace: 'istio-system' }) as unknown as Manifest[];
    const full = (objs: Manifest[]) => {
      const chain = deriveGatewayChain(objs, { url: TASK_URL, clientNamespace: 'default', clusterSecrets });
      const server = deriveServer(objs, chain.target.host, chain.target.port, { clusterSecrets });
      return {
        hops: chain.hops, credential: chain.credential, verifyNames: chain.verifyNames,
        mounts: server.mounts.map((m) => ({ path: m.mountPath, ro: m.readOnly, files: Object.keys(m.files).sort() })),
      };
    };
    // WHEN both are derived / THEN they are the same, link for link
    expect(full(objects)).toEqual(full(taskManifests()));
  });

  test('the SIMPLE chart (edition.cnn.com) derives to SIMPLE origination at the gateway, auto SNI, no credential, the ServiceEntry with DNS', () => {
    // GIVEN the cnn chart of the task
    const objects = Testing.synth(new EgressGatewayTlsOriginationChart(Testing.app(), 'egress-gateway-tls-origination')) as Manifest[];
    // WHEN the client's call is followed
    const chain = deriveGatewayChain(objects, { url: 'http://edition.cnn.com/politics', clientNamespace: 'default' });
    // THEN
    expect(summary(chain)).toEqual({
      meshRoute: 'VirtualService default/direct-cnn-through-egress-gateway spec.http[0] subset cnn port 80',
      gatewaySubset: 'DestinationRule default/egressgateway-for-cnn sni edition.cnn.com',
      gatewayServer: 'Gateway default/istio-egressgateway spec.servers[0] 80 -> 8080',
      gatewayRoute: 'VirtualService default/direct-cnn-through-egress-gateway spec.http[1] -> edition.cnn.com:443',
      registry: 'ServiceEntry default/cnn',
      origination: 'DestinationRule default/originate-tls-for-edition-cnn-com SIMPLE',
      sni: 'edition.cnn.com',
      credential: undefined,
      target: 'edition.cnn.com:443',
    });
    expect(chain.registry.resolution).toBe('DNS');
  });
});

describe('egress gateway chain derivation: other shapes', () => {
  test("a chart namespace: the client's namespace holds the routes, the credential stays in the gateway's", async () => {
    // GIVEN the mTLS chart synthesized for namespace team-a
    const objects = Testing.synth(new EgressGatewayMutualTlsOriginationChart(Testing.app(), 'x', { namespace: 'team-a' })) as Manifest[];
    const certs = await certsFor(TASK_HOST);
    const clusterSecrets = secretManifests(certs, { namespace: 'mesh-external', clientNamespace: 'istio-system' }) as unknown as Manifest[];
    // WHEN the call is followed from team-a
    const chain = deriveGatewayChain(objects, { url: TASK_URL, clientNamespace: 'team-a', clusterSecrets });
    // THEN
    expect(chain.meshRoute.virtualService).toBe('VirtualService team-a/direct-nginx-through-egress-gateway');
    expect(chain.gatewayServer.gateway).toBe('Gateway team-a/istio-egressgateway');
    expect(chain.origination.destinationRule).toBe('DestinationRule istio-system/originate-mtls-for-nginx');
    expect(chain.credential?.secret).toBe('istio-system/client-credential');
  });

  test('SIMPLE with a CA credential: the DestinationRule next to the ServiceEntry, the CA from the gateway namespace (also as <name>-cacert)', async () => {
    // GIVEN a SIMPLE origination whose CA is a Secret of the gateway's namespace, kept as Istio's <name>-cacert
    const chart = Testing.chart();
    new EgressGatewayTlsOrigination(chart, 'api', { host: 'api.example.com', caCredential: TlsCredential.fromExistingSecret('api-ca') });
    const ca = (await certsFor(TASK_HOST)).ca.cert;
    const secret = (name: string, ns: string, stringData: Record<string, string>): Manifest => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData });
    const call = { url: 'http://api.example.com', clientNamespace: 'default' };
    // WHEN / THEN
    const chain = deriveGatewayChain(Testing.synth(chart) as Manifest[], { ...call, clusterSecrets: [secret('api-ca', 'istio-system', {}), secret('api-ca-cacert', 'istio-system', { cacert: ca })] });
    expect(chain.origination).toEqual({ destinationRule: 'DestinationRule default/originate-tls-for-api-example-com', mode: 'SIMPLE', credentialName: 'api-ca', subjectAltNames: undefined });
    expect(chain.credential).toEqual({ secret: 'istio-system/api-ca', cert: undefined, key: undefined, ca });
    expect(chain.registry).toEqual({ object: 'ServiceEntry default/api-example-com', resolution: 'DNS' });
    expect(() => deriveGatewayChain(Testing.synth(chart) as Manifest[], { ...call, clusterSecrets: [secret('api-ca', 'istio-system', {})] }))
      .toThrow(/credentialName "api-ca": Secret istio-system\/api-ca has no CA certificate \(ca\.crt or cacert, or a Secret api-ca-cacert/);
  });
});

/** Negative controls: each broken link makes the derivation refuse, naming the object and the field. */
describe('egress gateway chain derivation: negative controls (mTLS chart, mutated)', () => {
  let objects: Manifest[];
  let goodSecrets: Manifest[];
  let certs: CertificateBundle;
  const derive = (objs: Manifest[], secrets = goodSecrets, clientNamespace = 'default') =>
    deriveGatewayChain(objs, { url: TASK_URL, clientNamespace, clusterSecrets: secrets });
  const find = (objs: Manifest[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)!;

  beforeAll(async () => {
    ({ objects, certs } = await taskChart());
    goodSecrets = secretManifests(certs, { namespace: 'mesh-external', clientNamespace: 'istio-system' }) as unknown as Manifest[];
  });

  test('the unmutated chart derives (the controls below change one thing each)', () => {
    expect(derive(objects).credential?.secret).toBe('istio-system/client-credential');
  });

  test('fails when the gateway route matches a port that is no Gateway server port', () => {
    // GIVEN the VirtualService's gateway route matching port 80, while the Gateway server is on 443
    const broken = clone(objects);
    find(broken, 'VirtualService', 'direct-nginx-through-egress-gateway').spec.http[1].match[0].port = 80;
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /^VirtualService default\/direct-nginx-through-egress-gateway: spec\.http\[1\]\.match\[0\]\.port 80 is no server port of Gateway default\/istio-egressgateway for my-nginx\.mesh-external\.svc\.cluster\.local \(443\)/);
  });

  test('fails when the mesh route sends to a gateway port no Gateway server listens on', () => {
    // GIVEN the mesh route and the subset's TLS settings on the gateway Service's port 80 (a port of the
    // Service, but no server port of the Gateway)
    const broken = clone(objects);
    find(broken, 'VirtualService', 'direct-nginx-through-egress-gateway').spec.http[0].route[0].destination.port.number = 80;
    find(broken, 'DestinationRule', 'egressgateway-for-nginx').spec.subsets[0].trafficPolicy.portLevelSettings[0].port.number = 80;
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /VirtualService default\/direct-nginx-through-egress-gateway: spec\.http\[0\]\.route\[0\]\.destination\.port\.number 80 is no server port of Gateway default\/istio-egressgateway \(spec\.servers ports: 443\)/);
  });

  test("fails when the credential Secret is in the client's namespace instead of the gateway's", () => {
    // GIVEN client-credential created in default (the sidecar task's place), not in istio-system
    const secrets = secretManifests(certs, { namespace: 'mesh-external', clientNamespace: 'default' }) as unknown as Manifest[];
    // WHEN / THEN
    expect(() => derive(objects, secrets)).toThrow(
      /DestinationRule istio-system\/originate-mtls-for-nginx: spec\.trafficPolicy\.portLevelSettings\[0\]\.tls\.credentialName "client-credential": no Secret istio-system\/client-credential; .* \(found default\/client-credential \(the client's namespace\)\)/);
  });

  test('fails when the ServiceEntry of the host has resolution NONE (cnn chart, mutated)', () => {
    // GIVEN the cnn chart with the ServiceEntry's resolution NONE, and with it unset (Istio's default is NONE)
    const cnn = Testing.synth(new EgressGatewayTlsOriginationChart(Testing.app(), 'egress-gateway-tls-origination')) as Manifest[];
    const none = clone(cnn);
    find(none, 'ServiceEntry', 'cnn').spec.resolution = 'NONE';
    const unset = clone(cnn);
    delete find(unset, 'ServiceEntry', 'cnn').spec.resolution;
    const call = { url: 'http://edition.cnn.com', clientNamespace: 'default' };
    // WHEN / THEN
    expect(() => deriveGatewayChain(none, call)).toThrow(/^ServiceEntry default\/cnn: spec\.resolution NONE makes the egress gateway forward to the original destination address, its own Service IP \(a loop\)/);
    expect(() => deriveGatewayChain(unset, call)).toThrow(/^ServiceEntry default\/cnn: spec\.resolution \(unset, i\.e\. NONE\)/);
  });

  test('fails when a ServiceEntry with resolution NONE defines the nginx host for the gateway (mTLS chart, object added)', () => {
    // GIVEN a ServiceEntry for my-nginx with resolution NONE, as the sidecar task has it
    const broken = [...clone(objects), {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'my-nginx' },
      spec: { hosts: [TASK_HOST], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'NONE' },
    }];
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(/^ServiceEntry default\/my-nginx: spec\.resolution NONE/);
  });

  test('fails when the subset is missing from the gateway DestinationRule', () => {
    // GIVEN the gateway DestinationRule's subset renamed
    const broken = clone(objects);
    find(broken, 'DestinationRule', 'egressgateway-for-nginx').spec.subsets[0].name = 'other';
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /^DestinationRule default\/egressgateway-for-nginx: spec\.subsets has no subset "nginx" \(subsets: other\), which VirtualService default\/direct-nginx-through-egress-gateway spec\.http\[0\] sends to/);
  });

  test('fails when the subset sends no ISTIO_MUTUAL on the gateway port', () => {
    // GIVEN the subset's TLS settings on another port than the mesh route's gateway port
    const broken = clone(objects);
    find(broken, 'DestinationRule', 'egressgateway-for-nginx').spec.subsets[0].trafficPolicy.portLevelSettings[0].port.number = 80;
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /^DestinationRule default\/egressgateway-for-nginx: spec\.subsets\[0\]\.trafficPolicy sets no TLS for port 443; the sidecar must send ISTIO_MUTUAL/);
  });

  test("fails when the client runs in another namespace than the gateway DestinationRule's", () => {
    // GIVEN the task's objects (all in default) and a client in apps: the task's own warning
    // WHEN / THEN
    expect(() => derive(objects, goodSecrets, 'apps')).toThrow(
      /^no DestinationRule for the egress gateway's Service istio-egressgateway\.istio-system\.svc\.cluster\.local is visible from the client's namespace apps \(looked in apps, istio-system;/);
  });

  test("fails when the nginx Service is hidden from the gateway's namespace (exportTo '.', as in the sidecar task)", () => {
    // GIVEN the Service annotated networking.istio.io/exportTo: "."
    const broken = clone(objects);
    const svc = broken.find((o) => o.kind === 'Service' && o.metadata.name === 'my-nginx')!;
    svc.metadata.annotations = { 'networking.istio.io/exportTo': '.' };
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(/^Service mesh-external\/my-nginx: annotation networking\.istio\.io\/exportTo "\." hides it from the egress gateway's namespace istio-system/);
  });

  test('fails when the originating DestinationRule has a workloadSelector for the client (it no longer applies at the gateway)', () => {
    // GIVEN the originating DestinationRule selecting app: sleep, as in the sidecar task
    const broken = clone(objects);
    find(broken, 'DestinationRule', 'originate-mtls-for-nginx').spec.workloadSelector = { matchLabels: { app: 'sleep' } };
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /^no DestinationRule for my-nginx\.mesh-external\.svc\.cluster\.local applies at the egress gateway \(looked in istio-system, mesh-external; DestinationRule istio-system\/originate-mtls-for-nginx spec\.workloadSelector .* selects other workloads/);
  });

  test('fails when the originating DestinationRule originates TLS on another port than the gateway route sends to', () => {
    // GIVEN the MUTUAL settings on port 8443
    const broken = clone(objects);
    find(broken, 'DestinationRule', 'originate-mtls-for-nginx').spec.trafficPolicy.portLevelSettings[0].port.number = 8443;
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(/^DestinationRule istio-system\/originate-mtls-for-nginx: sets no TLS for port 443/);
  });

  test('fails when the subset SNI is no host of the Gateway server', () => {
    // GIVEN the subset sending another SNI
    const broken = clone(objects);
    find(broken, 'DestinationRule', 'egressgateway-for-nginx').spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.sni = 'other.example.com';
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /^DestinationRule default\/egressgateway-for-nginx: spec\.subsets\[0\]\.trafficPolicy\.portLevelSettings\[0\]\.tls\.sni other\.example\.com is no host of Gateway default\/istio-egressgateway spec\.servers\[0\]/);
  });
});

describeE2e.each(scenarios)('nginx egress gateway mTLS e2e: $title', (def) => {
  lastHopTests(tools as Tools, async () => {
    const built = await def.build();
    const chain = deriveGatewayChain(built.objects, { url: def.url, clientNamespace: def.clientNamespace, gateway: def.gateway, clusterSecrets: built.clusterSecrets });
    const cred = chain.credential!;
    return {
      title: def.title,
      server: deriveServer(built.objects, chain.target.host, chain.target.port, { clusterSecrets: built.clusterSecrets }),
      hostHeader: chain.call.host,
      sni: chain.sni,
      credential: { cert: cred.cert, key: cred.key, ca: cred.ca! },
      verifyNames: chain.verifyNames,
      serverCertificate: built.certs.server.cert,
      foreign: (await foreignCerts()).client,
      hops: chain.hops,
    };
  });
});
