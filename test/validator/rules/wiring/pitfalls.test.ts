// The wiring pitfalls (src/validator/rules/wiring/pitfalls.ts) on the object shapes of Istio's egress gateway tasks
// and on the seed of the Egress TLS Origination task: each broken variant gives exactly the intended finding.
import { generateCertificates, secretManifests, type CertificateBundle } from '../../../../src/certificates';
import { validateManifests } from '../../../../src/validator';
import { byName, cnn, EGW, errorsOf, NET, NGINX, onlyError, passthrough, run, seed } from '../../../support/egress-topologies';

describe('pitfalls', () => {
  test('fails on double TLS: the DestinationRule originates TLS on the HTTPS port the application calls', () => {
    // GIVEN sidecar origination with the DestinationRule on 443 (the port the app already uses with https://)
    // and the input's routing for the host: a VirtualService that routes the application's TLS by SNI, no plaintext
    const objs = [...cnn().filter(o => ['ServiceEntry', 'DestinationRule'].includes(o.kind) && o.metadata.name !== 'egressgateway-for-cnn'),
      { apiVersion: NET, kind: 'VirtualService', metadata: { name: 'cnn-tls', namespace: 'default' }, spec: { hosts: ['edition.cnn.com'],
        tls: [{ match: [{ port: 443, sniHosts: ['edition.cnn.com'] }], route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } } }] }] } }];
    const f = onlyError(objs, 'wiring/double-tls', 'spec.trafficPolicy.portLevelSettings[0].tls.mode');
    expect(f.message).toMatch(/^double TLS: DestinationRule default\/originate-tls-for-edition-cnn-com originates TLS \(mode SIMPLE\) on port 443 of edition.cnn.com, which ServiceEntry default\/cnn declares as protocol HTTPS, i.e. the application already sends TLS there, and no VirtualService or HTTPRoute of the output routes plaintext HTTP to this host/);
    expect(f.fix).toMatch(/Declare a plaintext port \(number 80, protocol HTTP, targetPort 443\)/);
    // the gateway flow sends plaintext to 443 through an http route: no finding (§1 test above)
  });

  test('double TLS without any VirtualService or HTTPRoute in the input is a warning: a route of another file may send plaintext there', () => {
    const objs = cnn().filter(o => ['ServiceEntry', 'DestinationRule'].includes(o.kind) && o.metadata.name !== 'egressgateway-for-cnn');
    expect(errorsOf(objs)).toEqual([]);
    const w = run(objs).filter(f => f.ruleId === 'wiring/double-tls');
    expect(w.map(f => `${f.severity} ${f.field}`)).toEqual(['warning spec.trafficPolicy.portLevelSettings[0].tls.mode']);
    expect(w[0].message).toBe('could not check that plaintext HTTP is routed to port 443 of edition.cnn.com (double TLS otherwise): the routing is not in the input (no VirtualService or HTTPRoute at all). DestinationRule default/originate-tls-for-edition-cnn-com originates TLS (mode SIMPLE) on that port, which ServiceEntry default/cnn declares as protocol HTTPS, i.e. the application sends TLS there unless a route applied from another file sends it plaintext; the server then sees TLS inside TLS ("wrong version number", 400 "The plain HTTP request was sent to HTTPS port")');
  });

  test('double TLS through a top-level tls setting names the plaintext port to use instead', () => {
    const objs: any[] = [
      { apiVersion: NET, kind: 'ServiceEntry', metadata: { name: 'cnn', namespace: 'default' }, spec: {
        hosts: ['edition.cnn.com'], ports: [{ number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 }, { number: 443, name: 'https-port', protocol: 'HTTPS' }], resolution: 'DNS' } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'cnn', namespace: 'default' }, spec: { host: 'edition.cnn.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } } },
      // the input's routing sends no plaintext to the host (it routes the application's TLS by SNI)
      { apiVersion: NET, kind: 'VirtualService', metadata: { name: 'cnn-tls', namespace: 'default' }, spec: { hosts: ['edition.cnn.com'],
        tls: [{ match: [{ port: 443, sniHosts: ['edition.cnn.com'] }], route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } } }] }] } },
    ];
    const f = onlyError(objs, 'wiring/double-tls', 'spec.trafficPolicy.tls.mode');
    expect(f.fix).toMatch(/Originate on the plaintext port 80 \(targetPort 443\) only \(move tls into portLevelSettings for port 80\)/);
    objs[1].spec.trafficPolicy = { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] };
    expect(run(objs)).toEqual([]);
  });

  test('fails when the DestinationRule port is the ServiceEntry targetPort instead of its number', () => {
    const objs: any[] = [
      { apiVersion: NET, kind: 'ServiceEntry', metadata: { name: 'cnn', namespace: 'default' }, spec: {
        hosts: ['edition.cnn.com'], ports: [{ number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 }], resolution: 'DNS' } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'cnn', namespace: 'default' }, spec: { host: 'edition.cnn.com', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }] } } },
    ];
    const f = onlyError(objs, 'wiring/dr-port-is-target-port', 'spec.trafficPolicy.portLevelSettings[0].port.number');
    expect(f.message).toMatch(/port 443 is the targetPort of ServiceEntry port 80 \("http-port"\) for edition.cnn.com.*no TLS is originated/);
    expect(f.fix).toMatch(/Set port.number to 80/);
    objs[1].spec.trafficPolicy.portLevelSettings[0].port.number = 80;
    expect(run(objs)).toEqual([]);
  });

  test('fails when the mesh route matches a plaintext port the ServiceEntry does not declare', () => {
    // GIVEN the ServiceEntry declares only 443: the application's http://edition.cnn.com (port 80) has no listener
    const objs = cnn();
    byName(objs, 'ServiceEntry', 'cnn').spec.ports = [{ number: 443, name: 'https', protocol: 'HTTPS' }];
    const f = onlyError(objs, 'wiring/undeclared-plaintext-port', 'spec.http[0].match[0].port');
    expect(f.message).toMatch(/the mesh route matches port 80 of edition.cnn.com, but ServiceEntry default\/cnn declares only ports 443\/HTTPS/);
    expect(f.fix).toMatch(/Add \{number: 80, name: http, protocol: HTTP\}/);
  });

  test('fails when the egress gateway subset DestinationRule is not visible from the client namespace', () => {
    // GIVEN the client runs in "apps" and the subset DestinationRule stays in "default" (EN-EGW warning)
    const objs = cnn();
    objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'istio-injection': 'enabled' } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sleep', namespace: 'apps' }, spec: {
        selector: { matchLabels: { app: 'sleep' } }, template: { metadata: { labels: { app: 'sleep' } }, spec: { containers: [{ name: 'sleep', image: 'curlimages/curl:8.11.1' }] } } } });
    const f = onlyError(objs, 'wiring/dr-visibility', 'spec.http[0].route[0].destination.subset');
    expect(f.message).toMatch(/subset "cnn" of istio-egressgateway.istio-system.svc.cluster.local is defined by DestinationRule default\/egressgateway-for-cnn, but sidecars in namespace "apps" cannot see it: no DestinationRule .* is in "apps", or in .*istio-system exported to "apps"; requests fail with 503 NC cluster_not_found \(outbound\|80\|cnn\|istio-egressgateway/);
    expect(f.fix).toMatch(/Create DestinationRule egressgateway-for-cnn in namespace "apps", or in "istio-system"/);
    // WHEN the DestinationRule moves to istio-system (exported to all): visible everywhere
    byName(objs, 'DestinationRule', 'egressgateway-for-cnn').metadata.namespace = 'istio-system';
    expect(errorsOf(objs)).toEqual([]);
    // a DestinationRule in istio-system exported only to itself is not: an error for "apps", whose injected client is
    // in the input, a warning (could not check) for "default", where the input shows no sidecar
    byName(objs, 'DestinationRule', 'egressgateway-for-cnn').spec.exportTo = ['.'];
    expect(errorsOf(objs).map(x => `${x.ruleId} ${x.message.includes('"apps"')}`)).toEqual(['wiring/dr-visibility true']);
    const w = run(objs).filter(x => x.ruleId === 'wiring/dr-visibility' && x.severity === 'warning');
    expect(w.map(x => x.message)).toEqual([expect.stringMatching(/^could not check: whether sidecars run in namespace "default" is not in the input .*; if it exists, subset "cnn" of istio-egressgateway.istio-system.svc.cluster.local is defined by DestinationRule istio-system\/egressgateway-for-cnn, but sidecars in namespace "default" cannot see it/)]);
  });

  test('a DestinationRule visibility that depends on sidecars the input does not show is a warning, not an error', () => {
    // GIVEN the subset DestinationRule is in "apps", the VirtualService (mesh) in "default", and no pod of "default" in the input
    const objs = cnn();
    byName(objs, 'DestinationRule', 'egressgateway-for-cnn').metadata.namespace = 'apps';
    byName(objs, 'DestinationRule', 'egressgateway-for-cnn').spec.exportTo = ['.'];
    expect(errorsOf(objs)).toEqual([]);
    expect(run(objs).filter(x => x.ruleId === 'wiring/dr-visibility').map(x => `${x.severity} ${x.field}`)).toEqual(['warning spec.http[0].route[0].destination.subset']);
    // WHEN the input shows an injected client in "default": the 503 is certain, an error
    objs.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'curl', namespace: 'default' }, spec: {
      selector: { matchLabels: { app: 'curl' } }, template: { metadata: { labels: { app: 'curl', 'sidecar.istio.io/inject': 'true' } }, spec: { containers: [{ name: 'curl', image: 'curlimages/curl:8.11.1' }] } } } });
    const f = onlyError(objs, 'wiring/dr-visibility', 'spec.http[0].route[0].destination.subset');
    expect(f.message).toMatch(/^subset "cnn" of .* but sidecars in namespace "default" cannot see it/);
  });

  test('fails when a DestinationRule in the client namespace shadows the one defining the subset', () => {
    const objs = cnn();
    byName(objs, 'DestinationRule', 'egressgateway-for-cnn').metadata.namespace = 'istio-system';
    objs.push({ apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'egw-lb', namespace: 'default' }, spec: { host: EGW, trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } } });
    // no pod of "default" in the input: whether sidecars there use the route could not be checked (warning)
    expect(run(objs).filter(x => x.ruleId === 'wiring/dr-visibility').map(x => x.severity)).toEqual(['warning']);
    // the client of the task, injected by its namespace's label: an error
    objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', labels: { 'istio-injection': 'enabled' } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'curl', namespace: 'default' }, spec: {
        selector: { matchLabels: { app: 'curl' } }, template: { metadata: { labels: { app: 'curl' } }, spec: { containers: [{ name: 'curl', image: 'curlimages/curl:8.11.1' }] } } } });
    const f = onlyError(objs, 'wiring/dr-visibility', 'spec.http[0].route[0].destination.subset');
    expect(f.message).toMatch(/it uses DestinationRule default\/egw-lb \(subsets: none\), which shadows the others/);
  });

  test('fails when the originating DestinationRule is not visible to the egress gateway', () => {
    const objs = cnn();
    byName(objs, 'DestinationRule', 'originate-tls-for-edition-cnn-com').spec.exportTo = ['.'];
    // the gateway's pods are not in the input (istioctl installs them): where the proxy runs is assumed, a warning
    const w = run(objs).filter(x => x.ruleId === 'wiring/dr-visibility');
    expect(w.map(x => `${x.severity} ${x.field}`)).toEqual(['warning spec.http[1].route[0].destination.host']);
    expect(w[0].message).toMatch(/^could not check: where the gateway proxy of default\/istio-egressgateway runs is not in the input .*; if it exists, DestinationRule default\/originate-tls-for-edition-cnn-com originates TLS for edition.cnn.com, but the gateway proxy of default\/istio-egressgateway in "istio-system" \(assumed: no gateway pod in the output\) cannot see it.*the gateway sends plaintext to edition.cnn.com:443/);
    // WHEN the input has the gateway's Deployment in istio-system: an error
    objs.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istio-egressgateway', namespace: 'istio-system' }, spec: {
      selector: { matchLabels: { istio: 'egressgateway' } }, template: { metadata: { labels: { istio: 'egressgateway' } }, spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } } } });
    const f = onlyError(objs, 'wiring/dr-visibility', 'spec.http[1].route[0].destination.host');
    expect(f.message).toMatch(/originates TLS for edition.cnn.com, but the gateway proxy of default\/istio-egressgateway in "istio-system" cannot see it.*the gateway sends plaintext to edition.cnn.com:443/);
  });

  test('fails when a PASSTHROUGH server gets http routes, or a terminating server tls routes', () => {
    const objs = cnn();
    byName(objs, 'Gateway', 'istio-egressgateway').spec.servers[0] = { port: { number: 80, name: 'tls', protocol: 'TLS' }, hosts: ['edition.cnn.com'], tls: { mode: 'PASSTHROUGH' } };
    const f = onlyError(objs, 'wiring/gateway-route-tls-mismatch', 'spec.http[1]');
    expect(f.message).toMatch(/http: routes are bound to Gateway default\/istio-egressgateway, whose server 80\/TLS tls PASSTHROUGH passes TLS through/);
    const p = passthrough();
    byName(p, 'Gateway', 'istio-egressgateway').spec.servers[0].tls.mode = 'ISTIO_MUTUAL';
    const g = onlyError(p, 'wiring/gateway-route-tls-mismatch', 'spec.tls[1]');
    expect(g.message).toMatch(/tls: routes are bound to Gateway default\/istio-egressgateway, whose server 443\/TLS tls ISTIO_MUTUAL terminates TLS/);
  });

  test('fails when a ServiceEntry behind the egress gateway has resolution NONE (routing loop)', () => {
    const objs = cnn();
    delete byName(objs, 'ServiceEntry', 'cnn').spec.resolution;
    const f = onlyError(objs, 'wiring/gateway-resolution-none', 'spec.resolution');
    expect(f.object).toMatchObject({ kind: 'ServiceEntry', name: 'cnn' });
    expect(f.message).toMatch(/resolution is unset \(NONE\) for edition.cnn.com, which VirtualService default\/direct-cnn-through-egress-gateway .* routes through gateway default\/istio-egressgateway.*in a loop/);
    expect(f.fix).toMatch(/resolution: DNS/);
  });
});


describe('mutual TLS credentials and certificates', () => {
  let good: CertificateBundle;
  let otherCa: CertificateBundle;
  let wrongHost: CertificateBundle;
  beforeAll(async () => {
    [good, otherCa, wrongHost] = await Promise.all([
      generateCertificates({ keyAlgorithm: 'ECDSA-P256' }),
      generateCertificates({ keyAlgorithm: 'ECDSA-P256' }),
      generateCertificates({ keyAlgorithm: 'ECDSA-P256', serverHost: 'nginx.example.com' }),
    ]);
  });
  /** The seed plus the three Secrets of the task made from `bundle`. */
  const withSecrets = (bundle: CertificateBundle, clientNamespace?: string) => [...seed(), ...secretManifests(bundle, { clientNamespace })];

  test('the seed with its Secrets gives no finding of these rules', () => {
    expect(run(withSecrets(good))).toEqual([]);
    expect(run(seed())).toEqual([]);
  });

  test('fails when ca.crt of the client credential does not verify the server certificate', () => {
    const objs = withSecrets(good);
    const client = objs.find(o => o.kind === 'Secret' && o.metadata.name === 'client-credential');
    client.stringData['ca.crt'] = otherCa.ca.cert;
    const f = onlyError(objs, 'wiring/ca-verifies-server', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    expect(f.message).toMatch(/^ca.crt of Secret default\/client-credential \(".*CN=example.com"\) does not verify the server certificate "CN=my-nginx.mesh-external.svc.cluster.local.*" \(issuer ".*CN=example.com"\) in tls.crt of Secret mesh-external\/nginx-server-certs/);
    // never any key material in the findings
    expect(JSON.stringify(run(objs))).not.toMatch(/PRIVATE KEY|BEGIN/);
  });

  test('fails when the server certificate has no SAN for the sni', () => {
    const objs = withSecrets(wrongHost);
    const f = onlyError(objs, 'wiring/certificate-san', 'spec.trafficPolicy.portLevelSettings[0].tls.sni');
    expect(f.message).toMatch(/the server certificate "CN=nginx.example.com.*" in tls.crt of Secret mesh-external\/nginx-server-certs .* has subjectAltName DNS:nginx.example.com, which does not cover "my-nginx.mesh-external.svc.cluster.local" \(sni\)/);
    // subjectAltNames listing a SAN of the certificate satisfy it
    objs.find(o => o.kind === 'DestinationRule' && o.metadata.name === 'originate-mtls-for-nginx').spec.trafficPolicy.portLevelSettings[0].tls.subjectAltNames = ['nginx.example.com'];
    expect(run(objs)).toEqual([]);
  });

  test('fails when the credential Secret is in another namespace than the client sidecar', () => {
    const objs = withSecrets(good, 'sleepers');
    const f = onlyError(objs, 'wiring/credential-namespace', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    expect(f.message).toMatch(/credentialName "client-credential" is read by the sidecar of the workload it selects \(app=sleep\) from namespace "default", but the output puts it in Secret sleepers\/client-credential/);
    expect(f.fix).toMatch(/Create Secret "client-credential" in namespace default/);
  });

  test('fails when the client Role is narrowed with resourceNames or lacks list', () => {
    const objs = seed();
    const role = objs.find(o => o.kind === 'Role');
    role.rules[0] = { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'], resourceNames: ['client-credential'] };
    const f = onlyError(objs, 'wiring/credential-role-narrowed', 'rules[0]');
    expect(f.object).toMatchObject({ kind: 'Role', name: 'client-credential-role' });
    expect(f.message).toMatch(/narrowed with resourceNames \[client-credential\]: istiod asks the API server whether default\/sleep may "list" secrets/);
    // wiring/credential-rbac reports the DestinationRule side, as before
    expect(validateManifests(objs).errors.map(e => e.ruleId).sort()).toEqual(['wiring/credential-rbac', 'wiring/credential-role-narrowed']);
    role.rules[0] = { apiGroups: [''], resources: ['secrets'], verbs: ['get'] };
    expect(onlyError(objs, 'wiring/credential-role-narrowed', 'rules[0]').message).toMatch(/grants verbs \[get\] without "list"/);
  });

  /** §2.2: mutual TLS origination at the egress gateway; the client Secret in istio-system. */
  function nginxGateway(bundle: CertificateBundle, secretNs = 'istio-system'): any[] {
    const objs = withSecrets(bundle, secretNs).filter(o => !['edition-cnn-com', 'originate-mtls-for-nginx', 'client-credential-role', 'client-credential-role-binding'].includes(o.metadata.name) || o.kind === 'Secret');
    const md = (name: string, namespace = 'default') => ({ name, namespace });
    objs.push(
      { apiVersion: NET, kind: 'Gateway', metadata: md('istio-egressgateway'), spec: {
        selector: { istio: 'egressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [NGINX], tls: { mode: 'ISTIO_MUTUAL' } }] } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: md('egressgateway-for-nginx'), spec: {
        host: EGW, subsets: [{ name: 'nginx', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'ISTIO_MUTUAL', sni: NGINX } }] } }] } },
      { apiVersion: NET, kind: 'VirtualService', metadata: md('direct-nginx-through-egress-gateway'), spec: {
        hosts: [NGINX], gateways: ['istio-egressgateway', 'mesh'],
        http: [
          { match: [{ gateways: ['mesh'], port: 80 }], route: [{ destination: { host: EGW, subset: 'nginx', port: { number: 443 } }, weight: 100 }] },
          { match: [{ gateways: ['istio-egressgateway'], port: 443 }], route: [{ destination: { host: NGINX, port: { number: 443 } }, weight: 100 }] },
        ] } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: md('originate-mtls-for-nginx', 'istio-system'), spec: {
        host: NGINX, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL', credentialName: 'client-credential', sni: NGINX } }] } } },
    );
    return objs;
  }

  test('mutual TLS at the egress gateway (§2.2) gives no error of these rules', () => {
    const objs = nginxGateway(good);
    expect(errorsOf(objs)).toEqual([]);
  });

  test('fails when the gateway credential Secret is in the client namespace instead of the gateway namespace', () => {
    const objs = nginxGateway(good, 'default');
    const f = onlyError(objs, 'wiring/credential-namespace', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    expect(f.message).toMatch(/read by the gateway proxy of default\/istio-egressgateway that a VirtualService routes my-nginx.mesh-external.svc.cluster.local through \(istio-system; no gateway pod in the output, assumed installed in istio-system\) from namespace "istio-system", but the output puts it in Secret default\/client-credential/);
  });

  test('checks the CA of the gateway credential against the server certificate', () => {
    const objs = nginxGateway(good);
    objs.find(o => o.kind === 'Secret' && o.metadata.name === 'client-credential').stringData['ca.crt'] = otherCa.ca.cert;
    expect(onlyError(objs, 'wiring/ca-verifies-server', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName').message).toMatch(/Secret istio-system\/client-credential/);
  });
});
