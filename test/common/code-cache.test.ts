import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireWithCodeCache, saveCodeCaches } from '../../src/common/code-cache';

// the loader keeps its state on a global symbol (one registry per thread): each test starts from none
const KEY = Symbol.for('cdk8s-istio-egress.code-cache');
let tmp: string;
beforeEach(() => {
  delete (globalThis as any)[KEY];
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-test-'));
  process.env.CDK8S_ISTIO_EGRESS_CODE_CACHE = path.join(tmp, 'cache');
  delete process.env.NODE_DISABLE_COMPILE_CACHE;
});
afterEach(() => {
  delete process.env.CDK8S_ISTIO_EGRESS_CODE_CACHE;
  delete process.env.NODE_DISABLE_COMPILE_CACHE;
  delete (globalThis as any)[KEY];
  fs.rmSync(tmp, { recursive: true, force: true });
});

function bundle(body: string): string {
  const dir = path.join(tmp, 'pkg');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'bundle.js');
  fs.writeFileSync(file, body);
  return file;
}
const cacheDir = () => path.join(tmp, 'cache');
const caches = () => (fs.existsSync(cacheDir()) ? fs.readdirSync(cacheDir()) : []);

test('a bundle loads as a CommonJS module, once per thread; its code cache is written after the work and used by the next run', () => {
  const file = bundle("'use strict';\nconst path = require('path');\nexports.dir = __dirname;\nexports.name = path.basename(__filename);\nexports.add = (a, b) => a + b;\nexports.self = module.exports === exports;\n");
  const m = requireWithCodeCache(file);
  expect(m).toEqual({ dir: path.dirname(file), name: 'bundle.js', add: expect.any(Function), self: true });
  expect(m.add(2, 3)).toBe(5);
  expect(requireWithCodeCache(file)).toBe(m);
  expect(caches()).toEqual([]); // nothing written before saveCodeCaches()
  saveCodeCaches();
  const written = caches();
  expect(written).toEqual([expect.stringMatching(/^bundle-[0-9a-f]{16}-[0-9a-f]{32}\.v8$/)]);
  expect(fs.statSync(cacheDir()).mode & 0o777).toBe(0o700);
  const bytes = fs.readFileSync(path.join(cacheDir(), written[0]));
  // a next run reads that cache and writes none
  delete (globalThis as any)[KEY];
  expect(requireWithCodeCache(file).add(1, 1)).toBe(2);
  saveCodeCaches();
  expect(caches()).toEqual(written);
  expect(fs.readFileSync(path.join(cacheDir(), written[0])).equals(bytes)).toBe(true);
});

test('a changed bundle gets a new cache, which replaces the old one; a cache V8 refuses is replaced; none is used from a folder others may write', () => {
  const file = bundle('exports.v = 1;\n');
  expect(requireWithCodeCache(file).v).toBe(1);
  saveCodeCaches();
  const [first] = caches();
  delete (globalThis as any)[KEY];
  fs.writeFileSync(file, 'exports.v = 2;\n'); // same length: V8 alone would not see the change (same inode: ctime and mtime do)
  expect(requireWithCodeCache(file).v).toBe(2);
  saveCodeCaches();
  const [second] = caches();
  expect(caches()).toEqual([second]); // the first is gone
  expect(second).not.toBe(first);
  expect(second.slice(0, 24)).toBe(first.slice(0, 24)); // same bundle, same Node: same stem
  // a cache of another bundle stays
  const other = path.join(tmp, 'pkg', 'other.js');
  fs.writeFileSync(other, 'exports.w = 1;\n');
  expect(requireWithCodeCache(other).w).toBe(1);
  saveCodeCaches();
  expect(caches()).toHaveLength(2);
  expect(caches()).toContain(second);
  // garbage where the cache of a new text would be (a text this process never compiled: V8 reuses what it compiled
  // in the same process without reading a cache): refused by V8, compiled, written anew
  fs.writeFileSync(file, 'exports.v = 4;\n');
  const st = fs.statSync(file, { bigint: true });
  const hash = (text: string, n: number) => createHash('sha256').update(text).digest('hex').slice(0, n);
  const name = `bundle-${hash(`${process.version} ${process.platform} ${process.arch} ${file}`, 16)}-${hash(`${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`, 32)}.v8`;
  fs.writeFileSync(path.join(cacheDir(), name), 'not a code cache');
  delete (globalThis as any)[KEY];
  expect(requireWithCodeCache(file).v).toBe(4);
  saveCodeCaches();
  expect(fs.readFileSync(path.join(cacheDir(), name), 'utf8')).not.toBe('not a code cache');
  expect(caches().filter((f) => f.startsWith('bundle-'))).toEqual([name]);
  // a folder that others may write is neither read nor written
  fs.chmodSync(cacheDir(), 0o777);
  fs.rmSync(path.join(cacheDir(), name));
  delete (globalThis as any)[KEY];
  expect(requireWithCodeCache(file).v).toBe(4);
  saveCodeCaches();
  expect(caches()).toEqual([expect.stringMatching(/^other-/)]);
});

test('NODE_DISABLE_COMPILE_CACHE turns the cache off; an unwritable temp dir only costs the compilation', () => {
  const file = bundle('exports.v = 3;\n');
  process.env.NODE_DISABLE_COMPILE_CACHE = '1';
  expect(requireWithCodeCache(file).v).toBe(3);
  saveCodeCaches();
  expect(caches()).toEqual([]);
  delete process.env.NODE_DISABLE_COMPILE_CACHE;
  delete (globalThis as any)[KEY];
  process.env.CDK8S_ISTIO_EGRESS_CODE_CACHE = path.join(tmp, 'missing', 'file.txt', 'x');
  fs.mkdirSync(path.join(tmp, 'missing'));
  fs.writeFileSync(path.join(tmp, 'missing', 'file.txt'), ''); // a file where the folder would go
  expect(() => requireWithCodeCache(file)).not.toThrow();
  expect(() => saveCodeCaches()).not.toThrow();
  expect(fs.readdirSync(path.join(tmp, 'missing'))).toEqual(['file.txt']);
});

test('an error of the bundle propagates, with the bundle in its stack', () => {
  const file = bundle("exports.a = 1;\nthrow new Error('boom');\n");
  expect(() => requireWithCodeCache(file)).toThrow('boom');
  try {
    delete (globalThis as any)[KEY];
    requireWithCodeCache(file);
  } catch (err) {
    expect((err as Error).stack).toContain(`${file}:2`);
  }
});

test('saving a cache removes the caches not written for 30 days (installs or Node versions that may be gone), and nothing else of the folder', () => {
  // GIVEN the cache folder with an old cache of another install, a recent one, and a file this module did not write
  fs.mkdirSync(cacheDir(), { recursive: true, mode: 0o700 });
  const old = `bundle-${'a'.repeat(16)}-${'b'.repeat(32)}.v8`;
  const recent = `cel-${'c'.repeat(16)}-${'d'.repeat(32)}.v8`;
  for (const f of [old, recent, 'notes.txt', 'old.v8']) fs.writeFileSync(path.join(cacheDir(), f), 'x');
  const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
  for (const f of [old, 'notes.txt', 'old.v8']) fs.utimesSync(path.join(cacheDir(), f), longAgo, longAgo);
  // WHEN a bundle's cache is saved
  const file = bundle('exports.v = 1;\n');
  requireWithCodeCache(file);
  saveCodeCaches();
  // THEN the old cache is gone; the recent one, the new one and the files of other names stay
  const left = caches().sort();
  expect(left.filter((f) => f !== recent && f !== 'notes.txt' && f !== 'old.v8')).toEqual([expect.stringMatching(/^bundle-[0-9a-f]{16}-[0-9a-f]{32}\.v8$/)]);
  expect(left).toEqual(expect.arrayContaining([recent, 'notes.txt', 'old.v8']));
  expect(left).toHaveLength(4);
  expect(left).not.toContain(old);
});
