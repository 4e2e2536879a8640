import { spawn, ChildProcess } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LOCK, onStep, OutFolderError, quote, RECORD, recoverIfInterrupted, showPath, WORK, writeOutFolder } from '../../src/synth/out-folder';
import { fingerprint } from '../support/synth-sandbox';

// The output folder's guarantees (src/synth/out-folder.ts), in process: a step hook swaps folders and
// simulates kills where the process-level tests (test/integration/synth-safety.test.ts) cannot reach.

let tmp: string;
let n = 0;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'out-folder-'));
});
afterEach(() => {
  onStep(undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
});

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const files = (o: Record<string, string>) => new Map(Object.entries(o));
/** A fresh output folder under tmp, holding `content` (files written by hand). */
function folder(content: Record<string, string> = {}): string {
  const dir = path.join(tmp, `out-${n++}`);
  fs.mkdirSync(dir);
  for (const [f, text] of Object.entries(content)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}
/** The error writeOutFolder throws. */
function failure(fn: () => unknown): OutFolderError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OutFolderError) return err;
    throw err;
  }
  throw new Error('expected an OutFolderError');
}
/** name -> content of the regular files of a folder. */
const read = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().filter((f) => fs.lstatSync(path.join(dir, f)).isFile())
  .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

/** A populated folder an attacker points a link at: five entries and a subfolder, named like synth's own files. */
function victim(): string {
  const dir = path.join(tmp, `victim-${n++}`);
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  for (const f of ['one.k8s.yaml.new', 'two.k8s.yaml', 'commit.json', 'notes.txt', 'sub/keep.txt']) fs.writeFileSync(path.join(dir, f), `mine: ${f}\n`);
  return dir;
}

describe('synth owns what it wrote, and only that', () => {
  test('records the files it writes, by name and sha256, in sha256sum format', () => {
    const out = folder();
    const r = writeOutFolder(out, files({ 'b.k8s.yaml': 'kind: B\n', 'a.k8s.yaml': 'kind: A\n' }));
    expect(r.written).toEqual(['a.k8s.yaml', 'b.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, RECORD), 'utf8')).toBe(`${sha('kind: A\n')}  a.k8s.yaml\n${sha('kind: B\n')}  b.k8s.yaml\n`);
    expect(fs.readdirSync(out).sort()).toEqual([RECORD, 'a.k8s.yaml', 'b.k8s.yaml']);
  });

  test('leaves alone a hand-written manifest in a folder it wrote, and removes its own stale files', () => {
    // GIVEN a folder synth wrote, and a manifest written by hand beside its files
    const out = folder();
    writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n', 'b.k8s.yaml': 'kind: B\n' }));
    fs.writeFileSync(path.join(out, 'hand.k8s.yaml'), 'kind: Mine\n');
    // WHEN the app no longer writes b
    const r = writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A2\n' }));
    // THEN
    expect(r.removed).toEqual(['b.k8s.yaml']);
    expect(r.leftAlone).toEqual(['hand.k8s.yaml']);
    expect(read(out)).toEqual({ [RECORD]: `${sha('kind: A2\n')}  a.k8s.yaml\n`, 'a.k8s.yaml': 'kind: A2\n', 'hand.k8s.yaml': 'kind: Mine\n' });
  });

  test('fails when a file it would write exists and synth did not write it (another work tree as --out), changing nothing', () => {
    // GIVEN a folder of hand-written manifests and no record
    const out = folder({ 'a.k8s.yaml': 'kind: Mine\n', 'b.k8s.yaml': 'kind: AlsoMine\n' });
    const before = fingerprint(out);
    // WHEN
    const e = failure(() => writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' })));
    // THEN
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^refusing to write to .*: this run would replace a\.k8s\.yaml \(synth has no record of writing it\); it holds b\.k8s\.yaml, which this run does not write, and no \.cdk8s-istio-egress\.sha256 \(synth's record of the files it wrote\)/);
    expect(e.message).toMatch(/Nothing was changed\. If every manifest in .* is generated and may be replaced or removed, run synth again with --adopt/);
    expect(fingerprint(out)).toEqual(before);
  });

  test('fails when a recorded file was changed by hand and would be replaced; leaves it alone once the app no longer writes it', () => {
    const out = folder();
    writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n', 'b.k8s.yaml': 'kind: B\n' }));
    fs.writeFileSync(path.join(out, 'b.k8s.yaml'), 'kind: B\n# edited by hand\n');
    const before = fingerprint(out);
    const e = failure(() => writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n', 'b.k8s.yaml': 'kind: B2\n' })));
    expect(e.message).toMatch(/this run would replace b\.k8s\.yaml \(changed since synth wrote it\)/);
    expect(fingerprint(out)).toEqual(before);
    // WHEN the app stops writing b: the edited file is no longer synth's to remove
    const r = writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' }));
    expect(r.removed).toEqual([]);
    expect(r.leftAlone).toEqual(['b.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'b.k8s.yaml'), 'utf8')).toBe('kind: B\n# edited by hand\n');
    expect(fs.readFileSync(path.join(out, RECORD), 'utf8')).toBe(`${sha('kind: A\n')}  a.k8s.yaml\n`);
  });

  test('takes over, without asking, a file without record that holds exactly what it writes (a fresh clone of committed output)', () => {
    const out = folder({ 'a.k8s.yaml': 'kind: A\n' });
    const mtime = fs.statSync(path.join(out, 'a.k8s.yaml')).mtimeMs;
    const r = writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' }));
    expect(r.adopted).toEqual(['a.k8s.yaml']);
    expect(fs.statSync(path.join(out, 'a.k8s.yaml')).mtimeMs).toBe(mtime); // not rewritten
    expect(fs.readFileSync(path.join(out, RECORD), 'utf8')).toBe(`${sha('kind: A\n')}  a.k8s.yaml\n`);
  });

  test('adopt takes over every manifest without record: replaces the ones it writes, removes the others', () => {
    const out = folder({ 'a.k8s.yaml': 'kind: Old\n', 'stale.k8s.yaml': 'kind: Stale\n', 'construct-metadata.json': '{}' });
    const r = writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' }), { adopt: true });
    expect(r.adopted).toEqual(['a.k8s.yaml', 'construct-metadata.json', 'stale.k8s.yaml']);
    expect(r.removed).toEqual(['construct-metadata.json', 'stale.k8s.yaml']);
    expect(read(out)).toEqual({ [RECORD]: `${sha('kind: A\n')}  a.k8s.yaml\n`, 'a.k8s.yaml': 'kind: A\n' });
  });

  test('fails when the record is not one synth wrote', () => {
    const out = folder({ 'a.k8s.yaml': 'kind: A\n', [RECORD]: 'not a record\n' });
    const e = failure(() => writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' })));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/\.cdk8s-istio-egress\.sha256 is not a record synth wrote \(a line is not "<sha256> {2}<file name>"\)\. Nothing was changed\./);
  });

  test('does nothing, and makes no work folder, when every file is already what it writes', () => {
    const out = folder();
    writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' }));
    const steps: string[] = [];
    onStep((s) => steps.push(s));
    writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' }));
    expect(steps).toEqual(['locked', 'applied']);
  });
});

describe('never follows a link for removal (issue 14: a swapped work folder emptied its target)', () => {
  test('fails when the work folder is a symbolic link at recovery: its target is untouched and the message is true', () => {
    // GIVEN a folder synth wrote, and a link named like the work folder that appears once the folder was checked
    const out = folder();
    writeOutFolder(out, files({ 'one.k8s.yaml': 'kind: A\n', 'two.k8s.yaml': 'kind: B\n' }));
    const target = victim();
    const before = { target: fingerprint(target), out: read(out) };
    onStep((s) => {
      if (s === 'locked') fs.symlinkSync(target, path.join(out, WORK));
    });
    // WHEN
    const e = failure(() => writeOutFolder(out, files({ 'one.k8s.yaml': 'kind: A2\n' })));
    // THEN
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/\.cdk8s-istio-egress-synth is a symbolic link, not the folder synth makes; synth never follows or removes it: remove it yourself\. Nothing was changed\./);
    expect(fingerprint(target)).toEqual(before.target);
    expect(read(out)).toEqual(before.out);
  });

  test('fails when the work folder is replaced by a link while files are staged: nothing is removed through it', () => {
    const out = folder();
    writeOutFolder(out, files({ 'one.k8s.yaml': 'kind: A\n', 'two.k8s.yaml': 'kind: B\n' }));
    const target = victim();
    const before = { target: fingerprint(target), out: read(out) };
    onStep((s) => {
      if (s !== 'staged:one.k8s.yaml') return;
      fs.renameSync(path.join(out, WORK), path.join(tmp, 'moved-away'));
      fs.symlinkSync(target, path.join(out, WORK));
    });
    const e = failure(() => writeOutFolder(out, files({ 'one.k8s.yaml': 'kind: A2\n', 'three.k8s.yaml': 'kind: C\n' })));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/^synth stopped: .*\.cdk8s-istio-egress-synth was replaced \(by a symbolic link or another folder\) while synth ran; synth followed nothing and removed nothing through it\. .* was not changed\./);
    expect(fingerprint(target)).toEqual(before.target);
    expect(read(out)).toEqual(before.out);
  });

  test('when the work folder is replaced after the first rename, the message says what had changed', () => {
    const out = folder();
    writeOutFolder(out, files({ 'one.k8s.yaml': 'kind: A\n', 'two.k8s.yaml': 'kind: B\n' }));
    const target = victim();
    const before = fingerprint(target);
    onStep((s) => {
      if (s !== 'installed:one.k8s.yaml') return;
      fs.renameSync(path.join(out, WORK), path.join(tmp, 'moved-away'));
      fs.symlinkSync(target, path.join(out, WORK));
    });
    const e = failure(() => writeOutFolder(out, files({ 'one.k8s.yaml': 'kind: A2\n', 'three.k8s.yaml': 'kind: C\n' })));
    expect(e.message).toMatch(/removed nothing through it\. 1 file\(s\) of .* have their new content and 0 stale file\(s\) were removed; every file is complete, old or new\./);
    expect(fingerprint(target)).toEqual(before);
    expect(read(out)).toMatchObject({ 'one.k8s.yaml': 'kind: A2\n', 'two.k8s.yaml': 'kind: B\n' });
  });

  test('when the output folder itself is replaced by a link mid-run, no stale file is removed through it', () => {
    const parent = path.join(tmp, 'p');
    fs.mkdirSync(parent);
    const out = path.join(parent, 'dist');
    writeOutFolder(out, files({ 'one.k8s.yaml': 'kind: A\n', 'two.k8s.yaml': 'kind: B\n' }));
    const target = victim();
    const before = fingerprint(target);
    onStep((s) => {
      if (s !== 'committed') return;
      fs.renameSync(out, path.join(tmp, 'dist-moved'));
      fs.symlinkSync(target, out);
    });
    const e = failure(() => writeOutFolder(out, files({ 'one.k8s.yaml': 'kind: A2\n' })));
    expect(e.message).toMatch(/^synth stopped: .* was replaced .* was not changed\./);
    expect(fingerprint(target)).toEqual(before);
  });

  test('fails when the work folder holds what synth does not put there, and removes none of it', () => {
    const out = folder({ 'a.k8s.yaml': 'kind: A\n' });
    fs.mkdirSync(path.join(out, WORK, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(out, WORK, 'notes.txt'), 'mine\n');
    fs.writeFileSync(path.join(out, WORK, 'a.k8s.yaml.new'), 'kind: Staged\n');
    const before = fingerprint(out);
    const e = failure(() => writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' })));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/\.cdk8s-istio-egress-synth holds notes\.txt, sub, which synth does not put there; synth removes nothing it did not make/);
    expect(fingerprint(out)).toEqual(before);
  });
});

describe('an interrupted update is finished by the next run', () => {
  /** Makes the hook throw at `step`: the run stops there, its work folder left as a killed run leaves it. */
  function killAt(stepName: string) {
    onStep((s) => {
      if (s === stepName) throw new Error(`killed at ${s}`);
    });
  }

  test('a commit that lists construct-metadata.json among the stale files is finished, whatever file pattern the next run uses (issue 14)', () => {
    // GIVEN the output of an app with outputFileExtension .yaml, with cdk8s's construct-metadata.json
    const yaml = /\.yaml$/;
    const out = folder();
    writeOutFolder(out, files({ 'f1.yaml': 'old 1\n', 'f2.yaml': 'old 2\n', 'f3.yaml': 'old 3\n', 'construct-metadata.json': '{}' }), { manifest: yaml });
    // WHEN a run that no longer writes construct-metadata.json dies after its first rename
    killAt('installed:f1.yaml');
    const e = failure(() => writeOutFolder(out, files({ 'f1.yaml': 'new 1\n', 'f2.yaml': 'new 2\n', 'f3.yaml': 'new 3\n' }), { manifest: yaml }));
    onStep(undefined);
    expect(e.message).toMatch(/could not finish writing .* \(killed at installed:f1\.yaml\): 1 of 3 changed file\(s\) have their new content/);
    expect(JSON.parse(fs.readFileSync(path.join(out, WORK, 'commit.json'), 'utf8')).remove).toEqual({ 'construct-metadata.json': sha('{}') });
    // THEN the next run (npm run synth's *.k8s.yaml pattern) finishes it and says so
    const said = recoverIfInterrupted(out);
    expect(said).toMatch(/^finished the update of .* that an interrupted synth \(pid \d+\) had begun: 2 file\(s\) renamed into place, 1 stale file\(s\) removed$/);
    expect(read(out)).toEqual({
      [RECORD]: `${sha('new 1\n')}  f1.yaml\n${sha('new 2\n')}  f2.yaml\n${sha('new 3\n')}  f3.yaml\n`,
      'f1.yaml': 'new 1\n', 'f2.yaml': 'new 2\n', 'f3.yaml': 'new 3\n',
    });
  });

  test('a stale file changed after the commit is left alone when the update is finished', () => {
    const out = folder();
    writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n', 'b.k8s.yaml': 'kind: B\n' }));
    killAt('committed');
    failure(() => writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A2\n' })));
    onStep(undefined);
    fs.writeFileSync(path.join(out, 'b.k8s.yaml'), 'kind: B\n# edited meanwhile\n');
    const r = writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A2\n' }));
    expect(r.recovered).toMatch(/1 file\(s\) renamed into place, 0 stale file\(s\) removed/);
    expect(r.leftAlone).toEqual(['b.k8s.yaml']);
    expect(fs.readFileSync(path.join(out, 'b.k8s.yaml'), 'utf8')).toBe('kind: B\n# edited meanwhile\n');
  });
});

describe('the lock tells a live owner from a dead one, not by pid alone', () => {
  const proc = (pid: number) => {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  };
  const here = () => ({
    boot: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    pidns: fs.readlinkSync('/proc/self/ns/pid'),
    host: os.hostname(),
  });
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  test('takes over a lock whose pid now belongs to another process (pid 1 of a restarted container)', () => {
    const out = folder();
    fs.writeFileSync(path.join(out, LOCK), JSON.stringify({ pid: 1, start: String(Number(proc(1)) + 1), ...here() }));
    const r = writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' }));
    expect(r.written).toEqual(['a.k8s.yaml']);
    expect(fs.existsSync(path.join(out, LOCK))).toBe(false);
  });

  test('takes over a lock of an earlier boot, and a lock whose process is gone', () => {
    const out = folder();
    fs.writeFileSync(path.join(out, LOCK), JSON.stringify({ pid: 1, start: proc(1), ...here(), boot: '00000000-0000-0000-0000-000000000000' }));
    expect(writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' })).written).toEqual(['a.k8s.yaml']);
    fs.writeFileSync(path.join(out, LOCK), JSON.stringify({ pid: 2 ** 22 + 7, start: '1', ...here() }));
    expect(writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A2\n' })).written).toEqual(['a.k8s.yaml']);
  });

  test('fails while the process that holds the lock runs, naming the file to delete if it is stale', async () => {
    // GIVEN a live process that holds the lock
    child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await new Promise((resolve) => child!.once('spawn', resolve));
    const out = folder({ 'a.k8s.yaml': 'kind: A\n' });
    fs.writeFileSync(path.join(out, LOCK), JSON.stringify({ pid: child.pid, start: proc(child.pid!), ...here() }));
    const before = fingerprint(out);
    // WHEN
    const e = failure(() => writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A2\n' })));
    // THEN
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(`another synth (pid ${child.pid}) is writing ${showPath(out)} right now; ${showPath(out)} was not changed by this run. `
      + `If no synth is writing ${showPath(out)}, delete ${showPath(out)}${LOCK} and run again`);
    expect(fingerprint(out)).toEqual(before);
  });

  test('fails, saying it cannot check and how to clear it, for a lock taken in another PID namespace (container)', () => {
    const out = folder();
    fs.writeFileSync(path.join(out, LOCK), JSON.stringify({ pid: 1, start: proc(1), ...here(), pidns: 'pid:[1]' }));
    const e = failure(() => writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' })));
    expect(e.message).toMatch(/^a synth in another PID namespace \(container\) \(pid 1\) holds the lock of .*, and whether it still runs cannot be checked from here; .* was not changed by this run\. If no synth is writing .*, delete .*\.cdk8s-istio-egress\.lock and run again$/);
  });
});

describe('modes and messages', () => {
  test('keeps the mode of a file it replaces (0644 stays 0644 under umask 077); new files follow the umask', () => {
    const out = folder();
    writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' }));
    fs.chmodSync(path.join(out, 'a.k8s.yaml'), 0o644);
    fs.chmodSync(path.join(out, RECORD), 0o640);
    const old = process.umask(0o077);
    try {
      writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A2\n', 'b.k8s.yaml': 'kind: B\n' }));
    } finally {
      process.umask(old);
    }
    const mode = (f: string) => fs.statSync(path.join(out, f)).mode & 0o777;
    expect({ a: mode('a.k8s.yaml'), b: mode('b.k8s.yaml'), record: mode(RECORD) }).toEqual({ a: 0o644, b: 0o600, record: 0o640 });
    const old022 = process.umask(0o022);
    try {
      writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A2\n', 'b.k8s.yaml': 'kind: B\n', 'c.k8s.yaml': 'kind: C\n' }));
    } finally {
      process.umask(old022);
    }
    expect(mode('c.k8s.yaml')).toBe(0o644);
  });

  test('paths in messages are quoted and escaped: a newline in --out does not break the line', () => {
    const out = path.join(tmp, 'dist\nerror: forged line');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'a.k8s.yaml'), 'kind: Mine\n');
    const e = failure(() => writeOutFolder(out, files({ 'a.k8s.yaml': 'kind: A\n' })));
    expect(e.message).not.toMatch(/\n/);
    expect(e.message).toContain('dist\\nerror: forged line/"');
    expect(showPath('/x/dist')).toBe('/x/dist/');
    expect(showPath('/x/my dist')).toBe('"/x/my dist/"');
    expect(quote('a\u202eb.k8s.yaml')).toBe('"a\\u202eb.k8s.yaml"');
  });
});
