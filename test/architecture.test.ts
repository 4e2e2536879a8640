import * as fs from 'fs';
import * as path from 'path';
import { REGISTRY } from '../src/validator/rules';

// The layout shows the architecture, and this test keeps it so: the constructs (grouped by topology, with
// their shared core and private helpers) never import the validator, the certificates or the synth command;
// the validator never imports a construct; nothing in src/ imports the repository's task app (app/) or the
// tests; and no module of src/ is part of an import cycle.
const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'src');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative imports of each module of src/ (type-only imports included: they are dependencies too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const spec = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'|require\('(\.{1,2}\/[^']+)'\)|import\('(\.{1,2}\/[^']+)'\)/g;
  for (const file of tsFiles(SRC)) {
    // comments name modules too ("require('./x') finds x.ts"): only code counts
    const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');
    const deps: string[] = [];
    for (const m of text.matchAll(spec)) {
      const base = path.resolve(path.dirname(file), m[1] ?? m[2] ?? m[3]);
      const target = [`${base}.ts`, path.join(base, 'index.ts'), base].find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
      if (target) deps.push(path.relative(ROOT, target));
      else if (!/\.json$/.test(base)) throw new Error(`${path.relative(ROOT, file)} imports ${m[1] ?? m[2] ?? m[3]}, which does not exist`);
    }
    graph.set(path.relative(ROOT, file), deps);
  }
  return graph;
}

/** Strongly connected components of more than one module, or a module importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

const graph = importGraph();
const area = (file: string) => file.split('/')[1].replace(/\.ts$/, '');
const LIBRARY = ['index', 'core', 'private', 'common', 'sidecar', 'egress-gateway', 'gateway-api', 'ambient', 'lockdown', 'workloads', 'credentials'];

test('every folder of src/ has a place in the architecture', () => {
  const areas = new Set([...graph.keys()].map(area));
  expect([...areas].sort()).toEqual([...LIBRARY, 'certificates', 'synth', 'validator'].sort());
});

test('the constructs import neither the validator, the certificates, nor the synth command', () => {
  const allowed = (d: string) => d.startsWith('imports/') || LIBRARY.includes(area(d)); // imports/: the generated bindings
  const bad = [...graph].flatMap(([f, deps]) => (LIBRARY.includes(area(f)) ? deps.filter((d) => !allowed(d)).map((d) => `${f} -> ${d}`) : []));
  expect(bad).toEqual([]);
});

test('the validator imports no construct (only the annotations they share)', () => {
  const bad = [...graph].flatMap(([f, deps]) => (area(f) === 'validator' ? deps.filter((d) => !d.startsWith('imports/') && !['validator', 'common'].includes(area(d))).map((d) => `${f} -> ${d}`) : []));
  expect(bad).toEqual([]);
});

test('nothing in src/ imports the task app or the tests', () => {
  const bad = [...graph].flatMap(([f, deps]) => deps.filter((d) => !d.startsWith('src/') && !d.startsWith('imports/')).map((d) => `${f} -> ${d}`));
  expect(bad).toEqual([]);
});

test('no import cycle in src/', () => {
  expect(cycles(graph)).toEqual([]);
});

test('the cycle check finds a cycle', () => {
  expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
});

// The validator's rule registry (src/validator/rules/): one definition per rule, in the folder of its family.
describe('the rule registry', () => {
  const RULES_DIR = path.join(SRC, 'validator', 'rules');
  const definitions = tsFiles(RULES_DIR).flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return [...text.matchAll(/defineRule\(\{\s*id:\s*'([^']+)'/g)].map((m) => ({ file: path.relative(RULES_DIR, file), id: m[1] }));
  });

  test('every rule id is defined exactly once, and every definition is in the registry', () => {
    const ids = definitions.map((d) => d.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect([...ids].sort()).toEqual(REGISTRY.map((r) => r.id).sort());
    expect(new Set(REGISTRY.map((r) => r.id)).size).toBe(REGISTRY.length);
    expect(REGISTRY.length).toBe(159); // main's 138 + istio/zone-aware-lb (Istio 1.31's ValidateZoneAwareLbSetting) + analyzer/conflicting-service-entry-protocol (Istio 1.31's IST0177); + 9 analyzer ports: IST0109, IST0149, IST0151-IST0155 (2 rules), IST0159 and its IST0101 (2), IST0160, IST0127 and its IST0101 (2) + 10 ports of Istio's Kubernetes-object analyzers (anz1)
  });

  test('every rule id is <family>/<name> of the folder it is defined in', () => {
    const bad = definitions.filter((d) => d.id.split('/')[0] !== d.file.split('/')[0] || d.file.split('/').length !== 2);
    expect(bad).toEqual([]);
    expect(REGISTRY.filter((r) => !r.id.startsWith(`${r.family}/`)).map((r) => r.id)).toEqual([]);
  });

  test('every rule has a one-line description and a source', () => {
    const bad = REGISTRY.filter((r) => !r.description.trim() || /\n/.test(r.description) || r.description.length > 160 || !r.source.trim()).map((r) => r.id);
    expect(bad).toEqual([]);
  });

  test('no check reports a rule by a string id', () => {
    const ids = new Set(REGISTRY.map((r) => r.id));
    const bad = tsFiles(path.join(SRC, 'validator')).flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').map((line, i) => ({ line, at: `${path.relative(ROOT, file)}:${i + 1}` })))
      .filter(({ line }) => !/^\s*id: '/.test(line) && [...line.matchAll(/'([a-z]+\/[a-z0-9-]+)'/g)].some((m) => ids.has(m[1])))
      .map(({ at }) => at);
    expect(bad).toEqual([]);
  });
});

describe('load cost', () => {
  test('no module of the validator imports @bufbuild/cel at load: it loads on the first CEL rule (cel-ast.ts celLib)', () => {
    const offenders = tsFiles(path.join(ROOT, 'src'))
      .filter((f) => !f.endsWith(path.join('validator', 'cel-ast.ts')))
      .filter((f) => /^import\s+(?!type\b)[^;]*from\s+'@bufbuild\//m.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  test('no module of the validator or synth imports yaml at load (13 ms): it loads where YAML is read (read.ts yaml(), the annotations analyzer)', () => {
    const offenders = [...tsFiles(path.join(SRC, 'validator')), ...tsFiles(path.join(SRC, 'synth'))]
      .filter((f) => /^import\s+(?!type\b)[^;]*from\s+'yaml'/m.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
