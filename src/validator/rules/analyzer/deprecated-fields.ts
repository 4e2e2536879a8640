/**
 * IST0002 Deprecated, Istio's deprecation.FieldAnalyzer (Istio 1.30.3
 * pkg/config/analysis/analyzers/deprecation/deprecation.go; message and level of pkg/config/analysis/msg/messages.yaml,
 * unchanged in 1.31). Istio's list is hand-made, and so is this one, the same:
 * - a VirtualService http route whose fault.delay.percent is above 0 (replaced by fault.delay.percentage);
 * - a Sidecar with outboundTrafficPolicy.egressProxy (ignored);
 * - a CustomResourceDefinition of the removed rbac.istio.io kinds ClusterRbacConfig, RbacConfig, ServiceRole,
 *   ServiceRoleBinding.
 * Objects of kube-system, kube-public, kube-node-lease and local-path-storage are not read.
 */
import type { Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { defineRule } from '../rule';
import { analyzed } from './kube';

export const DEPRECATED = defineRule({
  id: 'analyzer/deprecated',
  family: 'analyzer',
  severity: 'warning',
  description: 'The configuration uses a deprecated Istio field or a removed Istio resource type.',
  source: 'Istio analyzer IST0002 Deprecated (deprecation/deprecation.go)',
  details: 'IST0002 Deprecated (Istio: warning) "Deprecated: ...": a VirtualService http route with fault.delay.percent above 0 ("HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage"), a Sidecar with outboundTrafficPolicy.egressProxy ("OutboundTrafficPolicy.EgressProxy ignored"), or a CustomResourceDefinition of a removed rbac.istio.io kind (ClusterRbacConfig, RbacConfig, ServiceRole, ServiceRoleBinding: "Custom resource type rbac.istio.io <kind> is removed"), Istio\'s hand-made list.',
});

const REMOVED_RBAC_KINDS = ['ClusterRbacConfig', 'RbacConfig', 'ServiceRole', 'ServiceRoleBinding'];

/** Reports IST0002 on the VirtualServices, Sidecars and CustomResourceDefinitions of the run. */
export function checkDeprecatedFields(idx: MeshIndex, rep: Reporter): void {
  for (const vs of idx.virtualServices) {
    if (!analyzed(vs)) continue;
    const http: any[] = Array.isArray(vs.raw?.spec?.http) ? vs.raw.spec.http : [];
    http.forEach((r, i) => {
      const percent = r?.fault?.delay?.percent;
      if (typeof percent === 'number' && percent > 0) {
        rep.add(vs, DEPRECATED, `spec.http[${i}].fault.delay.percent`,
          'IST0002 Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage',
          `Replace percent: ${percent} with percentage: { value: ${percent} }.`);
      }
    });
  }
  for (const sc of idx.sidecars) {
    const otp = sc.raw?.spec?.outboundTrafficPolicy;
    if (!analyzed(sc) || !otp || typeof otp !== 'object' || otp.egressProxy === undefined || otp.egressProxy === null) continue;
    rep.add(sc, DEPRECATED, 'spec.outboundTrafficPolicy.egressProxy',
      'IST0002 Deprecated: OutboundTrafficPolicy.EgressProxy ignored',
      'Remove egressProxy; route outbound traffic through an egress gateway with a ServiceEntry, Gateway and VirtualService instead.');
  }
  for (const crd of idx.objects) {
    if (crd.kind !== 'CustomResourceDefinition' || crd.group !== 'apiextensions.k8s.io') continue;
    const group = crd.raw?.spec?.group;
    const kind = crd.raw?.spec?.names?.kind;
    if (group !== 'rbac.istio.io' || !REMOVED_RBAC_KINDS.includes(kind)) continue;
    rep.add(crd, DEPRECATED, 'spec.names.kind',
      `IST0002 Deprecated: Custom resource type rbac.istio.io ${kind} is removed`,
      `Delete the ${kind} CustomResourceDefinition and its resources; Istio's AuthorizationPolicy (security.istio.io) replaces them.`);
  }
}
