'use strict';
// Loads a TypeScript module of this repository straight from source: esbuild bundles it (packages stay
// external) without type checking (`npm run build` and `npm run lint` type-check). Scripts use it so that
// `npm run synth` always runs the current source, with no stale build to go wrong.
//
// Bundling parses the 1 MB Istio bindings (~200 ms), so the bundle is cached in
// node_modules/.cache/cdk8s-istio-egress/ and reused while every input file keeps its size and mtime.
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

function bundle(file, js, metaFile) {
  const esbuild = require('esbuild');
  const out = esbuild.buildSync({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
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

function loadSource(entry) {
  const file = path.resolve(root, entry);
  const key = createHash('sha1').update(file).digest('hex').slice(0, 16);
  const js = path.join(cacheDir, `${path.basename(entry, '.ts')}-${key}.js`);
  const metaFile = `${js}.inputs.json`;
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  } catch {
    meta = undefined;
  }
  if (!meta || !fresh(meta) || !fs.existsSync(js)) bundle(file, js, metaFile);
  process.setSourceMapsEnabled(true);
  return require(js);
}

module.exports = { loadSource, root };
