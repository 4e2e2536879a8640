import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { parse } from '@bufbuild/cel';
import { allCelRules, validateManifests } from '../../src/validator';
import { decodeAst, encodeAst, parserVersion, precompileRules } from '../../src/validator/cel-ast';

// imports/validation/cel-<release>.json holds the syntax tree of every CEL rule (written by `npm run import`), so that the
// validator does not run the CEL parser in each process: the trees must be exactly what the parser makes.

const ROOT = path.resolve(__dirname, '../..');
const celJson = (release: string) => path.join(ROOT, 'imports', 'validation', `cel-${release}.json`);

describe.each(['1.30', '1.31'] as const)('cel-%s.json', (release) => {
  const data = JSON.parse(fs.readFileSync(celJson(release), 'utf8'));

  test('was written by the parser installed here, for every rule the validator may compile', () => {
    // GIVEN the rules of the extracted CRD schemas, but transition rules (never compiled)
    const rules = new Set(allCelRules(release).map((r) => r.rule).filter((r) => !/\boldSelf\b/.test(r)));
    // THEN cel.json holds a tree for each, made by this parser
    expect(data.parser).toBe(parserVersion());
    expect(data.parser).toMatch(/^@bufbuild\/cel \d+\.\d+\.\d+/);
    expect(new Set(Object.keys(data.rules))).toEqual(rules);
  });

  test('each stored tree is deep-equal to what the parser makes of its rule (bigints, unset fields included)', () => {
    // GIVEN / WHEN every stored tree is decoded / THEN it equals a fresh parse, strictly
    const different = Object.entries<string>(data.rules).filter(([rule, text]) => !isDeepStrictEqual(decodeAst(text), parse(rule)));
    expect(different.map(([rule]) => rule)).toEqual([]);
  });
});

describe('encodeAst / decodeAst', () => {
  test.each([
    ['an int64 constant beyond 2^53', 'self.x == 9223372036854775807'],
    ['a uint64 constant', 'self.x == 18446744073709551615u'],
    ['a negative int64 constant', 'self.x > -9007199254740993'],
    ['a bytes constant', "self.b == b'\\x00\\xffabc'"],
    ['a double constant', 'self.d < 1.5e300'],
    ['macros (unset call targets in their expansions)', "self.all(k, k.exists(c, c == 'a')) && has(self.y)"],
  ])('round-trips %s exactly', (_what, rule) => {
    // GIVEN a parsed rule
    const parsed = parse(rule);
    // WHEN encoded and decoded
    const back = decodeAst(encodeAst(parsed));
    // THEN it is strictly deep-equal to the parser's tree
    expect(isDeepStrictEqual(back, parsed)).toBe(true);
  });

  test('precompileRules leaves out transition rules and rules that do not parse', () => {
    // GIVEN / WHEN
    const out = precompileRules(['self.a == oldSelf.a', 'self.a ==', 'self.a == 1', 'self.a == 1']);
    // THEN
    expect(Object.keys(out.rules)).toEqual(['self.a == 1']);
    expect(out.parser).toBe(parserVersion());
  });
});

describe('the validator without cel-<release>.json', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-no-cel-'));
    for (const f of ['crds-1.30.json', 'crds-1.31.json', 'k8s.json']) fs.copyFileSync(path.join(ROOT, 'imports', 'validation', f), path.join(dir, f));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('parses the rules itself and finds the same', () => {
    // GIVEN objects that break CEL rules of Istio and Gateway API CRDs
    const objects = [
      { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'se' }, spec: { hosts: ['a.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 80, name: 'http2', protocol: 'HTTP' }], resolution: 'NONE', addresses: ['10.0.0.0/8'], workloadSelector: { labels: { app: 'x' } }, endpoints: [{ address: '1.1.1.1' }] } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: {} }, { type: 'URLRewrite', urlRewrite: {} }] }] } },
    ];
    // WHEN validated with cel.json and, in a fresh module registry, with a validation folder that has none
    const withTrees = validateManifests(objects).findings;
    let withoutTrees: unknown[] = [];
    const saved = process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR;
    process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR = dir;
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        withoutTrees = require('../../src/validator').validateManifests(objects).findings;
      });
    } finally {
      if (saved === undefined) delete process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR;
      else process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR = saved;
    }
    // THEN both find the same, CEL rule failures among them
    expect(withTrees.filter((f) => f.ruleId === 'cel/rule').length).toBeGreaterThan(1);
    expect(withoutTrees).toEqual(withTrees);
  });
});
