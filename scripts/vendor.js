#!/usr/bin/env node
'use strict';
// `node scripts/vendor.js` (a step of `npm run build`): bundles the CEL evaluator the validator loads when
// it compiles its first CEL rule, @bufbuild/cel with @bufbuild/cel/ext and their dependencies
// (@bufbuild/protobuf, @bufbuild/re2, @bufbuild/cel-spec), into one file, lib/vendor/cel.js, which the
// package ships. Node loads one file of about 0.6 MB in about half the time it takes to resolve, read and
// compile the packages' ~130 modules one by one (src/validator/cel-ast.ts, celLib(), requires it instead of
// the packages when it exists). The bundle is made of the installed packages, unchanged (esbuild, no
// minification); it starts with the name, version and licence of each bundled package, and their licence
// texts, and exports what the validator uses with the parser's `@bufbuild/cel <version>` as `version`.
// Then it bundles the compiled validator into lib/src/validator/bundle.js and the compiled library into
// lib/src/bundle.js (bundleValidator(), bundleLibrary() below), which the synth commands load.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const OUT = path.join(root, 'lib', 'vendor', 'cel.js');
const VALIDATOR = path.join(root, 'lib', 'src', 'validator', 'bundle.js');
const LIBRARY = path.join(root, 'lib', 'src', 'bundle.js');

/** The package.json of the package in folder `dir`. */
const manifest = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));

function main() {
  const esbuild = require('esbuild');
  // the parser's version as cel-ast.ts's parserVersion() reads it from the installed package
  const cel = manifest(path.join(root, 'node_modules', '@bufbuild', 'cel'));
  const version = `${cel.name} ${cel.version}`;
  const entry = [
    "export * from '@bufbuild/cel';",
    "export { strings } from '@bufbuild/cel/ext';",
    `export const version = ${JSON.stringify(version)};`,
  ].join('\n');
  const result = esbuild.buildSync({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'cel-entry.js', loader: 'js' },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false, metafile: true,
    legalComments: 'inline', logLevel: 'silent', outfile: OUT,
  });
  // the packages the bundle holds (name -> folder), from the files esbuild took in
  const packages = new Map();
  const packageOf = (input) => {
    const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
    if (m) packages.set(m[2], path.join(root, m[1]));
    return m?.[2];
  };
  for (const input of Object.keys(result.metafile.inputs)) packageOf(input);
  const names = [...packages.keys()].sort();
  const header = ['/*', ` * ${path.relative(root, OUT)}: written by scripts/vendor.js (npm run build). Do not edit.`,
    ' * A bundle of these packages, unchanged, each under its own licence:'];
  for (const name of names) {
    const json = manifest(packages.get(name));
    header.push(` *   ${name} ${json.version} (${json.license.replace(/^\((.*)\)$/, "$1")})`);
  }
  // the licence notices of the bundled files (esbuild keeps only /*! comments): each distinct one once,
  // with the packages it came with, and the licence files of the packages that have one
  const notices = new Map();
  for (const input of Object.keys(result.metafile.inputs)) {
    const name = packageOf(input);
    if (!name) continue;
    const lines = fs.readFileSync(path.join(root, input), 'utf8').split('\n');
    let i = lines[0]?.trim() === '"use strict";' ? 1 : 0;
    const block = [];
    while (i < lines.length && lines[i].startsWith('//')) block.push(lines[i++].replace(/^\/\/ ?/, ''));
    if (!block.some((l) => /licen[cs]e|copyright/i.test(l))) continue;
    const text = block.join('\n').trim();
    if (!notices.has(text)) notices.set(text, new Set());
    notices.get(text).add(name);
  }
  const texts = [];
  const comment = (text) => text.replace(/\*\//g, '* /').trimEnd().split('\n').map((l) => ` * ${l}`.trimEnd());
  for (const [text, from] of notices) texts.push(` * The notice of files of ${[...from].sort().join(', ')}:`, ' *', ...comment(text), ' *');
  for (const name of names) {
    const dir = packages.get(name);
    const licence = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    if (licence) texts.push(` * ${name} ${manifest(dir).version}, ${licence}:`, ' *', ...comment(fs.readFileSync(path.join(dir, licence), 'utf8')), ' *');
  }
  const code = result.outputFiles.find((f) => f.path === OUT).text;
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(`${OUT}.tmp`, `${[...header, ' *', ...texts].join('\n')}\n */\n${code}`);
  fs.renameSync(`${OUT}.tmp`, OUT);
  bundleValidator();
  bundleLibrary();
}

/**
 * lib/src/validator/bundle.js: the validator's compiled modules (lib/src/validator/**.js and the lib/src/common/
 * modules they import) in one file beside them, so that __dirname is theirs (the data in imports/validation/,
 * lib/vendor/cel.js), packages left to require. The synth commands load it with a V8 code cache
 * (src/synth/bundles.ts): one file instead of ~50 modules to resolve and read, no parse, and the functions
 * an earlier run compiled already compiled. Same code as the modules: esbuild, no minification.
 */
function bundleValidator() {
  bundle(path.join(root, 'lib', 'src', 'validator', 'index.js'), VALIDATOR);
}

/**
 * lib/src/bundle.js: the library's compiled modules (lib/src/index.js, the constructs and the bindings of
 * lib/imports/ they import) in one file beside its main module, packages left to require. The synth commands
 * load it with a V8 code cache and enter it as the package's main module before they load the app
 * (src/synth/bundles.ts, preloadLibrary()).
 */
function bundleLibrary() {
  bundle(path.join(root, 'lib', 'src', 'index.js'), LIBRARY);
}

/** Bundles the compiled module `entry` and those it imports (not packages) into `out`, with a first line saying so. */
function bundle(entry, out) {
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    packages: 'external', write: false, logLevel: 'silent', outfile: out,
  });
  const code = result.outputFiles.find((f) => f.path === out).text;
  fs.writeFileSync(`${out}.tmp`, `// ${path.relative(root, out)}: ${path.relative(root, entry)} and the modules it imports, bundled by scripts/vendor.js (npm run build). Do not edit.\n${code}`);
  fs.renameSync(`${out}.tmp`, out);
}

if (require.main === module) main();

module.exports = { OUT, VALIDATOR, LIBRARY };
