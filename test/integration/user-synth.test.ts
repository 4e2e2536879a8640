// `cdk8s-istio-egress synth` on users' apps: the bin run as a child process in temporary app folders (their
// node_modules link the repository's packages, and `cdk8s-istio-egress` links the repository, built into lib/).
// installed-package.test.ts runs it from the packed package installed outside the repository.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fingerprint } from '../support/synth-sandbox';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'cdk8s-istio-egress.js');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'apps', 'user-app');

let tmp: string;
beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'src', 'synth', 'command.js'))) throw new Error('run npm run build first: the bin runs lib/');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'user-synth-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A user's app folder: the fixture (or `files`), node_modules linking the repository's packages and this package. */
function makeApp(files?: Record<string, string>): string {
  const dir = path.join(tmp, `app-${n++}`);
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  for (const f of fs.readdirSync(FIXTURE)) fs.copyFileSync(path.join(FIXTURE, f), path.join(dir, f));
  for (const [f, text] of Object.entries(files ?? {})) fs.writeFileSync(path.join(dir, f), text);
  for (const e of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (e !== '.cache') fs.symlinkSync(path.join(ROOT, 'node_modules', e), path.join(dir, 'node_modules', e));
  }
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'cdk8s-istio-egress'));
  return dir;
}

/** A JavaScript app (`main.js`, cdk8s.yaml `app: node main.js`) in a fresh folder, without the fixture's main.ts. */
function makeJsApp(js: string): string {
  const dir = makeApp({ 'main.js': js, 'cdk8s.yaml': 'language: javascript\napp: node main.js\n' });
  fs.rmSync(path.join(dir, 'main.ts'));
  return dir;
}

/** The real `cdk8s synth` of the locked cdk8s-cli in `dir`. */
function cdk8sSynth(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', ...args], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env },
  });
}

function synth(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const e: Record<string, string | undefined> = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env };
  delete e.CDK8S_OUTDIR;
  delete e.INIT_CWD;
  if (!('DEBUG' in env)) delete e.DEBUG;
  return spawnSync(process.execPath, [BIN, 'synth', ...args], { cwd: dir, encoding: 'utf8', env: e });
}

const RECORD = '.cdk8s-istio-egress.sha256';
/** The files of an output folder, but synth's record of them (which cdk8s synth does not write). */
const read = (dir: string) => Object.fromEntries(fs.readdirSync(dir).filter((f) => f !== RECORD).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

const SMALL_TS = `import { App, Chart } from 'cdk8s';
import { EgressTlsOrigination } from 'cdk8s-istio-egress';
const app = new App();
const chart = new Chart(app, 'small', { namespace: 'shop' });
new EgressTlsOrigination(chart, 'api', { host: process.env.HOST ?? 'api.example.com' });
app.synth();
`;

describe('byte equality with cdk8s synth', () => {
  test('the user-app fixture (four charts, TypeScript): every manifest cdk8s synth writes, byte for byte', () => {
    const dir = makeApp();
    const cli = cdk8sSynth(dir, [], { CDK8S_OUTDIR: '' });
    expect(cli.stderr).not.toMatch(/error/i);
    expect(cli.status).toBe(0);
    fs.renameSync(path.join(dir, 'dist'), path.join(dir, 'dist-cdk8s'));
    const r = synth(dir);
    expect(r.stderr).toMatch(/synthesized 4 file\(s\) into dist\//);
    expect(r.status).toBe(0);
    const theirs = read(path.join(dir, 'dist-cdk8s'));
    // cdk8s synth records construct paths for its plugins; synth validates in memory and writes no such file
    delete theirs['construct-metadata.json'];
    expect(Object.keys(theirs)).toEqual(['data.k8s.yaml', 'platform.k8s.yaml', 'shop.k8s.yaml', 'staging.k8s.yaml']);
    expect(read(path.join(dir, 'dist'))).toEqual(theirs);
  }, 120_000);

  test('a JavaScript entry file with yamlOutputType FILE_PER_RESOURCE and outputFileExtension .yaml', () => {
    const js = `const { App, Chart, YamlOutputType } = require('cdk8s');
const { EgressTlsOrigination } = require('cdk8s-istio-egress');
const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_RESOURCE, outputFileExtension: '.yaml' });
new EgressTlsOrigination(new Chart(app, 'c', { namespace: 'shop' }), 'api', { host: 'api.example.com' });
app.synth();
`;
    const dir = makeJsApp(js);
    const cli = cdk8sSynth(dir, ['-o', 'theirs']);
    expect(cli.status).toBe(0);
    const r = synth(dir, ['--out', 'ours']);
    expect(r.stderr).toContain('synthesized 2 file(s) into ours/');
    expect(r.status).toBe(0);
    expect(Object.keys(read(path.join(dir, 'ours')))).toEqual(['DestinationRule.api-example-com.yaml', 'ServiceEntry.api-example-com.yaml']);
    expect(read(path.join(dir, 'ours'))).toEqual(read(path.join(dir, 'theirs')));
    // a second run replaces its own .yaml files (they are the app's manifests, not foreign content)
    expect(synth(dir, ['--out', 'ours']).status).toBe(0);
  }, 60_000);

  test('but for the strings cdk8s writes unquoted that kubectl would read as numbers: those are quoted', () => {
    // GIVEN an app with a plain ConfigMap in namespace 0o17 (to kubectl's go-yaml v2 the integer 15)
    const js = `const { ApiObject, App, Chart } = require('cdk8s');
const app = new App();
new ApiObject(new Chart(app, 'numbers'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'numbers', namespace: '0o17', labels: { '0X1F': 'x' } }, data: { 'a': '0B101', 'b': '0x1f' } });
app.synth();
`;
    const dir = makeJsApp(js);
    const cli = cdk8sSynth(dir, ['-o', 'theirs']);
    expect(cli.status).toBe(0);
    // WHEN
    const r = synth(dir, ['--out', 'ours', '--no-validate']);
    // THEN cdk8s wrote them plain, and synth wrote the same bytes with those three scalars double-quoted
    expect(r.status).toBe(0);
    const theirs = read(path.join(dir, 'theirs'))['numbers.k8s.yaml'];
    expect(theirs).toMatch(/namespace: 0o17\n/);
    expect(read(path.join(dir, 'ours'))).toEqual({
      'numbers.k8s.yaml': theirs.replace('namespace: 0o17', 'namespace: "0o17"').replace('0X1F: x', '"0X1F": x').replace('a: 0B101', 'a: "0B101"'),
    });
  }, 60_000);
});

describe('entry files', () => {
  test('the default app is the file of cdk8s.yaml\'s app: line; a TypeScript app importing a local .ts module', () => {
    const dir = makeApp({
      'cdk8s.yaml': 'language: typescript\napp: npx ts-node src/app.ts\n',
    });
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'hosts.ts'), 'export const HOSTS: readonly string[] = [\'api.example.com\'];\nexport enum Team { Shop = \'shop\' }\n');
    fs.writeFileSync(path.join(dir, 'src', 'app.ts'), `import { App, Chart } from 'cdk8s';
import { EgressTlsOrigination } from 'cdk8s-istio-egress';
import { HOSTS, Team } from './hosts';
const app = new App();
const chart = new Chart(app, 'team', { namespace: Team.Shop });
for (const host of HOSTS) new EgressTlsOrigination(chart, host, { host });
app.synth();
`);
    const r = synth(dir);
    expect(r.stderr).toContain('synthesized 1 file(s) into dist/');
    expect(Object.keys(read(path.join(dir, 'dist')))).toEqual(['team.k8s.yaml']);
    expect(read(path.join(dir, 'dist'))['team.k8s.yaml']).toContain('namespace: shop');
  }, 60_000);

  test('a type error is not checked (the help says to run tsc --noEmit), a syntax error is', () => {
    const dir = makeApp({ 'main.ts': `${SMALL_TS}const port: number = 'not a number';\n` }); // TS2322, which tsc reports
    expect(synth(dir).status).toBe(0);
    fs.writeFileSync(path.join(dir, 'main.ts'), SMALL_TS.replace('new App();', 'new App(;'));
    const before = fingerprint(path.join(dir, 'dist'));
    const r = synth(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: main\.ts:3:\d+: error TS1005: '\)' expected\.\ndist\/ was left untouched\n$/);
    expect(fingerprint(path.join(dir, 'dist'))).toEqual(before);
  }, 60_000);

  test('an app that never calls app.synth() fails and writes nothing', () => {
    const dir = makeApp({ 'main.ts': SMALL_TS.replace('app.synth();', '') });
    const r = synth(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('main.ts did not call app.synth()');
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  }, 60_000);

  test('a missing entry file is a usage error', () => {
    const dir = makeApp();
    const r = synth(dir, ['--app', 'nope.ts']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the app nope.ts does not exist');
  });
});

describe('a failing app leaves the output folder untouched', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a bad prop', SMALL_TS.replace("process.env.HOST ?? 'api.example.com'", "'https://api.example.com/v1'"), /^error: .*'host' must be a host name/m],
    ['a throwing app', SMALL_TS.replace('app.synth();', 'throw new TypeError(\'no config for stage "prod"\');'), /^error: main\.ts: TypeError: no config for stage "prod"$/m],
    ['a validation error', `${SMALL_TS.replace('app.synth();', '')}
import { ApiObject } from 'cdk8s';
new ApiObject(chart, 'dr', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'bad' },
  spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE_TYPO' } } } });
app.synth();
`, /^error: validation failed with \d+ error\(s\); dist\/ was left untouched$/m],
  ];
  test.each(cases)('%s', (_, source, message) => {
    const dir = makeApp({ 'main.ts': SMALL_TS });
    expect(synth(dir).status).toBe(0);
    fs.writeFileSync(path.join(dir, 'dist', 'construct-metadata.json'), '{}'); // a file of an earlier cdk8s synth
    const before = fingerprint(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'main.ts'), source);
    const r = synth(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack without DEBUG
    expect(fingerprint(path.join(dir, 'dist'))).toEqual(before);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('cdk8s-istio-egress-synth-'))).toEqual([]);
  }, 60_000);

  test('DEBUG=1 adds the stack trace, mapped to the TypeScript source', () => {
    const dir = makeApp({ 'main.ts': SMALL_TS.replace('app.synth();', 'throw new Error(\'boom\');') });
    const r = synth(dir, [], { DEBUG: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: main\.ts: boom$/m);
    expect(r.stderr).toMatch(/main\.ts:6:\d+/);
  }, 60_000);

  test('an app that synthesizes is written; stale manifests of removed charts go, once synth owns them', () => {
    // GIVEN a dist/ of an earlier cdk8s synth: manifests synth has no record of
    const dir = makeApp({ 'main.ts': SMALL_TS });
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist', 'old-chart.k8s.yaml'), 'kind: ConfigMap\n');
    // WHEN synth runs: it refuses to remove what it did not write, and says how to take it over
    const refused = synth(dir);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^error: refusing to write to dist\/: it holds old-chart\.k8s\.yaml, which this run does not write, and no \.cdk8s-istio-egress\.sha256 .* run synth again with --adopt/m);
    expect(read(path.join(dir, 'dist'))).toEqual({ 'old-chart.k8s.yaml': 'kind: ConfigMap\n' });
    // THEN with --adopt it takes the folder over; from then on its record says which files are its own
    const r = synth(dir, ['--adopt']);
    expect(r.stderr).toContain('took over old-chart.k8s.yaml (--adopt)\nsynthesized 1 file(s) into dist/; removed old-chart.k8s.yaml\n');
    expect(Object.keys(read(path.join(dir, 'dist')))).toEqual(['small.k8s.yaml']);
    fs.writeFileSync(path.join(dir, 'main.ts'), SMALL_TS.replace("'small'", "'renamed'"));
    expect(synth(dir).stderr).toContain('synthesized 1 file(s) into dist/; removed small.k8s.yaml\n');
  }, 60_000);

  test('an app whose TlsCredential.fromPem carries a private key is refused, unless --allow-private-keys', () => {
    const app = `import { App, Chart } from 'cdk8s';
import { MutualTlsOrigination, SleepClient, TlsCredential } from 'cdk8s-istio-egress';
import { generateCertificates } from 'cdk8s-istio-egress/certificates';
void generateCertificates({ keyAlgorithm: 'ECDSA-P256' }).then((certs) => {
  const app = new App();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const credential = TlsCredential.fromPem({ secretName: 'client-credential', certificate: certs.client.cert, privateKey: certs.client.key, caCertificate: certs.ca.cert });
  new MutualTlsOrigination(chart, 'mtls', { host: 'partner.example.com', client: new SleepClient(chart, 'sleep'), credential });
  app.synth();
});
`;
    const dir = makeApp({ 'main.ts': app });
    const r = synth(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: refusing to write a private key into dist\/: Secret shop\/client-credential \(data\.tls\.key\) in shop\.k8s\.yaml\. Files in an output folder end up in git/m);
    expect(r.stderr).toMatch(/run synth with --allow-private-keys\. dist\/ was left untouched\n$/);
    expect(r.stderr).not.toMatch(/PRIVATE KEY/);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
    const allowed = synth(dir, ['--allow-private-keys']);
    expect(allowed.stderr).toContain('warning: writing 1 private key(s) into dist/ (--allow-private-keys)');
    expect(allowed.status).toBe(0);
    expect(Object.keys(read(path.join(dir, 'dist')))).toEqual(['shop.k8s.yaml']);
  }, 60_000);
});

describe('refused --out values (exit 2, nothing changed)', () => {
  test.each([
    ['.', /refusing to write to \.\/: it is the project folder/],
    ['..', /refusing to write to \.\.\/: it is an ancestor of the project folder/],
    ['/', /it is an ancestor of the project folder/],
    ['node_modules', /it holds .*which synth did not write/],
    ['notes', /it holds todo\.txt \(file\), which synth did not write/],
  ])('--out %s', (out, message) => {
    const dir = makeApp({ 'main.ts': SMALL_TS });
    fs.mkdirSync(path.join(dir, 'notes'));
    fs.writeFileSync(path.join(dir, 'notes', 'todo.txt'), 'mine\n');
    const before = fingerprint(dir);
    const r = synth(dir, ['--out', out]);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(fingerprint(dir)).toEqual(before);
  }, 60_000);
});

test('--help says what synth does and that types are not checked', () => {
  const r = spawnSync(process.execPath, [BIN, 'synth', '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('usage: cdk8s-istio-egress synth [--app FILE] [--out DIR]');
  expect(r.stdout).toContain('WITHOUT type-checking: run `tsc --noEmit`');
  expect(r.stdout).toMatch(/--adopt +take over the manifests already in the output folder that synth has no record of/);
  expect(r.stdout).toMatch(/--allow-private-keys\n +write private keys/);
  const top = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  expect(top.stdout).toContain('cdk8s-istio-egress synth [--app FILE] [--out DIR]');
  const bad = spawnSync(process.execPath, [BIN, 'synth', '--bogus'], { encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('unknown option "--bogus"');
});
