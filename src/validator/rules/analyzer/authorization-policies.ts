/**
 * Istio's authz.AuthorizationPoliciesAnalyzer (pkg/config/analysis/analyzers/authz/authorizationpolicies.go; messages
 * of pkg/config/analysis/msg/messages.yaml; 1.31 rewrites namespaceMatch with strings.Cut* and gives the same results):
 * - IST0127 NoMatchingWorkloadsFound: an AuthorizationPolicy of the root namespace (istio-system) whose selector
 *   selects no pod in the mesh of any namespace; of another namespace, whose selector selects no pod in the mesh of
 *   its namespace, or without selector in a namespace with no pod in the mesh;
 * - IST0101 ReferencedResourceNotFound "namespace": an entry of rules[].from[].source.namespaces or notNamespaces
 *   ("*", "prefix*", "*suffix" or a name, ignoring case) that matches no Namespace.
 * Istio sees the cluster; the input holds only some of its pods and Namespaces, so both are notes here (could not
 * check): the pods are the pod templates of the output, one counting as in the mesh unless it opts out
 * (sidecar.istio.io/inject other than "true" as label or annotation) or its Namespace is in the output without
 * istio-injection=enabled, istio.io/rev or istio.io/dataplane-mode=ambient (Istio: a pod with an istio-proxy
 * container, the inject label or annotation "true", the namespace label istio-injection=enabled, or the ambient
 * redirection annotation). Policies with targetRef or targetRefs do not select workloads and are left out of IST0127
 * (Istio reads them as namespace-wide).
 */
import type { Obj, Reporter } from '../../context';
import { ROOT_NAMESPACE, type MeshIndex } from '../../mesh-index';
import { selectorMatches, type PodTemplate } from '../../pods';
import { defineRule } from '../rule';
import { selectorString } from './names';

export const AUTHZ_NO_MATCHING_WORKLOADS = defineRule({
  id: 'analyzer/authz-no-matching-workloads',
  family: 'analyzer',
  severity: 'note',
  description: 'Could not check: an AuthorizationPolicy selects no pod template of the output in the mesh.',
  source: 'Istio analyzer IST0127 NoMatchingWorkloadsFound (authz/authorizationpolicies.go)',
  details: 'IST0127 NoMatchingWorkloadsFound "No matching workloads for this resource with the following labels: ..." (Istio: warning), as a note (could not check; istioctl analyze sees every pod): the selector of an AuthorizationPolicy selects no pod template of the output that can be in the mesh (of any namespace for the root namespace istio-system, else of its namespace), or a namespace-wide policy (no selector, no targetRef(s)) is in a namespace without such a pod template. The workloads may be deployed out of band; else the policy applies to nothing.',
});

export const AUTHZ_NAMESPACE_NOT_FOUND = defineRule({
  id: 'analyzer/authz-namespace-not-found',
  family: 'analyzer',
  severity: 'note',
  description: 'Could not check: an AuthorizationPolicy source namespace (or notNamespace) matches no Namespace of the output.',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (AuthorizationPolicy namespace, authz/authorizationpolicies.go)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced namespace not found" (Istio: error), as a note (could not check; istioctl analyze sees every Namespace): an entry of rules[].from[].source.namespaces or notNamespaces ("*", a prefix or suffix with "*", or a name, compared ignoring case) matches no Namespace of the output. The Namespace may exist out of band; else the entry never matches.',
});

function isObj(v: unknown): v is { [k: string]: any } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a pod template can be in the mesh, as far as the input tells (see the module comment). */
function inMesh(p: PodTemplate, idx: MeshIndex): boolean {
  const containers = [...(Array.isArray(p.spec?.containers) ? p.spec.containers : []), ...(Array.isArray(p.spec?.initContainers) ? p.spec.initContainers : [])];
  if (containers.some((c: any) => c?.name === 'istio-proxy')) return true;
  for (const m of [p.labels, p.annotations]) {
    const v = m['sidecar.istio.io/inject'];
    if (v !== undefined) return v === 'true';
  }
  if (p.annotations['ambient.istio.io/redirection'] === 'enabled') return true;
  const ns = idx.namespaces.get(p.namespace);
  if (!ns) return true;
  const l = ns.raw?.metadata?.labels ?? {};
  return l['istio-injection'] === 'enabled' || (typeof l['istio.io/rev'] === 'string' && l['istio.io/rev'] !== '') || l['istio.io/dataplane-mode'] === 'ambient';
}

/** authorizationpolicies.go namespaceMatch */
function namespaceMatch(ns: string, exp: string): boolean {
  if (exp === '*') return true;
  if (exp.startsWith('*')) return ns.endsWith(exp.slice(1));
  if (exp.endsWith('*')) return ns.startsWith(exp.slice(0, -1));
  return ns.toLowerCase() === exp.toLowerCase();
}

/** Reports IST0127 and IST0101 (namespace) on the AuthorizationPolicies of the run. */
export function checkAuthorizationPolicies(idx: MeshIndex, rep: Reporter): void {
  const policies = idx.selectorPolicies.filter(o => o.kind === 'AuthorizationPolicy');
  if (!policies.length) return;
  const meshPods = idx.pods.filter(p => inMesh(p, idx));
  const namespaces = [...idx.namespaces.keys()];
  for (const ap of policies) {
    const spec = ap.raw?.spec;
    if (!isObj(spec)) continue;
    noMatchingWorkloads(ap, spec, meshPods, rep);
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((r: any, i: number) => {
      (Array.isArray(r?.from) ? r.from : []).forEach((f: any, j: number) => {
        for (const part of ['namespaces', 'notNamespaces']) {
          (Array.isArray(f?.source?.[part]) ? f.source[part] : []).forEach((exp: unknown, k: number) => {
            if (typeof exp !== 'string' || namespaces.some(ns => namespaceMatch(ns, exp))) return;
            rep.add(ap, AUTHZ_NAMESPACE_NOT_FOUND, `spec.rules[${i}].from[${j}].source.${part}[${k}]`,
              `IST0101 Referenced namespace not found: ${JSON.stringify(exp)}: could not check it, no Namespace of the output matches it, so it must exist out of band (or the entry matches no request)`,
              'Nothing to do if the namespace exists in the cluster; otherwise fix the entry (a name, "*", "prefix*" or "*suffix").');
          });
        }
      });
    });
  }
}

function noMatchingWorkloads(ap: Obj, spec: { [k: string]: any }, meshPods: PodTemplate[], rep: Reporter) {
  if (spec.targetRef != null || (Array.isArray(spec.targetRefs) && spec.targetRefs.length)) return;
  const ns = ap.namespace ?? 'default';
  const hasSelector = spec.selector !== undefined && spec.selector !== null;
  const ml = isObj(spec.selector?.matchLabels) ? spec.selector.matchLabels : {};
  if (ns === ROOT_NAMESPACE && !hasSelector) return;
  const candidates = ns === ROOT_NAMESPACE ? meshPods : meshPods.filter(p => p.namespace === ns);
  if (candidates.some(p => selectorMatches({ matchLabels: hasSelector ? ml : {} }, p.labels))) return;
  const labels = hasSelector ? selectorString(ml) : '(none: the policy is namespace-wide)';
  rep.add(ap, AUTHZ_NO_MATCHING_WORKLOADS, hasSelector ? 'spec.selector' : 'metadata.namespace',
    `IST0127 No matching workloads for this resource with the following labels: ${labels}: could not check it, no pod template of the output ${ns === ROOT_NAMESPACE ? 'in the mesh' : `in the mesh in namespace "${ns}"`} ${hasSelector ? 'carries these labels' : 'exists'}, so the workloads must be deployed out of band (or the policy applies to nothing)`,
    hasSelector
      ? `Nothing to do if the workloads are deployed out of band; otherwise fix spec.selector.matchLabels.`
      : `Nothing to do if workloads of namespace "${ns}" are deployed out of band; otherwise move the policy to the namespace of its workloads.`);
}
