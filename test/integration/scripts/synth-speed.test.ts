import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// scripts/synth.js exits explicitly once its output has flushed (sparing Node the teardown of its heap):
// no part of a long report may be lost, and the exit status must stay what it was.

const ROOT = path.resolve(__dirname, '../../..');
let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-speed-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

test('a validation report larger than a pipe buffer reaches the pipe whole, with exit status 1', () => {
  // GIVEN an app whose 500 objects each fail validation twice
  const out = path.join(work, 'out');
  // WHEN synth runs with its stderr on a pipe
  const r = spawnSync(process.execPath, ['scripts/synth.js', '--out', out, '--app', 'test/fixtures/apps/many-errors.ts'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ERRORS: '500' } });
  // THEN every finding and the summary lines are there, and nothing was written
  expect(r.status).toBe(1);
  expect(r.stderr.length).toBeGreaterThan(200_000);
  expect(r.stderr.match(/^ERROR \[/gm)).toHaveLength(1000);
  expect(r.stderr).toMatch(/\n1000 error\(s\), 0 warning\(s\), 0 note\(s\)\nerror: validation failed with 1000 error\(s\); .* was left untouched\n$/);
  expect(fs.existsSync(out)).toBe(false);
});

test('the usage text reaches stdout whole, with exit status 0; bad usage exits 2', () => {
  // GIVEN / WHEN
  const help = spawnSync(process.execPath, ['scripts/synth.js', '--help'], { cwd: ROOT, encoding: 'utf8' });
  const bad = spawnSync(process.execPath, ['scripts/synth.js', '--bogus'], { cwd: ROOT, encoding: 'utf8' });
  // THEN
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^usage: npm run synth[\s\S]*the message says in which state it is\); 2 bad usage or a folder synth refuses to write\.\n$/);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^error: unknown option "--bogus"/);
});
