import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// scripts/synth.js validates a small output on the main thread and a large one in a worker thread,
// beside the YAML rendering: both must report the same findings and write the same files.

const ROOT = path.resolve(__dirname, '../../..');

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-worker-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function synth(app: string, out: string, mode: 'always' | 'never') {
  return spawnSync(process.execPath, ['scripts/synth.js', '--out', out, '--app', app], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_ISTIO_EGRESS_SYNTH_WORKER: mode, CDK8S_ISTIO_EGRESS_SYNTH_TIMES: '1' },
  });
}

test.each(['test/fixtures/apps/bad-wiring.ts', 'test/fixtures/apps/two-charts.ts'])('the worker and the main thread agree on %s', (app) => {
  // WHEN the same app is validated on the main thread and in the worker
  const a = path.join(tmp, `main-${path.basename(app)}`);
  const b = path.join(tmp, `worker-${path.basename(app)}`);
  const inline = synth(app, a, 'never');
  const worker = synth(app, b, 'always');
  // THEN
  expect(inline.stderr).toMatch(/times \(ms\): .*validate \d+/);
  expect(worker.stderr).toMatch(/times \(ms\): .*validate \(worker\) \d+/);
  const report = (s: string) => s.replace(/^times.*\n/m, '').replace(/(main|worker)-[\w.-]+\.ts/g, 'OUT').replace(/\d+ file\(s\)/, 'N file(s)');
  expect(report(worker.stderr)).toEqual(report(inline.stderr));
  expect(worker.status).toBe(inline.status);
  if (inline.status === 0) {
    expect(fs.readdirSync(b)).toEqual(fs.readdirSync(a));
    for (const f of fs.readdirSync(a)) expect(fs.readFileSync(path.join(b, f), 'utf8')).toEqual(fs.readFileSync(path.join(a, f), 'utf8'));
  }
});
