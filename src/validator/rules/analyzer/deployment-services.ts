/**
 * IST0116 DeploymentAssociatedToMultipleServices and IST0137 DeploymentConflictingPorts, Istio's
 * deployment.ServiceAssociationAnalyzer (Istio 1.30.3 pkg/config/analysis/analyzers/deployment/services.go; messages
 * and levels of pkg/config/analysis/msg/messages.yaml, unchanged in 1.31).
 *
 * The analyzer's logic, as Istio writes it: for every Deployment in the mesh (util.DeploymentInMesh, see kube.ts) that
 * is not a waypoint (label gateway.istio.io/managed: istio.io-mesh-controller), the Services of its namespace with a
 * non-empty selector that selects its pod template's labels are collected, then
 * - IST0116: a port number that those Services give two or more protocols (unset: TCP) is reported with the sorted
 *   "<namespace>/<name>" of the Services of all its protocols, one finding per port;
 * - IST0137: a targetPort (unset or 0: the port) that those Services reach from two or more port numbers is reported
 *   with the Services (the last one per port number, sorted) and the sorted port numbers, one finding per targetPort.
 * Istio walks Go maps in random order; here ports and targetPorts come in input order. Where the input does not say
 * whether the Deployment is in the mesh (no istio-proxy container, no sidecar.istio.io/inject label or annotation on
 * the template, its Namespace not in the input), Istio's file analysis takes it as outside the mesh and reports
 * nothing; here the finding is a note that says so.
 */
import type { Obj, Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { selectorMatches } from '../../pods';
import { defineRule } from '../rule';
import { deploymentInMesh, kubeObjects, labelsOf } from './kube';
import { byCodePoint, fullName } from './names';

export const DEPLOYMENT_MULTIPLE_SERVICES = defineRule({
  id: 'analyzer/deployment-multiple-services',
  family: 'analyzer',
  severity: 'warning',
  description: 'Services that select one Deployment of the mesh use the same port with different protocols.',
  source: 'Istio analyzer IST0116 DeploymentAssociatedToMultipleServices (deployment/services.go)',
  details: 'IST0116 DeploymentAssociatedToMultipleServices (Istio: warning) "This deployment ... is associated with multiple services using port ... but different protocols: [...]": Services of the Deployment\'s namespace whose (non-empty) selectors select its pod template give one port number different protocols (unset: TCP); the pods cannot be associated with both. Only for a Deployment in the mesh (an istio-proxy container, else the template\'s sidecar.istio.io/inject label or annotation, else its Namespace\'s istio-injection: enabled label); a note (could not check) when that depends on a Namespace that is not in the input. Waypoint Deployments (gateway.istio.io/managed: istio.io-mesh-controller) are not analyzed.',
});

export const DEPLOYMENT_CONFLICTING_PORTS = defineRule({
  id: 'analyzer/deployment-conflicting-ports',
  family: 'analyzer',
  severity: 'warning',
  description: 'Services that select one Deployment of the mesh reach the same targetPort from different ports.',
  source: 'Istio analyzer IST0137 DeploymentConflictingPorts (deployment/services.go)',
  details: 'IST0137 DeploymentConflictingPorts (Istio: warning) "This deployment ... is associated with multiple services [...] using targetPort ... but different ports: [...].": Services of the Deployment\'s namespace whose selectors select its pod template reach one targetPort (unset or 0: the port) from different port numbers; two Services selecting the same workload with the same targetPort must use the same port. Same conditions (mesh, note, waypoints) as analyzer/deployment-multiple-services.',
});

const WAYPOINT = 'istio.io-mesh-controller';

/** Go's %v of a []string or []int32. */
const list = (xs: Array<string | number>) => `[${xs.join(' ')}]`;

/** Reports IST0116 and IST0137 on the Deployments of the run. */
export function checkDeploymentServices(idx: MeshIndex, rep: Reporter): void {
  const servicesByNs = new Map<string, Obj[]>();
  for (const s of kubeObjects(idx.objects, 'v1', 'Service')) {
    const ns = s.namespace ?? 'default';
    const bucket = servicesByNs.get(ns);
    if (bucket) bucket.push(s); else servicesByNs.set(ns, [s]);
  }
  for (const d of kubeObjects(idx.objects, 'apps/v1', 'Deployment')) {
    if (labelsOf(d.raw?.metadata)['gateway.istio.io/managed'] === WAYPOINT) continue;
    const inMesh = deploymentInMesh(d, idx.namespaces);
    if (inMesh === false) continue;
    const ns = d.namespace ?? 'default';
    const podLabels = labelsOf(d.raw?.spec?.template?.metadata);
    const matching = (servicesByNs.get(ns) ?? []).filter(s => {
      const sel = s.raw?.spec?.selector;
      return sel && typeof sel === 'object' && !Array.isArray(sel) && Object.keys(sel).length > 0 && selectorMatches({ matchLabels: sel }, podLabels);
    });
    if (matching.length === 0) continue;
    const unsure = inMesh === undefined;
    const severity = unsure ? 'note' as const : undefined;
    const caveat = unsure ? ` Could not check whether the Deployment is in the mesh (no istio-proxy container, no sidecar.istio.io/inject label or annotation on its pod template, Namespace ${ns} not in the input): Istio reports this only for a Deployment in the mesh.` : '';
    // port -> protocol -> Service names (servicePortMap); targetPort -> port -> Service name (serviceTargetPortsMap)
    const byPort = new Map<number, Map<string, string[]>>();
    const byTarget = new Map<string, Map<number, string>>();
    for (const s of matching) {
      for (const p of Array.isArray(s.raw?.spec?.ports) ? s.raw.spec.ports : []) {
        if (typeof p?.port !== 'number') continue;
        let protocols = byPort.get(p.port);
        if (!protocols) byPort.set(p.port, protocols = new Map());
        const protocol = typeof p.protocol === 'string' && p.protocol !== '' ? p.protocol : 'TCP';
        const names = protocols.get(protocol);
        if (names) names.push(fullName(s)); else protocols.set(protocol, [fullName(s)]);
        const tp = p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '' ? String(p.port) : String(p.targetPort);
        let ports = byTarget.get(tp);
        if (!ports) byTarget.set(tp, ports = new Map());
        ports.set(p.port, fullName(s));
      }
    }
    for (const [port, protocols] of byPort) {
      if (protocols.size < 2) continue;
      const names = [...protocols.values()].flat().sort(byCodePoint);
      rep.add(d, DEPLOYMENT_MULTIPLE_SERVICES, 'metadata.name',
        `IST0116 This deployment ${d.name} is associated with multiple services using port ${port} but different protocols: ${list(names)}${caveat ? `.${caveat}` : ''}`,
        `Give port ${port} the same protocol in every Service that selects the pods of Deployment ${d.name}, or use another port number in one of them.`, severity);
    }
    for (const [target, ports] of byTarget) {
      if (ports.size < 2) continue;
      const names = [...ports.values()].sort(byCodePoint);
      const numbers = [...ports.keys()].sort((a, b) => a - b);
      rep.add(d, DEPLOYMENT_CONFLICTING_PORTS, 'metadata.name',
        `IST0137 This deployment ${d.name} is associated with multiple services ${list(names)} using targetPort ${JSON.stringify(target)} but different ports: ${list(numbers)}.${caveat}`,
        `Use one port number for targetPort ${target} in every Service that selects the pods of Deployment ${d.name}.`, severity);
    }
  }
}
