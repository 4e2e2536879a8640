import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// `npm run certs` (scripts/certs.js, on the package's compiled `cdk8s-istio-egress/certificates`) as a child
// process. Needs `npm run build`.

const DEFAULT_SERVER_HOST = 'my-nginx.mesh-external.svc.cluster.local';

describe('scripts/certs.js CLI', () => {
  const script = path.join(__dirname, '../../..', 'scripts', 'certs.js');
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certs-cli-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes the seed files (keys 0600) and prints the seed kubectl commands', () => {
    const out = execFileSync(process.execPath, [script, '--out', '.', '--host', 'tls-echo.edge-ext.svc.cluster.local',
      '--san', 'tls-echo.edge-ext', '--days', '10', '--namespace', 'edge-ext', '--key-algorithm', 'ECDSA-P256'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const host = 'tls-echo.edge-ext.svc.cluster.local';
    expect(fs.readdirSync(dir).sort()).toEqual(
      ['client.example.com.crt', 'client.example.com.key', 'example.com.crt', 'example.com.key', `${host}.crt`, `${host}.key`].sort());
    for (const f of fs.readdirSync(dir)) {
      const mode = fs.statSync(path.join(dir, f)).mode & 0o777;
      expect([f, mode]).toEqual([f, f.endsWith('.key') ? 0o600 : 0o644]);
    }
    expect(out.trim().split('\n')).toEqual([
      `kubectl create -n edge-ext secret tls nginx-server-certs --key ${host}.key --cert ${host}.crt`,
      'kubectl create -n edge-ext secret generic nginx-ca-certs --from-file=example.com.crt',
      'kubectl create secret generic client-credential --from-file=tls.key=client.example.com.key '
        + '--from-file=tls.crt=client.example.com.crt --from-file=ca.crt=example.com.crt',
    ]);
    const ca = fs.readFileSync(path.join(dir, 'example.com.crt'), 'utf8');
    const server = new X509Certificate(fs.readFileSync(path.join(dir, `${host}.crt`)));
    expect(server.checkHost('tls-echo.edge-ext')).toBe('tls-echo.edge-ext');
    expect(server.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(Date.parse(server.validTo) - Date.parse(server.validFrom)).toBe(10 * 86_400_000);
  });

  test('defaults to .certs/ and refuses to overwrite without --force', () => {
    const run = (...args: string[]) => execFileSync(process.execPath, [script, ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const out = run();
    expect(fs.existsSync(path.join(dir, '.certs', `${DEFAULT_SERVER_HOST}.key`))).toBe(true);
    expect(out).toContain(`--key .certs/${DEFAULT_SERVER_HOST}.key`);
    expect(() => run()).toThrow(/refusing to overwrite/);
    expect(() => run('--force', '--key-algorithm', 'ECDSA-P256')).not.toThrow();
    expect(() => run('--force', '--key-algorithm', 'DSA')).toThrow(/unsupported key algorithm/);
    expect(() => run('--days', 'x')).toThrow(/--days/);
    expect(() => run('--bogus')).toThrow(/unknown argument/);
  });
});
