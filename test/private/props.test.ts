import { Testing } from 'cdk8s';
import * as lib from '../../src';
import {
  EgressTlsOrigination, MeshExternalNginx, MeshWorkload, MutualTlsOrigination, Resolution, SleepClient, TlsCredential,
} from '../../src';
import { EgressTlsOriginationChart, buildApp } from '../../app/main';
import { validateManifests } from '../../src/validator';
import { chart, one, ofKind } from '../support/util';

const HOST = 'partner.example.com';
const remote = () => MeshWorkload.fromAttributes({ serviceAccountName: 'checkout', podLabels: { app: 'checkout' } });
const credential = () => TlsCredential.fromExistingSecret('client-credential');

describe('props must be objects', () => {
  test.each([
    ['SleepClient', (p: any) => new SleepClient(chart(), 'x', p)],
    ['MeshExternalNginx', (p: any) => new MeshExternalNginx(chart(), 'x', p)],
    ['EgressTlsOrigination', (p: any) => new EgressTlsOrigination(chart(), 'x', p)],
    ['MutualTlsOrigination', (p: any) => new MutualTlsOrigination(chart(), 'x', p)],
    ['EgressTlsOriginationChart', (p: any) => new EgressTlsOriginationChart(Testing.app(), 'x', p)],
  ])('%s fails when given null', (owner, make) => {
    expect(() => make(null)).toThrow(new RegExp(`^${owner.endsWith('Chart') ? '' : 'test/x: '}${owner}: props must be an object \\(got null\\)$`));
  });

  test.each([
    ['SleepClient', (p: any) => new SleepClient(chart(), 'x', p)],
    ['MeshExternalNginx', (p: any) => new MeshExternalNginx(chart(), 'x', p)],
    ['EgressTlsOriginationChart', (p: any) => new EgressTlsOriginationChart(Testing.app(), 'x', p)],
  ])('%s takes undefined (every prop is optional)', (_owner, make) => {
    expect(() => make(undefined)).not.toThrow();
  });

  test.each([
    ['EgressTlsOrigination', (p: any) => new EgressTlsOrigination(chart(), 'x', p), 'undefined'],
    ['MutualTlsOrigination', (p: any) => new MutualTlsOrigination(chart(), 'x', p), 'undefined'],
    ['MeshWorkload.fromAttributes', (p: any) => MeshWorkload.fromAttributes(p), 'undefined'],
    ['TlsCredential.fromPem', (p: any) => TlsCredential.fromPem(p), 'undefined'],
    ['TlsCredential.fromCertManager', (p: any) => TlsCredential.fromCertManager(p), 'undefined'],
  ])('%s fails when given undefined', (owner, make, got) => {
    expect(() => make(undefined)).toThrow(new RegExp(`^${owner.includes('.') ? '' : 'test/x: '}${owner.replace('.', '\\.')}: (props|attributes|options) must be an object \\(got ${got}\\)$`));
  });

  test.each([
    ['MeshWorkload.fromAttributes', () => MeshWorkload.fromAttributes(null as any), /^MeshWorkload\.fromAttributes: attributes must be an object \(got null\)$/],
    ['TlsCredential.fromPem', () => TlsCredential.fromPem(null as any), /^TlsCredential\.fromPem: options must be an object \(got null\)$/],
    ['TlsCredential.fromCertManager', () => TlsCredential.fromCertManager(null as any), /^TlsCredential\.fromCertManager: options must be an object \(got null\)$/],
    ['TlsCredential.fromExistingSecret', () => TlsCredential.fromExistingSecret('s', null as any), /^TlsCredential\.fromExistingSecret: options must be an object \(got null\)$/],
    ['SleepClient', () => new SleepClient(chart(), 'x', 'sleep' as any), /^test\/x: SleepClient: props must be an object \(got string "sleep"\)$/],
    ['MeshExternalNginx', () => new MeshExternalNginx(chart(), 'x', [] as any), /^test\/x: MeshExternalNginx: props must be an object \(got an array \[\]\)$/],
    ['buildApp', () => buildApp(null as any), /^buildApp: props must be an object \(got null\)$/],
  ])('%s fails when given a non-object', (_owner, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('unknown props from JavaScript', () => {
  test.each([
    ['EgressTlsOrigination', () => new EgressTlsOrigination(chart(), 'x', { host: HOST, caCertificate: '/etc/ca.pem' } as any),
      /^test\/x: EgressTlsOrigination: unknown prop 'caCertificate' \(did you mean 'caCertificates'\?\)$/],
    ['EgressTlsOrigination', () => new EgressTlsOrigination(chart(), 'x', { host: HOST, subjectAltName: ['x'] } as any),
      /^test\/x: EgressTlsOrigination: unknown prop 'subjectAltName' \(did you mean 'subjectAltNames'\?\)$/],
    ['MutualTlsOrigination', () => new MutualTlsOrigination(chart(), 'x', { host: HOST, client: remote(), credentials: credential() } as any),
      /^test\/x: MutualTlsOrigination: unknown prop 'credentials' \(did you mean 'credential'\?\)$/],
    ['MutualTlsOrigination', () => new MutualTlsOrigination(chart(), 'x', { host: HOST, client: remote(), credential: credential(), SNI: HOST } as any),
      /^test\/x: MutualTlsOrigination: unknown prop 'SNI' \(did you mean 'sni'\?\)$/],
    ['SleepClient', () => new SleepClient(chart(), 'x', { labels: { app: 'x' } } as any),
      /^test\/x: SleepClient: unknown prop 'labels' \(known props: 'name', 'namespace', 'podLabels', 'image', 'injectSidecar', 'resources', 'runAsUser'\)$/],
    ['MeshExternalNginx', () => new MeshExternalNginx(chart(), 'x', { serverCertificates: credential() } as any),
      /^test\/x: MeshExternalNginx: unknown prop 'serverCertificates' \(did you mean 'serverCertificate'\?\)$/],
    ['MeshWorkload.fromAttributes', () => MeshWorkload.fromAttributes({ serviceAcountName: 'a', podLabels: { app: 'a' } } as any),
      /^MeshWorkload\.fromAttributes: unknown prop 'serviceAcountName' \(did you mean 'serviceAccountName'\?\)$/],
    ['TlsCredential.fromPem', () => TlsCredential.fromPem({ secretName: 's', caCertificates: 'x' } as any),
      /^TlsCredential\.fromPem: unknown prop 'caCertificates' \(did you mean 'caCertificate'\?\)$/],
    ['TlsCredential.fromCertManager', () => TlsCredential.fromCertManager({ secretName: 's', issuerName: 'i', dnsName: ['a.b'] } as any),
      /^TlsCredential\.fromCertManager: unknown prop 'dnsName' \(did you mean 'dnsNames'\?\)$/],
    ['TlsCredential.fromExistingSecret', () => TlsCredential.fromExistingSecret('s', { caKey: 'ca.pem' } as any),
      /^TlsCredential\.fromExistingSecret: unknown prop 'caKey' \(known props: 'certificateKey', 'privateKeyKey', 'caCertificateKey'\)$/],
    ['EgressTlsOriginationChart', () => new EgressTlsOriginationChart(Testing.app(), 'x', { namspace: 'x' } as any),
      /^EgressTlsOriginationChart: unknown prop 'namspace' \(did you mean 'namespace'\?\)$/],
  ])('%s fails when given a misspelt prop', (_owner, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('names follow Kubernetes rules', () => {
  test('a 64-character object name is valid (a DNS-1123 subdomain is not limited to 63)', () => {
    const c = chart();
    const name = 'a'.repeat(64);
    new EgressTlsOrigination(c, 'x', { host: 'edition.cnn.com', name });
    expect(one(c, 'ServiceEntry').metadata.name).toBe(name);
  });

  test('fails when given an object name longer than 253 characters', () => {
    expect(() => new EgressTlsOrigination(chart(), 'x', { host: 'edition.cnn.com', name: 'a'.repeat(254) }))
      .toThrow(/^test\/x: 'name' must be a Kubernetes object name of at most 253 characters \(got 254 characters: "a{40}"\.\.\.\)$/);
  });

  test('fails when given a name with an empty part', () => {
    expect(() => new EgressTlsOrigination(chart(), 'x', { host: 'edition.cnn.com', name: 'cnn..com' }))
      .toThrow(/^test\/x: 'name' must be a Kubernetes object name \(a DNS-1123 subdomain\).*\(got "cnn\.\.com"\)$/);
  });

  test('fails when a Service name starts with a digit (a DNS-1035 label)', () => {
    expect(() => new SleepClient(chart(), 'x', { name: '1sleep' })).toThrow(/^test\/x: 'name' must be a Service name \(a DNS-1035 label\): .*starting with a letter.*\(got "1sleep"\)$/);
    expect(() => new MeshExternalNginx(chart(), 'x', { name: '9nginx' })).toThrow(/^test\/x: 'name' must be a Service name \(a DNS-1035 label\)/);
  });

  test('fails when a Service name is longer than 63 characters', () => {
    expect(() => new SleepClient(chart(), 'x', { name: 's'.repeat(64) })).toThrow(/^test\/x: 'name' must be a Service name of at most 63 characters \(got 64 characters/);
  });

  test('a host with a 63-character label gives a valid derived name', () => {
    const c = chart();
    const host = `${'a'.repeat(63)}.example.com`;
    const o = new EgressTlsOrigination(c, 'x', { host });
    expect(o.name).toBe(`${'a'.repeat(63)}-example-com`);
    expect(validateManifests(Testing.synth(c)).errors).toEqual([]);
  });

  test('a name derived from a long host is shortened deterministically with a hash', () => {
    const c = chart();
    const labels = Array.from({ length: 4 }, (_, i) => String.fromCharCode(97 + i).repeat(61));
    const host = `*.${labels.join('.')}.com`; // 251 characters: "wildcard-..." would be 258
    const o = new EgressTlsOrigination(c, 'x', { host, resolution: Resolution.NONE, originateTls: false });
    expect(o.name).toHaveLength(253);
    expect(o.name).toMatch(/^wildcard-a{61}-b{61}-c{61}-d{49}-[0-9a-f]{8}$/);
    expect(new EgressTlsOrigination(chart(), 'y', { host, resolution: Resolution.NONE, originateTls: false }).name).toBe(o.name);
  });

  test('Role names derived from a long Secret name are shortened, not refused', () => {
    const c = chart();
    const secretName = 's'.repeat(250);
    new MutualTlsOrigination(c, 'x', { host: HOST, client: remote(), credential: TlsCredential.fromExistingSecret(secretName) });
    expect(one(c, 'Role').metadata.name).toMatch(/^s{244}-[0-9a-f]{8}$/);
    expect(one(c, 'RoleBinding').metadata.name).toMatch(/^s{244}-[0-9a-f]{8}$/);
    expect(one(c, 'Role').metadata.name).not.toBe(one(c, 'RoleBinding').metadata.name);
  });
});

describe('exportTo as Istio validates it', () => {
  test('fails when given ~ with a DestinationRule', () => {
    expect(() => new EgressTlsOrigination(chart(), 'x', { host: 'edition.cnn.com', exportTo: ['~'] }))
      .toThrow(/^test\/x: 'exportTo' must not contain '~' \(export to no one\): Istio allows it only on a ServiceEntry, and this construct also emits a DestinationRule.*\(got \["~"\]\)$/);
    expect(() => new MutualTlsOrigination(chart(), 'x', { host: HOST, client: remote(), credential: credential(), exportTo: ['~'] })).toThrow(/'exportTo' must not contain '~'/);
  });

  test('~ alone is allowed on a plain ServiceEntry', () => {
    const c = chart();
    new EgressTlsOrigination(c, 'x', { host: 'edition.cnn.com', originateTls: false, exportTo: ['~'] });
    expect(one(c, 'ServiceEntry').spec.exportTo).toEqual(['~']);
  });

  test('fails when given ~ with other entries', () => {
    expect(() => new EgressTlsOrigination(chart(), 'x', { host: 'edition.cnn.com', originateTls: false, exportTo: ['~', 'apps'] }))
      .toThrow(/^test\/x: 'exportTo' must not combine '\*' or '~' with other entries \(got \["~","apps"\]\)$/);
  });

  test('fails when given . and the own namespace', () => {
    expect(() => new EgressTlsOrigination(chart({ namespace: 'apps' }), 'x', { host: 'edition.cnn.com', exportTo: ['.', 'apps'] }))
      .toThrow(/^test\/x: 'exportTo' must not list both '\.' and the own namespace "apps": they are the same entry \(got \["\.","apps"\]\)$/);
  });

  test('fails when a client (workloadSelector) is exported beyond its namespace', () => {
    expect(() => new MutualTlsOrigination(chart(), 'x', { host: HOST, client: remote(), credential: credential(), exportTo: ['*'] }))
      .toThrow(/^test\/x: 'exportTo' must be \['\.'\] \(or omitted\) with a client: Istio refuses a DestinationRule with a workloadSelector that is exported beyond its own namespace \(got \["\*"\]\)$/);
    expect(() => new EgressTlsOrigination(chart({ namespace: 'apps' }), 'x', { host: 'edition.cnn.com', client: remote(), exportTo: ['.', 'other'] }))
      .toThrow(/^test\/x: 'exportTo' must be \['\.'\] \(or omitted\) with a client: .* beyond its own namespace \("apps"\) \(got \["\.","other"\]\)$/);
  });

  test('a client may be exported to its own namespace, as "." or by name', () => {
    const c = chart({ namespace: 'apps' });
    new EgressTlsOrigination(c, 'x', { host: 'edition.cnn.com', client: remote(), exportTo: ['apps'] });
    new MutualTlsOrigination(c, 'y', { host: HOST, client: remote(), credential: credential(), exportTo: ['.'] });
    expect(ofKind(c, 'DestinationRule').map((d) => d.spec.exportTo)).toEqual([['apps'], ['.']]);
  });
});

describe('TLS props are refused at construction where Istio or TLS would refuse them', () => {
  test.each([
    ['an IP address as sni', { sni: '10.0.0.1' }, /^test\/x: 'sni' must be a DNS name, not an IP address/],
    ['an sni with a space', { sni: 'partner example.com' }, /^test\/x: 'sni' must be a fully qualified domain name .*label "partner example"/],
    ['a wildcard sni', { sni: '*.example.com' }, /^test\/x: 'sni' must not be a wildcard here/],
    ['an empty subjectAltName', { subjectAltNames: [''] }, /^test\/x: 'subjectAltNames' must be a non-empty list of names without spaces/],
    ['a subjectAltName with a space', { subjectAltNames: ['a b'] }, /^test\/x: 'subjectAltNames' must be a non-empty list of names without spaces/],
    ['a non-string subjectAltName', { subjectAltNames: [42] }, /^test\/x: 'subjectAltNames' must be a non-empty list of names without spaces/],
  ])('fails when given %s', (_what, props, message) => {
    expect(() => new EgressTlsOrigination(chart(), 'x', { host: HOST, ...props } as any)).toThrow(message);
  });

  test.each([
    ['createRbac', { createRbac: 'yes' }, /^test\/x: 'createRbac' must be true or false \(got "yes"\)$/],
  ])('MutualTlsOrigination fails when given a non-boolean %s', (_what, props, message) => {
    expect(() => new MutualTlsOrigination(chart(), 'x', { host: HOST, client: remote(), credential: credential(), ...props } as any)).toThrow(message);
  });

  test.each([
    ['verifyClient', { verifyClient: 'no' }, /^test\/x: 'verifyClient' must be true or false \(got "no"\)$/],
    ['serverCertificate', { serverCertificate: { secretName: 'x' } }, /^test\/x: 'serverCertificate' must be made with TlsCredential\.fromExistingSecret\(\), fromPem\(\) or fromCertManager\(\) \(got an object with key secretName\)$/],
  ])('MeshExternalNginx fails when given a bad %s', (_what, props, message) => {
    expect(() => new MeshExternalNginx(chart(), 'x', props as any)).toThrow(message);
  });

  test('fails when given a Secret key with a slash', () => {
    expect(() => TlsCredential.fromExistingSecret('s', { caCertificateKey: 'certs/ca.crt' })).toThrow(/^TlsCredential\.fromExistingSecret: 'caCertificateKey' must be a Secret key: .*\(got "certs\/ca\.crt"\)$/);
  });
});

describe('client: one name for the workload that originates', () => {
  test('EgressTlsOrigination takes client, like MutualTlsOrigination', () => {
    const c = chart({ namespace: 'apps' });
    new EgressTlsOrigination(c, 'x', { host: 'edition.cnn.com', client: remote() });
    expect(one(c, 'DestinationRule').spec.workloadSelector).toEqual({ matchLabels: { app: 'checkout' } });
  });

  test('the deprecated workload still works', () => {
    const c = chart({ namespace: 'apps' });
    new EgressTlsOrigination(c, 'x', { host: 'edition.cnn.com', workload: remote() });
    expect(one(c, 'DestinationRule').spec.workloadSelector).toEqual({ matchLabels: { app: 'checkout' } });
  });

  test('fails when given both client and workload', () => {
    expect(() => new EgressTlsOrigination(chart(), 'x', { host: 'edition.cnn.com', client: remote(), workload: remote() }))
      .toThrow(/^test\/x: 'workload' is the deprecated name of 'client': give only 'client'$/);
  });

  test('fails when given a client that is not an object', () => {
    expect(() => new EgressTlsOrigination(chart(), 'x', { host: 'edition.cnn.com', client: 'sleep' } as any))
      .toThrow(/^test\/x: 'client' must be a SleepClient, MeshWorkload\.fromWorkload\(\.\.\.\) or MeshWorkload\.fromAttributes\(\.\.\.\) \(got "sleep"\)$/);
  });

  test('every enum a prop takes is exported from the package', () => {
    expect(lib.IstioApiVersion.V1).toBe('networking.istio.io/v1');
    expect(lib.Resolution.DNS).toBe('DNS');
    expect(lib.LoadBalancer.ROUND_ROBIN).toBe('ROUND_ROBIN');
    expect(lib.IssuerKind.CLUSTER_ISSUER).toBe('ClusterIssuer');
  });
});

describe('the advice of the duplicate-object error works when followed', () => {
  test('two originations for one host: another name alone is not advised, a client and a name resolve it', () => {
    // GIVEN two originations for the same host and workloads
    const twice = (second: Partial<lib.EgressTlsOriginationProps>) => {
      const c = chart({ namespace: 'apps' });
      new EgressTlsOrigination(c, 'one', { host: 'edition.cnn.com' });
      new EgressTlsOrigination(c, 'two', { host: 'edition.cnn.com', ...second });
      return () => Testing.synth(c);
    };
    // THEN the error says that a client and a name are needed (not just a name)
    expect(twice({})).toThrow(/'test\/one' and 'test\/two' both emit a DestinationRule for host "edition\.cnn\.com" and the same workloadSelector \(every workload\) in namespace "apps": Istio applies only one of them\. Keep one, or give each its own 'client' \(other workloads\) and its own 'name', or put them in different namespaces \('namespace'\)/);
    expect(twice({})).not.toThrow(/both emit a ServiceEntry named/);
    // and another name alone still fails
    expect(twice({ name: 'cnn-again' })).toThrow(/Keep one, or give each its own 'client' \(other workloads\), or put them/);
    // WHEN the advice is followed
    expect(twice({ name: 'cnn-for-checkout', client: remote() })).not.toThrow();
    expect(twice({ namespace: 'other' })).not.toThrow();
  });

  test('two ServiceEntries with one name: another name resolves it', () => {
    const twice = (second: Partial<lib.EgressTlsOriginationProps>) => {
      const c = chart();
      new EgressTlsOrigination(c, 'one', { host: 'edition.cnn.com', originateTls: false });
      new EgressTlsOrigination(c, 'two', { host: 'edition.cnn.com', ...second });
      return () => Testing.synth(c);
    };
    expect(twice({})).toThrow(/both emit a ServiceEntry named "edition-cnn-com" in namespace "\(none\)": give one of them another 'name' or 'namespace'/);
    expect(twice({ name: 'cnn-tls' })).not.toThrow();
  });
});
