import { ChildProcess, execFileSync, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { fingerprint, listing, makeSandbox, rebuildSandboxApp } from '../support/synth-sandbox';

// scripts/synth.js run as a child process in a copy of the repository (never on the repository itself).

const ROOT = path.resolve(__dirname, '../..');
const WORK = '.cdk8s-istio-egress-synth';
const OLD_APP = 'test/fixtures/apps/two-charts.ts'; // one.k8s.yaml, two.k8s.yaml
const NEW_APP = 'test/fixtures/apps/two-charts-changed.ts'; // one.k8s.yaml (changed), three.k8s.yaml

jest.setTimeout(240_000);

let tmp: string;
let repo: string;

function synth(args: string[], opts: { cwd?: string; env?: Record<string, string>; honorPermissions?: boolean } = {}): SpawnSyncReturns<string> {
  const { DEBUG: _debug, CDK8S_ISTIO_EGRESS_SYNTH_PAUSE: _pause, ...env } = process.env;
  const command = [process.execPath, path.join(repo, 'scripts/synth.js'), ...args];
  // root ignores file permissions: drop the capabilities that let it (setpriv, util-linux), staying root, so
  // that the clone stays readable even inside a private (0700) folder, as CI systems make them
  const caps = ['-dac_override,-dac_read_search'];
  const argv = opts.honorPermissions && process.getuid?.() === 0 ? ['setpriv', '--bounding-set', ...caps, '--inh-caps', ...caps, '--', ...command] : command;
  return spawnSync(argv[0], argv.slice(1), { cwd: opts.cwd ?? repo, encoding: 'utf8', timeout: 60_000, env: { ...env, ...opts.env } });
}

/** Starts synth paused at `step`; resolves once it is there. */
function pausedAt(args: string[], step: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(repo, 'scripts/synth.js'), ...args], {
    cwd: repo, env: { ...process.env, CDK8S_ISTIO_EGRESS_SYNTH_PAUSE: step }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes(`synth: paused at step ${step}\n`)) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`synth exited (${code}) before step ${step}:\n${err}`)));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-safety-'));
  fs.chmodSync(tmp, 0o755); // readable by the unprivileged user of the read-only test
  repo = makeSandbox(path.join(tmp, 'repo'));
});
afterAll(() => {
  if (tmp) {
    execFileSync('chmod', ['-R', 'u+w', tmp]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

describe('usage', () => {
  test('--help prints the usage and exits 0', () => {
    const r = synth(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run synth/);
    expect(r.stdout).toMatch(/--out DIR/);
    expect(r.stdout).toMatch(/--app FILE/);
    expect(r.stdout).toMatch(/--no-validate/);
  });

  test.each([['--bogus'], ['--out'], ['dist'], ['--no-validate=yes']])('fails when given %s: usage and exit 2', (arg) => {
    const before = fingerprint(repo);
    const r = synth([arg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: (unknown option "--bogus"|--out needs a value|unexpected argument "dist"|--no-validate takes no value)\n\nusage: npm run synth/);
    expect(fingerprint(repo)).toEqual(before);
  });
});

describe('refuses a folder synth did not write, touching nothing', () => {
  test.each([
    ['.', /refusing to write to \.\/: it is the repository root\. Nothing was changed\./],
    ['src', /refusing to write to src\/: it is or is inside src\/, the library's source/],
    ['src/dist', /refusing to write to src\/dist\/: it is or is inside src\//],
    ['..', /refusing to write to \.\.\/: it is an ancestor of the repository root/],
    ['/', /refusing to write to \/: it is an ancestor of the repository root/],
    ['scripts', /refusing to write to scripts\/: it holds app\.js \(file\), .* which synth did not write/],
    ['.git/dist', /refusing to write to \.git\/dist\/: it is inside a \.git folder/],
  ])('fails when --out is %s', (out, message) => {
    // GIVEN the state of the whole copy (and of the folder above it)
    const before = fingerprint(tmp);
    // WHEN
    const r = synth(['--out', out]);
    // THEN
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(fingerprint(tmp)).toEqual(before);
  });

  test('fails when --out is an ancestor of the working directory', () => {
    // GIVEN a working directory outside the repository
    const cwd = path.join(tmp, 'elsewhere', 'deeper');
    fs.mkdirSync(cwd, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'elsewhere', 'keep.txt'), 'mine\n');
    const before = fingerprint(tmp);
    // WHEN
    const r = synth(['--out', '..'], { cwd });
    // THEN
    expect(r.stderr).toMatch(/refusing to write to \.\.\/: it is an ancestor of the working directory/);
    expect(r.status).toBe(2);
    expect(fingerprint(tmp)).toEqual(before);
    // AND the working directory itself
    expect(synth(['--out', '.'], { cwd }).stderr).toMatch(/refusing to write to \.\/: it is the working directory/);
  });

  test.each([
    ['a .git folder', (d: string) => fs.mkdirSync(path.join(d, '.git')), /it holds \.git\/ \(folder\), which synth did not write/],
    ['an unrelated file', (d: string) => fs.writeFileSync(path.join(d, 'notes.txt'), 'x'), /it holds notes\.txt \(file\)/],
    ['a subfolder', (d: string) => fs.mkdirSync(path.join(d, 'base')), /it holds base\/ \(folder\)/],
    ['a link named like a manifest', (d: string) => fs.symlinkSync('/etc/hostname', path.join(d, 'x.k8s.yaml')), /it holds x\.k8s\.yaml \(symbolic link\)/],
  ])('fails when the folder holds %s beside manifests', (_what, add, message) => {
    // GIVEN a folder of manifests with something else in it
    const out = path.join(tmp, 'mixed');
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.k8s.yaml'), 'kind: ConfigMap\n');
    add(out);
    const before = fingerprint(out);
    // WHEN
    const r = synth(['--out', out]);
    // THEN
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Nothing was changed\./);
    expect(r.status).toBe(2);
    expect(fingerprint(out)).toEqual(before);
  });

  test('fails when --out is a file', () => {
    const file = path.join(tmp, 'a-file.k8s.yaml');
    fs.writeFileSync(file, 'kind: ConfigMap\n');
    const r = synth(['--out', file]);
    expect(r.stderr).toMatch(/refusing to write to .*a-file\.k8s\.yaml\/: it is not a folder\. Nothing was changed\./);
    expect(r.status).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toBe('kind: ConfigMap\n');
  });

  test('fails fast, without reading it, when a FIFO is named like a manifest', () => {
    // GIVEN a previous output holding a FIFO named x.k8s.yaml
    const out = path.join(tmp, 'fifo');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'a.k8s.yaml'), 'kind: ConfigMap\n');
    execFileSync('mkfifo', [path.join(out, 'x.k8s.yaml')]);
    // WHEN
    const t0 = Date.now();
    const r = synth(['--out', out]);
    // THEN it does not hang on the FIFO
    expect(r.signal).toBeNull();
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.stderr).toMatch(/it holds x\.k8s\.yaml \(FIFO\), which synth did not write/);
    expect(r.status).toBe(2);
    expect(fs.lstatSync(path.join(out, 'x.k8s.yaml')).isFIFO()).toBe(true);
  });
});

describe('writes', () => {
  test('creates a missing folder, with its parents', () => {
    const out = path.join(tmp, 'new', 'deep', 'dist');
    const r = synth(['--out', out, '--app', OLD_APP]);
    expect(r.stderr).toMatch(/synthesized 2 file\(s\) into .*new\/deep\/dist\//);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['one.k8s.yaml', 'two.k8s.yaml']);
  });

  test('replaces a folder of manifests and removes the stale ones (and cdk8s\'s construct-metadata.json)', () => {
    // GIVEN an output of cdk8s synth
    const out = path.join(tmp, 'replace');
    expect(synth(['--out', out, '--app', OLD_APP]).status).toBe(0);
    fs.writeFileSync(path.join(out, 'construct-metadata.json'), '{}');
    // WHEN
    const r = synth(['--out', out, '--app', NEW_APP]);
    // THEN
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/synthesized 2 file\(s\) into .*replace\/; removed construct-metadata\.json, two\.k8s\.yaml/);
    expect(fs.readdirSync(out)).toEqual(['one.k8s.yaml', 'three.k8s.yaml']);
    expect(listing(out)['one.k8s.yaml']).toMatch(/c\.example\.com/);
  });

  test('fails when another synth is writing the folder, and leaves it to that one', async () => {
    // GIVEN a synth holding the lock
    const out = path.join(tmp, 'locked');
    const first = await pausedAt(['--out', out, '--app', OLD_APP], 'locked');
    try {
      // WHEN another one starts
      const r = synth(['--out', out, '--app', NEW_APP]);
      // THEN
      expect(r.stderr).toMatch(new RegExp(`error: another synth \\(pid ${first.pid}\\) is writing .*locked/ right now; .*locked/ was not changed by this run`));
      expect(r.status).toBe(1);
    } finally {
      await kill9(first);
    }
    // AND once the first is gone (killed), the next run takes the lock over
    expect(synth(['--out', out, '--app', NEW_APP]).status).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['one.k8s.yaml', 'three.k8s.yaml']);
  });

  test('fails when the folder is read-only, and says it was not changed', () => {
    // GIVEN a previous output, and warm bundle caches (the run below cannot write them)
    const out = path.join(tmp, 'readonly');
    expect(synth(['--out', out, '--app', OLD_APP]).status).toBe(0);
    expect(synth(['--out', path.join(tmp, 'warm'), '--app', NEW_APP]).status).toBe(0);
    const before = fingerprint(out);
    fs.chmodSync(out, 0o555);
    // WHEN (as root without the capabilities that ignore permissions)
    const r = synth(['--out', out, '--app', NEW_APP], { honorPermissions: true });
    // THEN
    expect(r.stderr).toMatch(/error: could not write .*readonly\/ \(EACCES: permission denied, mkdir .*\); its files were not changed/);
    expect(r.stderr).not.toMatch(/synthesized/);
    expect(r.status).toBe(1);
    expect(fingerprint(out)).toEqual(before);
  });
});

describe('kill -9 at every step of the swap', () => {
  const STEPS = [
    'synthesized', 'locked', 'staged:one.k8s.yaml', 'staged:three.k8s.yaml', 'committed',
    'installed:one.k8s.yaml', 'installed:three.k8s.yaml', 'removed:two.k8s.yaml', 'applied',
  ];
  let oldFiles: Record<string, string>;
  let newFiles: Record<string, string>;

  beforeAll(() => {
    const a = path.join(tmp, 'reference-old');
    const b = path.join(tmp, 'reference-new');
    expect(synth(['--out', a, '--app', OLD_APP]).status).toBe(0);
    expect(synth(['--out', b, '--app', NEW_APP]).status).toBe(0);
    oldFiles = listing(a);
    newFiles = listing(b);
    expect(Object.keys(oldFiles)).toEqual(['one.k8s.yaml', 'two.k8s.yaml']);
    expect(Object.keys(newFiles)).toEqual(['one.k8s.yaml', 'three.k8s.yaml']);
  });

  /** The folder exists; each manifest in it is the old or the new version of that file, complete. */
  function expectOldOrNew(out: string) {
    expect(fs.statSync(out).isDirectory()).toBe(true);
    for (const [name, text] of Object.entries(listing(out))) {
      expect([oldFiles[name], newFiles[name]]).toContain(text);
      expect(YAML.parseAllDocuments(text).every((d) => d.errors.length === 0)).toBe(true);
    }
  }

  test('the steps are these, in this order', () => {
    const out = path.join(tmp, 'trace');
    fs.cpSync(path.join(tmp, 'reference-old'), out, { recursive: true });
    const r = synth(['--out', out, '--app', NEW_APP], { env: { CDK8S_ISTIO_EGRESS_SYNTH_TRACE: '1' } });
    expect(r.status).toBe(0);
    expect([...r.stderr.matchAll(/^synth: step (.*)$/gm)].map((m) => m[1])).toEqual(STEPS);
  });

  test.each(STEPS)('killed at %s: the folder holds old or new files; the next run finishes and cleans up', async (step) => {
    // GIVEN the old output
    const out = path.join(tmp, `kill-${step.replace(/[^a-z0-9]/gi, '-')}`);
    fs.cpSync(path.join(tmp, 'reference-old'), out, { recursive: true });
    // WHEN synth of the new app is killed at the step
    await kill9(await pausedAt(['--out', out, '--app', NEW_APP], step));
    // THEN
    expectOldOrNew(out);
    const committed = STEPS.indexOf(step) >= STEPS.indexOf('committed');
    if (!committed) expect(listing(out)).toEqual(oldFiles);
    // WHEN the next run starts, for an app that fails: the interrupted update is still finished
    const failing = synth(['--out', out, '--app', 'test/fixtures/apps/bad-props.ts']);
    expect(failing.status).toBe(1);
    if (committed && step !== 'applied') expect(failing.stderr).toMatch(/finished the update of .* that an interrupted synth \(pid \d+\) had begun/);
    if (step.startsWith('staged:')) expect(failing.stderr).toMatch(/discarded \d file\(s\) staged by an interrupted synth that had not started to change/);
    expect(fs.existsSync(path.join(out, WORK))).toBe(false);
    expect(listing(out)).toEqual(committed ? newFiles : oldFiles);
    // AND a run to the end writes the new output
    expect(synth(['--out', out, '--app', NEW_APP]).status).toBe(0);
    expect(listing(out)).toEqual(newFiles);
  });

  test('killed again while finishing an interrupted update: the run after that finishes it', async () => {
    // GIVEN a run killed after its first rename
    const out = path.join(tmp, 'kill-twice');
    fs.cpSync(path.join(tmp, 'reference-old'), out, { recursive: true });
    await kill9(await pausedAt(['--out', out, '--app', NEW_APP], 'installed:one.k8s.yaml'));
    // WHEN the next run is killed while it finishes that update
    await kill9(await pausedAt(['--out', out, '--app', OLD_APP], 'recover-installed:three.k8s.yaml'));
    expectOldOrNew(out);
    // THEN the run after that finishes it, then writes its own output
    const r = synth(['--out', out, '--app', OLD_APP]);
    expect(r.stderr).toMatch(/finished the update/);
    expect(r.status).toBe(0);
    expect(listing(out)).toEqual(oldFiles);
  });

  test.each(['locked', 'staged:one.k8s.yaml', 'installed:one.k8s.yaml', 'applied'])(
    'one file to replace (no journal), killed at %s: the file is old or new; the next run cleans up', async (step) => {
      // GIVEN a folder holding one manifest
      const out = path.join(tmp, `single-${step.replace(/[^a-z0-9]/gi, '-')}`);
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(out, 'one.k8s.yaml'), newFiles['one.k8s.yaml']);
      const trace = synth(['--out', path.join(tmp, `single-trace-${step.replace(/[^a-z0-9]/gi, '-')}`), '--app', 'test/fixtures/apps/one-chart.ts'],
        { env: { CDK8S_ISTIO_EGRESS_SYNTH_TRACE: '1' } });
      expect([...trace.stderr.matchAll(/^synth: step (.*)$/gm)].map((m) => m[1])).toEqual(['synthesized', 'locked', 'staged:one.k8s.yaml', 'installed:one.k8s.yaml', 'applied']);
      // WHEN synth of an app that writes another one.k8s.yaml is killed at the step
      await kill9(await pausedAt(['--out', out, '--app', 'test/fixtures/apps/one-chart.ts'], step));
      // THEN
      const text = listing(out)['one.k8s.yaml'];
      expect([newFiles['one.k8s.yaml'], oldFiles['one.k8s.yaml']]).toContain(text);
      expect(Object.keys(listing(out))).toEqual(['one.k8s.yaml']);
      // AND the next run cleans up
      expect(synth(['--out', out, '--app', 'test/fixtures/apps/one-chart.ts']).status).toBe(0);
      expect(listing(out)).toEqual({ 'one.k8s.yaml': oldFiles['one.k8s.yaml'] });
      expect(fs.existsSync(path.join(out, WORK))).toBe(false);
    });

  test('git ignores the work folder of an interrupted run', () => {
    const r = spawnSync('git', ['check-ignore', '--no-index', `dist/${WORK}/journal.json`, `dist/${WORK}/one.k8s.yaml.new`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual([`dist/${WORK}/journal.json`, `dist/${WORK}/one.k8s.yaml.new`]);
  });
});

describe('scripts/app.js (the app cdk8s synth runs)', () => {
  test('fails when props are bad: one line, no stack trace; DEBUG adds it', () => {
    // GIVEN a copy whose main chart has a bad host
    const bad = makeSandbox(path.join(tmp, 'bad-main'));
    const main = path.join(bad, 'app/main.ts');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace("host: 'edition.cnn.com'", "host: 'https://edition.cnn.com/politics'"));
    rebuildSandboxApp(bad);
    const out = path.join(tmp, 'app-out');
    const run = (env: Record<string, string>) => spawnSync(process.execPath, ['scripts/app.js'], {
      cwd: bad, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: out, ...env },
    });
    // WHEN
    const r = run({ DEBUG: '' });
    // THEN
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: egress-tls-origination\/edition-cnn-com: 'host' must be a host name, not a URL.*\(got "https:\/\/edition\.cnn\.com\/politics"\)\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    // WHEN debugging
    const d = run({ DEBUG: '1' });
    expect(d.status).toBe(1);
    expect(d.stderr).toMatch(/\n +at .*lib\/src\/sidecar\/egress-tls-origination\.js:\d+/); // the stack of the compiled code users run
  });
});
