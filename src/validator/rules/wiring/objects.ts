/** Checks across the objects of one synth: selectors, RBAC, mounts, ports, nginx paths, images. */
import type { Obj, Reporter } from '../../context';
import { drTlsSites } from '../istio/destination-rule';
import { looksLikeNginxConf, nginxFileRefs } from '../../nginx';
import { REMOTE_CLIENT_ANNOTATION } from '../../../common/annotations';
import { podTemplates, selectorMatches, type PodTemplate } from '../../pods';
import { childPath } from '../schema/structural';
import { parseImageReference } from '../../../common/image-ref';
import { defineRule } from '../rule';

export const NAMESPACE_EXISTS = defineRule({
  id: 'wiring/namespace-exists',
  family: 'wiring',
  severity: 'note',
  description: 'Could not check: objects live in a namespace the output does not create; it must exist before applying.',
  source: 'this project',
  details: 'Could not check: objects live in a namespace that is neither in the output nor "default"/"kube-system"/"istio-system"; it must exist before applying.',
});

export const SELECTOR_MATCHES_WORKLOAD = defineRule({
  id: 'wiring/selector-matches-workload',
  family: 'wiring',
  severity: 'error',
  description: 'A DestinationRule workloadSelector or Service selector selects no pod template of the output.',
  source: 'this project',
  details: 'A DestinationRule workloadSelector or Service selector selects no pod template (nor, for a Service, WorkloadEntry) of the output in its namespace. For a DestinationRule whose namespace has pod templates in the output, an error: its TLS settings and credential reach no client of the output (a client declared as deployed elsewhere gives a note). For a Service, a warning: Kubernetes accepts a Service that selects nothing and its pods may be deployed by other files (the severity contract), the message lists the namespace\'s pod templates. A warning that says "could not check" when the output has no pod template (and, for a Service, no WorkloadEntry) in that namespace at all.',
});

export const SIDECAR_INJECTION = defineRule({
  id: 'wiring/sidecar-injection',
  family: 'wiring',
  severity: 'error',
  description: 'A workload whose DestinationRule originates TLS gets no sidecar: requests leave in plaintext.',
  source: 'this project (Istio sidecar injection labels)',
  details: 'A workload selected by a DestinationRule that originates TLS gets no sidecar (pod or namespace opts out, or neither opts in): requests leave in plaintext. A note (could not check) when its namespace is not in the output or the client is deployed elsewhere.',
});

export const DUPLICATE_OBJECT = defineRule({
  id: 'wiring/duplicate-object',
  family: 'wiring',
  severity: 'error',
  description: 'Two different objects of one API group, kind, namespace and name: the later replaces the earlier.',
  source: 'this project (kubectl apply)',
  details: 'Two different objects of one API group, kind, namespace and name in the output: applied together, the later replaces the earlier (identical copies pass).',
});

export const ROLEBINDING_ROLE = defineRule({
  id: 'wiring/rolebinding-role',
  family: 'wiring',
  severity: 'warning',
  description: 'Could not check: a RoleBinding references a Role that is not in the output.',
  source: 'this project (Kubernetes RBAC)',
  details: 'Could not check: a RoleBinding references a Role that is not in the output (same namespace). A warning: the API server accepts the binding, which grants nothing until the Role exists (another file may create it). A note for a ClusterRole not in an output that has ClusterRoles.',
});

export const ROLEBINDING_SUBJECT = defineRule({
  id: 'wiring/rolebinding-subject',
  family: 'wiring',
  severity: 'warning',
  description: 'Could not check: a RoleBinding binds a ServiceAccount that is not in the output.',
  source: 'this project (Kubernetes RBAC)',
  details: 'Could not check: a RoleBinding binds a ServiceAccount that is not in the output. A warning: the API server accepts the binding, which applies once the account exists (another file may create it); a note when the client is deployed elsewhere.',
});

export const SERVICEACCOUNT_USED = defineRule({
  id: 'wiring/serviceaccount-used',
  family: 'wiring',
  severity: 'note',
  description: 'Could not check: a ServiceAccount bound by a RoleBinding is used by no pod of the output.',
  source: 'this project (Kubernetes RBAC)',
  details: 'Could not check: a ServiceAccount bound by a RoleBinding is used by no pod of the output. A note, not an error: the account may be run by pods deployed elsewhere, or its token used by a person or a program outside the cluster.',
});

export const SERVICEACCOUNT_EXISTS = defineRule({
  id: 'wiring/serviceaccount-exists',
  family: 'wiring',
  severity: 'warning',
  description: 'Could not check: a pod runs as a ServiceAccount (not "default") that is not in the output.',
  source: 'this project (Kubernetes ServiceAccount admission)',
  details: 'Could not check: a pod runs as a ServiceAccount (not "default"; an empty serviceAccountName is "default") that is not in the output. A warning: the ServiceAccount admission refuses the pods until the account exists, which another file may create.',
});

export const CONFIGMAP_EXISTS = defineRule({
  id: 'wiring/configmap-exists',
  family: 'wiring',
  severity: 'warning',
  description: 'Could not check: a ConfigMap mounted (or referenced) by a pod is not in the output.',
  source: 'this project (kubelet volume mounts)',
  details: 'Could not check: a ConfigMap mounted (or referenced, not optional) by a pod is not in the output. A warning: the pod does not start until the ConfigMap exists, which another file or a kubectl create may provide.',
});

export const SECRET_EXISTS = defineRule({
  id: 'wiring/secret-exists',
  family: 'wiring',
  severity: 'note',
  description: 'Could not check: a Secret mounted by a pod or named by credentialName is not in the output; it must exist out of band.',
  source: 'this project',
  details: 'Could not check: a Secret mounted by a pod or named by credentialName is neither in the output nor issued by a cert-manager Certificate of the output; it must exist out of band.',
});

export const CREDENTIAL_RBAC = defineRule({
  id: 'wiring/credential-rbac',
  family: 'wiring',
  severity: 'error',
  description: 'No Role grants list on secrets to the workload that reads a credentialName (istiod checks list).',
  source: 'Istio credentials SubjectAccessReview (pilot/pkg/credentials/kube)',
  details: 'The namespace of a DestinationRule credentialName has no Role granting list (istiod checks list; get/watch recommended) on secrets bound to the service account of the selected workload. An error where the input holds RBAC for that namespace (a Role or RoleBinding there, or a ClusterRoleBinding of one of its service accounts) and none of it grants list; a warning (could not check) when the input has no Role or RoleBinding there at all (RBAC managed elsewhere), or when the account is bound to a Role or ClusterRole that is not in the input (the built-in ClusterRoles cluster-admin, admin and edit grant list on secrets, view does not).',
});

export const PORT_CHAIN = defineRule({
  id: 'wiring/port-chain',
  family: 'wiring',
  severity: 'error',
  description: 'ServiceEntry targetPort, Service port/targetPort and containerPort do not line up.',
  source: 'this project',
  details: 'ServiceEntry targetPort -> Service port/targetPort -> containerPort do not line up: an error when a ServiceEntry whose host is a Service of the output targets a port that Service does not have, or when a Service\'s named targetPort is no containerPort name of the pods it selects (on every Service: the endpoints get no port). A numeric targetPort that is not a declared containerPort is a note, and only on a ServiceEntry host\'s Service: containerPorts are informational in Kubernetes (a container may listen on any port).',
});

export const CONFIG_KEY = defineRule({
  id: 'wiring/config-key',
  family: 'wiring',
  severity: 'error',
  description: 'A mounted ConfigMap/Secret of the output lacks the key (items, subPath or a file that a config names).',
  source: 'this project (kubelet volume mounts)',
});

export const NGINX_PATHS = defineRule({
  id: 'wiring/nginx-paths',
  family: 'wiring',
  severity: 'error',
  description: 'A file named by nginx.conf is not under a volumeMount of its container, or its key is missing.',
  source: 'this project (nginx configuration)',
  details: 'A file named by nginx.conf (ssl_certificate, ssl_certificate_key, ssl_client_certificate, ssl_trusted_certificate, ssl_crl, include) is not under a volumeMount of the container that mounts that nginx.conf, or its key is missing.',
});

export const IMAGE_USER = defineRule({
  id: 'wiring/image-user',
  family: 'wiring',
  severity: 'error',
  description: 'The security context cannot start the image (nginx runs as root; curlimages/curl has a non-numeric user).',
  source: 'this project (kubelet runAsNonRoot check; the images\' Dockerfiles)',
  details: 'The security context cannot start the image. The official nginx images (`nginx`, `library/nginx`, `docker.io/[library/]nginx`; not nginxinc/nginx-unprivileged) run as root (uid 0): an error for `runAsNonRoot: true` without a non-zero `runAsUser`, and for `readOnlyRootFilesystem: true` without writable (e.g. emptyDir) mounts at /var/cache/nginx and /var/run. `curlimages/curl` runs as the non-numeric user curl_user (uid 100): an error for `runAsNonRoot: true` without a numeric `runAsUser`.',
});

export const IMAGE_TAG = defineRule({
  id: 'wiring/image-tag',
  family: 'wiring',
  severity: 'warning',
  description: 'Image tag is "latest" or missing (not pinned).',
  source: 'this project',
  details: 'A warning for every container image whose tag is `latest`, or that has neither a tag nor a digest: what runs changes without a change to the manifests.',
});

export const IMAGE_REFERENCE = defineRule({
  id: 'wiring/image-reference',
  family: 'wiring',
  severity: 'error',
  description: 'The image is not a valid image reference ([registry/]name[:tag][@digest]): the kubelet refuses it.',
  source: 'OCI distribution reference grammar; kubelet (InvalidImageName)',
  details: 'The image is not a valid image reference ([registry/]name[:tag][@digest], the OCI reference grammar, `image-ref.ts`: `nginx:1.a;b`): the kubelet refuses it (InvalidImageName); such an image is never counted as pinned.',
});

const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'istio-system']);
const CERT_MANAGER_KEYS = ['tls.crt', 'tls.key', 'ca.crt'];

/** Whether the constructs marked `o` as emitted for a client deployed elsewhere (see REMOTE_CLIENT_ANNOTATION). */
function forRemoteClient(o: Obj): boolean {
  return o.raw?.metadata?.annotations?.[REMOTE_CLIENT_ANNOTATION] === 'true';
}
const ELSEWHERE = 'the client is deployed elsewhere: could not check';

function allContainers(spec: any): Array<{ c: any; field: string }> {
  const out: Array<{ c: any; field: string }> = [];
  for (const key of ['initContainers', 'containers']) {
    (Array.isArray(spec?.[key]) ? spec[key] : []).forEach((c: any, i: number) => out.push({ c, field: `${key}[${i}]` }));
  }
  return out;
}

class Index {
  readonly byKind = new Map<string, Obj[]>();
  constructor(objs: Obj[]) {
    for (const o of objs) {
      const k = o.kind;
      if (!this.byKind.has(k)) this.byKind.set(k, []);
      this.byKind.get(k)!.push(o);
    }
  }
  find(kind: string, ns: string | undefined, name: string): Obj | undefined {
    return (this.byKind.get(kind) ?? []).find(o => o.name === name && (ns === undefined || o.namespace === ns));
  }
  all(kind: string): Obj[] {
    return this.byKind.get(kind) ?? [];
  }
  /** Secret in output, or cert-manager Certificate issuing it. */
  secretSource(ns: string, name: string): { kind: 'Secret'; obj: Obj; keys: Set<string> } | { kind: 'Certificate'; obj: Obj; keys: Set<string> } | undefined {
    const s = (this.byKind.get('Secret') ?? []).find(o => o.apiVersion === 'v1' && o.namespace === ns && o.name === name);
    if (s) return { kind: 'Secret', obj: s, keys: new Set([...Object.keys(s.raw.data ?? {}), ...Object.keys(s.raw.stringData ?? {})]) };
    const c = (this.byKind.get('Certificate') ?? []).find(o => o.group === 'cert-manager.io' && o.namespace === ns && o.raw?.spec?.secretName === name);
    if (c) return { kind: 'Certificate', obj: c, keys: new Set(CERT_MANAGER_KEYS) };
    return undefined;
  }
  configMap(ns: string, name: string): { obj: Obj; keys: Set<string> } | undefined {
    const c = (this.byKind.get('ConfigMap') ?? []).find(o => o.apiVersion === 'v1' && o.namespace === ns && o.name === name);
    return c ? { obj: c, keys: new Set([...Object.keys(c.raw.data ?? {}), ...Object.keys(c.raw.binaryData ?? {})]) } : undefined;
  }
}

/**
 * Two different objects of one API group, kind, namespace and name: applied together, the later replaces the
 * earlier. Identical copies (the same client in two task files) are harmless and pass.
 */
function checkDuplicates(objs: Obj[], rep: Reporter) {
  const seen = new Map<string, Obj>();
  for (const o of objs) {
    if (o.kind === '(no kind)' || o.name.startsWith('(unnamed')) continue;
    const key = `${o.group}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, o);
      continue;
    }
    if (JSON.stringify(first.raw) === JSON.stringify(o.raw)) continue;
    const where = (x: Obj) => x.ref.file ?? x.ref.constructPath ?? `document #${x.index + 1}`;
    rep.add(o, DUPLICATE_OBJECT, 'metadata.name',
      `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} is emitted twice with different content (${where(first)} and ${where(o)}): applied together, the later one replaces the earlier`,
      'Give one of them another name or namespace, or apply the files separately if they are alternatives.');
  }
}

export function checkWiring(objs: Obj[], rep: Reporter): void {
  const idx = new Index(objs);
  const pods = podTemplates(objs);
  checkDuplicates(objs, rep);
  checkNamespaces(objs, idx, rep);
  checkSelectors(objs, pods, rep);
  checkSidecarInjection(objs, idx, pods, rep);
  checkRbac(idx, pods, rep);
  checkPodRefs(idx, pods, rep);
  checkCredentials(objs, idx, pods, rep);
  checkPortChain(objs, idx, pods, rep);
  checkNginx(idx, pods, rep);
  checkImages(pods, rep);
}

function checkNamespaces(objs: Obj[], idx: Index, rep: Reporter) {
  const declared = new Set(idx.all('Namespace').map(n => n.name));
  const reported = new Set<string>();
  for (const o of objs) {
    if (!o.namespace || declared.has(o.namespace) || SYSTEM_NAMESPACES.has(o.namespace) || reported.has(o.namespace)) continue;
    reported.add(o.namespace);
    rep.add(o, NAMESPACE_EXISTS, 'metadata.namespace', `could not check that namespace "${o.namespace}" exists: the output does not create it (first used by this object), so it must exist before applying`, `Nothing to do if namespace "${o.namespace}" is created out of band; otherwise add a Namespace "${o.namespace}" to the chart.`);
  }
}

function checkSelectors(objs: Obj[], pods: PodTemplate[], rep: Reporter) {
  for (const o of objs) {
    if (o.group === 'networking.istio.io' && o.kind === 'DestinationRule') {
      const ws = o.raw?.spec?.workloadSelector;
      if (!ws || typeof ws !== 'object') continue;
      const ml = ws.matchLabels ?? {};
      if (!Object.keys(ml).length) continue;
      if (!pods.some(p => p.namespace === o.namespace && selectorMatches({ matchLabels: ml }, p.labels))) {
        if (forRemoteClient(o)) {
          rep.add(o, SELECTOR_MATCHES_WORKLOAD, 'spec.workloadSelector.matchLabels',
            `${ELSEWHERE} that workloadSelector ${fmtLabels(ml)} selects its pods in namespace "${o.namespace}"`,
            `Make sure the client's pods in namespace "${o.namespace}" carry the labels ${fmtLabels(ml)}.`, 'note');
          continue;
        }
        if (!pods.some(p => p.namespace === o.namespace)) {
          rep.add(o, SELECTOR_MATCHES_WORKLOAD, 'spec.workloadSelector.matchLabels',
            `could not check that workloadSelector ${fmtLabels(ml)} selects a workload: the output has no pod template in namespace "${o.namespace}", so its workloads are deployed by other files`,
            `Nothing to do if the client's pods in namespace "${o.namespace}" carry the labels ${fmtLabels(ml)}; otherwise make the labels match the client workload's pod template labels.`, 'warning');
          continue;
        }
        rep.add(o, SELECTOR_MATCHES_WORKLOAD, 'spec.workloadSelector.matchLabels',
          `workloadSelector ${fmtLabels(ml)} selects no pod template of the output in namespace "${o.namespace}"${describeCandidates(pods, o.namespace!)}`,
          `Make the labels match the client workload's pod template labels, or, if the workload is deployed elsewhere, downgrade with annotation validation.cdk8s-istio-egress.io/warn: "wiring/selector-matches-workload".`);
      }
    } else if (o.apiVersion === 'v1' && o.kind === 'Service') {
      const sel = o.raw?.spec?.selector;
      if (!sel || typeof sel !== 'object' || !Object.keys(sel).length) continue;
      // Istio's WorkloadEntries are endpoints of the Services that select their labels (VMs, external workloads)
      const entries = objs.filter(w => w.group === 'networking.istio.io' && w.kind === 'WorkloadEntry' && (w.namespace ?? 'default') === o.namespace);
      if (entries.some(w => selectorMatches({ matchLabels: sel }, labelsOf(w.raw?.spec?.labels)))) continue;
      if (!pods.some(p => p.namespace === o.namespace && selectorMatches({ matchLabels: sel }, p.labels))) {
        if (!entries.length && !pods.some(p => p.namespace === o.namespace)) {
          rep.add(o, SELECTOR_MATCHES_WORKLOAD, 'spec.selector',
            `could not check that Service selector ${fmtLabels(sel)} selects pods: the output has no pod template or WorkloadEntry in namespace "${o.namespace}", so its workloads are deployed by other files`,
            `Nothing to do if the pods labelled ${fmtLabels(sel)} are deployed with another file; otherwise make spec.selector match the pod template labels of the backing Deployment.`, 'warning');
          continue;
        }
        rep.add(o, SELECTOR_MATCHES_WORKLOAD, 'spec.selector',
          `Service selector ${fmtLabels(sel)} selects no pod template${entries.length ? ' or WorkloadEntry' : ''} of the output in namespace "${o.namespace}"${describeCandidates(pods, o.namespace!)}`,
          'Make spec.selector match the pod template labels of the backing Deployment; nothing to do if its pods are deployed by another file.', 'warning');
      }
    }
  }
}

/**
 * Workloads selected by an originating DestinationRule need an Envoy sidecar: without one nothing
 * originates TLS and the request leaves in plaintext. Injection is decided by the pod's
 * `sidecar.istio.io/inject` label (or annotation), else by its namespace's `istio-injection` /
 * `istio.io/rev` label; a namespace that is not in the output cannot be checked (warning).
 */
function checkSidecarInjection(objs: Obj[], idx: Index, pods: PodTemplate[], rep: Reporter) {
  for (const o of objs) {
    if (o.group !== 'networking.istio.io' || o.kind !== 'DestinationRule') continue;
    const ml = o.raw?.spec?.workloadSelector?.matchLabels;
    if (!ml || typeof ml !== 'object' || !Object.keys(ml).length) continue;
    if (!drTlsSites(o.raw.spec).some(({ tls }) => tls?.mode === 'SIMPLE' || tls?.mode === 'MUTUAL')) continue;
    const selected = pods.filter(x => x.namespace === o.namespace && selectorMatches({ matchLabels: ml }, x.labels));
    if (!selected.length && forRemoteClient(o)) {
      rep.add(o, SIDECAR_INJECTION, 'spec.workloadSelector.matchLabels', `${ELSEWHERE} that its pods ${fmtLabels(ml)} get a sidecar: without one nothing originates TLS and requests leave in plaintext`,
        `Make sure the client's pods are injected: label them sidecar.istio.io/inject: "true", or namespace "${o.namespace}" istio-injection: enabled.`, 'note');
    }
    for (const p of selected) {
      const podSays = p.labels['sidecar.istio.io/inject'] ?? p.annotations['sidecar.istio.io/inject'];
      const who = `${p.owner.kind}/${p.owner.name}`;
      const field = `${p.base.replace(/\.spec$/, '')}.metadata.labels`;
      if (podSays === 'true') continue;
      if (podSays === 'false') {
        rep.add(p.owner, SIDECAR_INJECTION, field, `${who} is selected by DestinationRule ${o.namespace}/${o.name} to originate TLS, but its pods opt out of sidecar injection (sidecar.istio.io/inject: "false"): nothing originates TLS and requests leave in plaintext`, 'Remove sidecar.istio.io/inject: "false" from the pod template (or set it to "true").');
        continue;
      }
      const ns = idx.find('Namespace', undefined, p.namespace);
      const nsLabels = ns?.raw?.metadata?.labels ?? {};
      if (nsLabels['istio-injection'] === 'enabled' || (nsLabels['istio.io/rev'] && nsLabels['istio-injection'] !== 'disabled')) continue;
      if (ns) {
        rep.add(p.owner, SIDECAR_INJECTION, field, `${who} is selected by DestinationRule ${o.namespace}/${o.name} to originate TLS, but neither its pods (sidecar.istio.io/inject) nor its namespace "${p.namespace}" (istio-injection: ${nsLabels['istio-injection'] ?? 'unset'}) enable sidecar injection: requests would leave in plaintext`, `Label the pod template sidecar.istio.io/inject: "true", or the namespace istio-injection: enabled.`);
      } else {
        rep.add(p.owner, SIDECAR_INJECTION, field, `${who} is selected by DestinationRule ${o.namespace}/${o.name} to originate TLS; could not check that it gets a sidecar: its namespace "${p.namespace}" is not in the output, so whether the namespace injects sidecars is unknown`, `Label the pod template sidecar.istio.io/inject: "true", or make sure namespace "${p.namespace}" is labelled istio-injection: enabled.`, 'note');
      }
    }
  }
}

function describeCandidates(pods: PodTemplate[], ns: string): string {
  const c = pods.filter(p => p.namespace === ns);
  if (!c.length) return ' (no pod templates in that namespace)';
  return ` (pod templates there: ${c.map(p => `${p.owner.kind}/${p.owner.name} ${fmtLabels(p.labels)}`).join('; ')})`;
}
function labelsOf(l: unknown): { [k: string]: string } {
  return l && typeof l === 'object' && !Array.isArray(l) ? l as { [k: string]: string } : {};
}
function fmtLabels(l: { [k: string]: unknown }): string {
  return '{' + Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') + '}';
}

function podSa(p: PodTemplate): string {
  // an empty name is no name: the pod runs as the namespace's "default" account
  return p.spec?.serviceAccountName || p.spec?.serviceAccount || 'default';
}

/**
 * Service accounts Istio creates and runs for the Gateway API Gateways of class `istio` of the output
 * (`<ns>/<name>-istio`, Istio's gateway deployment controller): a RoleBinding for one (the egress gateway
 * reading client credentials) binds an account that exists and is used once the Gateway is applied.
 */
function generatedGatewayAccounts(idx: Index): Set<string> {
  return new Set(idx.all('Gateway').filter((g) => g.group === 'gateway.networking.k8s.io' && g.raw?.spec?.gatewayClassName === 'istio')
    .map((g) => `${g.namespace ?? 'default'}/${g.name}-istio`));
}

function checkRbac(idx: Index, pods: PodTemplate[], rep: Reporter) {
  const usedReported = new Set<string>();
  const generated = generatedGatewayAccounts(idx);
  for (const rb of [...idx.all('RoleBinding'), ...idx.all('ClusterRoleBinding')]) {
    if (rb.group !== 'rbac.authorization.k8s.io') continue;
    const ref = rb.raw?.roleRef;
    if (ref?.kind === 'Role' && rb.kind === 'RoleBinding') {
      if (!idx.find('Role', rb.namespace, ref.name)) {
        rep.add(rb, ROLEBINDING_ROLE, 'roleRef.name', `could not check that Role "${ref.name}" exists: it is not in the output (namespace "${rb.namespace}"); the binding grants nothing until it exists`, `Add the Role "${ref.name}" in namespace "${rb.namespace}", or fix roleRef.name.`);
      }
    } else if (ref?.kind === 'ClusterRole' && idx.all('ClusterRole').length && !idx.find('ClusterRole', undefined, ref.name) && !/^(system:|cluster-admin$|admin$|edit$|view$)/.test(ref.name)) {
      rep.add(rb, ROLEBINDING_ROLE, 'roleRef.name', `could not check that ClusterRole "${ref.name}" exists: it is not in the output (which has other ClusterRoles), so it must be installed out of band`, 'Nothing to do if the ClusterRole is installed out of band; otherwise add it or fix roleRef.name.', 'note');
    }
    (Array.isArray(rb.raw?.subjects) ? rb.raw.subjects : []).forEach((s: any, i: number) => {
      if (s?.kind !== 'ServiceAccount' || typeof s.name !== 'string') return;
      const ns = s.namespace ?? rb.namespace ?? 'default';
      if (generated.has(`${ns}/${s.name}`)) return;
      const sa = idx.find('ServiceAccount', ns, s.name);
      if (!sa && s.name !== 'default' && forRemoteClient(rb)) {
        rep.add(rb, ROLEBINDING_SUBJECT, `subjects[${i}]`, `${ELSEWHERE} that its ServiceAccount ${ns}/${s.name} exists`, `Make sure ServiceAccount "${s.name}" exists in namespace "${ns}".`, 'note');
      } else if (!sa && s.name !== 'default') {
        rep.add(rb, ROLEBINDING_SUBJECT, `subjects[${i}]`, `could not check that ServiceAccount ${ns}/${s.name} exists: it is not in the output`, `Add ServiceAccount "${s.name}" in namespace "${ns}", or fix the subject.`);
      }
      const key = `${ns}/${s.name}`;
      if (!usedReported.has(key) && !pods.some(p => p.namespace === ns && podSa(p) === s.name)) {
        usedReported.add(key);
        if (forRemoteClient(rb)) {
          rep.add(rb, SERVICEACCOUNT_USED, `subjects[${i}]`, `${ELSEWHERE} that its pods run as ServiceAccount ${key}, which ${rb.kind} ${rb.name} binds`,
            `Make sure the client's pods set serviceAccountName: ${s.name}.`, 'note');
          return;
        }
        rep.add(sa ?? rb, SERVICEACCOUNT_USED, sa ? 'metadata.name' : `subjects[${i}]`,
          `could not check who uses ServiceAccount ${key}: it is bound by ${rb.kind} ${rb.name} but no pod template of the output runs as it (pods deployed elsewhere, or a token used outside the cluster)`,
          `Set serviceAccountName: ${s.name} on the client Deployment, or downgrade with annotation validation.cdk8s-istio-egress.io/warn: "wiring/serviceaccount-used" if the pods are deployed elsewhere.`);
      }
    });
  }
}

function checkPodRefs(idx: Index, pods: PodTemplate[], rep: Reporter) {
  for (const p of pods) {
    const sa = podSa(p);
    if (sa !== 'default' && !idx.find('ServiceAccount', p.namespace, sa)) {
      rep.add(p.owner, SERVICEACCOUNT_EXISTS, `${p.base}.serviceAccountName`, `could not check that ServiceAccount ${p.namespace}/${sa} exists: it is not in the output; pods cannot be created until it exists`, `Add a ServiceAccount "${sa}" in namespace "${p.namespace}".`);
    }
    const vols: any[] = Array.isArray(p.spec?.volumes) ? p.spec.volumes : [];
    vols.forEach((v, i) => {
      const f = `${p.base}.volumes[${i}]`;
      if (v?.configMap) checkCmRef(idx, p, rep, v.configMap.name, v.configMap.optional, `${f}.configMap`, v.configMap.items);
      if (v?.secret) checkSecretRef(idx, p, rep, v.secret.secretName, v.secret.optional, `${f}.secret`, v.secret.items);
      (v?.projected?.sources ?? []).forEach((src: any, j: number) => {
        if (src?.configMap) checkCmRef(idx, p, rep, src.configMap.name, src.configMap.optional, `${f}.projected.sources[${j}].configMap`, src.configMap.items);
        if (src?.secret) checkSecretRef(idx, p, rep, src.secret.name, src.secret.optional, `${f}.projected.sources[${j}].secret`, src.secret.items);
      });
    });
    for (const { c, field } of allContainers(p.spec)) {
      (c?.envFrom ?? []).forEach((e: any, i: number) => {
        if (e?.configMapRef) checkCmRef(idx, p, rep, e.configMapRef.name, e.configMapRef.optional, `${p.base}.${field}.envFrom[${i}].configMapRef`);
        if (e?.secretRef) checkSecretRef(idx, p, rep, e.secretRef.name, e.secretRef.optional, `${p.base}.${field}.envFrom[${i}].secretRef`);
      });
      (c?.env ?? []).forEach((e: any, i: number) => {
        const cm = e?.valueFrom?.configMapKeyRef;
        const sk = e?.valueFrom?.secretKeyRef;
        if (cm) checkCmRef(idx, p, rep, cm.name, cm.optional, `${p.base}.${field}.env[${i}].valueFrom.configMapKeyRef`, [{ key: cm.key }]);
        if (sk) checkSecretRef(idx, p, rep, sk.name, sk.optional, `${p.base}.${field}.env[${i}].valueFrom.secretKeyRef`, [{ key: sk.key }]);
      });
    }
  }
}

function checkCmRef(idx: Index, p: PodTemplate, rep: Reporter, name: string, optional: boolean | undefined, field: string, items?: any[]) {
  if (typeof name !== 'string') return;
  const cm = idx.configMap(p.namespace, name);
  if (!cm) {
    if (!optional) rep.add(p.owner, CONFIGMAP_EXISTS, `${field}.name`, `could not check that ConfigMap ${p.namespace}/${name} exists: it is not in the output; the pod will not start until it exists`, `Add the ConfigMap "${name}" in namespace "${p.namespace}" to the chart, or fix the name.`);
    return;
  }
  (items ?? []).forEach((it: any, i: number) => {
    if (it?.key && !cm.keys.has(it.key) && !optional) rep.add(p.owner, CONFIG_KEY, items!.length === 1 && !it.path ? `${field}.key` : `${field}.items[${i}].key`, `ConfigMap ${p.namespace}/${name} has no key "${it.key}" (keys: ${[...cm.keys].join(', ')})`, 'Use an existing key or add it to the ConfigMap.');
  });
}

function checkSecretRef(idx: Index, p: PodTemplate, rep: Reporter, name: string, optional: boolean | undefined, field: string, items?: any[]) {
  if (typeof name !== 'string') return;
  const src = idx.secretSource(p.namespace, name);
  if (!src) {
    if (!optional) rep.add(p.owner, SECRET_EXISTS, `${field}.${field.endsWith('.secret') ? 'secretName' : 'name'}`, `could not check that Secret ${p.namespace}/${name} exists: it is not in the output and no cert-manager Certificate of the output issues it, so it must exist out of band before the pod starts`, `Create it before applying (e.g. kubectl create -n ${p.namespace} secret ...), or add a Certificate with secretName "${name}".`);
    return;
  }
  (items ?? []).forEach((it: any, i: number) => {
    if (it?.key && !src.keys.has(it.key) && !optional) rep.add(p.owner, CONFIG_KEY, items!.length === 1 && !it.path ? `${field}.key` : `${field}.items[${i}].key`, `Secret ${p.namespace}/${name} (${src.kind === 'Certificate' ? `issued by Certificate ${src.obj.name}` : 'in the output'}) has no key "${it.key}" (keys: ${[...src.keys].join(', ')})`, 'Use an existing key.');
  });
}

/**
 * The user-facing ClusterRoles every Kubernetes cluster has (the API server's default RBAC policy), by whether they
 * grant "list" on secrets: cluster-admin (everything), admin and edit (get/list/watch secrets); view does not.
 */
const BUILTIN_CLUSTER_ROLES_LIST_SECRETS = new Map<string, boolean>([['cluster-admin', true], ['admin', true], ['edit', true], ['view', false]]);

function grantsListSecrets(rules: any[]): boolean {
  return (Array.isArray(rules) ? rules : []).some(r =>
    (r?.apiGroups ?? []).some((g: string) => g === '' || g === '*')
    && (r?.resources ?? []).some((x: string) => x === 'secrets' || x === '*')
    && (r?.verbs ?? []).some((v: string) => v === 'list' || v === '*')
    && !(Array.isArray(r?.resourceNames) && r.resourceNames.length));
}

function checkCredentials(objs: Obj[], idx: Index, pods: PodTemplate[], rep: Reporter) {
  for (const o of objs) {
    if (!(o.group === 'networking.istio.io' && o.kind === 'DestinationRule')) continue;
    const spec = o.raw?.spec;
    if (!spec) continue;
    const ns = o.namespace ?? 'default';
    for (const { field, tls } of drTlsSites(spec)) {
      const cred = tls?.credentialName;
      if (typeof cred !== 'string' || !cred) continue;
      const f = `${field}.credentialName`;
      const src = idx.secretSource(ns, cred);
      if (!src) {
        rep.add(o, SECRET_EXISTS, f, `could not check that Secret ${ns}/${cred} named by credentialName exists: it is not in the output and no cert-manager Certificate of the output issues it, so it must exist out of band (keys tls.crt, tls.key and ca.crt) in the namespace of the proxy that reads it`, `Create it before traffic flows, e.g. kubectl create -n ${ns} secret generic ${cred} --from-file=tls.key=client.key --from-file=tls.crt=client.crt --from-file=ca.crt=ca.crt`);
      } else if (tls.mode === 'MUTUAL' || tls.mode === 'SIMPLE') {
        const need = tls.mode === 'MUTUAL' ? ['tls.crt', 'tls.key'] : [];
        for (const k of need) if (!src.keys.has(k)) rep.add(o, CONFIG_KEY, f, `Secret ${ns}/${cred} has no key "${k}" needed for mode ${tls.mode}`, 'Store the client certificate as tls.crt and its key as tls.key (and the CA as ca.crt).');
      }
      const ws = spec.workloadSelector?.matchLabels;
      if (!ws || typeof ws !== 'object') continue;
      const selected = pods.filter(p => p.namespace === ns && selectorMatches({ matchLabels: ws }, p.labels));
      const sas = [...new Set(selected.map(podSa))];
      // the input's RBAC for the namespace: its Roles and RoleBindings there, and the ClusterRoleBindings of its
      // service accounts; without any, RBAC is managed elsewhere (a warning that says so); an error only where the
      // input's own RBAC for the namespace is shown
      const rbacShown = idx.all('RoleBinding').some(rb => rb.namespace === ns) || idx.all('Role').some(r => r.namespace === ns)
        || idx.all('ClusterRoleBinding').some(rb => (Array.isArray(rb.raw?.subjects) ? rb.raw.subjects : []).some((s: any) => s?.kind === 'ServiceAccount' && s.namespace === ns));
      for (const sa of sas) {
        const bound = [...idx.all('RoleBinding').filter(rb => rb.namespace === ns), ...idx.all('ClusterRoleBinding')].filter(rb =>
          (rb.raw?.subjects ?? []).some((s: any) => s?.kind === 'ServiceAccount' && s.name === sa && (s.namespace ?? rb.namespace ?? 'default') === ns));
        const roles = bound.map(rb => {
          const ref = rb.raw?.roleRef;
          const role = ref?.kind === 'Role' ? idx.find('Role', rb.namespace, ref.name) : ref?.kind === 'ClusterRole' ? idx.find('ClusterRole', undefined, ref.name) : undefined;
          const builtin = !role && ref?.kind === 'ClusterRole' ? BUILTIN_CLUSTER_ROLES_LIST_SECRETS.get(ref.name) : undefined;
          return { rb, ref, role, builtin };
        });
        if (roles.some(x => (x.role && grantsListSecrets(x.role.raw?.rules)) || x.builtin === true)) continue;
        const who = `service account ${ns}/${sa} of the selected workload (${selected.filter(p => podSa(p) === sa).map(p => `${p.owner.kind}/${p.owner.name}`).join(', ')})`;
        const fix = `Add a Role in "${ns}" with rules [{apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"]}] and a RoleBinding to ServiceAccount ${ns}/${sa}.`;
        const missing = roles.filter(x => !x.role && x.builtin === undefined && (x.ref?.kind === 'Role' || x.ref?.kind === 'ClusterRole'));
        if (missing.length) {
          rep.add(o, CREDENTIAL_RBAC, f,
            `could not check that ${who} may list secrets in namespace "${ns}": it is bound by ${missing.map(x => `${x.rb.kind} ${x.rb.name} to ${x.ref.kind} ${x.ref.name}`).join(', ')}, which is not in the input; istiod serves credential "${cred}" to its sidecar only if that role grants "list" on secrets`,
            `Nothing to do if ${missing.map(x => `${x.ref.kind} ${x.ref.name}`).join(', ')} grants "list" on secrets; otherwise ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`,
            'warning');
        } else if (!rbacShown) {
          rep.add(o, CREDENTIAL_RBAC, f,
            `could not check that ${who} may list secrets in namespace "${ns}": its RBAC is not in the input (no Role or RoleBinding in that namespace, nor a ClusterRoleBinding of its service accounts), so it is managed elsewhere; istiod serves credential "${cred}" to its sidecar only if a Role bound to it grants "list" on secrets`,
            `Nothing to do if the RBAC applied elsewhere grants it; otherwise ${fix.charAt(0).toLowerCase()}${fix.slice(1)}`,
            'warning');
        } else {
          rep.add(o, CREDENTIAL_RBAC, f,
            `${who} is not bound to a Role granting "list" on secrets in namespace "${ns}"; istiod will not serve credential "${cred}" to its sidecar`,
            fix);
        }
      }
    }
  }
}

function checkPortChain(objs: Obj[], idx: Index, pods: PodTemplate[], rep: Reporter) {
  // the Services that are ServiceEntry hosts: the chain the rule is about
  const seServices = new Set<Obj>();
  for (const se of objs) {
    if (!(se.group === 'networking.istio.io' && se.kind === 'ServiceEntry')) continue;
    const hosts: unknown[] = Array.isArray(se.raw?.spec?.hosts) ? se.raw.spec.hosts : [];
    for (const h of hosts) {
      if (typeof h !== 'string') continue;
      const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(h);
      if (!m) continue;
      const svc = idx.all('Service').find(s => s.apiVersion === 'v1' && s.name === m[1] && s.namespace === m[2]);
      if (!svc) continue;
      seServices.add(svc);
      const sPorts: any[] = Array.isArray(svc.raw?.spec?.ports) ? svc.raw.spec.ports : [];
      (Array.isArray(se.raw.spec.ports) ? se.raw.spec.ports : []).forEach((p: any, i: number) => {
        if (typeof p?.number !== 'number') return;
        const tp = typeof p.targetPort === 'number' ? p.targetPort : p.number;
        const sp = sPorts.find(x => x?.port === tp);
        if (!sp) {
          rep.add(se, PORT_CHAIN, `spec.ports[${i}].${typeof p.targetPort === 'number' ? 'targetPort' : 'number'}`,
            `traffic for ${h}:${p.number} goes to port ${tp}, but Service ${svc.namespace}/${svc.name} has no port ${tp} (ports: ${sPorts.map(x => x?.port).join(', ')})`,
            `Set targetPort to one of the Service ports (${sPorts.map(x => x?.port).join(', ')}).`);
        }
      });
    }
  }
  // Service port -> containerPort
  for (const svc of idx.all('Service')) {
    if (svc.apiVersion !== 'v1') continue;
    const sel = svc.raw?.spec?.selector;
    if (!sel || typeof sel !== 'object' || !Object.keys(sel).length) continue;
    const backing = pods.filter(p => p.namespace === svc.namespace && selectorMatches({ matchLabels: sel }, p.labels));
    if (!backing.length) continue;
    const cports = backing.flatMap(p => allContainers(p.spec).filter(x => x.field.startsWith('containers')).flatMap(x => (x.c?.ports ?? []) as any[]));
    (Array.isArray(svc.raw.spec.ports) ? svc.raw.spec.ports : []).forEach((sp: any, i: number) => {
      const tp = sp?.targetPort ?? sp?.port;
      if (typeof tp === 'string') {
        if (!cports.some(c => c?.name === tp)) rep.add(svc, PORT_CHAIN, `spec.ports[${i}].targetPort`, `named targetPort "${tp}" is not a containerPort name of ${backing.map(b => `${b.owner.kind}/${b.owner.name}`).join(', ')}`, 'Name the container port accordingly or use its number.');
      } else if (typeof tp === 'number' && cports.length && seServices.has(svc) && !cports.some(c => c?.containerPort === tp)) {
        // containerPorts are informational: the container may listen on a port it does not declare
        const declared = [...new Set(cports.map(c => c?.containerPort))].join(', ');
        rep.add(svc, PORT_CHAIN, `spec.ports[${i}].${sp.targetPort !== undefined ? 'targetPort' : 'port'}`,
          `could not check that the pods listen on ${tp}: Service port ${sp.port} forwards to ${tp}, which the selected pods do not declare (containerPorts ${declared} of ${backing.map(b => `${b.owner.kind}/${b.owner.name}`).join(', ')}); containerPorts are informational, so the container may still listen on it`,
          `Nothing to do if the container listens on ${tp}; otherwise set targetPort to the port it listens on (${declared}).`, 'note');
      }
    });
  }
}

interface Mount { mountPath: string; subPath?: string; volume: any; readOnly: boolean; field: string }

function containerMounts(p: PodTemplate, c: any, cfield: string): Mount[] {
  const vols: any[] = Array.isArray(p.spec?.volumes) ? p.spec.volumes : [];
  return (Array.isArray(c?.volumeMounts) ? c.volumeMounts : []).map((m: any, i: number) => ({
    mountPath: String(m?.mountPath ?? '').replace(/\/+$/, '') || '/',
    subPath: m?.subPath,
    volume: vols.find(v => v?.name === m?.name),
    readOnly: !!m?.readOnly,
    field: `${p.base}.${cfield}.volumeMounts[${i}]`,
  }));
}

function mountFor(mounts: Mount[], file: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    if (file === m.mountPath || file.startsWith(m.mountPath === '/' ? '/' : m.mountPath + '/')) {
      if (!best || m.mountPath.length > best.mountPath.length) best = m;
    }
  }
  return best;
}

/** Key (within the ConfigMap/Secret) a file path under a mount refers to, or undefined when not a single key. */
function keyFor(m: Mount, file: string, items?: any[]): string | undefined {
  if (m.subPath) return file === m.mountPath ? m.subPath : undefined;
  const rel = file.slice(m.mountPath.length + 1);
  if (Array.isArray(items) && items.length) return items.find(it => it?.path === rel)?.key;
  return rel.includes('/') ? undefined : rel;
}

function checkNginx(idx: Index, pods: PodTemplate[], rep: Reporter) {
  for (const cm of idx.all('ConfigMap')) {
    if (cm.apiVersion !== 'v1') continue;
    for (const [key, text] of Object.entries<any>(cm.raw?.data ?? {})) {
      if (!looksLikeNginxConf(key, text)) continue;
      const refs = nginxFileRefs(text);
      if (!refs.length) continue;
      const field = childPath('data', key);
      for (const p of pods) {
        if (p.namespace !== cm.namespace) continue;
        const vols: any[] = Array.isArray(p.spec?.volumes) ? p.spec.volumes : [];
        const cmVols = new Set(vols.filter(v => v?.configMap?.name === cm.name || (v?.projected?.sources ?? []).some((s: any) => s?.configMap?.name === cm.name)).map(v => v.name));
        if (!cmVols.size) continue;
        for (const { c, field: cfield } of allContainers(p.spec)) {
          const mounts = containerMounts(p, c, cfield);
          if (!mounts.some(m => cmVols.has(m.volume?.name))) continue;
          for (const ref of refs) {
            if (/[*?[]/.test(ref.path)) continue; // include globs may match nothing
            const m = mountFor(mounts, ref.path);
            const where = `${p.owner.kind}/${p.owner.name} container "${c?.name}"`;
            if (!m) {
              rep.add(cm, NGINX_PATHS, field, `line ${ref.line}: ${ref.directive} ${ref.path} is not under any volumeMount of ${where} (mounts: ${mounts.map(x => x.mountPath).join(', ') || 'none'})`,
                `Mount the Secret/ConfigMap holding this file at ${ref.path.slice(0, ref.path.lastIndexOf('/')) || '/'} in ${where}, or change the path in ${key}.`);
              continue;
            }
            const v = m.volume;
            let src: { keys: Set<string>; label: string } | undefined;
            let items: any[] | undefined;
            if (v?.secret) {
              const s = idx.secretSource(p.namespace, v.secret.secretName);
              if (s) src = { keys: s.keys, label: `Secret ${p.namespace}/${v.secret.secretName}${s.kind === 'Certificate' ? ` (issued by Certificate ${s.obj.name})` : ''}` };
              items = v.secret.items;
            } else if (v?.configMap) {
              const s = idx.configMap(p.namespace, v.configMap.name);
              if (s) src = { keys: s.keys, label: `ConfigMap ${p.namespace}/${v.configMap.name}` };
              items = v.configMap.items;
            } else {
              continue; // emptyDir, projected, hostPath...: cannot verify content
            }
            const k = keyFor(m, ref.path, items);
            if (k === undefined) {
              rep.add(cm, NGINX_PATHS, field, `line ${ref.line}: ${ref.directive} ${ref.path} is under mount ${m.mountPath} of ${where}, but no key of the mounted volume "${v?.name}" maps to that file`, 'Fix the path or the volume items.');
            } else if (src && !src.keys.has(k)) {
              rep.add(cm, NGINX_PATHS, field, `line ${ref.line}: ${ref.directive} ${ref.path} would not exist: ${src.label} mounted at ${m.mountPath} in ${where} has no key "${k}" (keys: ${[...src.keys].join(', ')})`,
                `Use one of the keys in the path, or add "${k}" to the ${src.label.split(' ')[0]}.`);
            }
          }
        }
      }
    }
  }
}

/* Image table (documented in the details of IMAGE_USER and IMAGE_TAG, docs/rules.md):
 *  - official nginx images (nginx, library/nginx, docker.io/[library/]nginx; not nginxinc/nginx-unprivileged)
 *    start as root (uid 0): runAsNonRoot: true without a non-zero runAsUser is refused by the kubelet;
 *    with readOnlyRootFilesystem: true, /var/cache/nginx and /var/run must be writable mounts.
 *  - curlimages/curl runs as the non-numeric user "curl_user": runAsNonRoot: true needs a numeric runAsUser.
 *  - every image: tag "latest" or no tag (and no digest) is a warning; a reference outside the OCI grammar
 *    (image-ref.ts: `nginx:1.a;b`) is an error, never a pinned image. */
const NGINX_REPOS = new Set(['nginx', 'library/nginx', 'docker.io/nginx', 'docker.io/library/nginx', 'index.docker.io/library/nginx', 'mirror.gcr.io/library/nginx']);
const CURL_REPOS = new Set(['curlimages/curl', 'docker.io/curlimages/curl']);

export function parseImage(image: string): { repo: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) { digest = rest.slice(at + 1); rest = rest.slice(0, at); }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  return { repo: rest, tag, digest };
}

function checkImages(pods: PodTemplate[], rep: Reporter) {
  for (const p of pods) {
    const psc = p.spec?.securityContext ?? {};
    for (const { c, field } of allContainers(p.spec)) {
      if (typeof c?.image !== 'string') continue;
      const f = `${p.base}.${field}`;
      const parsed = parseImageReference(c.image);
      if (!parsed.valid) {
        rep.add(p.owner, IMAGE_REFERENCE, `${f}.image`, `image "${c.image}" is not a valid image reference (${parsed.reason}): the kubelet cannot pull it (InvalidImageName)`, 'Write the image as [registry/]name[:tag][@sha256:digest], e.g. nginx:1.28.0.');
        continue;
      }
      const img = parseImage(c.image);
      if (!img.digest && (!img.tag || img.tag === 'latest')) {
        rep.add(p.owner, IMAGE_TAG, `${f}.image`, `image "${c.image}" is not pinned (${img.tag ? 'tag latest' : 'no tag'})`, `Pin a version tag or digest, e.g. ${img.repo}:<version>.`);
      }
      const csc = c.securityContext ?? {};
      const runAsNonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
      const runAsUser = csc.runAsUser ?? psc.runAsUser;
      const nonRootField = csc.runAsNonRoot !== undefined ? `${f}.securityContext.runAsNonRoot` : `${p.base}.securityContext.runAsNonRoot`;
      if (NGINX_REPOS.has(img.repo)) {
        if (runAsNonRoot === true && (runAsUser === undefined || runAsUser === 0)) {
          rep.add(p.owner, IMAGE_USER, nonRootField, `image ${c.image} runs as root (uid 0): with runAsNonRoot: true and no non-zero runAsUser the kubelet refuses to start container "${c.name}" (CreateContainerConfigError)`,
            'Drop runAsNonRoot, or use nginxinc/nginx-unprivileged (uid 101, listens on 8080) with runAsUser: 101.');
        }
        if ((csc.readOnlyRootFilesystem ?? false) === true) {
          const mounts = containerMounts(p, c, field);
          for (const dir of ['/var/cache/nginx', '/var/run']) {
            const m = mountFor(mounts, dir);
            const writable = m && !m.readOnly && m.volume && !m.volume.configMap && !m.volume.secret && !m.volume.projected && !m.volume.downwardAPI;
            if (!writable) rep.add(p.owner, IMAGE_USER, `${f}.securityContext.readOnlyRootFilesystem`, `image ${c.image} writes to ${dir} at start-up; with readOnlyRootFilesystem: true container "${c.name}" needs a writable mount there`, `Mount an emptyDir at ${dir}.`);
          }
        }
      } else if (CURL_REPOS.has(img.repo)) {
        if (runAsNonRoot === true && typeof runAsUser !== 'number') {
          rep.add(p.owner, IMAGE_USER, nonRootField, `image ${c.image} runs as the non-numeric user "curl_user": with runAsNonRoot: true the kubelet cannot verify it is non-root and refuses to start container "${c.name}"`,
            'Set runAsUser: 100 (curl_user) and runAsGroup: 101 together with runAsNonRoot: true.');
        }
      }
    }
  }
}
