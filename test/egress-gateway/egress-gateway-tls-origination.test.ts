import { Testing } from 'cdk8s';
import {
  EgressGateway, EgressGatewayTlsOrigination, IstioApiVersion, LoadBalancer, Resolution, TlsCredential,
} from '../../src';
import { validateManifests, formatFindings } from '../../src/validator';
import { chainProblems } from './egress-gateway-util';
import type { CertificateBundle } from '../../src/certificates';
import { chart, ofKind, one, testCertificates } from '../support/util';

const GW_HOST = 'istio-egressgateway.istio-system.svc.cluster.local';
const NGINX = 'my-nginx.mesh-external.svc.cluster.local';
const DEFAULT_GATEWAY = EgressGateway.fromAttributes();

// fromPem checks its material: the tests use a freshly generated chain (never committed)
let certs: CertificateBundle;
beforeAll(async () => {
  certs = await testCertificates();
});
const pemCredential = (secretName: string) =>
  TlsCredential.fromPem({ secretName, certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.ca.cert });
const pemCa = (secretName: string) => TlsCredential.fromPem({ secretName, caCertificate: certs.ca.cert });

function byKindAndName(objects: any[]): Record<string, any> {
  return Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
}

describe('EgressGatewayTlsOrigination', () => {
  test('defaults: SIMPLE origination through istio-egressgateway, names derived from the host', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const o = new EgressGatewayTlsOrigination(c, 'cnn', { host: 'edition.cnn.com' });
    // THEN
    const objects = Testing.synth(c);
    expect(Object.keys(byKindAndName(objects))).toEqual([
      'ServiceEntry//edition-cnn-com',
      'Gateway//egressgateway-for-edition-cnn-com',
      'DestinationRule//egressgateway-for-edition-cnn-com',
      'VirtualService//direct-edition-cnn-com-through-egress-gateway',
      'DestinationRule//originate-tls-for-edition-cnn-com',
    ]);
    for (const obj of objects) expect(obj.apiVersion).toBe('networking.istio.io/v1');
    expect(one(c, 'ServiceEntry').spec).toEqual({
      hosts: ['edition.cnn.com'],
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }],
      resolution: 'DNS',
    });
    expect(one(c, 'Gateway').spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 80, name: 'https', protocol: 'HTTPS' }, hosts: ['edition.cnn.com'], tls: { mode: 'ISTIO_MUTUAL' } }],
    });
    const [gatewayDr, originating] = ofKind(c, 'DestinationRule');
    expect(gatewayDr.spec).toEqual({
      host: GW_HOST,
      subsets: [{
        name: 'edition-cnn-com',
        trafficPolicy: {
          loadBalancer: { simple: 'ROUND_ROBIN' },
          portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'edition.cnn.com' } }],
        },
      }],
    });
    expect(one(c, 'VirtualService').spec).toEqual({
      hosts: ['edition.cnn.com'],
      gateways: ['egressgateway-for-edition-cnn-com', 'mesh'],
      http: [
        {
          match: [{ gateways: ['mesh'], port: 80 }],
          route: [{ destination: { host: GW_HOST, subset: 'edition-cnn-com', port: { number: 80 } }, weight: 100 }],
        },
        {
          match: [{ gateways: ['egressgateway-for-edition-cnn-com'], port: 80 }],
          route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } }, weight: 100 }],
        },
      ],
    });
    expect(originating.spec).toEqual({
      host: 'edition.cnn.com',
      trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }] },
    });
    expect(o.mutual).toBe(false);
    expect(o.serviceEntry).toBeDefined();
    expect(o.credentialSecret).toBeUndefined();
    expect([o.host, o.name, o.httpPort, o.httpsPort, o.gatewayPort, o.gatewayName, o.subsetName])
      .toEqual(['edition.cnn.com', 'edition-cnn-com', 80, 443, 80, 'egressgateway-for-edition-cnn-com', 'edition-cnn-com']);
    expect(o.gateway.host).toBe(GW_HOST);
    expect(chainProblems(objects, DEFAULT_GATEWAY)).toEqual([]);
    expect(objects).toMatchSnapshot();
  });

  test('MUTUAL with a credential: the DestinationRule and the credential go to the gateway namespace, no workloadSelector, no RBAC', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const o = new EgressGatewayTlsOrigination(c, 'nginx', {
      host: NGINX,
      name: 'nginx',
      gatewayPort: 443,
      credential: TlsCredential.fromExistingSecret('client-credential'),
    });
    // THEN: a Service of the cluster gets no ServiceEntry
    const objects = Testing.synth(c);
    expect(Object.keys(byKindAndName(objects))).toEqual([
      'Gateway//egressgateway-for-nginx',
      'DestinationRule//egressgateway-for-nginx',
      'VirtualService//direct-nginx-through-egress-gateway',
      'DestinationRule/istio-system/originate-mtls-for-nginx',
    ]);
    const dr = byKindAndName(objects)['DestinationRule/istio-system/originate-mtls-for-nginx'];
    expect(dr.spec).toEqual({
      host: NGINX,
      trafficPolicy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL', credentialName: 'client-credential', sni: NGINX } }],
      },
    });
    expect(o.mutual).toBe(true);
    expect(o.destinationRuleNamespace).toBe('istio-system');
    expect(o.serviceEntry).toBeUndefined();
    expect(objects.filter((x) => ['Role', 'RoleBinding', 'Secret'].includes(x.kind))).toEqual([]);
    expect(chainProblems(objects, DEFAULT_GATEWAY)).toEqual([]);
  });

  test.each([
    ['fromPem', () => pemCredential('partner-cred'), 'Secret'],
    ['fromCertManager', () => TlsCredential.fromCertManager({ secretName: 'partner-cred', issuerName: 'example-ca', dnsNames: ['client.example.com'] }), 'Certificate'],
  ])('a %s credential is emitted in the gateway namespace', (_how, makeCredential, kind) => {
    const credential = makeCredential();
    // GIVEN
    const c = chart({ namespace: 'shop' });
    const gateway = EgressGateway.fromAttributes({ namespace: 'egress', serviceName: 'egress-gw', podLabels: { istio: 'egress-gw' } });
    // WHEN
    const o = new EgressGatewayTlsOrigination(c, 'partner', { host: 'partner.example.com', gateway, credential });
    // THEN
    const emitted = one(c, kind);
    expect(emitted.metadata.namespace).toBe('egress');
    expect(o.credentialSecret).toBeDefined();
    if (kind === 'Certificate') expect(emitted.spec.usages).toContain('client auth');
    const objects = Testing.synth(c);
    const dr = objects.find((x) => x.metadata.name === 'originate-mtls-for-partner-example-com');
    expect(dr.metadata.namespace).toBe('egress');
    expect(dr.spec.trafficPolicy.portLevelSettings[0].tls.credentialName).toBe('partner-cred');
    for (const x of objects.filter((y) => ['ServiceEntry', 'Gateway', 'VirtualService'].includes(y.kind))) expect(x.metadata.namespace).toBe('shop');
    expect(chainProblems(objects, gateway)).toEqual([]);
  });

  test('SIMPLE with a CA credential verifies the server with the Secret of the gateway namespace', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new EgressGatewayTlsOrigination(c, 'api', {
      host: 'api.partner.example',
      caCredential: pemCa('partner-ca'),
      subjectAltNames: ['api.partner.example'],
    });
    // THEN
    const secret = one(c, 'Secret');
    expect(secret.metadata).toEqual({ name: 'partner-ca', namespace: 'istio-system' });
    expect(Object.keys(secret.data)).toEqual(['ca.crt']);
    const dr = ofKind(c, 'DestinationRule').find((d) => d.spec.host === 'api.partner.example');
    expect(dr.metadata.namespace).toBeUndefined(); // next to its ServiceEntry, as in the task
    expect(dr.spec.trafficPolicy.portLevelSettings[0].tls).toEqual({ mode: 'SIMPLE', credentialName: 'partner-ca', subjectAltNames: ['api.partner.example'] });
  });

  test('fully configured', () => {
    // GIVEN
    const c = chart({ namespace: 'apps', labels: { team: 'a' } });
    const gateway = EgressGateway.fromAttributes({ namespace: 'egress', serviceName: 'egress-gw', podLabels: { istio: 'egress-gw', app: 'egress-gw' }, ports: [{ port: 15443, name: 'mtls' }] });
    // WHEN
    new EgressGatewayTlsOrigination(c, 'partner', {
      host: 'api.partner.example',
      gateway,
      name: 'partner',
      httpPort: 8080,
      httpPortName: 'http-api',
      httpsPort: 8443,
      httpsPortName: 'https-api',
      gatewayPort: 15443,
      gatewayPortName: 'tls-partner',
      resolution: Resolution.DNS_ROUND_ROBIN,
      sni: 'api.partner.example',
      subjectAltNames: ['spiffe://partner/api'],
      loadBalancer: LoadBalancer.LEAST_REQUEST,
      credential: TlsCredential.fromExistingSecret('partner-client'),
      serviceEntryName: 'partner-api',
      gatewayName: 'partner-egress',
      gatewayDestinationRuleName: 'partner-egress-subset',
      subsetName: 'partner-api',
      virtualServiceName: 'partner-through-egress',
      destinationRuleName: 'partner-mtls',
      destinationRuleNamespace: 'apps',
      apiVersion: IstioApiVersion.V1BETA1,
    });
    // THEN
    const objects = Testing.synth(c);
    for (const o of objects) {
      expect(o.apiVersion).toBe('networking.istio.io/v1beta1');
      expect(o.metadata.namespace).toBe('apps');
      expect(o.metadata.labels).toEqual({ team: 'a' });
    }
    const vs = one(c, 'VirtualService');
    expect(vs.spec.http.map((h: any) => [h.match[0], h.route[0].destination])).toEqual([
      [{ gateways: ['mesh'], port: 8080 }, { host: 'egress-gw.egress.svc.cluster.local', subset: 'partner-api', port: { number: 15443 } }],
      [{ gateways: ['partner-egress'], port: 15443 }, { host: 'api.partner.example', port: { number: 8443 } }],
    ]);
    expect(one(c, 'ServiceEntry').spec.resolution).toBe('DNS_ROUND_ROBIN');
    expect(chainProblems(objects, gateway)).toEqual([]);
    expect(objects).toMatchSnapshot();
  });

  test('only <name>.<namespace>.svc.<clusterDomain> counts as a Service of the cluster', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const pod = new EgressGatewayTlsOrigination(c, 'pod', { host: 'a.b.c.svc.cluster.local' });
    const svc = new EgressGatewayTlsOrigination(c, 'svc', { host: 'api.partners.svc.cluster.local', destinationRuleNamespace: 'partners' });
    // THEN
    expect(pod.serviceEntry).toBeDefined();
    expect(svc.serviceEntry).toBeUndefined();
    expect(svc.destinationRuleNamespace).toBe('partners');
  });

  test('derived names longer than a DNS label are shortened with a stable hash, not refused', () => {
    // GIVEN
    const c = chart();
    const host = `${'a'.repeat(50)}.example.com`;
    // WHEN
    const o = new EgressGatewayTlsOrigination(c, 'long', { host });
    // THEN
    expect(o.gatewayName).toHaveLength(63);
    expect(o.gatewayName).toMatch(/^egressgateway-for-a+-[0-9a-f]{8}$/);
    for (const x of Testing.synth(c)) expect(x.metadata.name.length).toBeLessThanOrEqual(63);
  });

  describe('several hosts share one gateway', () => {
    test('without conflicting objects: one Gateway, subset and route set per host', () => {
      // GIVEN
      const c = chart();
      const gateway = EgressGateway.fromAttributes();
      // WHEN
      const hosts = ['edition.cnn.com', 'api.github.com', 'www.google.com'];
      for (const host of hosts) new EgressGatewayTlsOrigination(c, host, { host, gateway });
      new EgressGatewayTlsOrigination(c, 'nginx', { host: NGINX, gateway, gatewayPort: 443, credential: TlsCredential.fromExistingSecret('client-credential') });
      // THEN
      const objects = Testing.synth(c);
      const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(new Set(keys).size).toBe(keys.length);
      const subsets = ofKind(c, 'DestinationRule').filter((d) => d.spec.host === GW_HOST).flatMap((d) => d.spec.subsets.map((s: any) => s.name));
      expect(subsets).toEqual(['edition-cnn-com', 'api-github-com', 'www-google-com', 'my-nginx-mesh-external-svc-cluster-local']);
      const servers = ofKind(c, 'Gateway').map((g) => `${g.spec.servers[0].port.number}/${g.spec.servers[0].hosts[0]}`);
      expect(new Set(servers).size).toBe(4);
      expect(chainProblems(objects, gateway)).toEqual([]);
      expect(validateManifests(objects).errors).toEqual([]);
    });

    test('fails when two hosts are given the same Gateway name in one chart', () => {
      // GIVEN
      const c = chart();
      // WHEN
      new EgressGatewayTlsOrigination(c, 'one', { host: 'edition.cnn.com', gatewayName: 'shared' });
      new EgressGatewayTlsOrigination(c, 'two', { host: 'api.github.com', gatewayName: 'shared' });
      // THEN
      expect(() => Testing.synth(c)).toThrow(/'test\/one' and 'test\/two' both emit Gateway "shared" in namespace "\(none\)": give one of them another 'name'/);
    });

    test('fails when one host is routed through one gateway twice, even from two charts', () => {
      // GIVEN
      const app = Testing.app();
      const { Chart } = jest.requireActual<typeof import('cdk8s')>('cdk8s');
      const a = new Chart(app, 'a', { namespace: 'team-a' });
      const b = new Chart(app, 'b', { namespace: 'team-b' });
      // WHEN
      new EgressGatewayTlsOrigination(a, 'cnn', { host: 'edition.cnn.com' });
      new EgressGatewayTlsOrigination(b, 'cnn', { host: 'edition.cnn.com' });
      // THEN
      expect(() => app.synth()).toThrow(/'a\/cnn' and 'b\/cnn' both emit a Gateway server for host "edition.cnn.com" on the egress gateway istio-egressgateway.istio-system.svc.cluster.local: route each host through a gateway once/);
    });
  });

  describe('refuses bad props', () => {
    const cred = TlsCredential.fromExistingSecret('client-credential');
    test.each([
      ['null props', null, /EgressGatewayTlsOrigination: props must be an object \(got null\)/],
      ['resolution NONE', { host: 'edition.cnn.com', resolution: Resolution.NONE }, /'resolution' NONE makes the egress gateway forward to the original destination address, which is the gateway's own Service IP: the gateway routes to itself in a loop \(got "NONE"\)/],
      ['resolution STATIC', { host: 'edition.cnn.com', resolution: Resolution.STATIC }, /'resolution' STATIC needs ServiceEntry endpoints/],
      ['a URL as host', { host: 'https://edition.cnn.com' }, /'host' must be a host name, not a URL/],
      ['a wildcard host', { host: '*.cnn.com' }, /'host' must not be a wildcard here/],
      ['the gateway itself as host', { host: GW_HOST }, /'host' must not be the egress gateway's own Service "istio-egressgateway.istio-system.svc.cluster.local": the gateway would route to itself/],
      ['a gateway port the gateway Service lacks', { host: 'edition.cnn.com', gatewayPort: 8080 }, /'gatewayPort' must be a port of the egress gateway's Service istio-egressgateway.istio-system.svc.cluster.local \(80, 443\).*\(got 8080\)/],
      ['a bad gateway port name', { host: 'edition.cnn.com', gatewayPortName: 'HTTPS' }, /'gatewayPortName' must be a port name .*\(got "HTTPS"\)/],
      ['the same HTTP and HTTPS port', { host: 'edition.cnn.com', httpPort: 443 }, /'httpsPort' must differ from 'httpPort': both are 443/],
      ['a gateway that is not an EgressGateway', { host: 'edition.cnn.com', gateway: { host: 'gw' } }, /'gateway' must be made with EgressGateway.fromAttributes\(\) \(got an object with key host\)/],
      ['a credential that is not a TlsCredential', { host: 'edition.cnn.com', credential: 'client-credential' }, /'credential' must be made with TlsCredential.fromExistingSecret\(\), fromPem\(\) or fromCertManager\(\) \(got "client-credential"\)/],
      ['a CA-only credential', { host: 'edition.cnn.com', get credential() { return pemCa('ca'); } }, /'credential' must hold a client certificate and key for mutual TLS \(got secret "ca" with a CA certificate only\); for server verification only, pass it as 'caCredential'/],
      ['both credential and caCredential', { host: 'edition.cnn.com', credential: cred, caCredential: TlsCredential.fromExistingSecret('ca') }, /'caCredential' and 'credential' exclude each other/],
      ['a Gateway name with dots', { host: 'edition.cnn.com', gatewayName: 'egress.cnn' }, /'gatewayName' must be a Gateway name \(a DNS-1123 label: Istio refuses dots\).*\(got "egress.cnn"\)/],
      ['a bad subset name', { host: 'edition.cnn.com', subsetName: 'cnn.com' }, /'subsetName' must be a subset name .*\(got "cnn.com"\)/],
      ['a bad VirtualService name', { host: 'edition.cnn.com', virtualServiceName: 'Direct' }, /'virtualServiceName' must be a Kubernetes object name/],
      ['a DestinationRule namespace off the gateway lookup path', { host: 'edition.cnn.com', destinationRuleNamespace: 'elsewhere' }, /'destinationRuleNamespace' must be where the egress gateway looks DestinationRules up: its own namespace or the host's \("istio-system" or "default"\); elsewhere the gateway never originates TLS \(got "elsewhere"\)/],
      ['the client namespace for a Service host without ServiceEntry', { host: NGINX, credential: cred, gatewayPort: 443, destinationRuleNamespace: 'default' }, /'destinationRuleNamespace' .*\("istio-system" or "mesh-external"\).*\(got "default"\)/],
      ['a non-boolean createServiceEntry', { host: 'edition.cnn.com', createServiceEntry: 'yes' }, /'createServiceEntry' must be true or false \(got "yes"\)/],
      ['a bad load balancer', { host: 'edition.cnn.com', loadBalancer: 'FASTEST' }, /'loadBalancer' must be one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, PASSTHROUGH \(got "FASTEST"\)/],
      ['an IP as sni', { host: 'edition.cnn.com', sni: '10.0.0.1' }, /'sni' must be a DNS name, not an IP address/],
      ['empty subjectAltNames', { host: 'edition.cnn.com', subjectAltNames: [] }, /'subjectAltNames' must be a non-empty list/],
      ['a bad apiVersion', { host: 'edition.cnn.com', apiVersion: 'networking.istio.io/v2' }, /'apiVersion' must be one of/],
    ])('fails when given %s', (_what, props, message) => {
      expect(() => new EgressGatewayTlsOrigination(chart(), 'x', props as any)).toThrow(message);
    });
  });

  test('the validator accepts its output with a credential Secret the gateway reads (no workloadSelector needed)', () => {
    // GIVEN
    const c = chart();
    // WHEN
    new EgressGatewayTlsOrigination(c, 'nginx', { host: NGINX, gatewayPort: 443, credential: TlsCredential.fromExistingSecret('client-credential') });
    // THEN
    const report = validateManifests(Testing.synth(c));
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => f.ruleId)).not.toContain('istio/credential-without-selector');
  });

  test('the validator still refuses credentialName without workloadSelector when the sidecars route to the host and no Gateway does', () => {
    // GIVEN the gateway chain whose VirtualService sends the sidecars straight to the host: the DestinationRule applies at sidecars only
    const c = chart();
    const o = new EgressGatewayTlsOrigination(c, 'nginx', { host: NGINX, gatewayPort: 443, credential: TlsCredential.fromExistingSecret('client-credential') });
    const objects = [...Testing.synth(c).filter((x) => x.kind !== 'VirtualService'), { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'direct', namespace: 'default' },
      spec: { hosts: [NGINX], http: [{ route: [{ destination: { host: NGINX, port: { number: 443 } } }] }] } }];
    // WHEN
    const report = validateManifests(objects);
    // THEN
    expect(report.errors.map((f) => f.ruleId)).toEqual(['istio/credential-without-selector']);
    expect(formatFindings(report.errors)).toMatch(new RegExp(`DestinationRule istio-system/${o.destinationRule.name}`));
  });

  test('without any route to the host in the input, credentialName without workloadSelector is a warning (a gateway routed by another file may read it)', () => {
    const c = chart();
    new EgressGatewayTlsOrigination(c, 'nginx', { host: NGINX, gatewayPort: 443, credential: TlsCredential.fromExistingSecret('client-credential') });
    const report = validateManifests(Testing.synth(c).filter((x) => x.kind !== 'VirtualService'));
    expect(report.errors).toEqual([]);
    expect(report.warnings.filter((f) => f.ruleId === 'istio/credential-without-selector').map((f) => f.message)).toEqual([
      `could not check which proxy reads credentialName "client-credential" of this DestinationRule without workloadSelector: the routes to host ${NGINX} are not in the input (none from a Gateway, which reads credentialName, nor from sidecars, which ignore it and send their traffic without the client certificate)`,
    ]);
  });
});
