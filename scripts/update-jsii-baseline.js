#!/usr/bin/env node
'use strict';
// `npm run compat:update-baseline`, after a release (with `npm run build` of the released version): makes its
// assembly the baseline `npm run compat` (jsii-diff) compares against, test/fixtures/jsii/baseline/, and empties
// the list of allowed breaking changes. Commit both. A script because the baseline is a package of its own:
// jsii-diff loads it with its package.json (its jsii dependencies resolve from node_modules), and the README of
// the release (`readme`) is left out of the copy (the API is what jsii-diff compares).
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const baseline = path.join(root, 'test', 'fixtures', 'jsii', 'baseline');
const { readme: _readme, ...api } = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
fs.mkdirSync(baseline, { recursive: true });
fs.writeFileSync(path.join(baseline, '.jsii'), `${JSON.stringify(api, null, 2)}\n`);
fs.writeFileSync(path.join(baseline, 'package.json'), `${JSON.stringify({
  name: `${pkg.name}-baseline`,
  version: api.version,
  private: true,
  description: `The jsii assembly of ${pkg.name}@${api.version}, the baseline of \`npm run compat\` (jsii-diff)`,
  peerDependencies: pkg.peerDependencies,
  jsii: { outdir: 'dist', targets: {} },
}, null, 2)}\n`);
fs.writeFileSync(path.join(root, 'test', 'fixtures', 'jsii', 'allowed-breaking-changes.txt'), [
  '# Breaking changes to the stable API since the baseline release (test/fixtures/jsii/baseline), one',
  '# jsii-diff key per line (`npm run compat` prints them), each with a comment saying why. Emptied when the',
  '# baseline is updated after a release (`npm run compat:update-baseline`).',
  '',
].join('\n'));
console.error(`baseline is now ${api.name}@${api.version}; allowed-breaking-changes.txt emptied`);
