/**
 * Shared by the end-to-end tests: the prerequisite check (skip loudly, or fail under CI=true), the sandbox
 * diagnostics, and the last hop of an egress gateway chain served by the real nginx (the gateway's view:
 * derived credential, SNI and Host; with, without and with a foreign client certificate).
 */
import { X509Certificate } from 'node:crypto';
import type { ServerSide } from './manifests';
import { RunResult, Tools, findTools, runNginxSandbox } from './sandbox';

const IN_CI = /^(true|1)$/i.test(process.env.CI ?? '');

/**
 * Looks for nginx, unshare and ip. Without them the suite's nginx part is skipped loudly, except under
 * CI=true, where a failing test says what is missing. Call at the top level of a test file.
 */
export function e2ePrerequisites(suite: string): { readonly tools?: Tools; readonly describeE2e: jest.Describe } {
  const probe = findTools();
  if (!probe.tools) {
    const banner = '#'.repeat(100);
    const msg = `${suite}: ${probe.missing}. Install the prerequisites with: sudo scripts/ci-install.sh`;
    if (IN_CI) {
      test('e2e prerequisites are installed (CI=true: missing tools fail instead of skipping)', () => {
        throw new Error(msg);
      });
    } else {
      console.warn(`\n${banner}\n### SKIPPING ${msg}\n${banner}\n`);
    }
  }
  return { tools: probe.tools, describeE2e: probe.tools ? describe : describe.skip };
}

/** What the sandbox saw, for a failing assertion's message. */
export function diagnostics(run: RunResult): string {
  return [
    `script exit ${run.script.exitCode}`, run.script.stderr && `script stderr:\n${run.script.stderr}`,
    `nginx -t (exit ${run.nginxTest.exitCode}):\n${run.nginxTest.output}`,
    `mounts:\n${run.listing}`, `nginx error log:\n${run.errorLog}`, `access log:\n${run.accessLog}`,
    `client results:\n${JSON.stringify(run.cases, (k, v) => (k === 'peerCertificate' || k === 'body' ? (v ? `${String(v).slice(0, 60)}…` : v) : v), 2)}`,
  ].filter(Boolean).join('\n');
}

/** The last hop of a derived gateway chain: where the gateway connects, and with what. */
export interface LastHop {
  readonly title: string;
  /** The server behind the chain's target (deriveServer). */
  readonly server: ServerSide;
  /** Host header of the client's call. */
  readonly hostHeader: string;
  readonly sni: string;
  /** The credential the gateway presents (PEM). */
  readonly credential: { readonly cert?: string; readonly key?: string; readonly ca: string };
  /** Names the server certificate must be valid for (SNI, subjectAltNames). */
  readonly verifyNames: readonly string[];
  /** The server certificate generated for the scenario (PEM): the one nginx must serve. */
  readonly serverCertificate: string;
  /** A client certificate and key from another CA. */
  readonly foreign: { readonly cert: string; readonly key: string };
  /** The chain's hops, for the log. */
  readonly hops: readonly string[];
}

/**
 * Serves the last hop with the real nginx of the manifests (beforeAll) and asserts what the gateway sees:
 * nginx -t passes; 200 and the welcome page with the credential; 400 without a client certificate and with
 * one from another CA; the server certificate verifies against the credential's CA for the derived names.
 * Call inside a describe.
 */
export function lastHopTests(tools: Tools, prepare: () => Promise<LastHop>): void {
  let hop: LastHop;
  let run: RunResult;

  beforeAll(async () => {
    hop = await prepare();
    const { credential: cred, server } = hop;
    // The last hop, as the gateway makes it: to the container port, with the derived SNI and credential.
    run = await runNginxSandbox({
      tools,
      mounts: server.mounts,
      port: server.containerPort,
      hostHeader: hop.hostHeader,
      sni: hop.sni,
      securityContext: server.container.securityContext,
      cases: [
        { name: 'credential', cert: cred.cert, key: cred.key, ca: cred.ca },
        { name: 'no-client-cert', ca: cred.ca },
        { name: 'foreign-client-cert', cert: hop.foreign.cert, key: hop.foreign.key, ca: cred.ca },
      ],
    });
    console.log(`[e2e] ${hop.title}: nginx sandbox ran in ${run.wallMs} ms\n  ${hop.hops.join('\n  ')}\n  -> nginx container port ${server.containerPort}`);
    if (run.script.exitCode !== 0 || !run.ready) console.error(`[e2e] ${hop.title}: sandbox problems\n${diagnostics(run)}`);
  });

  const check = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`${what}\n---- diagnostics ----\n${diagnostics(run)}`);
  };

  test('nginx -t accepts the nginx.conf at the mounted paths', () => {
    check(run.nginxTest.exitCode === 0, `nginx -t exited ${run.nginxTest.exitCode}`);
    expect(run.nginxTest.output).toMatch(/test is successful/);
  });

  test('with the credential the gateway presents: HTTP 200 and the nginx welcome page', () => {
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

  test('the server certificate verifies against the credential CA for the derived SNI and subjectAltNames', () => {
    const r = run.cases.credential;
    check(r?.authorized === true, `TLS not authorized: ${r?.authorizationError ?? r?.error}`);
    expect(r.checkedHostname).toBe(hop.sni);
    expect(r.serverIdentityError).toBeNull();
    const peer = new X509Certificate(Buffer.from(r.peerCertificate!, 'base64'));
    expect(peer.verify(new X509Certificate(hop.credential.ca).publicKey)).toBe(true);
    for (const name of hop.verifyNames) expect(peer.checkHost(name)).toBe(name);
    // and it is the certificate generated for this scenario, served from the mounted Secret
    expect(peer.fingerprint256).toBe(new X509Certificate(hop.serverCertificate).fingerprint256);
  });
}
