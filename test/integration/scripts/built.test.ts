import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeSandbox } from '../../support/synth-sandbox';

// The repository's scripts run the compiled lib/ of `npm run build`, never a stale one, and never build it
// themselves: a lib/ older than a source file, or none, is refused with one line, before anything is written.

jest.setTimeout(120_000);

let tmp: string;
let repo: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'built-'));
  repo = makeSandbox(path.join(tmp, 'repo'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every script that runs lib/, with arguments that write into `out` where it writes anything. */
const SCRIPTS: Array<[string, (out: string) => string[]]> = [
  ['scripts/synth.js', (out) => ['scripts/synth.js', '--out', out, '--each-file']],
  ['scripts/app.js', () => ['scripts/app.js']],
  ['scripts/validate.js', () => ['scripts/validate.js', 'test/fixtures/apps']],
  ['scripts/certs.js', (out) => ['scripts/certs.js', '--out', out]],
  ['scripts/validation-plugin.js', () => ['-e', "require('./scripts/validation-plugin.js')"]],
];

function run(args: string[], out: string) {
  return spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: out, DEBUG: '' } });
}

describe('a built lib/', () => {
  test('runs: synth writes the main app, byte for byte the repository\'s dist/', () => {
    const out = path.join(tmp, 'current');
    const r = run(SCRIPTS[0][1](out), out);
    expect(r.stderr).toMatch(/synthesized 7 file\(s\)/);
    expect(r.status).toBe(0);
    const dist = path.resolve(__dirname, '../../../dist');
    // the manifests, and synth's record of what it wrote (dist/'s own record is not committed: .gitignore)
    const manifests = fs.readdirSync(out).filter((f) => f.endsWith('.k8s.yaml')).sort();
    expect(fs.readdirSync(out).sort()).toEqual(['.cdk8s-istio-egress.sha256', ...manifests]);
    expect(manifests).toEqual(fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml')).sort());
    for (const f of manifests) {
      expect({ f, same: fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(dist, f))) }).toEqual({ f, same: true });
    }
  });
});

describe('a stale lib/', () => {
  test.each(SCRIPTS)('%s refuses it when a source file is newer, naming the file, and writes nothing', (_name, args) => {
    // GIVEN a source file edited after the build
    const file = path.join(repo, 'src/sidecar/egress-tls-origination.ts');
    const later = new Date(Date.now() + 60_000);
    const { mtime } = fs.statSync(file);
    fs.utimesSync(file, later, later);
    const out = path.join(tmp, `stale-${path.basename(args('x')[0])}`);
    try {
      // WHEN the script runs
      const r = run(args(out), out);
      // THEN it stops with one line, and wrote nothing
      expect(r.stderr).toBe('error: lib/ is older than src/sidecar/egress-tls-origination.ts: run `npm run build` first\n');
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      fs.utimesSync(file, mtime, mtime);
    }
  });

  test('an edited app/ file is refused too (lib/app/ is compiled from it)', () => {
    const file = path.join(repo, 'app/main.ts');
    const later = new Date(Date.now() + 60_000);
    const { mtime } = fs.statSync(file);
    fs.utimesSync(file, later, later);
    try {
      const out = path.join(tmp, 'stale-app');
      const r = run(['scripts/app.js'], out);
      expect(r.stderr).toBe('error: lib/ is older than app/main.ts: run `npm run build` first\n');
      expect(r.status).toBe(1);
    } finally {
      fs.utimesSync(file, mtime, mtime);
    }
  });

  test.each(SCRIPTS)('%s refuses a missing build', (_name, args) => {
    // GIVEN a clone that was never built (no stamp of `npm run build`)
    const stamp = path.join(repo, 'lib/.built');
    fs.renameSync(stamp, `${stamp}.away`);
    const out = path.join(tmp, `missing-${path.basename(args('x')[0])}`);
    try {
      const r = run(args(out), out);
      expect(r.stderr).toBe('error: lib/ is missing: run `npm run build` first\n');
      expect(r.status).toBe(1);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      fs.renameSync(`${stamp}.away`, stamp);
    }
  });
});
