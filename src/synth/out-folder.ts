// The output folder of `npm run synth` (scripts/synth.js) and of `cdk8s-istio-egress synth` (./command.ts),
// written so that synth never deletes or replaces a file it did not write, no reader ever sees a missing folder
// or a partial file, and a run that is killed is finished or undone by the next one. Internal: not exported
// from the package's entry points. The behaviour is described in ./README.md.
//
// Ownership: RECORD (`.cdk8s-istio-egress.sha256`, in sha256sum format) lists every file synth wrote into the
// folder with its sha256. A file is synth's when the record lists it with its current content, or when it
// holds exactly what this run writes (nothing is lost by replacing it). Anything else named like a manifest is
// not replaced or removed: a run that would replace one is refused, and one that this run does not write is
// left alone (or, while the folder has no record at all, refused too: synth cannot tell stale output of an
// earlier `cdk8s synth` from a hand-written file). `adopt` takes every manifest in the folder over.
//
// Replacement, with LOCK (`.cdk8s-istio-egress.lock`, created with O_EXCL) held:
//   WORK/NAME.new      the new content of each changed file, and of the record, fsynced (made with O_EXCL in
//                      WORK, a folder this run made and pinned by dev/ino)
//   WORK/commit.json   written (tmp + fsync + rename) once every NAME.new is complete: the commit point
// then each NAME.new is renamed over NAME (rename(2) is atomic: a reader sees the old or the new file), the
// stale files synth wrote are unlinked (only while they still hold what the record says), the record is renamed
// into place, the folder is fsynced, and commit.json and WORK are removed. A run killed before the commit point
// left the folder unchanged: the next run discards WORK. A run killed after it left every file old or new and
// complete: the next run finishes it from commit.json.
//
// Nothing is followed for removal: every entry is lstat'ed, the output folder and WORK are pinned by dev/ino and
// verified before each rename, unlink and rmdir, entries are removed one by one by name (never recursively),
// and a WORK that is not a folder, or holds anything synth does not put there, is refused, not cleaned.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The staging folder inside the output folder. */
export const WORK = '.cdk8s-istio-egress-synth';
/** The record of the files synth wrote into the output folder (`sha256sum -c` reads it). */
export const RECORD = '.cdk8s-istio-egress.sha256';
/** The lock of the synth that writes the output folder. */
export const LOCK = '.cdk8s-istio-egress.lock';
/** The files synth owns unless told otherwise: cdk8s's default `outputFileExtension`. */
export const MANIFEST = /\.k8s\.yaml$/;
const CDK8S_METADATA = 'construct-metadata.json';
const COMMIT = 'commit.json';
/** An empty lock older than this was left by a synth killed between creating and writing it. */
const EMPTY_LOCK_MS = 10_000;

/** A refusal to touch a folder (exit 2) or a failure to write it (exit 1), with a message that tells what happened to it. */
export class OutFolderError extends Error {
  constructor(message: string, public readonly exitCode: 1 | 2) {
    super(message);
  }
}

let stepHook: ((name: string) => void) | undefined;

/** For tests: `fn` runs at every step (the unit tests swap folders there). */
export function onStep(fn: ((name: string) => void) | undefined): void {
  stepHook = fn;
}

/**
 * `CDK8S_ISTIO_EGRESS_SYNTH_PAUSE=STEP` stops the process at STEP (tests kill it there, or create the file named
 * by `CDK8S_ISTIO_EGRESS_SYNTH_RESUME` to let it go on); `..._TRACE=1` names every step on stderr.
 */
export function step(name: string): void {
  if (process.env.CDK8S_ISTIO_EGRESS_SYNTH_TRACE) fs.writeSync(2, `synth: step ${name}\n`);
  stepHook?.(name);
  if (process.env.CDK8S_ISTIO_EGRESS_SYNTH_PAUSE === name) {
    fs.writeSync(2, `synth: paused at step ${name}\n`);
    const resume = process.env.CDK8S_ISTIO_EGRESS_SYNTH_RESUME;
    const wait = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    if (!resume) wait(Infinity); // blocks until the process is killed
    while (resume && !fs.existsSync(resume)) wait(10);
  }
}

// ---------------------------------------------------------------------------------------------------------
// How paths and names appear in messages

/** Characters a path may hold and still be printed as it is; anything else (spaces, quotes, controls) is quoted. */
const PLAIN = /^[\p{L}\p{N}_@%+=:,./~-]+$/u;
/** Control, format and bidirectional characters JSON.stringify leaves as they are. */
const INVISIBLE = /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** A path or file name for a message: as it is when plain, else JSON-quoted with every control or invisible character escaped. */
export function quote(s: string): string {
  if (PLAIN.test(s)) return s;
  return JSON.stringify(s).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A folder as written in messages, unquoted: relative to `cwd` unless that is longer, ending in a separator. */
function folderText(p: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, p) || '.';
  const s = rel.length <= p.length ? rel : p;
  return s.endsWith(path.sep) ? s : s + path.sep;
}

/** A folder as shown in messages (`dist/`, `"my out/"`): relative to the working directory unless that is longer, quoted when needed. */
export function showPath(p: string, cwd = process.cwd()): string {
  return quote(folderText(p, cwd));
}

/** A list of names for a message: quoted, the first five, then how many more. */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 5).map(quote).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

// ---------------------------------------------------------------------------------------------------------
// Small file-system helpers

/** The `code` of a Node system error (`ENOENT`), or undefined. */
function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function typeOf(st: fs.Stats | fs.Dirent): string {
  return st.isDirectory() ? 'folder' : st.isSymbolicLink() ? 'symbolic link' : st.isFIFO() ? 'FIFO' : st.isSocket() ? 'socket'
    : st.isFile() ? 'file' : 'special file';
}

/** Reads a file without blocking on a FIFO or following a link; undefined if it is missing or not a regular file. */
function readFile(file: string, limit = 64 << 20): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ELOOP') return undefined;
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > limit) return undefined;
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A name synth may write, record or remove: one path component, printable in the record, not one of synth's own. */
function plainName(n: unknown): n is string {
  return typeof n === 'string' && n.length > 0 && n.length <= 255 && !/[/\\\0\n\r]/.test(n) && n !== '.' && n !== '..'
    && !n.startsWith('.cdk8s-istio-egress');
}

// ---------------------------------------------------------------------------------------------------------
// Folders pinned by device and inode

/** A folder this run works in: every step inside it first checks that it is still the same folder. */
interface Dir {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  /** How it is shown in messages. */
  readonly shown: string;
}

/** The folder was replaced (by a link or another folder) while synth ran. */
class Swapped extends Error {
  constructor(public readonly dir: Dir) {
    super(`${dir.shown} was replaced while synth ran`);
  }
}

function pin(p: string, shown: string): Dir {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) throw new Error(`${shown} is not a folder`);
  return { path: p, dev: st.dev, ino: st.ino, shown };
}

function verify(d: Dir): void {
  const st = lstat(d.path);
  if (!st || !st.isDirectory() || st.dev !== d.dev || st.ino !== d.ino) throw new Swapped(d);
}

/** fsyncs a pinned folder, through a descriptor checked to be that folder. */
function fsyncDir(d: Dir): void {
  const fd = fs.openSync(d.path, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  try {
    const st = fs.fstatSync(fd);
    if (st.dev !== d.dev || st.ino !== d.ino) throw new Swapped(d);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Creates `name` in the pinned folder (never an existing file, never through a link), fsynced, with `mode` if given. */
function createIn(d: Dir, name: string, content: string | Uint8Array, mode?: number): void {
  verify(d);
  const fd = fs.openSync(path.join(d.path, name), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o666);
  try {
    if (mode !== undefined) fs.fchmodSync(fd, mode);
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function unlinkIn(d: Dir, name: string): void {
  verify(d);
  fs.unlinkSync(path.join(d.path, name));
}

// ---------------------------------------------------------------------------------------------------------
// The record

/** name -> sha256 of RECORD's text, or undefined when a line is not `<sha256>  <name>`. */
function parseRecord(text: string): Map<string, string> | undefined {
  const record = new Map<string, string>();
  if (text === '') return record;
  if (!text.endsWith('\n')) return undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m || !plainName(m[2]) || record.has(m[2])) return undefined;
    record.set(m[2], m[1]);
  }
  return record;
}

function renderRecord(record: ReadonlyMap<string, string>): string {
  return [...record].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, h]) => `${h}  ${n}\n`).join('');
}

/** The record of `dir` (undefined when there is none); refuses (exit 2) one that is not a file synth could have written. */
function readRecord(dir: string, shown: string): Map<string, string> | undefined {
  const file = path.join(dir, RECORD);
  const st = lstat(file);
  if (!st) return undefined;
  const text = st.isFile() ? readFile(file)?.toString('utf8') : undefined;
  const record = text === undefined ? undefined : parseRecord(text);
  if (!record) {
    throw new OutFolderError(`refusing to write to ${shown}: ${quote(folderText(dir) + RECORD)} is not a record synth wrote `
      + `(${st.isFile() ? 'a line is not "<sha256>  <file name>"' : `it is a ${typeOf(st)}`}). Nothing was changed. `
      + 'Delete it, then run synth with --adopt to take over the manifests of the folder', 2);
  }
  return record;
}

// ---------------------------------------------------------------------------------------------------------
// The check before the app runs

/** Entries of the folder that are none of synth's (its manifests, files it recorded, its own record, lock and work folder), described (`.git/ (folder)`, `notes.txt (file)`). */
function foreignEntries(dir: string, manifest: RegExp, record: ReadonlyMap<string, string> | undefined): string[] {
  const foreign: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === WORK && e.isDirectory()) continue;
    if ((e.name === RECORD || e.name === LOCK) && e.isFile()) continue;
    if (e.isFile() && plainName(e.name) && (manifest.test(e.name) || e.name === CDK8S_METADATA || record?.has(e.name))) continue;
    foreign.push(`${quote(e.name)}${e.isDirectory() ? '/' : ''} (${typeOf(e)})`);
  }
  return foreign.sort();
}

/** The real path of `p`: symbolic links of its existing part resolved, the missing rest appended. */
function realish(p: string): string {
  const rest: string[] = [];
  let cur = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest);
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return path.join(cur, ...rest);
      rest.unshift(path.basename(cur));
      cur = up;
    }
  }
}

const within = (dir: string, p: string): boolean => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

export interface CheckOptions {
  /** The repository (or app) root: never the output folder nor inside it; its `src/` is refused too. */
  readonly root: string;
  /** Other folders (label, path) that neither the output folder nor an ancestor of its content may be. */
  readonly protect?: ReadonlyArray<readonly [string, string]>;
  /** How the folder is named in messages (default: showPath(out)). */
  readonly shown?: string;
  /** The files synth owns (default *.k8s.yaml). */
  readonly manifest?: RegExp;
  /** How `root` is named in messages (default `the repository root`). */
  readonly rootLabel?: string;
  /** Check the path only, not what the folder holds (for a check before the app has said which files it writes). */
  readonly pathOnly?: boolean;
}

/**
 * Throws an OutFolderError (exit 2) unless synth may write into `out`; touches nothing. `protect` lists folders
 * (repository root, working directories) that neither `out` nor any ancestor of `out`'s contents may be. Which
 * files synth may replace is decided by writeOutFolder, once the app has said what it writes.
 */
export function checkOutFolder(out: string, { root, rootLabel = 'the repository root', protect = [], shown = showPath(out), manifest = MANIFEST, pathOnly = false }: CheckOptions): void {
  const refuse = (why: string): never => {
    throw new OutFolderError(`refusing to write to ${shown}: ${why}. Nothing was changed.`, 2);
  };
  const real = realish(out);
  for (const [label, dir] of [[rootLabel, root] as const, ...protect]) {
    const p = realish(dir);
    if (within(real, p)) refuse(real === p ? `it is ${label}` : `it is an ancestor of ${label} (${quote(p)})`);
  }
  if (within(realish(path.join(root, 'src')), real)) refuse('it is or is inside src/, the library\'s source');
  if (real.split(path.sep).includes('.git')) refuse('it is inside a .git folder');
  let st: fs.Stats;
  try {
    st = fs.statSync(real);
  } catch (err) {
    if (code(err) === 'ENOENT') return; // created when the manifests are written
    return refuse(`it cannot be read (${code(err)})`);
  }
  if (!st.isDirectory()) refuse('it is not a folder');
  if (pathOnly) return;
  let foreign: string[];
  try {
    foreign = foreignEntries(real, manifest, readRecord(real, shown));
  } catch (err) {
    if (err instanceof OutFolderError) throw err;
    return refuse(`its content cannot be listed (${code(err)})`);
  }
  if (foreign.length) {
    const list = foreign.length > 5 ? `${foreign.slice(0, 5).join(', ')} and ${foreign.length - 5} more` : foreign.join(', ');
    refuse(`it holds ${list}, which synth did not write (synth only writes into a folder that holds nothing but ${describe(manifest)} manifests)`);
  }
}

/** `*.k8s.yaml` for the default pattern, the pattern itself otherwise. */
function describe(manifest: RegExp): string {
  const ext = /^\\(\.[A-Za-z0-9_\\.-]+)\$$/.exec(manifest.source);
  return ext ? `*${ext[1].replace(/\\/g, '')}` : `/${manifest.source}/`;
}

// ---------------------------------------------------------------------------------------------------------
// The lock

/** Who holds the lock: enough to tell a live owner from a dead one whose pid was reused. */
interface Owner {
  readonly pid: number;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat, field 22). */
  readonly start?: string;
  /** /proc/sys/kernel/random/boot_id: a lock of an earlier boot is stale. */
  readonly boot?: string;
  /** The PID namespace (/proc/self/ns/pid): a pid means nothing in another one. */
  readonly pidns?: string;
  readonly host: string;
}

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** State (field 3) and start time (field 22) of a process, from /proc; undefined when there is no such process (or no /proc). */
function procStat(pid: number): { readonly state: string; readonly start: string } | undefined {
  const s = readProc(`/proc/${pid}/stat`);
  if (!s) return undefined;
  const fields = s.slice(s.lastIndexOf(')') + 2).split(' '); // the command name, in parentheses, may hold spaces
  return { state: fields[0], start: fields[19] };
}

function self(): Owner {
  let pidns: string | undefined;
  try {
    pidns = fs.readlinkSync('/proc/self/ns/pid');
  } catch {
    pidns = undefined;
  }
  return { pid: process.pid, start: procStat(process.pid)?.start, boot: readProc('/proc/sys/kernel/random/boot_id')?.trim(), pidns, host: os.hostname() };
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text);
    const optional = (v: unknown) => v === undefined || typeof v === 'string';
    if (o && Number.isInteger(o.pid) && o.pid > 0 && typeof o.host === 'string' && optional(o.start) && optional(o.boot) && optional(o.pidns)) return o as Owner;
  } catch {
    // not JSON
  }
  return undefined;
}

/** Whether the owner of a lock still runs: `dead` (the lock is stale), `alive`, or `unknown` (it runs where this process cannot look). */
function liveness(o: Owner, me: Owner): { readonly state: 'alive' | 'dead' | 'unknown'; readonly where?: string } {
  if (o.host !== me.host) return { state: 'unknown', where: `on host ${quote(o.host)}` };
  if (o.boot && me.boot && o.boot !== me.boot) return { state: 'dead' }; // the machine rebooted since
  if (o.pidns !== me.pidns) return { state: 'unknown', where: 'in another PID namespace (container)' };
  if (me.start !== undefined) {
    // /proc: the same pid with another start time is another process (a pid reused, pid 1 of a restarted container)
    const st = procStat(o.pid);
    if (!st || st.state === 'Z' || st.state === 'X') return { state: 'dead' };
    if (o.pid === me.pid && o.start === me.start) return { state: 'dead' }; // this process holds no other lock
    return { state: o.start !== undefined && st.start !== o.start ? 'dead' : 'alive' };
  }
  if (o.pid === me.pid) return { state: 'dead' };
  try {
    process.kill(o.pid, 0);
    return { state: 'alive' };
  } catch (err) {
    return { state: code(err) === 'EPERM' ? 'alive' : 'dead' };
  }
}

interface Held {
  readonly release: () => void;
}

/** Takes LOCK in `dir`; throws (exit 1) while a live synth holds it, saying how to clear a stale one. */
function lock(dir: Dir, shown: string): Held {
  const file = path.join(dir.path, LOCK);
  const lockShown = quote(folderText(dir.path) + LOCK);
  const clear = `If no synth is writing ${shown}, delete ${lockShown} and run again`;
  const me = self();
  const text = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; ; attempt++) {
    verify(dir);
    try {
      const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o644);
      try {
        fs.writeSync(fd, text);
      } finally {
        fs.closeSync(fd);
      }
      break;
    } catch (err) {
      if (code(err) !== 'EEXIST' || attempt >= 3) throw err;
    }
    const st = lstat(file);
    if (!st) continue;
    if (!st.isFile()) throw new OutFolderError(`refusing to write to ${shown}: ${lockShown} is a ${typeOf(st)}, not the lock synth makes; remove it yourself. Nothing was changed.`, 2);
    const content = readFile(file, 1 << 16)?.toString('utf8') ?? '';
    const owner = parseOwner(content);
    if (!owner) {
      if (!(content === '' && Date.now() - st.mtimeMs > EMPTY_LOCK_MS)) {
        throw new OutFolderError(`${lockShown} is not a lock synth can read; ${shown} was not changed by this run. ${clear}`, 1);
      }
    } else {
      const l = liveness(owner, me);
      if (l.state === 'alive') throw new OutFolderError(`another synth (pid ${owner.pid}) is writing ${shown} right now; ${shown} was not changed by this run. ${clear}`, 1);
      if (l.state === 'unknown') {
        throw new OutFolderError(`a synth ${l.where} (pid ${owner.pid}) holds the lock of ${shown}, and whether it still runs cannot be checked from here; `
          + `${shown} was not changed by this run. ${clear}`, 1);
      }
    }
    // stale: remove the very file that was judged so (another synth may have taken it over meanwhile)
    const again = lstat(file);
    if (again && again.dev === st.dev && again.ino === st.ino) unlinkIn(dir, LOCK);
  }
  step('locked');
  return {
    release: () => {
      try {
        verify(dir);
        if (readFile(file, 1 << 16)?.toString('utf8') === text) fs.unlinkSync(file);
      } catch {
        // the folder was replaced, or the lock cannot be read: a lock left behind is stale once this process is gone
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Applying a commit, and finishing or discarding the work of an interrupted run

/** What commit.json holds: enough to finish the update after a kill. */
interface Commit {
  readonly pid: number;
  /** Names staged as WORK/NAME.new, renamed in this order; the record last. */
  readonly install: readonly string[];
  /** Stale files synth wrote: name -> the sha256 they must still have to be removed. */
  readonly remove: Readonly<Record<string, string>>;
}

function parseCommit(text: string): Commit | undefined {
  try {
    const c = JSON.parse(text);
    if (!c || !Number.isInteger(c.pid) || !Array.isArray(c.install) || !c.remove || typeof c.remove !== 'object' || Array.isArray(c.remove)) return undefined;
    if (!c.install.every((n: unknown) => plainName(n) || n === RECORD)) return undefined;
    if (!Object.entries(c.remove).every(([n, h]) => plainName(n) && typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) return undefined;
    return c as Commit;
  } catch {
    return undefined;
  }
}

/** What this run changed in the output folder so far (for a message that is true whatever happens). */
interface Progress {
  readonly installed: string[];
  readonly removed: string[];
  /** Stale files that changed since synth wrote them: left alone. */
  readonly kept: string[];
}

/** Renames every staged file into place, unlinks the stale ones, then the commit; each step can be redone. */
function apply(out: Dir, work: Dir, commit: Commit, prefix: string, progress: Progress): void {
  const install = commit.install.filter((n) => n !== RECORD);
  const rename = (name: string) => {
    verify(work);
    verify(out);
    try {
      fs.renameSync(path.join(work.path, `${name}.new`), path.join(out.path, name));
      return true;
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err; // ENOENT: renamed by the interrupted run already
      return false;
    }
  };
  for (const name of install) {
    if (rename(name)) progress.installed.push(name);
    step(`${prefix}installed:${name}`);
  }
  for (const [name, hash] of Object.entries(commit.remove)) {
    verify(out);
    const content = readFile(path.join(out.path, name));
    if (content !== undefined && sha256(content) === hash) {
      unlinkIn(out, name);
      progress.removed.push(name);
    } else if (lstat(path.join(out.path, name))) {
      progress.kept.push(name);
    }
    step(`${prefix}removed:${name}`);
  }
  if (commit.install.includes(RECORD)) {
    rename(RECORD);
    step(`${prefix}installed:${RECORD}`);
  }
  fsyncDir(out); // the renames are on disk before the commit that would redo them goes
  unlinkIn(work, COMMIT);
  verify(work);
  fs.rmdirSync(work.path);
  step(`${prefix}applied`);
}

/** A name WORK may hold: the commit (or its temporary file), or a staged file. */
function workName(n: string): boolean {
  if (n === COMMIT || n === `${COMMIT}.tmp`) return true;
  if (!n.endsWith('.new')) return false;
  const base = n.slice(0, -'.new'.length);
  return plainName(base) || base === RECORD;
}

/**
 * Finishes (commit present) or discards (no commit) the work of an interrupted synth. Call with the lock held.
 * Returns a sentence saying what it did, or '' if there was nothing to do.
 */
function recover(out: Dir, shown: string, progress: Progress): string {
  const workPath = path.join(out.path, WORK);
  const workShown = quote(folderText(out.path) + WORK);
  verify(out);
  const st = lstat(workPath);
  if (!st) return '';
  if (!st.isDirectory()) {
    throw new OutFolderError(`refusing to write to ${shown}: ${workShown} is a ${typeOf(st)}, not the folder synth makes; `
      + 'synth never follows or removes it: remove it yourself. Nothing was changed.', 2);
  }
  const work = pin(workPath, workShown);
  const names = fs.readdirSync(work.path).sort();
  verify(work); // the listing is of the pinned folder
  const odd = names.filter((n) => !workName(n) || !lstat(path.join(work.path, n))?.isFile());
  if (odd.length) {
    throw new OutFolderError(`refusing to write to ${shown}: ${workShown} holds ${listNames(odd)}, which synth does not put there; `
      + 'synth removes nothing it did not make: move them out of it (or delete the folder yourself) and run again. Nothing was changed.', 2);
  }
  const committed = names.includes(COMMIT) ? readFile(path.join(work.path, COMMIT))?.toString('utf8') : undefined;
  if (committed !== undefined) {
    const commit = parseCommit(committed);
    if (!commit) {
      throw new OutFolderError(`refusing to write to ${shown}: ${quote(folderText(workPath) + COMMIT)} is not a commit synth wrote. `
        + `Nothing was changed. Delete ${workShown} yourself, then run synth again: it rewrites every file`, 2);
    }
    const before = progress.installed.length;
    const removedBefore = progress.removed.length;
    apply(out, work, commit, 'recover-', progress);
    return `finished the update of ${shown} that an interrupted synth (pid ${commit.pid}) had begun: `
      + `${progress.installed.length - before} file(s) renamed into place, ${progress.removed.length - removedBefore} stale file(s) removed`;
  }
  let discarded = 0;
  for (const n of names) {
    unlinkIn(work, n);
    if (n.endsWith('.new') && n !== `${RECORD}.new`) discarded++;
  }
  verify(work);
  fs.rmdirSync(work.path);
  return discarded ? `discarded ${discarded} file(s) staged by an interrupted synth that had not started to change ${shown}` : '';
}

/** The output folder itself, pinned by its real path. */
function pinOut(out: string, shown: string): Dir {
  return pin(fs.realpathSync(out), shown);
}

/** If a synth was interrupted in `out`, finishes or discards its work and clears its stale lock. Returns what it did ('' if nothing). */
export function recoverIfInterrupted(out: string, shown: string = showPath(out)): string {
  if (!lstat(path.join(out, WORK)) && !lstat(path.join(out, LOCK))) return '';
  const dir = pinOut(out, shown);
  const held = lock(dir, shown);
  const progress: Progress = { installed: [], removed: [], kept: [] };
  try {
    return recover(dir, shown, progress);
  } catch (err) {
    throw failure(err, 'recover', shown, progress, 0, true);
  } finally {
    held.release();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Writing

export interface WriteOptions {
  /** How the folder is named in messages (default: showPath(out)). */
  readonly shown?: string;
  /** The files synth may write (default *.k8s.yaml). */
  readonly manifest?: RegExp;
  /** Take over every manifest in the folder, recorded or not: replace the ones this run writes, remove the others. */
  readonly adopt?: boolean;
}

export interface WriteResult {
  /** Every file of the output (changed or not). */
  readonly written: string[];
  /** Stale files synth had written, removed. */
  readonly removed: string[];
  /** Manifests synth did not write, left as they are. */
  readonly leftAlone: string[];
  /** Manifests synth had no record of and now owns (with `adopt`, or because they held exactly this run's content). */
  readonly adopted: string[];
  /** What finishing or discarding an interrupted run did ('' if nothing). */
  readonly recovered: string;
}

interface Plan {
  /** Files whose content changes (or that are new), with the mode of the file they replace. */
  readonly stage: ReadonlyArray<readonly [string, number | undefined]>;
  readonly remove: Readonly<Record<string, string>>;
  readonly record?: { readonly text: string; readonly mode?: number };
  readonly leftAlone: string[];
  readonly adopted: string[];
}

/** Decides what to replace, remove and leave alone; refuses (exit 2, nothing changed) what would lose a file synth did not write. */
function plan(out: Dir, shown: string, files: ReadonlyMap<string, string | Uint8Array>, manifest: RegExp, adopt: boolean): Plan {
  verify(out);
  const record = readRecord(out.path, shown);
  const foreign = foreignEntries(out.path, manifest, record);
  if (lstat(path.join(out.path, WORK))?.isDirectory()) foreign.push(`${WORK}/ (folder)`); // made by someone else after recovery
  if (foreign.length) throw new OutFolderError(`refusing to write to ${shown}: ${listNames(foreign)} appeared in it while synth ran. Nothing was changed.`, 2);
  const hashes = new Map([...files].map(([n, c]) => [n, sha256(c)]));
  const current = new Map<string, { readonly hash?: string; readonly mode: number }>();
  const remove: Record<string, string> = {};
  const conflicts: string[] = [];
  const unrecorded: string[] = [];
  const leftAlone: string[] = [];
  const adopted: string[] = [];
  for (const name of fs.readdirSync(out.path).sort()) {
    const st = lstat(path.join(out.path, name));
    if (!st?.isFile() || !plainName(name)) continue; // synth's own files; the rest was refused above
    const content = readFile(path.join(out.path, name));
    const hash = content === undefined ? undefined : sha256(content);
    current.set(name, { hash, mode: st.mode & 0o7777 });
    const mine = hash !== undefined && (record?.get(name) === hash || hashes.get(name) === hash);
    if (!mine && !adopt) {
      if (hashes.has(name)) conflicts.push(`${quote(name)} (${record?.has(name) ? 'changed since synth wrote it' : 'synth has no record of writing it'})`);
      else if (!record) unrecorded.push(name);
      else leftAlone.push(name);
      continue;
    }
    if (hash === undefined) continue; // gone or not readable as a file: nothing to replace or remove
    if (record?.get(name) !== hash) adopted.push(name);
    if (!hashes.has(name)) remove[name] = hash;
  }
  if (conflicts.length || unrecorded.length) {
    const why: string[] = [];
    if (conflicts.length) why.push(`this run would replace ${conflicts.join(', ')}`);
    if (unrecorded.length) {
      why.push(`it holds ${listNames(unrecorded)}, which this run does not write, and no ${RECORD} (synth's record of the files it wrote), `
        + 'so synth cannot tell stale output (of an earlier `cdk8s synth`, say) from files written by hand');
    }
    throw new OutFolderError(`refusing to write to ${shown}: ${why.join('; ')}. Nothing was changed. If every manifest in ${shown} is generated `
      + 'and may be replaced or removed, run synth again with --adopt; otherwise move those files away or choose another --out', 2);
  }
  const stage = [...hashes].filter(([n, h]) => current.get(n)?.hash !== h).map(([n]) => [n, current.get(n)?.mode] as const);
  const text = renderRecord(hashes);
  const recordFile = lstat(path.join(out.path, RECORD));
  const same = record !== undefined && renderRecord(record) === text;
  return { stage, remove, record: same ? undefined : { text, mode: recordFile ? recordFile.mode & 0o7777 : undefined }, leftAlone, adopted };
}

/** The message of a failure, saying in which state the folder is. */
function failure(err: unknown, phase: 'recover' | 'stage' | 'apply', shown: string, progress: Progress, total: number, existed: boolean): OutFolderError {
  if (err instanceof OutFolderError) return err;
  const changed = progress.installed.length + progress.removed.length;
  if (err instanceof Swapped) {
    const state = changed === 0 ? `${shown} was not changed`
      : `${progress.installed.length} file(s) of ${shown} have their new content and ${progress.removed.length} stale file(s) were removed; `
        + 'every file is complete, old or new';
    return new OutFolderError(`synth stopped: ${err.dir.shown} was replaced (by a symbolic link or another folder) while synth ran; `
      + `synth followed nothing and removed nothing through it. ${state}. Check what replaced ${err.dir.shown}, move it away, and run synth again`, 1);
  }
  const reason = message(err);
  if (phase === 'recover') {
    return new OutFolderError(`could not finish the update of ${shown} that an interrupted synth had begun (${reason}): `
      + `every file in it is complete, some with their old content; the next synth into ${shown} tries again`, 1);
  }
  if (phase === 'stage') {
    return new OutFolderError(`could not write ${shown} (${reason}); ${existed ? 'its files were not changed' : 'it was created, with no manifest in it'}`, 1);
  }
  return new OutFolderError(`could not finish writing ${shown} (${reason}): ${progress.installed.length} of ${total} changed file(s) have their new content, `
    + `the others still their old one, every file complete; the next synth into ${shown} finishes the update from ${WORK}/${COMMIT}`, 1);
}

/**
 * Makes `out` hold `files` (name -> content; names are manifests without folders) and removes the files synth
 * wrote there before that are not in `files`; leaves every other manifest alone, and refuses (exit 2, nothing
 * changed) to replace one synth did not write. Call checkOutFolder first. Throws an OutFolderError whose
 * message says in which state `out` is.
 */
export function writeOutFolder(out: string, files: ReadonlyMap<string, string | Uint8Array>, { shown = showPath(out), manifest = MANIFEST, adopt = false }: WriteOptions = {}): WriteResult {
  const names = [...files.keys()].sort();
  for (const n of names) {
    if (!plainName(n) || !(manifest.test(n) || n === CDK8S_METADATA)) throw new Error(`synth writes ${describe(manifest)} files into one folder; the app produced ${quote(n)}`);
  }
  let held: Held | undefined;
  let phase: 'recover' | 'stage' | 'apply' = 'stage';
  const progress: Progress = { installed: [], removed: [], kept: [] };
  const existed = lstat(out) !== undefined;
  let work: Dir | undefined;
  const staged: string[] = [];
  let total = 0;
  try {
    fs.mkdirSync(out, { recursive: true });
    const dir = pinOut(out, shown);
    held = lock(dir, shown);
    phase = 'recover';
    const recovered = recover(dir, shown, progress);
    phase = 'stage';
    const p = plan(dir, shown, files, manifest, adopt);
    const result = (): WriteResult => ({ written: names, removed: progress.removed, leftAlone: [...new Set([...p.leftAlone, ...progress.kept])].sort(), adopted: p.adopted, recovered });
    if (!p.stage.length && !Object.keys(p.remove).length && !p.record) {
      step('applied');
      return result();
    }
    verify(dir);
    fs.mkdirSync(path.join(dir.path, WORK)); // not recursive: EEXIST if anything took its name
    work = pin(path.join(dir.path, WORK), quote(folderText(dir.path) + WORK));
    for (const [name, mode] of p.stage) {
      createIn(work, `${name}.new`, files.get(name)!, mode);
      staged.push(`${name}.new`);
      step(`staged:${name}`);
    }
    if (p.record) {
      createIn(work, `${RECORD}.new`, p.record.text, p.record.mode);
      staged.push(`${RECORD}.new`);
      step(`staged:${RECORD}`);
    }
    const commit: Commit = { pid: process.pid, install: [...p.stage.map(([n]) => n), ...(p.record ? [RECORD] : [])], remove: p.remove };
    total = p.stage.length;
    createIn(work, `${COMMIT}.tmp`, JSON.stringify(commit));
    staged.push(`${COMMIT}.tmp`);
    verify(work);
    fs.renameSync(path.join(work.path, `${COMMIT}.tmp`), path.join(work.path, COMMIT));
    phase = 'apply';
    fsyncDir(work); // the commit is on disk before the first rename
    step('committed');
    apply(dir, work, commit, '', progress);
    return result();
  } catch (err) {
    if (phase === 'stage' && work && !(err instanceof Swapped)) {
      try {
        for (const n of staged) unlinkIn(work, n);
        verify(work);
        fs.rmdirSync(work.path);
      } catch {
        // the staged files stay in the work folder, which the next run discards
      }
    }
    throw failure(err, phase, shown, progress, total, existed);
  } finally {
    held?.release();
  }
}

/** What synth says once it has written the folder: lines for stderr. */
export function summarize(r: WriteResult, shown: string, adopt: boolean): string {
  const lines: string[] = [];
  if (r.recovered) lines.push(r.recovered);
  if (adopt && r.adopted.length) lines.push(`took over ${r.adopted.map(quote).join(', ')} (--adopt)`);
  if (r.leftAlone.length) lines.push(`note: left ${r.leftAlone.map(quote).join(', ')} in ${shown} alone: synth did not write ${r.leftAlone.length > 1 ? 'them' : 'it'}`);
  const gone = r.removed.length ? `; removed ${r.removed.map(quote).join(', ')}` : '';
  lines.push(`synthesized ${r.written.length} file(s) into ${shown}${gone}`);
  return lines.map((l) => `${l}\n`).join('');
}
