#!/usr/bin/env node
'use strict';
// `npm run compat`: the breaking-change check. jsii-diff compares the assembly of this checkout (`.jsii`,
// from `npm run build`) with the assembly of the last release, test/fixtures/jsii/baseline/.jsii, and fails
// on a change that breaks users of a stable API (the package is `"stability": "stable"`; `--error-on prod`):
// a removed or renamed type, prop or attribute, a prop that became required or changed type, a narrower
// parameter... Additions pass.
//
// A deliberate breaking change is declared by adding the key jsii-diff prints for it (`--keys`) to
// test/fixtures/jsii/allowed-breaking-changes.txt, with a comment saying why; it then passes.
//
// After a release: `npm run build && npm run compat -- --update-baseline` makes the released assembly the
// new baseline (the version in package.json must be the released one) and empties the list of allowed
// breaking changes. Commit both.
const fs = require('fs');
const path = require('path');
const { root, runTool } = require('./jsii-tool');

const BASELINE = path.join(root, 'test', 'fixtures', 'jsii', 'baseline');
const ALLOWED = path.join(root, 'test', 'fixtures', 'jsii', 'allowed-breaking-changes.txt');
const ALLOWED_HEADER = [
  '# Breaking changes to the stable API since the baseline release (test/fixtures/jsii/baseline), one',
  '# jsii-diff key per line (`npm run compat` prints them), each with a comment saying why. Emptied when the',
  '# baseline is updated after a release (`npm run compat -- --update-baseline`).',
  '',
].join('\n');

/** Runs jsii-diff of `updatedDir` against the baseline; returns `{ status, output }` (status 0: compatible). */
function diff(updatedDir = root, baselineDir = BASELINE, allowedFile = ALLOWED) {
  const res = runTool('jsii-diff', 'jsii-diff', [
    '--error-on', 'prod', '--keys', '--ignore-file', allowedFile, baselineDir, updatedDir,
  ], { cwd: root, capture: true });
  return { status: res.status, output: `${res.stdout}${res.stderr}`.trim() };
}

function updateBaseline() {
  const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.mkdirSync(BASELINE, { recursive: true });
  // the API is what jsii-diff compares: the README of the release (`readme`) is left out of the copy
  const { readme: _readme, ...api } = assembly;
  fs.writeFileSync(path.join(BASELINE, '.jsii'), `${JSON.stringify(api, null, 2)}\n`);
  // jsii-diff loads the baseline as a package: its jsii dependencies resolve from the repository's node_modules
  fs.writeFileSync(path.join(BASELINE, 'package.json'), `${JSON.stringify({
    name: `${pkg.name}-baseline`,
    version: assembly.version,
    private: true,
    description: `The jsii assembly of ${pkg.name}@${assembly.version}, the baseline of \`npm run compat\` (scripts/jsii-diff.js)`,
    peerDependencies: pkg.peerDependencies,
    jsii: { outdir: 'dist', targets: {} },
  }, null, 2)}\n`);
  fs.writeFileSync(ALLOWED, ALLOWED_HEADER);
  console.error(`baseline is now ${assembly.name}@${assembly.version}; allowed-breaking-changes.txt emptied`);
}

function main(argv) {
  if (argv.includes('--update-baseline')) {
    updateBaseline();
    return 0;
  }
  const { status, output } = diff();
  const baseline = JSON.parse(fs.readFileSync(path.join(BASELINE, '.jsii'), 'utf8'));
  if (output) console.error(output);
  if (status !== 0) {
    console.error(`jsii-diff: breaking change(s) to the stable API since ${baseline.name}@${baseline.version} (above). `
      + 'Restore compatibility, or declare each deliberate one by adding its key (the [bracketed] text) to '
      + 'test/fixtures/jsii/allowed-breaking-changes.txt with a comment saying why.');
    return status;
  }
  console.error(`jsii-diff: no breaking change to the stable API since ${baseline.name}@${baseline.version}`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { diff, BASELINE, ALLOWED };
