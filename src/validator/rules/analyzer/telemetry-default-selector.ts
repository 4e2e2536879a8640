/**
 * Istio's telemetry.DefaultSelectorAnalyzer (pkg/config/analysis/analyzers/telemetry/default_selector.go; message of
 * pkg/config/analysis/msg/messages.yaml, the same in 1.30.3 and 1.31): more than one Telemetry without selector in a
 * namespace (IST0160 MultipleTelemetriesWithoutWorkloadSelectors), each of them reported with the sorted names.
 * A Telemetry with targetRef or targetRefs is not namespace-wide and is not counted here (Istio's analyzer counts every
 * Telemetry without selector); none of Istio's test inputs has one.
 */
import type { Obj, Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { defineRule } from '../rule';
import { byCodePoint } from './names';

export const TELEMETRY_MULTIPLE_DEFAULT = defineRule({
  id: 'analyzer/telemetry-multiple-default',
  family: 'analyzer',
  severity: 'error',
  description: 'More than one Telemetry without selector (or targetRefs) in a namespace: which one applies is undefined.',
  source: 'Istio analyzer IST0160 MultipleTelemetriesWithoutWorkloadSelectors (telemetry/default_selector.go)',
  details: 'IST0160 MultipleTelemetriesWithoutWorkloadSelectors (Istio: error) "The Telemetries ... in namespace ... have no workload selector, which can lead to undefined behavior": two or more Telemetries of a namespace (the root namespace istio-system included: mesh-wide ones) have neither selector nor targetRef(s). Every one of them is reported.',
});

function namespaceWide(t: Obj): boolean {
  const spec = t.raw?.spec;
  if (!spec || typeof spec !== 'object') return false;
  if (spec.selector !== undefined && spec.selector !== null) return false;
  return spec.targetRef == null && !(Array.isArray(spec.targetRefs) && spec.targetRefs.length);
}

/** Reports IST0160 on the Telemetries of the run. */
export function checkTelemetryDefaultSelectors(idx: MeshIndex, rep: Reporter): void {
  const byNs = new Map<string, Obj[]>();
  for (const t of idx.selectorPolicies) {
    if (t.kind !== 'Telemetry' || !namespaceWide(t)) continue;
    const ns = t.namespace ?? 'default';
    byNs.set(ns, [...byNs.get(ns) ?? [], t]);
  }
  for (const [ns, list] of byNs) {
    if (list.length < 2) continue;
    const names = list.map(t => t.name).sort(byCodePoint);
    for (const t of list) {
      rep.add(t, TELEMETRY_MULTIPLE_DEFAULT, 'spec.selector',
        `IST0160 The Telemetries [${names.join(' ')}] in namespace "${ns}" have no workload selector, which can lead to undefined behavior.`,
        'Keep one namespace-wide Telemetry (merge the others into it), and give the others spec.selector.matchLabels or spec.targetRefs.');
    }
  }
}
