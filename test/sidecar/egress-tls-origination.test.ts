import { Testing } from 'cdk8s';
import { EgressTlsOrigination, IstioApiVersion, LoadBalancer, MeshWorkload, Resolution, TlsCredential } from '../../src';
import { chart, maskSecretData, ofKind, one, testCertificates } from '../support/util';

let CA_PEM: string;
beforeAll(async () => { CA_PEM = (await testCertificates()).ca.cert; });

describe('EgressTlsOrigination', () => {
  test('defaults reproduce the Istio task (edition.cnn.com)', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const o = new EgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com' });
    // THEN
    const se = one(c, 'ServiceEntry');
    const dr = one(c, 'DestinationRule');
    expect(se.apiVersion).toBe('networking.istio.io/v1');
    expect(se.metadata).toEqual({ name: 'edition-cnn-com' });
    expect(se.spec).toEqual({
      hosts: ['edition.cnn.com'],
      ports: [
        { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
        { number: 443, name: 'https-port', protocol: 'HTTPS' },
      ],
      resolution: 'DNS',
    });
    expect(dr.metadata).toEqual({ name: 'edition-cnn-com' });
    expect(dr.spec).toEqual({
      host: 'edition.cnn.com',
      trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] },
    });
    expect([o.host, o.name, o.httpPort, o.httpsPort]).toEqual(['edition.cnn.com', 'edition-cnn-com', 80, 443]);
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('fully configured', () => {
    // GIVEN
    const c = chart({ namespace: 'apps' });
    const client = MeshWorkload.fromAttributes({ serviceAccountName: 'billing', podLabels: { app: 'billing' } });
    // WHEN
    new EgressTlsOrigination(c, 'api', {
      host: 'api.example.com',
      name: 'payments-api',
      httpPort: 8080,
      httpPortName: 'http',
      httpsPort: 8443,
      httpsPortName: 'https',
      resolution: Resolution.DNS_ROUND_ROBIN,
      exportTo: ['.'],
      sni: 'api.example.com',
      subjectAltNames: ['api.example.com', 'spiffe://example.com/api'],
      caCredential: TlsCredential.fromPem({ secretName: 'api-ca', caCertificate: CA_PEM }),
      client,
      loadBalancer: LoadBalancer.LEAST_REQUEST,
      apiVersion: IstioApiVersion.V1BETA1,
    });
    // THEN
    const se = one(c, 'ServiceEntry');
    const dr = one(c, 'DestinationRule');
    const secret = one(c, 'Secret');
    expect(se.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(se.metadata).toEqual({ name: 'payments-api', namespace: 'apps' });
    expect(se.spec.ports).toEqual([
      { number: 8080, name: 'http', protocol: 'HTTP', targetPort: 8443 },
      { number: 8443, name: 'https', protocol: 'HTTPS' },
    ]);
    expect(se.spec.exportTo).toEqual(['.']);
    expect(se.spec.resolution).toBe('DNS_ROUND_ROBIN');
    expect(dr.spec.workloadSelector).toEqual({ matchLabels: { app: 'billing' } });
    expect(dr.spec.trafficPolicy.loadBalancer).toEqual({ simple: 'LEAST_REQUEST' });
    expect(dr.spec.trafficPolicy.portLevelSettings[0]).toEqual({
      port: { number: 8080 },
      tls: { mode: 'SIMPLE', credentialName: 'api-ca', sni: 'api.example.com', subjectAltNames: ['api.example.com', 'spiffe://example.com/api'] },
    });
    expect(secret.metadata).toEqual({ name: 'api-ca', namespace: 'apps' });
    expect(secret.type).toBe('Opaque');
    expect(Buffer.from(secret.data['ca.crt'], 'base64').toString()).toBe(CA_PEM);
    expect(maskSecretData(Testing.synth(c))).toMatchSnapshot();
  });

  test('originateTls: false emits only the plain ServiceEntry (the first step of the task)', () => {
    const c = chart();
    new EgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', originateTls: false });
    expect(ofKind(c, 'DestinationRule')).toHaveLength(0);
    expect(one(c, 'ServiceEntry').spec.ports).toEqual([
      { number: 80, name: 'http-port', protocol: 'HTTP' },
      { number: 443, name: 'https-port', protocol: 'HTTPS' },
    ]);
  });

  test('caCertificates sets the file path', () => {
    const c = chart();
    new EgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', caCertificates: '/etc/ssl/certs/ca-certificates.crt' });
    expect(one(c, 'DestinationRule').spec.trafficPolicy.portLevelSettings[0].tls)
      .toEqual({ mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt' });
  });

  test.each([
    [IstioApiVersion.V1, 'networking.istio.io/v1'],
    [IstioApiVersion.V1BETA1, 'networking.istio.io/v1beta1'],
    [IstioApiVersion.V1ALPHA3, 'networking.istio.io/v1alpha3'],
  ])('apiVersion %s', (apiVersion, expected) => {
    const c = chart();
    new EgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com', apiVersion });
    expect(Testing.synth(c).map((o) => o.apiVersion)).toEqual([expected, expected]);
  });

  test('never emits empty arrays or objects', () => {
    const c = chart();
    new EgressTlsOrigination(c, 'cnn', { host: 'edition.cnn.com' });
    const empties: string[] = [];
    const walk = (v: any, p: string) => {
      if (Array.isArray(v)) { if (v.length === 0) empties.push(p); v.forEach((x, i) => walk(x, `${p}[${i}]`)); }
      else if (v && typeof v === 'object') { if (Object.keys(v).length === 0) empties.push(p); for (const k of Object.keys(v)) walk(v[k], `${p}.${k}`); }
    };
    Testing.synth(c).forEach((o, i) => walk(o, `[${i}]`));
    expect(empties).toEqual([]);
  });

  describe('bad input', () => {
    const bad = (props: any) => () => new EgressTlsOrigination(chart(), 'x', props);
    test.each([
      ['an empty host', { host: '' }, /'host' must be a fully qualified domain name .*\(got ""\)/],
      ['a URL', { host: 'https://edition.cnn.com/politics' }, /'host' must be a host name, not a URL.*\(got "https:\/\/edition.cnn.com\/politics"\)/],
      ['host:port', { host: 'edition.cnn.com:443' }, /'host' must be a host name without a port.*'httpPort'.*\(got "edition.cnn.com:443"\)/],
      ['an IP address', { host: '151.101.1.67' }, /'host' must be a DNS name, not an IP address.*\(got "151.101.1.67"\)/],
      ['a bare *', { host: '*' }, /'host' must not be '\*' alone/],
      ['an invalid label', { host: 'edition_cnn.com' }, /'host' must be a fully qualified domain name \(got "edition_cnn.com"\): label "edition_cnn"/],
      ['a label too long', { host: `${'a'.repeat(64)}.com` }, /label "a{64}" is not 1 to 63/],
      ['uppercase', { host: 'Edition.CNN.com' }, /'host' must be lowercase .* use "edition.cnn.com" \(got "Edition.CNN.com"\)/],
      ['a short name', { host: 'nginx' }, /'host' must be fully qualified/],
      ['a wildcard with DNS resolution', { host: '*.cnn.com' }, /'host' must not be a wildcard here: resolution DNS cannot resolve a wildcard host.*\(got "\*.cnn.com"\)/],
      ['a wildcard with origination', { host: '*.cnn.com', resolution: Resolution.NONE }, /'host' must not be a wildcard here: the sidecar forwards wildcard hosts/],
      ['resolution NONE with origination', { host: 'edition.cnn.com', resolution: Resolution.NONE }, /'resolution' NONE forwards to the original destination port/],
      ['resolution STATIC', { host: 'edition.cnn.com', resolution: Resolution.STATIC }, /'resolution' STATIC needs ServiceEntry endpoints/],
      ['an unknown resolution', { host: 'edition.cnn.com', resolution: 'DYNAMIC' }, /'resolution' must be one of DNS, DNS_ROUND_ROBIN, STATIC, NONE \(got "DYNAMIC"\)/],
      ['a port of 0', { host: 'edition.cnn.com', httpPort: 0 }, /'httpPort' must be an integer from 1 to 65535 \(got 0\)/],
      ['a port above 65535', { host: 'edition.cnn.com', httpsPort: 70000 }, /'httpsPort' must be an integer from 1 to 65535 \(got 70000\)/],
      ['a fractional port', { host: 'edition.cnn.com', httpsPort: 443.5 }, /'httpsPort' must be an integer from 1 to 65535 \(got 443.5\)/],
      ['a port as a string', { host: 'edition.cnn.com', httpPort: '80' }, /'httpPort' must be an integer from 1 to 65535 \(got "80"\)/],
      ['colliding ports', { host: 'edition.cnn.com', httpPort: 443 }, /'httpsPort' must differ from 'httpPort': both are 443/],
      ['colliding port names', { host: 'edition.cnn.com', httpPortName: 'web', httpsPortName: 'web' }, /'httpsPortName' must differ from 'httpPortName'/],
      ['an invalid port name', { host: 'edition.cnn.com', httpPortName: 'HTTP Port' }, /'httpPortName' must be a DNS-1123 label.*\(got "HTTP Port"\)/],
      ['an invalid name', { host: 'edition.cnn.com', name: 'Edition_CNN' }, /'name' must be a Kubernetes object name.*\(got "Edition_CNN"\)/],
      ['an invalid namespace', { host: 'edition.cnn.com', namespace: 'my.ns' }, /'namespace' must be a Kubernetes namespace name.*\(got "my.ns"\)/],
      ['an invalid exportTo', { host: 'edition.cnn.com', exportTo: ['.', 'Bad NS'] }, /'exportTo\[1\]' must be a Kubernetes namespace name.*\(got "Bad NS"\)/],
      ['exportTo mixing *', { host: 'edition.cnn.com', exportTo: ['*', 'apps'] }, /'exportTo' must not combine '\*' or '~' with other entries \(got \["\*","apps"\]\)/],
      ['an empty exportTo', { host: 'edition.cnn.com', exportTo: [] }, /'exportTo' must be a non-empty list/],
      ['duplicate exportTo', { host: 'edition.cnn.com', exportTo: ['a', 'a'] }, /'exportTo' must not list "a" twice/],
      ['an invalid sni', { host: 'edition.cnn.com', sni: 'https://x' }, /'sni' must be a host name, not a URL/],
      ['empty subjectAltNames', { host: 'edition.cnn.com', subjectAltNames: [] }, /'subjectAltNames' must be a non-empty list/],
      ['a relative caCertificates', { host: 'edition.cnn.com', caCertificates: 'ca.pem' }, /'caCertificates' must be an absolute file path in the sidecar.*\(got "ca.pem"\)/],
      ['sni without origination', { host: 'edition.cnn.com', originateTls: false, sni: 'edition.cnn.com' }, /'sni' has no effect when 'originateTls' is false/],
      ['caCredential without client', { host: 'edition.cnn.com', caCredential: TlsCredential.fromExistingSecret('ca') },
        /'client' is required with 'caCredential' \(secret "ca"\): sidecars ignore credentialName on a DestinationRule without workloadSelector/],
      ['caCredential with caCertificates', {
        host: 'edition.cnn.com', caCertificates: '/etc/ca.pem', caCredential: TlsCredential.fromExistingSecret('ca'),
        client: MeshWorkload.fromAttributes({ serviceAccountName: 'a', podLabels: { app: 'a' } }),
      }, /'caCredential' and 'caCertificates' exclude each other/],
      ['a client in another namespace', {
        host: 'edition.cnn.com', namespace: 'apps',
        client: MeshWorkload.fromAttributes({ namespace: 'shop', serviceAccountName: 'a', podLabels: { app: 'a' } }),
      }, /'namespace' must be the client's namespace "shop".*\(got "apps"\)/],
      ['an unknown load balancer', { host: 'edition.cnn.com', loadBalancer: 'FASTEST' }, /'loadBalancer' must be one of ROUND_ROBIN, LEAST_REQUEST, RANDOM, PASSTHROUGH \(got "FASTEST"\)/],
      ['an unknown apiVersion', { host: 'edition.cnn.com', apiVersion: 'networking.istio.io/v2' }, /'apiVersion' must be one of .*\(got "networking.istio.io\/v2"\)/],
    ])('fails when given %s', (_what, props, message) => {
      expect(bad(props)).toThrow(message);
    });

    test('fails without writing anything', () => {
      const c = chart();
      expect(() => new EgressTlsOrigination(c, 'x', { host: 'https://edition.cnn.com' })).toThrow(/'host'/);
      expect(Testing.synth(c)).toEqual([]);
    });
  });
});

describe('collisions across constructs', () => {
  test('fails at synth when two originations emit objects with the same name', () => {
    const c = chart();
    new EgressTlsOrigination(c, 'one', { host: 'edition.cnn.com', originateTls: false });
    new EgressTlsOrigination(c, 'two', { host: 'edition.cnn.com', httpPort: 8080 });
    expect(() => Testing.synth(c)).toThrow(/'test\/one' and 'test\/two' both emit a ServiceEntry named "edition-cnn-com" in namespace "\(none\)": give one of them another 'name'/);
  });

  test('fails at synth when two DestinationRules select the same workloads for one host', () => {
    const c = chart({ namespace: 'apps' });
    new EgressTlsOrigination(c, 'one', { host: 'edition.cnn.com' });
    new EgressTlsOrigination(c, 'two', { host: 'edition.cnn.com', name: 'cnn-again' });
    expect(() => Testing.synth(c)).toThrow(/both emit a DestinationRule for host "edition.cnn.com" and the same workloadSelector \(every workload\) in namespace "apps"/);
  });

  test('allows the same host in other namespaces or for other workloads', () => {
    const c = chart();
    new EgressTlsOrigination(c, 'one', { host: 'edition.cnn.com', namespace: 'a' });
    new EgressTlsOrigination(c, 'two', { host: 'edition.cnn.com', namespace: 'b' });
    const w = MeshWorkload.fromAttributes({ namespace: 'a', serviceAccountName: 'x', podLabels: { app: 'x' } });
    new EgressTlsOrigination(c, 'three', { host: 'edition.cnn.com', name: 'cnn-for-x', client: w, originateTls: true });
    expect(Testing.synth(c)).toHaveLength(6);
  });
});
