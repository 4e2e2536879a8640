/**
 * Loads a CommonJS bundle that `npm run build` wrote into lib/ (lib/src/validator/bundle.js, lib/vendor/cel.js)
 * through Node's public `vm.Script` with a V8 code cache: the bytecode of the functions a previous run compiled,
 * so that a run neither parses the bundle nor compiles those functions again. Node 20 has no compile cache of
 * its own, and Node 22's (`module.enableCompileCache()`) caches a module as compiled before it ran, without the
 * functions compiled while it runs, which are most of the validator's first call.
 *
 * The cache lives outside the package (which may be read-only and shared): in a folder of the OS temp dir that
 * belongs to the user and that only the user may write (`cdk8s-istio-egress-code-cache-<uid>`; any other owner
 * or mode and nothing is read or written), one file per bundle and Node named by hashes of the bundle's path and
 * the Node version, platform and architecture, and of the bundle file's identity (device, inode, size, mtime and
 * ctime: a build writes a new file; hashing the text would cost more than a millisecond a bundle), so a rebuilt
 * bundle or another Node never reads a stale cache (V8 also refuses a cache of another V8 or other flags, and
 * one of a source of another length: `cachedDataRejected`); saving a new cache removes the bundle's older ones. A run without a usable cache
 * compiles the bundle as `require` would, and saveCodeCaches() (after the work, by the caller) writes one,
 * atomically (a file of its own, then a rename): concurrent runs each write a whole file, the last rename wins.
 * Nothing here throws for the cache: an unreadable, unwritable or refused cache only costs the compilation.
 * `NODE_DISABLE_COMPILE_CACHE=1` (Node's own switch for its compile cache) turns it off;
 * `CDK8S_ISTIO_EGRESS_CODE_CACHE=DIR` puts it in DIR instead (with the same checks of owner and mode).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';

interface Pending { readonly script: vm.Script; readonly file: string }
interface Registry { loaded: Map<string, unknown>; pending: Pending[]; dir?: string | null }

// one registry per thread whatever the number of copies of this module (the validator's bundle holds one)
const KEY = Symbol.for('cdk8s-istio-egress.code-cache');
function registry(): Registry {
  const g = globalThis as { [KEY]?: Registry };
  return (g[KEY] ??= { loaded: new Map(), pending: [] });
}

/** The user's own cache folder, created when missing; undefined when there is none that is safe to use. */
function cacheDir(): string | undefined {
  const r = registry();
  if (r.dir !== undefined) return r.dir ?? undefined;
  r.dir = null;
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    const dir = process.env.CDK8S_ISTIO_EGRESS_CODE_CACHE || path.join(os.tmpdir(), `cdk8s-istio-egress-code-cache${uid === undefined ? '' : `-${uid}`}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    // a cache is code that runs: never one that another user could have written
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (process.platform !== 'win32' && (st.mode & 0o022) !== 0)) return undefined;
    r.dir = dir;
  } catch {
    return undefined;
  }
  return r.dir;
}

/**
 * The exports of the CommonJS file `file` (a bundle: it requires only built-in modules and packages, resolved
 * from its folder), compiled with its code cache when there is one; each file is loaded once per thread.
 */
export function requireWithCodeCache(file: string): any {
  const r = registry();
  if (r.loaded.has(file)) return r.loaded.get(file);
  const fd = fs.openSync(file, 'r');
  let source: string;
  let version: string;
  try {
    // the file as it is now: a build writes a new file (a new inode, a new ctime), which no utime can fake
    const st = fs.fstatSync(fd, { bigint: true });
    version = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    source = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const dir = cacheDir();
  // <name>-<the file and this Node>-<the file's version>.v8: one cache a bundle and Node, whose older ones a save removes
  const hash = (text: string, n: number) => createHash('sha256').update(text).digest('hex').slice(0, n);
  const cacheFile = dir === undefined ? undefined
    : path.join(dir, `${path.basename(file, '.js')}-${hash(`${process.version} ${process.platform} ${process.arch} ${file}`, 16)}-${hash(version, 32)}.v8`);
  let cachedData: Buffer | undefined;
  if (cacheFile !== undefined) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  // the wrapper of a CommonJS module, on one line: line numbers of stack traces stay the file's
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: file, cachedData });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) r.pending.push({ script, file: cacheFile });
  const mod = { exports: {} as any, id: file, filename: file, loaded: false };
  r.loaded.set(file, mod.exports);
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  r.loaded.set(file, mod.exports);
  return mod.exports;
}

/** The name of a cache file this module writes: `<bundle>-<16 hex: path and Node>-<32 hex: the file's version>.v8`. */
const CACHE_FILE = /^[A-Za-z0-9._-]+-[0-9a-f]{16}-[0-9a-f]{32}\.v8$/;
/** A cache not written for this long (30 days) is removed when another is saved. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/**
 * Writes the code caches of the bundles loaded without one, with every function compiled so far: call it once
 * the work is done (a run with caches writes nothing).
 */
export function saveCodeCaches(): void {
  const r = registry();
  for (const { script, file } of r.pending.splice(0)) {
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, file);
      // the caches of earlier texts of the same bundle for the same Node are of no more use, nor, after STALE_MS
      // without a write, the caches of installs and Node versions that may be gone (a cache in use is only read:
      // such a one is written again by its next run)
      const stem = path.basename(file).replace(/[0-9a-f]{32}\.v8$/, '');
      const now = Date.now();
      for (const f of fs.readdirSync(path.dirname(file))) {
        if (!CACHE_FILE.test(f) || f === path.basename(file)) continue;
        const p = path.join(path.dirname(file), f);
        if (f.startsWith(stem) || now - fs.statSync(p).mtimeMs > STALE_MS) fs.rmSync(p, { force: true });
      }
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }
}
