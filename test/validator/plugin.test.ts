// The cdk8s validation plugin (src/validator/plugin.ts) run with cdk8s-cli's own ValidationContext and report.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { objectKey, validateManifests } from '../../src/validator';
import { IstioEgressValidation } from '../../src/validator/plugin';

// cdk8s-cli exports its ValidationContext as `cdk8s-cli/plugins` (an exports-map path: typed through lib/)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ValidationContext } = require('cdk8s-cli/plugins') as typeof import('cdk8s-cli/lib/plugins');

const BAD = path.join(__dirname, '..', 'fixtures', 'validator', 'bad', 'bad.yaml');

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-plugin-')); });
afterEach(() => { fs.rmSync(work, { recursive: true, force: true }); });

/** A ServiceEntry and a DestinationRule both named `api`, each with an unknown field. */
function sameName(): any[] {
  return [
    { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'api', namespace: 'default' },
      spec: { hosts: ['api.example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS', bogus: 1 } },
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'api', namespace: 'default' },
      spec: { host: 'api.example.com', bogus: 2 } },
  ];
}

function manifest(name: string, objects: any[]): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, objects.map((o) => YAML.stringify(o)).join('---\n'));
  return file;
}

/** Runs the plugin as `cdk8s synth` does; returns the cdk8s report (JSON and text) and what the plugin logged. */
async function runPlugin(manifests: string[], metadata: { [key: string]: { path: string } }, props = {}) {
  const context = new ValidationContext(manifests, 'cdk8s-istio-egress', '0.1.0', metadata, false);
  const logs: string[] = [];
  (context.logger as any).log = (m: string) => logs.push(m);
  await new IstioEgressValidation(props).validate(context as any);
  const json = context.report.toJson();
  return { json, text: context.report.toString(), logs, success: context.report.success };
}

const occurrences = (json: any) => json.violations.flatMap((v: any) => v.violatingConstructs.flatMap((c: any) => c.locations)).length;

describe('counts', () => {
  test('the errors the plugin logs are the occurrences cdk8s counts and the errors of its summary', async () => {
    // GIVEN the bad fixtures (errors and a warning) and two more objects with errors
    const files = [manifest('bad.k8s.yaml', YAML.parseAllDocuments(fs.readFileSync(BAD, 'utf8')).map((d) => d.toJS())), manifest('api.k8s.yaml', sameName())];
    // WHEN cdk8s runs the plugin
    const { json, text, logs, success } = await runPlugin(files, {});
    // THEN the counts agree everywhere
    const expected = validateManifests([...YAML.parseAllDocuments(fs.readFileSync(BAD, 'utf8')).map((d) => d.toJS()), ...sameName()]);
    const errors = expected.errors.length;
    expect(errors).toBeGreaterThan(2);
    expect(success).toBe(false);
    expect(occurrences(json)).toBe(errors);
    expect(json.summary.metadata).toEqual({ errors: String(errors), warnings: String(expected.warnings.length), notes: String(expected.notes.length) });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(new RegExp(`^cdk8s-istio-egress validation: ${errors} error\\(s\\) \\(the violations of the report below: ${errors} occurrence\\(s\\)\\), ${expected.warnings.length} warning\\(s\\), ${expected.notes.length} note\\(s\\)`));
    expect(logs[0]).not.toMatch(/0 error\(s\)/);
    const printed = [...text.matchAll(/\((\d+) occurrences\)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(printed).toBe(errors);
  });

  test('success with 0 errors when the errors are downgraded', async () => {
    const { json, logs, success } = await runPlugin([BAD], {}, { warn: ['istio/credential-without-selector', 'schema/unknown-field'] });
    expect(success).toBe(true);
    expect(occurrences(json)).toBe(0);
    expect(logs[0]).toMatch(/^cdk8s-istio-egress validation: 0 error\(s\), \d+ warning\(s\), \d+ note\(s\)\n\nWARNING /);
  });

  test('an unreadable manifest is a violation that counts', async () => {
    // GIVEN a manifest with a YAML syntax error next to a good one
    const broken = path.join(work, 'broken.k8s.yaml');
    fs.writeFileSync(broken, 'a: [1, 2\n');
    // WHEN the plugin runs
    const { json, logs, success } = await runPlugin([broken], {});
    // THEN cdk8s fails and counts it
    expect(success).toBe(false);
    expect(json.violations.map((v: any) => v.ruleName)).toEqual([`input/unreadable (${broken})`]);
    expect(occurrences(json)).toBe(1);
    expect(logs[0]).toMatch(/^cdk8s-istio-egress validation: 1 error\(s\)/);
  });
});

describe('construct paths', () => {
  test('a ServiceEntry and a DestinationRule with the same name get their own construct paths (objectKey)', () => {
    // GIVEN construct paths keyed by kind/namespace/name, as scripts/synth.js passes them
    const objects = sameName();
    const paths = new Map([
      ['ServiceEntry/default/api', 'App/Chart/api/ServiceEntry'],
      ['DestinationRule/default/api', 'App/Chart/api/DestinationRule'],
    ]);
    expect(objects.map(objectKey)).toEqual([...paths.keys()]);
    // WHEN validated
    const r = validateManifests(objects, { constructPaths: (o) => paths.get(objectKey(o)) });
    // THEN each finding carries its own object's path
    expect(r.errors.map((f) => [f.object.kind, f.object.constructPath])).toEqual([
      ['ServiceEntry', 'App/Chart/api/ServiceEntry'],
      ['DestinationRule', 'App/Chart/api/DestinationRule'],
    ]);
  });

  test('the plugin never gives the DestinationRule path to the ServiceEntry when cdk8s keys metadata by name', async () => {
    // GIVEN cdk8s's construct metadata, keyed by name: the last object named `api` wins
    const file = manifest('api.k8s.yaml', sameName());
    // WHEN cdk8s runs the plugin
    const { json, text } = await runPlugin([file], { api: { path: 'App/Chart/api/DestinationRule' } });
    // THEN neither object gets a path that may be the other's, and cdk8s prints N/A
    const constructs = json.violations.flatMap((v: any) => v.violatingConstructs);
    expect(constructs.map((c: any) => [c.resourceName, c.constructPath])).toEqual([
      ['ServiceEntry/default/api', undefined],
      ['DestinationRule/default/api', undefined],
    ]);
    expect(text).not.toMatch(/Construct Path: App\/Chart\/api\/DestinationRule/);
  });

  test('the plugin uses metadata keyed by objectKey, and name-keyed metadata for a name no other object has', async () => {
    // GIVEN metadata by objectKey for the two `api` objects, by name for the DestinationRule `no-selector`
    const file = manifest('api.k8s.yaml', sameName());
    const metadata = {
      'ServiceEntry/default/api': { path: 'App/Chart/api/ServiceEntry' },
      'DestinationRule/default/api': { path: 'App/Chart/api/DestinationRule' },
      'no-selector': { path: 'App/Chart/NoSelector/Resource' },
    };
    // WHEN cdk8s runs the plugin
    const { json } = await runPlugin([file, BAD], metadata);
    // THEN cdk8s resolves each construct path to its own object
    const paths = Object.fromEntries(json.violations.flatMap((v: any) => v.violatingConstructs).map((c: any) => [c.resourceName, c.constructPath]));
    expect(paths).toMatchObject({
      'ServiceEntry/default/api': 'App/Chart/api/ServiceEntry',
      'DestinationRule/default/api': 'App/Chart/api/DestinationRule',
      'no-selector': 'App/Chart/NoSelector/Resource',
    });
  });
});

describe('eachFile', () => {
  // two files that are alternatives: the same ConfigMap name with different data
  const cm = (v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: 'default' }, data: { v } });

  test('all files are one set by default: an object defined differently in two files is an error', async () => {
    const files = [manifest('a.k8s.yaml', [cm('1')]), manifest('b.k8s.yaml', [cm('2')])];
    const { success, logs } = await runPlugin(files, {});
    expect(success).toBe(false);
    expect(logs[0]).toMatch(/^cdk8s-istio-egress validation: 1 error\(s\)/);
  });

  test('with eachFile, each file is validated on its own', async () => {
    const files = [manifest('a.k8s.yaml', [cm('1')]), manifest('b.k8s.yaml', [cm('2')])];
    const { success, logs } = await runPlugin(files, {}, { eachFile: true });
    expect(success).toBe(true);
    expect(logs[0]).toMatch(/^cdk8s-istio-egress validation: 0 error\(s\)/);
  });

  test('fails when eachFile is not a boolean', () => {
    expect(() => new IstioEgressValidation({ eachFile: 'yes' } as any)).toThrow(/'eachFile' must be true or false \(got "yes"\)/);
  });

  test('istio: the release validated for (default 1.31); 1.30 refuses what only 1.31 accepts', async () => {
    // GIVEN a DestinationRule with 1.31's http2KeepAlive
    const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'ka', namespace: 'default' },
      spec: { host: 'api.example.com', trafficPolicy: { connectionPool: { http: { http2KeepAlive: { interval: '30s', timeout: '10s' } } } } } };
    const file = manifest('ka.k8s.yaml', [dr]);
    // WHEN / THEN it passes for 1.31 and by default, and fails for 1.30 with the schema's unknown field
    expect((await runPlugin([file], {}, { istio: '1.31' })).success).toBe(true);
    expect((await runPlugin([file], {})).success).toBe(true);
    const old = await runPlugin([file], {}, { istio: '1.30' });
    expect(old.success).toBe(false);
    expect(old.json.violations.map((v: any) => v.ruleName)).toEqual(['schema/unknown-field (DestinationRule default/ka)']);
  });

  test('fails on an unknown istio release, naming the supported ones, and on an unquoted number', () => {
    expect(() => new IstioEgressValidation({ istio: '1.29' })).toThrow("IstioEgressValidation: 'istio' must be one of the supported Istio releases 1.30, 1.31 (got \"1.29\")");
    expect(() => new IstioEgressValidation({ istio: 1.3 } as any)).toThrow("IstioEgressValidation: 'istio' must be a string, quoted in cdk8s.yaml (istio: '1.31'): YAML reads an unquoted 1.3 as a number");
  });
});

describe('warn', () => {
  test('takes rule ids, family prefixes and "*" of the registry', () => {
    for (const warn of [['istio/dr-host'], ['wiring/'], ['analyzer/*'], ['*'], 'schema/unknown-field, wiring/']) {
      expect(() => new IstioEgressValidation({ warn })).not.toThrow();
    }
  });

  test('fails when warn names no rule, naming it', () => {
    // GIVEN a misspelt rule id and a prefix no rule has WHEN the plugin is made THEN the error names both
    expect(() => new IstioEgressValidation({ warn: ['istio/dr-hots', 'wiring/', 'nope/'] })).toThrow(/^IstioEgressValidation: 'warn' names no rule "istio\/dr-hots", "nope\/" \(/);
    expect(() => new IstioEgressValidation({ downgrade: 'istio/se-' })).toThrow(/names no rule "istio\/se-"/);
  });
});
