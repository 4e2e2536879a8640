import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Both synth commands load the library (lib/src/bundle.js) and the validator (lib/src/validator/bundle.js) from
// the bundles npm run build writes, and those and lib/vendor/cel.js with V8 code caches (src/synth/bundles.ts,
// src/common/code-cache.ts): a first run writes the caches, the next ones read them and write nothing, and
// every run writes the same manifests and reports the same findings as a run without caches. The CEL engine
// (lib/vendor/cel.js) is loaded, and so cached, only by a validation that needs it: the task app's CRD rules
// are all decided by the fast path (src/validator/cel-fast.ts).

const ROOT = path.resolve(__dirname, '../../..');
let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-bundles-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function synth(out: string, env: Record<string, string>, args: readonly string[] = ['--each-file']) {
  const r = spawnSync(process.execPath, ['scripts/synth.js', '--out', out, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  const files = Object.fromEntries(fs.readdirSync(out).sort().map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
  return { status: r.status, report: r.stderr.split(`${out}/`).join('OUT/'), files };
}

/**
 * Three runs of synth with `args` sharing one cache folder: without caches, then a first run that writes them and
 * a second that reads them. Checks what every such sequence must show: the run without caches writes none, the
 * second run rewrites none, and all three write the same manifests and report. Returns the caches the first wrote.
 */
function synthThrice(args?: readonly string[]) {
  const cache = path.join(work, 'cache');
  const caches = () => (fs.existsSync(cache) ? fs.readdirSync(cache).sort() : []);
  const plain = synth(path.join(work, 'plain'), { NODE_DISABLE_COMPILE_CACHE: '1', CDK8S_ISTIO_EGRESS_CODE_CACHE: cache }, args);
  expect(plain.status).toBe(0);
  expect(caches()).toEqual([]);
  const first = synth(path.join(work, 'first'), { CDK8S_ISTIO_EGRESS_CODE_CACHE: cache }, args);
  const written = caches();
  const bytes = written.map((f) => fs.readFileSync(path.join(cache, f)));
  const second = synth(path.join(work, 'second'), { CDK8S_ISTIO_EGRESS_CODE_CACHE: cache }, args);
  expect(caches()).toEqual(written);
  caches().forEach((f, i) => expect(fs.readFileSync(path.join(cache, f)).equals(bytes[i])).toBe(true)); // the second run wrote none
  for (const r of [first, second]) {
    expect(r.status).toBe(0);
    expect(r.files).toEqual(plain.files);
    expect(r.report).toEqual(plain.report);
  }
  return { cache, written, files: plain.files };
}

test('npm run synth writes the code caches of the library\'s and the validator\'s bundles once, then reads them; the output is that of a run without them', () => {
  // GIVEN a run with the caches turned off; WHEN a first run with caches writes them, and a second run reads them
  const { cache, written } = synthThrice();
  // THEN: one cache each for the library's and the validator's bundle (none for the CEL engine, which the task
  // app's validation does not load), in a private folder
  expect(written).toEqual([expect.stringMatching(/^bundle-[0-9a-f]{16}-[0-9a-f]{32}\.v8$/), expect.stringMatching(/^bundle-[0-9a-f]{16}-[0-9a-f]{32}\.v8$/)]);
  expect(fs.statSync(cache).mode & 0o777).toBe(0o700);
});

test('a validation that needs the CEL engine writes its cache once, and reads it afterwards', () => {
  // GIVEN an app with a Telemetry whose access-log filter the validator parses with @bufbuild/cel
  // WHEN it is synthesized without caches, then twice with them
  const { written, files } = synthThrice(['--app', path.join(ROOT, 'test/fixtures/apps/access-log-filter.ts')]);
  // THEN the CEL engine has a cache of its own beside the two bundles', which the second run left as it was
  expect(written).toEqual([expect.stringMatching(/^bundle-/), expect.stringMatching(/^bundle-/), expect.stringMatching(/^cel-[0-9a-f]{16}-[0-9a-f]{32}\.v8$/)]);
  expect(Object.keys(files)).toContain('logged.k8s.yaml');
});

test('each bundle exports what its entry point exports', () => {
  // GIVEN the compiled entry points and their bundles, each in a fresh process (one copy of each)
  const keys = (file: string) => JSON.parse(spawnSync(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(file)})).sort()))`], { cwd: ROOT, encoding: 'utf8' }).stdout);
  for (const [entry, bundle] of [['lib/src/index.js', 'lib/src/bundle.js'], ['lib/src/validator/index.js', 'lib/src/validator/bundle.js']]) {
    const expected = keys(path.join(ROOT, entry));
    // THEN
    expect(expected.length).toBeGreaterThan(10);
    expect(keys(path.join(ROOT, bundle))).toEqual(expected);
  }
});
