import { createPrivateKey } from 'crypto';
import { Testing } from 'cdk8s';
import { MutualTlsOrigination, SleepClient, TlsCredential } from '../../src';
import type { CertificateBundle } from '../../src/certificates';
import { chart, one, testCertificates } from '../support/util';

// Fresh material, generated in memory for this file: never committed.
let certs: CertificateBundle;
let other: CertificateBundle;
let expired: CertificateBundle;
let future: CertificateBundle;
let forged: CertificateBundle;
beforeAll(async () => {
  [certs, other, expired, future, forged] = await Promise.all([
    testCertificates(),
    testCertificates({ caCommonName: 'other-ca.example.com' }),
    testCertificates({ notBefore: new Date(Date.now() - 10 * 86_400_000), validityDays: 1 }),
    testCertificates({ notBefore: new Date(Date.now() + 10 * 86_400_000) }),
    testCertificates({ clientCommonName: 'forged.example.com' }),
  ]);
});

/** The lines of base64 inside the PEM blocks of `pem`. */
function bodyLines(pem: string): string[] {
  return pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
}

/** Replaces the first body line of `pem` with `line`. */
function withBodyLine(pem: string, line: string): string {
  const lines = pem.split('\n');
  lines[1] = line;
  return lines.join('\n');
}

describe('TlsCredential.fromPem checks what it emits', () => {
  const pem = (o: Record<string, unknown>) => () => TlsCredential.fromPem({ secretName: 'client-credential', ...o } as any);

  test('accepts a certificate, its key and the CA that issued it, and emits them', () => {
    // GIVEN
    const c = chart();
    const credential = TlsCredential.fromPem({ secretName: 'client-credential', certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.ca.cert });
    // WHEN
    new MutualTlsOrigination(c, 'mtls', { host: 'partner.example.com', client: new SleepClient(c, 'sleep'), credential });
    // THEN
    const secret = one(c, 'Secret');
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(Buffer.from(secret.data['tls.crt'], 'base64').toString()).toBe(certs.client.cert);
    expect(Buffer.from(secret.data['tls.key'], 'base64').toString()).toBe(certs.client.key);
    expect(Buffer.from(secret.data['ca.crt'], 'base64').toString()).toBe(certs.ca.cert);
  });

  test('accepts a key in the SEC1 form ("EC PRIVATE KEY") and a CA-only Secret', () => {
    const sec1 = createPrivateKey(certs.client.key).export({ format: 'pem', type: 'sec1' }).toString();
    expect(sec1).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(pem({ certificate: certs.client.cert, privateKey: sec1 })).not.toThrow();
    expect(pem({ caCertificate: certs.ca.cert + other.ca.cert })).not.toThrow();
  });

  test('fails when the key does not belong to the certificate', () => {
    expect(pem({ certificate: certs.client.cert, privateKey: certs.server.key }))
      .toThrow(/^TlsCredential\.fromPem: 'privateKey' does not belong to 'certificate': its public key differs from that of the certificate \(subject "CN=client.example.com, O=client organization"\)$/);
  });

  test('fails when the certificate has expired', () => {
    expect(pem({ certificate: expired.client.cert, privateKey: expired.client.key }))
      .toThrow(/^TlsCredential\.fromPem: 'certificate': the certificate \(subject "CN=client.example.com, O=client organization"\) has expired: valid until \d{4}-.*Z \(now .*Z\)$/);
  });

  test('fails when the certificate is not valid yet', () => {
    expect(pem({ certificate: future.client.cert, privateKey: future.client.key }))
      .toThrow(/^TlsCredential\.fromPem: 'certificate': the certificate \(subject .*\) is not valid yet: valid from/);
  });

  test('fails when the CA certificate has expired', () => {
    expect(pem({ caCertificate: expired.ca.cert })).toThrow(/^TlsCredential\.fromPem: 'caCertificate': the certificate \(subject "O=example Inc., CN=example.com"\) has expired/);
  });

  test('fails when a PEM body is not base64', () => {
    expect(pem({ certificate: withBodyLine(certs.client.cert, 'not*base64!'), privateKey: certs.client.key }))
      .toThrow(/^TlsCredential\.fromPem: 'certificate' has a PEM block 1 \("CERTIFICATE"\) whose body is not base64$/);
  });

  test('fails when BEGIN and END labels do not match', () => {
    const mismatched = certs.client.key.replace('-----END PRIVATE KEY-----', '-----END RSA PRIVATE KEY-----');
    expect(pem({ certificate: certs.client.cert, privateKey: mismatched }))
      .toThrow(/^TlsCredential\.fromPem: 'privateKey' has a PEM block 1 that begins with "BEGIN PRIVATE KEY" but ends with "END RSA PRIVATE KEY": the labels must match$/);
  });

  test('fails when a PEM block has no END line', () => {
    expect(pem({ caCertificate: certs.ca.cert.replace('-----END CERTIFICATE-----', '') }))
      .toThrow(/^TlsCredential\.fromPem: 'caCertificate' has a PEM block 1 \("BEGIN CERTIFICATE"\) without its "-----END CERTIFICATE-----" line$/);
  });

  test('fails when the text is not PEM', () => {
    expect(pem({ certificate: 'hello', privateKey: certs.client.key })).toThrow(/^TlsCredential\.fromPem: 'certificate' must be PEM text: line 1 is neither a "-----BEGIN ...-----" line nor inside a block$/);
  });

  test('fails when a certificate block does not parse', () => {
    const garbage = `-----BEGIN CERTIFICATE-----\n${Buffer.from('not a certificate').toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(pem({ caCertificate: garbage })).toThrow(/^TlsCredential\.fromPem: 'caCertificate' has a PEM block 1 that is not an X.509 certificate/);
  });

  test('fails when the key is encrypted (PKCS#8 "ENCRYPTED PRIVATE KEY")', () => {
    const encrypted = createPrivateKey(certs.client.key).export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    expect(pem({ certificate: certs.client.cert, privateKey: encrypted }))
      .toThrow(/^TlsCredential\.fromPem: 'privateKey' is encrypted \(PEM block 1\): Envoy and nginx cannot read a key that needs a passphrase/);
  });

  test('fails when the key is encrypted (legacy "Proc-Type: 4,ENCRYPTED")', () => {
    const encrypted = createPrivateKey(certs.client.key).export({ format: 'pem', type: 'sec1', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    expect(encrypted).toContain('Proc-Type: 4,ENCRYPTED');
    expect(pem({ certificate: certs.client.cert, privateKey: encrypted })).toThrow(/^TlsCredential\.fromPem: 'privateKey' is encrypted/);
  });

  test('fails when given two keys', () => {
    expect(pem({ certificate: certs.client.cert, privateKey: certs.client.key + certs.server.key }))
      .toThrow(/^TlsCredential\.fromPem: 'privateKey' must contain exactly one private key \(got 2 PEM blocks\)$/);
  });

  test('fails when the privateKey holds a certificate', () => {
    expect(pem({ certificate: certs.client.cert, privateKey: certs.client.cert }))
      .toThrow(/^TlsCredential\.fromPem: 'privateKey' must contain a private key .* but PEM block 1 is "CERTIFICATE"$/);
  });

  test('fails when the certificate holds a private key', () => {
    expect(pem({ certificate: certs.client.cert + certs.client.key, privateKey: certs.client.key }))
      .toThrow(/^TlsCredential\.fromPem: 'certificate' contains a private key \(PEM block 2, "PRIVATE KEY"\): give only certificates here, and the key in 'privateKey'$/);
  });

  test('fails when a leaf certificate is given as the CA', () => {
    expect(pem({ certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.server.cert }))
      .toThrow(/^TlsCredential\.fromPem: 'caCertificate': certificate 1 \(subject "CN=my-nginx.mesh-external.svc.cluster.local, O=some organization"\) is not a CA \(its basicConstraints do not say cA=true\)/);
    expect(pem({ caCertificate: certs.server.cert })).toThrow(/is not a CA/);
  });

  test('fails when the CA did not issue the certificate', () => {
    expect(pem({ certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: other.ca.cert }))
      .toThrow(/^TlsCredential\.fromPem: 'caCertificate' does not verify 'certificate': no CA certificate in it signed subject "CN=client.example.com, O=client organization" \(issuer "O=example Inc., CN=example.com"\)$/);
  });

  test('caIssuedCertificate: false accepts a server CA other than the client certificate\'s issuer', () => {
    // GIVEN a client certificate from one CA, and the CA of a server signed by another
    // WHEN the issuer check is waived on purpose
    const make = pem({ certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: other.ca.cert, caIssuedCertificate: false });
    // THEN it is emitted, but the CA must still be a CA
    expect(make).not.toThrow();
    expect(pem({ certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.server.cert, caIssuedCertificate: false })).toThrow(/is not a CA/);
  });

  test('fails when caIssuedCertificate is not a boolean', () => {
    expect(pem({ caCertificate: certs.ca.cert, caIssuedCertificate: 'no' })).toThrow(/^TlsCredential\.fromPem: 'caIssuedCertificate' must be true or false \(got "no"\)$/);
  });

  test('fails when the CA has the issuer\'s name but another key (a forged issuer)', () => {
    // same subject "O=example Inc., CN=example.com" as the real CA, different key
    expect(pem({ certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: forged.ca.cert }))
      .toThrow(/^TlsCredential\.fromPem: 'caCertificate' does not verify 'certificate'/);
  });

  test('never prints key material', () => {
    const attempts = [
      pem({ certificate: certs.client.cert, privateKey: certs.server.key }),
      pem({ certificate: certs.client.cert, privateKey: certs.client.key + certs.server.key }),
      pem({ certificate: certs.client.cert, privateKey: withBodyLine(certs.client.key, `${bodyLines(certs.client.key)[0]}!`) }),
      pem({ certificate: certs.client.cert + certs.client.key, privateKey: certs.client.key }),
    ];
    const secrets = [...bodyLines(certs.client.key), ...bodyLines(certs.server.key)];
    for (const attempt of attempts) {
      let message = '';
      try { attempt(); } catch (e) { message = (e as Error).message; }
      expect(message).not.toBe('');
      for (const line of secrets) expect(message).not.toContain(line.slice(0, 16));
    }
  });

  test('emits nothing when it refuses', () => {
    const c = chart();
    expect(pem({ certificate: certs.client.cert, privateKey: certs.server.key })).toThrow();
    expect(Testing.synth(c)).toEqual([]);
  });
});
