import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { validateManifests, type Finding, type ValidateOptions } from '../../src/validator';
import { ISTIO_RELEASES } from '../../src/validator/rules/rule';

/**
 * Runs the validator over every case ported from Istio 1.30.3's validation tests (test/conformance/*.yaml,
 * format in test/conformance/README.md) and prints the agreement per kind.
 */
const DIR = path.join(__dirname, 'conformance');

interface Case {
  readonly name: string;
  readonly source: string;
  /** The object's apiVersion when it is not the file's (Istio's CRD test data mixes served versions). */
  readonly apiVersion?: string;
  /** The Istio releases whose behaviour the case describes; all when absent. */
  readonly releases?: string[];
  readonly metadata?: Record<string, unknown>;
  readonly spec?: unknown;
  readonly expect: 'valid' | 'error' | 'warning';
  readonly message?: string;
  readonly note?: string;
}
interface CaseFile {
  readonly kind: string;
  readonly apiVersion?: string;
  readonly cases: Case[];
  readonly omitted?: Array<{ name: string; source: string; reason: string }>;
}

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const COUNTED = /^(schema|cel|istio)\//;

function outcome(c: Case, file: CaseFile, release: string): { ok: boolean; got: string; findings: Finding[] } {
  const obj = {
    apiVersion: c.apiVersion ?? file.apiVersion ?? 'networking.istio.io/v1',
    kind: file.kind,
    metadata: { name: 'conformance', namespace: 'default', ...c.metadata },
    ...(c.spec === undefined ? {} : { spec: c.spec }),
  };
  // `istio` selects the release where the validator knows more than one (ignored where it knows one)
  const options = (ISTIO_RELEASES.length > 1 ? { istio: release } : {}) as ValidateOptions;
  const findings = validateManifests([obj], options).findings.filter((f) => COUNTED.test(f.ruleId));
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const has = (fs: Finding[]) => !c.message || fs.some((f) => f.message.includes(c.message!));
  const got = errors.length ? 'error' : warnings.length ? 'warning' : 'valid';
  let ok: boolean;
  if (c.expect === 'valid') ok = errors.length === 0;
  else if (c.expect === 'error') ok = errors.length > 0 && has(errors);
  else ok = errors.length === 0 && warnings.length > 0 && has(warnings);
  return { ok, got, findings };
}

describe('conformance with Istio 1.30.3 validation tests', () => {
  test('the case files exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  const tally: Record<string, { agree: number; total: number; omitted: number }> = {};
  for (const f of files) {
    const data = parse(fs.readFileSync(path.join(DIR, f), 'utf8')) as CaseFile;
    describe(f, () => {
      test('is well formed', () => {
        expect(typeof data.kind).toBe('string');
        expect(Array.isArray(data.cases) && data.cases.length > 0).toBe(true);
        for (const c of data.cases) {
          expect(typeof c.name).toBe('string');
          expect(typeof c.source).toBe('string');
          expect(['valid', 'error', 'warning']).toContain(c.expect);
        }
        for (const o of data.omitted ?? []) expect(typeof o.reason === 'string' && o.reason.length > 0).toBe(true);
      });
      const t = (tally[data.kind] ??= { agree: 0, total: 0, omitted: 0 });
      t.omitted += data.omitted?.length ?? 0;
      for (const c of data.cases ?? []) {
        const releases = c.releases ?? ISTIO_RELEASES;
        const known = releases.filter((r) => (ISTIO_RELEASES as readonly string[]).includes(r));
        // a case of a release the validator does not know yet is listed, skipped
        if (known.length === 0) test.skip(`${c.source}: ${c.name} -> ${c.expect} (Istio ${releases.join(', ')})`, () => undefined);
        for (const release of known) test(`${c.source}: ${c.name} -> ${c.expect}${c.releases ? ` (Istio ${release})` : ''}`, () => {
          const r = outcome(c, data, release);
          t.total++;
          if (r.ok) t.agree++;
          const detail = r.findings.map((x) => `${x.severity} ${x.ruleId} ${x.field}: ${x.message}`);
          expect({ expect: c.expect, message: c.message, got: r.got, findings: detail, ok: r.ok })
            .toEqual(expect.objectContaining({ ok: true }));
        });
      }
    });
  }
  afterAll(() => {
    const rows = Object.entries(tally).map(([k, t]) =>
      `${k}: ${t.agree}/${t.total} agree (${t.total ? ((100 * t.agree) / t.total).toFixed(1) : '0'}%), ${t.omitted} omitted`);
    if (process.env.CONFORMANCE_REPORT) console.log(rows.join('\n'));
  });
});
