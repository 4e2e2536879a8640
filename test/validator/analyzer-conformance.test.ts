import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { validatePaths, type Finding } from '../../src/validator';

/**
 * Istio's analyzer tests as conformance data: every ported case of Istio 1.30.3's analyzers_test.go
 * (test/fixtures/analyzers/cases.yaml, inputs vendored unchanged in test/fixtures/analyzers/istio-1.30.3/) runs
 * through the validator; per analyzer it counts how many expected findings (code + object) are reproduced and how
 * many errors appear that Istio's test does not expect. The table in test/fixtures/analyzers/README.md is this
 * test's output (UPDATE_ANALYZER_TABLE=1 npx jest test/validator/analyzer-conformance.test.ts rewrites it).
 */
const ROOT = path.join(__dirname, '..', 'fixtures', 'analyzers');
const INPUTS = path.join(ROOT, 'istio-1.30.3');
const README = path.join(ROOT, 'README.md');
/** What Istio's harness adds to every case (AddDefaultResources): the default ingress gateway pod and Service. */
const DEFAULTS = path.join(ROOT, 'default-ingress-gateway.yaml');

interface Expected { readonly code: string; readonly message: string; readonly level: string; readonly object: string }
/** An error Istio's test does not expect that Istio itself would raise on the input (webhook, API server, another analyzer). */
interface OtherError { readonly rule: string; readonly object: string; readonly reason: string }
interface Case { readonly name: string; readonly analyzer: string; readonly inputs: string[]; readonly expected: Expected[]; readonly otherErrors?: OtherError[] }
interface Omitted { readonly name: string; readonly analyzer: string; readonly inputs: string[]; readonly reason: string; readonly expectedFindings: number }
interface CaseFile { readonly release: string; readonly source: string; readonly cases: Case[]; readonly omitted: Omitted[] }

const data = parse(fs.readFileSync(path.join(ROOT, 'cases.yaml'), 'utf8')) as CaseFile;

/** The Istio code a finding stands for: the IST code its message starts with. */
export function istCode(f: Finding): string | undefined {
  return /^(IST\d{4})\b/.exec(f.message)?.[1];
}

/** Whether a finding is about the object Istio names "<Kind> [<namespace>/]<name>". */
function about(f: Finding, object: string): boolean {
  const [kind, ref] = object.split(' ');
  const [ns, name] = ref.includes('/') ? ref.split('/') : [undefined, ref];
  return f.object.kind === kind && f.object.name === name && (ns === undefined || (f.object.namespace ?? 'default') === ns);
}

interface Outcome { readonly reproduced: number; readonly missed: Expected[]; readonly unexpectedErrors: Finding[]; readonly otherErrors: number; readonly unusedOther: OtherError[]; readonly findings: Finding[] }

/** "<Kind> <namespace>/<name>" of a finding, as otherErrors name objects. */
function objectOf(f: Finding): string {
  return `${f.object.kind} ${f.object.namespace ?? 'default'}/${f.object.name}`;
}

function run(c: Case): Outcome {
  const report = validatePaths([...c.inputs.map((f) => path.join(INPUTS, f)), DEFAULTS]);
  const findings = report.findings;
  const used = new Set<Finding>();
  const missed: Expected[] = [];
  for (const e of c.expected) {
    const f = findings.find((x) => !used.has(x) && istCode(x) === e.code && about(x, e.object));
    if (f) used.add(f); else missed.push(e);
  }
  // an error is expected when Istio expects a message of its code on its object (even if counted once already)
  const notExpected = findings.filter((f) => f.severity === 'error' && !c.expected.some((e) => istCode(f) === e.code && about(f, e.object)));
  const other = c.otherErrors ?? [];
  const justified = (f: Finding) => other.some((o) => o.rule === f.ruleId && o.object === objectOf(f));
  const unexpectedErrors = notExpected.filter((f) => !justified(f));
  const unusedOther = other.filter((o) => !notExpected.some((f) => o.rule === f.ruleId && o.object === objectOf(f)));
  return { reproduced: c.expected.length - missed.length, missed, unexpectedErrors, otherErrors: notExpected.length - unexpectedErrors.length, unusedOther, findings };
}

interface Row { analyzer: string; cases: number; expected: number; reproduced: number; unexpectedErrors: number; otherErrors: number; omittedCases: number; omittedFindings: number }

function table(rows: Row[]): string {
  const sum = (k: keyof Row) => rows.reduce((n, r) => n + (r[k] as number), 0);
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '-');
  const lines = [
    '| Analyzer | Cases run | Expected findings | Reproduced | Agreement | Unexpected errors | Errors Istio also raises | Cases omitted (findings) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.analyzer} | ${r.cases} | ${r.expected} | ${r.reproduced} | ${pct(r.reproduced, r.expected)} | ${r.unexpectedErrors} | ${r.otherErrors} | ${r.omittedCases ? `${r.omittedCases} (${r.omittedFindings})` : '-'} |`),
    `| **total** | ${sum('cases')} | ${sum('expected')} | ${sum('reproduced')} | ${pct(sum('reproduced'), sum('expected'))} | ${sum('unexpectedErrors')} | ${sum('otherErrors')} | ${sum('omittedCases')} (${sum('omittedFindings')}) |`,
  ];
  return lines.join('\n');
}

function omissions(): string {
  return data.omitted.map((o) => `- ${o.analyzer} "${o.name}" (${o.expectedFindings} expected): ${o.reason}`).join('\n');
}

const BEGIN = '<!-- analyzer-conformance:begin (generated by test/validator/analyzer-conformance.test.ts) -->';
const END = '<!-- analyzer-conformance:end -->';

describe('conformance with Istio 1.30.3 analyzer tests', () => {
  const rows = new Map<string, Row>();
  const row = (a: string) => {
    let r = rows.get(a);
    if (!r) rows.set(a, r = { analyzer: a, cases: 0, expected: 0, reproduced: 0, unexpectedErrors: 0, otherErrors: 0, omittedCases: 0, omittedFindings: 0 });
    return r;
  };
  const outcomes = new Map<Case, Outcome>();

  test('the case file is well formed and names vendored inputs', () => {
    expect(data.release).toBe('1.30');
    expect(data.cases.length).toBeGreaterThan(0);
    for (const c of [...data.cases, ...data.omitted]) {
      expect(typeof c.name).toBe('string');
      expect(typeof c.analyzer).toBe('string');
    }
    for (const c of data.cases) {
      for (const f of c.inputs) expect(fs.existsSync(path.join(INPUTS, f))).toBe(true);
      for (const e of c.expected) {
        expect(e.code).toMatch(/^IST\d{4}$/);
        expect(e.object).toMatch(/^[A-Za-z]+ [^ ]+$/);
      }
    }
    for (const o of data.omitted) expect(o.reason.length).toBeGreaterThan(10);
  });

  for (const c of data.cases) {
    test(`${c.analyzer}: ${c.name}`, () => {
      const o = run(c);
      outcomes.set(c, o);
      // each case must have no unexpected error; a missed finding is counted (the whole suite must reach 95 %)
      const show = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.ruleId} ${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name} ${f.field}: ${f.message}`);
      if (process.env.DUMP_OTHER_ERRORS) fs.appendFileSync(process.env.DUMP_OTHER_ERRORS, `${JSON.stringify({ name: c.name, errors: o.unexpectedErrors.map((f) => ({ rule: f.ruleId, object: objectOf(f), message: f.message })) })}\n`);
      // every otherErrors entry names an error the validator raises (no stale justification)
      expect({ unexpectedErrors: show(o.unexpectedErrors), unusedOtherErrors: o.unusedOther }).toEqual({ unexpectedErrors: [], unusedOtherErrors: [] });
    });
  }

  test('per analyzer: at least 95 % of the expected findings reproduced, no unexpected error; README table in sync', () => {
    for (const c of data.cases) {
      const o = outcomes.get(c) ?? run(c);
      const r = row(c.analyzer);
      r.cases++;
      r.expected += c.expected.length;
      r.reproduced += o.reproduced;
      r.unexpectedErrors += o.unexpectedErrors.length;
      r.otherErrors += o.otherErrors;
    }
    for (const o of data.omitted) {
      const r = row(o.analyzer);
      r.omittedCases++;
      r.omittedFindings += o.expectedFindings;
    }
    const sorted = [...rows.values()].sort((a, b) => (a.analyzer < b.analyzer ? -1 : 1));
    const ran = sorted.filter((r) => r.cases);
    const skipped = sorted.filter((r) => !r.cases);
    const missed = data.cases.flatMap((c) => (outcomes.get(c)?.missed ?? []).map((e) => `- ${c.analyzer} "${c.name}": ${e.code} ${e.message} on ${e.object}`));
    const text = [
      BEGIN,
      '',
      `Ported analyzers (${ran.length}), release ${data.release}:`,
      '',
      table(ran),
      '',
      `Analyzers not ported (${skipped.length}): ${skipped.map((r) => `${r.analyzer} (${r.omittedCases} cases, ${r.omittedFindings} findings)`).join(', ')}.`,
      '"Unexpected errors": errors on the inputs that Istio\'s test does not expect and that are not justified in cases.yaml. "Errors Istio also raises": errors Istio\'s test does not expect because it runs one analyzer, listed per case under otherErrors with the reason (Istio\'s webhook or the API server rejects the partial test object, or another Istio analyzer reports it).',
      '',
      'Expected findings not reproduced:',
      '',
      missed.length ? missed.join('\n') : '- none',
      '',
      'Omitted cases and why:',
      '',
      omissions(),
      '',
      END,
    ].join('\n');
    const readme = fs.readFileSync(README, 'utf8');
    const start = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    const current = start >= 0 && end > start ? readme.slice(start, end + END.length) : '';
    if (process.env.UPDATE_ANALYZER_TABLE) {
      fs.writeFileSync(README, start >= 0 && end > start ? readme.replace(current, text) : `${readme.trimEnd()}\n\n${text}\n`);
    } else {
      expect(current).toBe(text);
    }
    const total = ran.reduce((n, r) => n + r.expected, 0);
    const reproduced = ran.reduce((n, r) => n + r.reproduced, 0);
    expect(reproduced / total).toBeGreaterThanOrEqual(0.95);
    expect(ran.reduce((n, r) => n + r.unexpectedErrors, 0)).toBe(0);
  });
});
