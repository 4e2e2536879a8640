import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const CRDS = path.join(ROOT, 'crds');
const K8S_SCHEMAS = path.join(ROOT, 'k8s-schemas');

function files(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]).sort();
}

function runImport(out: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync('bash', ['scripts/import.sh', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('npm run import', () => {
  test('reproduces imports/ byte for byte from the vendored CRDs', () => {
    // GIVEN a scratch output folder
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));
    const config = fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'));
    try {
      // WHEN the import runs from crds/
      const r = runImport(out);

      // THEN it succeeds silently on stderr and every file equals the committed one
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const ours = files(path.join(ROOT, 'imports'));
      expect(ours).toEqual(expect.arrayContaining(['gateway.networking.k8s.io.ts', 'cert-manager.io.ts', 'validation/crds.json']));
      expect(files(out)).toEqual(ours);
      for (const f of ours) {
        const same = fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(ROOT, 'imports', f)));
        expect({ f, same }).toEqual({ f, same: true });
      }
      // and cdk8s import did not record the sources in cdk8s.yaml
      expect(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml')).equals(config)).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  test('fails when a vendored CRD does not match SHA256SUMS', () => {
    // GIVEN a copy of crds/ in which one Gateway API CRD was edited
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-tampered-'));
    try {
      fs.cpSync(CRDS, path.join(tmp, 'crds'), { recursive: true });
      const victim = path.join(tmp, 'crds', 'gateway-api-v1.5.1', 'gateway.networking.k8s.io_gateways.yaml');
      fs.appendFileSync(victim, '# edited\n');

      // WHEN the import reads it through CRDS_DIR
      const r = runImport(path.join(tmp, 'out'), { CRDS_DIR: path.join(tmp, 'crds') });

      // THEN it stops before generating anything, naming the file
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/do not match .*SHA256SUMS/);
      expect(r.stderr).toMatch(/gateway\.networking\.k8s\.io_gateways\.yaml: FAILED/);
      expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('fails when a vendored Kubernetes schema does not match k8s-schemas/SHA256SUMS', () => {
    // GIVEN a copy of k8s-schemas/ in which the newest release's definitions were edited
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-schemas-tampered-'));
    try {
      fs.cpSync(K8S_SCHEMAS, path.join(tmp, 'k8s'), { recursive: true });
      fs.appendFileSync(path.join(tmp, 'k8s', 'v1.36.0', '_definitions.json'), ' ');

      // WHEN the import reads it through K8S_SCHEMAS_DIR
      const r = runImport(path.join(tmp, 'out'), { K8S_SCHEMAS_DIR: path.join(tmp, 'k8s') });

      // THEN it stops before generating anything, naming the file
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Kubernetes schema files in .* do not match .*SHA256SUMS/);
      expect(r.stderr).toMatch(/v1\.36\.0\/_definitions\.json: FAILED/);
      expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('fails when a CRD the import needs has no sum', () => {
    // GIVEN a copy of crds/ whose SHA256SUMS lacks the Istio line
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-nosum-'));
    try {
      fs.cpSync(CRDS, tmp, { recursive: true });
      const sums = path.join(tmp, 'SHA256SUMS');
      fs.writeFileSync(sums, fs.readFileSync(sums, 'utf8').split('\n').filter((l) => !l.includes('istio-1.30.3')).join('\n'));

      // WHEN the import reads it
      const r = runImport(path.join(tmp, 'out'), { CRDS_DIR: tmp });

      // THEN it names the file without a sum
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/has no sum for istio-1\.30\.3\/crd-all\.gen\.yaml/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('vendored CRDs', () => {
  test('every file in crds/ is listed in SHA256SUMS and crds/README.md, and matches its sum', () => {
    // GIVEN the vendored folder
    const listed = fs.readFileSync(path.join(CRDS, 'SHA256SUMS'), 'utf8').trim().split('\n')
      .map((l) => l.match(/^([0-9a-f]{64}) {2}(.+)$/)!);
    const readme = fs.readFileSync(path.join(CRDS, 'README.md'), 'utf8');

    // THEN the sums cover exactly the YAML files, each named with its upstream URL in the README
    expect(listed.every(Boolean)).toBe(true);
    expect(listed.map((m) => m[2]).sort()).toEqual(files(CRDS).filter((f) => f.endsWith('.yaml')));
    for (const [, sum, file] of listed) {
      const actual = crypto.createHash('sha256').update(fs.readFileSync(path.join(CRDS, file))).digest('hex');
      expect({ file, sum: actual }).toEqual({ file, sum });
      expect(readme).toContain(`| ${file} | https://`);
    }
  });
});

describe('vendored Kubernetes schemas', () => {
  test('every file in k8s-schemas/ is listed in SHA256SUMS and k8s-schemas/README.md, matches its sum, and k8s.json names the same sums', () => {
    // GIVEN the vendored folder and the extracted schemas
    const listed = fs.readFileSync(path.join(K8S_SCHEMAS, 'SHA256SUMS'), 'utf8').trim().split('\n')
      .map((l) => l.match(/^([0-9a-f]{64}) {2}(.+)$/)!);
    const readme = fs.readFileSync(path.join(K8S_SCHEMAS, 'README.md'), 'utf8');
    const k8s = JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'validation', 'k8s.json'), 'utf8'));

    // THEN the sums cover exactly the JSON files, Kubernetes 1.32 to 1.36, each named with its upstream URL in the README
    expect(listed.every(Boolean)).toBe(true);
    expect(listed.map((m) => m[2]).sort()).toEqual(files(K8S_SCHEMAS).filter((f) => f.endsWith('.json')));
    expect(listed.map((m) => m[2].split('/')[0])).toEqual(['v1.32.0', 'v1.33.0', 'v1.34.0', 'v1.35.0', 'v1.36.0']);
    for (const [, sum, file] of listed) {
      const actual = crypto.createHash('sha256').update(fs.readFileSync(path.join(K8S_SCHEMAS, file))).digest('hex');
      expect({ file, sum: actual }).toEqual({ file, sum });
      expect(readme).toContain(`| ${file} | https://`);
      expect(k8s.releases[file.split('/')[0]]).toEqual({ file, sha256: sum });
    }
  });
});
