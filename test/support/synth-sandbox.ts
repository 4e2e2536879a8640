import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A copy of the repository's scripts, sources, compiled lib/ (from `npm run build`, with its timestamps, so
 * that it is as current as the repository's) and fixtures in `dir` (node_modules linked, package by package,
 * so that the caches stay the copy's own), for running scripts/synth.js where a mistake cannot harm the
 * repository itself. Has an empty `.git/` and an uncommitted file, like a working clone.
 */
export function makeSandbox(dir: string): string {
  if (!fs.existsSync(path.join(ROOT, 'lib', '.built'))) throw new Error('the sandbox copies lib/: run `npm run build` first');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['scripts', 'src', 'app', 'imports', 'lib', 'bin', 'test/fixtures/apps', 'package.json', 'tsconfig.json', 'tsconfig.app.json', 'cdk8s.yaml', '.gitignore']) {
    fs.cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true, preserveTimestamps: true });
  }
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const e of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (e !== '.cache') fs.symlinkSync(path.join(ROOT, 'node_modules', e), path.join(dir, 'node_modules', e));
  }
  fs.mkdirSync(path.join(dir, '.git', 'objects'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  fs.writeFileSync(path.join(dir, 'NOTES.md'), 'uncommitted work\n');
  return dir;
}

/** Every path under `dir` (node_modules/ skipped) with the sha1 of its content, its link target or its type. */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      const full = path.join(dir, r);
      if (e.isDirectory()) {
        out[r + '/'] = 'dir';
        if (e.name !== 'node_modules') walk(r);
      } else if (e.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(full)}`;
      else if (e.isFile()) out[r] = crypto.createHash('sha1').update(fs.readFileSync(full)).digest('hex');
      else out[r] = 'special';
    }
  };
  walk('');
  return out;
}

/** name -> content of the files of a folder (subfolders left out). */
export function listing(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.isDirectory())
    .map((e) => e.name).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Recompiles the task app of a sandbox whose app/ was edited (what `npm run build` does for app/), so that its lib/ is current again. */
export function rebuildSandboxApp(dir: string): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.app.json'], { cwd: dir, stdio: 'pipe' });
  execFileSync(process.execPath, ['scripts/built.js', '--stamp'], { cwd: dir, stdio: 'pipe' });
}
