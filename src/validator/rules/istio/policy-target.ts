/**
 * What AuthorizationPolicy, RequestAuthentication, PeerAuthentication, Telemetry, WasmPlugin, TrafficExtension and ProxyConfig share in Istio 1.30.3's webhook
 * (pkg/config/validation/validation.go): validateWorkloadSelector (the istio.io/type/v1beta1 selector's
 * matchLabels), validatePolicyTargetReference(s) and validateOneOfSelectorType. Istio 1.31 validates them the same.
 */
import type { Obj } from '../../context';
import { IstioReport, isMessage } from './common';
import { defineRule } from '../rule';

export const POLICY_SELECTOR = defineRule({
  id: 'istio/policy-selector',
  family: 'istio',
  severity: 'error',
  description: 'The selector of a policy (security kinds, Telemetry, WasmPlugin, TrafficExtension, ProxyConfig) has an empty or wildcard label, or no labels.',
  source: 'Istio validation.go validateWorkloadSelector',
  details: 'validateWorkloadSelector: no empty key and no "*" in a matchLabels key or value (errors); a selector without matchLabels is a warning, as in Istio ("workload selector specified without labels": it selects every workload of the namespace).',
});

export const POLICY_TARGET_REF = defineRule({
  id: 'istio/policy-target-ref',
  family: 'istio',
  severity: 'error',
  description: 'A policy\'s targetRef(s) name no Service, ServiceEntry, Gateway or GatewayClass of its own namespace, or come with a selector.',
  source: 'Istio validation.go validatePolicyTargetReference(s), validateOneOfSelectorType',
  details: 'validatePolicyTargetReference: a name, no namespace (cross-namespace references are not supported), group/kind one of core/Service, networking.istio.io/ServiceEntry, gateway.networking.k8s.io/Gateway or gateway.networking.k8s.io/GatewayClass; validateOneOfSelectorType: at most one of selector, targetRef and targetRefs.',
});

/** Istio's allowedTargetRefs, as its message prints them (GroupVersionKind's String()). */
const ALLOWED_TARGETS: ReadonlyArray<{ group: string; kind: string; shown: string }> = [
  { group: 'core', kind: 'Service', shown: 'core/v1/Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry', shown: 'networking.istio.io/v1/ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway', shown: 'gateway.networking.k8s.io/v1/Gateway' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', shown: 'gateway.networking.k8s.io/v1/GatewayClass' },
];
const TARGET_FIX = 'Target a Service, ServiceEntry, Gateway or GatewayClass of the policy\'s own namespace by name.';

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** validateWorkloadSelector for `spec.<field>` (selector). */
export function checkPolicySelector(spec: Record<string, any>, field: string, r: IstioReport): void {
  const sel = spec[field];
  if (sel === undefined || sel === null) return;
  const labels = isMessage(sel) && isMessage(sel.matchLabels) ? sel.matchLabels : {};
  for (const [k, v] of Object.entries(labels)) {
    const shown = JSON.stringify(`${k}=${str(v)}`);
    if (k === '') r.error(POLICY_SELECTOR, `spec.${field}.matchLabels`, `empty key is not supported in selector: ${shown}`, 'Use a label key, e.g. app.');
    if (k.includes('*') || str(v).includes('*')) r.error(POLICY_SELECTOR, `spec.${field}.matchLabels`, `wildcard is not supported in selector: ${shown}`, 'Use exact label keys and values.');
  }
  if (Object.keys(labels).length === 0) {
    r.warn(POLICY_SELECTOR, `spec.${field}`, 'workload selector specified without labels', 'Add matchLabels, or remove the selector to apply the policy to the whole namespace on purpose.');
  }
}

function checkTargetRef(ref: unknown, field: string, r: IstioReport) {
  if (!isMessage(ref)) return;
  if (str(ref.name) === '') r.error(POLICY_TARGET_REF, `${field}.name`, 'targetRef name must be set', TARGET_FIX);
  if (str(ref.namespace) !== '') r.error(POLICY_TARGET_REF, `${field}.namespace`, 'targetRef namespace must not be set; cross namespace referencing is not supported', 'Remove namespace; put the policy in the target\'s namespace.');
  const group = str(ref.group) || 'core';
  if (!ALLOWED_TARGETS.some((t) => t.group === group && t.kind === str(ref.kind))) {
    r.error(POLICY_TARGET_REF, field, `targetRef must be to one of [${ALLOWED_TARGETS.map((t) => t.shown).join(' ')}] but was ${str(ref.group)}/${str(ref.kind)}`, TARGET_FIX);
  }
}

/** validateOneOfSelectorType, validatePolicyTargetReference and validatePolicyTargetReferences. */
export function checkPolicyTargets(spec: Record<string, any>, r: IstioReport): void {
  const set = [spec.selector !== undefined && spec.selector !== null, spec.targetRef !== undefined && spec.targetRef !== null,
    Array.isArray(spec.targetRefs) && spec.targetRefs.length > 0].filter(Boolean).length;
  if (set > 1) r.error(POLICY_TARGET_REF, 'spec', 'only one of targetRefs or workloadSelector can be set', 'Keep either selector or targetRef(s).');
  checkTargetRef(spec.targetRef, 'spec.targetRef', r);
  if (Array.isArray(spec.targetRefs)) spec.targetRefs.forEach((t: unknown, i: number) => checkTargetRef(t, `spec.targetRefs[${i}]`, r));
}

/** Obj's namespace as Istio's messages print it. */
export function nsName(o: Obj): string {
  return `${o.namespace ?? 'default'}/${o.name}`;
}
