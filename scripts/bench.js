#!/usr/bin/env node
'use strict';
// `npm run bench [-- --runs N] [--large-runs N] [--originations N] [--user-runs N] [--user-app-only] [--hostile-only]`: the performance figures the project
// promises, each measured against an anchor run in the same process, alternately, so that a busy machine
// slows both alike. Does not run the test suite; removes its temporary folder even when it fails.
//
//  1. The anchor: a plain cdk8s app (test/fixtures/bench/plain-main.ts) writing the main app's objects (its
//     three charts) with the raw bindings of imports/ and cdk8s ApiObjects, compiled once with esbuild;
//     against it, `node scripts/synth.js --each-file` (synth + validation + safe write: what `npm run synth`
//     runs) of the main app, and the same with --no-validate. Medians of N runs, ratio.
//  2. The same at 10,000 sidecar TLS originations: test/fixtures/bench/plain-many.ts against
//     `node scripts/synth.js --app` test/fixtures/bench/many-origins.ts (precompiled into .bench/), and the validator's own share.
//  3. EgressTlsOrigination in one chart (100 / 1,000 / 10,000), each size in a fresh Node process:
//     construct + synth, then validation of the synthesized objects.
//  4. 1,000 hosts through one egress gateway (Istio API and Gateway API) beside 1,000 sidecar originations,
//     `node scripts/synth.js --app` test/fixtures/bench/gateway-many.ts (precompiled) (budget: 3 s through a gateway).
//  5. A production-like user app (test/fixtures/apps/user-app: four charts in four namespaces, sidecar SIMPLE
//     and MUTUAL, an egress gateway, a lockdown), as a user runs it: `cdk8s synth` (ts-node, with the README's
//     validation plugin block in its cdk8s.yaml) against `cdk8s-istio-egress synth` (lib/: run `npm run build`
//     first), alternately, median of --user-runs N (default 3), ratio; both must write the same manifests.
//  6. The validator on hostile input (issue 14): `node scripts/validate.js FILE` in a fresh process on 10 MiB, 2.5 MB
//     and 1 MB of "[", a 10 KB JSON file nested 5,000 levels, 100,000 small documents (8 MB) and 1 MB of bare
//     "---" lines, beside a plain parse of the same bytes by the yaml package (parseAllDocuments, its default
//     options, stopped after 60 s), alternately, median of --large-runs N; wall time, peak RSS (budget: a few
//     seconds and under 300 MB) and ratio. Only this section: --hostile-only.
// Every anchor must write byte for byte what synth.js writes (checked), or the ratio would compare unequal work.
// Everything measured runs the compiled lib/ (`npm run build` first), with Node's compile cache where Node has
// one (22.1+), as the package's bin runs for users; on Node 20 nothing is cached.
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { checkBuilt, root } = require('./built');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : def;
  if (!Number.isInteger(v) || v < 1) {
    console.error(`error: ${name} needs a positive integer (got ${JSON.stringify(argv[i + 1])})`);
    process.exit(2);
  }
  return v;
};
const runs = opt('--runs', 9);
const largeRuns = opt('--large-runs', 3);
const originations = opt('--originations', 10000);
const userRuns = opt('--user-runs', 3);
const userAppOnly = argv.includes('--user-app-only'); // section 5 alone
const hostileOnly = argv.includes('--hostile-only'); // section 6 alone

let work;
const apps = path.join(root, '.bench');
function cleanup() {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(apps, { recursive: true, force: true });
  work = undefined;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;

/** Runs node with args (fresh output folder each time); returns wall ms and the phase times synth.js reports. */
function timed(args, { out, env = {} }) {
  fs.rmSync(out, { recursive: true, force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: root, encoding: 'utf8', maxBuffer: 1 << 26,
    env: { ...process.env, CDK8S_OUTDIR: out, CDK8S_ISTIO_EGRESS_SYNTH_TIMES: '1', ...env },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  const line = /^times \(ms\): (.*)$/m.exec(r.stderr);
  const phases = line ? Object.fromEntries(line[1].split(', ').map((p) => {
    const i = p.lastIndexOf(' ');
    return [p.slice(0, i), Number(p.slice(i + 1))];
  })) : {};
  return { ms, phases };
}

function sameOutput(anchorOut, oursOut, label) {
  const a = fs.readdirSync(anchorOut).sort();
  for (const f of a) {
    if (!fs.readFileSync(path.join(anchorOut, f)).equals(fs.readFileSync(path.join(oursOut, f)))) {
      throw new Error(`${label}: the anchor's ${f} differs from synth.js's: update the anchor app so both do the same work`);
    }
  }
  const extra = fs.readdirSync(oursOut).filter((f) => !a.includes(f));
  return extra.length ? ` (synth.js also writes ${extra.join(', ')}: the ratio includes them)` : '';
}

// between two runs, let a signal (SIGTERM, SIGINT) be handled: the runs themselves block the event loop
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Alternates anchor and synth.js runs; prints medians and ratio. */
async function compare(title, anchorJs, oursArgs, n, env = {}) {
  const anchorOut = path.join(work, 'out-anchor');
  const oursOut = path.join(work, 'out-synth');
  // one untimed run each: fills Node's compile cache where Node has one (22.1+; the anchor is precompiled) and checks the outputs
  timed([anchorJs], { out: anchorOut, env });
  timed(['scripts/synth.js', '--out', oursOut, ...oursArgs], { out: oursOut, env });
  const note = sameOutput(anchorOut, oursOut, title);
  const anchor = [];
  const ours = [];
  const unvalidated = [];
  for (let i = 0; i < n; i++) {
    await tick();
    anchor.push(timed([anchorJs], { out: anchorOut, env }).ms);
    ours.push(timed(['scripts/synth.js', '--out', oursOut, ...oursArgs], { out: oursOut, env }));
    unvalidated.push(timed(['scripts/synth.js', '--out', oursOut, '--no-validate', ...oursArgs], { out: oursOut, env }).ms);
  }
  const a = median(anchor);
  const o = median(ours.map((r) => r.ms));
  const u = median(unvalidated);
  const phase = (name) => median(ours.map((r) => r.phases[name] ?? 0));
  console.log(`\n${title}, median of ${n} (alternating runs)${note}`);
  console.log(`  plain precompiled cdk8s app:   ${fmt(a)} (min ${fmt(Math.min(...anchor))})`);
  console.log(`  node scripts/synth.js:         ${fmt(o)} (min ${fmt(Math.min(...ours.map((r) => r.ms)))})`);
  console.log(`  ratio:                         ${(o / a).toFixed(2)}x`);
  console.log(`  synth.js --no-validate:        ${fmt(u)} (${(u / a).toFixed(2)}x): validation adds ${Math.round(o - u)} ms of wall time`);
  console.log(`  synth.js phases (median ms): ${Object.keys(ours[0].phases).map((k) => `${k} ${Math.round(phase(k))}`).join(', ')}`);
  if ('validate (worker)' in ours[0].phases) {
    console.log(`  validator's own time ${Math.round(phase('validate (worker)'))} ms in its worker thread, of which the main thread waited ${Math.round(phase('wait-validation'))} ms`);
  } else {
    console.log(`  validator's own time ${Math.round(phase('validate'))} ms on the main thread (loading it included)`);
  }
}

async function scaling() {
  const child = `
require('module').enableCompileCache?.();
const { synthInMemory } = require(${JSON.stringify(path.join(root, 'scripts/synth.js'))});
const n = Number(process.argv[1]);
const t0 = performance.now();
const lib = require(${JSON.stringify(path.join(root, 'lib/src/index.js'))});
const { App, Chart } = require('cdk8s');
const t1 = performance.now();
const app = new App({ outdir: process.argv[2] });
const chart = new Chart(app, 'many');
for (let i = 0; i < n; i++) new lib.EgressTlsOrigination(chart, 'h' + i, { host: 'host-' + i + '.example.com' });
const t2 = performance.now();
const objects = [...synthInMemory(app, 'bench').values()].flat();
const t3 = performance.now();
const v = require(${JSON.stringify(path.join(root, 'lib/src/validator/index.js'))});
const t4 = performance.now();
const report = v.validateManifests(objects);
const t5 = performance.now();
console.log(JSON.stringify({ load: t1 - t0, construct: t2 - t1, synth: t3 - t2, vload: t4 - t3, validate: t5 - t4, errors: report.errors.length }));
`;
  console.log('\nEgressTlsOrigination in one chart, in memory (fresh process each; load = requiring the compiled library;');
  console.log('validate = validateManifests on the synthesized objects, after loading the validator):');
  console.log('      n     load  construct    synth   per 1k   validator load  validate   per 1k  errors');
  for (const n of [100, 1000, 10000]) {
    await tick();
    const r = JSON.parse(execFileSync(process.execPath, ['-e', child, String(n), path.join(work, 'unused')], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 }));
    console.log(`${String(n).padStart(7)} ${fmt(r.load).padStart(8)} ${fmt(r.construct).padStart(10)} ${fmt(r.synth).padStart(8)} ${fmt((r.construct + r.synth) / n * 1000).padStart(8)} `
      + `${fmt(r.vload).padStart(16)} ${fmt(r.validate).padStart(9)} ${fmt(r.validate / n * 1000).padStart(8)} ${String(r.errors).padStart(7)}`);
  }
}

/** The whole main app as `npm run synth` writes it (7 files), for the record: no anchor writes all of them. */
async function wholeApp() {
  const out = path.join(work, 'out-app');
  timed(['scripts/synth.js', '--out', out, '--each-file'], { out });
  const ms = [];
  for (let i = 0; i < runs; i++) {
    await tick();
    ms.push(timed(['scripts/synth.js', '--out', out, '--each-file'], { out }).ms);
  }
  console.log(`\nthe whole main app (npm run synth: ${fs.readdirSync(out).length} files), median of ${runs}: ${fmt(median(ms))}`);
}

/**
 * Issue budget: 1,000 hosts through one egress gateway, construct + synth + validation, in 3 s or less on
 * this 2-core machine; beside the sidecar flow at the same number of hosts, each `node scripts/synth.js
 * --app` test/fixtures/bench/gateway-many.ts (precompiled) in a fresh process (FLOW, HOSTS), alternating.
 */
async function gateways() {
  const hosts = 1000;
  const flows = [['sidecar', 'EgressTlsOrigination (2 objects per host)'], ['gateway', 'EgressGatewayTlsOrigination, Istio API (5 per host)'],
    ['gateway-api', 'GatewayApiEgressTlsOrigination, Gateway API (4 per host)']];
  const out = path.join(work, 'out-gateways');
  const args = ['scripts/synth.js', '--out', out, '--app', '.bench/gateway-many.js'];
  const times = Object.fromEntries(flows.map(([f]) => [f, []]));
  for (const [f] of flows) timed(args, { out, env: { FLOW: f, HOSTS: String(hosts) } }); // fills the transpile and compile caches
  for (let i = 0; i < largeRuns; i++) {
    for (const [f] of flows) {
      await tick();
      times[f].push(timed(args, { out, env: { FLOW: f, HOSTS: String(hosts) } }).ms);
    }
  }
  console.log(`\n${hosts.toLocaleString('en')} hosts, construct + synth + validation + write (node scripts/synth.js), median of ${largeRuns}; budget 3 s through a gateway:`);
  for (const [f, label] of flows) {
    const m = median(times[f]);
    console.log(`  ${label.padEnd(56)} ${fmt(m)} (${(m / median(times.sidecar)).toFixed(2)}x the sidecar flow)${f === 'sidecar' ? '' : m <= 3000 ? ' within budget' : ' OVER BUDGET'}`);
  }
}

/** Section 5: the user-app fixture, `cdk8s synth` against `cdk8s-istio-egress synth`, side by side. */
async function userApp() {
  if (!fs.existsSync(path.join(root, 'lib', 'src', 'synth', 'command.js'))) throw new Error('the user-app section runs lib/: run npm run build first');
  const app = path.join(work, 'user-app');
  fs.mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  const fixture = path.join(root, 'test', 'fixtures', 'apps', 'user-app');
  for (const f of fs.readdirSync(fixture)) fs.copyFileSync(path.join(fixture, f), path.join(app, f));
  for (const e of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (e !== '.cache') fs.symlinkSync(path.join(root, 'node_modules', e), path.join(app, 'node_modules', e));
  }
  fs.symlinkSync(root, path.join(app, 'node_modules', 'cdk8s-istio-egress')); // as installed: the README's plugin path resolves
  const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
  delete env.CDK8S_OUTDIR;
  delete env.INIT_CWD;
  const run = (args, out) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8', env, maxBuffer: 1 << 26 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
    return { ms, out };
  };
  const cdk8s = () => run([path.join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--output', 'out-cdk8s'], 'out-cdk8s');
  const ours = () => run([path.join(root, 'bin', 'cdk8s-istio-egress.js'), 'synth', '--out', 'out-ours'], 'out-ours');
  cdk8s();
  ours(); // fills the transpile cache, as any second run of a user has it
  const manifests = (d) => fs.readdirSync(path.join(app, d)).filter((f) => f.endsWith('.k8s.yaml')).sort();
  const theirs = manifests('out-cdk8s');
  if (theirs.join() !== manifests('out-ours').join() || theirs.some((f) => !fs.readFileSync(path.join(app, 'out-cdk8s', f)).equals(fs.readFileSync(path.join(app, 'out-ours', f))))) {
    throw new Error('user app: cdk8s synth and cdk8s-istio-egress synth wrote different manifests');
  }
  const a = [];
  const o = [];
  for (let i = 0; i < userRuns; i++) {
    await tick();
    a.push(cdk8s().ms);
    o.push(ours().ms);
  }
  const ma = median(a);
  const mo = median(o);
  console.log(`\nthe user-app fixture (test/fixtures/apps/user-app: ${theirs.length} charts, same bytes checked), median of ${userRuns} (alternating runs):`);
  console.log(`  cdk8s synth (ts-node + validation plugin):  ${fmt(ma)} (min ${fmt(Math.min(...a))})`);
  console.log(`  cdk8s-istio-egress synth:                    ${fmt(mo)} (min ${fmt(Math.min(...o))})`);
  console.log(`  ratio:                                       ${(mo / ma).toFixed(3)}x (${(ma / mo).toFixed(1)} times faster; target: at most 0.1x)`);
}

/**
 * Section 6: the validator on hostile input beside a plain parse by the yaml package, each in a fresh process
 * that reports its peak RSS (process.resourceUsage().maxRSS, KB) on its last stderr line.
 */
async function hostile() {
  const dir = path.join(work, 'hostile');
  fs.mkdirSync(dir);
  const doc = (i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c-${String(i).padStart(6, '0')}\n  namespace: default\n`;
  const inputs = [
    ['10 MiB of "["', 'open-10m.yaml', () => '['.repeat(10 * 1024 * 1024)],
    ['2.5 MB of "["', 'open-2500k.yaml', () => '['.repeat(2_500_000)],
    ['1 MB of "["', 'open-1m.yaml', () => '['.repeat(1_000_000)],
    ['10 KB JSON nested 5,000 levels', 'deep.json', () => '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)],
    ['100,000 small documents', 'many.yaml', () => Array.from({ length: 100_000 }, (_, i) => doc(i)).join('')],
    ['1 MB of bare "---" lines', 'dashes.yaml', () => '---\n'.repeat(262_144)],
  ];
  const rss = 'process.on("exit", () => process.stderr.write(`\\nmaxrss ${process.resourceUsage().maxRSS}\\n`));';
  const validator = `${rss} process.exitCode = require(${JSON.stringify(path.join(root, 'lib/src/validator/cli.js'))}).main([process.argv[1]]);`;
  const plain = `${rss} const t = require('fs').readFileSync(process.argv[1], 'utf8'); require(${JSON.stringify(require.resolve('yaml', { paths: [root] }))}).parseAllDocuments(t);`;
  const limit = 60_000;
  const run = (script, file) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['-e', script, file], { cwd: root, encoding: 'utf8', timeout: limit, maxBuffer: 1 << 26 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const kb = Number(/maxrss (\d+)\s*$/.exec(r.stderr ?? '')?.[1] ?? NaN);
    const timedOut = r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM';
    return { ms, mb: kb / 1024, timedOut, status: r.status, line: (r.stderr ?? '').split('\n').find((l) => /error:/.test(l)) ?? '' };
  };
  spawnSync(process.execPath, ['-e', validator, path.join(root, 'dist')], { cwd: root }); // warms the file cache
  console.log(`\nthe validator on hostile input (node scripts/validate.js FILE, fresh process) beside the yaml package's parseAllDocuments of the`);
  console.log(`same bytes (fresh process, stopped after ${limit / 1000} s), median of ${largeRuns}; budget: a few seconds and under 300 MB:`);
  console.log(`  ${'input'.padEnd(32)} ${'validator'.padStart(10)} ${'peak RSS'.padStart(9)}   ${'yaml parse'.padStart(10)} ${'peak RSS'.padStart(9)}   ratio  exit  what the validator says`);
  for (const [label, name, make] of inputs) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, make());
    const ours = [];
    const theirs = [];
    for (let i = 0; i < largeRuns; i++) {
      await tick();
      ours.push(run(validator, file));
      // a plain parse that ran out of time once is not run again
      if (!theirs.some((r) => r.timedOut)) theirs.push(run(plain, file));
    }
    const o = median(ours.map((r) => r.ms));
    const p = theirs.some((r) => r.timedOut) ? undefined : median(theirs.map((r) => r.ms));
    const mb = (x) => (Number.isFinite(x) ? `${Math.round(x)} MB` : '?');
    const oMb = Math.max(...ours.map((r) => r.mb));
    const pMb = Math.max(...theirs.map((r) => r.mb));
    const over = o > 5000 || oMb > 300 ? ' OVER BUDGET' : '';
    console.log(`  ${label.padEnd(32)} ${fmt(o).padStart(10)} ${mb(oMb).padStart(9)}   ${(p === undefined ? `> ${limit / 1000} s` : fmt(p)).padStart(10)} ${mb(pMb).padStart(9)}   `
      + `${(p === undefined ? '-' : `${(o / p).toFixed(2)}x`).padStart(5)}  ${String(ours[0].status).padStart(4)}  ${ours[0].line.replace(/^.*?error: /, '').replace(file, name).slice(0, 70)}${over}`);
    fs.rmSync(file, { force: true });
  }
}

async function main() {
  checkBuilt(); // every section runs lib/ (npm run build)
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-egress-bench-'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules')); // the anchors require cdk8s from here
  if (userAppOnly) {
    await userApp();
    return;
  }
  if (hostileOnly) {
    await hostile();
    return;
  }
  const esbuild = require('esbuild');
  const anchors = {};
  for (const name of ['plain-main', 'plain-many']) {
    anchors[name] = path.join(work, `${name}.js`);
    esbuild.buildSync({
      entryPoints: [path.join(root, 'test/fixtures/bench', `${name}.ts`)], outfile: anchors[name],
      bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'silent',
    });
  }
  // the apps synth.js runs, precompiled the same way (as a user's app is compiled before it runs), into .bench/
  // of the repository, where `require('cdk8s-istio-egress')` resolves to this package's lib/
  fs.mkdirSync(apps, { recursive: true });
  for (const name of ['anchored-charts', 'many-origins', 'gateway-many']) {
    esbuild.buildSync({
      entryPoints: [path.join(root, 'test/fixtures/bench', `${name}.ts`)], outfile: path.join(apps, `${name}.js`),
      bundle: true, platform: 'node', format: 'cjs', target: 'node20', packages: 'external', logLevel: 'silent',
    });
  }
  const cpus = os.cpus();
  console.log(`machine: ${cpus.length} cores, ${cpus[0]?.model}, Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
  await compare('the main app\'s task charts the anchor reproduces (egress-tls-origination and the two egress gateway tasks, --each-file)',
    anchors['plain-main'], ['--each-file', '--app', '.bench/anchored-charts.js'], runs);
  await wholeApp();
  await compare(`${originations.toLocaleString('en')} sidecar TLS originations in one chart`, anchors['plain-many'],
    ['--app', '.bench/many-origins.js'], largeRuns, { ORIGINATIONS: String(originations) });
  await scaling();
  await gateways();
  await userApp();
  await hostile();
  console.log(`\nload average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end (other processes share the machine: compare ratios, not seconds)`);
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
}).finally(cleanup);
