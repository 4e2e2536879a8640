#!/usr/bin/env node
'use strict';
// `npm run docs:rules`: writes docs/rules.md, the rule reference, from the validator's rule registry
// (src/validator/rules/, rulesReference() in reference.ts). test/validator/rules/reference.test.ts fails while
// the committed file differs from what this writes. `--check` only compares (exit 1 when out of date).
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'docs', 'rules.md');

require('ts-node').register({ transpileOnly: true, project: path.join(ROOT, 'tsconfig.dev.json') });
const { rulesReference } = require(path.join(ROOT, 'src/validator/rules/reference.ts'));

const text = rulesReference();
const old = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : undefined;
if (process.argv.includes('--check')) {
  if (old !== text) {
    process.stderr.write('docs/rules.md is out of date: run npm run docs:rules\n');
    process.exitCode = 1;
  }
} else if (old !== text) {
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, text);
  process.stdout.write(`wrote ${path.relative(ROOT, OUT)}\n`);
} else {
  process.stdout.write(`${path.relative(ROOT, OUT)} is up to date\n`);
}
