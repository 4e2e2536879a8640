import { inspect } from 'util';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as lib from '../../src';
import {
  EgressGateway, EgressTlsOrigination, MeshWorkload, MutualTlsOrigination, OutboundLockdown, SleepClient, TlsCredential,
} from '../../src';
import { show } from '../../src/private/props';
import { testCertificates } from '../support/util';

/** The base64 body lines of a PEM text: what must never appear in a message, in any slice of 12 characters. */
function keyMaterial(pem: string): string[] {
  const body = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
  const slices: string[] = [];
  for (let i = 0; i + 12 <= body.length; i += 6) slices.push(body.slice(i, i + 12));
  return slices;
}

/** The message of what `make` throws. */
function messageOf(make: () => unknown): string {
  try {
    make();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

function expectNoKey(message: string, pem: string): void {
  expect(message).not.toMatch(/BEGIN|PRIVATE KEY/);
  for (const slice of keyMaterial(pem)) expect(message).not.toContain(slice);
}

describe('errors name the construct path and the factory', () => {
  const shop = () => new Chart(new App(), 'shop-egress', { namespace: 'shop' });

  test('fails when a prop is bad, naming the construct by its path: shop-egress/stripe', () => {
    // GIVEN / WHEN a URL as the host / THEN
    expect(() => new EgressTlsOrigination(shop(), 'stripe', { host: 'https://api.github.com/v3' }))
      .toThrow(/^shop-egress\/stripe: 'host' must be a host name, not a URL: drop the scheme and path, e\.g\. 'edition\.cnn\.com' \(got "https:\/\/api\.github\.com\/v3"\)$/);
  });

  test('fails with the full path of a construct nested in the user\'s own constructs', () => {
    // GIVEN a construct of the user's that groups the egress of a team
    const team = new Construct(shop(), 'payments');
    // WHEN / THEN
    expect(() => new MutualTlsOrigination(team, 'bank', { host: 'bank.example.com' }))
      .toThrow(/^shop-egress\/payments\/bank: MUTUAL TLS needs a client certificate/);
    expect(() => new SleepClient(team, 'sleep', { name: 'Sleep' })).toThrow(/^shop-egress\/payments\/sleep: 'name' must be a Service name/);
  });

  test('fails in a method of a construct, naming that construct', () => {
    // GIVEN a lockdown
    const lockdown = new OutboundLockdown(shop(), 'lockdown');
    // WHEN / THEN
    expect(() => lockdown.allowHost({ host: 'https://api.example.com' })).toThrow(/^shop-egress\/lockdown: 'host' must be a host name, not a URL/);
    expect(() => lockdown.allow({} as any)).toThrow(/^shop-egress\/lockdown: 'origination' must be an origination construct/);
  });

  test('fails in a static factory, naming the factory once', () => {
    // GIVEN / WHEN / THEN
    expect(() => TlsCredential.fromExistingSecret('Client_Credential')).toThrow(/^TlsCredential\.fromExistingSecret: 'secretName' must be a Kubernetes object name/);
    expect(() => TlsCredential.fromCertManager({ secretName: 's', issuerName: 'ca', dnsNames: ['https://a.example.com'] }))
      .toThrow(/^TlsCredential\.fromCertManager: 'dnsNames\[0\]' must be a host name, not a URL/);
    expect(() => TlsCredential.fromPem({ secretName: 's' })).toThrow(/^TlsCredential\.fromPem: 'fromPem' needs 'certificate' and 'privateKey'/);
    expect(() => MeshWorkload.fromAttributes({ serviceAccountName: 'a', podLabels: {} })).toThrow(/^MeshWorkload\.fromAttributes: 'podLabels' must contain at least one label/);
    expect(() => EgressGateway.fromAttributes({ namespace: 'Istio' })).toThrow(/^EgressGateway\.fromAttributes: 'namespace' must be a Kubernetes namespace name/);
    // and a factory's own unknown-prop message is not named twice
    expect(() => TlsCredential.fromPem({ secretName: 's', key: 'x' } as any)).toThrow(/^TlsCredential\.fromPem: unknown prop 'key'/);
  });

  test('an uncaught error prints the path too: its stack begins with the new message', () => {
    // GIVEN / WHEN
    let error: Error | undefined;
    try {
      new EgressTlsOrigination(shop(), 'stripe', { host: 'API.stripe.com' });
    } catch (e) {
      error = e as Error;
    }
    // THEN Node prints `error.stack` for an uncaught error
    expect(error!.stack).toMatch(/^Error: shop-egress\/stripe: 'host' must be lowercase/);
    expect(error!.stack).toMatch(/\n +at /);
  });
});

describe('values in errors are described, never serialised', () => {
  test('show quotes strings, escaping what a terminal would hide or act on, and cuts long ones', () => {
    // GIVEN / WHEN / THEN
    expect(show('edition.cnn.com')).toBe('"edition.cnn.com"');
    expect(show('a\nb\u001b[2Jc')).toBe('"a\\nb\\u001b[2Jc"');
    expect(show('evil\u202Egnp.exe')).toBe('"evil\\u202egnp.exe"');
    expect(show('x'.repeat(300))).toBe(`"${'x'.repeat(60)}..." (300 characters)`);
    expect(show('\u{1F600}'.repeat(100))).toBe(`"${'\u{1F600}'.repeat(60)}..." (200 characters)`);
  });

  test('show prints numbers, booleans, null and undefined, and lists a few primitives', () => {
    // GIVEN / WHEN / THEN
    expect([show(70000), show(-0), show(NaN), show(true), show(null), show(undefined), show(10n)]).toEqual(['70000', '-0', 'NaN', 'true', 'null', 'undefined', '10n']);
    expect(show(['.', '*'])).toBe('[".","*"]');
    expect(show([])).toBe('[]');
    expect(show([{ a: 1 }])).toBe('an array of 1 item');
    expect(show(Array.from({ length: 11 }, () => 'a'))).toBe('an array of 11 items');
  });

  test('show describes objects by their type and keys, and constructs by their path', () => {
    // GIVEN
    const c = new Chart(new App(), 'shop');
    const sleep = new SleepClient(c, 'sleep');
    // WHEN / THEN
    expect(show({ secretName: 's', certificate: 'c', privateKey: 'k' })).toBe('an object with keys secretName, certificate, privateKey');
    expect(show({})).toBe('an empty object');
    expect(show(Object.create(null))).toBe('an empty object');
    expect(show(TlsCredential.fromExistingSecret('s'))).toBe('a TlsCredential');
    expect(show(sleep)).toBe('a SleepClient (construct "shop/sleep")');
    expect(show(new Map())).toBe('a Map');
    expect(show(() => 1)).toBe('a function');
    expect(show(SleepClient)).toBe('a class SleepClient');
    const hostile = new Proxy({}, { ownKeys: () => { throw new Error('boom'); } });
    expect(show(hostile)).toBe('an object');
  });

  test('show never prints PEM or base64 material, even as a string', async () => {
    // GIVEN a real private key
    const certs = await testCertificates();
    const key = certs.client.key;
    // WHEN / THEN
    expect(show(key)).toMatch(/^a PEM private key \(\d+ characters, not shown\)$/);
    expect(show(certs.client.cert)).toMatch(/^a PEM certificate \(\d+ characters, not shown\)$/);
    const b64 = Buffer.from(key).toString('base64');
    expect(show(b64)).toBe(`a string of ${b64.length} characters that looks like base64 (not shown)`);
  });

  describe('key material never reaches a message', () => {
    let credential: TlsCredential;
    let key: string;
    let cert: string;
    beforeAll(async () => {
      const certs = await testCertificates();
      key = certs.client.key;
      cert = certs.client.cert;
      credential = TlsCredential.fromPem({ secretName: 'client-credential', certificate: cert, privateKey: key, caCertificate: certs.ca.cert });
    });
    const app = () => new Chart(new App(), 'shop', { namespace: 'shop' });
    const remote = () => MeshWorkload.fromAttributes({ serviceAccountName: 'checkout', podLabels: { app: 'checkout' } });

    test('fails when a credential is passed where a name goes, without printing it', () => {
      // GIVEN / WHEN a credential as a namespace, a Secret name and a host / THEN
      for (const make of [
        () => new EgressTlsOrigination(app(), 'x', { host: 'api.example.com', namespace: credential as any }),
        () => TlsCredential.fromExistingSecret(credential as any),
        () => new MutualTlsOrigination(app(), 'x', { host: credential as any, client: remote(), credential }),
      ]) {
        const message = messageOf(make);
        expect(message).toMatch(/\(got a TlsCredential\)/);
        expectNoKey(message, key);
      }
    });

    test('fails when a plain object is passed instead of TlsCredential.fromPem(...), without printing it', () => {
      // GIVEN the options of fromPem, not the credential it makes
      const options = { secretName: 'client-credential', certificate: cert, privateKey: key };
      // WHEN
      const message = messageOf(() => new MutualTlsOrigination(app(), 'mtls', { host: 'api.example.com', client: remote(), credential: options as any }));
      // THEN
      expect(message).toBe("shop/mtls: 'credential' must be made with TlsCredential.fromExistingSecret() or TlsCredential.fromPem() (got an object with keys secretName, certificate, privateKey)");
      expectNoKey(message, key);
    });

    test('a credential from a second copy of the package is accepted, and fails where it does not belong without printing it', () => {
      // GIVEN a second copy of the library (as two versions in node_modules would load it)
      let second: typeof lib | undefined;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      jest.isolateModules(() => { second = require('../../src'); });
      expect(second!.TlsCredential).not.toBe(TlsCredential);
      const foreign = second!.TlsCredential.fromPem({ secretName: 'client-credential', certificate: cert, privateKey: key });
      // WHEN it is the credential: accepted (brand check, not instanceof)
      const m = new MutualTlsOrigination(app(), 'mtls', { host: 'api.example.com', client: remote(), credential: foreign as any });
      expect(m.destinationRule.toJson().spec.trafficPolicy.portLevelSettings[0].tls).toEqual(expect.objectContaining({ mode: 'MUTUAL', credentialName: 'client-credential' }));
      expect(m.credentialSecret?.toJson().metadata.name).toBe('client-credential');
      // WHEN it is given where the host goes
      const message = messageOf(() => new MutualTlsOrigination(app(), 'mtls', { host: foreign as any, client: remote(), credential: foreign as any }));
      // THEN
      expect(message).toMatch(/^shop\/mtls: 'host' .*\(got a TlsCredential\)$/);
      expectNoKey(message, key);
    });

    test('a credential serialises and prints without its PEM', () => {
      // GIVEN / WHEN / THEN
      for (const text of [JSON.stringify(credential), inspect(credential), inspect({ nested: [credential] }, { depth: 5 }), JSON.stringify({ ...credential })]) {
        expectNoKey(text, key);
        expect(text).toContain('client-credential');
      }
      expect(JSON.parse(JSON.stringify(credential))).toEqual({
        secretName: 'client-credential', source: 'fromPem', certificateKey: 'tls.crt', privateKeyKey: 'tls.key', caCertificateKey: 'ca.crt',
      });
      expect(Object.keys(credential)).not.toContain('pem');
      expect(JSON.parse(JSON.stringify(TlsCredential.fromExistingSecret('s'))).source).toBe('fromExistingSecret');
    });
  });
});
