#!/usr/bin/env node
'use strict';
// `npm run synth [-- --out DIR]`: synthesizes the main chart into a temporary folder next to the output
// folder, validates it, and only then swaps it in. A failing app (bad props, validation errors) leaves the
// previous output untouched; files of charts that no longer exist disappear with the old folder.
// `--app FILE` synthesizes another TypeScript module that exports `buildApp({ outdir })`;
// `--no-validate` skips the offline validator (for measuring it; never for output you commit).
const fs = require('fs');
const path = require('path');
const { loadSource, root } = require('./load-src');

function main(argv) {
  const outIdx = argv.indexOf('--out');
  const outdir = path.resolve(root, outIdx >= 0 ? argv[outIdx + 1] : 'dist');
  const appIdx = argv.indexOf('--app');
  const appFile = appIdx >= 0 ? argv[appIdx + 1] : 'src/main.ts';
  const parent = path.dirname(outdir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}-synth-`));
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it private; dist/ is a normal folder
  try {
    const src = loadSource(appFile);
    const app = src.buildApp({ outdir: tmp });
    app.synth();
    const report = argv.includes('--no-validate') ? undefined : validate(app, tmp, outdir);
    if (report && !report.ok) {
      throw Object.assign(new Error(`validation failed with ${report.errors.length} error(s); ${path.relative(root, outdir)}/ was left untouched`), { quiet: true });
    }
    swap(tmp, outdir);
    const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml'));
    console.error(`synthesized ${files.length} file(s) into ${path.relative(root, outdir) || '.'}/`);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    console.error(err.quiet ? `error: ${err.message}` : `error: ${err.message}\n${path.relative(root, outdir)}/ was left untouched`);
    process.exitCode = 1;
  }
}

/** Runs the offline validator over the synthesized objects, when it is present; prints the findings. */
function validate(app, dir, outdir) {
  let validator;
  try {
    validator = loadSource('src/validator/index.ts');
  } catch (e) {
    if (!fs.existsSync(path.join(root, 'src/validator/index.ts'))) return undefined;
    throw e;
  }
  const report = validator.validateDirectory(dir, { constructPaths: constructPathsOf(app) });
  // report the files under the name they get once swapped in
  const shown = path.relative(process.cwd(), outdir) || '.';
  for (const f of report.findings) {
    if (f.object.file) f.object.file = path.join(shown, path.relative(dir, path.resolve(f.object.file)));
  }
  if (report.findings.length > 0) console.error(validator.formatFindings(report.findings));
  return report;
}

/** Maps `kind/namespace/name` of every ApiObject to its construct path. */
function constructPathsOf(app) {
  const { ApiObject } = require('cdk8s');
  const paths = new Map();
  for (const c of app.node.findAll()) {
    if (c instanceof ApiObject) paths.set(`${c.kind}/${c.metadata.namespace ?? ''}/${c.name}`, c.node.path);
  }
  return (obj) => paths.get(`${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name}`);
}

/** Replaces `outdir` by `tmp` with two renames, so readers never see a half-written folder. */
function swap(tmp, outdir) {
  const old = `${tmp}-old`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, old);
  fs.renameSync(tmp, outdir);
  fs.rmSync(old, { recursive: true, force: true });
}

main(process.argv.slice(2));
