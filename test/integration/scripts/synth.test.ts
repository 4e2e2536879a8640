import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const RECORD = '.cdk8s-istio-egress.sha256';

/** `npm run synth`: the main app's files are alternative Istio tasks, validated one file at a time. */
function synth(out: string, app?: string, eachFile = true) {
  const args = ['scripts/synth.js', '--out', out, ...(app ? ['--app', app] : []), ...(eachFile ? ['--each-file'] : [])];
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

/** The manifests of a folder (synth's record of them, .cdk8s-istio-egress.sha256, apart: see `record`). */
function listing(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f !== RECORD).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** What synth's record says it wrote into `dir`: name -> sha256. */
function record(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readFileSync(path.join(dir, RECORD), 'utf8').trimEnd().split('\n').map((l) => l.split('  ').reverse()));
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('npm run synth', () => {
  let work: string;
  beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-')); });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  test('writes the main chart', () => {
    const out = path.join(work, 'dist');
    const r = synth(out);
    expect(r.status).toBe(0);
    expect(Object.keys(listing(out))).toEqual([
      'ambient-egress-tls-origination.k8s.yaml', 'egress-control-lockdown.k8s.yaml', 'egress-gateway-api-mtls-origination.k8s.yaml',
      'egress-gateway-api-tls-origination.k8s.yaml', 'egress-gateway-mtls-origination.k8s.yaml', 'egress-gateway-tls-origination.k8s.yaml',
      'egress-tls-origination.k8s.yaml',
    ]);
    expect(listing(out)).toEqual(listing(path.join(ROOT, 'dist')));
    expect(fs.readdirSync(work)).toEqual(['dist']); // no temporary folder left behind
    // AND the record lists every manifest with its sha256, and nothing else
    expect(fs.readdirSync(out).filter((f) => !f.endsWith('.k8s.yaml'))).toEqual([RECORD]);
    expect(record(out)).toEqual(Object.fromEntries(Object.entries(listing(out)).map(([f, text]) => [f, sha256(text)])));
  });

  test('is deterministic', () => {
    const a = path.join(work, 'a');
    const b = path.join(work, 'b');
    expect(synth(a).status).toBe(0);
    expect(synth(b).status).toBe(0);
    expect(listing(a)).toEqual(listing(b));
  });

  test('fails on bad props and leaves the previous output untouched', () => {
    // GIVEN a previous output
    const out = path.join(work, 'dist');
    expect(synth(out).status).toBe(0);
    const before = listing(out);
    // WHEN the app fails
    const r = synth(out, 'test/fixtures/apps/bad-props.ts');
    // THEN
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/'host' must be a host name, not a URL.*\(got "https:\/\/edition.cnn.com\/politics"\)/);
    expect(r.stderr).toMatch(/left untouched/);
    expect(listing(out)).toEqual(before);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('refuses manifests the validator rejects, naming rule, object, construct and field', () => {
    // GIVEN a previous output
    const out = path.join(work, 'dist');
    expect(synth(out).status).toBe(0);
    const before = listing(out);
    // WHEN the app's props pass the constructors but its manifests are wrong
    const r = synth(out, 'test/fixtures/apps/bad-wiring.ts');
    // THEN
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ERROR \[wiring\/selector-matches-workload\] DestinationRule/);
    expect(r.stderr).toMatch(/field: +spec\.workloadSelector/);
    expect(r.stderr).toMatch(/construct: broken\/mtls\/DestinationRule/);
    expect(r.stderr).toMatch(/ERROR \[wiring\/image-user\] Deployment mesh-external\/my-nginx/);
    expect(r.stderr).toMatch(/field: +spec\.template\.spec\.containers\[0\]\.securityContext\.runAsNonRoot/);
    expect(r.stderr).toMatch(/validation failed with \d+ error\(s\); .* was left untouched/);
    expect(listing(out)).toEqual(before);
    expect(fs.readdirSync(work)).toEqual(['dist']);
  });

  test('removes the files of charts that no longer exist', () => {
    const out = path.join(work, 'dist');
    expect(synth(out, 'test/fixtures/apps/two-charts.ts').status).toBe(0);
    expect(Object.keys(listing(out))).toEqual(['one.k8s.yaml', 'two.k8s.yaml']);
    expect(synth(out).status).toBe(0);
    expect(Object.keys(listing(out))).toEqual([
      'ambient-egress-tls-origination.k8s.yaml', 'egress-control-lockdown.k8s.yaml', 'egress-gateway-api-mtls-origination.k8s.yaml',
      'egress-gateway-api-tls-origination.k8s.yaml', 'egress-gateway-mtls-origination.k8s.yaml', 'egress-gateway-tls-origination.k8s.yaml',
      'egress-tls-origination.k8s.yaml',
    ]);
  });

  test('validates all files together without --each-file: the main app\'s alternative tasks collide', () => {
    // GIVEN the main app, whose two egress gateway tasks both name their Gateway default/istio-egressgateway
    const out = path.join(work, 'dist');
    // WHEN its files are validated as one set to apply together
    const r = synth(out, undefined, false);
    // THEN the collision is an error and nothing is written; each file on its own passes (test above)
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ERROR \[wiring\/duplicate-object\] Gateway default\/istio-egressgateway/);
    expect(r.stderr).toMatch(/construct: egress-gateway-(tls|mtls)-origination\//);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('quotes the strings cdk8s writes unquoted that kubectl would read as numbers (0o17), and nothing else', () => {
    // GIVEN an app whose ConfigMap has namespace 0o17 (cdk8s writes `namespace: 0o17`, kubectl reads the integer 15)
    const out = path.join(work, 'dist');
    // WHEN
    const r = synth(out, 'test/fixtures/apps/kubectl-misread.ts');
    // THEN the file holds those scalars double-quoted
    expect(r.status).toBe(0);
    expect(listing(out)).toEqual({
      'numbers.k8s.yaml': [
        'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  labels:', '    "0X1F": "0B101"', '    inject: "true"', '  name: numbers',
        '  namespace: "0o17"', 'data:', '  "-0o17": "1e1_0"', '  hex: "0x1f"', '  list: "[0o17]"', '  port: "8080"', '',
      ].join('\n'),
    });
  });

  test('the cdk8s app command writes to $CDK8S_OUTDIR', () => {
    execFileSync(process.execPath, ['scripts/app.js'], { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: work } });
    expect(listing(work)).toEqual(listing(path.join(ROOT, 'dist')));
  });
});
