/**
 * cdk8s validation plugin (cdk8s.yaml `validations:`), see scripts/validation-plugin.js.
 * Properties: { warn?: string[] | string } - rule ids downgraded to warnings for the whole run.
 * Warnings are logged; only errors become violations (and fail the synth).
 */
import { formatFindings, validateManifests } from './index';
import type { Finding } from './types';

/** The subset of cdk8s-cli's ValidationContext the plugin uses. */
export interface PluginContext {
  readonly manifests: readonly string[];
  readonly metadata?: { readonly [resourceName: string]: { readonly path: string } };
  readonly report: {
    addViolation(v: { ruleName: string; recommendation: string; fix: string; violatingResources: Array<{ resourceName: string; locations: string[]; manifestPath: string }> }): void;
    submit(status: 'success' | 'failure', metadata?: { [k: string]: string }): void;
  };
  readonly logger: { log(message: string): void };
  parseManifest(manifestPath: string): any[];
}

export class IstioEgressValidation {
  private readonly warn: string[];
  constructor(props: { warn?: string[] | string; downgrade?: string[] | string } = {}) {
    const list = (v: string[] | string | undefined) => (Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : []).map(s => s.trim()).filter(Boolean);
    this.warn = [...list(props.warn), ...list(props.downgrade)];
  }

  public async validate(context: PluginContext): Promise<void> {
    const objects: any[] = [];
    const files = new Map<object, string>();
    for (const m of context.manifests) {
      for (const o of context.parseManifest(m)) {
        if (!o || typeof o !== 'object') continue;
        objects.push(o);
        files.set(o, m);
      }
    }
    const meta = context.metadata ?? {};
    const report = validateManifests(objects, {
      downgrade: this.warn,
      files,
      constructPaths: (o: any) => meta[o?.metadata?.name]?.path,
    });
    if (report.warnings.length) context.logger.log(formatFindings(report.warnings));
    const groups = new Map<string, Finding[]>();
    for (const f of report.errors) {
      const key = `${f.ruleId}\u0000${f.message}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(f);
    }
    for (const fs of groups.values()) {
      const f = fs[0];
      context.report.addViolation({
        ruleName: `${f.ruleId} (${f.object.kind} ${f.object.namespace ? f.object.namespace + '/' : ''}${f.object.name})`,
        recommendation: f.message,
        fix: f.fix,
        violatingResources: fs.map(x => ({ resourceName: x.object.name, locations: [x.field], manifestPath: x.object.file ?? '' })),
      });
    }
    context.report.submit(report.ok ? 'success' : 'failure', {
      errors: String(report.errors.length),
      warnings: String(report.warnings.length),
    });
  }
}
