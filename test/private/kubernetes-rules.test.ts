import { Testing } from 'cdk8s';
import {
  EgressGateway, EgressTlsOrigination, MeshWorkload, OutboundLockdown, SleepClient, TlsCredential,
} from '../../src';
import { isLabelValue, isQualifiedName } from '../../src/common/kubernetes-names';
import { validateDataKey, validateHost, validateKubectlReadable, validateLabels } from '../../src/private/props';
import { chart, one } from '../support/util';

// Kubernetes' own cases (k8s.io/apimachinery/pkg/util/validation/validation_test.go), as data
const QUALIFIED_NAME = {
  valid: [
    'simple', 'now-with-dashes', '1-starts-with-num', '1234', 'simple/simple', 'now-with-dashes/simple',
    'now-with-dashes/now-with-dashes', 'now.with.dots/simple', 'now-with.dashes-and.dots/simple', '1-num.2-num/3-num',
    '1234/5678', '1.2.3.4/5678', 'Uppercase_Is_OK_123', 'example.com/Uppercase_Is_OK_123', 'requests.storage-foo',
    'a'.repeat(63), `${'a'.repeat(253)}/${'b'.repeat(63)}`,
  ],
  invalid: [
    'nospecialchars%^=@', 'cantendwithadash-', '-cantstartwithadash-', 'only/one/slash', 'Example.com/abc', 'example_com/abc',
    'example.com/', '/simple', 'a'.repeat(64), `${'a'.repeat(254)}/abc`,
    // the issue's own
    'bad key!',
  ],
};
const LABEL_VALUE = {
  valid: ['simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', 'a'.repeat(63), ''],
  invalid: [
    'nospecialchars%^=@', 'Tama-nui-te-rā.is.Māori.sun', '\\backslashes\\are\\bad', '-starts-with-dash', 'ends-with-dash-',
    '.starts.with.dot', 'ends.with.dot.', 'a'.repeat(64),
    // the issue's own
    'x y', '-leading',
  ],
};
const CONFIG_MAP_KEY = {
  valid: ['a', 'good', 'good-good', 'still.good', 'this.is.also.good', '.so.is.this', 'THIS_IS_GOOD', 'so_is_this_17', 'a'.repeat(253)],
  invalid: ['.', '..', '..bad', 'b*d', 'bad!&bad', '..data', 'certs/ca.crt', '', 'a'.repeat(254)],
};

describe('Kubernetes rules for label keys and values (IsQualifiedName, IsValidLabelValue)', () => {
  test.each(QUALIFIED_NAME.valid.map((k) => [k]))('%j is a valid label key', (key) => {
    expect(isQualifiedName(key)).toBe(true);
    expect(validateLabels('podLabels', { [key]: 'x' })).toEqual({ [key]: 'x' });
  });

  test.each(QUALIFIED_NAME.invalid.map((k) => [k]))('fails when given the label key %j', (key) => {
    expect(isQualifiedName(key)).toBe(false);
    expect(() => validateLabels('podLabels', { [key]: 'x' })).toThrow(/^'podLabels' has an invalid label key/);
  });

  test.each(LABEL_VALUE.valid.map((v) => [v]))('%j is a valid label value', (value) => {
    expect(isLabelValue(value)).toBe(true);
    expect(validateLabels('podLabels', { app: value })).toEqual({ app: value });
  });

  test.each(LABEL_VALUE.invalid.map((v) => [v]))('fails when given the label value %j', (value) => {
    expect(isLabelValue(value)).toBe(false);
    expect(() => validateLabels('podLabels', { app: value })).toThrow(/^'podLabels' has an invalid value for label "app"/);
  });
});

describe('Kubernetes rules for Secret and ConfigMap keys (IsConfigMapKey)', () => {
  test.each(CONFIG_MAP_KEY.valid.map((k) => [k]))('%j is a valid key', (key) => {
    expect(validateDataKey('certificateKey', key)).toBe(key);
  });

  test.each(CONFIG_MAP_KEY.invalid.map((k) => [k]))('fails when given the key %j', (key) => {
    expect(() => validateDataKey('certificateKey', key)).toThrow(/^'certificateKey' must be a Secret key/);
  });

  test('fails when given ., .. or ..data, saying why', () => {
    for (const key of ['.', '..', '..data']) {
      expect(() => TlsCredential.fromExistingSecret('s', { caCertificateKey: key }))
        .toThrow(new RegExp(`^TlsCredential\\.fromExistingSecret: 'caCertificateKey' must be a Secret key: not '\\.' or '\\.\\.' and not starting with '\\.\\.': a mounted Secret or ConfigMap keeps its own '\\.\\.data' entries .*\\(got "${key.replace(/\./g, '\\.')}"\\)$`));
    }
  });
});

describe('strings kubectl would read back as numbers are refused, since cdk8s writes them unquoted', () => {
  test('fails when given the namespace 0o17, naming the construct, the prop, the value and what kubectl reads', () => {
    // GIVEN / WHEN / THEN cdk8s writes `namespace: 0o17`, which kubectl reads as the integer 15
    expect(() => new EgressTlsOrigination(chart(), 'x', { host: 'api.example.com', namespace: '0o17' }))
      .toThrow(/^test\/x: 'namespace' must not be "0o17": kubectl reads the unquoted 0o17 cdk8s writes as the integer 15, not as the string "0o17" \(cdk8s's YAML 1\.1 writer takes it for a string and does not quote it; kubectl's reader, go-yaml v2, does not\); choose another value$/);
  });

  test.each([
    ['a namespace', () => new SleepClient(chart(), 'x', { namespace: '0b-1' }), /^test\/x: 'namespace' must not be "0b-1": kubectl reads the unquoted 0b-1 cdk8s writes as the integer -1/],
    ['an object name', () => new EgressTlsOrigination(chart(), 'x', { host: 'api.example.com', name: '0o17' }), /^test\/x: 'name' must not be "0o17"/],
    ['a label key', () => MeshWorkload.fromAttributes({ serviceAccountName: 'a', podLabels: { '0B101': 'x' } }), /^MeshWorkload\.fromAttributes: 'podLabels' must not have the label key "0B101": kubectl reads the unquoted 0B101 cdk8s writes as the integer 5/],
    ['a label value', () => MeshWorkload.fromAttributes({ serviceAccountName: 'a', podLabels: { app: '1e1_0' } }), /^MeshWorkload\.fromAttributes: 'podLabels' must not give label "app" the value "1e1_0": kubectl reads the unquoted 1e1_0 cdk8s writes as the number 10000000000/],
    ['a Secret key', () => TlsCredential.fromExistingSecret('s', { certificateKey: '0o17' }), /^TlsCredential\.fromExistingSecret: 'certificateKey' must not be "0o17": .*the integer 15/],
    ['an exportTo namespace', () => new EgressTlsOrigination(chart(), 'x', { host: 'api.example.com', exportTo: ['-0o17'] }), /^test\/x: 'exportTo\[0\]' must be/],
    ['an exportTo namespace', () => new EgressTlsOrigination(chart(), 'x', { host: 'api.example.com', exportTo: ['0o7'] }), /^test\/x: 'exportTo\[0\]' must not be "0o7"/],
    ['a subjectAltName', () => new EgressTlsOrigination(chart(), 'x', { host: 'api.example.com', subjectAltNames: ['0O17'] }), /^test\/x: 'subjectAltNames\[0\]' must not be "0O17"/],
    ['a cert-manager commonName', () => TlsCredential.fromCertManager({ secretName: 's', issuerName: 'ca', dnsNames: ['a.example.com'], commonName: '0X1F' }), /^TlsCredential\.fromCertManager: 'commonName' must not be "0X1F": .*the integer 31/],
    ['a gateway pod label', () => EgressGateway.fromAttributes({ podLabels: { istio: '0o17' } }), /^EgressGateway\.fromAttributes: 'podLabels' must not give label "istio" the value "0o17"/],
  ])('fails when given %s that kubectl misreads', (_what, make, message) => {
    expect(make).toThrow(message);
  });

  test('strings cdk8s quotes pass: kubectl reads them as written', () => {
    // GIVEN strings go-yaml v2 would read as numbers or booleans, but that cdk8s writes quoted
    const c = chart();
    new EgressTlsOrigination(c, 'x', { host: 'api.example.com', namespace: '0x1f', name: '017', client: MeshWorkload.fromAttributes({ serviceAccountName: '1e3', podLabels: { 'true': 'yes', 'on': '1_000' } }) });
    // WHEN
    const dr = one(c, 'DestinationRule');
    // THEN
    expect(dr.metadata).toMatchObject({ name: '017', namespace: '0x1f' });
    expect(dr.spec.workloadSelector.matchLabels).toEqual({ true: 'yes', on: '1_000' });
    expect(Testing.synth(c).length).toBe(2);
  });

  test('validateKubectlReadable: a << map key is refused (kubectl merges it), a << value is not misread', () => {
    expect(() => validateKubectlReadable('data', '<<', { key: true })).toThrow(/^'data' must not be "<<": kubectl reads the unquoted << cdk8s writes as a merge key/);
    expect(validateKubectlReadable('value', '<<')).toBe('<<');
  });
});

describe('hosts and SNI with a trailing dot are refused', () => {
  test.each([
    ['host', { host: 'edition.cnn.com.' }, /^test\/x: 'host' must not end with '\.': Istio accepts the absolute form, but Envoy compares hosts and server names \(SNI\) as strings, .*use "edition\.cnn\.com" \(got "edition\.cnn\.com\."\)$/],
    ['host (an IP address)', { host: '10.0.0.1.' }, /^test\/x: 'host' must be a DNS name, not an IP address.*\(got "10\.0\.0\.1\."\)$/],
    ['sni', { host: 'edition.cnn.com', sni: 'edition.cnn.com.' }, /^test\/x: 'sni' must not end with '\.'/],
    ['subjectAltNames', { host: 'edition.cnn.com', subjectAltNames: ['edition.cnn.com.'] }, /^test\/x: 'subjectAltNames\[0\]' must not end with '\.' \(got "edition\.cnn\.com\."\): certificates carry DNS names without it/],
  ])('fails when given a %s with a trailing dot', (_what, props, message) => {
    expect(() => new EgressTlsOrigination(chart(), 'x', props)).toThrow(message);
  });

  test('a URI subjectAltName may end with a dot', () => {
    const c = chart();
    new EgressTlsOrigination(c, 'x', { host: 'edition.cnn.com', subjectAltNames: ['spiffe://cluster.local/ns/a/sa/b.'] });
    expect(one(c, 'DestinationRule').spec.trafficPolicy.portLevelSettings[0].tls.subjectAltNames).toEqual(['spiffe://cluster.local/ns/a/sa/b.']);
  });

  test('fails when the lockdown allows a host with a trailing dot, or a Sidecar egress host', () => {
    const lockdown = new OutboundLockdown(chart(), 'lockdown');
    expect(() => lockdown.allowHost({ host: 'api.example.com.' })).toThrow(/^test\/lockdown: 'host' must not end with '\.'/);
    expect(() => new OutboundLockdown(chart(), 'l2', { additionalEgressHosts: ['*/api.example.com.'] })).toThrow(/^test\/l2: 'additionalEgressHosts\[0\]' must not end with '\.'/);
  });

  test('fails when a certificate DNS name or a cluster domain ends with a dot', () => {
    expect(() => TlsCredential.fromCertManager({ secretName: 's', issuerName: 'ca', dnsNames: ['a.example.com.'] })).toThrow(/^TlsCredential\.fromCertManager: 'dnsNames\[0\]' must not end with '\.'/);
    expect(() => EgressGateway.fromAttributes({ clusterDomain: 'cluster.local.' })).toThrow(/^EgressGateway\.fromAttributes: 'clusterDomain' must not end with '\.'/);
    expect(() => validateHost('host', 'a.example.com..')).toThrow(/use "a\.example\.com"/);
  });
});
