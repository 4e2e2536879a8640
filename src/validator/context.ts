import type { ObjectSource } from './position';
import { WARN_ANNOTATION } from '../common/annotations';
import { DEFAULT_RELEASE, enabledIn, severityIn, type IstioRelease, type Rule } from './rules/rule';
import type { Finding, FindingObject, Severity, ValidateOptions } from './types';

export const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ClusterIssuer',
  'PersistentVolume', 'StorageClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'PriorityClass',
]);

/** Objects of one validation run with their identity data. */
export interface Obj {
  readonly raw: any;
  readonly apiVersion: string;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly index: number;
  readonly ref: FindingObject;
  /** Where the object is in its file, when it was read from one. */
  readonly source?: ObjectSource;
}

export class Reporter {
  readonly findings: Finding[] = [];
  private readonly runDowngrade: string[];
  /** The refs of objects read from files, with their position, made on an object's first finding. */
  private readonly located = new Map<Obj, FindingObject>();
  /**
   * The Istio release whose behaviour the checks follow (see rules/rule.ts): a rule's default severity, whether
   * it applies, and what a check that differs between releases does (`rep.release`).
   */
  readonly release: IstioRelease;
  constructor(options: ValidateOptions, release: IstioRelease = DEFAULT_RELEASE) {
    this.runDowngrade = options.downgrade ?? [];
    this.release = release;
  }

  /**
   * Reports a finding of `rule` about `obj` (or about `ref`, another object's identity): with `severity`, else
   * the rule's default severity in this release; an error becomes a warning when the run or the object's warn
   * annotation downgrades the rule.
   */
  add(obj: Obj | undefined, rule: Rule, field: string, message: string, fix: string, severity?: Severity, ref?: FindingObject) {
    if (!enabledIn(rule, this.release)) return;
    const ruleId = rule.id;
    let sev: Severity = severity ?? severityIn(rule, this.release);
    if (sev === 'error' && (matchesAny(this.runDowngrade, ruleId) || (obj && matchesAny(objectDowngrades(obj.raw), ruleId)))) sev = 'warning';
    const object = ref ?? (obj ? this.ref(obj) : { kind: '(unknown)', name: '(unknown)' });
    // the field's position in the file (an object reported through another's ref: that object's position)
    const at = !ref && obj?.source ? obj.source.locate(field) : object.line !== undefined ? { line: object.line, column: object.column } : undefined;
    this.findings.push({ ruleId, severity: sev, object, field, ...(at ? { line: at.line, column: at.column } : {}), message, fix });
  }

  private ref(obj: Obj): FindingObject {
    if (!obj.source) return obj.ref;
    let ref = this.located.get(obj);
    if (!ref) {
      const at = obj.source.position();
      ref = { ...obj.ref, line: at.line, column: at.column };
      this.located.set(obj, ref);
    }
    return ref;
  }
}

function matchesAny(list: string[], ruleId: string): boolean {
  return list.some(d => d === ruleId || d === '*' || (d.endsWith('/') && ruleId.startsWith(d)) || (d.endsWith('/*') && ruleId.startsWith(d.slice(0, -1))));
}

function objectDowngrades(raw: any): string[] {
  const v = raw?.metadata?.annotations?.[WARN_ANNOTATION];
  return typeof v === 'string' ? v.split(',').map(s => s.trim()).filter(Boolean) : [];
}

export function makeObj(raw: any, index: number, options: ValidateOptions): Obj {
  const apiVersion = typeof raw?.apiVersion === 'string' ? raw.apiVersion : '';
  const kind = typeof raw?.kind === 'string' ? raw.kind : '(no kind)';
  const name = typeof raw?.metadata?.name === 'string' ? raw.metadata.name : `(unnamed #${index})`;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const namespace = CLUSTER_SCOPED.has(kind) ? undefined : (typeof raw?.metadata?.namespace === 'string' && raw.metadata.namespace ? raw.metadata.namespace : options.defaultNamespace ?? 'default');
  let constructPath: string | undefined;
  const cp = options.constructPaths;
  if (cp instanceof Map) constructPath = cp.get(raw);
  else if (typeof cp === 'function') constructPath = cp(raw);
  const file = options.files?.get(raw);
  const ref: FindingObject = {
    apiVersion, kind, name,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(constructPath ? { constructPath } : {}),
    ...(file ? { file } : {}),
  };
  const source = options.sources?.get(raw);
  return { raw, apiVersion, group, kind, name, namespace, index, ref, ...(source ? { source } : {}) };
}
