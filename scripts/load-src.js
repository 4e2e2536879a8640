'use strict';
// Loads a TypeScript module of this repository straight from source: esbuild bundles it (packages stay
// external) without type checking (`npm run build` and `npm run lint` type-check). Scripts use it so that
// `npm run synth` always runs the current source, with no stale build to go wrong.
//
// Bundling parses the 1 MB Istio bindings (~200 ms), so the bundle is cached in
// node_modules/.cache/cdk8s-istio-egress/ and reused while every input file keeps its size and mtime.
// Stack traces point into the TypeScript sources when DEBUG is set (source maps cost time, so only then).
//
// V8 compiling a bundle (the validator's is 0.7 MB) costs more than running it, so each bundle is run with
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

/** Requires a bundle of the cache, with its V8 code cache when there is one. */
function requireBundle(js) {
  if (require.cache[js]) return require.cache[js].exports;
  if (process.env.DEBUG || process.execArgv.includes('--enable-source-maps')) {
    // Source maps only serve stack traces, which the scripts print with DEBUG set: Node maps them for
    // modules it loads itself, and parsing each bundle's 1.5 MB map costs time, so only then.
    process.setSourceMapsEnabled(true);
    return require(js);
  }
  const code = fs.readFileSync(js, 'utf8');
  const v8cache = `${js}.${createHash('sha1').update(code).digest('hex').slice(0, 16)}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(v8cache);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(code), { filename: js, cachedData });
  const m = new Module(js, module);
  m.filename = js;
  m.paths = Module._nodeModulePaths(path.dirname(js));
  require.cache[js] = m;
  try {
    script.runInThisContext().call(m.exports, m.exports, Module.createRequire(js), m, js, path.dirname(js));
  } catch (err) {
    delete require.cache[js];
    throw err;
  }
  m.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected) {
    if (unsaved.length === 0) process.once('exit', saveCodeCache);
    unsaved.push({ script, v8cache });
  }
  return m.exports;
}

/** Writes the V8 code cache of the bundles run without one (called at exit; a worker thread calls it itself). */
function saveCodeCache() {
  for (const { script, v8cache } of unsaved.splice(0)) {
    try {
      const tmp = `${v8cache}.${process.pid}.${Date.now()}`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, v8cache);
    } catch {
      // a read-only cache folder: the next run compiles again
    }
  }
}

/** Loads `src/validator/<name>.ts` with its CEL engine (@bufbuild/*) bundled in. */
function loadValidator(name = 'index') {
  return loadSource(`src/validator/${name}.ts`, { inline: /^@bufbuild\// });
}

module.exports = { loadSource, loadValidator, saveCodeCache, root };
