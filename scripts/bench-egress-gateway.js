#!/usr/bin/env node
'use strict';
// `node scripts/bench-egress-gateway.js [--hosts N] [--runs R]`: N hosts through one egress gateway
// (EgressGatewayTlsOrigination, 5 objects each), through one Gateway API egress gateway
// (GatewayApiEgressTlsOrigination, 4 objects each) and N sidecar originations (EgressTlsOrigination,
// 2 objects each), in the same run. Each measurement is a fresh Node process (cold module cache, as a
// user's synth is): construct + synth (YAML written to a temporary folder) + validation of that folder.
// Prints the median of R runs per flow. Budget: 1,000 hosts through either gateway in 3 s or less.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const arg = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const hosts = arg('--hosts', 1000);
const runs = arg('--runs', 5);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-egw-'));

const child = `
const { loadSource, loadValidator } = require(${JSON.stringify(path.join(root, 'scripts/load-src.js'))});
const [flow, n, outdir] = [process.argv[1], Number(process.argv[2]), process.argv[3]];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const t0 = performance.now();
const lib = loadSource('src/index.ts');
const validator = loadValidator();
const { App, Chart } = require('cdk8s');
const t1 = performance.now();
const c1 = cpu();
const app = new App({ outdir });
const chart = new Chart(app, 'many');
if (flow === 'gateway') {
  const gateway = lib.EgressGateway.fromAttributes();
  for (let i = 0; i < n; i++) new lib.EgressGatewayTlsOrigination(chart, 'h' + i, { host: 'host-' + i + '.example.com', gateway });
} else if (flow === 'gateway-api') {
  // one Gateway API gateway (one listener for every host) shared by every host
  const gateway = new lib.GatewayApiEgressGateway(chart, 'egress');
  for (let i = 0; i < n; i++) new lib.GatewayApiEgressTlsOrigination(chart, 'h' + i, { host: 'host-' + i + '.example.com', gateway });
} else {
  for (let i = 0; i < n; i++) new lib.EgressTlsOrigination(chart, 'h' + i, { host: 'host-' + i + '.example.com' });
}
const t2 = performance.now();
app.synth();
const t3 = performance.now();
const report = validator.validateDirectory(outdir);
const t4 = performance.now();
const c4 = cpu();
// the path npm run synth is moving to: the synthesized objects handed to the validator, no YAML re-read
const mem = validator.validateManifests(chart.toJson());
const t5 = performance.now();
if (mem.errors.length !== report.errors.length) throw new Error('in-memory and directory validation disagree');
console.log(JSON.stringify({ load: t1 - t0, construct: t2 - t1, synth: t3 - t2, validate: t4 - t3, total: t4 - t1, cpu: c4 - c1, memory: t5 - t4, objects: chart.node.findAll().filter((c) => c instanceof require('cdk8s').ApiObject).length, errors: report.errors.length }));
`;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;

try {
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0].model}, Node ${process.version}; ${hosts} hosts, median of ${runs} runs`);
  console.log('Wall times; "cpu" is the CPU time of construct+synth+validate, which other processes on a shared machine do not inflate.');
  console.log('"validate" re-reads the YAML synth wrote (what npm run synth does today); "in-memory" validates chart.toJson() instead.');
  console.log('flow         objects  errors    load  construct    synth  validate  construct+synth+validate      cpu  in-memory');
  const results = {};
  for (const flow of ['sidecar', 'gateway', 'gateway-api']) {
    const rs = [];
    for (let i = 0; i < runs; i++) {
      const dir = path.join(work, `${flow}-${i}`);
      rs.push(JSON.parse(execFileSync(process.execPath, ['-e', child, flow, String(hosts), dir], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const m = (k) => median(rs.map((r) => r[k]));
    results[flow] = { wall: m('total'), cpu: m('cpu') };
    console.log(`${flow.padEnd(11)} ${String(rs[0].objects).padStart(8)} ${String(rs[0].errors).padStart(7)} ${fmt(m('load')).padStart(7)} ${fmt(m('construct')).padStart(10)} ${fmt(m('synth')).padStart(8)} ${fmt(m('validate')).padStart(9)} ${fmt(m('total')).padStart(25)} ${fmt(m('cpu')).padStart(8)} ${fmt(m('memory')).padStart(10)}`);
    if (rs.some((r) => r.errors)) process.exitCode = 1;
  }
  const verdict = (ms) => (ms <= 3000 ? 'met' : 'MISSED');
  console.log(`gateway / sidecar: ${(results.gateway.wall / results.sidecar.wall).toFixed(2)}x wall, ${(results.gateway.cpu / results.sidecar.cpu).toFixed(2)}x CPU`);
  console.log(`gateway-api / sidecar: ${(results['gateway-api'].wall / results.sidecar.wall).toFixed(2)}x wall, ${(results['gateway-api'].cpu / results.sidecar.cpu).toFixed(2)}x CPU`);
  for (const flow of ['gateway', 'gateway-api']) {
    console.log(`budget 3 s for the ${flow} flow: CPU ${fmt(results[flow].cpu)} ${verdict(results[flow].cpu)}; wall ${fmt(results[flow].wall)} ${verdict(results[flow].wall)} (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
    if (results[flow].cpu > 3000) process.exitCode = 1;
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
