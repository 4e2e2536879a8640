#!/usr/bin/env node
'use strict';
// `npm run synth [-- --out DIR]`: synthesizes the main chart into a temporary folder next to the output
// folder, validates it, and only then swaps it in. A failing app (bad props, validation errors) leaves the
// previous output untouched; files of charts that no longer exist disappear with the old folder.
// `--app FILE` synthesizes another TypeScript module that exports `buildApp({ outdir })`;
// `--no-validate` skips the offline validator (for measuring it; never for output you commit).
//
// The validator (and its CEL engine, ~150 ms to load) starts in a worker thread while the app
// synthesizes on the main thread, so validation costs little more than the checks themselves.
const fs = require('fs');
const path = require('path');
const { Worker } = require('worker_threads');
const { loadSource, root } = require('./load-src');

async function main(argv) {
  const outIdx = argv.indexOf('--out');
  const outdir = path.resolve(root, outIdx >= 0 ? argv[outIdx + 1] : 'dist');
  const appIdx = argv.indexOf('--app');
  const appFile = appIdx >= 0 ? argv[appIdx + 1] : 'src/main.ts';
  const parent = path.dirname(outdir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}-synth-`));
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it private; dist/ is a normal folder
  const validator = argv.includes('--no-validate') ? undefined : startValidator(outdir);
  try {
    const src = loadSource(appFile);
    const app = src.buildApp({ outdir: tmp });
    app.synth();
    if (validator) {
      const shown = path.relative(process.cwd(), outdir) || '.';
      const { errors, text } = await validator.validate({ dir: tmp, shown, constructPaths: constructPathsOf(app) });
      if (text) console.error(text);
      if (errors > 0) {
        throw Object.assign(new Error(`validation failed with ${errors} error(s); ${path.relative(root, outdir)}/ was left untouched`), { quiet: true });
      }
    }
    swap(tmp, outdir);
    const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml'));
    console.error(`synthesized ${files.length} file(s) into ${path.relative(root, outdir) || '.'}/`);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    console.error(err.quiet ? `error: ${err.message}` : `error: ${err.message}\n${path.relative(root, outdir)}/ was left untouched`);
    process.exitCode = 1;
  } finally {
    await validator?.stop();
  }
}

/** The validator, loading in a worker thread; `validate()` answers with the error count and the report text. */
function startValidator(previous) {
  const worker = new Worker(`
    const path = require('path');
    const { parentPort, workerData } = require('worker_threads');
    const v = require(workerData.loader).loadValidator();
    // warm up (schemas, compiled CEL rules) on the previous output while the app synthesizes
    try { if (require('fs').existsSync(workerData.previous)) v.validateDirectory(workerData.previous); } catch {}
    parentPort.on('message', ({ dir, shown, constructPaths }) => {
      const key = (o) => o.kind + '/' + (o.metadata?.namespace ?? '') + '/' + o.metadata?.name;
      // each file is one task (files are alternatives, like Istio's tasks): each is validated on its own
      const fs = require('fs');
      const findings = [];
      for (const f of fs.readdirSync(dir).filter((n) => /\\.ya?ml$/i.test(n)).sort()) {
        const full = path.join(dir, f);
        const objects = v.parseYamlDocuments(fs.readFileSync(full, 'utf8'), full);
        findings.push(...v.validateManifests(objects, { constructPaths: (o) => constructPaths[key(o)], files: new Map(objects.map((o) => [o, full])) }).findings);
      }
      const report = { findings, errors: findings.filter((x) => x.severity === 'error') };
      // name the files as they will be once swapped in
      for (const f of report.findings) if (f.object.file) f.object.file = path.join(shown, path.relative(dir, path.resolve(f.object.file)));
      parentPort.postMessage({ errors: report.errors.length, text: report.findings.length ? v.formatFindings(report.findings) : '' });
    });
  `, { eval: true, workerData: { loader: path.join(__dirname, 'load-src.js'), previous } });
  const failed = new Promise((_, reject) => worker.once('error', reject));
  failed.catch(() => undefined); // reported by validate()
  return {
    validate: (request) => {
      worker.postMessage(request);
      return Promise.race([new Promise((resolve) => worker.once('message', resolve)), failed]);
    },
    stop: () => worker.terminate(),
  };
}

/** Maps `kind/namespace/name` of every ApiObject to its construct path. */
function constructPathsOf(app) {
  const { ApiObject } = require('cdk8s');
  const paths = {};
  for (const c of app.node.findAll()) {
    if (c instanceof ApiObject) paths[`${c.kind}/${c.metadata.namespace ?? ''}/${c.name}`] = c.node.path;
  }
  return paths;
}

/** Replaces `outdir` by `tmp` with two renames, so readers never see a half-written folder. */
function swap(tmp, outdir) {
  const old = `${tmp}-old`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, old);
  fs.renameSync(tmp, outdir);
  fs.rmSync(old, { recursive: true, force: true });
}

main(process.argv.slice(2));
