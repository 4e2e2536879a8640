// The output folder of `npm run synth` (scripts/synth.js) and of `cdk8s-istio-egress synth` (./command.ts),
// written so that nothing but synth's own manifests can be lost and no reader ever sees a missing folder or a
// partial file. Internal: not exported from the package's entry points.
//
// Ownership: synth only writes into a folder that is missing (it is created), empty, or holds nothing but
// regular files named *.k8s.yaml (or the `manifest` pattern the caller gives: the extension of the app's
// files) (plus cdk8s's construct-metadata.json and synth's own work folder). Never the
// repository root, the working directory, an ancestor of either, `src/` or anything inside a `.git` folder.
//
// Replacement: the folder itself always stays. Inside it, WORK (`.cdk8s-istio-egress-synth/`) holds
//   lock            created with O_EXCL, holds the pid of the synth that writes the folder
//   NAME.new        the new content of each file, fsynced
//   journal.json    written (tmp + fsync + rename) once every NAME.new is complete: the commit point
//                   (only when there is more than one file to rename or remove: one rename is atomic itself)
// then each NAME.new is renamed over NAME (rename(2) is atomic: a reader sees the old or the new file),
// stale manifests are unlinked, the folder is fsynced, and the journal, lock and WORK are removed.
// A run killed before the commit point left the folder unchanged: the next run discards WORK. A run killed
// after it left every file old or new and complete: the next run finishes it from the journal.
import * as fs from 'fs';
import * as path from 'path';

export const WORK = '.cdk8s-istio-egress-synth';
/** The files synth owns unless told otherwise: cdk8s's default `outputFileExtension`. */
export const MANIFEST = /\.k8s\.yaml$/;
const CDK8S_METADATA = 'construct-metadata.json';

/** A refusal to touch a folder (exit 2) or a failure to write it (exit 1), with a message that tells what happened to it. */
export class OutFolderError extends Error {
  constructor(message: string, public readonly exitCode: 1 | 2) {
    super(message);
  }
}

/** `CDK8S_ISTIO_EGRESS_SYNTH_PAUSE=STEP` stops the process at STEP (tests kill it there); `..._TRACE=1` names every step on stderr. */
export function step(name: string): void {
  if (process.env.CDK8S_ISTIO_EGRESS_SYNTH_TRACE) fs.writeSync(2, `synth: step ${name}\n`);
  if (process.env.CDK8S_ISTIO_EGRESS_SYNTH_PAUSE === name) {
    fs.writeSync(2, `synth: paused at step ${name}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // blocks until the process is killed
  }
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

/** Entries of the folder that synth did not write, described for a message (`.git/ (folder)`, `notes.txt`). */
function foreignEntries(dir: string, manifest: RegExp): string[] {
  const foreign: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === WORK && e.isDirectory()) continue;
    if (owned(e.name, manifest) && e.isFile()) continue;
    const type = e.isDirectory() ? 'folder' : e.isSymbolicLink() ? 'symbolic link' : e.isFIFO() ? 'FIFO' : e.isSocket() ? 'socket'
      : e.isFile() ? 'file' : 'special file';
    foreign.push(`${e.name}${e.isDirectory() ? '/' : ''} (${type})`);
  }
  return foreign.sort();
}

/** A file name synth may replace or remove: a manifest (no folder part) or cdk8s's construct-metadata.json. */
function owned(name: string, manifest: RegExp): boolean {
  return (manifest.test(name) || name === CDK8S_METADATA) && !name.includes('/') && !name.includes(path.sep) && name !== '..';
}

export interface CheckOptions {
  /** The repository (or app) root: never the output folder nor inside it; its `src/` is refused too. */
  readonly root: string;
  /** Other folders (label, path) that neither the output folder nor an ancestor of its content may be. */
  readonly protect?: ReadonlyArray<readonly [string, string]>;
  /** How the folder is named in messages. */
  readonly shown?: string;
  /** The files synth owns (default *.k8s.yaml). */
  readonly manifest?: RegExp;
  /** How `root` is named in messages (default `the repository root`). */
  readonly rootLabel?: string;
  /** Check the path only, not what the folder holds (for a check before the app has said which files it writes). */
  readonly pathOnly?: boolean;
}

/**
 * Throws an OutFolderError (exit 2) unless synth may own `out`; touches nothing. `protect` lists folders
 * (repository root, working directories) that neither `out` nor any ancestor of `out`'s contents may be.
 */
export function checkOutFolder(out: string, { root, rootLabel = 'the repository root', protect = [], shown = out, manifest = MANIFEST, pathOnly = false }: CheckOptions): void {
  const refuse = (why: string): never => {
    throw new OutFolderError(`refusing to write to ${shown}: ${why}. Nothing was changed.`, 2);
  };
  const real = realish(out);
  for (const [label, dir] of [[rootLabel, root] as const, ...protect]) {
    const p = realish(dir);
    if (within(real, p)) refuse(real === p ? `it is ${label}` : `it is an ancestor of ${label} (${p})`);
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
    foreign = foreignEntries(real, manifest);
  } catch (err) {
    return refuse(`its content cannot be listed (${code(err)})`);
  }
  if (foreign.length) {
    const list = foreign.length > 5 ? `${foreign.slice(0, 5).join(', ')} and ${foreign.length - 5} more` : foreign.join(', ');
    refuse(`it holds ${list}, which synth did not write (synth only replaces a folder that holds nothing but ${describe(manifest)} manifests)`);
  }
}

/** `*.k8s.yaml` for the default pattern, the pattern itself otherwise. */
function describe(manifest: RegExp): string {
  const ext = /^\\(\.[A-Za-z0-9_\\.-]+)\$$/.exec(manifest.source);
  return ext ? `*${ext[1].replace(/\\/g, '')}` : `/${manifest.source}/`;
}

/** The `code` of a Node system error (`ENOENT`), or undefined. */
function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeDurably(file: string, text: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a small file of WORK without blocking on a FIFO or following a link; undefined if it is not a regular file. */
function readSmall(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if (code(err) === 'ENOENT' || code(err) === 'ELOOP') return undefined;
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > 1 << 20) return undefined;
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return code(err) === 'EPERM';
  }
}

/** Takes WORK/lock; throws (exit 1) while another live synth holds it. Returns the release function. */
function lock(out: string, shown: string): () => void {
  const work = path.join(out, WORK);
  const file = path.join(work, 'lock');
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdirSync(work, { recursive: true });
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (attempt > 3 || (code(err) !== 'EEXIST' && code(err) !== 'ENOENT')) throw err;
      if (code(err) === 'EEXIST') {
        const pid = Number(readSmall(file));
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw new OutFolderError(`another synth (pid ${pid}) is writing ${shown} right now; ${shown} was not changed by this run`, 1);
        }
        fs.rmSync(file, { force: true }); // left by a synth that was killed
      }
    }
  }
  step('locked');
  return () => {
    fs.rmSync(file, { force: true });
    try {
      fs.rmdirSync(work);
    } catch {
      // not empty: a journal to finish, or another synth took the lock meanwhile
    }
  };
}

interface Journal {
  readonly install: readonly string[];
  readonly remove: readonly string[];
  readonly pid?: number;
}

interface Progress {
  readonly installed: string[];
  readonly removed: string[];
}

/** Renames every staged file into place and unlinks the stale ones; each step is idempotent, so a journal can be applied again. */
function apply(out: string, journal: Journal, prefix: string, progress: Progress, journaled = true): void {
  const work = path.join(out, WORK);
  for (const name of journal.install) {
    try {
      fs.renameSync(path.join(work, `${name}.new`), path.join(out, name));
      progress.installed.push(name);
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err; // ENOENT: renamed by the interrupted run already
    }
    step(`${prefix}installed:${name}`);
  }
  for (const name of journal.remove) {
    try {
      fs.unlinkSync(path.join(out, name));
      progress.removed.push(name);
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err;
    }
    step(`${prefix}removed:${name}`);
  }
  if (journaled) {
    fsyncPath(out); // the renames are on disk before the journal that would redo them goes
    fs.unlinkSync(path.join(work, 'journal.json'));
  }
  step(`${prefix}applied`);
}

/**
 * Finishes (journal present) or discards (no journal) the work of an interrupted synth. Call with the
 * lock held. Returns a sentence saying what it did, or '' if there was nothing to do.
 */
function recover(out: string, shown: string, manifest: RegExp): string {
  const work = path.join(out, WORK);
  let said = '';
  const text = readSmall(path.join(work, 'journal.json'));
  if (text !== undefined) {
    let journal: Journal | undefined;
    try {
      journal = JSON.parse(text) as Journal;
    } catch {
      journal = undefined; // cannot happen (written by rename); treated as not committed
    }
    if (journal && Array.isArray(journal.install) && Array.isArray(journal.remove)
      && [...journal.install, ...journal.remove].every((n) => typeof n === 'string' && owned(n, manifest))) {
      const progress: Progress = { installed: [], removed: [] };
      apply(out, journal, 'recover-', progress);
      said = `finished the update of ${shown} that an interrupted synth (pid ${journal.pid}) had begun: `
        + `${progress.installed.length} file(s) renamed into place, ${progress.removed.length} stale file(s) removed`;
    }
  }
  let discarded = 0;
  for (const e of fs.readdirSync(work, { withFileTypes: true })) {
    if (e.name === 'lock') continue;
    fs.rmSync(path.join(work, e.name), { recursive: true, force: true });
    if (e.name.endsWith('.new')) discarded++;
  }
  if (discarded && !said) said = `discarded ${discarded} file(s) staged by an interrupted synth that had not started to change ${shown}`;
  return said;
}

/** If a synth was interrupted in `out`, finishes or discards its work. Returns what it did ('' if nothing). */
export function recoverIfInterrupted(out: string, shown: string, manifest: RegExp = MANIFEST): string {
  if (!fs.existsSync(path.join(out, WORK))) return '';
  const release = lock(out, shown);
  try {
    return recover(out, shown, manifest);
  } finally {
    release();
  }
}

export interface WriteOptions {
  /** How the folder is named in messages. */
  readonly shown?: string;
  /** The files synth owns (default *.k8s.yaml): stale ones are removed. */
  readonly manifest?: RegExp;
}

export interface WriteResult {
  readonly written: string[];
  readonly removed: string[];
  /** What finishing or discarding an interrupted run did ('' if nothing). */
  readonly recovered: string;
}

/**
 * Makes `out` hold exactly `files` (name -> content; names are manifests without folders), removing the
 * manifests it held before that are not in `files`. Call checkOutFolder first. Returns
 * { written, removed, recovered }. Throws an OutFolderError whose message says in which state `out` is.
 */
export function writeOutFolder(out: string, files: ReadonlyMap<string, string | Uint8Array>, { shown = out, manifest = MANIFEST }: WriteOptions = {}): WriteResult {
  const names = [...files.keys()].sort();
  for (const n of names) if (!owned(n, manifest)) throw new Error(`synth writes ${describe(manifest)} files into one folder; the app produced ${JSON.stringify(n)}`);
  let release: (() => void) | undefined;
  let phase: 'recover' | 'stage' | 'apply' = 'stage'; // 'recover': finishing an interrupted run; 'stage': out not changed yet; 'apply': after the commit point
  const progress: Progress = { installed: [], removed: [] };
  const work = path.join(out, WORK);
  const existed = fs.existsSync(out);
  try {
    fs.mkdirSync(out, { recursive: true });
    release = lock(out, shown);
    phase = 'recover';
    const recovered = recover(out, shown, manifest);
    phase = 'stage';
    const foreign = foreignEntries(out, manifest);
    if (foreign.length) throw new OutFolderError(`refusing to write to ${shown}: ${foreign.join(', ')} appeared in it while synth ran. Nothing was changed.`, 2);
    const remove = fs.readdirSync(out).filter((n) => owned(n, manifest) && !files.has(n)).sort();
    for (const name of names) {
      writeDurably(path.join(work, `${name}.new`), files.get(name)!);
      step(`staged:${name}`);
    }
    // One rename (or unlink) is atomic by itself; several need the journal, so that the next run can
    // finish them all if this one is killed between two of them.
    const journaled = names.length + remove.length > 1;
    if (journaled) {
      const journalFile = path.join(work, 'journal.json');
      writeDurably(`${journalFile}.tmp`, JSON.stringify({ pid: process.pid, install: names, remove }));
      fs.renameSync(`${journalFile}.tmp`, journalFile);
      fsyncPath(work); // the journal is on disk before the first rename
      step('committed');
    }
    phase = 'apply';
    apply(out, { install: names, remove }, '', progress, journaled);
    return { written: names, removed: progress.removed, recovered };
  } catch (err) {
    if (err instanceof OutFolderError) throw err;
    const reason = message(err);
    if (phase === 'recover') {
      throw new OutFolderError(`could not finish the update of ${shown} that an interrupted synth had begun (${reason}): `
        + `every file in it is complete, some with their old content; the next synth into ${shown} tries again`, 1);
    }
    if (phase === 'stage') {
      if (release) {
        try {
          for (const n of fs.readdirSync(work)) if (n !== 'lock') fs.rmSync(path.join(work, n), { force: true });
        } catch {
          // reported below: the staged files stay in the work folder, which the next run discards
        }
      }
      throw new OutFolderError(`could not write ${shown} (${reason}); ${existed ? 'its files were not changed' : fs.existsSync(out) ? 'it was created, with no manifest in it' : 'it was not created'}`, 1);
    }
    const done = progress.installed.length;
    throw new OutFolderError(`could not finish writing ${shown} (${reason}): ${done} of ${names.length} file(s) have their new content, `
      + `the others still their old one, every file complete; the next synth into ${shown} finishes the update from ${WORK}/journal.json`, 1);
  } finally {
    if (release) {
      try {
        release();
      } catch {
        // a lock that cannot be removed is taken over by the next run (its pid is dead)
      }
    }
  }
}

