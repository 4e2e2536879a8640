import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
// src/certificates loads the reflect-metadata polyfill @peculiar/x509 needs: import it first.
import {
  CertificateBundle, DEFAULT_SERVER_HOST, generateCertificates, isSignedBy, kubectlSecretCommands, secretManifests,
} from '../../src/certificates';
import * as x509 from '@peculiar/x509';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

function ekus(pem: string): string[] {
  const ext = new x509.X509Certificate(pem).getExtension(x509.ExtendedKeyUsageExtension);
  return (ext?.usages ?? []).map(String);
}

function dnsSans(pem: string): string[] {
  return (new X509Certificate(pem).subjectAltName ?? '').split(', ').filter(Boolean);
}

function isCa(pem: string): boolean | undefined {
  return new x509.X509Certificate(pem).getExtension(x509.BasicConstraintsExtension)?.ca;
}

/** Subject RDNs in encoding order, e.g. ['O=example Inc.', 'CN=example.com']. */
function rdns(pem: string): string[] {
  return new x509.X509Certificate(pem).subjectName.toJSON()
    .map((rdn) => Object.entries(rdn).map(([k, v]) => `${k}=${v.join('+')}`).join('+'));
}

describe('generateCertificates (defaults: the seed scenario)', () => {
  let b: CertificateBundle;
  let other: CertificateBundle;
  beforeAll(async () => {
    [b, other] = await Promise.all([generateCertificates(), generateCertificates()]);
  });

  test('root CA: /O=example Inc./CN=example.com, self-signed, CA:TRUE', () => {
    const ca = new X509Certificate(b.ca.cert);
    expect(rdns(b.ca.cert)).toEqual(['O=example Inc.', 'CN=example.com']);
    expect(ca.subject).toBe(ca.issuer);
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(isCa(b.ca.cert)).toBe(true);
  });

  test('server certificate: CN/SAN = my-nginx.mesh-external.svc.cluster.local, O=some organization, serverAuth', () => {
    const cert = new X509Certificate(b.server.cert);
    expect(b.serverHost).toBe(DEFAULT_SERVER_HOST);
    expect(rdns(b.server.cert)).toEqual([`CN=${DEFAULT_SERVER_HOST}`, 'O=some organization']);
    expect(dnsSans(b.server.cert)).toEqual([`DNS:${DEFAULT_SERVER_HOST}`]);
    expect(ekus(b.server.cert)).toEqual([SERVER_AUTH]);
    expect(cert.ca).toBe(false);
    expect(cert.issuer).toBe(new X509Certificate(b.ca.cert).subject);
  });

  test('client certificate: CN=client.example.com, O=client organization, clientAuth', () => {
    expect(rdns(b.client.cert)).toEqual(['CN=client.example.com', 'O=client organization']);
    expect(ekus(b.client.cert)).toEqual([CLIENT_AUTH]);
    expect(new X509Certificate(b.client.cert).ca).toBe(false);
  });

  test('server and client certificates verify against the CA (Node X509Certificate.verify)', () => {
    const ca = new X509Certificate(b.ca.cert);
    for (const pem of [b.server.cert, b.client.cert]) {
      const cert = new X509Certificate(pem);
      expect(cert.checkIssued(ca)).toBe(true);
      expect(cert.verify(ca.publicKey)).toBe(true);
      expect(isSignedBy(pem, b.ca.cert)).toBe(true);
    }
  });

  test('chain verifies with @peculiar/x509 chain builder', async () => {
    const ca = new x509.X509Certificate(b.ca.cert);
    for (const pem of [b.server.cert, b.client.cert]) {
      const leaf = new x509.X509Certificate(pem);
      expect(await leaf.verify({ publicKey: ca.publicKey, date: new Date() })).toBe(true);
      const chain = await new x509.X509ChainBuilder({ certificates: [ca] }).build(leaf);
      expect(chain.map((c) => c.subject)).toEqual([leaf.subject, ca.subject]);
    }
  });

  test('checkHost / tls.checkServerIdentity accept the server host and reject others', () => {
    const cert = new X509Certificate(b.server.cert);
    expect(cert.checkHost(DEFAULT_SERVER_HOST)).toBe(DEFAULT_SERVER_HOST);
    expect(cert.checkHost('other.mesh-external.svc.cluster.local')).toBeUndefined();
    const peer = cert.toLegacyObject();
    expect(tls.checkServerIdentity(DEFAULT_SERVER_HOST, peer)).toBeUndefined();
    expect(tls.checkServerIdentity('evil.example.com', peer)).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  test('private keys match their certificates (PKCS#8 PEM)', () => {
    for (const p of [b.ca, b.server, b.client]) {
      expect(p.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      const fromKey = createPublicKey(createPrivateKey(p.key)).export({ type: 'spki', format: 'der' });
      const fromCert = new X509Certificate(p.cert).publicKey.export({ type: 'spki', format: 'der' });
      expect(Buffer.compare(fromKey, fromCert)).toBe(0);
      expect(createPrivateKey(p.key).asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });

  test('default validity is 365 days', () => {
    for (const pem of [b.ca.cert, b.server.cert, b.client.cert]) {
      const c = new X509Certificate(pem);
      expect(Date.parse(c.validTo) - Date.parse(c.validFrom)).toBe(365 * 86_400_000);
      expect(Date.parse(c.validFrom)).toBeLessThanOrEqual(Date.now());
    }
  });

  test('a certificate from another CA does not verify', () => {
    const ca = new X509Certificate(b.ca.cert);
    const foreign = new X509Certificate(other.client.cert);
    expect(foreign.checkIssued(ca)).toBe(false); // same issuer name, different key
    expect(foreign.verify(ca.publicKey)).toBe(false);
    expect(isSignedBy(other.client.cert, b.ca.cert)).toBe(false);
    expect(isSignedBy(other.server.cert, b.ca.cert)).toBe(false);
  });

  test('files use the seed file names', () => {
    expect(Object.keys(b.files).sort()).toEqual([
      'client.example.com.crt', 'client.example.com.key', 'example.com.crt', 'example.com.key',
      `${DEFAULT_SERVER_HOST}.crt`, `${DEFAULT_SERVER_HOST}.key`,
    ].sort());
    expect(b.files['example.com.crt']).toBe(b.ca.cert);
    expect(b.files[`${DEFAULT_SERVER_HOST}.key`]).toBe(b.server.key);
  });

  test('kubectl commands are the seed commands', () => {
    expect(kubectlSecretCommands(b)).toEqual([
      `kubectl create -n mesh-external secret tls nginx-server-certs --key ${DEFAULT_SERVER_HOST}.key --cert ${DEFAULT_SERVER_HOST}.crt`,
      'kubectl create -n mesh-external secret generic nginx-ca-certs --from-file=example.com.crt',
      'kubectl create secret generic client-credential --from-file=tls.key=client.example.com.key '
        + '--from-file=tls.crt=client.example.com.crt --from-file=ca.crt=example.com.crt',
    ]);
  });

  test('secret manifests hold the material under the kubectl key names', () => {
    const [server, ca, client] = secretManifests(b, { clientNamespace: 'sleepers' });
    expect(server).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'nginx-server-certs', namespace: 'mesh-external' } });
    expect(server.stringData).toEqual({ 'tls.key': b.server.key, 'tls.crt': b.server.cert });
    expect(ca.metadata).toEqual({ name: 'nginx-ca-certs', namespace: 'mesh-external' });
    expect(ca.stringData).toEqual({ 'example.com.crt': b.ca.cert });
    expect(client.metadata).toEqual({ name: 'client-credential', namespace: 'sleepers' });
    expect(client.stringData).toEqual({ 'tls.key': b.client.key, 'tls.crt': b.client.cert, 'ca.crt': b.ca.cert });
    expect(secretManifests(b)[2].metadata.namespace).toBe('default');
  });

  test('openssl agrees the chain verifies', () => {
    // openssl is a test prerequisite (scripts/ci-install.sh installs it): a missing one fails here
    expect(() => execFileSync('openssl', ['version'], { stdio: 'ignore' })).not.toThrow();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certs-test-'));
    try {
      for (const [f, c] of Object.entries(b.files)) fs.writeFileSync(path.join(dir, f), c);
      const out = execFileSync('openssl', ['verify', '-CAfile', 'example.com.crt', '-purpose', 'sslserver',
        `${DEFAULT_SERVER_HOST}.crt`], { cwd: dir, encoding: 'utf8' });
      expect(out).toContain(': OK');
      const outClient = execFileSync('openssl', ['verify', '-CAfile', 'example.com.crt', '-purpose', 'sslclient',
        'client.example.com.crt'], { cwd: dir, encoding: 'utf8' });
      expect(outClient).toContain(': OK');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generateCertificates options', () => {
  test('server host, extra SANs (DNS and IP), validity days', async () => {
    const notBefore = new Date('2030-01-02T03:04:05Z');
    const b = await generateCertificates({
      serverHost: 'tls-echo.edge-ext.svc.cluster.local', extraSans: ['tls-echo.edge-ext', '10.1.2.3'], validityDays: 30, notBefore,
      keyAlgorithm: 'ECDSA-P256', // fast; RSA is covered by the defaults above
    });
    expect(rdns(b.server.cert)[0]).toBe('CN=tls-echo.edge-ext.svc.cluster.local');
    expect(dnsSans(b.server.cert)).toEqual([
      'DNS:tls-echo.edge-ext.svc.cluster.local', 'DNS:tls-echo.edge-ext', 'IP Address:10.1.2.3',
    ]);
    const cert = new X509Certificate(b.server.cert);
    expect(cert.checkHost('tls-echo.edge-ext')).toBe('tls-echo.edge-ext');
    expect(cert.checkIP('10.1.2.3')).toBe('10.1.2.3');
    expect(cert.checkHost(DEFAULT_SERVER_HOST)).toBeUndefined();
    for (const pem of [b.ca.cert, b.server.cert, b.client.cert]) {
      const c = new X509Certificate(pem);
      expect(new Date(c.validFrom).toISOString()).toBe(notBefore.toISOString());
      expect(new Date(c.validTo).toISOString()).toBe(new Date(notBefore.getTime() + 30 * 86_400_000).toISOString());
    }
    expect(Object.keys(b.files)).toContain('tls-echo.edge-ext.svc.cluster.local.crt');
    expect(kubectlSecretCommands(b, { namespace: 'edge-ext', clientNamespace: 'apps' }, '.certs')).toEqual([
      'kubectl create -n edge-ext secret tls nginx-server-certs --key .certs/tls-echo.edge-ext.svc.cluster.local.key '
        + '--cert .certs/tls-echo.edge-ext.svc.cluster.local.crt',
      'kubectl create -n edge-ext secret generic nginx-ca-certs --from-file=.certs/example.com.crt',
      'kubectl create secret generic client-credential --from-file=tls.key=.certs/client.example.com.key '
        + '--from-file=tls.crt=.certs/client.example.com.crt --from-file=ca.crt=.certs/example.com.crt -n apps',
    ]);
  });

  test('ECDSA P-256 keys', async () => {
    const b = await generateCertificates({ keyAlgorithm: 'ECDSA-P256' });
    expect(createPrivateKey(b.server.key).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(isSignedBy(b.server.cert, b.ca.cert)).toBe(true);
    expect(isSignedBy(b.client.cert, b.ca.cert)).toBe(true);
  });

  test('ECDSA P-384 keys (SHA-384 signatures)', async () => {
    const b = await generateCertificates({ keyAlgorithm: 'ECDSA-P384' });
    expect(createPrivateKey(b.ca.key).asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(new x509.X509Certificate(b.server.cert).signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-384' } });
    expect(isSignedBy(b.server.cert, b.ca.cert)).toBe(true);
  });

  test('invalid options are rejected', async () => {
    await expect(generateCertificates({ validityDays: 0 })).rejects.toThrow(/validityDays/);
    await expect(generateCertificates({ validityDays: 1.5 })).rejects.toThrow(/validityDays/);
    await expect(generateCertificates({ serverHost: 'a b' })).rejects.toThrow(/host/);
    await expect(generateCertificates({ keyAlgorithm: 'DSA' as any })).rejects.toThrow(/unsupported/);
  });
});
