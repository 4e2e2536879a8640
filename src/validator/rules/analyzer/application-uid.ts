/**
 * IST0144 InvalidApplicationUID, Istio's deployment.ApplicationUIDAnalyzer (Istio 1.30.3
 * pkg/config/analysis/analyzers/deployment/pod.go; message and level of pkg/config/analysis/msg/messages.yaml,
 * unchanged in 1.31).
 *
 * The analyzer's logic, as Istio writes it: every Pod and Deployment that is not of the control plane
 * (util.IsIstioControlPlane: its own labels have `istio`, or `release: istio`) is reported when its pod's
 * securityContext.runAsUser, or the securityContext.runAsUser of a container other than istio-proxy and
 * istio-operator (init containers are not looked at), is 1337, the UID the sidecar proxy runs as (its traffic is not
 * redirected). Istio's message names no field, so its deduplication keeps one per object; here too, on the first such
 * field. Objects of kube-system, kube-public, kube-node-lease and local-path-storage are not read.
 */
import type { Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { defineRule } from '../rule';
import { IST_PROXY, isIstioControlPlane, kubeObjects } from './kube';

export const APPLICATION_UID = defineRule({
  id: 'analyzer/application-uid',
  family: 'analyzer',
  severity: 'warning',
  description: 'A Pod or Deployment runs an application as UID 1337, the UID reserved for the sidecar proxy.',
  source: 'Istio analyzer IST0144 InvalidApplicationUID (deployment/pod.go)',
  details: 'IST0144 InvalidApplicationUID (Istio: warning) "User ID (UID) 1337 is reserved for the sidecar proxy.": the pod securityContext.runAsUser of a Pod or Deployment, or the securityContext.runAsUser of one of its containers other than istio-proxy and istio-operator, is 1337; the traffic of a process with the proxy\'s UID is not redirected through the proxy. Objects of the control plane (labels `istio` or `release: istio`) are not analyzed. One finding per object.',
});

export const PROXY_UID = 1337;

/** Reports IST0144 on the Pods and Deployments of the run. */
export function checkApplicationUid(idx: MeshIndex, rep: Reporter): void {
  const targets = [
    ...kubeObjects(idx.objects, 'v1', 'Pod').map(o => ({ o, base: 'spec', spec: o.raw?.spec })),
    ...kubeObjects(idx.objects, 'apps/v1', 'Deployment').map(o => ({ o, base: 'spec.template.spec', spec: o.raw?.spec?.template?.spec })),
  ].sort((a, b) => a.o.index - b.o.index);
  for (const { o, base, spec } of targets) {
    if (!spec || typeof spec !== 'object' || isIstioControlPlane(o)) continue;
    let field: string | undefined;
    if (spec.securityContext?.runAsUser === PROXY_UID) field = `${base}.securityContext.runAsUser`;
    const containers: any[] = Array.isArray(spec.containers) ? spec.containers : [];
    containers.forEach((c, i) => {
      if (field || c?.name === IST_PROXY || c?.name === 'istio-operator') return;
      if (c?.securityContext?.runAsUser === PROXY_UID) field = `${base}.containers[${i}].securityContext.runAsUser`;
    });
    if (!field) continue;
    rep.add(o, APPLICATION_UID, field,
      'IST0144 User ID (UID) 1337 is reserved for the sidecar proxy.',
      `Run the application with another UID than ${PROXY_UID} (runAsUser at ${field}): the sidecar proxy runs as ${PROXY_UID}, and traffic of that UID bypasses the proxy.`);
  }
}
