import { generateKeyPairSync } from 'crypto';
import { ApiObject, Testing } from 'cdk8s';
import { MutualTlsOrigination, SleepClient, TlsCredential } from '../../src';
import type { CertificateBundle } from '../../src/certificates';
import { findPrivateKeys, privateKeyMessage } from '../../src/synth/private-keys';
import { chart, testCertificates } from '../support/util';

// Fresh material, generated in memory for this file: never committed.
let certs: CertificateBundle;
beforeAll(async () => {
  certs = await testCertificates();
});

describe('findPrivateKeys', () => {
  test('finds the private key of TlsCredential.fromPem in the Secret it emits', () => {
    // GIVEN
    const c = chart({ namespace: 'shop' });
    const credential = TlsCredential.fromPem({ secretName: 'client-credential', certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.ca.cert });
    new MutualTlsOrigination(c, 'mtls', { host: 'partner.example.com', client: new SleepClient(c, 'sleep'), credential });
    // WHEN
    const found = findPrivateKeys([['shop.k8s.yaml', Testing.synth(c)]]);
    // THEN
    expect(found).toEqual([{ file: 'shop.k8s.yaml', object: 'Secret shop/client-credential', field: 'data.tls.key' }]);
  });

  test('finds nothing in a CA-only Secret, a Secret that exists elsewhere or cert-manager\'s Certificate', () => {
    const c = chart({ namespace: 'shop' });
    new MutualTlsOrigination(c, 'a', { host: 'a.example.com', client: new SleepClient(c, 'sleep'), credential: TlsCredential.fromExistingSecret('existing') });
    new MutualTlsOrigination(c, 'b', {
      host: 'b.example.com', client: new SleepClient(c, 'sleep-b'),
      credential: TlsCredential.fromCertManager({ secretName: 'issued', issuerName: 'ca', dnsNames: ['client.example.com'] }),
    });
    const objects = [...Testing.synth(c), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ca' }, data: { 'ca.crt': Buffer.from(certs.ca.cert).toString('base64') } }];
    expect(findPrivateKeys([['shop.k8s.yaml', objects]])).toEqual([]);
  });

  test('finds a PEM private key anywhere else: stringData, a ConfigMap, any key type', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    const c = chart();
    new ApiObject(c, 's', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { key: ec } } as any);
    new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'x' }, data: { 'id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n' } } as any);
    expect(findPrivateKeys([['x.k8s.yaml', Testing.synth(c)]]).map((f) => `${f.object} ${f.field}`))
      .toEqual(['Secret s stringData.key', 'ConfigMap x/cm data.id_rsa']);
  });

  test('names every key of an object in document order, at any depth, arrays included', () => {
    // GIVEN a custom object (not a Secret) with keys nested in maps and lists, and plain strings between them
    const key = '-----BEGIN PRIVATE KEY-----\nMC4CAQ\n-----END PRIVATE KEY-----\n';
    const o = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: { a: { deep: [key, 'x', { k: key }] }, b: key, c: 'plain' } };
    // WHEN synth looks for keys; THEN each is named by its path, in the order of the document
    expect(findPrivateKeys([['t.k8s.yaml', [o]]]).map((f) => f.field)).toEqual(['spec.a.deep[0]', 'spec.a.deep[2].k', 'spec.b']);
    // and an object without one has none, whatever its depth
    expect(findPrivateKeys([['t.k8s.yaml', [{ kind: 'Thing', spec: { a: [[[['-----BEGIN CERTIFICATE-----']]]] } }]]])).toEqual([]);
  });
});

test('the message says why (the output ends up in git) and how to opt in, and shows no key', () => {
  const message = privateKeyMessage([{ file: 'shop.k8s.yaml', object: 'Secret shop/client-credential', field: 'data.tls.key' }], 'dist/');
  expect(message).toBe('refusing to write a private key into dist/: Secret shop/client-credential (data.tls.key) in shop.k8s.yaml. '
    + 'Files in an output folder end up in git, and a key committed to git can be read by everyone who can clone the repository, for good '
    + '(deleting it later leaves it in the history). Keep keys out of the manifests: TlsCredential.fromExistingSecret (a Secret made in the cluster) '
    + 'or TlsCredential.fromCertManager; for a throw-away cluster whose manifests never leave this machine, run synth with --allow-private-keys. '
    + 'dist/ was left untouched');
});
