/**
 * End-to-end: the synthesized nginx manifests, run by the REAL nginx binary, accessed the way the
 * Istio sidecar would per the synthesized DestinationRule and ServiceEntry.
 *
 * For each scenario:
 *  1. synthesize the chart; generate certificates for the mTLS host (src/certificates.ts);
 *  2. derive from the manifests alone (test/e2e/manifests.ts): DestinationRule MUTUAL port ->
 *     ServiceEntry targetPort -> Service port -> containerPort; the container's volume mounts with
 *     the ConfigMap/Secret files they project; the credential Secret named by credentialName; the SNI;
 *  3. in a private mount+network namespace (test/e2e/sandbox.ts): bind-mount those files at their
 *     mountPaths, `nginx -t`, run nginx, and connect like the sidecar (test/e2e/client.js).
 *
 * Needs nginx, unshare (util-linux) and ip (iproute2): `sudo scripts/ci-install.sh`. Without them
 * the suite is skipped with a loud message, except under CI=true where it fails.
 */
import { X509Certificate } from 'node:crypto';
import { Testing } from 'cdk8s';
import { CertificateBundle, SecretOptions, generateCertificates, secretManifests } from '../../src/certificates';
import { MeshExternalNginx, MutualTlsOrigination, SleepClient, TlsCredential } from '../../src';
import { EgressTlsOriginationChart } from '../../app/main';
import { seedManifests } from './fixtures/seed';
import { Manifest, MtlsScenario, deriveMtlsScenario, mtlsTarget } from './manifests';
import { diagnostics, e2ePrerequisites } from './last-hop';
import { RunResult, Tools, runNginxSandbox } from './sandbox';

jest.setTimeout(30_000);

const { tools, describeE2e } = e2ePrerequisites('nginx mTLS e2e');

interface ScenarioDef {
  readonly title: string;
  /** Synthesizes the manifests; may use the certificates (for fromPem credentials). */
  readonly build: (certsFor: (host: string) => Promise<CertificateBundle>) => Promise<Manifest[]>;
  /** Secret names/keys used when creating the out-of-band secrets (`kubectl create secret`). */
  readonly secretOptions: Omit<SecretOptions, 'namespace' | 'clientNamespace'>;
  /** What the port chain must resolve to. */
  readonly expectedPorts: MtlsScenario['ports'];
  readonly expectedHost: string;
}

const scenarios: ScenarioDef[] = [
  {
    title: 'main chart (the seed scenario: mesh-external / my-nginx / 443)',
    build: async () => Testing.synth(new EgressTlsOriginationChart(Testing.app(), 'egress-tls-origination')) as Manifest[],
    secretOptions: {},
    expectedHost: 'my-nginx.mesh-external.svc.cluster.local',
    expectedPorts: { destinationRulePort: 80, serviceEntryTargetPort: 443, servicePort: 443, containerPort: 443 },
  },
  {
    title: 'non-default MeshExternalNginx (edge-ext / tls-echo / 8443, own secret names, client in apps, credential from PEM)',
    build: async (certsFor) => {
      const chart = Testing.chart();
      const nginx = new MeshExternalNginx(chart, 'nginx', {
        namespace: 'edge-ext',
        name: 'tls-echo',
        port: 8443,
        configMapName: 'tls-echo-conf',
        serverCertificate: TlsCredential.fromExistingSecret('tls-echo-server'),
        caCertificate: TlsCredential.fromExistingSecret('tls-echo-client-ca', { caCertificateKey: 'ca.crt' }),
      });
      const sleep = new SleepClient(chart, 'sleep', { namespace: 'apps', name: 'curl' });
      const certs = await certsFor(nginx.host);
      new MutualTlsOrigination(chart, 'mtls', {
        host: nginx.host,
        httpsPort: nginx.port,
        client: sleep,
        credential: TlsCredential.fromPem({
          secretName: 'tls-echo-client',
          certificate: certs.client.cert,
          privateKey: certs.client.key,
          caCertificate: certs.ca.cert,
        }),
      });
      return Testing.synth(chart) as Manifest[];
    },
    secretOptions: { serverSecretName: 'tls-echo-server', caSecretName: 'tls-echo-client-ca', caSecretKey: 'ca.crt', clientSecretName: 'tls-echo-client' },
    expectedHost: 'tls-echo.edge-ext.svc.cluster.local',
    expectedPorts: { destinationRulePort: 80, serviceEntryTargetPort: 8443, servicePort: 8443, containerPort: 8443 },
  },
  {
    title: "reference: the seed's own YAML, verbatim (checks the harness against the task itself)",
    build: async () => seedManifests(),
    secretOptions: {},
    expectedHost: 'my-nginx.mesh-external.svc.cluster.local',
    expectedPorts: { destinationRulePort: 80, serviceEntryTargetPort: 443, servicePort: 443, containerPort: 443 },
  },
];

/** A client certificate from an unrelated CA (same subject names, different keys). */
let foreign: Promise<CertificateBundle> | undefined;
const foreignCerts = () => (foreign ??= generateCertificates());

/** Certificates per server host (RSA key generation dominates the run time; scenarios with the same host share). */
const bundles = new Map<string, Promise<CertificateBundle>>();
const certsFor = (host: string) => {
  if (!bundles.has(host)) bundles.set(host, generateCertificates({ serverHost: host }));
  return bundles.get(host)!;
};

describeE2e.each(scenarios)('nginx mTLS e2e: $title', (def) => {
  let scenario: MtlsScenario;
  let certs: CertificateBundle;
  let run: RunResult;

  beforeAll(async () => {
    const objects = await def.build(certsFor);

    // Certificates for the host the DestinationRule targets, created as the seed does (kubectl create secret).
    const target = mtlsTarget(objects);
    certs = await certsFor(target.host);
    const clusterSecrets = secretManifests(certs, {
      ...def.secretOptions, namespace: target.serverNamespace, clientNamespace: target.clientNamespace,
    }) as unknown as Manifest[];

    scenario = deriveMtlsScenario(objects, { clusterSecrets });
    const other = await foreignCerts();
    run = await runNginxSandbox({
      tools: tools as Tools,
      mounts: scenario.mounts,
      port: scenario.ports.containerPort,
      hostHeader: scenario.host,
      sni: scenario.sni,
      securityContext: scenario.server.securityContext,
      cases: [
        { name: 'credential', cert: scenario.credential.cert, key: scenario.credential.key, ca: scenario.credential.ca },
        { name: 'no-client-cert', ca: scenario.credential.ca },
        { name: 'foreign-client-cert', cert: other.client.cert, key: other.client.key, ca: scenario.credential.ca },
      ],
    });
    console.log(`[e2e] ${def.title}: nginx sandbox ran in ${run.wallMs} ms; ports ${JSON.stringify(scenario.ports)}; sni ${scenario.sni}`);
    if (run.script.exitCode !== 0 || !run.ready) {
      console.error(`[e2e] ${def.title}: sandbox problems\n${diagnostics(run)}`);
    }
  });

  const check = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`${what}\n---- diagnostics ----\n${diagnostics(run)}`);
  };

  test('port chain: DestinationRule port -> ServiceEntry targetPort -> Service port -> containerPort', () => {
    expect(scenario.host).toBe(def.expectedHost);
    expect(scenario.ports).toEqual(def.expectedPorts);
    // what the harness mounted came from the manifests
    expect(scenario.mounts.map((m) => m.mountPath)).toContain('/etc/nginx');
  });

  test('nginx -t accepts the synthesized nginx.conf at the mounted paths', () => {
    check(run.nginxTest.exitCode === 0, `nginx -t exited ${run.nginxTest.exitCode}`);
    expect(run.nginxTest.output).toMatch(/syntax is ok/);
    expect(run.nginxTest.output).toMatch(/test is successful/);
  });

  test('with the client credential: HTTP 200 and the nginx welcome page', () => {
    const r = run.cases.credential;
    check(r?.status === 200, `expected 200, got ${JSON.stringify({ status: r?.status, error: r?.error })}`);
    expect(r.body).toContain('Welcome to nginx!');
  });

  test('without a client certificate: HTTP 400', () => {
    const r = run.cases['no-client-cert'];
    check(r?.status === 400, `expected 400, got ${JSON.stringify({ status: r?.status, error: r?.error })}`);
    expect(r.body).toContain('No required SSL certificate was sent');
  });

  test('with a client certificate from another CA: HTTP 400', () => {
    const r = run.cases['foreign-client-cert'];
    check(r?.status === 400, `expected 400, got ${JSON.stringify({ status: r?.status, error: r?.error })}`);
    expect(r.body).toContain('The SSL certificate error');
  });

  test('the server certificate verifies against the credential CA for the SNI name', () => {
    const r = run.cases.credential;
    check(r?.authorized === true, `TLS not authorized: ${r?.authorizationError ?? r?.error}`);
    expect(r.checkedHostname).toBe(scenario.sni);
    expect(r.serverIdentityError).toBeNull();
    const peer = new X509Certificate(Buffer.from(r.peerCertificate!, 'base64'));
    const ca = new X509Certificate(scenario.credential.ca);
    expect(peer.verify(ca.publicKey)).toBe(true);
    expect(peer.checkHost(scenario.sni)).toBe(scenario.sni);
    for (const san of scenario.subjectAltNames ?? []) expect(peer.checkHost(san)).toBe(san);
    // and it is the certificate generated for this scenario, served from the mounted Secret
    expect(peer.fingerprint256).toBe(new X509Certificate(certs.server.cert).fingerprint256);
  });
});

/** The Secrets the seed creates with kubectl, for the namespaces the manifests' mTLS target needs. */
function clusterSecretsFor(objects: Manifest[], certs: CertificateBundle, opts: SecretOptions = {}): Manifest[] {
  const t = mtlsTarget(objects);
  return secretManifests(certs, { namespace: t.serverNamespace, clientNamespace: t.clientNamespace, ...opts }) as unknown as Manifest[];
}

/** The harness must not be vacuous: broken manifests must make it fail. */
describeE2e('nginx mTLS e2e harness: negative controls (main chart, mutated)', () => {
  let objects: Manifest[];
  let certs: CertificateBundle;
  const secretsFor = (opts: SecretOptions = {}) => clusterSecretsFor(objects, certs, opts);
  const clone = () => JSON.parse(JSON.stringify(objects)) as Manifest[];
  const runWith = (scenario: MtlsScenario) => runNginxSandbox({
    tools: tools as Tools,
    mounts: scenario.mounts,
    port: scenario.ports.containerPort,
    hostHeader: scenario.host,
    sni: scenario.sni,
    cases: [{ name: 'credential', cert: scenario.credential.cert, key: scenario.credential.key, ca: scenario.credential.ca }],
  });

  beforeAll(async () => {
    objects = Testing.synth(new EgressTlsOriginationChart(Testing.app(), 'egress-tls-origination')) as Manifest[];
    certs = await certsFor(mtlsTarget(objects).host);
  });

  test('nginx listening on another port than the containerPort: no 200', async () => {
    const broken = clone();
    const cm = broken.find((o) => o.kind === 'ConfigMap' && o.data?.['nginx.conf'])!;
    cm.data['nginx.conf'] = cm.data['nginx.conf'].replace(/listen\s+\d+/, 'listen 4443');
    const run = await runWith(deriveMtlsScenario(broken, { clusterSecrets: secretsFor() }));
    expect(run.nginxTest.exitCode).toBe(0);
    expect(run.ready).toBe(false);
    expect(run.cases.credential).toBeUndefined();
  });

  test('CA secret key that nginx.conf does not reference: nginx -t fails', async () => {
    const run = await runWith(deriveMtlsScenario(objects, { clusterSecrets: secretsFor({ caSecretKey: 'ca.crt' }) }));
    expect(run.nginxTest.exitCode).not.toBe(0);
    expect(run.nginxTest.output).toMatch(/example\.com\.crt/);
  });

  test('server certificate for another host: checkServerIdentity fails for the SNI', async () => {
    const wrong = await generateCertificates({ serverHost: 'elsewhere.mesh-external.svc.cluster.local', keyAlgorithm: 'ECDSA-P256' });
    const secrets = secretManifests(wrong, { clientNamespace: mtlsTarget(objects).clientNamespace }) as unknown as Manifest[];
    const run = await runWith(deriveMtlsScenario(objects, { clusterSecrets: secrets }));
    expect(run.cases.credential.status).toBeUndefined();
    expect(run.cases.credential.error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });

  test('the securityContext is enforced: without SETUID/SETGID nginx cannot switch its workers and serves nothing', async () => {
    if (!tools?.asRoot) return; // capabilities are only modelled when the sandbox runs as real root
    const scenario = deriveMtlsScenario(objects, { clusterSecrets: secretsFor() });
    const run = await runNginxSandbox({
      tools: tools as Tools,
      mounts: scenario.mounts,
      port: scenario.ports.containerPort,
      hostHeader: scenario.host,
      sni: scenario.sni,
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
      cases: [{ name: 'credential', cert: scenario.credential.cert, key: scenario.credential.key, ca: scenario.credential.ca }],
    });
    expect(run.cases.credential?.status).not.toBe(200);
    expect(run.errorLog + run.script.stdout + run.script.stderr).toMatch(/Operation not permitted|setgid|setuid|chown/i);
  });
});

/** Pure derivation checks: need no nginx. */
describe('nginx mTLS e2e harness: manifest derivation', () => {
  let objects: Manifest[];
  let certs: CertificateBundle;
  const secretsFor = (opts: SecretOptions = {}) => clusterSecretsFor(objects, certs, opts);
  beforeAll(async () => {
    objects = Testing.synth(new EgressTlsOriginationChart(Testing.app(), 'egress-tls-origination')) as Manifest[];
    certs = await generateCertificates({ serverHost: mtlsTarget(objects).host, keyAlgorithm: 'ECDSA-P256' });
  });

  test('the main chart derives to the same mounts, ports and credential as the seed YAML', () => {
    const summary = (objs: Manifest[]) => {
      const s = deriveMtlsScenario(objs, { clusterSecrets: secretsFor() });
      return {
        host: s.host, sni: s.sni, ports: s.ports, credential: s.credential.secret,
        mounts: s.mounts.map((m) => ({ path: m.mountPath, ro: m.readOnly, files: Object.keys(m.files).sort() })),
      };
    };
    expect(summary(objects)).toEqual(summary(seedManifests()));
  });

  test('broken port chain or missing secret: the derivation refuses', () => {
    const broken = JSON.parse(JSON.stringify(objects)) as Manifest[];
    const svc = broken.find((o) => o.kind === 'Service' && o.metadata.namespace === 'mesh-external')!;
    svc.spec.ports[0].port = 8443;
    expect(() => deriveMtlsScenario(broken, { clusterSecrets: secretsFor() })).toThrow(/port 443 in Service mesh-external\/my-nginx/);
    expect(() => deriveMtlsScenario(objects, { clusterSecrets: secretsFor({ serverSecretName: 'other' }) }))
      .toThrow(/secret mesh-external\/nginx-server-certs/);
    expect(() => deriveMtlsScenario(objects, { clusterSecrets: secretsFor({ clientSecretName: 'other' }) }))
      .toThrow(/credentialName client-credential/);
  });
});
