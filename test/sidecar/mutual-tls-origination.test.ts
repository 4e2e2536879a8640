import { Testing } from 'cdk8s';
import { MeshWorkload, MutualTlsOrigination, LoadBalancer, SleepClient, TlsCredential } from '../../src';
import { chart, maskSecretData, ofKind, one, testCertificates } from '../support/util';

let CERT: string;
let KEY: string;
let CA: string;
beforeAll(async () => {
  const certs = await testCertificates();
  [CERT, KEY, CA] = [certs.client.cert, certs.client.key, certs.ca.cert];
});
const HOST = 'my-nginx.mesh-external.svc.cluster.local';

describe('MutualTlsOrigination', () => {
  test('defaults reproduce the Istio task', () => {
    // GIVEN
    const c = chart();
    const sleep = new SleepClient(c, 'sleep');
    // WHEN
    const m = new MutualTlsOrigination(c, 'mtls', {
      name: 'originate-mtls-for-nginx',
      host: HOST,
      client: sleep,
      credential: TlsCredential.fromExistingSecret('client-credential'),
    });
    // THEN
    expect(one(c, 'ServiceEntry').spec).toEqual({
      hosts: [HOST],
      ports: [
        { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
        { number: 443, name: 'https-port', protocol: 'HTTPS' },
      ],
      resolution: 'DNS',
    });
    expect(one(c, 'DestinationRule').spec).toEqual({
      workloadSelector: { matchLabels: { app: 'sleep' } },
      host: HOST,
      trafficPolicy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'MUTUAL', credentialName: 'client-credential', sni: HOST } }],
      },
    });
    const role = one(c, 'Role');
    expect(role.metadata).toEqual({ name: 'client-credential-role' });
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
    const binding = one(c, 'RoleBinding');
    expect(binding.metadata).toEqual({ name: 'client-credential-role-binding' });
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'client-credential-role' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'sleep', namespace: 'default' }]);
    expect(ofKind(c, 'Secret')).toHaveLength(0);
    expect(m.credentialSecret).toBeUndefined();
    expect(Testing.synth(c).filter((o) => !['ServiceAccount', 'Service', 'Deployment'].includes(o.kind))).toMatchSnapshot();
  });

  test('fully configured, with a PEM credential in the client namespace', () => {
    // GIVEN
    const c = chart();
    const client = MeshWorkload.fromAttributes({ namespace: 'shop', serviceAccountName: 'checkout', podLabels: { app: 'checkout', tier: 'web' } });
    // WHEN
    new MutualTlsOrigination(c, 'mtls', {
      host: 'partner.example.com',
      httpPort: 8080,
      httpsPort: 8443,
      client,
      credential: TlsCredential.fromPem({ secretName: 'partner-cred', certificate: CERT, privateKey: KEY, caCertificate: CA }),
      sni: 'partner.example.com',
      subjectAltNames: ['partner.example.com'],
      loadBalancer: LoadBalancer.LEAST_REQUEST,
      exportTo: ['.'],
      roleName: 'partner-cred-reader',
      roleBindingName: 'checkout-reads-partner-cred',
    });
    // THEN
    const objects = Testing.synth(c);
    for (const o of objects) expect(o.metadata.namespace).toBe('shop');
    const dr = one(c, 'DestinationRule');
    expect(dr.metadata.name).toBe('partner-example-com');
    expect(dr.spec.workloadSelector).toEqual({ matchLabels: { app: 'checkout', tier: 'web' } });
    expect(dr.spec.trafficPolicy.portLevelSettings[0].port).toEqual({ number: 8080 });
    expect(one(c, 'ServiceEntry').spec.ports[0]).toEqual({ number: 8080, name: 'http-port', protocol: 'HTTP', targetPort: 8443 });
    const secret = one(c, 'Secret');
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.metadata).toEqual({ name: 'partner-cred', namespace: 'shop' });
    expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(Buffer.from(secret.data['tls.key'], 'base64').toString()).toBe(KEY);
    expect(one(c, 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'checkout', namespace: 'shop' }]);
    expect(one(c, 'RoleBinding').roleRef.name).toBe('partner-cred-reader');
    expect(maskSecretData(objects)).toMatchSnapshot();
  });

  test('certificate files instead of a credential: no selector needed, no RBAC', () => {
    const c = chart();
    new MutualTlsOrigination(c, 'mtls', {
      host: 'partner.example.com', clientCertificate: '/etc/certs/cert.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem',
    });
    expect(one(c, 'DestinationRule').spec.trafficPolicy.portLevelSettings[0].tls).toEqual({
      mode: 'MUTUAL', clientCertificate: '/etc/certs/cert.pem', privateKey: '/etc/certs/key.pem', caCertificates: '/etc/certs/ca.pem', sni: 'partner.example.com',
    });
    expect(one(c, 'DestinationRule').spec.workloadSelector).toBeUndefined();
    expect(ofKind(c, 'Role')).toHaveLength(0);
  });

  test('takes the namespace of the chart when the client has none', () => {
    const c = chart({ namespace: 'team-a' });
    const sleep = new SleepClient(c, 'sleep');
    new MutualTlsOrigination(c, 'mtls', { host: HOST, client: sleep, credential: TlsCredential.fromExistingSecret('client-credential') });
    expect(one(c, 'DestinationRule').metadata.namespace).toBe('team-a');
    expect(one(c, 'RoleBinding').subjects[0].namespace).toBe('team-a');
  });

  describe('bad input', () => {
    const client = MeshWorkload.fromAttributes({ namespace: 'shop', serviceAccountName: 'checkout', podLabels: { app: 'checkout' } });
    const credential = TlsCredential.fromExistingSecret('client-credential');
    const bad = (props: any) => () => new MutualTlsOrigination(chart(), 'x', { host: HOST, ...props });
    test.each([
      ['no credential at all', { client }, /MUTUAL TLS needs a client certificate: give 'credential' \(a Secret\), or both 'clientCertificate' and 'privateKey' \(got neither\)/],
      ['only a certificate file', { clientCertificate: '/c.pem' }, /\(got clientCertificate only\)/],
      ['a credential and certificate files', { client, credential, clientCertificate: '/c.pem' },
        /'credential' and 'clientCertificate' exclude each other: Istio rejects credentialName together with certificate files \(got clientCertificate "\/c.pem"\)/],
      ['a credential and caCertificates', { client, credential, caCertificates: '/ca.pem' }, /'credential' and 'caCertificates' exclude each other/],
      ['a credential without a client (no workloadSelector)', { credential },
        /'client' is required with 'credential' \(secret "client-credential"\): sidecars ignore credentialName on a DestinationRule without workloadSelector and send plaintext/],
      ['a CA-only credential', () => ({ client, credential: TlsCredential.fromPem({ secretName: 'ca', caCertificate: CA }) }), /'credential' must hold a client certificate and key/],
      ['a namespace other than the client\'s', { client, credential, namespace: 'default' }, /'namespace' must be the client's namespace "shop".*\(got "default"\)/],
      ['a client without pod labels', { credential, client: { serviceAccountName: 'a', podLabels: {} } }, /'client.podLabels' must contain at least one label: an empty selector selects every workload/],
      ['an invalid pod label', { credential, client: { serviceAccountName: 'a', podLabels: { 'app name': 'x' } } }, /'client.podLabels' has an invalid label key "app name"/],
      ['an invalid label value', { credential, client: { serviceAccountName: 'a', podLabels: { app: 'a b' } } }, /'client.podLabels' has an invalid value for label "app" \(got "a b"\)/],
      ['an invalid service account', { credential, client: { serviceAccountName: 'Sleep', podLabels: { app: 'a' } } }, /'client.serviceAccountName' must be a Kubernetes object name.*\(got "Sleep"\)/],
      ['an invalid role name', { client, credential, roleName: 'Role!' }, /'roleName' must be a Kubernetes object name.*\(got "Role!"\)/],
      ['createRbac with certificate files', { clientCertificate: '/c.pem', privateKey: '/k.pem', createRbac: true }, /'createRbac' needs 'credential'/],
      ['a plain object as credential', { client, credential: { secretName: 'x' } }, /'credential' must be made with TlsCredential.fromExistingSecret\(\) or TlsCredential.fromPem\(\)/],
      ['an IP host', { host: '10.0.0.1', client, credential }, /'host' must be a DNS name, not an IP address/],
      ['colliding ports', { client, credential, httpPort: 8443, httpsPort: 8443 }, /'httpsPort' must differ from 'httpPort': both are 8443/],
    ])('fails when given %s', (_what, props, message) => {
      expect(bad(typeof props === 'function' ? props() : props)).toThrow(message);
    });
  });
});

describe('TlsCredential', () => {
  test.each([
    ['a non-PEM certificate', () => ({ secretName: 's', certificate: 'hello', privateKey: KEY }), /'certificate' must be PEM text: line 1 is neither a "-----BEGIN ...-----" line/],
    ['a non-PEM key', () => ({ secretName: 's', certificate: CERT, privateKey: 'secret' }), /'privateKey' must be PEM text/],
    ['a certificate without key', () => ({ secretName: 's', certificate: CERT }), /'certificate' and 'privateKey' must be given together \(got only certificate\)/],
    ['nothing', () => ({ secretName: 's' }), /'fromPem' needs 'certificate' and 'privateKey', or 'caCertificate'/],
    ['an invalid secret name', () => ({ secretName: 'Client_Credential', caCertificate: CA }), /'secretName' must be a Kubernetes object name.*\(got "Client_Credential"\)/],
  ])('fromPem fails when given %s', (_what, options, message) => {
    expect(() => TlsCredential.fromPem(options() as any)).toThrow(message);
  });

  test('fromExistingSecret keeps custom key names', () => {
    const cred = TlsCredential.fromExistingSecret('nginx-ca-certs', { caCertificateKey: 'example.com.crt' });
    expect([cred.secretName, cred.certificateKey, cred.privateKeyKey, cred.caCertificateKey, cred.emitsSecret])
      .toEqual(['nginx-ca-certs', 'tls.crt', 'tls.key', 'example.com.crt', false]);
  });
});

describe('TlsCredential.fromCertManager', () => {
  test('emits a cert-manager Certificate for the client credential', () => {
    // GIVEN
    const c = chart({ namespace: 'apps' });
    const sleep = new SleepClient(c, 'sleep');
    // WHEN
    new MutualTlsOrigination(c, 'mtls', {
      host: HOST,
      client: sleep,
      credential: TlsCredential.fromCertManager({ secretName: 'client-credential', issuerName: 'example-ca', dnsNames: ['client.example.com'], duration: '2160h' }),
    });
    // THEN
    const cert = one(c, 'Certificate');
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.metadata).toEqual({ name: 'client-credential', namespace: 'apps' });
    expect(cert.spec).toEqual({
      secretName: 'client-credential',
      issuerRef: { name: 'example-ca', kind: 'Issuer', group: 'cert-manager.io' },
      commonName: 'client.example.com',
      dnsNames: ['client.example.com'],
      duration: '2160h',
      usages: ['digital signature', 'key encipherment', 'client auth'],
      privateKey: { rotationPolicy: 'Always' },
    });
    expect(ofKind(c, 'Secret')).toEqual([]);
    expect(one(c, 'DestinationRule').spec.trafficPolicy.portLevelSettings[0].tls.credentialName).toBe('client-credential');
  });

  test.each([
    ['no dnsNames', { dnsNames: [] }, /'dnsNames' must list at least one DNS name \(got \[\]\)/],
    ['a URL as DNS name', { dnsNames: ['https://x.example.com'] }, /'dnsNames\[0\]' must be a host name, not a URL/],
    ['a bad duration', { dnsNames: ['a.example.com'], duration: '90 days' }, /'duration' must be a Go duration such as "2160h".*\(got "90 days"\)/],
    ['an unknown issuer kind', { dnsNames: ['a.example.com'], issuerKind: 'Vault' }, /'issuerKind' must be one of Issuer, ClusterIssuer \(got "Vault"\)/],
  ])('fails when given %s', (_what, options, message) => {
    expect(() => TlsCredential.fromCertManager({ secretName: 's', issuerName: 'ca', ...options } as any)).toThrow(message);
  });
});
