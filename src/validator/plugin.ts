/**
 * cdk8s validation plugin (cdk8s.yaml `validations:`), see scripts/validation-plugin.js.
 * Properties: { warn?: string[] | string } - rule ids downgraded to warnings for the whole run;
 * { eachFile?: boolean } - validate each manifest (one per chart) on its own, for charts that are
 * alternatives applied one at a time (default false: all charts are one set applied together);
 * { istio?: '1.30' | '1.31' } - the Istio release validated for (default '1.31', the newest supported).
 *
 * Each error becomes one violation with one violating resource and one location, so the occurrences
 * cdk8s counts add up to the errors this plugin logs and puts in the summary; warnings and notes (what
 * could not be checked) are logged only and never fail the synth.
 *
 * Construct paths: cdk8s keys `context.metadata` (construct-metadata.json) by metadata.name alone, so a
 * ServiceEntry and a DestinationRule of the same name share one entry, holding the path of whichever cdk8s
 * wrote last. The plugin looks objects up by `objectKey` (`kind/namespace/name`) first, then by name
 * only when no other object of the run has that name; otherwise it gives no construct path rather than
 * a wrong one, and names the violating resource by its key so that cdk8s does not print a wrong one either.
 */
import { formatFindings, validateManifests } from '.';
import { objectKey } from './object-key';
import { readManifests } from './read';
import { isKnownRulePattern } from './rules';
import { toIstioRelease, type IstioRelease } from './rules/rule';
import { escapeText } from './text';

/** The subset of cdk8s-cli's ValidationContext the plugin uses. */
export interface PluginContext {
  readonly manifests: readonly string[];
  readonly metadata?: { readonly [resourceName: string]: { readonly path: string } };
  readonly report: {
    addViolation(v: { ruleName: string; recommendation: string; fix: string; violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }> }): void;
    submit(status: 'success' | 'failure', metadata?: { [k: string]: string }): void;
  };
  readonly logger: { log(message: string): void };
  /** Not used: the plugin reads the manifests itself, as `cdk8s-istio-egress validate` and kubectl do (YAML 1.1). */
  parseManifest?(manifestPath: string): any[];
}

export class IstioEgressValidation {
  private readonly warn: string[];
  private readonly eachFile: boolean;
  private readonly istio: IstioRelease;
  constructor(props: { warn?: string[] | string; downgrade?: string[] | string; eachFile?: boolean; istio?: string } = {}) {
    const list = (v: string[] | string | undefined) => (Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : []).map(s => s.trim()).filter(Boolean);
    this.warn = [...list(props.warn), ...list(props.downgrade)];
    const unknown = this.warn.filter((w) => !isKnownRulePattern(w));
    if (unknown.length) {
      throw new Error(`IstioEgressValidation: 'warn' names no rule ${unknown.map((w) => JSON.stringify(w)).join(', ')} (rule ids as \`cdk8s-istio-egress validate --rules\` lists them, prefixes ending in "/", or "*")`);
    }
    if (props.eachFile !== undefined && typeof props.eachFile !== 'boolean') {
      throw new Error(`IstioEgressValidation: 'eachFile' must be true or false (got ${JSON.stringify(props.eachFile)})`);
    }
    this.eachFile = props.eachFile ?? false;
    // cdk8s.yaml `istio: 1.30` is read by YAML as the number 1.3: it is refused, with the fix
    if (typeof props.istio === 'number') {
      throw new Error(`IstioEgressValidation: 'istio' must be a string, quoted in cdk8s.yaml (istio: '1.31'): YAML reads an unquoted ${props.istio} as a number`);
    }
    this.istio = toIstioRelease(props.istio, "IstioEgressValidation: 'istio'");
  }

  public async validate(context: PluginContext): Promise<void> {
    const read = readManifests(context.manifests);
    const objects = read.objects;
    const files = read.files;
    const meta = context.metadata ?? {};
    const byName = new Map<string, number>();
    for (const o of objects) {
      const n = o?.metadata?.name;
      if (typeof n === 'string') byName.set(n, (byName.get(n) ?? 0) + 1);
    }
    const unique = (o: any) => typeof o?.metadata?.name === 'string' && byName.get(o.metadata.name) === 1;
    const options = {
      downgrade: this.warn,
      istio: this.istio,
      files,
      sources: read.sources,
      constructPaths: (o: any) => meta[objectKey(o)]?.path ?? (unique(o) ? meta[o.metadata.name]?.path : undefined),
    };
    const groups = this.eachFile ? [...new Set(objects.map((o) => files.get(o)))].map((f) => objects.filter((o) => files.get(o) === f)) : [objects];
    const findings = groups.flatMap((g) => validateManifests(g, options).findings);
    const report = {
      errors: findings.filter((f) => f.severity === 'error'),
      warnings: findings.filter((f) => f.severity === 'warning'),
      notes: findings.filter((f) => f.severity === 'note'),
    };

    for (const e of read.errors) {
      const file = context.manifests.find(m => e.startsWith(m)) ?? '';
      context.report.addViolation({
        ruleName: escapeText(`input/unreadable (${file || 'manifests'})`),
        recommendation: escapeText(e),
        fix: 'Make the manifest a readable, well-formed YAML or JSON file.',
        violatingResources: [{ resourceName: escapeText(file), locations: ['(file)'], manifestPath: file }],
      });
    }
    for (const f of report.errors) {
      const o = f.object;
      const id = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
      // cdk8s prints metadata[resourceName].path: the bare name only where no other object has it
      const keys = [objectKey({ kind: o.kind, metadata: { namespace: o.namespace, name: o.name } }), objectKey({ kind: o.kind, metadata: { name: o.name } })];
      const resourceName = keys.find(k => meta[k]) ?? (byName.get(o.name) === 1 ? o.name : keys[0]);
      context.report.addViolation({
        ruleName: escapeText(`${f.ruleId} (${id})`),
        recommendation: escapeText(f.message),
        fix: escapeText(f.fix),
        violatingResources: [{ resourceName: escapeText(resourceName), locations: [escapeText(f.field)], manifestPath: o.file ?? '' }],
      });
    }
    const e = report.errors.length + read.errors.length;
    const w = report.warnings.length;
    const n = report.notes.length;
    const summary = `${e} error(s)${e ? ` (the violations of the report below: ${e} occurrence(s))` : ''}, ${w} warning(s), ${n} note(s)`;
    // warnings first, then notes, without formatFindings' own count line
    const logged = w + n ? formatFindings([...report.warnings, ...report.notes]).replace(/[^\n]*\n$/, '').trimEnd() : '';
    context.logger.log(`cdk8s-istio-egress validation: ${summary}${logged ? `\n\n${logged}` : ''}`);
    context.report.submit(e === 0 ? 'success' : 'failure', {
      errors: String(e),
      warnings: String(w),
      notes: String(n),
    });
  }
}
