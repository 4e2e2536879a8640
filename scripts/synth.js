#!/usr/bin/env node
'use strict';
// `npm run synth [-- --out DIR] [--app FILE] [--no-validate]`: synthesizes the app in memory, validates its
// objects, and only then writes the manifests into the output folder (src/synth/out-folder.ts): every file
// there is at every instant either its old or its new complete content, and a run that is killed is finished
// or undone by the next one. A failing app (bad props, validation errors) leaves the folder untouched.
//
// The validator checks the objects the app produced (no YAML is parsed back). For a small output it runs on
// the main thread (it loads from its code cache in less time than a worker thread takes to start).
// From WORKER_MIN_OBJECTS objects on, it runs in a worker thread while the main thread renders the YAML.
//
// It runs the compiled code users run (lib/, from `npm run build`; a missing or stale lib/ is refused): the
// output folder's guarantees of lib/src/synth/out-folder.js (shared with `cdk8s-istio-egress synth`), the
// validator of the package's `cdk8s-istio-egress/validator` entry point (from its bundle, lib/src/validator/bundle.js,
// with a V8 code cache: lib/src/synth/bundles.js), and the task app compiled into
// lib/app/. A TypeScript --app is transpiled by the package's own loader, as `cdk8s-istio-egress synth`
// runs a user's TypeScript app; it imports the library by its package name, which resolves to lib/.
const path = require('path');
const { checkBuilt, root } = require('./built');

const USAGE = `usage: npm run synth [-- OPTIONS]
       node scripts/synth.js [OPTIONS]

Synthesizes the app, validates its objects offline, and only then writes the manifests.

  --out DIR       output folder (default: dist). It must be missing (it is created), empty, or hold
                  nothing but *.k8s.yaml files; synth refuses the repository root, the working directory,
                  their ancestors, src/ and any folder with other content. Synth records what it writes in
                  DIR/.cdk8s-istio-egress.sha256 and never replaces or removes a manifest it did not write.
  --adopt         take over the manifests in the output folder that synth has no record of writing:
                  replace the ones the app writes, remove the others
  --allow-private-keys
                  write private keys into the output folder (refused otherwise: it ends up in git)
  --app FILE      module (.js, or .ts transpiled without type-checking) exporting buildApp({ outdir })
                  that returns a cdk8s App (default: lib/app/main.js, app/main.ts compiled by npm run build)
  --each-file     validate each output file on its own instead of all together: for apps whose charts are
                  alternatives applied one at a time (this repository's main app: one Istio task per file)
  --istio RELEASE the Istio release validated for, 1.30 or 1.31 (default 1.31, the newest supported)
  --no-validate   skip the offline validator (for measuring; never for output you commit)
  -h, --help      print this help

Exit status: 0 written; 1 the app failed, the validator found errors, or the folder could not be written
(the message says in which state it is); 2 bad usage or a folder synth refuses to write.
`;

class UsageError extends Error {}

/** From this many objects on, validation runs in a worker thread, beside the YAML rendering. */
const WORKER_MIN_OBJECTS = 1000;

function parseArgs(argv) {
  const opts = { out: 'dist', app: 'lib/app/main.js', validate: true, eachFile: false, adopt: false, allowPrivateKeys: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--out': opts.out = value(); break;
      case '--app': opts.app = value(); break;
      case '--istio': {
        const release = value();
        const { ISTIO_RELEASES } = require('../lib/src/synth/bundles.js').loadValidator(); // the copy validation uses
        if (!ISTIO_RELEASES.includes(release)) throw new UsageError(`--istio must be one of the supported Istio releases ${ISTIO_RELEASES.join(', ')} (got ${JSON.stringify(release)})`);
        opts.istio = release;
        break;
      }
      case '--no-validate':
      case '--each-file':
      case '--adopt':
      case '--allow-private-keys':
      case '-h':
      case '--help':
        if (eq > 0) throw new UsageError(`${flag} takes no value`);
        if (flag === '--no-validate') opts.validate = false;
        else if (flag === '--each-file') opts.eachFile = true;
        else if (flag === '--adopt') opts.adopt = true;
        else if (flag === '--allow-private-keys') opts.allowPrivateKeys = true;
        else opts.help = true;
        break;
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option ${JSON.stringify(arg)}` : `unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  return opts;
}

const times = process.env.CDK8S_ISTIO_EGRESS_SYNTH_TIMES ? { 'node+require': performance.now() } : undefined;
let mark = performance.now();
function lap(name) {
  const now = performance.now();
  if (times) times[name] = (times[name] ?? 0) + now - mark;
  mark = now;
}

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  checkBuilt();
  // the output folder's guarantees, shared with `cdk8s-istio-egress synth`
  const { checkOutFolder, writeOutFolder, recoverIfInterrupted, OutFolderError, step, showPath: show, summarize } = require('../lib/src/synth/out-folder.js');
  const { findPrivateKeys, privateKeyMessage, privateKeyWarning } = require('../lib/src/synth/private-keys.js');
  // scalars kubectl (go-yaml v2) would read as another type than cdk8s wrote them are double-quoted
  const { kubectlSafeText } = require('../lib/src/synth/kubectl-safe.js');
  const { yamlText } = require('../lib/src/synth/yaml-text.js');
  // the library and the validator of the package's entry points from their bundles, with their V8 code caches
  const { loadValidator, preloadLibrary, saveCodeCaches } = require('../lib/src/synth/bundles.js');
  lap('node+require');
  const out = path.resolve(opts.out);
  const shown = show(out);
  let worker;
  try {
    const protect = [['the working directory', process.cwd()]];
    if (process.env.INIT_CWD) protect.push(['the folder npm was run from', process.env.INIT_CWD]);
    checkOutFolder(out, { root, protect, shown });
    const recovered = recoverIfInterrupted(out, shown);
    if (recovered) console.error(recovered);
    lap('check');

    preloadLibrary(); // the app's require('cdk8s-istio-egress') returns the bundle's exports
    const { buildApp } = loadApp(opts.app);
    lap('load');
    const app = buildApp?.({ outdir: out });
    if (!app) throw new Error(`${opts.app} must export a function buildApp({ outdir }) that returns a cdk8s App`);
    lap('construct');
    const docs = synthInMemory(app, opts.app);
    lap('synth');
    step('synthesized');

    let checked;
    if (opts.validate) {
      const request = {
        files: [...docs].map(([name, objects]) => {
          const kept = objects.filter((o) => o !== undefined);
          return { file: path.join(shown, name), objects: kept, paths: kept.map((o) => docs.pathOf.get(o)) };
        }),
        eachFile: opts.eachFile,
        ...(opts.istio ? { istio: opts.istio } : {}),
      };
      const count = request.files.reduce((n, f) => n + f.objects.length, 0);
      const mode = process.env.CDK8S_ISTIO_EGRESS_SYNTH_WORKER; // 'always' / 'never': for tests and measurements
      if (mode === 'always' || (mode !== 'never' && count >= WORKER_MIN_OBJECTS)) {
        worker = startValidator();
        checked = worker.validate(request);
        lap('post');
      } else {
        checked = Promise.resolve(validateObjects(loadValidator(), request));
        lap('validate');
      }
    }
    // what cdk8s's Yaml.stringify writes, byte for byte (most documents by a faster writer: src/synth/yaml-text.ts)
    const texts = new Map([...docs].map(([name, objects]) => [name, kubectlSafeText(yamlText(objects))]));
    lap('stringify');
    if (checked) {
      const { errors, text, ms } = await checked;
      if (worker) {
        lap('wait-validation');
        if (times) times['validate (worker)'] = ms;
      }
      if (text) process.stderr.write(text);
      if (errors > 0) throw Object.assign(new Error(`validation failed with ${errors} error(s); ${shown} was left untouched`), { quiet: true });
    }

    if (opts.validate && !worker) saveCodeCaches(); // a run without the bundles' code caches writes them
    const keys = findPrivateKeys(docs);
    if (keys.length && !opts.allowPrivateKeys) throw Object.assign(new Error(privateKeyMessage(keys, shown)), { quiet: true });
    if (keys.length) console.error(privateKeyWarning(keys, shown));
    const result = writeOutFolder(out, texts, { shown, adopt: opts.adopt });
    lap('write');
    saveCodeCaches(); // a run with --no-validate or the worker writes them here
    process.stderr.write(summarize(result, shown, opts.adopt));
    return 0;
  } catch (err) {
    if (err instanceof OutFolderError) {
      console.error(`error: ${err.message}`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    const detail = process.env.DEBUG && !err?.quiet && err?.stack ? `\n${err.stack}` : '';
    console.error(err?.quiet ? `error: ${message}` : `error: ${message}${detail}\n${shown} was left untouched`);
    return 1;
  } finally {
    if (worker) {
      await worker.stop();
      lap('stop worker');
    }
    if (times) console.error(`times (ms): ${Object.entries(times).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
  }
}

/** Requires the app module `file`: JavaScript as it is, TypeScript through the package's loader (lib/src/synth/typescript-loader.js). */
function loadApp(file) {
  const full = path.resolve(file);
  if (full.endsWith('.ts')) {
    const { TypeScriptLoader } = require('../lib/src/synth/typescript-loader.js');
    const sourceMaps = Boolean(process.env.DEBUG);
    new TypeScriptLoader({ entry: full, cacheDir: path.join(root, 'node_modules', '.cache', 'cdk8s-istio-egress', 'ts'), sourceMaps }).register();
    if (sourceMaps) process.setSourceMapsEnabled(true);
  }
  return require(full);
}

/**
 * Runs `app.synth()` but keeps the manifests in memory: name -> objects, exactly what cdk8s would render
 * into each file (cdk8s's own synth validations, chart dependencies and file naming all apply).
 */
function synthInMemory(app, appFile) {
  const cdk8s = require('cdk8s');
  if (!(app instanceof cdk8s.App)) throw new Error(`buildApp() of ${appFile} must return a cdk8s App`);
  if (app.yamlOutputType === cdk8s.YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) {
    throw new Error(`yamlOutputType FOLDER_PER_CHART_FILE_PER_RESOURCE is not supported by npm run synth, which writes one folder of *.k8s.yaml files`);
  }
  const files = new Map();
  // the construct path of every rendered object, by identity (chart.toJson() returns what ApiObject.toJson() made)
  // (generated bindings override toJson() and return a new object, so the paths of the base toJson() calls
  // are matched to the chart's rendered objects by order: one base call per object, in rendering order)
  const pathOf = new WeakMap();
  Object.defineProperty(files, 'pathOf', { value: pathOf });
  const saved = {
    outdir: app.outdir, recordConstructMetadata: app.recordConstructMetadata, save: cdk8s.Yaml.save,
    toJson: cdk8s.ApiObject.prototype.toJson, synthChart: cdk8s.App._synthChart,
  };
  const rendered = [];
  cdk8s.ApiObject.prototype.toJson = function toJson() {
    rendered.push(this.node.path);
    return saved.toJson.call(this);
  };
  cdk8s.App._synthChart = function _synthChart(chart) {
    rendered.length = 0;
    const objects = saved.synthChart.call(this, chart);
    if (rendered.length === objects.length) objects.forEach((o, i) => o && typeof o === 'object' && pathOf.set(o, rendered[i]));
    return objects;
  };
  // app.synth() creates app.outdir first: point it at a folder that exists, so a failing app creates nothing
  app.outdir = root;
  app.recordConstructMetadata = false;
  cdk8s.Yaml.save = (file, objects) => files.set(path.relative(root, file), objects);
  try {
    app.synth();
  } finally {
    cdk8s.ApiObject.prototype.toJson = saved.toJson;
    cdk8s.App._synthChart = saved.synthChart;
    cdk8s.Yaml.save = saved.save;
    app.outdir = saved.outdir;
    app.recordConstructMetadata = saved.recordConstructMetadata;
  }
  return files;
}

/**
 * Validates the objects of all files together (or of each file on its own with `eachFile`), with their files
 * and construct paths (by object); answers with the error count, the report text and its own time. Runs as
 * is in the worker too.
 */
function validateObjects(v, { files, eachFile, istio }) {
  const t0 = performance.now();
  const fileOf = new Map();
  const pathOf = new Map();
  for (const f of files) {
    f.objects.forEach((o, i) => {
      if (!o || typeof o !== 'object') return;
      fileOf.set(o, f.file);
      if (f.paths[i]) pathOf.set(o, f.paths[i]);
    });
  }
  const groups = eachFile ? files.map((f) => f.objects) : [files.flatMap((f) => f.objects)];
  const findings = groups.flatMap((objects) => v.validateManifests(objects, { files: fileOf, constructPaths: pathOf, ...(istio ? { istio } : {}) }).findings);
  const text = findings.length ? v.formatFindings(findings) : '';
  return { errors: findings.filter((f) => f.severity === 'error').length, text, ms: performance.now() - t0 };
}

/** The validator in a worker thread; `validate(request)` answers as validateObjects() does. */
function startValidator() {
  const { Worker } = require('worker_threads');
  const worker = new Worker(`
    const { parentPort, workerData } = require('worker_threads');
    require('module').enableCompileCache?.();
    const { loadValidator, saveCodeCaches } = require(workerData.loader);
    const v = loadValidator();
    ${validateObjects.toString()}
    parentPort.on('message', (request) => {
      const answer = validateObjects(v, request);
      saveCodeCaches();
      parentPort.postMessage(answer);
    });
  `, { eval: true, workerData: { loader: require.resolve('../lib/src/synth/bundles.js') } });
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

/**
 * Exits with `code` once stdout and stderr have flushed. Everything synth does is done by then (files are
 * written synchronously, the worker is stopped); exiting explicitly spares Node tearing down the heap of the
 * app and the validator, which costs 10-20 ms of wall time at the end of a run.
 */
function exitWhenFlushed(code) {
  process.exitCode = code;
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  if (pending.length === 0) process.exit(code);
  let left = pending.length;
  for (const s of pending) {
    s.once('drain', () => {
      if (--left === 0) process.exit(code);
    });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(exitWhenFlushed);
}

module.exports = { synthInMemory };
