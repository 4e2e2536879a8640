// Reading manifests as `kubectl apply -f` does, and surviving hostile input (src/validator/read.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parseManifestText, readManifests, validateDirectory, validateManifests } from '../../src/validator';

const ROOT = path.resolve(__dirname, '../..');
const VALIDATE = path.join(ROOT, 'scripts', 'validate.js');

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-read-')); });
afterEach(() => { fs.rmSync(work, { recursive: true, force: true }); });

function dir(name: string, files: { [file: string]: string } = {}): string {
  const d = path.join(work, name);
  fs.mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(d, f), text);
  return d;
}

/** Runs the CLI in a child process (so that a hang is a timeout, not a stuck test run). */
function cli(args: string[], timeout = 5000) {
  const start = Date.now();
  const r = spawnSync(process.execPath, [VALIDATE, ...args], { encoding: 'utf8', timeout, cwd: work });
  return { ...r, ms: Date.now() - start };
}

const BAD_DR = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'bad', namespace: 'default' },
  spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: 'BOGUS' } } },
};

/** A "billion laughs": 10 levels of 9 aliases each (90 aliases, under any alias count), 9^10 nodes expanded. */
function billionLaughs(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= 10; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

describe('hostile input', () => {
  test('fails when a FIFO is named x.yaml, within seconds instead of hanging', () => {
    // GIVEN a folder whose x.yaml is a FIFO nobody writes to
    const d = dir('fifo');
    const mk = spawnSync('mkfifo', [path.join(d, 'x.yaml')]);
    if (mk.status !== 0) return; // no mkfifo on this platform
    // WHEN the CLI validates the folder
    const r = cli(['validate', d]);
    // THEN it reports the FIFO and exits 2, quickly
    expect(r.error).toBeUndefined();
    expect(r.ms).toBeLessThan(5000);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/x\.yaml: is a FIFO; only regular files are read/);
  });

  test('fails when a symlink named z.yaml points to /dev/zero, with a clear error', () => {
    // GIVEN z.yaml -> /dev/zero (reading it would never end)
    if (!fs.existsSync('/dev/zero')) return;
    const d = dir('zero');
    fs.symlinkSync('/dev/zero', path.join(d, 'z.yaml'));
    // WHEN it is read
    const r = readManifests([d]);
    // THEN the file is named, nothing is read
    expect(r.errors).toEqual([`${path.join(d, 'z.yaml')}: symlink to a character device; only regular files are read`]);
    expect(r.objects).toEqual([]);
    const c = cli(['validate', d]);
    expect(c.status).toBe(2);
    expect(c.ms).toBeLessThan(5000);
  });

  test('fails when a file is a socket', async () => {
    // GIVEN a unix socket named s.yaml
    const d = dir('sock');
    const sock = path.join(d, 's.yaml');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      // WHEN the folder is read THEN the socket is reported
      expect(readManifests([d]).errors).toEqual([`${sock}: is a socket; only regular files are read`]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('follows a symlink to a regular file, and reports a dangling one', () => {
    // GIVEN link.yaml -> ../real/dr.yaml and gone.yaml -> a missing file
    const real = dir('real', { 'dr.yaml': JSON.stringify(BAD_DR) });
    const d = dir('links');
    fs.symlinkSync(path.join(real, 'dr.yaml'), path.join(d, 'link.yaml'));
    fs.symlinkSync(path.join(real, 'missing.yaml'), path.join(d, 'gone.yaml'));
    // WHEN read
    const r = readManifests([d]);
    // THEN the linked object is read, the dangling link is an error
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['bad']);
    expect(r.errors).toEqual([`${path.join(d, 'gone.yaml')}: symlink to a missing target (ENOENT)`]);
  });

  test('fails when a file is over maxFileBytes, naming the file and the limit', () => {
    // GIVEN a 2000-byte manifest and a limit of 1000 bytes
    const d = dir('big', { 'big.yaml': `# ${'x'.repeat(2000)}\n` });
    // WHEN read THEN it is refused
    expect(readManifests([d], { maxFileBytes: 1000 }).errors).toEqual([`${path.join(d, 'big.yaml')}: 2003 bytes is over the limit of 1000 bytes (maxFileBytes)`]);
    const c = cli(['validate', d, '--max-file-size', '1000']);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/big\.yaml: 2003 bytes is over the limit of 1000 bytes/);
  });

  test('fails fast on a billion-laughs alias document that stays under the alias count', () => {
    // GIVEN 90 aliases expanding to 9^10 nodes
    const text = billionLaughs();
    // WHEN parsed
    const start = Date.now();
    expect(() => parseManifestText(text, 'laughs.yaml')).toThrow(/^laughs\.yaml: more than 2000000 YAML nodes with aliases expanded \(maxYamlNodes\)/);
    // THEN it fails at once
    expect(Date.now() - start).toBeLessThan(2000);
  });

  test('fails fast on a List of 50000 aliases of one object (no quadratic alias lookup)', () => {
    // GIVEN a List whose items are 50000 aliases of a Deployment (the yaml package resolves each alias by
    // scanning the document: minutes)
    const text = 'apiVersion: v1\nkind: List\nitems:\n- &d {apiVersion: apps/v1, kind: Deployment, metadata: {name: web},'
      + ' spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "nginx:1.27", env: [{name: A, value: "1"}]}]}}}}\n'
      + '- *d\n'.repeat(50000);
    // WHEN parsed with the default limit, and with a limit it stays under
    const start = Date.now();
    expect(() => parseManifestText(text, 'list.yaml')).toThrow(/more than 2000000 YAML nodes/);
    const items = parseManifestText(text, 'list.yaml', { maxYamlNodes: 5_000_000 });
    // THEN both are fast, and the aliases are the object
    expect(Date.now() - start).toBeLessThan(5000);
    expect(items).toHaveLength(50001);
    expect(items[50000].metadata.name).toBe('web');
  });

  test('fails when an alias refers to the node that contains it, or to no anchor', () => {
    expect(() => parseManifestText('a: &a [1, *a]\n', 'loop.yaml')).toThrow(/^loop\.yaml: document 1: alias \*a refers to a node that contains it$/);
    expect(() => parseManifestText('a: *nope\n', 'none.yaml')).toThrow(/^none\.yaml: document 1: alias \*nope has no anchor before it$/);
  });

  test('fails with the file name on a YAML syntax error', () => {
    expect(() => parseManifestText('a: [1, 2\n', 'broken.yaml')).toThrow(/^broken\.yaml: /);
  });
});

describe('what kubectl apply -f reads', () => {
  test('a folder holding only an invalid .json DestinationRule fails', () => {
    // GIVEN dr.json, an invalid DestinationRule
    const d = dir('json', { 'dr.json': JSON.stringify(BAD_DR, null, 2) });
    // WHEN validated
    const r = validateDirectory(d);
    // THEN its error is found
    expect(r.errors.map((f) => [f.ruleId, f.field, f.object.file])).toEqual([['schema/enum', 'spec.trafficPolicy.tls.mode', path.join(d, 'dr.json')]]);
    expect(cli(['validate', d]).status).toBe(1);
  });

  test('fails when a folder holds no manifests (exit 2)', () => {
    // GIVEN a folder with a README, an upper-case .YAML (kubectl skips it) and a sub-folder only
    const d = dir('empty', { 'README.md': '# nothing', 'X.YAML': JSON.stringify(BAD_DR) });
    dir('empty/sub', { 'dr.yaml': JSON.stringify(BAD_DR) });
    // WHEN validated THEN it says so
    expect(() => validateDirectory(d)).toThrow(`no manifests (*.yaml, *.yml, *.json) in ${d}`);
    const c = cli(['validate', d]);
    expect(c.status).toBe(2);
    expect(c.stderr).toBe(`cdk8s-istio-egress: error: no manifests (*.yaml, *.yml, *.json) in ${d}\n`);
  });

  test('reads *.yaml, *.yml and *.json of a folder, not recursively, and a file named explicitly whatever its extension', () => {
    // GIVEN manifests under every extension kubectl reads, and some it does not
    const obj = (name: string) => JSON.stringify({ ...BAD_DR, metadata: { name } });
    const d = dir('mixed', { 'a.yaml': obj('a'), 'b.yml': obj('b'), 'c.json': obj('c'), 'd.txt': obj('d'), 'E.YML': obj('e') });
    dir('mixed/sub', { 'f.yaml': obj('f') });
    const txt = path.join(d, 'd.txt');
    // WHEN the folder and the .txt file are read
    const r = readManifests([d, txt]);
    // THEN
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(r.read).toEqual(['a.yaml', 'b.yml', 'c.json'].map((f) => path.join(d, f)).concat(txt));
    expect(r.errors).toEqual([]);
  });

  test('JSON files may hold a List or a stream of objects', () => {
    const list = parseManifestText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ kind: 'A' }, { kind: 'B' }] }) + '\n{"kind": "C", "s": "}{"}', 'l.json');
    expect(list).toEqual([{ kind: 'A' }, { kind: 'B' }, { kind: 'C', s: '}{' }]);
    expect(() => parseManifestText('{"kind": "A"} trailing', 'bad.json')).toThrow(/^bad\.json: invalid JSON at offset 14/);
  });

  test('YAML is read as YAML 1.1, like sigs.k8s.io/yaml (go-yaml v2)', () => {
    // GIVEN the YAML 1.1 booleans, an octal, merge keys, a timestamp and a base-60 look-alike
    const text = [
      'b: [yes, no, on, off, y, n, Yes, NO, true, False]',
      'mode: 0755',
      'hex: 0x1F',
      'date: 2001-12-14',
      'ratio: 1:30',
      'base: &base {port: 80, name: http}',
      'merged: {<<: *base, name: web}',
      'overridden: {name: first, <<: *base}',
      'list: {<<: [{a: 1}, {a: 2, b: 2}]}',
    ].join('\n');
    // WHEN parsed
    const [v] = parseManifestText(text, 'y11.yaml');
    // THEN
    expect(v.b).toEqual([true, false, true, false, true, false, true, false, true, false]);
    expect(v.mode).toBe(0o755);
    expect(v.hex).toBe(31);
    expect(v.date).toBe('2001-12-14'); // go-yaml v2 keeps timestamps as strings in interface{}
    expect(v.ratio).toBe('1:30'); // no base-60 numbers in go-yaml v2
    expect(v.merged).toEqual({ port: 80, name: 'web' });
    expect(v.overridden).toEqual({ name: 'http', port: 80 }); // go-yaml v2: a merge overrides the keys before it
    expect(v.list).toEqual({ a: 1, b: 2 }); // earlier maps of a merge sequence win
  });

  test('a YAML 1.1 boolean where a string belongs is an error, as the API server would report', () => {
    // GIVEN a ConfigMap whose value is an unquoted `yes`
    const [cm] = parseManifestText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {enabled: yes}\n', 'cm.yaml');
    // WHEN validated THEN it is a type error
    expect(validateManifests([cm]).errors.map((f) => [f.ruleId, f.field])).toEqual([['schema/type', 'data.enabled']]);
  });

  test('skips the construct-metadata.json that cdk8s writes next to the manifests', () => {
    // GIVEN a synth output with construct-metadata.json
    const d = dir('synth', { 'app.k8s.yaml': JSON.stringify(BAD_DR), 'construct-metadata.json': JSON.stringify({ version: '1.0.0', resources: { bad: { path: 'App/Chart/Bad' } } }) });
    // WHEN read
    const r = readManifests([d]);
    // THEN it is skipped with a note, not validated as a manifest
    expect(r.objects).toHaveLength(1);
    expect(r.skipped).toEqual([`${path.join(d, 'construct-metadata.json')}: cdk8s construct metadata, not a manifest (kubectl apply -f on this folder would reject it)`]);
    expect(r.errors).toEqual([]);
  });
});
