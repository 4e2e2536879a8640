/**
 * Istio's telemetry.SelectorAnalyzer (pkg/config/analysis/analyzers/telemetry/selector.go; messages of
 * pkg/config/analysis/msg/messages.yaml, the same in 1.30.3 and 1.31): per namespace, a Telemetry whose
 * selector.matchLabels select no pod of its namespace (IST0101 ReferencedResourceNotFound, "selector"), and pods
 * selected by several Telemetries (IST0159 ConflictingTelemetryWorkloadSelectors). Telemetries without selector, or
 * with empty matchLabels, are left out, as in Istio (telemetry.DefaultSelectorAnalyzer is ./telemetry-default-selector.ts).
 *
 * Differences, since the input is not the cluster: the pods are the pod templates of the output (Pods and the
 * templates of Deployments and the other workload kinds); a selector that selects none of them is a note (could not
 * check: the workload may be deployed out of band), where Istio, which sees every pod, reports an error. Istio reports
 * IST0159 once per conflicting pod; here once per Telemetry, with the first pod template it shares (input order).
 */
import type { Obj, Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { selectorMatches, type PodTemplate } from '../../pods';
import { defineRule } from '../rule';
import { byCodePoint, selectorString } from './names';

export const TELEMETRY_SELECTOR_CONFLICT = defineRule({
  id: 'analyzer/telemetry-selector-conflict',
  family: 'analyzer',
  severity: 'error',
  description: 'Two Telemetries select the same workload (a pod template of the output): which one applies is undefined.',
  source: 'Istio analyzer IST0159 ConflictingTelemetryWorkloadSelectors (telemetry/selector.go)',
  details: 'IST0159 ConflictingTelemetryWorkloadSelectors (Istio: error) "The Telemetries ... in namespace ... select the same workload pod ..., which can lead to undefined behavior": the selector.matchLabels of two or more Telemetries of a namespace select the same pod template of the output. Each Telemetry is reported once, with the first pod template it shares.',
});

export const TELEMETRY_SELECTOR = defineRule({
  id: 'analyzer/telemetry-selector',
  family: 'analyzer',
  severity: 'note',
  description: 'Could not check: a Telemetry selector selects no pod template of the output in its namespace.',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (Telemetry selector, telemetry/selector.go)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced selector not found", as a note (could not check; an error in istioctl analyze, which sees every pod): the selector.matchLabels of a Telemetry select no pod template of the output in its namespace; the workload may be deployed out of band, else the Telemetry applies to nothing.',
});

function matchLabelsOf(t: Obj): { [k: string]: string } | undefined {
  const l = t.raw?.spec?.selector?.matchLabels;
  return l && typeof l === 'object' && !Array.isArray(l) && Object.keys(l).length ? l : undefined;
}


/** Reports IST0101 (selector) and IST0159 on the Telemetries of the run. */
export function checkTelemetrySelectors(idx: MeshIndex, rep: Reporter): void {
  const telemetries = idx.selectorPolicies.filter(o => o.kind === 'Telemetry' && matchLabelsOf(o));
  const byPod = new Map<PodTemplate, Obj[]>();
  for (const t of telemetries) {
    const ns = t.namespace ?? 'default';
    const l = matchLabelsOf(t)!;
    const pods = (idx.podsByNs.get(ns) ?? []).filter(p => selectorMatches({ matchLabels: l }, p.labels));
    for (const p of pods) byPod.set(p, [...byPod.get(p) ?? [], t]);
    if (!pods.length) {
      rep.add(t, TELEMETRY_SELECTOR, 'spec.selector.matchLabels',
        `IST0101 Referenced selector not found: "${selectorString(l)}": could not check it, no pod template of the output in namespace "${ns}" carries these labels, so the workload must be deployed out of band (or the Telemetry applies to nothing)`,
        `Nothing to do if the workload is deployed out of band in namespace "${ns}"; otherwise fix spec.selector.matchLabels.`);
    }
  }
  const reported = new Set<Obj>();
  for (const [pod, list] of byPod) {
    if (list.length < 2) continue;
    const names = list.map(t => t.name).sort(byCodePoint);
    for (const t of list) {
      if (reported.has(t)) continue;
      reported.add(t);
      rep.add(t, TELEMETRY_SELECTOR_CONFLICT, 'spec.selector.matchLabels',
        `IST0159 The Telemetries [${names.join(' ')}] in namespace "${pod.namespace}" select the same workload pod "${pod.owner.name}", which can lead to undefined behavior.`,
        'Merge the Telemetries, or make their selector.matchLabels select disjoint workloads.');
    }
  }
}
