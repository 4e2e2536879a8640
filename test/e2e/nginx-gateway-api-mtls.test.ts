/**
 * End-to-end: mutual TLS origination at a Gateway API egress gateway (class `istio`), proven link by link on
 * the synthesized objects and, for the last hop, against the REAL nginx run from the synthesized manifests.
 *
 * For each scenario:
 *  1. synthesize the chart; generate certificates for the server host (src/certificates.ts) and supply them
 *     as the out-of-band Secrets: the server's in mesh-external, the client credential in the GATEWAY's
 *     namespace (default);
 *  2. derive the chain from the objects alone (test/e2e/gateway-api-chain.ts): the client's plaintext call ->
 *     mesh route -> `<gw>-istio` DestinationRule (ISTIO_MUTUAL, sni) -> Gateway listener -> forward HTTPRoute
 *     (ReferenceGrant) -> the DestinationRule originating TLS -> the credential Secret and its RBAC; then the
 *     server behind the target (test/e2e/manifests.ts);
 *  3. in private namespaces (test/e2e/sandbox.ts), run nginx with the mounted ConfigMap/Secrets under the
 *     container's securityContext, and connect as the gateway would (test/e2e/client.js).
 *
 * The sidecar -> gateway hop (Istio mutual TLS, Envoy) is checked on the objects only. Needs nginx, unshare
 * and ip (`sudo scripts/ci-install.sh`); without them the nginx part is skipped loudly, except under CI=true
 * where it fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { CertificateBundle, generateCertificates, secretManifests } from '../../src/certificates';
import { GatewayApiEgressMutualTlsOriginationChart, GatewayApiEgressTlsOriginationChart } from '../../app/gateway-api-egress-charts';
import { gatewayApiChainProblems } from '../egress-gateway/egress-gateway-util';
import { seedNginxConf } from '../support/seed';
import { GatewayApiChain, deriveGatewayApiChain } from './gateway-api-chain';
import { Manifest, ServerSide, deriveServer } from './manifests';
import { e2ePrerequisites, lastHopTests } from './last-hop';
import type { Tools } from './sandbox';

jest.setTimeout(30_000);

const { tools, describeE2e } = e2ePrerequisites('nginx Gateway API egress gateway mTLS e2e');

const HOST = 'my-nginx.mesh-external.svc.cluster.local';
const URL_ = `http://${HOST}`;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

let bundle: Promise<CertificateBundle> | undefined;
const certsFor = () => (bundle ??= generateCertificates({ serverHost: HOST }));
let foreign: Promise<CertificateBundle> | undefined;
const foreignCerts = () => (foreign ??= generateCertificates({ keyAlgorithm: 'ECDSA-P256' }));

/** The out-of-band Secrets: the server's in mesh-external, client-credential in `credentialNamespace`. */
const secretsFor = (certs: CertificateBundle, credentialNamespace = 'default') =>
  secretManifests(certs, { namespace: 'mesh-external', clientNamespace: credentialNamespace }) as unknown as Manifest[];

function yamlFile(file: string): Manifest[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter((o) => o);
}

/** The task's own YAML, verbatim: the nginx server of the Istio-API task, the Gateway API objects, and the ConfigMap of its nginx.conf. */
function taskManifests(): Manifest[] {
  const fixtures = path.join(__dirname, '..', 'fixtures');
  const configMap: Manifest = {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nginx-configmap', namespace: 'mesh-external' },
    data: { 'nginx.conf': seedNginxConf() },
  };
  return [configMap, ...yamlFile(path.join(fixtures, 'egress-gateway', 'mtls-server.yaml')), ...yamlFile(path.join(fixtures, 'egress-gateway-api', 'mtls-origination.yaml'))];
}

const chartObjects = () => Testing.synth(new GatewayApiEgressMutualTlsOriginationChart(Testing.app(), 'egress-gateway-api-mtls-origination')) as Manifest[];

interface ScenarioDef {
  readonly title: string;
  readonly objects: () => Manifest[];
  readonly expected: Record<string, unknown>;
}

const EXPECTED = (vs: string) => ({
  meshRoute: `VirtualService default/${vs} spec.http[0].route[0].destination -> nginx-egressgateway-istio.default.svc.cluster.local:443`,
  gatewayTls: 'DestinationRule default/egressgateway-for-nginx spec.trafficPolicy.portLevelSettings[0].tls sni my-nginx.mesh-external.svc.cluster.local',
  listener: 'Gateway default/nginx-egressgateway spec.listeners[0] https 443',
  forwardRoute: 'HTTPRoute default/forward-nginx-from-egress-gateway -> Service mesh-external/my-nginx:443 (granted by ReferenceGrant mesh-external/my-nginx-reference-grant)',
  origination: 'DestinationRule default/originate-mtls-for-nginx MUTUAL',
  sni: HOST,
  credential: 'default/client-credential',
  rbac: 'RoleBinding default/nginx-egressgateway-istio-sds -> Role default/nginx-egressgateway-istio-sds',
  target: `${HOST}:443`,
  containerPort: 443,
});

const scenarios: ScenarioDef[] = [
  {
    title: 'GatewayApiEgressMutualTlsOriginationChart (default -> nginx-egressgateway-istio:443 -> my-nginx:443)',
    objects: chartObjects,
    expected: EXPECTED('direct-nginx-to-egress-gateway'),
  },
  {
    title: "reference: the task's own Gateway API YAML, verbatim",
    objects: taskManifests,
    expected: EXPECTED('direct-nginx-to-egress-gateway'),
  },
];

function summary(chain: GatewayApiChain, server?: ServerSide): Record<string, unknown> {
  return {
    meshRoute: `${chain.meshRoute.object} ${chain.meshRoute.field} -> ${chain.meshRoute.gatewayHost}:${chain.meshRoute.gatewayPort}`,
    gatewayTls: `${chain.gatewayTls.destinationRule} ${chain.gatewayTls.field} sni ${chain.gatewayTls.sni}`,
    listener: `${chain.listener.gateway} ${chain.listener.field} ${chain.listener.name} ${chain.listener.port}`,
    forwardRoute: `${chain.forwardRoute.httpRoute} -> ${chain.forwardRoute.backend}`,
    origination: `${chain.origination.destinationRule} ${chain.origination.mode}`,
    sni: chain.sni,
    credential: chain.credential?.secret,
    rbac: chain.rbac && `${chain.rbac.roleBinding} -> ${chain.rbac.role}`,
    target: `${chain.target.host}:${chain.target.port}`,
    ...(server ? { containerPort: server.containerPort } : {}),
  };
}

describe.each(scenarios)('Gateway API egress gateway chain derivation: $title', (def) => {
  test('the call resolves link by link to the expected target, SNI and credential', async () => {
    // GIVEN the objects and the out-of-band Secrets (client-credential in the gateway's namespace)
    const objects = def.objects();
    const clusterSecrets = secretsFor(await certsFor());
    // WHEN the chain is derived from the client's plaintext call
    const chain = deriveGatewayApiChain(objects, { url: URL_, clientNamespace: 'default', clusterSecrets });
    const server = deriveServer(objects, chain.target.host, chain.target.port, { clusterSecrets });
    // THEN every link is the expected object, and the object-level chain checker agrees
    expect(summary(chain, server)).toEqual(def.expected);
    expect(chain.hops).toHaveLength(7);
    expect(gatewayApiChainProblems(objects, { name: 'nginx-egressgateway', namespace: 'default', host: 'nginx-egressgateway-istio.default.svc.cluster.local', serviceName: 'nginx-egressgateway-istio' })).toEqual([]);
  });
});

describe('Gateway API egress gateway chain derivation: other flows', () => {
  test('the chart and the task YAML derive to the same hops, credential and server mounts', async () => {
    // GIVEN both with the same out-of-band Secrets
    const clusterSecrets = secretsFor(await certsFor());
    const full = (objs: Manifest[]) => {
      const chain = deriveGatewayApiChain(objs, { url: URL_, clientNamespace: 'default', clusterSecrets });
      const server = deriveServer(objs, chain.target.host, chain.target.port, { clusterSecrets });
      return { hops: chain.hops, credential: chain.credential, mounts: server.mounts.map((m) => ({ path: m.mountPath, ro: m.readOnly, files: Object.keys(m.files).sort() })) };
    };
    // WHEN / THEN
    expect(full(chartObjects())).toEqual(full(taskManifests()));
  });

  test('a client in another namespace (apps) reaches the same gateway; the credential stays in the gateway\'s namespace', async () => {
    // GIVEN the chart (routes in default, exported everywhere) and a client in apps
    const chain = deriveGatewayApiChain(chartObjects(), { url: URL_, clientNamespace: 'apps', clusterSecrets: secretsFor(await certsFor()) });
    // THEN
    expect(chain.gatewayTls.destinationRule).toBe('DestinationRule default/egressgateway-for-nginx');
    expect(chain.credential?.secret).toBe('default/client-credential');
  });

  test('the SIMPLE chart (edition.cnn.com): the mesh hop is an HTTPRoute parented to the ServiceEntry, the backend a Hostname, no credential', () => {
    // GIVEN the cnn chart
    const objects = Testing.synth(new GatewayApiEgressTlsOriginationChart(Testing.app(), 'egress-gateway-api-tls-origination')) as Manifest[];
    // WHEN
    const chain = deriveGatewayApiChain(objects, { url: 'http://edition.cnn.com/politics', clientNamespace: 'default' });
    // THEN
    expect(summary(chain)).toEqual({
      meshRoute: 'HTTPRoute default/direct-cnn-to-egress-gateway spec.rules[0].backendRefs[0] -> cnn-egress-gateway-istio.default.svc.cluster.local:80',
      gatewayTls: 'DestinationRule default/egressgateway-for-cnn spec.trafficPolicy.portLevelSettings[0].tls sni edition.cnn.com',
      listener: 'Gateway default/cnn-egress-gateway spec.listeners[0] https-listener-for-tls-origination 80',
      forwardRoute: 'HTTPRoute default/forward-cnn-from-egress-gateway -> Hostname edition.cnn.com:443 (ServiceEntry default/cnn, DNS)',
      origination: 'DestinationRule default/originate-tls-for-edition-cnn-com SIMPLE',
      sni: 'edition.cnn.com',
      credential: undefined,
      rbac: undefined,
      target: 'edition.cnn.com:443',
    });
  });
});

/** Negative controls: each broken link makes the derivation refuse, naming the object and the field. */
describe('Gateway API egress gateway chain derivation: negative controls (mTLS chart, mutated)', () => {
  let objects: Manifest[];
  let certs: CertificateBundle;
  const derive = (objs: Manifest[], secrets = secretsFor(certs), clientNamespace = 'default') =>
    deriveGatewayApiChain(objs, { url: URL_, clientNamespace, clusterSecrets: secrets });
  const find = (objs: Manifest[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)!;

  beforeAll(async () => {
    objects = chartObjects();
    certs = await certsFor();
  });

  test('the unmutated chart derives (the controls below change one thing each)', () => {
    expect(derive(objects).credential?.secret).toBe('default/client-credential');
  });

  test("fails when the listener's port is not the mesh hop's port", () => {
    // GIVEN the Gateway listener on 8443 while the VirtualService (and the DestinationRule) send to 443
    const broken = clone(objects);
    find(broken, 'Gateway', 'nginx-egressgateway').spec.listeners[0].port = 8443;
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /^VirtualService default\/direct-nginx-to-egress-gateway: spec\.http\[0\]\.route\[0\]\.destination port 443 is no listener port of Gateway default\/nginx-egressgateway \(spec\.listeners ports: 8443\)/);
  });

  test("fails when the credential Secret is in the client's namespace instead of the gateway's", () => {
    // GIVEN a client in apps and client-credential created in apps (the sidecar task's place)
    // WHEN / THEN
    expect(() => derive(objects, secretsFor(certs, 'apps'), 'apps')).toThrow(
      /^DestinationRule default\/originate-mtls-for-nginx: spec\.trafficPolicy\.portLevelSettings\[0\]\.tls\.credentialName "client-credential": no Secret default\/client-credential; .* \(found apps\/client-credential \(the client's namespace\)\)/);
  });

  test('fails when the RoleBinding is missing', () => {
    // GIVEN the chart without its RoleBinding
    const broken = clone(objects).filter((o) => o.kind !== 'RoleBinding');
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /^DestinationRule default\/originate-mtls-for-nginx: .*credentialName "client-credential": no RoleBinding in default grants ServiceAccount default\/nginx-egressgateway-istio get, list and watch on secrets \(RoleBindings of default: none\)/);
  });

  test('fails when the RoleBinding binds another service account', () => {
    // GIVEN the RoleBinding's subject the Istio-API gateway's account
    const broken = clone(objects);
    find(broken, 'RoleBinding', 'nginx-egressgateway-istio-sds').subjects[0].name = 'istio-egressgateway-service-account';
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /no RoleBinding in default grants ServiceAccount default\/nginx-egressgateway-istio get, list and watch on secrets \(RoleBindings of default: RoleBinding default\/nginx-egressgateway-istio-sds subjects .*istio-egressgateway-service-account/);
  });

  test('fails when the ReferenceGrant for the cross-namespace Service backend is missing', () => {
    // GIVEN the chart without its ReferenceGrant
    const broken = clone(objects).filter((o) => o.kind !== 'ReferenceGrant');
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(
      /^HTTPRoute default\/forward-nginx-from-egress-gateway: spec\.rules\[0\]\.backendRefs\[0\]\.namespace mesh-external: no ReferenceGrant in mesh-external lets HTTPRoutes of default refer to Service my-nginx/);
  });

  test('fails when the ReferenceGrant admits HTTPRoutes of another namespace', () => {
    // GIVEN the grant from namespace apps
    const broken = clone(objects);
    find(broken, 'ReferenceGrant', 'my-nginx-reference-grant').spec.from[0].namespace = 'apps';
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(/no ReferenceGrant in mesh-external lets HTTPRoutes of default refer to Service my-nginx \(ReferenceGrants: ReferenceGrant mesh-external\/my-nginx-reference-grant\)/);
  });

  test('fails when the DestinationRule for <gw>-istio does not set ISTIO_MUTUAL', () => {
    // GIVEN the gateway DestinationRule with DISABLE, and with its TLS on another port
    const disabled = clone(objects);
    find(disabled, 'DestinationRule', 'egressgateway-for-nginx').spec.trafficPolicy.portLevelSettings[0].tls.mode = 'DISABLE';
    const otherPort = clone(objects);
    find(otherPort, 'DestinationRule', 'egressgateway-for-nginx').spec.trafficPolicy.portLevelSettings[0].port.number = 80;
    // WHEN / THEN
    expect(() => derive(disabled)).toThrow(
      /^DestinationRule default\/egressgateway-for-nginx: spec\.trafficPolicy\.portLevelSettings\[0\]\.tls\.mode is DISABLE; the sidecar must send ISTIO_MUTUAL/);
    expect(() => derive(otherPort)).toThrow(/^DestinationRule default\/egressgateway-for-nginx: sets no TLS for port 443; the sidecar must send ISTIO_MUTUAL/);
  });

  test('fails when the listener does not terminate Istio mutual TLS, or the Gateway is not ClusterIP', () => {
    // GIVEN the listener's terminate mode removed; the service-type annotation removed
    const noMode = clone(objects);
    delete find(noMode, 'Gateway', 'nginx-egressgateway').spec.listeners[0].tls.options;
    const lb = clone(objects);
    delete find(lb, 'Gateway', 'nginx-egressgateway').metadata.annotations;
    // WHEN / THEN
    expect(() => derive(noMode)).toThrow(/^Gateway default\/nginx-egressgateway: spec\.listeners\[0\]\.tls\.options\["gateway\.istio\.io\/tls-terminate-mode"\] is \(unset\), not ISTIO_MUTUAL/);
    expect(() => derive(lb)).toThrow(/^Gateway default\/nginx-egressgateway: metadata\.annotations\["networking\.istio\.io\/service-type"\] is \(unset, i\.e\. LoadBalancer\)/);
  });

  test("fails when the forward HTTPRoute is in a namespace the listener's allowedRoutes does not admit", () => {
    // GIVEN the forward route moved to apps (allowedRoutes from Same)
    const broken = clone(objects);
    const route = find(broken, 'HTTPRoute', 'forward-nginx-from-egress-gateway');
    route.metadata.namespace = 'apps';
    route.spec.parentRefs[0].namespace = 'default';
    // WHEN / THEN
    expect(() => derive(broken)).toThrow(/^Gateway default\/nginx-egressgateway: spec\.listeners\[0\]\.allowedRoutes\.namespaces\.from Same does not admit HTTPRoute apps\/forward-nginx-from-egress-gateway/);
  });
});

describeE2e.each(scenarios)('nginx Gateway API egress gateway mTLS e2e: $title', (def) => {
  lastHopTests(tools as Tools, async () => {
    const objects = def.objects();
    const certs = await certsFor();
    const clusterSecrets = secretsFor(certs);
    const chain = deriveGatewayApiChain(objects, { url: URL_, clientNamespace: 'default', clusterSecrets });
    const cred = chain.credential!;
    return {
      title: def.title,
      server: deriveServer(objects, chain.target.host, chain.target.port, { clusterSecrets }),
      hostHeader: chain.call.host,
      sni: chain.sni,
      credential: { cert: cred.cert, key: cred.key, ca: cred.ca! },
      verifyNames: chain.verifyNames,
      serverCertificate: certs.server.cert,
      foreign: (await foreignCerts()).client,
      hops: chain.hops,
    };
  });
});
