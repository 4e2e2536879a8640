/**
 * What Istio's analyzers of Kubernetes objects share (Istio 1.30.3 pkg/config/analysis/analyzers/util and the file
 * source of pkg/config/analysis/local/istiod_analyze.go): the namespaces whose objects an analysis never reads, the
 * control-plane labels, and whether a Deployment is in the mesh (util.DeploymentInMesh).
 */
import type { Obj } from '../../context';

/** inject.IgnoredNamespaces: istioctl analyze drops every object of these namespaces when it reads files. */
export const IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Whether Istio's file source reads `o` at all (an object of an ignored namespace, or that Namespace, is dropped). */
export function analyzed(o: Obj): boolean {
  return !IGNORED_NAMESPACES.has(o.kind === 'Namespace' && o.apiVersion === 'v1' ? o.name : o.namespace ?? 'default');
}

export function labelsOf(meta: any): { [k: string]: string } {
  const l = meta?.labels;
  return l && typeof l === 'object' && !Array.isArray(l) ? l : {};
}

export function annotationsOf(meta: any): { [k: string]: unknown } {
  const a = meta?.annotations;
  return a && typeof a === 'object' && !Array.isArray(a) ? a : {};
}

/** util.IsIstioControlPlane: the object's own labels have an `istio` key, or `release: istio`. */
export function isIstioControlPlane(o: Obj): boolean {
  const l = labelsOf(o.raw?.metadata);
  return Object.prototype.hasOwnProperty.call(l, 'istio') || l.release === 'istio';
}

/** The objects of one kind of the core or apps API (`v1`, `apps/v1`) that the analysis reads, in input order. */
export function kubeObjects(objs: readonly Obj[], apiVersion: string, kind: string): Obj[] {
  return objs.filter(o => o.apiVersion === apiVersion && o.kind === kind && analyzed(o));
}

export const IST_PROXY = 'istio-proxy';
const INJECT = 'sidecar.istio.io/inject';

/**
 * util.DeploymentInMesh: a Deployment is in the mesh when its pod template has an istio-proxy container with an
 * image; else as its template's `sidecar.istio.io/inject` label, else that annotation, says ("true" or not); else as
 * its Namespace's `istio-injection: enabled` label says. `undefined` when none of these decides and the Namespace is
 * not in the input (Istio, reading files, then takes the Deployment as outside the mesh).
 */
export function deploymentInMesh(d: Obj, namespaces: ReadonlyMap<string, Obj>): boolean | undefined {
  const tpl = d.raw?.spec?.template;
  const containers: any[] = Array.isArray(tpl?.spec?.containers) ? tpl.spec.containers : [];
  const proxy = containers.find(c => c?.name === IST_PROXY);
  if (proxy && typeof proxy.image === 'string' && proxy.image !== '') return true;
  const labels = labelsOf(tpl?.metadata);
  if (Object.prototype.hasOwnProperty.call(labels, INJECT)) return labels[INJECT] === 'true';
  const annotations = annotationsOf(tpl?.metadata);
  if (Object.prototype.hasOwnProperty.call(annotations, INJECT)) return annotations[INJECT] === 'true';
  const ns = namespaces.get(d.namespace ?? 'default');
  if (ns) return labelsOf(ns.raw?.metadata)['istio-injection'] === 'enabled';
  return undefined;
}
