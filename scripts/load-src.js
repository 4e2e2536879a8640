'use strict';
// Loads a TypeScript module of this repository straight from source: esbuild bundles it (packages stay
// external) without type checking (`npm run build` and `npm run lint` type-check). Scripts use it so that
// `npm run synth` always runs the current source, with no stale build to go wrong.
//
// Bundling parses the 1 MB Istio bindings (~200 ms), so the bundle is cached in
// node_modules/.cache/cdk8s-istio-egress/ and reused while every input file keeps its size and mtime.
// Stack traces point into the TypeScript sources when DEBUG is set (source maps cost time, so only then).
const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');

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
  // Source maps only serve stack traces, which the scripts print with DEBUG set (or node --enable-source-maps):
  // enabling them makes Node parse each bundle's 1.5 MB map on require.
  if (process.env.DEBUG) process.setSourceMapsEnabled(true);
  return require(js);
}

/** Loads `src/validator/<name>.ts` with its CEL engine (@bufbuild/*) bundled in. */
function loadValidator(name = 'index') {
  return loadSource(`src/validator/${name}.ts`, { inline: /^@bufbuild\// });
}

module.exports = { loadSource, loadValidator, root };
