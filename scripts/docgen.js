#!/usr/bin/env node
'use strict';
// `npm run docgen [-- --check]`: writes API.md with jsii-docgen from the assembly `.jsii` of `npm run build`;
// with --check, writes nothing and fails when API.md differs. A script rather than a plain jsii-docgen call
// because jsii-docgen documents the first assembly of this package's name it finds below its working folder,
// which here may be test/fixtures/jsii/baseline/.jsii: it runs in a folder that holds only the one just built.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
if (!fs.existsSync(path.join(root, '.jsii'))) {
  console.error('docgen: no jsii assembly: run `npm run build` first');
  process.exit(1);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'docgen-'));
let generated;
try {
  for (const f of ['package.json', '.jsii']) fs.copyFileSync(path.join(root, f), path.join(tmp, f));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
  execFileSync(process.execPath, [path.join(root, 'node_modules/jsii-docgen/bin/jsii-docgen'), '--output', 'API.md', '--language', 'typescript'], {
    cwd: tmp, stdio: ['ignore', 2, 'inherit'], env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  });
  generated = fs.readFileSync(path.join(tmp, 'API.md'), 'utf8');
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const file = path.join(root, 'API.md');
if (process.argv.includes('--check')) {
  const committed = (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '').split('\n');
  const lines = generated.split('\n');
  const i = lines.findIndex((l, n) => l !== committed[n]);
  const at = i >= 0 ? i : lines.length < committed.length ? lines.length : -1;
  if (at >= 0) {
    console.error(`API.md is stale (line ${at + 1}: committed ${JSON.stringify(committed[at] ?? '(end of file)')}, `
      + `generated ${JSON.stringify(lines[at] ?? '(end of file)')}): run \`npm run build && npm run docgen\` and commit API.md`);
    process.exit(1);
  }
  console.error('API.md is up to date');
} else {
  fs.writeFileSync(file, generated);
  console.error(`wrote API.md (${lines(generated)} lines)`);
}

function lines(text) {
  return text.split('\n').length;
}
