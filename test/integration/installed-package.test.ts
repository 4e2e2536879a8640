import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { assertIsolated, binIn, installApp, lockedVersion, nodeIn, pack, PackedPackage, ROOT, userEnv } from './installed';

// The package as a user installs it: packed, installed by npm into an empty folder outside the repository,
// and used there: every entry point, every bin command, a strict type-check of a user app, and `cdk8s synth`
// with the validation plugin block of the README.
const USER_APP = path.join(__dirname, 'user-app');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** tsconfig.json as `cdk8s init typescript-app` writes it (no skipLibCheck: the package's .d.ts are checked). */
const CDK8S_INIT_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true, declaration: true, experimentalDecorators: true, inlineSourceMap: true,
    inlineSources: true, lib: ['es2016'], module: 'CommonJS', noEmitOnError: false, noFallthroughCasesInSwitch: true,
    noImplicitAny: true, noImplicitReturns: true, noImplicitThis: true, noUnusedLocals: true, noUnusedParameters: true,
    resolveJsonModule: true, strict: true, strictNullChecks: true, strictPropertyInitialization: true, stripInternal: true,
    target: 'ES2017',
  },
  include: ['**/*.ts'],
  exclude: ['node_modules', 'cdk8s.out'],
};

/** The README's plugin block, in the user's cdk8s.yaml. */
function readmePluginBlock(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```yaml\n(validations:\n[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error('README.md has no ```yaml block starting with validations:');
  return block[1];
}

describe('the packed package, installed into an empty folder outside the repository', () => {
  let work: string;
  let packed: PackedPackage;
  let app: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'installed-'));
    packed = pack(work);
    app = installApp(packed.tarball, work);
  }, 300_000);
  afterAll(() => { if (work) fs.rmSync(work, { recursive: true, force: true }); });

  test('the folder is isolated: no node_modules above it, no NODE_PATH, and the library comes from the tarball', () => {
    expect(() => assertIsolated(app)).not.toThrow();
    const where = nodeIn(app, ['-p', 'require.resolve("cdk8s-istio-egress") + "\\n" + (process.env.NODE_PATH ?? "")']);
    expect(where.stderr).toBe('');
    const [resolved, nodePath] = where.stdout.split('\n');
    expect(resolved).toBe(path.join(fs.realpathSync(app), 'node_modules', 'cdk8s-istio-egress', 'lib', 'src', 'index.js'));
    expect(nodePath).toBe('');
  });

  test('the tarball holds the library only: no task app, sources, tests or tooling', () => {
    const own = packed.files.filter((f) => !f.startsWith('node_modules/'));
    expect(own.filter((f) => /^lib\/src\/(main|[a-z-]*-charts)\.(js|d\.ts)$/.test(f))).toEqual([]);
    expect(own.filter((f) => /^(src|test|dist|scripts|crds|tools|app)\//.test(f))).toEqual([]);
    expect(own.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.ts-fixture'))).toEqual([]);
    expect(own).toEqual(expect.arrayContaining(['lib/src/index.js', 'lib/src/validator/index.js', 'lib/src/certificates.js', 'imports/validation/crds.json', '.jsii']));
    // every bundled dependency the entry points load is in the tarball (peers of bundled packages are not
    // bundled by npm: @bufbuild/cel's peer @bufbuild/protobuf must be a dependency of its own)
    for (const dep of PKG.bundledDependencies) expect(packed.files).toContain(`node_modules/${dep}/package.json`);
    process.stdout.write(`packed: ${(packed.size / 1e6).toFixed(2)} MB, unpacked ${(packed.unpackedSize / 1e6).toFixed(1)} MB in ${packed.files.length} files (${own.length} of the library's own)\n`);
  });

  test.each(Object.keys(PKG.exports).filter((e) => e !== './package.json'))('require and import of the entry point %s', (entry) => {
    const spec = path.posix.join('cdk8s-istio-egress', entry);
    const cjs = nodeIn(app, ['-e', `const m = require(${JSON.stringify(spec)}); console.log(Object.keys(m).length)`]);
    expect(cjs.stderr).toBe('');
    expect(Number(cjs.stdout.trim())).toBeGreaterThan(0);
    const esm = nodeIn(app, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(spec)}); console.log(Object.keys(m).length)`]);
    expect(esm.stderr).toBe('');
    expect(Number(esm.stdout.trim())).toBeGreaterThan(0);
  });

  test('every bin command runs from the installed package', () => {
    const help = binIn(app, 'cdk8s-istio-egress', ['--help']);
    expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: cdk8s-istio-egress validate/);

    const version = binIn(app, 'cdk8s-istio-egress', ['--version']);
    expect({ status: version.status, stdout: version.stdout.trim() }).toEqual({ status: 0, stdout: PKG.version });

    const rules = binIn(app, 'cdk8s-istio-egress', ['--rules']);
    expect(rules.status).toBe(0);
    expect(rules.stdout).toMatch(/wiring\/dr-visibility/);

    fs.writeFileSync(path.join(app, 'good.yaml'), [
      'apiVersion: networking.istio.io/v1', 'kind: ServiceEntry', 'metadata: { name: cnn, namespace: shop }',
      'spec: { hosts: [edition.cnn.com], ports: [{ number: 443, name: https, protocol: HTTPS }], resolution: DNS, location: MESH_EXTERNAL }', '',
    ].join('\n'));
    fs.writeFileSync(path.join(app, 'bad.yaml'), [
      'apiVersion: networking.istio.io/v1', 'kind: DestinationRule', 'metadata: { name: cnn, namespace: shop }',
      'spec: { host: edition.cnn.com, trafficPolicy: { tls: { mode: SIMPEL } } }', '',
    ].join('\n'));
    const good = binIn(app, 'cdk8s-istio-egress', ['validate', 'good.yaml']);
    expect({ status: good.status, stderr: good.stderr }).toEqual({ status: 0, stderr: '' });
    const bad = binIn(app, 'cdk8s-istio-egress', ['validate', 'bad.yaml']);
    expect(bad.status).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/SIMPEL/);
    const missing = binIn(app, 'cdk8s-istio-egress', ['validate', 'no-such-file.yaml']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).not.toMatch(/\n\s+at /); // one line, no stack trace
  });

  test('a user app type-checks with the strict tsconfig of `cdk8s init typescript-app`, synthesizes and validates under `cdk8s synth` with the README plugin block', () => {
    // GIVEN the production-like app and the README's validations block in cdk8s.yaml
    fs.copyFileSync(path.join(USER_APP, 'main.ts'), path.join(app, 'main.ts'));
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(CDK8S_INIT_TSCONFIG, null, 2));
    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), `language: typescript\napp: node main.js\n${readmePluginBlock()}`);

    // WHEN it is compiled by the app's own TypeScript (type errors fail) and synthesized by the app's cdk8s CLI
    const tsc = binIn(app, 'tsc', ['-p', '.']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const synth = binIn(app, 'cdk8s', ['synth']);

    // THEN the plugin of the installed package validated every chart, without errors
    const output = synth.stdout + synth.stderr;
    expect(output).toMatch(/Validations ended succesfully/);
    expect(output).toMatch(/IstioEgressValidation.*0 error\(s\)/s);
    expect(synth.status).toBe(0);
    expect(fs.readdirSync(path.join(app, 'dist')).filter((f) => f.endsWith('.k8s.yaml')).sort())
      .toEqual(['data.k8s.yaml', 'platform.k8s.yaml', 'shop.k8s.yaml', 'staging.k8s.yaml']);
    expect(output).not.toMatch(/Cannot find module/);
  });
});

describe('installed from git, as the README says for a release not on the registry yet', () => {
  let work: string;
  afterAll(() => { if (work) fs.rmSync(work, { recursive: true, force: true }); });

  test('npm install git+file:// of this repository builds the package and its entry points load', () => {
    // GIVEN an empty user folder outside the repository, and the repository's committed HEAD
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'installed-git-'));
    const dir = path.join(work, 'app');
    fs.mkdirSync(dir);
    assertIsolated(dir);
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }));
    // WHEN npm installs it from git (npm clones it, installs its devDependencies and runs its prepack build)
    const peers = ['cdk8s', 'constructs', 'cdk8s-plus-28'].map((p) => `${p}@${lockedVersion(p)}`);
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `git+file://${ROOT}`, ...peers], {
      cwd: dir, encoding: 'utf8', env: userEnv(),
    });
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);
    // THEN the built library and its validator run there
    const run = nodeIn(dir, ['-e', [
      "const { App, Chart } = require('cdk8s');",
      "const { EgressTlsOrigination } = require('cdk8s-istio-egress');",
      "const { validateManifests } = require('cdk8s-istio-egress/validator');",
      "const chart = new Chart(new App(), 'c', { namespace: 'shop' });",
      "new EgressTlsOrigination(chart, 'cnn', { host: 'edition.cnn.com' });",
      'console.log(validateManifests(chart.toJson()).errors.length);',
    ].join('\n')]);
    expect({ stderr: run.stderr, errors: run.stdout.trim() }).toEqual({ stderr: '', errors: '0' });
    expect(binIn(dir, 'cdk8s-istio-egress', ['--version']).stdout.trim()).toBe(PKG.version);
  }, 600_000);
});
