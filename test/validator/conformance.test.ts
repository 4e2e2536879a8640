import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ISTIO_RELEASES, validateManifests, type Finding } from '../../src/validator';

/**
 * Runs the validator over every case ported from Istio's validation tests (test/validator/conformance/*.yaml,
 * format in its README.md), for each Istio release whose tables hold the case (`releases` of the case, else of
 * its file, else every release: 1.31's tables hold every case of 1.30.3's unchanged), validating for that
 * release (`istio` option), and prints the agreement per release and kind.
 */
const DIR = path.join(__dirname, 'conformance');

interface Case {
  readonly name: string;
  readonly source: string;
  /** The object's apiVersion when it is not the file's (Istio's CRD test data mixes served versions). */
  readonly apiVersion?: string;
  readonly metadata?: Record<string, unknown>;
  readonly spec?: unknown;
  readonly expect: 'valid' | 'error' | 'warning';
  readonly message?: string;
  readonly note?: string;
  /** The releases whose test tables hold the case (default: the file's). */
  readonly releases?: string[];
}
interface CaseFile {
  readonly kind: string;
  readonly apiVersion?: string;
  /** The releases whose test tables hold the file's cases (default: every release). */
  readonly releases?: string[];
  readonly cases: Case[];
  readonly omitted?: Array<{ name: string; source: string; reason: string }>;
}

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const COUNTED = /^(schema|cel|istio)\//;

function outcome(c: Case, file: CaseFile, istio: string): { ok: boolean; got: string; findings: Finding[] } {
  const obj = {
    apiVersion: c.apiVersion ?? file.apiVersion ?? 'networking.istio.io/v1',
    kind: file.kind,
    metadata: { name: 'conformance', namespace: 'default', ...c.metadata },
    ...(c.spec === undefined ? {} : { spec: c.spec }),
  };
  const findings = validateManifests([obj], { istio }).findings.filter((f) => COUNTED.test(f.ruleId));
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

describe('conformance with the validation tests of Istio 1.30.3 and 1.31', () => {
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
        for (const r of [data.releases ?? [], ...data.cases.map((c) => c.releases ?? [])].flat()) expect(ISTIO_RELEASES).toContain(r);
      });
      for (const release of ISTIO_RELEASES) {
        const t = (tally[`${release} ${data.kind}`] ??= { agree: 0, total: 0, omitted: 0 });
        if ((data.releases ?? ISTIO_RELEASES).includes(release)) t.omitted += data.omitted?.length ?? 0;
      }
      for (const c of data.cases ?? []) {
        for (const release of c.releases ?? data.releases ?? ISTIO_RELEASES) {
          const t = tally[`${release} ${data.kind}`];
          test(`Istio ${release} ${c.source}: ${c.name} -> ${c.expect}`, () => {
            const r = outcome(c, data, release);
            t.total++;
            if (r.ok) t.agree++;
            const detail = r.findings.map((x) => `${x.severity} ${x.ruleId} ${x.field}: ${x.message}`);
            expect({ expect: c.expect, message: c.message, got: r.got, findings: detail, ok: r.ok })
              .toEqual(expect.objectContaining({ ok: true }));
          });
        }
      }
    });
  }
  afterAll(() => {
    const rows = Object.entries(tally).map(([k, t]) =>
      `${k}: ${t.agree}/${t.total} agree (${t.total ? ((100 * t.agree) / t.total).toFixed(1) : '0'}%), ${t.omitted} omitted`);
    if (process.env.CONFORMANCE_REPORT) console.log(rows.join('\n'));
  });
});
