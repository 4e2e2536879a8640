'use strict';
// Loads a TypeScript module of this repository straight from source: esbuild bundles it (packages stay
// external) into memory in ~100 ms, without type checking (`npm run build` and `npm run lint` type-check).
// Scripts use it so that `npm run synth` always runs the current source, with no stale build to go wrong.
const path = require('path');
const Module = require('module');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');

function loadSource(entry) {
  const file = path.resolve(root, entry);
  const out = esbuild.buildSync({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    write: false,
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  m._compile(out.outputFiles[0].text, file);
  return m.exports;
}

module.exports = { loadSource, root };
