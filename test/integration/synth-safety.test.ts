import { ChildProcess, execFileSync, spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { createHash } from 'crypto';
import { fingerprint, listing, makeSandbox, rebuildSandboxApp } from '../support/synth-sandbox';

// scripts/synth.js run as a child process in a copy of the repository (never on the repository itself).

const ROOT = path.resolve(__dirname, '../..');
const WORK = '.cdk8s-istio-egress-synth';
const RECORD = '.cdk8s-istio-egress.sha256';
const LOCK = '.cdk8s-istio-egress.lock';
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

/** Starts synth paused at `step`; resolves once it is there. With `resume`, it goes on once that file exists. */
function pausedAt(args: string[], step: string, resume?: string): Promise<ChildProcess> {
  const env: Record<string, string | undefined> = { ...process.env, CDK8S_ISTIO_EGRESS_SYNTH_PAUSE: step, CDK8S_ISTIO_EGRESS_SYNTH_RESUME: resume };
  if (!resume) delete env.CDK8S_ISTIO_EGRESS_SYNTH_RESUME;
  const child = spawn(process.execPath, [path.join(repo, 'scripts/synth.js'), ...args], { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes(`synth: paused at step ${step}\n`)) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`synth exited (${code}) before step ${step}:\n${err}`)));
  });
}

/** Lets a synth paused with `resume` go on; resolves to its exit code and stderr. */
function resumed(child: ChildProcess, resume: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    let stderr = '';
    child.stderr!.removeAllListeners('data');
    child.stderr!.on('data', (d) => { stderr += d; });
    child.removeAllListeners('exit');
    child.on('exit', (status) => resolve({ status, stderr }));
    fs.writeFileSync(resume, '');
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
    expect(fs.readdirSync(out)).toEqual([RECORD, 'one.k8s.yaml', 'two.k8s.yaml']);
  });

  test('replaces a folder of manifests and removes the stale ones; cdk8s\'s construct-metadata.json, which it did not write, only with --adopt', () => {
    // GIVEN an output of synth, and a construct-metadata.json of a cdk8s synth
    const out = path.join(tmp, 'replace');
    expect(synth(['--out', out, '--app', OLD_APP]).status).toBe(0);
    fs.writeFileSync(path.join(out, 'construct-metadata.json'), '{}');
    // WHEN
    const r = synth(['--out', out, '--app', NEW_APP]);
    // THEN its own stale file goes; the file it did not write stays
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/note: left construct-metadata\.json in .*replace\/ alone: synth did not write it\nsynthesized 2 file\(s\) into .*replace\/; removed two\.k8s\.yaml\n$/);
    expect(fs.readdirSync(out)).toEqual([RECORD, 'construct-metadata.json', 'one.k8s.yaml', 'three.k8s.yaml']);
    expect(listing(out)['one.k8s.yaml']).toMatch(/c\.example\.com/);
    // AND --adopt takes it over (and removes it: the app does not write it)
    const adopt = synth(['--out', out, '--app', NEW_APP, '--adopt']);
    expect(adopt.stderr).toMatch(/took over construct-metadata\.json \(--adopt\)\nsynthesized 2 file\(s\) into .*replace\/; removed construct-metadata\.json\n$/);
    expect(fs.readdirSync(out)).toEqual([RECORD, 'one.k8s.yaml', 'three.k8s.yaml']);
  });

  test('fails when --out is a folder of another work tree holding hand-written manifests: nothing changed, --adopt named', () => {
    // GIVEN another git work tree whose deploy/ holds manifests written by hand (synth has no record of them)
    const other = path.join(tmp, 'other-tree');
    fs.mkdirSync(path.join(other, '.git'), { recursive: true });
    fs.mkdirSync(path.join(other, 'deploy'));
    fs.writeFileSync(path.join(other, 'deploy', 'one.k8s.yaml'), 'kind: ConfigMap # mine\n');
    fs.writeFileSync(path.join(other, 'deploy', 'db.k8s.yaml'), 'kind: ConfigMap # mine too\n');
    const before = fingerprint(other);
    // WHEN
    const r = synth(['--out', path.join(other, 'deploy'), '--app', OLD_APP]);
    // THEN
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: refusing to write to .*other-tree\/deploy\/: this run would replace one\.k8s\.yaml \(synth has no record of writing it\); it holds db\.k8s\.yaml, which this run does not write, and no \.cdk8s-istio-egress\.sha256/m);
    expect(r.stderr).toMatch(/Nothing was changed\. If every manifest in .* is generated and may be replaced or removed, run synth again with --adopt; otherwise move those files away or choose another --out\n$/);
    expect(fingerprint(other)).toEqual(before);
  });

  test('fails when the app writes a private key, saying why and how to opt in; --allow-private-keys writes it with a warning', () => {
    const out = path.join(tmp, 'keys');
    const r = synth(['--out', out, '--app', 'test/fixtures/apps/private-key.ts']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: refusing to write a private key into .*keys\/: Secret shop\/client-credential \(data\.tls\.key\) in keys\.k8s\.yaml\. Files in an output folder end up in git/m);
    expect(r.stderr).toMatch(/run synth with --allow-private-keys\. .*keys\/ was left untouched\n$/);
    expect(r.stderr).not.toMatch(/PRIVATE KEY|[A-Za-z0-9+/]{40}/);
    expect(fs.existsSync(out)).toBe(false);
    const allowed = synth(['--out', out, '--app', 'test/fixtures/apps/private-key.ts', '--allow-private-keys']);
    expect(allowed.stderr).toMatch(/warning: writing 1 private key\(s\) into .*keys\/ \(--allow-private-keys\): never commit these files/);
    expect(allowed.status).toBe(0);
    expect(fs.readdirSync(out)).toEqual([RECORD, 'keys.k8s.yaml']);
  });

  test('prints paths escaped: a newline in --out stays on one line', () => {
    const out = path.join(tmp, 'nl\nerror: forged');
    const r = synth(['--out', out, '--app', OLD_APP]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^synthesized 2 file\(s\) into ".*nl\\nerror: forged\/"\n$/m);
    expect(r.stderr).not.toMatch(/^error: forged/m);
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
    expect(fs.readdirSync(out)).toEqual([RECORD, 'one.k8s.yaml', 'three.k8s.yaml']);
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
    expect(r.stderr).toMatch(/error: could not write .*readonly\/ \(EACCES: permission denied, open .*readonly\/\.cdk8s-istio-egress\.lock'\); its files were not changed/);
    expect(r.stderr).not.toMatch(/synthesized/);
    expect(r.status).toBe(1);
    expect(fingerprint(out)).toEqual(before);
  });
});

describe('kill -9 at every step of the swap', () => {
  const STEPS = [
    'synthesized', 'locked', 'staged:one.k8s.yaml', 'staged:three.k8s.yaml', `staged:${RECORD}`, 'committed',
    'installed:one.k8s.yaml', 'installed:three.k8s.yaml', 'removed:two.k8s.yaml', `installed:${RECORD}`, 'applied',
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
    expect(Object.keys(oldFiles)).toEqual([RECORD, 'one.k8s.yaml', 'two.k8s.yaml']);
    expect(Object.keys(newFiles)).toEqual([RECORD, 'one.k8s.yaml', 'three.k8s.yaml']);
  });

  /** The files of the folder but the lock a killed synth leaves (the next run takes it over). */
  const files = (out: string) => {
    const { [LOCK]: _lock, ...rest } = listing(out);
    return rest;
  };

  /** The folder exists; each manifest in it (and the record) is the old or the new version of that file, complete. */
  function expectOldOrNew(out: string) {
    expect(fs.statSync(out).isDirectory()).toBe(true);
    for (const [name, text] of Object.entries(files(out))) {
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
    if (!committed) expect(files(out)).toEqual(oldFiles);
    // WHEN the next run starts, for an app that fails: the interrupted update is still finished
    const failing = synth(['--out', out, '--app', 'test/fixtures/apps/bad-props.ts']);
    expect(failing.status).toBe(1);
    if (committed && step !== 'applied') expect(failing.stderr).toMatch(/finished the update of .* that an interrupted synth \(pid \d+\) had begun/);
    if (step.startsWith('staged:')) expect(failing.stderr).toMatch(/discarded \d file\(s\) staged by an interrupted synth that had not started to change/);
    expect(fs.existsSync(path.join(out, WORK))).toBe(false);
    expect(fs.existsSync(path.join(out, LOCK))).toBe(false);
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
    'one file to replace, killed at %s: the file is old or new; the next run cleans up', async (step) => {
      // GIVEN a folder holding one manifest synth wrote (with its record)
      const out = path.join(tmp, `single-${step.replace(/[^a-z0-9]/gi, '-')}`);
      fs.mkdirSync(out);
      fs.writeFileSync(path.join(out, 'one.k8s.yaml'), newFiles['one.k8s.yaml']);
      fs.writeFileSync(path.join(out, RECORD), `${createHash('sha256').update(newFiles['one.k8s.yaml']).digest('hex')}  one.k8s.yaml\n`);
      const trace = synth(['--out', path.join(tmp, `single-trace-${step.replace(/[^a-z0-9]/gi, '-')}`), '--app', 'test/fixtures/apps/one-chart.ts'],
        { env: { CDK8S_ISTIO_EGRESS_SYNTH_TRACE: '1' } });
      // the record changes with the file: two renames, so a commit too
      expect([...trace.stderr.matchAll(/^synth: step (.*)$/gm)].map((m) => m[1])).toEqual([
        'synthesized', 'locked', 'staged:one.k8s.yaml', `staged:${RECORD}`, 'committed', 'installed:one.k8s.yaml', `installed:${RECORD}`, 'applied',
      ]);
      // WHEN synth of an app that writes another one.k8s.yaml is killed at the step
      await kill9(await pausedAt(['--out', out, '--app', 'test/fixtures/apps/one-chart.ts'], step));
      // THEN
      const text = listing(out)['one.k8s.yaml'];
      expect([newFiles['one.k8s.yaml'], oldFiles['one.k8s.yaml']]).toContain(text);
      expect(Object.keys(files(out))).toEqual([RECORD, 'one.k8s.yaml']);
      // AND the next run cleans up
      expect(synth(['--out', out, '--app', 'test/fixtures/apps/one-chart.ts']).status).toBe(0);
      expect(files(out)).toEqual({ [RECORD]: `${createHash('sha256').update(oldFiles['one.k8s.yaml']).digest('hex')}  one.k8s.yaml\n`, 'one.k8s.yaml': oldFiles['one.k8s.yaml'] });
      expect(fs.existsSync(path.join(out, WORK))).toBe(false);
      expect(fs.existsSync(path.join(out, LOCK))).toBe(false);
    });

  test('git ignores the work folder of an interrupted run', () => {
    const paths = [`dist/${WORK}/commit.json`, `dist/${WORK}/one.k8s.yaml.new`, `dist/${LOCK}`, `elsewhere/${LOCK}`];
    const r = spawnSync('git', ['check-ignore', '--no-index', ...paths], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout.trim().split('\n')).toEqual(paths);
  });
});

describe('never follows a link for removal', () => {
  test('the work folder replaced by a link to a populated folder once synth holds the lock: the target is untouched, the message true', async () => {
    // GIVEN an output synth wrote, and a folder with five entries and a subfolder
    const out = path.join(tmp, 'swap');
    expect(synth(['--out', out, '--app', OLD_APP]).status).toBe(0);
    const target = path.join(tmp, 'swap-target');
    fs.mkdirSync(path.join(target, 'sub'), { recursive: true });
    for (const f of ['one.k8s.yaml.new', 'two.k8s.yaml', 'journal.json', 'commit.json', 'sub/keep.txt']) fs.writeFileSync(path.join(target, f), `mine: ${f}\n`);
    const before = { target: fingerprint(target), out: listing(out) };
    // WHEN synth is held once it has checked the folder and taken the lock, and the work folder becomes a link
    const resume = path.join(tmp, 'swap-resume');
    const child = await pausedAt(['--out', out, '--app', NEW_APP], 'locked', resume);
    const work = path.join(out, WORK);
    if (fs.existsSync(work)) fs.renameSync(work, path.join(tmp, 'swap-moved'));
    fs.symlinkSync(target, work);
    const r = await resumed(child, resume);
    // THEN
    expect(r.stderr).toMatch(/error: refusing to write to .*swap\/: .*swap\/\.cdk8s-istio-egress-synth is a symbolic link, not the folder synth makes; synth never follows or removes it: remove it yourself\. Nothing was changed\./);
    expect(r.status).toBe(2);
    expect(fingerprint(target)).toEqual(before.target);
    expect(files(out)).toEqual(before.out);
  });

  /** The regular files of a folder but the lock. */
  const files = (out: string) => Object.fromEntries(fs.readdirSync(out).filter((f) => f !== LOCK && fs.lstatSync(path.join(out, f)).isFile()).sort()
    .map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
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
