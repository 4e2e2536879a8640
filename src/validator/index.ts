/**
 * Offline validator for the manifests of cdk8s-istio-egress: rejects what a cluster with Istio 1.30 or 1.31
 * (option `istio`, default the newest, 1.31) and cert-manager would reject, plus the silent traps of egress TLS
 * origination.
 *
 *   validateManifests(objects, options) -> { findings, errors, warnings, notes, ok }
 *   validateDirectory(dir, options)      -> same, for the *.yaml / *.yml / *.json files in dir
 *   validatePaths(paths, options)        -> same, for files and folders, with what could not be read
 *   formatFindings(findings)             -> readable text, one block per finding
 *   toSarif(findings)                    -> a SARIF 2.1.0 log
 *   RULES                                -> rule ids with descriptions
 *
 * No finding quotes a value under a Secret's data or stringData (see redact.ts).
 */
import { checkAnalyzers } from './rules/analyzer/analyzers';
import { makeObj, Reporter } from './context';
import { objectKey } from './object-key';
import { checkIstio } from './rules/istio/istio';
import { MeshIndex } from './mesh-index';
import { parseManifestText, readManifests, type ReadLimits } from './read';
import { REMOTE_CLIENT_ANNOTATION, RULES, WARN_ANNOTATION, type RuleInfo } from './rules';
import { celStats } from './rules/cel/crd-validations';
import { DEFAULT_RELEASE, ISTIO_RELEASES, toIstioRelease, type IstioRelease } from './rules/rule';
import { checkSchema } from './rules/schema/objects';
import { allCelRules } from './schemas';
import { escapeText } from './text';
import type { Finding, ValidateOptions, ValidationReport } from './types';
import { checkWiring } from './rules/wiring/objects';
import { checkPitfalls } from './rules/wiring/pitfalls';

export type { Finding, FindingObject, Severity, ValidateOptions, ValidationReport } from './types';
export type { ObjectSource, SourcePosition } from './position';
export { REMOTE_CLIENT_ANNOTATION, RULES, WARN_ANNOTATION, type RuleInfo };
export { allCelRules, celStats, DEFAULT_RELEASE, ISTIO_RELEASES, type IstioRelease };
export { objectKey } from './object-key';
export { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_YAML_NODES, listManifestFiles, MANIFEST_EXTENSIONS, parseManifestText, readManifests, type ReadLimits, type ReadResult } from './read';
export { toSarif, type SarifOptions } from './sarif';
export { escapeText } from './text';

/** Validates a set of Kubernetes objects (all objects of one synth). */
export function validateManifests(objects: any[], options: ValidateOptions = {}): ValidationReport {
  const present = objects.filter(o => o !== null && o !== undefined);
  const release = toIstioRelease(options.istio, 'cdk8s-istio-egress validator: option istio');
  const rep = new Reporter(options, release);
  // a set, not a list: an object given twice with the same content (two files with the same client, one file
  // named twice) is one object, checked and reported once
  const objs = distinct(present).map(({ raw, i }) => makeObj(raw, i, options));
  for (const o of objs) checkSchema(o, rep);
  const idx = new MeshIndex(objs);
  checkIstio(objs, rep, idx);
  checkWiring(objs, rep);
  checkAnalyzers(idx, rep);
  // the wiring pitfalls need the mesh index the analyzers use; they run last, so findings keep their order
  checkPitfalls(idx, rep);
  return reportOf(rep.findings);
}

/** The objects of a list with identical copies left out (the first one kept, with its position in the list). */
function distinct(objects: any[]): Array<{ raw: any; i: number }> {
  // the objects kept so far by group and key, with their canonical JSON once a second object has the key
  // (only then is there something to compare: most keys are unique, and their objects are never serialized)
  const seen = new Map<string, Array<{ raw: any; text?: string }>>();
  const kept = new Set<unknown>();
  const out: Array<{ raw: any; i: number }> = [];
  objects.forEach((raw, i) => {
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      if (kept.has(raw)) return; // the same object again (a YAML alias)
      kept.add(raw);
      const group = typeof raw.apiVersion === 'string' && raw.apiVersion.includes('/') ? raw.apiVersion.split('/')[0] : '';
      const key = `${group}/${objectKey(raw)}`;
      const earlier = seen.get(key);
      if (earlier) {
        const text = canonicalJson(raw);
        if (earlier.some((e) => (e.text ??= canonicalJson(e.raw)) === text)) return;
        earlier.push({ raw, text });
      } else {
        seen.set(key, [{ raw }]);
      }
    }
    out.push({ raw, i });
  });
  return out;
}

/** JSON with the keys of every map sorted: equal for equal content whatever the order the keys were written in. */
function canonicalJson(v: unknown): string {
  const seen = new Set<unknown>();
  const sortKeys = (x: unknown): unknown => {
    if (!x || typeof x !== 'object') return x;
    if (seen.has(x)) return '(cycle)';
    seen.add(x);
    const r = Array.isArray(x) ? x.map(sortKeys) : Object.fromEntries(Object.keys(x).sort().map(k => [k, sortKeys((x as any)[k])]));
    seen.delete(x);
    return r;
  };
  return JSON.stringify(sortKeys(v));
}

/** The report of a list of findings: split by severity; ok when there is no error (notes and warnings never fail). */
function reportOf(findings: Finding[]): ValidationReport {
  const errors = findings.filter(f => f.severity === 'error');
  const warnings = findings.filter(f => f.severity === 'warning');
  const notes = findings.filter(f => f.severity === 'note');
  return { findings, errors, warnings, notes, ok: errors.length === 0 };
}

/**
 * Reads every document of a manifest file's text as kubectl does (YAML 1.1, or a JSON stream when it
 * starts with `{`), `List`s unwrapped. Throws on syntax errors and on alias bombs, naming `file`.
 */
export function parseYamlDocuments(text: string, file = '(input)', limits: ReadLimits = {}): any[] {
  return parseManifestText(text, file, limits);
}

/** A validation report of files, with the paths that could not be read. */
export interface PathsReport extends ValidationReport {
  /** The files read. */
  readonly filesRead: string[];
  /** Paths that could not be read or parsed (each message names the path); their objects are not validated. */
  readonly readErrors: string[];
  /** Files left out on purpose, with the reason. */
  readonly skipped: string[];
}

/**
 * Reads and validates files and folders as `kubectl apply -f PATH...` would see them: the `*.yaml`,
 * `*.yml` and `*.json` files of a folder (not recursive), a file named explicitly whatever its extension.
 * Unreadable paths do not throw: they are listed in `readErrors` and the rest is validated; so is a run
 * whose files hold no object at all (as `kubectl apply` refuses it).
 */
export function validatePaths(paths: readonly string[], options: ValidateOptions & ReadLimits & EachFileOption = {}): PathsReport {
  toIstioRelease(options.istio, 'cdk8s-istio-egress validator: option istio'); // before anything is read
  const read = readManifests(paths, options);
  // kubectl apply refuses a run without objects ("error: no objects passed to apply"): nothing was validated
  if (read.objects.length === 0 && read.errors.length === 0 && read.read.length > 0) {
    read.errors.push(`no objects in ${paths.join(', ')}: every file is empty or holds only comments and "---" lines (kubectl apply: "no objects passed to apply")`);
  }
  const files = new Map<object, string>(options.files ?? []);
  for (const [o, f] of read.files) files.set(o, f);
  const sources = options.sources ? new Map([...options.sources, ...read.sources]) : read.sources;
  if (!options.eachFile) {
    const report = validateManifests(read.objects, { ...options, files, sources });
    return { ...report, filesRead: read.read, readErrors: read.errors, skipped: read.skipped };
  }
  const byFile = new Map<string, any[]>();
  for (const o of read.objects) {
    const f = files.get(o) ?? '';
    byFile.set(f, [...byFile.get(f) ?? [], o]);
  }
  const findings = [...byFile.values()].flatMap((objects) => validateManifests(objects, { ...options, files, sources }).findings);
  return { ...reportOf(findings), filesRead: read.read, readErrors: read.errors, skipped: read.skipped };
}

/** Option of validatePaths. */
export interface EachFileOption {
  /**
   * Validate each file on its own instead of all together: for files that are alternatives applied one at a
   * time (one Istio task per file), where the objects of one file must not be checked against another's.
   * @default false
   */
  readonly eachFile?: boolean;
}

/**
 * Reads and validates the `*.yaml`, `*.yml` and `*.json` files (multi-document) of a folder (not
 * recursive). Throws when the folder or one of its files cannot be read, or holds no manifests.
 */
export function validateDirectory(dir: string, options: ValidateOptions & ReadLimits = {}): ValidationReport {
  const report = validatePaths([dir], options);
  if (report.readErrors.length) throw new Error(report.readErrors.join('\n'));
  const { findings, errors, warnings, notes, ok } = report;
  return { findings, errors, warnings, notes, ok };
}

const RANK: Record<string, number> = { error: 0, warning: 1, note: 2 };

/**
 * Human-readable rendering, one block per finding (`ERROR`, `WARNING`, `NOTE`), errors first, notes last,
 * and a count line; control characters are escaped (escapeText).
 */
export function formatFindings(findings: readonly Finding[]): string {
  const sorted = [...findings].sort((a, b) => (RANK[a.severity] ?? 0) - (RANK[b.severity] ?? 0));
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
    if (o.file) lines.push(`  file:    ${o.file}${f.line !== undefined ? `:${f.line}:${f.column}` : ''}`);
    // every value comes from the manifests: no control character reaches the terminal
    return lines.map(escapeText).join('\n');
  });
  blocks.push(countLine(findings));
  return blocks.join('\n\n') + '\n';
}

/** `E error(s), W warning(s), N note(s)`: the count line of formatFindings, the CLI and the cdk8s plugin. */
function countLine(findings: readonly Finding[]): string {
  const n = (sev: string) => findings.filter(f => f.severity === sev).length;
  return `${n('error')} error(s), ${n('warning')} warning(s), ${n('note')} note(s)`;
}
