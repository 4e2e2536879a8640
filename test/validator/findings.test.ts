// Findings that mean something (issue 12 item 5): the library's defaults give no warning, what the validator says
// about certificate verification is what Istio 1.24+ does, and "could not check" findings are notes, which
// every output (text, JSON, SARIF, the cdk8s plugin) reports and which never fail a run.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  AllowedHostProtocol, AmbientEgressTlsOrigination, EgressGateway, EgressGatewayTlsOrigination, EgressTlsOrigination, EgressWaypoint,
  GatewayApiEgressGateway, GatewayApiEgressTlsOrigination, MeshExternalNginx, MeshWorkload, MutualTlsOrigination, OutboundLockdown,
  SleepClient, TlsCredential,
} from '../../src';
import { buildApp } from '../../app/main';
import { formatFindings, RULES, toSarif, validateManifests, type Finding } from '../../src/validator';
import { main } from '../../src/validator/cli';
import { IstioEgressValidation } from '../../src/validator/plugin';
import { chart } from '../support/util';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof import('cdk8s-cli/lib/plugins');

const show = (fs_: readonly Finding[]) => fs_.map((f) => `${f.severity} ${f.ruleId} ${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}: ${f.message}`);

/**
 * A production-like app of four teams in four namespaces written against the public API only: the platform
 * team's Gateway API egress gateway; the shop team's sidecar SIMPLE origination, sidecar MUTUAL for a client
 * deployed from another repository (MeshWorkload.fromAttributes) with a cert-manager credential, two Gateway
 * API originations (SIMPLE, MUTUAL with a cert-manager credential) and an OutboundLockdown; the payments
 * team's SIMPLE and MUTUAL origination at the Istio-API egress gateway installed by istioctl; the data team's
 * ambient waypoint origination.
 */
function productionApp(app: App = Testing.app()): Chart[] {
  const platform = new Chart(app, 'platform', { namespace: 'egress' });
  const gwapi = new GatewayApiEgressGateway(platform, 'egress-gateway', {
    listeners: [
      { name: 'stripe', port: 80, hostname: 'api.stripe.com' },
      { name: 'partner', port: 443, hostname: 'partner.example.com' },
    ],
  });

  const shop = new Chart(app, 'shop', { namespace: 'shop' });
  const checkout = MeshWorkload.fromAttributes({ namespace: 'shop', serviceAccountName: 'checkout', podLabels: { app: 'checkout' } });
  const github = new EgressTlsOrigination(shop, 'github', { host: 'api.github.com' });
  const bank = new MutualTlsOrigination(shop, 'bank', {
    host: 'api.bank.example.com',
    client: checkout,
    credential: TlsCredential.fromCertManager({ secretName: 'bank-client', issuerName: 'shop-ca', dnsNames: ['checkout.shop.svc'] }),
  });
  const stripe = new GatewayApiEgressTlsOrigination(shop, 'stripe', { host: 'api.stripe.com', gateway: gwapi });
  const partner = new GatewayApiEgressTlsOrigination(shop, 'partner', {
    host: 'partner.example.com',
    gateway: gwapi,
    gatewayPort: 443,
    credential: TlsCredential.fromCertManager({ secretName: 'partner-client', issuerName: 'egress-ca', dnsNames: ['egress.example.com'] }),
  });
  const lockdown = new OutboundLockdown(shop, 'lockdown');
  lockdown.allow(github).allow(bank).allow(stripe).allow(partner);
  lockdown.allowHost({ host: 'www.google.com', port: 443, protocol: AllowedHostProtocol.HTTPS });

  const payments = new Chart(app, 'payments', { namespace: 'payments' });
  const istioGateway = EgressGateway.fromAttributes();
  new EgressGatewayTlsOrigination(payments, 'adyen', { host: 'checkout.adyen.com', gateway: istioGateway });
  new EgressGatewayTlsOrigination(payments, 'visa', {
    host: 'api.visa.com',
    gateway: istioGateway,
    credential: TlsCredential.fromCertManager({ secretName: 'visa-client', issuerName: 'payments-ca', dnsNames: ['payments.example.com'] }),
  });

  const data = new Chart(app, 'data', { namespace: 'data' });
  const waypoint = new EgressWaypoint(data, 'waypoint', { namespace: 'data-egress' });
  new AmbientEgressTlsOrigination(data, 'httpbin', { host: 'httpbin.org', waypoint, allowedMethods: ['GET'] });

  return [platform, shop, payments, data];
}

describe('a clean production-like multi-team app', () => {
  const objects = productionApp().flatMap((c) => Testing.synth(c));
  const report = validateManifests(objects);

  test('validates with 0 errors and 0 warnings', () => {
    expect(show(report.errors)).toEqual([]);
    expect(show(report.warnings)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  test('its notes are what could not be checked, and how the server certificate is verified', () => {
    const notes = report.notes.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.namespace}/${f.object.name}`);
    expect(notes).toEqual([
      'istio/tls-ca-certificates DestinationRule/shop/api-github-com',
      'istio/tls-ca-certificates DestinationRule/egress/originate-tls-for-api-stripe-com',
      'istio/tls-ca-certificates DestinationRule/egress/originate-mtls-for-partner-example-com',
      'istio/tls-ca-certificates DestinationRule/payments/originate-tls-for-checkout-adyen-com',
      'istio/tls-ca-certificates DestinationRule/istio-system/originate-mtls-for-api-visa-com',
      'istio/tls-ca-certificates DestinationRule/data-egress/httpbin-org-tls',
      'wiring/namespace-exists Gateway/egress/egress-gateway',
      'wiring/namespace-exists ServiceEntry/shop/api-github-com',
      'wiring/namespace-exists ServiceEntry/payments/checkout-adyen-com',
      'wiring/selector-matches-workload DestinationRule/shop/api-bank-example-com',
      'wiring/sidecar-injection DestinationRule/shop/api-bank-example-com',
      'wiring/rolebinding-subject RoleBinding/shop/bank-client-role-binding',
      'wiring/serviceaccount-used RoleBinding/shop/bank-client-role-binding',
      'analyzer/gateway-selector Gateway/payments/egressgateway-for-checkout-adyen-com',
      'analyzer/gateway-selector Gateway/payments/egressgateway-for-api-visa-com',
      'analyzer/destination-host VirtualService/payments/direct-checkout-adyen-com-through-egress-gateway',
      'analyzer/destination-host VirtualService/payments/direct-api-visa-com-through-egress-gateway',
      'analyzer/unknown-dr-host DestinationRule/payments/egressgateway-for-checkout-adyen-com',
      'analyzer/unknown-dr-host DestinationRule/payments/egressgateway-for-api-visa-com',
    ]);
    // each note says what it could not check, or that the OS root CAs / the credential's CA verify the server
    for (const n of report.notes) {
      expect(n.message).toMatch(/could not check|verifies the server certificate (against its OS root CAs|with the CA certificate \(ca\.crt\) of Secret "(partner|visa)-client")/);
    }
  });
});

describe("the library's defaults never produce a warning", () => {
  const cases: Array<[string, (c: Chart) => void]> = [
    ['EgressTlsOrigination', (c) => { new EgressTlsOrigination(c, 'api', { host: 'api.example.com' }); }],
    ['EgressTlsOrigination with a caCredential (client deployed elsewhere)', (c) => {
      new EgressTlsOrigination(c, 'api', { host: 'api.example.com', caCredential: TlsCredential.fromExistingSecret('api-ca'), client: MeshWorkload.fromAttributes({ serviceAccountName: 'billing', podLabels: { app: 'billing' } }) });
    }],
    ['MutualTlsOrigination (SleepClient, existing Secret)', (c) => {
      new MutualTlsOrigination(c, 'mtls', { host: 'partner.example.com', client: new SleepClient(c, 'sleep'), credential: TlsCredential.fromExistingSecret('client-credential') });
    }],
    ['MutualTlsOrigination (client deployed elsewhere, cert-manager)', (c) => {
      new MutualTlsOrigination(c, 'mtls', {
        host: 'partner.example.com',
        client: MeshWorkload.fromAttributes({ serviceAccountName: 'checkout', podLabels: { app: 'checkout' } }),
        credential: TlsCredential.fromCertManager({ secretName: 'client', issuerName: 'ca', dnsNames: ['checkout.example.com'] }),
      });
    }],
    ['MeshExternalNginx and SleepClient', (c) => { new MeshExternalNginx(c, 'nginx'); new SleepClient(c, 'sleep'); }],
    ['EgressGatewayTlsOrigination SIMPLE', (c) => { new EgressGatewayTlsOrigination(c, 'cnn', { host: 'edition.cnn.com' }); }],
    ['EgressGatewayTlsOrigination MUTUAL', (c) => { new EgressGatewayTlsOrigination(c, 'api', { host: 'api.example.com', credential: TlsCredential.fromExistingSecret('client') }); }],
    ['GatewayApiEgressGateway and GatewayApiEgressTlsOrigination SIMPLE and MUTUAL', (c) => {
      const gateway = new GatewayApiEgressGateway(c, 'gw', { listeners: [{ name: 'a', port: 80, hostname: 'a.example.com' }, { name: 'b', port: 443, hostname: 'b.example.com' }] });
      new GatewayApiEgressTlsOrigination(c, 'a', { host: 'a.example.com', gateway });
      new GatewayApiEgressTlsOrigination(c, 'b', { host: 'b.example.com', gateway, gatewayPort: 443, credential: TlsCredential.fromExistingSecret('client') });
    }],
    ['EgressWaypoint and AmbientEgressTlsOrigination', (c) => { new AmbientEgressTlsOrigination(c, 'httpbin', { host: 'httpbin.org', waypoint: new EgressWaypoint(c, 'waypoint') }); }],
    ['OutboundLockdown with allowHost', (c) => {
      new SleepClient(c, 'sleep');
      new OutboundLockdown(c, 'lockdown').allow(new EgressTlsOrigination(c, 'api', { host: 'api.example.com' })).allowHost({ host: 'www.google.com' });
    }],
    ['OutboundLockdown with a NetworkPolicy and an egress gateway origination', (c) => {
      new SleepClient(c, 'sleep');
      new OutboundLockdown(c, 'lockdown', { networkPolicy: true }).allow(new EgressGatewayTlsOrigination(c, 'cnn', { host: 'edition.cnn.com' }));
    }],
  ];
  test.each(cases)('%s', (_name, build) => {
    for (const namespace of [undefined, 'team-a']) {
      const c = chart(namespace ? { namespace } : {});
      build(c);
      const r = validateManifests(Testing.synth(c));
      expect(show(r.errors)).toEqual([]);
      expect(show(r.warnings)).toEqual([]);
    }
  });
  test("every chart of the repository's own app", () => {
    for (const c of buildApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'findings-')) }).charts) {
      const r = validateManifests(Testing.synth(c));
      expect([c.node.id, show(r.errors), show(r.warnings)]).toEqual([c.node.id, [], []]);
    }
  });
});

const dr = (tls: any, extra: any = {}, metadata: any = {}) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'api', namespace: 'default', ...metadata },
  spec: { host: 'api.example.com', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls }] }, ...extra },
});
const se = (extra: any = {}) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'api', namespace: 'default' },
  spec: { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS', ...extra },
});
const of = (objects: any[], rule: string) => validateManifests(objects).findings.filter((f) => f.ruleId === rule).map((f) => [f.severity, f.field, f.message]);

describe('certificate verification as Istio 1.24+ does it', () => {
  test('IST0129 without caCertificates: a note that the OS root CAs verify the server', () => {
    expect(of([se(), dr({ mode: 'SIMPLE' })], 'istio/tls-ca-certificates')).toEqual([[
      'note', 'spec.trafficPolicy.portLevelSettings[0].tls.caCertificates',
      'IST0129: DestinationRule default/api in namespace default has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: api.example.com at port number:443: since Istio 1.24 an empty caCertificates means that the proxy verifies the server certificate against its OS root CAs (istioctl analyze still reports this as a warning that the certificate is not verified)',
    ]]);
  });
  test('IST0128 with insecureSkipVerify: a warning that no certificate is verified', () => {
    const obj = { ...dr({}), spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', insecureSkipVerify: true } } } };
    expect(of([se(), obj], 'istio/tls-ca-certificates')).toEqual([[
      'warning', 'spec.trafficPolicy.tls.insecureSkipVerify',
      'IST0128: DestinationRule default/api in namespace default has TLS mode set to SIMPLE but no caCertificates are set to validate server identity for host: api.example.com; insecureSkipVerify is true, so the proxy accepts any server certificate (neither its CA nor its name is verified) and anyone on the path can impersonate api.example.com',
    ]]);
  });
  test('IST0129 at a gateway with credentialName: a note that the ca.crt of the Secret verifies the server', () => {
    const objects = Testing.synth((() => {
      const c = chart();
      new EgressGatewayTlsOrigination(c, 'api', { host: 'api.example.com', credential: TlsCredential.fromExistingSecret('client') });
      return c;
    })());
    const [[severity, , message]] = of(objects, 'istio/tls-ca-certificates');
    expect(severity).toBe('note');
    expect(message).toMatch(/at port number:443: the DestinationRule applies at a gateway, which verifies the server certificate with the CA certificate \(ca\.crt\) of Secret "client" named by credentialName/);
  });
  test('SIMPLE with credentialName and no workloadSelector: the IST0128 warning that the sidecar ignores its CA, not an error', () => {
    // Istio 1.30.3 analyzers_test.go "destinationrule with credentialname, simple at destinationlevel, no workloadSelector" expects IST0128
    const r = validateManifests([se(), dr({ mode: 'SIMPLE', credentialName: 'client' })]);
    expect(r.errors.map((f) => f.ruleId)).not.toContain('istio/credential-without-selector');
    const w = r.findings.filter((f) => f.ruleId === 'istio/tls-ca-certificates');
    expect(w.map((f) => f.severity)).toEqual(['warning']);
    expect(w[0].message).toMatch(/^IST0129: .*sidecars ignore credentialName "client" on a DestinationRule without workloadSelector, so the CA certificate \(ca\.crt\) of that Secret is not used/);
  });
  test('no IST0128/IST0129 note where a sidecar ignores credentialName (istio/credential-without-selector says so)', () => {
    const r = validateManifests([se(), dr({ mode: 'MUTUAL', credentialName: 'client' })]);
    expect(r.findings.filter((f) => f.ruleId === 'istio/tls-ca-certificates')).toEqual([]);
    // nothing in the input routes to the host: which proxy reads it could not be checked (a warning)
    expect(r.warnings.map((f) => f.ruleId)).toContain('istio/credential-without-selector');
  });
  test('sni without subjectAltNames, verified by the OS root CAs: a warning that no name is checked', () => {
    expect(of([se(), dr({ mode: 'SIMPLE', sni: 'api.example.com' })], 'istio/tls-server-name')).toEqual([[
      'warning', 'spec.trafficPolicy.portLevelSettings[0].tls.subjectAltNames',
      'sni "api.example.com" is set and no subjectAltNames (on the DestinationRule or the ServiceEntry of api.example.com): the proxy verifies the server certificate against its OS root CAs but checks no name, so any publicly trusted certificate, issued for any domain, is accepted for api.example.com',
    ]]);
  });
  test.each([
    ['no sni (Istio checks the requested host: auto SAN validation)', [se(), dr({ mode: 'SIMPLE' })]],
    ['subjectAltNames on the DestinationRule', [se(), dr({ mode: 'SIMPLE', sni: 'api.example.com', subjectAltNames: ['api.example.com'] })]],
    ['subjectAltNames on the ServiceEntry', [se({ subjectAltNames: ['api.example.com'] }), dr({ mode: 'SIMPLE', sni: 'api.example.com' })]],
    ['a private CA (caCertificates)', [se(), dr({ mode: 'SIMPLE', sni: 'api.example.com', caCertificates: '/etc/certs/ca.pem' })]],
    ['a private CA (credentialName)', [se(), dr({ mode: 'MUTUAL', sni: 'api.example.com', credentialName: 'client' }, { workloadSelector: { matchLabels: { app: 'x' } } })]],
  ])('no istio/tls-server-name with %s', (_name, objects) => {
    expect(of(objects as any[], 'istio/tls-server-name')).toEqual([]);
  });
});

describe('reclassified rules: notes that say what could not be checked', () => {
  test('a route to a cluster-local Service that is not in the output (analyzer/destination-host)', () => {
    const vs = {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs', namespace: 'default' },
      spec: { hosts: ['api.example.com'], http: [{ route: [{ destination: { host: 'backend.other.svc.cluster.local', port: { number: 80 } } }] }] },
    };
    expect(of([se(), vs], 'analyzer/destination-host')).toEqual([['note', 'spec.http[0].route[0].destination.host',
      'IST0101 Referenced host not found: "backend.other.svc.cluster.local" (could not check it: no Service backend.other.svc.cluster.local in the output, so it must be installed out of band)']]);
  });
  test('a DestinationRule for a cluster-local Service that is not in the output (analyzer/unknown-dr-host)', () => {
    const obj = { ...dr({}), spec: { host: 'backend.other.svc.cluster.local', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } } };
    const [[severity, , message]] = of([obj], 'analyzer/unknown-dr-host');
    expect(severity).toBe('note');
    expect(message).toMatch(/: could not check it, no Service of the output is backend\.other\.svc\.cluster\.local, so it must be installed out of band/);
  });
  test('a RoleBinding to a ClusterRole that is not in an output with ClusterRoles (wiring/rolebinding-role)', () => {
    const objects = [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'other' }, rules: [] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' }, subjects: [] },
    ];
    expect(of(objects, 'wiring/rolebinding-role')).toEqual([['note', 'roleRef.name',
      'could not check that ClusterRole "reader" exists: it is not in the output (which has other ClusterRoles), so it must be installed out of band']]);
  });
  test('a Secret mounted by a pod that is not in the output (wiring/secret-exists)', () => {
    const c = chart();
    new MeshExternalNginx(c, 'nginx');
    const notes = validateManifests(Testing.synth(c)).notes.filter((f) => f.ruleId === 'wiring/secret-exists').map((f) => f.message);
    expect(notes).toContain('could not check that Secret mesh-external/nginx-server-certs exists: it is not in the output and no cert-manager Certificate of the output issues it, so it must exist out of band before the pod starts');
  });
  test('the rule table says which rules are notes', () => {
    const severity = (id: string) => RULES.find((r) => r.id === id)?.severity;
    for (const id of ['istio/tls-ca-certificates', 'wiring/namespace-exists', 'wiring/secret-exists', 'analyzer/gateway-selector', 'cel/unsupported']) expect([id, severity(id)]).toEqual([id, 'note']);
    for (const id of ['istio/tls-server-name', 'wiring/image-tag', 'analyzer/unknown-dr-host', 'analyzer/se-address-collision', 'istio/vs-unreachable-rule']) expect([id, severity(id)]).toEqual([id, 'warning']);
  });
});

/** A note (the egress-gateway task's out-of-band gateway), a warning (an unpinned image) and an error. */
function mixed(withError: boolean): any[] {
  const c = chart();
  new EgressGatewayTlsOrigination(c, 'cnn', { host: 'edition.cnn.com' });
  const objects = Testing.synth(c);
  objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  if (withError) objects.push({ ...se(), spec: { ...se().spec, resolutoin: 'DNS' } });
  return objects;
}

describe('notes in every output', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'findings-')); });
  afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });
  const write = (objects: any[]) => {
    fs.writeFileSync(path.join(dir, 'app.k8s.yaml'), objects.map((o) => YAML.stringify(o)).join('---\n'));
    return path.join(dir, 'app.k8s.yaml');
  };
  const cli = (...argv: string[]) => {
    let stdout = '';
    const code = main(argv, { stdout: (t) => { stdout += t; }, stderr: () => undefined, cwd: dir });
    return { code, stdout };
  };

  test('text: NOTE blocks after the warnings, and the count line', () => {
    const text = formatFindings(validateManifests(mixed(false)).findings);
    expect(text).toMatch(/^WARNING \[wiring\/image-tag\] Pod default\/p\n/);
    expect(text).toMatch(/\n\nNOTE \[analyzer\/gateway-selector\] Gateway default\/egressgateway-for-edition-cnn-com\n {2}field: {3}spec\.selector\n {2}problem: IST0101 Referenced selector not found: "istio=egressgateway": could not check/);
    expect(text.indexOf('NOTE [')).toBeGreaterThan(text.lastIndexOf('WARNING ['));
    expect(text).toMatch(/\n\n0 error\(s\), 1 warning\(s\), 4 note\(s\)\n$/);
  });

  test('notes never change the exit code', () => {
    write(mixed(false));
    expect(cli('validate', '.')).toMatchObject({ code: 0, stdout: expect.stringMatching(/0 error\(s\), 1 warning\(s\), 4 note\(s\)\n$/) });
    // notes only: still 0
    const notesOnly = mixed(false).filter((o) => o.kind !== 'Pod');
    write(notesOnly);
    expect(validateManifests(notesOnly).warnings).toEqual([]);
    expect(cli('validate', '.')).toMatchObject({ code: 0, stdout: expect.stringMatching(/\n0 error\(s\), 0 warning\(s\), 4 note\(s\)\n$/) });
    // with an error: 1, as without the notes; --warn (errors to warnings) leaves the notes notes
    write(mixed(true));
    expect(cli('validate', '.').code).toBe(1);
    expect(cli('validate', '.', '--warn', 'schema/unknown-field')).toMatchObject({ code: 0, stdout: expect.stringMatching(/\n0 error\(s\), 2 warning\(s\), 4 note\(s\)\n$/) });
  });

  test('JSON: severity note', () => {
    write(mixed(false));
    const findings = JSON.parse(cli('validate', '--format', 'json', '.').stdout);
    expect(findings.filter((f: any) => f.severity === 'note').map((f: any) => f.ruleId).sort())
      .toEqual(['analyzer/destination-host', 'analyzer/gateway-selector', 'analyzer/unknown-dr-host', 'istio/tls-ca-certificates']);
  });

  test('SARIF: level note for the results and the note rules, valid against the SARIF 2.1.0 schema', () => {
    write(mixed(false));
    const { code, stdout } = cli('validate', '--format', 'sarif', '.');
    expect(code).toBe(0);
    const log = JSON.parse(stdout);
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile<any>(schema);
    if (!validate(log)) throw new Error(JSON.stringify(validate.errors, null, 2));
    const run = log.runs[0];
    expect(run.results.map((r: any) => `${r.level} ${r.ruleId}`).sort()).toEqual([
      'note analyzer/destination-host', 'note analyzer/gateway-selector', 'note analyzer/unknown-dr-host', 'note istio/tls-ca-certificates', 'warning wiring/image-tag',
    ]);
    expect(run.tool.driver.rules.find((r: any) => r.id === 'wiring/secret-exists').defaultConfiguration).toEqual({ level: 'note' });
    expect(toSarif(validateManifests(mixed(false)).notes).runs[0].results.every((r: any) => r.level === 'note')).toBe(true);
  });

  test('--rules lists the note rules with severity note', () => {
    const lines = cli('--rules').stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^wiring\/secret-exists\tnote\tCould not check: /));
    expect(lines).toContainEqual(expect.stringMatching(/^istio\/tls-server-name\twarning\t/));
  });

  test('the cdk8s plugin logs the notes and makes no violation of them', async () => {
    const file = write(mixed(false));
    const context = new ValidationContext([file], 'cdk8s-istio-egress', '0.1.0', {}, false);
    const logs: string[] = [];
    (context.logger as any).log = (m: string) => logs.push(m);
    await new IstioEgressValidation({}).validate(context as any);
    expect(context.report.success).toBe(true);
    const json = context.report.toJson();
    expect(json.violations).toEqual([]);
    expect(json.summary.metadata).toEqual({ errors: '0', warnings: '1', notes: '4' });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^cdk8s-istio-egress validation: 0 error\(s\), 1 warning\(s\), 4 note\(s\)\n\nWARNING \[wiring\/image-tag\] Pod default\/p\n/);
    expect(logs[0]).toMatch(/\n\nNOTE \[analyzer\/gateway-selector\] Gateway default\/egressgateway-for-edition-cnn-com\n/);
    expect(logs[0]).not.toMatch(/note\(s\)\s*$/);
  });
});

describe('Istio task manifests applied object by object (the severity contract)', () => {
  // Istio's own manifests of the egress tasks (test/fixtures/*/): each object applied alone names Gateways,
  // subsets, ServiceEntries, grants and routes that other steps apply; none of that is an error
  const FIXTURES = path.join(__dirname, '..', 'fixtures');
  const taskFiles = ['egress-gateway/mtls-origination.yaml', 'egress-gateway/mtls-server.yaml', 'egress-gateway/tls-origination.yaml',
    'egress-gateway-api/mtls-origination.yaml', 'ambient-egress/tls-origination.yaml', 'egress-control/service-entries.yaml', 'gateway-api/egress-gateway.yaml'];
  test('no object of them alone gets an error', () => {
    const objects = taskFiles.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(FIXTURES, f), 'utf8')).map((d) => d.toJS()).filter((o) => o && typeof o === 'object'));
    expect(objects.length).toBeGreaterThan(30);
    const errors = objects.flatMap((o) => validateManifests([o]).errors.map((e) => `${e.ruleId} ${e.object.kind}/${e.object.name}`));
    expect(errors).toEqual([]);
    // and the warnings say what is not in the input
    const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'direct-cnn-through-egress-gateway');
    expect(validateManifests([vs]).warnings.map((w) => `${w.ruleId} ${w.message.includes('not in the input')}`)).toEqual(expect.arrayContaining(['analyzer/gateway-not-found true', 'analyzer/destination-subset true']));
  });
});
