/** The pod templates of a set of objects (Pods and the workload kinds' templates) and Kubernetes label selectors. */
import type { Obj } from './context';

/** A pod template of the output: a Pod, or the template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob. */
export interface PodTemplate {
  readonly owner: Obj;
  readonly namespace: string;
  readonly labels: { [k: string]: string };
  readonly annotations: { [k: string]: string };
  readonly spec: any;
  /** JSON path of the pod spec inside the owner, e.g. spec.template.spec */
  readonly base: string;
}

export function podTemplates(objs: Obj[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of objs) {
    const r = o.raw;
    const ns = o.namespace ?? 'default';
    let tpl: any;
    let base = '';
    if (o.kind === 'Pod' && o.apiVersion === 'v1') {
      out.push({ owner: o, namespace: ns, labels: r.metadata?.labels ?? {}, annotations: r.metadata?.annotations ?? {}, spec: r.spec ?? {}, base: 'spec' });
      continue;
    }
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind)) {
      tpl = r.spec?.template;
      base = 'spec.template';
    } else if (o.kind === 'CronJob') {
      tpl = r.spec?.jobTemplate?.spec?.template;
      base = 'spec.jobTemplate.spec.template';
    }
    if (tpl && typeof tpl === 'object') {
      out.push({ owner: o, namespace: ns, labels: tpl.metadata?.labels ?? {}, annotations: tpl.metadata?.annotations ?? {}, spec: tpl.spec ?? {}, base: `${base}.spec` });
    }
  }
  return out;
}

export function selectorMatches(sel: any, labels: { [k: string]: string }): boolean {
  if (!sel || typeof sel !== 'object') return false;
  const ml = sel.matchLabels ?? {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case 'In': if (!has || !(e.values ?? []).includes(val)) return false; break;
      case 'NotIn': if (has && (e.values ?? []).includes(val)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}
