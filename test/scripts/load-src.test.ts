import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeSandbox } from '../support/synth-sandbox';

// scripts/load-src.js runs bundles with a V8 code cache: it must never run a cache made for other code.

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'load-src-')); });
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('a bundle runs with its own code cache, and an edit of the same length gets a new one', () => {
  // GIVEN a module of a copy of the repository
  const repo = makeSandbox(path.join(tmp, 'repo'));
  const probe = path.join(repo, 'src/probe.ts');
  const cache = path.join(repo, 'node_modules/.cache/cdk8s-istio-egress');
  const answer = () => execFileSync(process.execPath, ['-e', "console.log(require('./scripts/load-src').loadSource('src/probe.ts').answer())"],
    { cwd: repo, encoding: 'utf8', env: { ...process.env, DEBUG: '' } }).trim();
  const caches = () => fs.readdirSync(cache).filter((f) => f.startsWith('probe-') && f.endsWith('.v8cache'));
  fs.writeFileSync(probe, 'export function answer() { return 42; }\n');
  // WHEN it runs twice
  expect(answer()).toBe('42'); // compiles, writes the cache at exit
  expect(caches()).toHaveLength(1);
  expect(answer()).toBe('42'); // runs from the cache
  // WHEN it is edited without changing its length (V8 checks only the length of the source)
  fs.writeFileSync(probe, 'export function answer() { return 43; }\n');
  // THEN the new code runs, with a new cache in place of the old one
  expect(answer()).toBe('43');
  expect(answer()).toBe('43');
  expect(caches()).toHaveLength(1);
});
