/**
 * Findings as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), for code scanning
 * services and editors: one run, the rules of RULES as `tool.driver.rules`, one result per finding with
 * the file as a physical location (URI relative to `baseDir`) with the region of the field (else of the
 * object) when known, and the object and field as logical locations. Columns are UTF-16 code units
 * (`columnKind`), lines end at `\r\n`, `\n` or `\r` (`newlineSequences`), as the reader counts them (position.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { RULES } from './rules';
import type { Finding, Severity } from './types';

/** Options of toSarif. */
export interface SarifOptions {
  /** Version of the tool. @default the version of this package */
  readonly toolVersion?: string;
  /** Folder that file URIs are relative to (`%SRCROOT%`). @default process.cwd() */
  readonly baseDir?: string;
  /** Errors of the run that are not findings (unreadable input); the run is then not successful. */
  readonly notifications?: readonly string[];
}

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const TOOL_NAME = 'cdk8s-istio-egress';
const BASE_ID = '%SRCROOT%';

const SARIF_LEVELS: { readonly [S in Severity]: 'error' | 'warning' | 'note' } = {
  error: 'error',
  warning: 'warning',
  note: 'note',
};

/** The SARIF `level` of a severity, for results and for the rules' default configuration. */
export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  return SARIF_LEVELS[severity];
}

/** A relative URI reference for `file` seen from `baseDir` (forward slashes, each segment percent-encoded). */
export function relativeUri(file: string, baseDir: string): string {
  const rel = path.relative(baseDir, path.resolve(baseDir, file));
  return rel.split(path.sep).map(encodeURIComponent).join('/');
}

/** Builds the SARIF log (a plain object; `JSON.stringify` it). */
export function toSarif(findings: readonly Finding[], options: SarifOptions = {}): any {
  const baseDir = path.resolve(options.baseDir ?? process.cwd());
  const rules: any[] = RULES.map((r) => ({
    id: r.id,
    shortDescription: { text: r.description },
    ...(r.details ? { fullDescription: { text: r.details } } : {}),
    defaultConfiguration: { level: sarifLevel(r.severity) },
    properties: { category: r.category },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  for (const f of findings) {
    if (!index.has(f.ruleId)) {
      index.set(f.ruleId, rules.length);
      rules.push({ id: f.ruleId, shortDescription: { text: f.ruleId }, defaultConfiguration: { level: sarifLevel(f.severity) }, properties: { category: f.ruleId.split('/')[0] as any } });
    }
  }
  const results = findings.map((f) => {
    const o = f.object;
    const objectName = `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    const location: any = {
      logicalLocations: [
        { name: o.name, fullyQualifiedName: objectName, kind: 'object' },
        { name: f.field, fullyQualifiedName: `${objectName}/${f.field}`, kind: 'property' },
      ],
    };
    // the object, when the region is its field: where the object starts
    const related: any[] = [];
    if (o.file) {
      const artifactLocation = { uri: relativeUri(o.file, baseDir), uriBaseId: BASE_ID };
      location.physicalLocation = { artifactLocation, ...(f.line !== undefined ? { region: region(f.line, f.column) } : {}) };
      if (o.line !== undefined && (o.line !== f.line || o.column !== f.column)) {
        related.push({ id: 1, physicalLocation: { artifactLocation, region: region(o.line, o.column) }, message: { text: objectName } });
      }
    }
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId)!,
      level: sarifLevel(f.severity),
      message: { text: `${f.message}\nFix: ${f.fix}` },
      locations: [location],
      ...(related.length ? { relatedLocations: related } : {}),
      properties: {
        ...(o.apiVersion ? { apiVersion: o.apiVersion } : {}),
        ...(o.constructPath ? { constructPath: o.constructPath } : {}),
        fix: f.fix,
      },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: TOOL_NAME, version: options.toolVersion ?? packageVersion(), rules } },
      invocations: [{
        executionSuccessful: !options.notifications?.length,
        toolExecutionNotifications: (options.notifications ?? []).map((text) => ({ level: 'error', message: { text } })),
      }],
      originalUriBaseIds: { [BASE_ID]: { uri: pathToFileURL(baseDir + path.sep).href } },
      columnKind: 'utf16CodeUnits',
      newlineSequences: ['\r\n', '\n', '\r'],
      results,
    }],
  };
}

function region(line: number, column: number | undefined) {
  return { startLine: line, startColumn: column ?? 1 };
}

let cachedVersion: string | undefined;
/** The version in this package's package.json, found by walking up from this module. */
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === TOOL_NAME && typeof pkg.version === 'string') return (cachedVersion = pkg.version as string);
    } catch {
      // no package.json here
    }
    if (path.dirname(dir) === dir) return (cachedVersion = '0.0.0');
  }
}
