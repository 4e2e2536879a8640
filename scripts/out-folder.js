'use strict';
// The output folder of `npm run synth`, written so that nothing but synth's own manifests can be lost and no
// reader ever sees a missing folder or a partial file.
//
// Ownership: synth only writes into a folder that is missing (it is created), empty, or holds nothing but
// regular files named *.k8s.yaml (plus cdk8s's construct-metadata.json and synth's own work folder). Never the
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
const fs = require('fs');
const path = require('path');

const WORK = '.cdk8s-istio-egress-synth';
const MANIFEST = /\.k8s\.yaml$/;
const CDK8S_METADATA = 'construct-metadata.json';

/** A refusal to touch a folder (exit 2) or a failure to write it (exit 1), with a message that tells what happened to it. */
class OutFolderError extends Error {
  constructor(message, exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** `CDK8S_ISTIO_EGRESS_SYNTH_PAUSE=STEP` stops the process at STEP (tests kill it there); `..._TRACE=1` names every step on stderr. */
function step(name) {
  if (process.env.CDK8S_ISTIO_EGRESS_SYNTH_TRACE) fs.writeSync(2, `synth: step ${name}\n`);
  if (process.env.CDK8S_ISTIO_EGRESS_SYNTH_PAUSE === name) {
    fs.writeSync(2, `synth: paused at step ${name}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // blocks until the process is killed
  }
}

/** The real path of `p`: symbolic links of its existing part resolved, the missing rest appended. */
function realish(p) {
  const rest = [];
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

const within = (dir, p) => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/** Entries of the folder that synth did not write, described for a message (`.git/ (folder)`, `notes.txt`). */
function foreignEntries(dir) {
  const foreign = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === WORK && e.isDirectory()) continue;
    if ((MANIFEST.test(e.name) || e.name === CDK8S_METADATA) && e.isFile()) continue;
    const type = e.isDirectory() ? 'folder' : e.isSymbolicLink() ? 'symbolic link' : e.isFIFO() ? 'FIFO' : e.isSocket() ? 'socket'
      : e.isFile() ? 'file' : 'special file';
    foreign.push(`${e.name}${e.isDirectory() ? '/' : ''} (${type})`);
  }
  return foreign.sort();
}

/**
 * Throws an OutFolderError (exit 2) unless synth may own `out`; touches nothing. `protect` lists folders
 * (repository root, working directories) that neither `out` nor any ancestor of `out`'s contents may be.
 */
function checkOutFolder(out, { root, protect = [], shown = out }) {
  const refuse = (why) => {
    throw new OutFolderError(`refusing to write to ${shown}: ${why}. Nothing was changed.`, 2);
  };
  const real = realish(out);
  for (const [label, dir] of [['the repository root', root], ...protect]) {
    const p = realish(dir);
    if (within(real, p)) refuse(real === p ? `it is ${label}` : `it is an ancestor of ${label} (${p})`);
  }
  if (within(realish(path.join(root, 'src')), real)) refuse('it is or is inside src/, the library\'s source');
  if (real.split(path.sep).includes('.git')) refuse('it is inside a .git folder');
  let st;
  try {
    st = fs.statSync(real);
  } catch (err) {
    if (err.code === 'ENOENT') return; // created when the manifests are written
    refuse(`it cannot be read (${err.code})`);
  }
  if (!st.isDirectory()) refuse('it is not a folder');
  let foreign;
  try {
    foreign = foreignEntries(real);
  } catch (err) {
    refuse(`its content cannot be listed (${err.code})`);
  }
  if (foreign.length) {
    const list = foreign.length > 5 ? `${foreign.slice(0, 5).join(', ')} and ${foreign.length - 5} more` : foreign.join(', ');
    refuse(`it holds ${list}, which synth did not write (synth only replaces a folder that holds nothing but *.k8s.yaml manifests)`);
  }
}

function fsyncPath(p) {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeDurably(file, text) {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a small file of WORK without blocking on a FIFO or following a link; undefined if it is not a regular file. */
function readSmall(file) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ELOOP') return undefined;
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

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Takes WORK/lock; throws (exit 1) while another live synth holds it. Returns the release function. */
function lock(out, shown) {
  const work = path.join(out, WORK);
  const file = path.join(work, 'lock');
  for (let attempt = 0; ; attempt++) {
    try {
      fs.mkdirSync(work, { recursive: true });
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (attempt > 3 || (err.code !== 'EEXIST' && err.code !== 'ENOENT')) throw err;
      if (err.code === 'EEXIST') {
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

/** Renames every staged file into place and unlinks the stale ones; each step is idempotent, so a journal can be applied again. */
function apply(out, journal, prefix, progress, journaled = true) {
  const work = path.join(out, WORK);
  for (const name of journal.install) {
    try {
      fs.renameSync(path.join(work, `${name}.new`), path.join(out, name));
      progress.installed.push(name);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err; // ENOENT: renamed by the interrupted run already
    }
    step(`${prefix}installed:${name}`);
  }
  for (const name of journal.remove) {
    try {
      fs.unlinkSync(path.join(out, name));
      progress.removed.push(name);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
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
function recover(out, shown) {
  const work = path.join(out, WORK);
  let said = '';
  const text = readSmall(path.join(work, 'journal.json'));
  if (text !== undefined) {
    let journal;
    try {
      journal = JSON.parse(text);
    } catch {
      journal = undefined; // cannot happen (written by rename); treated as not committed
    }
    if (journal && Array.isArray(journal.install) && Array.isArray(journal.remove)
      && [...journal.install, ...journal.remove].every((n) => typeof n === 'string' && MANIFEST.test(n) && !n.includes('/'))) {
      const progress = { installed: [], removed: [] };
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
function recoverIfInterrupted(out, shown) {
  if (!fs.existsSync(path.join(out, WORK))) return '';
  const release = lock(out, shown);
  try {
    return recover(out, shown);
  } finally {
    release();
  }
}

/**
 * Makes `out` hold exactly `files` (name -> text; names are *.k8s.yaml without folders), removing the
 * manifests it held before that are not in `files`. Call checkOutFolder first. Returns
 * { written, removed, recovered }. Throws an OutFolderError whose message says in which state `out` is.
 */
function writeOutFolder(out, files, { shown = out } = {}) {
  const names = [...files.keys()].sort();
  for (const n of names) if (!MANIFEST.test(n) || n.includes('/') || n.includes(path.sep)) throw new Error(`synth writes *.k8s.yaml files into one folder; the app produced ${JSON.stringify(n)}`);
  let release;
  let phase = 'stage'; // 'recover': finishing an interrupted run; 'stage': out not changed yet; 'apply': after the commit point
  const progress = { installed: [], removed: [] };
  const work = path.join(out, WORK);
  const existed = fs.existsSync(out);
  try {
    fs.mkdirSync(out, { recursive: true });
    release = lock(out, shown);
    phase = 'recover';
    const recovered = recover(out, shown);
    phase = 'stage';
    const foreign = foreignEntries(out);
    if (foreign.length) throw new OutFolderError(`refusing to write to ${shown}: ${foreign.join(', ')} appeared in it while synth ran. Nothing was changed.`, 2);
    const remove = fs.readdirSync(out).filter((n) => (MANIFEST.test(n) || n === CDK8S_METADATA) && !files.has(n)).sort();
    for (const name of names) {
      writeDurably(path.join(work, `${name}.new`), files.get(name));
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
    const reason = err.message;
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

module.exports = { checkOutFolder, writeOutFolder, recoverIfInterrupted, OutFolderError, step, WORK, MANIFEST };
