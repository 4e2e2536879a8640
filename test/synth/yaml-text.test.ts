import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { EgressTlsOrigination, MutualTlsOrigination, SleepClient, TlsCredential } from '../../src';
import { yamlText, yamlTextStats } from '../../src/synth/yaml-text';

// yamlText() must write what cdk8s's Yaml.stringify writes, byte for byte, for any input: the fast path for the
// documents it takes, Yaml.stringify itself for the others. Compared here on the task app's output, on every
// document of the corpus of real configurations (test/fixtures/corpus) and on generated values.

const FIXTURES = path.join(__dirname, '..', 'fixtures');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

/** The documents of a YAML file as JavaScript values (files that do not parse are skipped). */
function documents(file: string): unknown[] {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return [];
  return docs.map((d) => d.toJS());
}

describe('yamlText is Yaml.stringify', () => {
  test('on the objects of the task app\'s files (dist/), which it writes on the fast path', () => {
    // GIVEN every manifest of the repository's main app, read back as objects
    const dist = path.join(__dirname, '..', '..', 'dist');
    const files = fs.readdirSync(dist).filter((f) => f.endsWith('.k8s.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    let fast = 0;
    let all = 0;
    for (const f of files) {
      const docs = documents(path.join(dist, f));
      // WHEN both write them; THEN the bytes are the same, and they are those of the file
      expect(yamlText(docs)).toBe(Yaml.stringify(...docs));
      fast += yamlTextStats.fast;
      all += docs.length;
    }
    // and nearly all documents take the fast path (the others hold strings of several lines: nginx.conf, PEM)
    expect(fast / all).toBeGreaterThan(0.9);
  });

  test('on every document of the corpus of real configurations and of the fixtures', () => {
    // GIVEN the YAML files nobody here wrote (Istio's samples, istio.io's tasks) and the test fixtures
    const files = yamlFiles(FIXTURES);
    expect(files.length).toBeGreaterThan(200);
    let docs = 0;
    let fast = 0;
    for (const f of files) {
      const ds = documents(f);
      // WHEN both write each file's documents; THEN the same bytes
      expect({ f, text: yamlText(ds) }).toEqual({ f, text: Yaml.stringify(...ds) });
      docs += ds.length;
      fast += yamlTextStats.fast;
    }
    // (389 files, 1,042 documents, 996 of them on the fast path when this was written)
    expect(docs).toBeGreaterThan(1000);
    expect(fast).toBeGreaterThan(900);
  });

  test('on the constructs\' own objects, TLS credentials and clients included', () => {
    // GIVEN a chart with sidecar originations, a mutual one with its credential, and a client
    const app = new App();
    const chart = new Chart(app, 'c', { namespace: 'shop' });
    const client = new SleepClient(chart, 'sleep');
    new EgressTlsOrigination(chart, 'a', { host: 'api.example.com', client, sni: 'api.example.com', subjectAltNames: ['api.example.com'] });
    new MutualTlsOrigination(chart, 'm', {
      host: 'mtls.example.com', client,
      credential: TlsCredential.fromCertManager({ secretName: 'client', issuerName: 'ca', dnsNames: ['client.example.com'] }),
    });
    const docs = chart.toJson();
    // THEN
    expect(yamlText(docs)).toBe(Yaml.stringify(...docs));
  });

  // strings yaml writes quoted (YAML 1.1 reads them as another type, or they need quotes), and plain ones
  const STRINGS = [
    'plain', 'host-1.example.com', 'app.kubernetes.io/name', 'curl:8.1', 'a:', ':a', 'a b', '', ' ', '-', '--', '---x',
    '...x', '?', '? x', '-x', 'x-', 'e5', 'E5', '1e5', '.5', '5.', '1_000', '0x1F', '0o17', '017', '08', '1:20', '190:20:30',
    'y', 'Y', 'n', 'N', 'yes', 'No', 'on', 'OFF', 'true', 'False', 'null', 'Null', '~', '<<', '=', '.inf', '-.inf', '.nan',
    '2001-12-14', '2001-12-14t21:59:43.10-05:00', '0b101', '+1', '-1', '_1', 'a#b', 'a #b', '#a', '@a', 'a@b', '%a', '&a',
    '*a', '!a', '|a', '>a', "'a'", '"a"', 'a\nb', 'a\tb', 'tab\t', 'é', 'ü.example.com', 'x'.repeat(1000), 'x'.repeat(1001),
    'x'.repeat(1030), '/path', '/etc/certs/ca.pem', 'a=b', 'a+b', 'a~b', 'v1', 'networking.istio.io/v1', '80', '443', '-0',
    'NaN', 'Infinity', 'a,b', '[a]', '{a}', 'a]', 'a}', 'k:v:w', 'x:', '\u0007', 'A_B', '_',
    // quoted by yaml, and written quoted by the fast path too
    '*', '*.example.com', ' a', 'a ', 'a: b', "it's", "'", '%x', '@x', '`x', '!x', '&x', '|', '>', '[x', '{x', ',x', '?x',
    '? x', '- x', '-', '---', '...', '--- x', '...x', 'x---', 'x...', '-.5', '+.inf', '=x', '~x', 'a  b', 'a\\b', 'say "hi"',
    'x'.repeat(999) + ' ', 'https://example.com:8443/path?q=1#frag', 'GET /api', '<<<', 'yes please', 'on-call', '0 1 2',
  ];
  const NUMBERS = [0, -0, 1, -3, 80, 443, 65535, 2 ** 53 - 1, 2 ** 53, 1.5, -0.25, 1e21, 1e-7, NaN, Infinity, -Infinity];
  const SCALARS: unknown[] = [...STRINGS, ...NUMBERS, true, false, null, undefined];

  test.each(SCALARS.map((v) => [v]))('a value %p, in a map, a list, as a key and as a document', (v) => {
    // GIVEN the value in every position a manifest puts one
    const docs = [{ k: v }, { list: [v, 'x'] }, [v], v, { nested: { deep: [{ k: v, other: 1 }] } }];
    const keyed = typeof v === 'string' ? [{ [v]: 1 }, { a: { [v]: [v] } }] : [];
    for (const d of [...docs, ...keyed]) {
      // THEN yamlText writes it as Yaml.stringify does
      expect(yamlText([d])).toBe(Yaml.stringify(d));
    }
  });

  test('shapes: empty collections, nested lists, maps of nulls, shared and class objects, holes', () => {
    const shared = { a: 1 };
    const emptyShared = {};
    class Thing { public readonly x = 1; }
    // eslint-disable-next-line no-sparse-arrays
    const holey = [1, , 3];
    const shapes: unknown[] = [
      {}, [], { a: {} }, { a: [] }, [{}], [[]], [[1, 2], []], [[[{ m: 1 }]]], { a: [[1], [{ b: [] }]] },
      { a: null, b: null }, { a: undefined }, { a: { x: null } }, [{ x: null }], { a: [null, undefined] },
      { s1: shared, s2: shared }, [shared, shared], { e1: emptyShared, e2: emptyShared }, { t: new Thing() },
      { d: new Date(0) }, { m: new Map([['a', 1]]) }, { h: holey }, { j: { toJSON: () => 'x' } }, { b: BigInt(5) },
      Object.assign(Object.create(null), { a: 1, b: [1] }), { '1': 'one', 'b': 2, '0': 'zero' },
    ];
    for (const s of shapes) expect(yamlText([s])).toBe(Yaml.stringify(s));
    // several documents, undefined ones included, are joined as cdk8s joins them
    expect(yamlText([{ a: 1 }, undefined, 'e5', { b: [] }])).toBe(Yaml.stringify({ a: 1 }, undefined, 'e5', { b: [] }));
    expect(yamlText([])).toBe(Yaml.stringify());
  });

  test('generated documents: random maps and lists of the values above', () => {
    // GIVEN a deterministic generator (a linear congruential sequence)
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const value = (depth: number): unknown => {
      const r = rnd(10);
      if (depth > 3 || r < 5) return SCALARS[rnd(SCALARS.length)];
      if (r < 8) {
        const o: Record<string, unknown> = {};
        for (let i = rnd(4); i > 0; i--) o[rnd(3) === 0 ? STRINGS[rnd(STRINGS.length)] : `k${rnd(20)}`] = value(depth + 1);
        return o;
      }
      return Array.from({ length: rnd(4) }, () => value(depth + 1));
    };
    // WHEN 2,000 documents are written both ways; THEN the same bytes
    for (let i = 0; i < 2000; i++) {
      const d = value(0);
      expect(yamlText([d])).toBe(Yaml.stringify(d));
    }
  });

  test.each([
    ['a yaml of another major version', '{ "name": "yaml", "version": "1.10.2", "main": "index.js" }', 'module.exports = {};'],
    ['a yaml whose schema cannot be read', '{ "name": "yaml", "version": "2.9.1", "main": "index.js" }', 'module.exports = {};'],
  ])('a copy of cdk8s with %s has every document written by its own Yaml.stringify', (_what, pkg, main) => {
    // GIVEN a cdk8s whose Yaml.stringify marks what it writes, with that yaml beside it
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-text-'));
    try {
      const cdk8s = path.join(dir, 'node_modules', 'cdk8s');
      fs.mkdirSync(path.join(cdk8s, 'node_modules', 'yaml'), { recursive: true });
      fs.writeFileSync(path.join(cdk8s, 'index.js'), 'exports.Yaml = { stringify: (...docs) => `own ${docs.length}\\n` };');
      fs.writeFileSync(path.join(cdk8s, 'node_modules', 'yaml', 'package.json'), pkg);
      fs.writeFileSync(path.join(cdk8s, 'node_modules', 'yaml', 'index.js'), main);
      // WHEN yamlText writes documents the fast path would take for the real cdk8s
      const out = yamlText([{ a: 1 }, { b: ['x'] }], path.join(cdk8s, 'index.js'));
      // THEN each went to that cdk8s's Yaml.stringify, none to the fast path
      expect(out).toBe('own 1\n---\nown 1\n');
      expect(yamlTextStats).toEqual({ fast: 0, fallback: 2 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
