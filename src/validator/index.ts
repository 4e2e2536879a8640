/**
 * Offline validator for the manifests of cdk8s-istio-egress: rejects what a cluster with Istio
 * 1.30.3 (and cert-manager) would reject, plus the silent traps of egress TLS origination.
 *
 *   validateManifests(objects, options) -> { findings, errors, warnings, ok }
 *   validateDirectory(dir, options)      -> same, for every *.yaml / *.yml in dir
 *   formatFindings(findings)             -> readable text, one block per finding
 *   RULES                                -> rule ids with descriptions
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { checkAnalyzers } from './analyzers';
import { makeObj, Reporter } from './context';
import { checkIstio } from './istio';
import { REMOTE_CLIENT_ANNOTATION, RULES, WARN_ANNOTATION, type RuleInfo } from './rules';
import { celStats, checkSchema } from './schema-check';
import { allCelRules } from './schemas';
import type { Finding, ValidateOptions, ValidationReport } from './types';
import { checkWiring } from './wiring';

export type { Finding, FindingObject, Severity, ValidateOptions, ValidationReport } from './types';
export { REMOTE_CLIENT_ANNOTATION, RULES, WARN_ANNOTATION, type RuleInfo };
export { allCelRules, celStats };

/** Validates a set of Kubernetes objects (all objects of one synth). */
export function validateManifests(objects: any[], options: ValidateOptions = {}): ValidationReport {
  const rep = new Reporter(options);
  const objs = objects.filter(o => o !== null && o !== undefined).map((raw, i) => makeObj(raw, i, options));
  for (const o of objs) checkSchema(o, rep);
  checkIstio(objs, rep);
  checkWiring(objs, rep);
  checkAnalyzers(objs, rep);
  const findings = rep.findings;
  const errors = findings.filter(f => f.severity === 'error');
  const warnings = findings.filter(f => f.severity === 'warning');
  return { findings, errors, warnings, ok: errors.length === 0 };
}

/** Reads every YAML document of a string. */
export function parseYamlDocuments(text: string, file = '(input)'): any[] {
  const out: any[] = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors && doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const v = doc.toJS({ maxAliasCount: 1000 });
    if (v === null || v === undefined) continue;
    if (v.kind === 'List' && Array.isArray(v.items)) out.push(...v.items);
    else out.push(v);
  }
  return out;
}

/** Reads and validates every *.yaml / *.yml file (multi-document) in a folder (not recursive). */
export function validateDirectory(dir: string, options: ValidateOptions = {}): ValidationReport {
  const files = fs.readdirSync(dir).filter(f => /\.ya?ml$/i.test(f)).sort();
  const objects: any[] = [];
  const fileMap = new Map<object, string>(options.files ?? []);
  for (const f of files) {
    const full = path.join(dir, f);
    for (const o of parseYamlDocuments(fs.readFileSync(full, 'utf8'), full)) {
      objects.push(o);
      if (o && typeof o === 'object') fileMap.set(o, full);
    }
  }
  return validateManifests(objects, { ...options, files: fileMap });
}

/** Human-readable rendering, one block per finding, errors first. */
export function formatFindings(findings: readonly Finding[]): string {
  const sorted = [...findings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  const blocks = sorted.map(f => {
    const o = f.object;
    const id = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    const lines = [
      `${f.severity.toUpperCase()} [${f.ruleId}] ${id}`,
      `  field:   ${f.field}`,
      `  problem: ${f.message}`,
      `  fix:     ${f.fix}`,
    ];
    if (o.constructPath) lines.push(`  construct: ${o.constructPath}`);
    if (o.file) lines.push(`  file:    ${o.file}`);
    return lines.join('\n');
  });
  const e = findings.filter(f => f.severity === 'error').length;
  const w = findings.length - e;
  blocks.push(`${e} error(s), ${w} warning(s)`);
  return blocks.join('\n\n') + '\n';
}
