import { Chart, ChartProps, Testing } from 'cdk8s';
import { CertificateBundle, CertificateOptions, generateCertificates } from '../../src/certificates';

/** A chart for one test, optionally with a namespace. */
export function chart(props: ChartProps = {}): Chart {
  return new Chart(Testing.app(), 'test', props);
}

/** Synthesizes `c` and returns the objects of `kind`. */
export function ofKind(c: Chart, kind: string): any[] {
  return Testing.synth(c).filter((o) => o.kind === kind);
}

/** Synthesizes `c` and returns the single object of `kind`. */
export function one(c: Chart, kind: string): any {
  const found = ofKind(c, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** Placeholder PEM blocks: shaped like PEM, not real keys. `TlsCredential.fromPem` refuses them: use `testCertificates`. */
export const PEM = {
  cert: (tag: string) => `-----BEGIN CERTIFICATE-----\nMIIB${tag}\n-----END CERTIFICATE-----\n`,
  key: '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n',
};

const bundles = new Map<string, Promise<CertificateBundle>>();

/**
 * A CA, server and client certificate with their keys, generated in memory (ECDSA P-256, fast) once per test
 * file and options; never written to disk. `fromPem` checks real material, so tests that emit Secrets use this.
 */
export function testCertificates(options: CertificateOptions = {}): Promise<CertificateBundle> {
  const key = JSON.stringify(options);
  if (!bundles.has(key)) bundles.set(key, generateCertificates({ keyAlgorithm: 'ECDSA-P256', ...options }));
  return bundles.get(key)!;
}

/** Replaces the data of Secrets (freshly generated keys and certificates) by a fixed marker, for snapshots. */
export function maskSecretData(objects: any[]): any[] {
  return objects.map((o) => (o.kind === 'Secret' && o.data
    ? { ...o, data: Object.fromEntries(Object.keys(o.data).map((k) => [k, '<generated in the test>'])) }
    : o));
}
