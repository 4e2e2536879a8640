import type { SecretValues } from './redact';
import { ruleInfo, WARN_ANNOTATION } from './rules';
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
}

export class Reporter {
  readonly findings: Finding[] = [];
  private readonly runDowngrade: string[];
  /** Values of the Secrets of the run: no finding may quote them (see redact.ts). */
  private readonly secrets?: SecretValues;
  constructor(options: ValidateOptions, secrets?: SecretValues) {
    this.runDowngrade = options.downgrade ?? [];
    this.secrets = secrets;
  }

  add(obj: Obj | undefined, ruleId: string, field: string, message: string, fix: string, severity?: Severity, ref?: FindingObject) {
    let sev: Severity = severity ?? ruleInfo(ruleId)?.severity ?? 'error';
    if (sev === 'error' && (matchesAny(this.runDowngrade, ruleId) || (obj && matchesAny(objectDowngrades(obj.raw), ruleId)))) sev = 'warning';
    const scrub = (t: string) => (this.secrets ? this.secrets.scrub(t) : t);
    this.findings.push({ ruleId, severity: sev, object: ref ?? obj?.ref ?? { kind: '(unknown)', name: '(unknown)' }, field: scrub(field), message: scrub(message), fix: scrub(fix) });
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
  return { raw, apiVersion, group, kind, name, namespace, index, ref };
}
