#!/usr/bin/env node
'use strict';
// `npm run docgen`: writes API.md, the API reference, with jsii-docgen from the jsii assembly `.jsii` that
// `npm run build` writes. `npm run docgen -- --check` writes nothing and fails when API.md differs from what
// it would write (CI runs it right after the build; test/api-md.test.ts checks the same against an assembly
// built from the sources in a temporary folder).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { root, runTool } = require('./jsii-tool');

/** The API reference (TypeScript) of the assembly in `dir`, as jsii-docgen writes it. */
function renderApiMd(dir = root) {
  if (!fs.existsSync(path.join(dir, '.jsii'))) {
    throw new Error(`no jsii assembly in ${dir}: run \`npm run build\` first`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docgen-'));
  try {
    // jsii-docgen discovers every `.jsii` below its working directory and keeps one per package name: run it
    // where the only assembly of this package is the one just built (not test/fixtures/jsii/baseline/.jsii),
    // with the dependencies' assemblies reachable through node_modules.
    const project = path.join(tmp, 'project');
    fs.mkdirSync(project);
    for (const f of ['package.json', '.jsii']) fs.copyFileSync(path.join(dir, f), path.join(project, f));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    const out = path.join(tmp, 'API.md');
    const res = runTool('jsii-docgen', 'jsii-docgen', ['--output', out, '--language', 'typescript'], { cwd: project, capture: true });
    if (res.status !== 0) throw new Error(`jsii-docgen failed:\n${res.stdout}${res.stderr}`);
    return fs.readFileSync(out, 'utf8');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The first differing line of two texts, for the stale message. */
function firstDifference(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: committed ${JSON.stringify(x[i] ?? '(end of file)')}, generated ${JSON.stringify(y[i] ?? '(end of file)')}`;
  }
  return undefined;
}

function main(argv) {
  const file = path.join(root, 'API.md');
  const generated = renderApiMd(root);
  if (argv.includes('--check')) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const diff = firstDifference(committed, generated);
    if (diff !== undefined) {
      console.error(`API.md is stale (${diff}): run \`npm run build && npm run docgen\` and commit API.md`);
      return 1;
    }
    console.error('API.md is up to date');
    return 0;
  }
  fs.writeFileSync(file, generated);
  console.error(`wrote API.md (${generated.split('\n').length} lines)`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { renderApiMd, firstDifference };
