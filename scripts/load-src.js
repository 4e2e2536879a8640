'use strict';
// Loads a TypeScript module of this repository straight from source: esbuild bundles it (packages stay
// external) without type checking (`npm run build` and `npm run lint` type-check). Scripts use it so that
// `npm run synth` always runs the current source, with no stale build to go wrong.
//
// Bundling parses the 1 MB Istio bindings (~200 ms), so the bundle is cached in
// node_modules/.cache/cdk8s-istio-egress/ and reused while every input file keeps its size and mtime.
// Stack traces point into the TypeScript sources when DEBUG is set (source maps cost time, so only then).
// Bundles are whitespace-minified: without comments they are ASCII, which Node decodes several times faster.
//
// V8 compiling a bundle (the validator's is 0.8 MB) costs more than running it, so each bundle is run with
// a V8 code cache (BUNDLE.<sha1 of the bundle>.v8cache beside it), written at exit of the first process
// that runs it (or by saveCodeCache()), with every function compiled by then.
const { createHash } = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const root = path.resolve(__dirname, '..');
const cacheDir = path.join(root, 'node_modules', '.cache', 'cdk8s-istio-egress');

function stamp(file) {
  const st = fs.statSync(file);
  return `${st.size}:${st.mtimeMs}`;
}

function fresh(meta) {
  try {
    return Object.entries(meta.inputs).every(([file, s]) => stamp(path.resolve(root, file)) === s);
  } catch {
    return false;
  }
}

/** The packages this repository declares stay external (required from node_modules at run time), but those matching `inline`. */
function externals(inline) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies });
  return inline ? names.filter((n) => !inline.test(n)) : names;
}

function bundle(file, js, metaFile, inline) {
  const esbuild = require('esbuild');
  const out = esbuild.buildSync({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // no comments, less whitespace: a smaller, ASCII-only bundle (esbuild escapes non-ASCII characters but
    // keeps them in comments), which Node decodes into a one-byte string several times faster; stack traces
    // are mapped to the sources with DEBUG set either way
    minifyWhitespace: true,
    ...(inline ? { external: externals(inline) } : { packages: 'external' }),
    outfile: js,
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'silent',
    absWorkingDir: root,
  });
  const inputs = {};
  for (const input of Object.keys(out.metafile.inputs)) inputs[input] = stamp(path.resolve(root, input));
  fs.mkdirSync(cacheDir, { recursive: true });
  // write under temporary names, then rename: concurrent loaders never see a partial file
  const tmp = `.${process.pid}.${Date.now()}`;
  for (const f of out.outputFiles) fs.writeFileSync(f.path + tmp, f.contents);
  for (const f of out.outputFiles) fs.renameSync(f.path + tmp, f.path);
  const base = `${path.basename(js)}.`;
  for (const f of fs.readdirSync(cacheDir)) if (f.startsWith(base) && f.endsWith('.v8cache')) fs.rmSync(path.join(cacheDir, f), { force: true });
  fs.writeFileSync(metaFile + tmp, JSON.stringify({ inputs }));
  fs.renameSync(metaFile + tmp, metaFile);
}

/**
 * Requires the TypeScript module `entry` (relative to the repository root). Packages matching the
 * `inline` pattern are bundled in instead of required: one file loads faster than hundreds of small
 * modules (the validator inlines @bufbuild/cel: ~100 ms instead of ~200 ms).
 */
function loadSource(entry, { inline } = {}) {
  const file = path.resolve(root, entry);
  const key = createHash('sha1').update(`${file}\0${inline ?? ''}`).digest('hex').slice(0, 16);
  const js = path.join(cacheDir, `${path.basename(entry, '.ts')}-${key}.js`);
  const metaFile = `${js}.inputs.json`;
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  } catch {
    meta = undefined;
  }
  if (!meta || !fresh(meta) || !fs.existsSync(js)) bundle(file, js, metaFile, inline);
  return requireBundle(js);
}

const unsaved = [];
const sourceMaps = () => Boolean(process.env.DEBUG) || process.execArgv.includes('--enable-source-maps');

/**
 * Compiles the CommonJS wrapper of `code` with the V8 code cache in `cacheFile` when there is one; else
 * notes the script, whose cache saveCodeCache() writes. Returns the wrapper function.
 */
function compileCached(code, filename, cacheFile) {
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(code), { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    if (unsaved.length === 0) process.once('exit', saveCodeCache);
    unsaved.push({ script, cacheFile });
  }
  return script.runInThisContext();
}

/** Requires a bundle of the cache, with its V8 code cache. */
function requireBundle(js) {
  if (require.cache[js]) return require.cache[js].exports;
  if (sourceMaps()) {
    // Source maps only serve stack traces, which the scripts print with DEBUG set: Node maps them for
    // modules it loads itself, and parsing each bundle's 1.5 MB map costs time, so only then.
    process.setSourceMapsEnabled(true);
    return require(js);
  }
  const bytes = fs.readFileSync(js); // hashing the bytes costs a quarter of hashing the decoded string
  const code = bytes.toString('utf8');
  const wrapper = compileCached(code, js, `${js}.${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}.v8cache`);
  const m = new Module(js, module);
  m.filename = js;
  m.paths = Module._nodeModulePaths(path.dirname(js));
  require.cache[js] = m;
  try {
    wrapper.call(m.exports, m.exports, Module.createRequire(js), m, js, path.dirname(js));
  } catch (err) {
    delete require.cache[js];
    throw err;
  }
  m.loaded = true;
  return m.exports;
}

/** Writes the V8 code cache of the scripts compiled without one (called at exit; a worker thread calls it itself). */
function saveCodeCache() {
  for (const { script, cacheFile } of unsaved.splice(0)) {
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.${Date.now()}`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      // a read-only cache folder: the next run compiles again
    }
  }
}

let hooked = false;

/**
 * From now on, the packages of this repository's node_modules/ are compiled with V8 code caches too
 * (node_modules/.cache/cdk8s-istio-egress/v8/, keyed by path and content) — what Node 22's compile cache
 * does. cdk8s-plus-28 alone is 4.7 MB of JavaScript. Only scripts/synth.js turns this on.
 */
function enableCodeCache() {
  if (hooked || sourceMaps()) return;
  hooked = true;
  const nodeModules = path.join(root, 'node_modules') + path.sep;
  const original = Module.prototype._compile;
  Module.prototype._compile = function compile(content, filename) {
    if (!filename.startsWith(nodeModules) || filename.startsWith(cacheDir)) return original.call(this, content, filename);
    return compileModule(this, content, filename);
  };
}

/** What Module.prototype._compile does, with the code cache. */
function compileModule(mod, content, filename) {
  const req = (id) => mod.require(id);
  req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  req.resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  req.main = require.main;
  req.extensions = Module._extensions;
  req.cache = Module._cache;
  const code = content.startsWith('#!') ? `//${content.slice(2)}` : content; // a shebang is only valid first
  const key = createHash('sha1').update(filename).update('\0').update(code).digest('hex');
  const wrapper = compileCached(code, filename, path.join(cacheDir, 'v8', `${key}.v8cache`));
  return wrapper.call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
}

/** Loads `src/validator/<name>.ts` with its CEL engine (@bufbuild/*) and yaml bundled in (one file, one code cache). */
function loadValidator(name = 'index') {
  return loadSource(`src/validator/${name}.ts`, { inline: /^(@bufbuild\/|yaml$)/ });
}

module.exports = { loadSource, loadValidator, enableCodeCache, saveCodeCache, root };
