// The fast path for CEL rules (src/validator/cel-fast.ts) must never decide otherwise than the interpreter
// (@bufbuild/cel, src/validator/cel.ts): every rule of the kept CRDs of both releases is evaluated both ways on
// values generated from the schema that carries it, seeded, with wrong types, nulls, non-ASCII text and the
// rule's own string literals mixed in.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { validateManifests } from '../../src/validator';
import { lookupSchema } from '../../src/validator/schemas';
import { celLib, decodeAst } from '../../src/validator/cel-ast';
import { compileRule, toCel } from '../../src/validator/cel';
import { compileFast, re2ToRegExp, type CelExprNode } from '../../src/validator/cel-fast';
import { seed } from '../support/validator-seed';

const DATA = path.resolve(__dirname, '../../imports/validation');

interface Site { rule: string; schema: any; where: string }
/** Every rule of a release's CRD schemas, with the first schema that carries it. */
function sites(release: string): Site[] {
  const crds = JSON.parse(fs.readFileSync(path.join(DATA, `crds-${release}.json`), 'utf8'));
  const out = new Map<string, Site>();
  for (const e of Object.values<any>(crds.kinds)) {
    for (const [version, v] of Object.entries<any>(e.versions)) {
      const walk = (s: any, field: string) => {
        if (!s || typeof s !== 'object') return;
        for (const r of s['x-kubernetes-validations'] ?? []) {
          const key = r.rule; // one schema a rule: those that carry the same rule differ little
          if (!out.has(key)) out.set(key, { rule: r.rule, schema: s, where: `${e.kind} ${version} ${field}` });
        }
        for (const [k, ps] of Object.entries<any>(s.properties ?? {})) walk(ps, field ? `${field}.${k}` : k);
        if (s.items) walk(s.items, `${field}[*]`);
        if (s.additionalProperties && typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${field}[*]`);
      };
      if (v.schema) walk(v.schema, '');
    }
  }
  return [...out.values()];
}

const trees = (release: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(DATA, `cel-${release}.json`), 'utf8')).rules;

/** The string constants of a tree (the values a rule compares with). */
function literals(node: any, out: Set<string> = new Set()): Set<string> {
  if (!node || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const n of node) literals(n, out);
    return out;
  }
  if (node.constantKind?.case === 'stringValue') out.add(node.constantKind.value);
  for (const k in node) if (k !== 'sourceInfo') literals(node[k], out);
  return out;
}

const STRINGS = [
  '', ' ', 'a', 'a b', 'a.com', '*.a.com', '*', '*a', 'A.com', 'a..com', '-a.com', 'a-.com', 'a_b', 'foo.bar/baz', 'example.com/key',
  'key', 'a'.repeat(63), 'a'.repeat(64), `${'a'.repeat(253)}/x`, 'http://x.com', 'https://a', 'HTTP://a', 'ftp://x', '/path', 'path',
  'unix:///var/run', 'unix://@abstract', 'unix://x', 'unix://', '1.2.3.4', '01.2.3.4', '::1', 'fe80::1%eth0', '10.0.0.0/8', '1.2.3.4/33',
  '::/0', '1ms', '0s', '10s', '1h30m', '100ms', '1.5s', '-1s', '99999h', '80', '0', '65535', '65536', '007', '-1', '+5', 'é', 'ÀB',
  '😀', 'a\r', 'a\n', '\v', 'a\u2028', '/foo', '%zz', '%2F', '/a%2Fb', 'Ab_9', '_x', '.svc', 'x.y.z', 'Exact', 'PathPrefix',
  'RegularExpression', 'ReplacePrefixMatch', 'ReplaceFullPath', 'Hostname', 'IPAddress', 'foo/bar', 'k'.repeat(300),
];
const KEYS = ['app', 'version', 'a*', 'example.com/x', 'k8s.io/', '80', '0', '70000', '', 'a.b', 'é'];
const INTS = [0, 1, 2, 80, 443, 1000, 65535, 65536, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1.5];
const WRONG = [null, 1, 'x', true, [], {}, 2.5];

/** mulberry32: the same values on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(rnd: () => number, own: readonly string[]) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  // half of the strings are the rule's own literals (and their variants), so that its branches are taken
  const mine = [...own, ...own.map((x) => `${x}x`), ...own.map((x) => x.toUpperCase())];
  const string = () => (mine.length && rnd() < 0.5 ? pick(mine) : pick(STRINGS));
  const gen = (s: any, depth: number): unknown => {
    const r = rnd();
    if (r < 0.03) return pick(WRONG);
    if (s?.['x-kubernetes-int-or-string']) return rnd() < 0.5 ? pick(INTS) : string();
    switch (s?.type) {
      case 'object': {
        const o: Record<string, unknown> = {};
        if (s.properties) {
          for (const [k, ps] of Object.entries<any>(s.properties)) if (depth < 6 && rnd() < (depth < 2 ? 0.7 : 0.45)) o[k] = gen(ps, depth + 1);
        } else if (s.additionalProperties && typeof s.additionalProperties === 'object' && depth < 6) {
          const n = Math.floor(rnd() * 4);
          for (let i = 0; i < n; i++) o[rnd() < 0.5 ? pick(KEYS) : string()] = gen(s.additionalProperties, depth + 1);
        }
        return o;
      }
      case 'array': {
        const n = depth < 6 ? Math.floor(rnd() * 4) : 0;
        const items = Array.from({ length: n }, () => gen(s.items, depth + 1));
        if (n && rnd() < 0.15) items.push(items[0]); // duplicates, for the uniqueness rules
        return items;
      }
      case 'string':
        return s.enum && rnd() < 0.8 ? pick(s.enum) : string();
      case 'integer':
        return pick(INTS);
      case 'number':
        return pick([0, 1, 1.5, -2, 1e10]);
      case 'boolean':
        return rnd() < 0.5;
      default:
        return rnd() < 0.5 ? string() : pick(INTS);
    }
  };
  return gen;
}

/** Every object of test/fixtures (the corpora of real configurations included) and of the ported webhook cases (kind + spec), read once. */
let fixtures: any[] | undefined;
function fixtureObjects(): any[] {
  if (fixtures) return fixtures;
  const objects: any[] = [];
  const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : /\.ya?ml$/.test(d.name) ? [path.join(dir, d.name)] : []));
  for (const file of files(path.resolve(__dirname, '../fixtures'))) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const o = doc.errors.length ? undefined : doc.toJS();
      if (o && typeof o === 'object') objects.push(...(Array.isArray(o.items) ? o.items : [o]));
    }
  }
  const conformance = path.resolve(__dirname, 'conformance');
  for (const file of fs.readdirSync(conformance).filter((f) => f.endsWith('.yaml'))) {
    const doc = parseAllDocuments(fs.readFileSync(path.join(conformance, file), 'utf8'))[0]?.toJS();
    for (const c of doc?.cases ?? []) {
      const group = /^(AuthorizationPolicy|PeerAuthentication|RequestAuthentication)$/.test(doc.kind) ? 'security' : /^(Telemetry)$/.test(doc.kind) ? 'telemetry' : /^(WasmPlugin|TrafficExtension)$/.test(doc.kind) ? 'extensions' : 'networking';
      objects.push({ apiVersion: `${group}.istio.io/v1`, kind: doc.kind, spec: c.spec });
    }
  }
  fixtures = objects;
  return objects;
}

describe('cel-fast: every rule of the kept CRDs, both ways', () => {
  test.each(['1.30', '1.31'])('Istio %s: the fast path takes every rule and decides as the interpreter does', (release) => {
    // GIVEN every rule of the release's CRDs with its schema and its stored tree
    const stored = trees(release);
    const all = sites(release).filter((s) => !/\boldSelf\b/.test(s.rule));
    const declined = [...new Set(all.filter((s) => !compileFast(decodeAst(stored[s.rule]).expr as unknown as CelExprNode)).map((s) => s.rule))];
    // THEN the fast path compiles all of them
    expect(declined).toEqual([]);

    // WHEN each is evaluated on generated values, by the fast path and by the interpreter
    const mismatches: string[] = [];
    let decided = 0;
    let total = 0;
    const outcomes = new Map<string, Set<boolean>>();
    all.forEach((site, i) => {
      const fast = compileFast(decodeAst(stored[site.rule]).expr as unknown as CelExprNode)!;
      const interpreted = compileRule(site.rule, release as '1.30');
      if (!interpreted.ok) throw new Error(`${site.rule}: ${interpreted.reason}`);
      const gen = generator(random(i + 1), [...literals(decodeAst(stored[site.rule]))]);
      for (let n = 0; n < 150; n++) {
        const value = gen(site.schema, 0);
        const self = toCel(site.schema, value);
        const f = fast(self);
        let expected: unknown;
        try {
          expected = interpreted.program({ self });
        } catch (e) {
          expected = e;
        }
        total++;
        if (f === undefined) continue;
        decided++;
        if (!outcomes.has(site.rule)) outcomes.set(site.rule, new Set());
        outcomes.get(site.rule)!.add(f);
        if (f !== expected) mismatches.push(`${site.where}: ${site.rule}\n  on ${JSON.stringify(value)}: fast ${f}, interpreter ${String(expected)}`);
      }
    });
    // THEN they never disagree, and the fast path decides most evaluations, both ways for nearly every rule
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(decided / total).toBeGreaterThan(0.8);
    const oneWay = [...new Set(all.map((s) => s.rule))].filter((r) => (outcomes.get(r)?.size ?? 0) < 2);
    // (those decided one way only need values of a shape generation seldom makes: 16 rules of 9 matches for the
    // Gateway API's `<= 128` sums, two parentRefs equal but for sectionName, a redirect and a rewrite filter together)
    expect(oneWay.length).toBeLessThanOrEqual(12);
  });

  test.each(['1.30', '1.31'])('Istio %s: on every object of the repository\'s fixtures and conformance cases, the two agree', (release) => {
    // GIVEN every Istio, Gateway API and cert-manager object of test/fixtures (the corpora of real configurations
    // included) and of the ported webhook cases (kind + spec)
    const objects = fixtureObjects();
    const stored = trees(release);
    const programs = new Map<string, ReturnType<typeof compileFast> & {}>();
    let checked = 0;
    const mismatches: string[] = [];
    const visit = (s: any, v: unknown, field: string) => {
      if (!s || typeof s !== 'object' || v === undefined) return;
      for (const r of s['x-kubernetes-validations'] ?? []) {
        if (/\boldSelf\b/.test(r.rule)) continue;
        const self = toCel(s, v);
        if (!programs.has(r.rule)) programs.set(r.rule, compileFast(decodeAst(stored[r.rule]).expr as unknown as CelExprNode)!);
        const f = programs.get(r.rule)!(self);
        if (f === undefined) continue;
        checked++;
        const c = compileRule(r.rule, release as '1.30');
        let expected: unknown;
        try {
          expected = c.ok ? c.program({ self }) : c.reason;
        } catch (e) {
          expected = e;
        }
        if (f !== expected) mismatches.push(`${field}: ${r.rule}: fast ${f}, interpreter ${String(expected)}`);
      }
      if (Array.isArray(v)) v.forEach((x, i) => visit(s.items, x, `${field}[${i}]`));
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          visit(s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined), x, `${field}.${k}`);
        }
      }
    };
    for (const o of objects) {
      if (typeof o?.apiVersion !== 'string' || typeof o.kind !== 'string') continue;
      const l = lookupSchema(o.apiVersion, o.kind, release as '1.30');
      if (l.found === 'crd') visit(l.schema, o, o.kind);
    }
    // THEN each rule the fast path decides, it decides as the interpreter does
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  test('the task\'s manifests are validated without loading @bufbuild/cel', () => {
    // GIVEN a fresh module registry (nothing loaded yet)
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const v = require('../../src/validator') as typeof import('../../src/validator');
      const ast = require('../../src/validator/cel-ast') as typeof import('../../src/validator/cel-ast');
      /* eslint-enable @typescript-eslint/no-require-imports */
      // WHEN the seed's objects are validated (their ServiceEntry and DestinationRule rules run)
      const r = v.validateManifests(seed());
      // THEN the CEL rules were evaluated, all by the fast path
      expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(ast.celLibLoaded()).toBe(false);
    });
  });

  test('a value the fast path does not decide on goes to the interpreter, with its error message', () => {
    // GIVEN a ServiceEntry whose ports rule meets a port without a number (CEL: no such key)
    const se = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'se', namespace: 'default' },
      spec: { hosts: ['a.com'], resolution: 'DNS', ports: [{ name: 'http', number: 80, protocol: 'HTTP' }, { name: 'x', number: 80, protocol: 'HTTP' }] } };
    // WHEN it is validated / THEN the duplicate is a failed rule, as the interpreter says
    const f = validateManifests([se]).findings.filter((x) => x.ruleId === 'cel/rule');
    expect(f.map((x) => x.field)).toEqual(['spec.ports']);
    expect(f[0].message).toMatch(/port number cannot be duplicated/);
  });
});

describe('cel-fast: && and || look past an operand they do not decide on', () => {
  const rule = "self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true";
  const stored = (): string => trees('1.31')[rule] ?? trees('1.30')[rule];
  const both = (value: unknown) => {
    const self = toCel(undefined, value);
    const fast = compileFast(decodeAst(stored()).expr as unknown as CelExprNode)!;
    const interpreted = compileRule(rule, '1.31');
    if (!interpreted.ok) throw new Error(interpreted.reason);
    let expected: unknown;
    try {
      expected = interpreted.program({ self });
    } catch (e) {
      expected = e;
    }
    return { fast: fast(self), interpreter: expected };
  };

  test('one operand that decides gives the result, the missing key of the other notwithstanding', () => {
    // GIVEN the Gateway listener TLS rule, a listener with certificateRefs and without options (CEL: no such key)
    // WHEN it is evaluated both ways
    // THEN the fast path answers true, as CEL's commutative || does
    expect(both({ mode: 'Terminate', certificateRefs: [{ name: 'c' }] })).toEqual({ fast: true, interpreter: true });
  });

  test('when no operand decides, the rule goes to the interpreter', () => {
    // GIVEN certificateRefs empty and options absent: the || hinges on the missing key
    const r = both({ mode: 'Terminate', certificateRefs: [] });
    // THEN the fast path does not answer, and the interpreter's answer is not a plain true
    expect(r.fast).toBeUndefined();
    expect(r.interpreter).not.toBe(true);
  });
});

describe('cel-fast: comprehension variables', () => {
  // trees parsed here by @bufbuild/cel (the stored trees hold only the CRDs' rules)
  const both = (rule: string, value: unknown) => {
    const fast = compileFast(celLib().parse(rule).expr as unknown as CelExprNode);
    if (!fast) throw new Error(`not taken by the fast path: ${rule}`);
    const self = toCel(undefined, value);
    const program = celLib().plan(celLib().celEnv({}), celLib().parse(rule)) as unknown as (ctx: { self: unknown }) => unknown;
    return { fast: fast(self), interpreter: program({ self }) };
  };

  test.each([
    // the ServiceEntry ports rule: two nested comprehensions, each with its own @result
    ['self.all(l1, self.exists_one(l2, l1.number == l2.number))', [{ number: 80 }, { number: 443 }], true],
    ['self.all(l1, self.exists_one(l2, l1.number == l2.number))', [{ number: 80 }, { number: 80 }], false],
    // an inner variable shadows the outer one of the same name, which is its own again after the inner loop
    ['self.all(x, self.exists(x, x > 2) && x > 0)', [1, 2, 3], true],
    ['self.all(x, self.exists(x, x > 2) && x > 1)', [1, 2, 3], false],
    ['self.exists(x, x == 2) && self.all(x, x < 4)', [1, 2, 3], true],
    ['self.map(x, self.filter(y, y < x).size())[2] == 2', [1, 2, 3], true],
    ['self.map(x, self.filter(y, y < x).size())[2] == 3', [1, 2, 3], false],
  ])('%s on %j is %s, both ways', (rule, value, expected) => {
    expect(both(rule, value)).toEqual({ fast: expected, interpreter: expected });
  });

  test('a program runs again with a fresh state after an evaluation it did not decide', () => {
    const fast = compileFast(celLib().parse('self.all(x, x.a > 0)').expr as unknown as CelExprNode)!;
    // GIVEN an evaluation abandoned in the middle of its loop (an element without the key)
    expect(fast(toCel(undefined, [{ a: 1 }, {}]))).toBeUndefined();
    // THEN the next evaluation decides on its own value
    expect(fast(toCel(undefined, [{ a: 1 }, { a: 2 }]))).toBe(true);
    expect(fast(toCel(undefined, [{ a: 0 }]))).toBe(false);
  });
});

describe('re2ToRegExp', () => {
  test.each([
    ['^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', ['a', 'a-b', 'a1'], ['-a', 'a-', 'A', '']],
    ['^(?i)\\.?[a-z_][a-z_0-9]*$', ['Foo', '.x_1'], ['1a', 'a.b']],
    ['^a.b$', ['axb', 'a\rb'], ['a\nb', 'ab']], // RE2's `.` matches \r
    ['^\\s$', [' ', '\t', '\n', '\f', '\r'], ['\v', 'a']], // RE2's \s is [\t\n\f\r ]
    ['^[\\d]{2,3}$', ['12', '123'], ['1', '1234', 'ab']],
    ['^(?:[-A-Za-z0-9/._~!$&\'()*+,;=:@]|[%][0-9a-fA-F]{2})+$', ['/a/b', '%2F'], ['%zz', 'a b']],
    ['a|b', ['xa', 'b'], ['c']], // unanchored: a match anywhere
  ])('%s is translated, and matches what RE2 matches', (pattern, yes, no) => {
    const re = re2ToRegExp(pattern)!;
    expect(re).toBeDefined();
    for (const s of yes) expect([s, re.test(s)]).toEqual([s, true]);
    for (const s of no) expect([s, re.test(s)]).toEqual([s, false]);
  });

  test.each([
    ['\\pL', 'Unicode classes'], ['[[:alpha:]]', 'POSIX classes'], ['(?P<n>a)', 'named groups'], ['(?s).', 'flags other than a leading (?i)'],
    ['a{1001}', 'repetitions over 1000'], ['a{,3}', 'a { that starts no repetition'], ['**', 'a repetition of nothing'], ['a**', 'a repetition of a repetition'],
    ['\\bword\\b', 'word boundaries'], ['\\Qa.b\\E', 'quoted text'], ['[]a]', 'a leading ] in a class'], ['[z-a]', 'a reversed range'],
    ['(a', 'an unclosed group'], ['a)', 'an unopened group'], ['é', 'non-ASCII text'], ['\\x41', 'hex escapes'],
  ])('%s is left to the interpreter (%s)', (pattern) => {
    expect(re2ToRegExp(pattern)).toBeUndefined();
  });
});
