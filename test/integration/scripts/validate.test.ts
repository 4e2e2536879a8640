import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// `npm run validate` (scripts/validate.js: the package's bin on the compiled lib/) and the schema extraction
// (scripts/extract-schemas.js, with the compiled CEL parser), as child processes. Needs `npm run build`.

const ROOT = path.resolve(__dirname, '../../..');
const SEED_DIR = path.join(ROOT, 'test', 'fixtures', 'validator', 'seed');
const BAD_DIR = path.join(ROOT, 'test', 'fixtures', 'validator', 'bad');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

describe('npm run validate', () => {
  test('scripts/validate.js exits 0 on the seed and 1 on errors', () => {
    const ok = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'validate.js'), SEED_DIR], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/0 error\(s\), 2 warning\(s\), 6 note\(s\)/);
    const bad = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'validate.js'), BAD_DIR], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/ERROR \[istio\/credential-without-selector\]/);
    const warned = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'validate.js'), BAD_DIR, '--warn', 'istio/credential-without-selector,schema/unknown-field'], { encoding: 'utf8' });
    expect(warned.status).toBe(0);
  });

  test('npm run validate (scripts/validate.js) runs the same main()', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'validate.js'), BAD_DIR, '--format', 'sarif'], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).runs[0].tool.driver.name).toBe('cdk8s-istio-egress');
    const v = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'validate.js'), '--version'], { encoding: 'utf8' });
    expect(v.stdout).toBe(`${VERSION}\n`);
  });
});

describe('extraction', () => {
  test('imports/validation is what scripts/extract-schemas.js produces (byte-stable)', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-schemas-'));
    try {
      const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'extract-schemas.js'), '--out', out], { encoding: 'utf8' });
      expect(res.status).toBe(0);
      for (const f of ['crds-1.30.json', 'cel-1.30.json', 'crds-1.31.json', 'cel-1.31.json', 'k8s.json']) {
        const same = fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(ROOT, 'imports', 'validation', f)));
        expect({ f, same }).toEqual({ f, same: true });
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
