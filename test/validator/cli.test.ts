// The command line `cdk8s-istio-egress validate` (src/validator/cli.ts, bin/, scripts/validate.js) and SARIF.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import { formatFindings, RULES, toSarif, validateManifests } from '../../src/validator';
import { main } from '../../src/validator/cli';

const ROOT = path.resolve(__dirname, '../..');
const SEED_DIR = path.join(__dirname, '..', 'fixtures', 'validator', 'seed');
const BAD_DIR = path.join(__dirname, '..', 'fixtures', 'validator', 'bad');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;

/** Runs main() in-process with captured output; cwd is the repository. */
function run(...argv: string[]) {
  return runIn(ROOT, ...argv);
}

function runIn(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd });
  return { code, stdout, stderr };
}

const rel = (p: string) => path.relative(ROOT, p);

describe('exit codes', () => {
  test('0 when there are warnings and notes only', () => {
    const r = run('validate', rel(SEED_DIR));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n0 error\(s\), 2 warning\(s\), 6 note\(s\)\n$/);
    expect(r.stderr).toBe('');
  });

  test('1 when there are errors', () => {
    const r = run('validate', rel(BAD_DIR));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ERROR \[istio\/credential-without-selector\] DestinationRule default\/no-selector$/m);
    // the file, and the line and column of the field (credentialName of the second document)
    expect(r.stdout).toContain(`  file:    ${path.join(rel(BAD_DIR), 'bad.yaml')}:30:9\n`);
  });

  test('--warn downgrades rules (repeatable, comma separated, prefixes)', () => {
    expect(run('validate', rel(BAD_DIR), '--warn', 'istio/credential-without-selector', '--warn=schema/unknown-field').code).toBe(0);
    expect(run('validate', rel(BAD_DIR), '-w', 'istio/,schema/').code).toBe(0);
    expect(run('validate', rel(BAD_DIR), '--warn', 'istio/credential-without-selector').code).toBe(1);
  });

  test('several paths: a folder and a file', () => {
    const r = run('validate', '--format', 'json', rel(SEED_DIR), path.join(rel(BAD_DIR), 'bad.yaml'));
    expect(r.code).toBe(1);
    const files = new Set(JSON.parse(r.stdout).map((f: any) => f.object.file));
    expect(files).toContain(path.join(rel(BAD_DIR), 'bad.yaml'));
    expect([...files].some((f) => String(f).startsWith(rel(SEED_DIR)))).toBe(true);
  });

  test('fails with 2 when a path does not exist, still validating the others', () => {
    const r = run('validate', rel(BAD_DIR), 'no/such/dir');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cdk8s-istio-egress: error: no/such/dir: cannot read (ENOENT)\n');
    expect(r.stdout).toMatch(/ERROR \[istio\/credential-without-selector\]/);
  });

  test('fails with 2 on an unknown option, an unknown format, an unknown rule id or a bad limit', () => {
    expect(run('validate', '--frmat', 'json').stderr).toMatch(/^cdk8s-istio-egress: unknown option "--frmat"\nusage: /);
    expect(run('validate', '--format', 'xml')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--format must be text, json or sarif \(got "xml"\)/) });
    expect(run('validate', '--warn', 'istio/no-such-rule')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--warn: no rule "istio\/no-such-rule"/) });
    expect(run('validate', '--max-file-size', '10k')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--max-file-size must be a positive integer \(got "10k"\)/) });
    expect(run('validate', '--warn')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--warn needs a value/) });
    expect(run('validate', '--frmat').code).toBe(2);
  });
});

describe('informational options', () => {
  test('--help, --version and --rules', () => {
    expect(run('--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: cdk8s-istio-egress validate \[PATH\.\.\.\] \[options\]/) });
    expect(run('--help').stdout).toMatch(/exit codes: 0 no errors \(warnings and notes allowed\), 1 errors, 2 usage error or unreadable input/);
    expect(run('--version')).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const rules = run('--rules');
    expect(rules.code).toBe(0);
    expect(rules.stdout.trim().split('\n')).toHaveLength(RULES.length);
    expect(rules.stdout).toContain('istio/credential-without-selector\terror\t');
  });
});

describe('formats', () => {
  test('json is the array of findings', () => {
    const r = run('validate', '--format', 'json', rel(BAD_DIR));
    const findings = JSON.parse(r.stdout);
    expect(findings.find((f: any) => f.ruleId === 'istio/credential-without-selector')).toMatchObject({
      severity: 'error', field: 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName',
      object: { kind: 'DestinationRule', name: 'no-selector', namespace: 'default', file: path.join(rel(BAD_DIR), 'bad.yaml') },
    });
    expect(run('validate', '--json', rel(BAD_DIR)).stdout).toBe(r.stdout);
  });

  test('sarif is a SARIF 2.1.0 log that validates against the official schema', () => {
    // GIVEN the OASIS SARIF 2.1.0 schema (the rtm.5 JSON schema that @microsoft/jest-sarif ships)
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    // the schema's language pattern is not a valid unicode-mode regular expression: compile patterns without /u
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
    const validate = ajv.compile<any>(schema);
    // WHEN the bad fixtures and the seed are reported as SARIF
    const bad = run('validate', '--format', 'sarif', rel(BAD_DIR));
    const seed = run('validate', '--format=sarif', rel(SEED_DIR));
    // THEN both logs are valid
    for (const out of [bad, seed]) {
      const log: any = JSON.parse(out.stdout);
      const ok = validate(log);
      if (!ok) throw new Error(JSON.stringify(validate.errors, null, 2));
      expect(log.version).toBe('2.1.0');
    }
    expect(bad.code).toBe(1);
    expect(seed.code).toBe(0);
    // and carry the rules, levels, messages and locations
    const run0 = JSON.parse(bad.stdout).runs[0];
    expect(run0.tool.driver).toMatchObject({ name: 'cdk8s-istio-egress', version: VERSION });
    expect(run0.tool.driver.rules.map((r: any) => r.id)).toEqual(RULES.map((r) => r.id));
    expect(run0.tool.driver.rules[0].shortDescription.text).toBe(RULES[0].description);
    const result = run0.results.find((r: any) => r.ruleId === 'istio/credential-without-selector');
    expect(result).toMatchObject({
      level: 'error',
      ruleIndex: RULES.findIndex((r) => r.id === 'istio/credential-without-selector'),
      message: { text: expect.stringMatching(/workloadSelector/) },
      locations: [{
        physicalLocation: { artifactLocation: { uri: 'test/fixtures/validator/bad/bad.yaml', uriBaseId: '%SRCROOT%' } },
        logicalLocations: [
          { kind: 'object', name: 'no-selector', fullyQualifiedName: 'DestinationRule/default/no-selector' },
          { kind: 'property', name: 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName', fullyQualifiedName: 'DestinationRule/default/no-selector/spec.trafficPolicy.portLevelSettings[0].tls.credentialName' },
        ],
      }],
    });
    expect(run0.originalUriBaseIds['%SRCROOT%'].uri).toBe(`file://${ROOT}/`);
    expect(run0.invocations).toEqual([{ executionSuccessful: true, toolExecutionNotifications: [] }]);
    const levels = JSON.parse(seed.stdout).runs[0].results.map((r: any) => `${r.level} ${r.ruleId}`);
    expect(levels).toContain('warning wiring/image-tag');
    expect(levels).toContain('note istio/tls-ca-certificates');
  });

  test('fails with 2 and one line when the tool itself throws (issue 14: never a stack trace, never exit 1); SARIF stays a valid log with the notification', () => {
    // GIVEN output that fails once, with a message that quotes data (as V8's messages do)
    const failingOnce = () => {
      let failed = false;
      let stdout = '';
      let stderr = '';
      const io = {
        stdout: (t: string) => {
          if (!failed) {
            failed = true;
            throw new RangeError('Maximum call stack size exceeded at "MHcCAQEEIDxR9mPq"\n    at walk (structural.ts:1:1)');
          }
          stdout += t;
        },
        stderr: (t: string) => { stderr += t; },
        cwd: ROOT,
      };
      return { io, out: () => ({ stdout, stderr }) };
    };
    // WHEN the CLI runs, as text and as SARIF
    const text = failingOnce();
    const textCode = main(['validate', rel(BAD_DIR)], text.io);
    const sarif = failingOnce();
    const sarifCode = main(['validate', '--format', 'sarif', rel(BAD_DIR)], sarif.io);
    // THEN exit 2 and one line, without the quoted data; the SARIF log validates and carries the failure
    const line = 'internal error, nothing was validated: RangeError: Maximum call stack size exceeded at "…"';
    expect([textCode, text.out()]).toEqual([2, { stdout: '', stderr: `cdk8s-istio-egress: ${line}\n` }]);
    expect(sarifCode).toBe(2);
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile<any>(schema);
    const log = JSON.parse(sarif.out().stdout);
    expect(validate(log)).toBe(true);
    expect(log.runs[0].invocations).toEqual([{ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: line } }] }]);
    expect(log.runs[0].results).toEqual([]);
  });

  test('sarif reports unreadable input as a failed invocation (exit 2)', () => {
    const r = run('validate', '--format', 'sarif', rel(BAD_DIR), 'no/such/dir');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).runs[0].invocations).toEqual([{
      executionSuccessful: false,
      toolExecutionNotifications: [{ level: 'error', message: { text: 'no/such/dir: cannot read (ENOENT)' } }],
    }]);
  });

  test('text output escapes control characters and ANSI escapes from the manifests', () => {
    // GIVEN an object whose name holds an ANSI colour sequence and a forged report line
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-cli-'));
    try {
      const evil = 'x\u001b[31m\nERROR [forged] \u009b2J\u202e';
      fs.writeFileSync(path.join(dir, 'evil.yaml'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: evil, namespace: 'default' }, data: { k: 'v' } }));
      // WHEN validated
      const r = run('validate', dir);
      // THEN it is reported with the characters escaped
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('ConfigMap default/x\\u001b[31m\\nERROR [forged] \\u009b2J\\u202e');
      // eslint-disable-next-line no-control-regex
      expect(r.stdout).not.toMatch(/[\u001b\u009b\u202e]/);
      expect(r.stdout).not.toMatch(/^ERROR \[forged\]/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('positions', () => {
  // the SARIF 2.1.0 schema, as in 'sarif is a SARIF 2.1.0 log that validates against the official schema'
  const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  const validateSarif = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile<any>(schema);
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-positions-'));
    fs.writeFileSync(path.join(dir, 'multi.yaml'), [
      '# a Namespace, then a DestinationRule with a bad TLS mode, then a document that is no object',
      'apiVersion: v1', //                                        2
      'kind: Namespace',
      'metadata:',
      '  name: shop',
      '---', //                                                   6
      '# the DestinationRule',
      'apiVersion: networking.istio.io/v1', //                    8: the object
      'kind: DestinationRule',
      'metadata:',
      '  name: bad-tls',
      '  namespace: shop',
      'spec:',
      '  host: api.example.com',
      '  trafficPolicy:',
      '    tls:',
      '      mode: BOGUS', //                                     17: the field
      '---',
      '  metadata: {name: no-kind}', //                           19, column 3
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'list.yaml'), [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1', //                                      4: item 0
      '  kind: ConfigMap',
      '  metadata: {name: ok, namespace: default}',
      '  data: {k: v}',
      '-   apiVersion: v1', //                                    8, column 5: item 1
      '    kind: ConfigMap',
      '    metadata: {name: typo, namespace: default}',
      '    dta: {k: v}', //                                       11, column 5
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'dr.json'), [
      '{',
      '  "apiVersion": "networking.istio.io/v1",',
      '  "kind": "DestinationRule",',
      '  "metadata": {"name": "json-dr", "namespace": "default"},',
      '  "spec": {',
      '    "host": "api.example.com",',
      '    "trafficPolicy": {"tls": {"mode": "BOGUS"}}', //      7, column 31
      '  }',
      '}',
      '',
    ].join('\n'));
  });
  afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

  /** The SARIF result of a rule for an object, with its region and the region of the object. */
  function sarifResults() {
    const r = runIn(dir, 'validate', '--format', 'sarif', '.');
    const log = JSON.parse(r.stdout);
    if (!validateSarif(log)) throw new Error(JSON.stringify(validateSarif.errors, null, 2));
    return { code: r.code, run: log.runs[0], find: (ruleId: string, object: string) => log.runs[0].results.find((x: any) => x.ruleId === ruleId && x.locations[0].logicalLocations[0].fullyQualifiedName === object) };
  }
  const at = (file: string, startLine: number, startColumn: number) => ({ artifactLocation: { uri: file, uriBaseId: '%SRCROOT%' }, region: { startLine, startColumn } });

  test('SARIF results carry the region of the field, the object as a related location, and validate against SARIF 2.1.0', () => {
    const { code, run: run0, find } = sarifResults();
    expect(code).toBe(1);
    // GIVEN the second document of a multi-document file: its field, and the object it belongs to
    expect(find('schema/enum', 'DestinationRule/shop/bad-tls')).toMatchObject({
      locations: [{ physicalLocation: at('multi.yaml', 17, 7) }],
      relatedLocations: [{ id: 1, physicalLocation: at('multi.yaml', 8, 1), message: { text: 'DestinationRule/shop/bad-tls' } }],
    });
    // a finding about the whole object is at the object (the third document, indented)
    const noKind = run0.results.find((x: any) => x.ruleId === 'schema/invalid-object');
    expect(noKind.locations[0].physicalLocation).toEqual(at('multi.yaml', 19, 3));
    expect(noKind.relatedLocations).toBeUndefined();
    // the second item of a List, and its field
    expect(find('schema/unknown-field', 'ConfigMap/default/typo')).toMatchObject({
      locations: [{ physicalLocation: at('list.yaml', 11, 5) }],
      relatedLocations: [{ physicalLocation: at('list.yaml', 8, 5) }],
    });
    // a JSON file
    expect(find('schema/enum', 'DestinationRule/default/json-dr')).toMatchObject({
      locations: [{ physicalLocation: at('dr.json', 7, 31) }],
      relatedLocations: [{ physicalLocation: at('dr.json', 1, 1) }],
    });
    // columns are UTF-16 code units, lines end at CRLF, LF or CR: declared for consumers
    expect(run0).toMatchObject({ columnKind: 'utf16CodeUnits', newlineSequences: ['\r\n', '\n', '\r'] });
    // every result from a file has a region
    expect(run0.results.filter((x: any) => !x.locations[0].physicalLocation?.region)).toEqual([]);
  });

  test('text output prints file:line:col, JSON output has line and column', () => {
    const text = runIn(dir, 'validate', '.').stdout;
    expect(text).toContain(`ERROR [schema/enum] DestinationRule shop/bad-tls\n  field:   spec.trafficPolicy.tls.mode\n`);
    expect(text).toContain('  file:    ./multi.yaml:17:7\n');
    expect(text).toContain('  file:    ./list.yaml:11:5\n');
    expect(text).toContain('  file:    ./dr.json:7:31\n');
    const findings = JSON.parse(runIn(dir, 'validate', '--format', 'json', '.').stdout);
    expect(findings.find((f: any) => f.ruleId === 'schema/enum' && f.object.name === 'bad-tls')).toMatchObject({
      field: 'spec.trafficPolicy.tls.mode', line: 17, column: 7,
      object: { kind: 'DestinationRule', name: 'bad-tls', file: './multi.yaml', line: 8, column: 1 },
    });
  });

  test('findings of objects validated in memory (synth, the plugin\'s callers) have no position, and SARIF no region', () => {
    const report = validateManifests([{ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'm', namespace: 'default' }, spec: { host: 'a.example.com', trafficPolicy: { tls: { mode: 'BOGUS' } } } }]);
    const f = report.errors.find((x) => x.ruleId === 'schema/enum')!;
    expect(f.line).toBeUndefined();
    expect(f.object.line).toBeUndefined();
    expect(formatFindings([f])).not.toMatch(/file:/);
    const log = toSarif(report.findings, { baseDir: ROOT });
    if (!validateSarif(log)) throw new Error(JSON.stringify(validateSarif.errors, null, 2));
    expect(log.runs[0].results[0].locations[0].physicalLocation).toBeUndefined();
  });
});

describe('entry points', () => {
  test('the bin and lib/src/validator/cli.js run when compiled, and the bin is packed', () => {
    // GIVEN the validator compiled by tsc as the package ships it (lib/src/validator), and bin/ beside it
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-bin-'));
    try {
      fs.writeFileSync(path.join(out, 'tsconfig.json'), JSON.stringify({
        extends: path.join(ROOT, 'tsconfig.json'),
        compilerOptions: { outDir: path.join(out, 'lib'), rootDir: ROOT, incremental: false, declaration: false, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')] },
        include: [],
        files: [path.join(ROOT, 'src/validator/cli.ts')],
      }));
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(out, 'tsconfig.json')], { stdio: 'pipe' });
      fs.mkdirSync(path.join(out, 'bin'));
      fs.copyFileSync(path.join(ROOT, 'bin/cdk8s-istio-egress.js'), path.join(out, 'bin/cdk8s-istio-egress.js'));
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(out, 'package.json'));
      const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), CDK8S_ISTIO_EGRESS_VALIDATION_DIR: path.join(ROOT, 'imports/validation') };
      // WHEN the bin and the compiled cli.js run
      const bin = spawnSync(process.execPath, [path.join(out, 'bin/cdk8s-istio-egress.js'), 'validate', BAD_DIR], { encoding: 'utf8', env });
      const direct = spawnSync(process.execPath, [path.join(out, 'lib/src/validator/cli.js'), 'validate', SEED_DIR], { encoding: 'utf8', env });
      const version = spawnSync(process.execPath, [path.join(out, 'bin/cdk8s-istio-egress.js'), '--version'], { encoding: 'utf8', env });
      // THEN they validate and exit with the right codes
      expect(bin.stderr).toBe('');
      expect(bin.status).toBe(1);
      expect(bin.stdout).toMatch(/ERROR \[istio\/credential-without-selector\]/);
      expect(direct.status).toBe(0);
      expect(direct.stdout).toMatch(/0 error\(s\), 2 warning\(s\), 6 note\(s\)/);
      expect(version.stdout).toBe(`${VERSION}\n`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
    // and package.json declares the bin and packs it
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'cdk8s-istio-egress': 'bin/cdk8s-istio-egress.js' });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(packed[0].files.map((f: any) => f.path)).toContain('bin/cdk8s-istio-egress.js');
    expect(fs.statSync(path.join(ROOT, 'bin/cdk8s-istio-egress.js')).mode & 0o111).not.toBe(0);
  });
});

describe('--each-file', () => {
  test('validates each file on its own: the main app\'s alternative tasks pass one by one, not together', () => {
    // GIVEN dist/: one Istio task per file, two of which name their Gateway default/istio-egressgateway
    // WHEN validated together, then each file on its own
    const together = run('validate', 'dist');
    const each = run('validate', '--each-file', 'dist');
    // THEN
    expect(together.code).toBe(1);
    expect(together.stdout).toMatch(/^ERROR \[wiring\/duplicate-object\] Gateway default\/istio-egressgateway$/m);
    expect(each.code).toBe(0);
    expect(each.stdout).toMatch(/\n0 error\(s\), \d+ warning\(s\), \d+ note\(s\)\n$/);
  });
});

describe('--istio: the Istio release validated for', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cli-istio-'));
  /** A Sidecar of 1.31's documentation: egress hosts with an exclusion (istio/istio#60139). */
  const sidecar = 'apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: { name: default, namespace: prod-us1 }\nspec:\n  egress:\n    - hosts: ["*/*", "~prod-us2/*"]\n';

  test('1.31 (the default) accepts a Sidecar egress exclusion, 1.30 refuses it', () => {
    const d = dir();
    try {
      fs.writeFileSync(path.join(d, 'sidecar.yaml'), sidecar);
      expect(runIn(d, 'validate', '.').code).toBe(0);
      expect(runIn(d, 'validate', '.', '--istio', '1.31').code).toBe(0);
      const r = runIn(d, 'validate', '.', '--istio=1.30');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^ERROR \[istio\/sidecar-egress\] Sidecar prod-us1\/default\n {2}field: {3}spec\.egress\[0\]\.hosts\[1\]\n {2}problem: invalid namespace value "~prod-us2" in sidecar$/m);
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });

  test('an unknown release is a usage error (exit 2) that lists the supported ones; no value too', () => {
    for (const argv of [['--istio', '1.29'], ['--istio=1.31.0'], ['--istio', 'latest']]) {
      const r = run('validate', rel(SEED_DIR), ...argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^cdk8s-istio-egress: --istio must be one of the supported Istio releases 1\.30, 1\.31 \(got "[^"]+"\)\n/);
    }
    expect(run('validate', '--istio').stderr).toMatch(/--istio needs a value/);
  });

  test('--help documents the option and the default', () => {
    expect(run('--help').stdout).toMatch(/--istio RELEASE {6}the Istio release the cluster runs: 1\.30 or 1\.31 \(default 1\.31,\n\s+the newest supported\)/);
  });
});
