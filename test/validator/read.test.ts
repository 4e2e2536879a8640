// Reading manifests as `kubectl apply -f` does, and surviving hostile input (src/validator/read.ts).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parseManifestText, readManifests, validateDirectory, validateManifests } from '../../src/validator';
import { MAX_DEPTH } from '../../src/validator/read';
import { budget } from '../support/budget';

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
    expect(r.ms).toBeLessThan(budget(5000));
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
    expect(c.ms).toBeLessThan(budget(5000));
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
    expect(Date.now() - start).toBeLessThan(budget(2000));
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
    expect(Date.now() - start).toBeLessThan(budget(5000));
    expect(items).toHaveLength(50001);
    expect(items[50000].metadata.name).toBe('web');
  });

  test('locates the fields of 20000 findings in one JSON object in linear time (each member scanned once)', () => {
    // GIVEN a ConfigMap with 20000 unknown top-level fields (scanning the object once per finding: half a minute)
    const obj: { [k: string]: unknown } = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } };
    for (let i = 0; i < 20000; i++) obj[`x${i}`] = 1;
    const d = dir('many', { 'c.json': JSON.stringify(obj) });
    // WHEN validated
    const start = Date.now();
    const r = validateDirectory(d);
    // THEN every finding has its position, at once
    expect(Date.now() - start).toBeLessThan(budget(5000));
    expect(r.findings.filter((f) => f.ruleId === 'schema/unknown-field')).toHaveLength(20000);
    const last = r.findings.find((f) => f.field === 'x19999')!;
    expect([last.line, last.column]).toEqual([1, JSON.stringify(obj).indexOf('"x19999"') + 1]);
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

describe('where objects and fields are in their file', () => {
  /** Reads `text` as the file `name` and returns, per object, a function giving `line:col` of a field ('' = the object). */
  function positions(name: string, text: string) {
    const file = path.join(dir('pos'), name);
    fs.writeFileSync(file, text);
    const r = readManifests([file]);
    expect(r.errors).toEqual([]);
    return r.objects.map((o) => (field = '') => {
      const at = field ? r.sources.get(o)!.locate(field) : r.sources.get(o)!.position();
      return `${at.line}:${at.column}`;
    });
  }

  test('YAML: documents after comments and ---, fields at their key, array items at the item, a missing field at its deepest ancestor', () => {
    const [a, b] = positions('m.yaml', [
      '--- # first',
      'kind: A',
      'spec:',
      '  ports:',
      '  - {number: 80, name: http}',
      '  - number: 443',
      '    tls: {"mode": SIMPLE}',
      '  labels: {"a/b": x}',
      '---',
      '',
      '  # indented second document',
      '  kind: B',
      '',
    ].join('\n'));
    expect(a()).toBe('2:1');
    expect(a('kind')).toBe('2:1');
    expect(a('spec.ports[0].name')).toBe('5:18');
    expect(a('spec.ports[1]')).toBe('6:5');
    expect(a('spec.ports[1].tls.mode')).toBe('7:11');
    expect(a('spec.labels["a/b"]')).toBe('8:12');
    // not in the file: the deepest ancestor that is, or the object
    expect(a('spec.ports[1].tls.caCertificates')).toBe('7:5');
    expect(a('spec.ports[7].number')).toBe('4:3');
    expect(a('metadata.name')).toBe('2:1');
    expect(a('(root)')).toBe('2:1');
    // text after the path is not part of it
    expect(a('spec.ports[1] (and 2 more)')).toBe('6:5');
    expect(b()).toBe('12:3');
  });

  test('YAML: List items, aliases and << merge keys are where they are written', () => {
    const [x, y, z] = positions('l.yaml', [
      'kind: List',
      'items:',
      '- &x',
      '  kind: X',
      '  spec: &spec {tls: {mode: SIMPLE}, port: 1}',
      '- kind: Y',
      '  spec: {<<: *spec, port: 2}',
      '- *x',
      '',
    ].join('\n'));
    expect(x()).toBe('4:3'); // the object's first key (the anchor is not part of it)
    expect(y()).toBe('6:3');
    expect(y('spec.port')).toBe('7:21'); // its own key overrides the merged one
    expect(y('spec.tls.mode')).toBe('5:22'); // merged: where the anchored map writes it
    // the third item is the same object as the first: reported where it is first written
    expect(z()).toBe('4:3');
  });

  test('JSON: a stream of values and a List, fields at their key', () => {
    // (a key written twice is refused since issue 14: see 'JSON duplicate keys are refused like YAML duplicates')
    const [a, b, c] = positions('s.json', [
      '{"kind": "List", "items": [',
      '  {"kind": "A", "spec": {"made": "x", "s": "}{\\"[", "mode": "y"}},',
      '  {"kind": "B", "list": [1, {"k\\u0061": true}]}',
      ']}',
      '{',
      '  "kind": "C"}',
    ].join('\n'));
    expect(a()).toBe('2:3');
    expect(a('spec.mode')).toBe('2:53');
    expect(b()).toBe('3:3');
    expect(b('list[1].ka')).toBe('3:30');
    expect(b('list[2]')).toBe('3:17'); // no such item: the list's key
    expect(c()).toBe('5:1');
    expect(c('kind')).toBe('6:3');
  });

  test('lines end at \\r\\n, \\n or \\r; columns are UTF-16 code units; a byte order mark is no column', () => {
    const [crlf] = positions('crlf.yaml', '\ufeffkind: A\r\nspec:\r\n  mode: x\r\n');
    expect(crlf('spec.mode')).toBe('3:3');
    expect(crlf()).toBe('1:1');
    // (the yaml package reads a lone \r as no line break; JSON does)
    const [cr] = positions('cr.json', '{"kind": "A",\r"spec":\r {"mode": "x"}}');
    expect(cr('spec.mode')).toBe('3:3');
    // U+1F600 is two UTF-16 code units, é one
    const [wide] = positions('u.yaml', 'kind: A\nspec: {name: "😀é", mode: x}\n');
    expect(wide('spec.mode')).toBe('2:21');
  });

  test('the field of the last of 4000 objects (2 MB of YAML) is located, and the file is read within seconds', () => {
    // GIVEN 4000 DestinationRules (about 2 MB)
    const doc = (i: number) => `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: dr-${i}, namespace: default}\nspec:\n  host: api-${i}.example.com\n  trafficPolicy:\n    portLevelSettings:\n${Array.from({ length: 8 }, (_, p) => `    - port: {number: ${p + 1}}\n      tls: {mode: SIMPLE, sni: api-${i}.example.com}\n`).join('')}`;
    const text = Array.from({ length: 4000 }, (_, i) => doc(i)).join('---\n');
    // WHEN read, and the field of the last object is located
    const start = Date.now();
    const d = dir('speed', { 'big.yaml': text });
    const r = readManifests([d]);
    const last = r.objects[r.objects.length - 1];
    const at = r.sources.get(last)!.locate('spec.trafficPolicy.portLevelSettings[7].tls.sni');
    // THEN
    expect(r.objects).toHaveLength(4000);
    expect(at).toEqual({ line: text.split('\n').length - 1, column: 27 });
    expect(Date.now() - start).toBeLessThan(budget(15000));
  });
});

describe('read as kubectl reads (issue 14)', () => {
  const SIDECAR = 'apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s, namespace: shop}\nspec:\n  egress:\n  - hosts: ["./*"]\n';

  test('exportTo: [.] is the string ".", valid, not a NaN type error', () => {
    // GIVEN a ServiceEntry exported to its own namespace with an unquoted "."
    const [se] = parseManifestText('apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: a, namespace: shop}\n'
      + 'spec: {hosts: [api.example.com], exportTo: [.], location: MESH_EXTERNAL, resolution: DNS, ports: [{number: 443, name: tls, protocol: TLS}]}\n', 'se.yaml');
    // WHEN validated THEN exportTo is the string "." and nothing is wrong with it
    expect(se.spec.exportTo).toEqual(['.']);
    expect(validateManifests([se]).errors).toEqual([]);
  });

  test('a namespace written 0o17 is the integer 15 for kubectl: a type error, as the API server reports it', () => {
    const [cm] = parseManifestText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: 0o17}\n', 'cm.yaml');
    expect(cm.metadata.namespace).toBe(15);
    expect(validateManifests([cm]).errors.map((f) => [f.ruleId, f.field])).toEqual([['schema/type', 'metadata.namespace']]);
  });

  test('fails on %YAML 1.2 as kubectl does, naming the directive; %YAML 1.1 and %TAG too (kubectl cuts the directive off at ---)', () => {
    expect(() => parseManifestText(`%YAML 1.2\n---\n${SIDECAR}`, 'v12.yaml'))
      .toThrow(/^v12\.yaml: line 1, column 1: %YAML 1\.2: kubectl reads YAML 1\.1 only and refuses the file \(go-yaml v2: "found incompatible YAML document"\)/);
    expect(() => parseManifestText(`# c\n%YAML 1.1\n---\n${SIDECAR}`, 'v11.yaml')).toThrow(/^v11\.yaml: line 2, column 1: a %YAML or %TAG directive: .*"did not find expected <document start>"/);
    expect(() => parseManifestText(`${SIDECAR}---\n%TAG !e! tag:example.com,2000:\n---\nkind: A\n`, 'tag.yaml')).toThrow(/^tag\.yaml: line 8, column 1: a %YAML or %TAG directive/);
  });

  test('fails on content after --- on its line, as kubectl\'s document reader does; a comment there is fine', () => {
    expect(parseManifestText(`--- # first\n${SIDECAR}---   \n${SIDECAR}`, 'ok.yaml')).toHaveLength(2);
    expect(() => parseManifestText(`${SIDECAR}--- {kind: A}\n`, 'sep.yaml')).toThrow(/^sep\.yaml: line 7, column 1: text after "---" on its line: .*"invalid Yaml document separator"/);
  });

  test('JSON duplicate keys are refused like YAML duplicates, naming the key and where it is', () => {
    // GIVEN the same DestinationRule in JSON and in YAML, each with "host" twice
    const json = '{"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "d"},\n "spec": {"host": "a.example.com", "host": "b.example.com"}}';
    const yamlText = 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: a.example.com, host: b.example.com}\n';
    // WHEN read THEN both fail on the second "host"
    const second = json.lastIndexOf('"host"');
    expect(() => parseManifestText(json, 'dr.json')).toThrow(`dr.json: JSON at offset ${second} (line 2, column ${second - json.indexOf('\n')}): duplicate key "host" (written twice in one object`);
    expect(() => parseManifestText(yamlText, 'dr.yaml')).toThrow(/^dr\.yaml: line 4, column 29: duplicate key "host" \(written twice in one map\)$/);
    // an escaped spelling of the same key is the same key
    expect(() => parseManifestText('{"a": 1, "\\u0061": 2}', 'esc.json')).toThrow(/duplicate key "a"/);
  });

  test('a byte order mark after --- does not break the next object (each document is read on its own)', () => {
    // GIVEN two files concatenated, the second with a BOM
    const [a, b] = parseManifestText(`${SIDECAR}---\n\ufeff${SIDECAR.replace('name: s', 'name: t')}`, 'cat.yaml');
    // THEN both objects are read whole, and the BOM is no column
    expect([a.metadata.name, b.metadata.name, b.spec.egress[0].hosts]).toEqual(['s', 't', ['./*']]);
    // (the BOM was part of the first key: "\ufeffapiVersion", so the object had no apiVersion)
    expect(Object.keys(b)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(validateManifests([b]).errors).toEqual([]);
    const file = path.join(dir('bom'), 'cat.yaml');
    fs.writeFileSync(file, `${SIDECAR}---\n\ufeff${SIDECAR}`);
    const r = readManifests([file]);
    expect(r.sources.get(r.objects[1])!.position()).toEqual({ line: 8, column: 1 });
  });

  test('fails when the input holds no objects at all (only --- lines, or empty), as kubectl apply does; a file without objects among others is a note', () => {
    // GIVEN a file of only "---" lines, an empty file, and a folder with an empty file beside a manifest
    const dashes = dir('dashes', { 'd.yaml': '---\n---\n# nothing\n---\n' });
    const empty = dir('empty-file', { 'e.yaml': '' });
    const mixed = dir('mixed', { 'a.yaml': SIDECAR, 'e.yaml': '---\n' });
    // WHEN validated by the CLI
    for (const d of [dashes, empty]) {
      const r = cli(['validate', d]);
      // THEN exit 2: nothing was validated, and it says so
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/note: skipped .*\.yaml: no objects \(empty, or only comments and "---" lines\); kubectl apply skips it\n/);
      expect(r.stderr).toContain(`error: no objects in ${d}: every file is empty or holds only comments and "---" lines (kubectl apply: "no objects passed to apply")`);
    }
    const m = cli(['validate', mixed]);
    expect(m.stderr).toBe(`cdk8s-istio-egress: note: skipped ${path.join(mixed, 'e.yaml')}: no objects (empty, or only comments and "---" lines); kubectl apply skips it\n`);
    expect(m.status).toBe(0);
  });

  test('fails on a symlink loop, saying so (not "missing target")', () => {
    const d = dir('loop');
    fs.symlinkSync(path.join(d, 'a.yaml'), path.join(d, 'a.yaml'));
    expect(readManifests([d]).errors).toEqual([`${path.join(d, 'a.yaml')}: symlink loop (ELOOP): the link leads back to itself, there is no file to read`]);
    expect(readManifests([path.join(d, 'a.yaml')]).errors).toEqual([`${path.join(d, 'a.yaml')}: symlink loop (ELOOP): the link leads back to itself, there is no file to read`]);
  });
});

describe('fast and exact on hostile input (issue 14; the large sizes are in npm run bench)', () => {
  const within = (_budget: number, f: () => void) => {
    const start = Date.now();
    f();
    return Date.now() - start;
  };

  test('fails on a 10 KB JSON file nested 5,000 levels deep with a read error (exit 2, SARIF valid), not an uncaught RangeError', () => {
    // GIVEN 5,000 nested objects
    const d = dir('deep', { 'deep.json': '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) });
    // WHEN validated, in text and in SARIF
    const text = cli(['validate', d]);
    const sarif = cli(['validate', d, '--format', 'sarif']);
    // THEN a clear error at the level past the limit, exit 2; the SARIF log holds it as a notification
    const message = `${path.join(d, 'deep.json')}: JSON at offset ${5 * MAX_DEPTH} (line 1, column ${5 * MAX_DEPTH + 1}): nested more than ${MAX_DEPTH} levels deep (objects and arrays)`;
    expect([text.status, text.stderr]).toEqual([2, `cdk8s-istio-egress: error: ${message}\n`]);
    expect(sarif.status).toBe(2);
    const inv = JSON.parse(sarif.stdout).runs[0].invocations[0];
    expect(inv).toEqual({ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: message } }] });
  });

  test('YAML and JSON nested exactly MAX_DEPTH levels are read and validated; one more level is refused', () => {
    const yamlDoc = (n: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: ${'['.repeat(n - 2)}${']'.repeat(n - 2)}}\n`;
    const jsonDoc = (n: number) => `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"x": ${'['.repeat(n - 2)}${']'.repeat(n - 2)}}}`;
    expect(validateManifests(parseManifestText(yamlDoc(MAX_DEPTH), 'ok.yaml')).errors.map((f) => f.field)).toEqual(['data.x']);
    expect(validateManifests(parseManifestText(jsonDoc(MAX_DEPTH), 'ok.json')).errors.map((f) => f.field)).toEqual(['data.x']);
    expect(() => parseManifestText(yamlDoc(MAX_DEPTH + 1), 'deep.yaml')).toThrow(`nested more than ${MAX_DEPTH} levels deep`);
    expect(() => parseManifestText(jsonDoc(MAX_DEPTH + 1), 'deep.json')).toThrow(`nested more than ${MAX_DEPTH} levels deep`);
    // block nesting and compact sequences count alike
    expect(() => parseManifestText(`${'- '.repeat(MAX_DEPTH + 1)}x\n`, 'seq.yaml')).toThrow(`nested more than ${MAX_DEPTH} levels deep`);
  });

  test('fails when aliases nest a document deeper than MAX_DEPTH levels once expanded', () => {
    const half = Math.ceil(MAX_DEPTH / 2) + 1;
    const text = `a: &a ${'['.repeat(half)}${']'.repeat(half)}\nb: ${'['.repeat(half)}*a${']'.repeat(half)}\n`;
    expect(() => parseManifestText(text, 'alias.yaml')).toThrow(`alias.yaml: line 1, column 1: nested more than ${MAX_DEPTH} levels deep (maps and sequences, aliases expanded)`);
  });

  test('1 MB of "[" fails within a second or two, in YAML and in JSON', () => {
    const yamlMs = within(2000, () => expect(() => parseManifestText('['.repeat(1 << 20), 'b.yaml')).toThrow(/^b\.yaml: line 1, column \d+: nested more than/));
    const jsonMs = within(2000, () => expect(() => parseManifestText(`{"a":${'['.repeat(1 << 20)}`, 'b.json')).toThrow(/^b\.json: JSON at offset \d+ .*nested more than/));
    expect(yamlMs).toBeLessThan(budget(2000));
    expect(jsonMs).toBeLessThan(budget(2000));
  });

  test('10,000 small documents and 50 KB of bare --- lines are read in linear time', () => {
    const docs = Array.from({ length: 10000 }, (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join('');
    let objects: any[] = [];
    const ms = within(5000, () => { objects = parseManifestText(docs, 'many.yaml'); });
    expect(objects).toHaveLength(10000);
    expect(objects[9999].metadata.name).toBe('c9999');
    expect(ms).toBeLessThan(budget(5000));
    const dashMs = within(2000, () => expect(parseManifestText('---\n'.repeat(12500), 'dashes.yaml')).toEqual([]));
    expect(dashMs).toBeLessThan(budget(2000));
  });
});
