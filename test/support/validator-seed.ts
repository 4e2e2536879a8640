// The seed of the Egress TLS Origination task (test/fixtures/validator/seed), mutated, and the finding helpers of the
// validator tests built on it (test/validator/validator.test.ts, test/validator/rules/*/).
import * as fs from 'fs';
import * as path from 'path';
import { formatFindings, parseYamlDocuments, validateManifests, type Finding, type ValidationReport } from '../../src/validator';

const SEED_DIR = path.join(__dirname, '..', 'fixtures', 'validator', 'seed');

export function seed(): any[] {
  const objs: any[] = [];
  for (const f of fs.readdirSync(SEED_DIR).sort()) objs.push(...parseYamlDocuments(fs.readFileSync(path.join(SEED_DIR, f), 'utf8')));
  return objs;
}
export function find(objs: any[], kind: string, name: string): any {
  const o = objs.find(x => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
}
/** Seed objects, mutated by fn. */
export function mutated(fn: (objs: any[]) => void): ValidationReport {
  const objs = seed();
  fn(objs);
  return validateManifests(objs);
}
export function expectFinding(r: ValidationReport, ruleId: string, field: string, severity: 'error' | 'warning' | 'note' = 'error'): Finding {
  const f = r.findings.find(x => x.ruleId === ruleId && x.field === field);
  if (!f) throw new Error(`expected ${ruleId} at ${field}; got:\n${formatFindings(r.findings)}`);
  expect(f.severity).toBe(severity);
  return f;
}
export const MUTUAL_DR = 'originate-mtls-for-nginx';
export const mtlsTls = (objs: any[]) => find(objs, 'DestinationRule', MUTUAL_DR).spec.trafficPolicy.portLevelSettings[0].tls;
