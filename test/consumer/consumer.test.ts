import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

// `npm pack` the library, install the tarball into test/consumer/app, type-check and compile the app
// against the packed .d.ts files, and synthesize through the public API only. The tarball is unpacked into
// the app's node_modules (what `npm install <tarball>` does for a package whose dependencies are already
// installed); its dependencies resolve from the repository's node_modules, so the test needs no network.
const ROOT = path.resolve(__dirname, '../..');
const APP = path.join(__dirname, 'app');

describe('consumer of the packed library', () => {
  let work: string;
  beforeAll(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-')); });
  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(path.join(APP, 'node_modules'), { recursive: true, force: true });
    fs.rmSync(path.join(APP, 'out'), { recursive: true, force: true });
    fs.rmSync(path.join(APP, 'dist'), { recursive: true, force: true });
  });

  test('packs, installs and synthesizes', () => {
    // GIVEN the packed library
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    const tarball = path.join(work, packed[0].filename);
    const files: string[] = packed[0].files.map((f: any) => f.path);
    expect(files).toContain('lib/src/index.js');
    expect(files).toContain('lib/src/index.d.ts');
    expect(files).toContain('lib/imports/networking.istio.io.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^(src|test|dist|scripts)\//.test(f))).toEqual([]);

    // WHEN it is installed into the app, and the app is compiled and run
    const target = path.join(APP, 'node_modules', 'cdk8s-istio-egress');
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', APP], { cwd: APP, stdio: 'pipe' });
    const out = path.join(work, 'dist');
    const printed = execFileSync(process.execPath, [path.join(APP, 'out/main.js'), out], { cwd: work, encoding: 'utf8' });

    // THEN the packed validator ran on the output without the repository (cwd is a temporary folder)
    const validation = JSON.parse(printed.trim().split('\n').pop()!);
    expect(validation.errors).toBe(0);
    expect(validation.warnings).toContain('wiring/secret-exists');
    expect(files).toContain('imports/validation/crds.json');

    // and `cdk8s synth` runs it as the validation plugin that the README tells users to register
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/cdk8s-cli/bin/cdk8s'), 'synth'], {
      cwd: APP, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    expect(cli.stderr + cli.stdout).toMatch(/Validations ended succesfully/);
    expect(cli.status).toBe(0);
    expect(fs.readdirSync(path.join(APP, 'dist'))).toContain('consumer.k8s.yaml');
    const objects = parseAllDocuments(fs.readFileSync(path.join(out, 'consumer.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    const dr = objects.find((o) => o.kind === 'DestinationRule' && o.spec.trafficPolicy.portLevelSettings[0].tls.mode === 'MUTUAL');
    expect(dr.metadata).toEqual({ name: 'my-nginx-partner-svc-cluster-local', namespace: 'apps' });
    expect(dr.spec.host).toBe('my-nginx.partner.svc.cluster.local');
    expect(dr.spec.workloadSelector).toEqual({ matchLabels: { app: 'sleep' } });
    const se = objects.find((o) => o.kind === 'ServiceEntry' && o.metadata.name === dr.metadata.name);
    expect(se.spec.ports[0]).toEqual({ name: 'http-port', number: 80, protocol: 'HTTP', targetPort: 8443 });
    expect(objects.find((o) => o.kind === 'ServiceEntry' && o.metadata.name === 'api-example-com').apiVersion).toBe('networking.istio.io/v1beta1');
  });
});
