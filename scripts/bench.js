#!/usr/bin/env node
'use strict';
// `npm run bench [-- --runs N] [-- --skip-tests]`: prints the performance figures the project promises.
//  1. `npm run synth` of the main chart: median wall time over N runs, with and without validation.
//  2. N EgressTlsOrigination in one chart (100 / 1,000 / 10,000): construct + synth, then validation,
//     each size in a fresh Node process (cold module cache, as a user's synth is).
//  3. `npm test`: wall time of the whole suite (unless --skip-tests).
const { spawnSync, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const runs = Number(argv[argv.indexOf('--runs') + 1]) || 7;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));

function wall(cmd, args, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;

console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0].model}, Node ${process.version}`);

// 1. npm run synth
const out = path.join(work, 'dist');
const withV = [];
const withoutV = [];
for (let i = 0; i < runs; i++) {
  withV.push(wall('npm', ['run', '--silent', 'synth', '--', '--out', out]));
  withoutV.push(wall('npm', ['run', '--silent', 'synth', '--', '--out', out, '--no-validate']));
}
console.log(`\nnpm run synth (main chart), median of ${runs}: ${fmt(median(withV))} (min ${fmt(Math.min(...withV))}, max ${fmt(Math.max(...withV))})`);
console.log(`  without validation: ${fmt(median(withoutV))}; validation adds ${Math.round(median(withV) - median(withoutV))} ms`);

// 2. many origins in one chart
const child = `
const { loadSource, loadValidator } = require(${JSON.stringify(path.join(root, 'scripts/load-src.js'))});
const n = Number(process.argv[1]); const outdir = process.argv[2];
const t0 = performance.now();
const lib = loadSource('src/index.ts');
const { App, Chart } = require('cdk8s');
const t1 = performance.now();
const app = new App({ outdir });
const chart = new Chart(app, 'many');
for (let i = 0; i < n; i++) new lib.EgressTlsOrigination(chart, 'h' + i, { host: 'host-' + i + '.example.com' });
app.synth();
const t2 = performance.now();
const report = loadValidator().validateDirectory(outdir);
const t3 = performance.now();
console.log(JSON.stringify({ load: t1 - t0, synth: t2 - t1, validate: t3 - t2, errors: report.errors.length }));
`;
console.log('\nEgressTlsOrigination in one chart (fresh process each; load = bundling + requiring the library):');
console.log('      n     load    synth  per 1k   validate  per 1k  errors');
for (const n of [100, 1000, 10000]) {
  const dir = path.join(work, `many-${n}`);
  const r = JSON.parse(execFileSync(process.execPath, ['-e', child, String(n), dir], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 }));
  const v = r.validate === null ? '       n/a' : `${fmt(r.validate).padStart(10)}`;
  const vk = r.validate === null ? '     n/a' : `${fmt(r.validate / n * 1000).padStart(8)}`;
  console.log(`${String(n).padStart(7)} ${fmt(r.load).padStart(8)} ${fmt(r.synth).padStart(8)} ${fmt(r.synth / n * 1000).padStart(7)} ${v} ${vk} ${String(r.errors).padStart(7)}`);
}

// 3. npm test
if (!argv.includes('--skip-tests')) {
  const ms = wall('npm', ['test', '--silent']);
  console.log(`\nnpm test: ${fmt(ms)}`);
}
fs.rmSync(work, { recursive: true, force: true });
