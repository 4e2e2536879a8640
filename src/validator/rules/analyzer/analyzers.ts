/**
 * Offline equivalents of the istioctl analyzers (Istio 1.30.3 pkg/config/analysis) for what a set of manifests can
 * prove across objects: referenced Gateways, hosts, ports and subsets exist, VirtualService hosts are served by
 * their Gateways, Gateways and Sidecars do not conflict. Messages start with Istio's message text and IST code.
 * Where the target may live outside the output (a Gateway or Service installed by Istio), the finding is a warning
 * that says so. The wiring pitfalls (../wiring/pitfalls.ts) use the same index and run right after these.
 */
import type { Obj, Reporter } from '../../context';
import { fmtLabels, fqdn, gatewayKey, hostMatches, isClusterLocal, MESH, MeshIndex, visibleFrom } from '../../mesh-index';
import { selectorMatches, type PodTemplate } from '../../pods';
import { defineRule } from '../rule';
import { selectorString } from './names';
import { checkAuthorizationPolicies } from './authorization-policies';
import { checkConflictingMeshGatewayHosts } from './conflicting-mesh-gateway-hosts';
import { checkConflictingServiceEntries } from './conflicting-service-entries';
import { checkEnvoyFilterPatches } from './envoy-filter-patches';
import { checkJwtClaimRoutes } from './jwt-claim-route';
import { checkTelemetryDefaultSelectors } from './telemetry-default-selector';
import { checkTelemetrySelectors } from './telemetry-selector';
import { checkAnnotations } from './annotations';
import { checkApplicationUid } from './application-uid';
import { checkDeploymentServices } from './deployment-services';
import { checkDeprecatedFields } from './deprecated-fields';
import { checkServicePortNames } from './service-port-name';
import { X509Certificate } from 'node:crypto';

export const GATEWAY_NOT_FOUND = defineRule({
  id: 'analyzer/gateway-not-found',
  family: 'analyzer',
  severity: 'error',
  description: 'A VirtualService names a Gateway that is not in the output.',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (gateway)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced gateway not found": a VirtualService spec.gateways entry names no Gateway of the output ("mesh" is implicit). An error where the input has Gateways in the namespace the reference points to (the whole picture, as Istio\'s analyzer sees the cluster); a warning (could not check) when the Gateway would live in the VirtualService\'s own namespace and the input has no Gateway there (applied from another file, as Istio\'s tasks do); a note when it would live in another namespace without Gateways in the input (installed out of band).',
});

export const MATCH_GATEWAY_NOT_BOUND = defineRule({
  id: 'analyzer/match-gateway-not-bound',
  family: 'analyzer',
  severity: 'error',
  description: 'A match.gateways entry is not in the VirtualService\'s spec.gateways: the route never matches.',
  source: 'this project (kiali/kiali#2932; istioctl analyze does not check it)',
  details: 'A match.gateways entry of a VirtualService route is not in its spec.gateways (default [mesh]): the route never matches (kiali/kiali#2932; istioctl analyze does not check it).',
});

export const HOST_NOT_IN_GATEWAY = defineRule({
  id: 'analyzer/host-not-in-gateway',
  family: 'analyzer',
  severity: 'error',
  description: 'No host of the VirtualService is served by the Gateway it binds to.',
  source: 'Istio analyzer IST0132 VirtualServiceHostNotFoundInGateway (a warning there)',
  details: 'IST0132 VirtualServiceHostNotFoundInGateway "one or more host [...] defined in VirtualService ... not found in Gateway ...": no host of the VirtualService is served by a server of a Gateway of the output it binds to (Istio: warning; here an error, the binding has no effect). For a Gateway that is not in the input, Istio reports IST0132 beside IST0101; here a note (could not check the hosts it serves) beside analyzer/gateway-not-found.',
});

export const CONFLICTING_GATEWAYS = defineRule({
  id: 'analyzer/conflicting-gateways',
  family: 'analyzer',
  severity: 'error',
  description: 'Two Gateways with the same selector serve the same port and overlapping hosts.',
  source: 'Istio analyzer IST0145 ConflictingGateways',
  details: 'IST0145 ConflictingGateways "Conflict with gateways ... (workload selector ..., port ..., hosts ...)": two Gateways with the same selector serve the same port and overlapping hosts.',
});

export const GATEWAY_SELECTOR = defineRule({
  id: 'analyzer/gateway-selector',
  family: 'analyzer',
  severity: 'note',
  description: 'Could not check: a Gateway selector selects no pod template of the output (the gateway is installed out of band).',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (selector)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced selector not found", as a note (could not check): a Gateway selector selects no pod template of the output; the gateway must be installed out of band (istioctl / Helm chart labels istio: egressgateway).',
});

export const SIDECAR_SELECTOR_CONFLICT = defineRule({
  id: 'analyzer/sidecar-selector-conflict',
  family: 'analyzer',
  severity: 'error',
  description: 'Two Sidecars in a namespace select the same workload.',
  source: 'Istio analyzer IST0110 ConflictingSidecarWorkloadSelectors',
  details: 'IST0110 ConflictingSidecarWorkloadSelectors: two Sidecars in a namespace select the same workload (a pod template of the output, or identical selectors).',
});

export const SIDECAR_MULTIPLE_DEFAULT = defineRule({
  id: 'analyzer/sidecar-multiple-default',
  family: 'analyzer',
  severity: 'error',
  description: 'More than one Sidecar without workloadSelector in a namespace.',
  source: 'Istio analyzer IST0111 MultipleSidecarsWithoutWorkloadSelectors',
  details: 'IST0111 MultipleSidecarsWithoutWorkloadSelectors: more than one Sidecar without workloadSelector in a namespace.',
});

export const DESTINATION_HOST = defineRule({
  id: 'analyzer/destination-host',
  family: 'analyzer',
  severity: 'error',
  description: 'A route destination host is neither a visible ServiceEntry host nor a Service of the output.',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (host)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced host not found": a route destination host is neither a ServiceEntry host visible from the VirtualService nor a Service of the output. An error where the input has ServiceEntries and none visible from the VirtualService defines the host (or a Service of the input hides itself with its networking.istio.io/exportTo annotation); a warning (could not check) for an external host when the input has no ServiceEntry at all (applied from another file, as Istio\'s egress tasks do); a note for cluster-local hosts (*.svc.cluster.local, short names), whose Service may be installed out of band.',
});

export const DESTINATION_PORT_REQUIRED = defineRule({
  id: 'analyzer/destination-port-required',
  family: 'analyzer',
  severity: 'error',
  description: 'A route destination without port to a host that exposes several ports.',
  source: 'Istio analyzer IST0112 VirtualServiceDestinationPortSelectorRequired',
  details: 'IST0112 VirtualServiceDestinationPortSelectorRequired: a route destination without port to a ServiceEntry or Service of the output that exposes several ports.',
});

export const DESTINATION_PORT = defineRule({
  id: 'analyzer/destination-port',
  family: 'analyzer',
  severity: 'error',
  description: 'A route destination port is not a port of the ServiceEntry (or Service) of its host.',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (host:port)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced host:port not found": a route destination port is not a port of the ServiceEntry (or Service) of the output for that host.',
});

export const DESTINATION_SUBSET = defineRule({
  id: 'analyzer/destination-subset',
  family: 'analyzer',
  severity: 'error',
  description: 'No DestinationRule of the output defines the subset a route uses (503 NC cluster_not_found).',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (host+subset)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced host+subset in destinationrule not found": no DestinationRule of the output defines the subset a route uses (503 NC cluster_not_found). An error where the input has DestinationRules for the host and none defines the subset; a warning (could not check) when the input has no DestinationRule for the host (applied from another file: Istio\'s bookinfo applies destination-rule-all.yaml apart from its VirtualServices).',
});

export const SUBSET_SELECTS_NO_PODS = defineRule({
  id: 'analyzer/subset-selects-no-pods',
  family: 'analyzer',
  severity: 'error',
  description: 'The labels of a DestinationRule subset select no pod or endpoint behind its host (503 UH).',
  source: 'Istio analyzer IST0173 DestinationRuleSubsetNotSelectPods',
  details: 'IST0173 DestinationRuleSubsetNotSelectPods: the labels of a DestinationRule subset select no pod template behind the Service (or no endpoint of the ServiceEntry) of the output for its host (503 UH). An error for ServiceEntry endpoints (all in the input); a warning (could not check) for a Service\'s pods: Istio\'s analyzer sees every pod of the cluster, the input only some, and the pods of a version are often deployed by another file (Istio\'s bookinfo subsets v2/v3); a note when no pod template of the output is behind the Service at all. Labels of the node topology keys (topology.kubernetes.io/region, zone, topology.istio.io/subzone) are not checked, since Istio matches them against the nodes.',
});

export const UNKNOWN_DR_HOST = defineRule({
  id: 'analyzer/unknown-dr-host',
  family: 'analyzer',
  severity: 'warning',
  description: 'An external DestinationRule host matches no ServiceEntry of the output.',
  source: 'Istio analyzer IST0174 UnknownDestinationRuleHost',
  details: 'IST0174 UnknownDestinationRuleHost: an external DestinationRule host matches no ServiceEntry of the output, so the rule applies to nothing unless one exists out of band. A note (could not check) for cluster-local hosts, whose Service may be installed out of band.',
});

export const SE_ADDRESS_COLLISION = defineRule({
  id: 'analyzer/se-address-collision',
  family: 'analyzer',
  severity: 'warning',
  description: 'ServiceEntries for different hosts share a TCP port without addresses: only one gets the traffic.',
  source: 'Istio analyzer IST0134 ServiceEntryAddressesRequired (across objects)',
  details: 'IST0134 ServiceEntryAddressesRequired, across objects: ServiceEntries for different hosts share a TCP (or unset-protocol) port without spec.addresses; they share one 0.0.0.0:<port> listener and only one of them gets the traffic unless DNS auto-allocation is on.',
});

export const GATEWAY_PORT_NOT_ON_SERVICE = defineRule({
  id: 'analyzer/gateway-port-not-on-service',
  family: 'analyzer',
  severity: 'warning',
  description: 'A Gateway server port is not a port (or target port) of the Service of the gateway pods.',
  source: 'Istio analyzer IST0162 GatewayPortNotDefinedOnService',
  details: 'IST0162 GatewayPortNotDefinedOnService (Istio: warning): a server port of a Gateway whose pods are in the output is neither a TCP port nor a target port of a Service of the output selecting those pods, so it is not reachable through the gateway Service. A note (could not check) when no Service of the output selects the gateway pods.',
});

export const GATEWAY_DUPLICATE_CERTIFICATE = defineRule({
  id: 'analyzer/gateway-duplicate-certificate',
  family: 'analyzer',
  severity: 'warning',
  description: 'Two Gateways on the same workloads serve the same certificate (HTTP/2 connection reuse can give 404s).',
  source: 'Istio analyzer IST0138 GatewayDuplicateCertificate',
  details: 'IST0138 GatewayDuplicateCertificate (Istio: warning): a TLS server of a Gateway and a TLS server of another Gateway whose selector contains all its labels use the same credentialName (or the same serverCertificate and privateKey); a client reusing an HTTP/2 connection for the other host gets 404.',
});

export const INVALID_GATEWAY_CREDENTIAL = defineRule({
  id: 'analyzer/invalid-gateway-credential',
  family: 'analyzer',
  severity: 'error',
  description: 'The Secret a Gateway credentialName names holds no valid certificate and key (TLS handshakes fail).',
  source: 'Istio analyzer IST0161 InvalidGatewayCredential',
  details: 'IST0161 InvalidGatewayCredential: the Secret of the output named by a Gateway server credentialName, in the namespace of the gateway pods of the output, has no certificate/key pair (tls.crt and tls.key, or cert and key), or its certificate is not PEM, expired or not yet valid.',
});

export const SIDECAR_SELECTOR = defineRule({
  id: 'analyzer/sidecar-selector',
  family: 'analyzer',
  severity: 'note',
  description: 'Could not check: a Sidecar workloadSelector selects no pod template of the output in its namespace.',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (Sidecar selector)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced selector not found", as a note (could not check): the workloadSelector of a Sidecar selects no pod template of the output in its namespace; the workload may be deployed out of band, else the Sidecar applies to nothing.',
});

export const SIDECAR_INEFFECTIVE = defineRule({
  id: 'analyzer/sidecar-ineffective',
  family: 'analyzer',
  severity: 'warning',
  description: 'A Sidecar applies to ambient workloads (or an ambient namespace): it has no effect.',
  source: 'Istio analyzer IST0167 IneffectivePolicy (Sidecar)',
  details: 'IST0167 IneffectivePolicy (Istio: warning): a namespace-wide Sidecar in a Namespace of the output labelled istio.io/dataplane-mode=ambient (and not istio-injection=enabled or istio.io/rev), or a Sidecar whose workloadSelector selects only pods in ambient mode (annotated ambient.istio.io/redirection: enabled, or in such a namespace without opting out), has no impact: ambient workloads have no sidecar.',
});

export const SE_ADDRESSES_REQUIRED = defineRule({
  id: 'analyzer/se-addresses-required',
  family: 'analyzer',
  severity: 'note',
  description: 'Could not check: a ServiceEntry TCP port without addresses works only with DNS auto-allocation (mesh config).',
  source: 'Istio analyzer IST0134 ServiceEntryAddressesRequired',
  details: 'IST0134 ServiceEntryAddressesRequired (Istio: warning unless the mesh config enables ISTIO_META_DNS_CAPTURE with ISTIO_META_DNS_AUTO_ALLOCATE or PILOT_ENABLE_IP_AUTOALLOCATE): a ServiceEntry without spec.addresses has a port of protocol TCP or unset. As a note, since the mesh config is not in the input; analyzer/se-address-collision is the warning when another ServiceEntry of the output shares the port.',
});

export const INEFFECTIVE_SELECTOR = defineRule({
  id: 'analyzer/ineffective-selector',
  family: 'analyzer',
  severity: 'warning',
  description: 'A policy selects Gateway API gateway pods with selector: it has no effect on them (use targetRefs).',
  source: 'Istio analyzer IST0166 IneffectiveSelector',
  details: 'IST0166 IneffectiveSelector (Istio: warning): an AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin without targetRef(s) whose selector matches a pod of the output labelled gateway.networking.k8s.io/gateway-name, or whose selector itself names that label: Istio ignores selectors for Gateway API gateways; attach the policy with targetRefs instead.',
});

export const GATEWAY_CREDENTIAL_NOT_FOUND = defineRule({
  id: 'analyzer/gateway-credential-not-found',
  family: 'analyzer',
  severity: 'note',
  description: 'Could not check: the Secret a Gateway credentialName names is not in the output (namespace of the gateway pods).',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (credentialName)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced credentialName not found", as a note (could not check; an error in istioctl analyze, which sees the cluster): a Gateway server credentialName names a Secret that is neither in the output nor issued by a cert-manager Certificate of the output, in the namespace of the gateway pods of the output.',
});

export const INGRESS_ROUTE_RULES_NOT_AFFECTED = defineRule({
  id: 'analyzer/ingress-route-rules-not-affected',
  family: 'analyzer',
  severity: 'warning',
  description: 'A gateway route to a host without subset skips the subsets another VirtualService of that host routes to.',
  source: 'Istio analyzer IST0140 IngressRouteRulesNotAffected',
  details: 'IST0140 IngressRouteRulesNotAffected (Istio: warning): a VirtualService bound to a Gateway routes HTTP to a host without subset, while another VirtualService whose hosts include that host routes it to subsets; VirtualServices do not chain, so the gateway requests ignore those subset rules.',
});

export const INTERNAL_GATEWAY_REF = defineRule({
  id: 'analyzer/internal-gateway-ref',
  family: 'analyzer',
  severity: 'warning',
  description: 'A VirtualService binds to an internal gateway name Istio generates (a name with "~"), not to a Gateway.',
  source: 'Istio analyzer IST0165 ReferencedInternalGateway',
  details: 'IST0165 ReferencedInternalGateway (Istio: warning): a spec.gateways entry of a VirtualService is an internal name that Istio generates for a Kubernetes Ingress or Gateway API Gateway (it contains "~"); such references are not supported and may break.',
});

/** Runs the analyzers and the pitfall rules over the objects of one validation run. */
export function checkAnalyzers(idx: MeshIndex, rep: Reporter): void {
  checkGatewayRefs(idx, rep);
  checkGateways(idx, rep);
  checkSidecars(idx, rep);
  checkDestinations(idx, rep);
  checkDestinationRules(idx, rep);
  checkServiceEntryAddresses(idx, rep);
  checkConflictingServiceEntries(idx, rep);
  checkIneffectiveSelectors(idx, rep);
  checkIngressSubsets(idx, rep);
  checkConflictingMeshGatewayHosts(idx, rep);
  checkEnvoyFilterPatches(idx, rep);
  checkJwtClaimRoutes(idx, rep);
  checkTelemetrySelectors(idx, rep);
  checkTelemetryDefaultSelectors(idx, rep);
  checkAuthorizationPolicies(idx, rep);
  checkServicePortNames(idx, rep);
  checkDeploymentServices(idx, rep);
  checkApplicationUid(idx, rep);
  checkAnnotations(idx, rep);
  checkDeprecatedFields(idx, rep);
}

// --- VirtualService gateways (virtualservice/gateways.go) -------------------------------------------------------

function checkGatewayRefs(idx: MeshIndex, rep: Reporter) {
  const nsWithGateways = new Set(idx.gateways.map(g => g.namespace));
  for (const vs of idx.virtualServices) {
    const spec = vs.raw?.spec;
    if (!spec || typeof spec !== 'object') continue;
    const ns = vs.namespace ?? 'default';
    const specGws: unknown[] = Array.isArray(spec.gateways) ? spec.gateways : [];
    const bound = new Set(specGws.length ? specGws.filter((g): g is string => typeof g === 'string').map(g => gatewayKey(g, ns)) : [MESH]);
    const hosts: string[] = (Array.isArray(spec.hosts) ? spec.hosts : []).filter((h: unknown): h is string => typeof h === 'string');
    const notFound = (ref: string, field: string) => {
      const key = gatewayKey(ref, ns);
      const gwNs = key.slice(0, key.indexOf('/'));
      // an error only where the input holds the Gateways of that namespace (the whole picture, as Istio's analyzer
      // sees the cluster); a warning in the VirtualService's own namespace without Gateways in the input (the
      // Gateway is applied from another file, as Istio's tasks do); a note for another namespace without Gateways
      // in the input (a gateway installed with Istio)
      const shown = nsWithGateways.has(gwNs);
      if (shown) {
        rep.add(vs, GATEWAY_NOT_FOUND, field,
          `IST0101 Referenced gateway not found: "${ref}" (Gateway ${key} is not in the output, which has the Gateways ${idx.gateways.filter(g => (g.namespace ?? 'default') === gwNs).map(g => g.name).join(', ')} in namespace "${gwNs}")`,
          `Add Gateway ${key} to the chart, or fix the name: a short name refers to a Gateway in the VirtualService's namespace "${ns}", "<namespace>/<name>" to another namespace.`);
      } else if (gwNs === ns) {
        rep.add(vs, GATEWAY_NOT_FOUND, field,
          `IST0101 Referenced gateway not found: "${ref}": could not check it, Gateway ${key} is not in the input and the input has no Gateway in namespace "${gwNs}", so it must be applied from another file`,
          `Nothing to do if Gateway ${key} is applied with another file; otherwise add it, or fix the name (a short name refers to a Gateway in the VirtualService's namespace "${ns}", "<namespace>/<name>" to another namespace).`,
          'warning');
      } else {
        rep.add(vs, GATEWAY_NOT_FOUND, field,
          `IST0101 Referenced gateway not found: "${ref}": could not check it, Gateway ${key} is not in the output and namespace "${gwNs}" has no Gateway in the output, so it must be installed out of band`,
          `Make sure Gateway ${key} exists in the cluster before applying, or add it to the chart.`,
          'note');
      }
      // Istio's GatewayAnalyzer also reports IST0132 for a missing Gateway (it has no host): what could not be checked
      rep.add(vs, HOST_NOT_IN_GATEWAY, field,
        `IST0132 one or more host [${hosts.join(' ')}] defined in VirtualService ${ns}/${vs.name} not found in Gateway ${key}: could not check the hosts the Gateway serves, it is not in the input (IST0101 above)`,
        `Make sure Gateway ${key} serves ${hosts.length ? `"${hosts[0]}"` : 'the VirtualService\'s hosts'} in spec.servers[].hosts.`,
        'note');
    };
    specGws.forEach((g, i) => {
      if (typeof g !== 'string' || g === MESH) return;
      if (g.includes('~')) {
        rep.add(vs, INTERNAL_GATEWAY_REF, `spec.gateways[${i}]`,
          `IST0165 Ingress or Gateway ${g} referenced in VirtualService ${ns}/${vs.name} is an internal name generated by Istio (from a Kubernetes Ingress or Gateway API Gateway), not a Gateway resource`,
          'Route with an HTTPRoute attached to the Gateway API Gateway (or an Ingress rule), or bind the VirtualService to an Istio Gateway resource.');
        return;
      }
      const key = gatewayKey(g, ns);
      const gw = idx.gatewayByKey.get(key);
      if (!gw) { notFound(g, `spec.gateways[${i}]`); return; }
      // IST0132: Istio reports it when no host of the VirtualService matches a host of the Gateway's servers
      const gwHosts = gatewayHostsFor(gw, ns);
      if (hosts.length && !hosts.some(h => gwHosts.some(gh => hostMatches(gh, h)))) {
        rep.add(vs, HOST_NOT_IN_GATEWAY, `spec.gateways[${i}]`,
          `IST0132 one or more host [${hosts.join(' ')}] defined in VirtualService ${ns}/${vs.name} not found in Gateway ${key} (its servers serve ${gwHosts.length ? gwHosts.join(', ') : 'no host visible from namespace ' + ns}): the gateway never applies these routes`,
          `Add the host to spec.servers[].hosts of Gateway ${key} (e.g. "${hosts[0]}"), or bind the VirtualService to the Gateway that serves it.`);
      }
    });
    for (const type of ['http', 'tls', 'tcp']) {
      (Array.isArray(spec[type]) ? spec[type] : []).forEach((r: any, i: number) => {
        (Array.isArray(r?.match) ? r.match : []).forEach((m: any, j: number) => {
          (Array.isArray(m?.gateways) ? m.gateways : []).forEach((g: unknown, k: number) => {
            if (typeof g !== 'string') return;
            const field = `spec.${type}[${i}].match[${j}].gateways[${k}]`;
            const key = gatewayKey(g, ns);
            if (!bound.has(key)) {
              rep.add(vs, MATCH_GATEWAY_NOT_BOUND, field,
                `match gateway "${g}" is not in spec.gateways (${[...bound].join(', ')}): Istio builds routes only for the gateways the VirtualService binds to, so this match never applies`,
                `Add "${g}" to spec.gateways${specGws.length ? '' : ' (together with "mesh", which is only implicit while spec.gateways is empty)'}, or fix the name in the match.`);
            }
          });
        });
      });
    }
  }
}

/** Hosts of a Gateway's servers visible to a VirtualService in `vsNs` (sanitizeServerHostNamespace + NamesForNamespace). */
function gatewayHostsFor(gw: Obj, vsNs: string): string[] {
  const out: string[] = [];
  for (const s of Array.isArray(gw.raw?.spec?.servers) ? gw.raw.spec.servers : []) {
    for (const h of Array.isArray(s?.hosts) ? s.hosts : []) {
      if (typeof h !== 'string') continue;
      if (!h.includes('/')) { out.push(h); continue; }
      const [n, name] = h.split('/', 2);
      const hns = n === '.' ? gw.namespace : n;
      if (hns === '*' || hns === vsNs) out.push(name);
    }
  }
  return out;
}

// --- Gateways: selector (gateway/gateway.go) and conflicts (gateway/conflictinggateway.go) ----------------------

function checkGateways(idx: MeshIndex, rep: Reporter) {
  // Istio's ConflictingGatewayAnalyzer: servers keyed by selector~port; a Gateway conflicts with the Gateways of its
  // own selector, or of a selector contained in its own (or containing it) when a pod of the output carries both;
  // a server conflicts when one of its hosts (as written, with the same bind) is a host of another Gateway's server
  // on that port (model.CheckDuplicates). Every Gateway involved is reported, once per server.
  type Hosts = Map<string, string>; // host -> bind
  const byKey = new Map<string, Map<Obj, Hosts>>();
  const sels = new Map<Obj, string>();
  for (const gw of idx.gateways) {
    const spec = gw.raw?.spec;
    if (!spec || typeof spec !== 'object') continue;
    const selStr = selectorString(spec.selector);
    sels.set(gw, selStr);
    if (selStr && !idx.gatewayPods(gw).length) {
      rep.add(gw, GATEWAY_SELECTOR, 'spec.selector',
        `IST0101 Referenced selector not found: "${selStr}": could not check that the gateway runs, no pod template of the output carries these labels, so it must be installed out of band`,
        `Install the gateway with matching labels (istioctl: istio-egressgateway pods are labelled istio=egressgateway; the Helm gateway chart labels istio=<release name without "istio-">), or fix spec.selector.`);
    }
    for (const s of Array.isArray(spec.servers) ? spec.servers : []) {
      const port = s?.port?.number;
      if (typeof port !== 'number') continue;
      const key = `${selStr}~${port}`;
      let m = byKey.get(key);
      if (!m) byKey.set(key, m = new Map());
      const hb: Hosts = m.get(gw) ?? new Map();
      for (const h of Array.isArray(s.hosts) ? s.hosts : []) if (typeof h === 'string') hb.set(h, typeof s.bind === 'string' ? s.bind : '');
      m.set(gw, hb);
    }
  }
  // per key, each host's Gateways (in Gateway order) with its bind: a server looks up its own hosts instead of
  // comparing itself with every other Gateway (1,000 Gateways on one selector and port: 1,000,000 comparisons)
  const byHost = new Map<string, Map<string, Array<readonly [Obj, string]>>>();
  for (const [key, m] of byKey) {
    const hosts = new Map<string, Array<readonly [Obj, string]>>();
    for (const [g, hb] of m) {
      for (const [h, b] of hb) {
        const list = hosts.get(h);
        if (list) list.push([g, b]);
        else hosts.set(h, [[g, b]]);
      }
    }
    byHost.set(key, hosts);
  }
  const position = new Map<Obj, number>(idx.gateways.map((g, i) => [g, i]));
  const keysByPort = new Map<number, string[]>();
  for (const key of byKey.keys()) {
    const port = Number(key.slice(key.lastIndexOf('~') + 1));
    keysByPort.set(port, [...keysByPort.get(port) ?? [], key]);
  }
  const selectorsOverlap = (a: string, b: string) => {
    if (a === b) return true;
    if (!a.includes(b) && !b.includes(a)) return false;
    const parse = (x: string) => Object.fromEntries(x.split(',').filter(Boolean).map(kv => kv.split('=', 2)));
    const sa = parse(a);
    const sb = parse(b);
    return idx.pods.some(p => selectorMatches({ matchLabels: sa }, p.labels) && selectorMatches({ matchLabels: sb }, p.labels));
  };
  for (const gw of idx.gateways) {
    const selStr = sels.get(gw);
    if (selStr === undefined) continue;
    const gwName = `${gw.namespace ?? 'default'}/${gw.name}`;
    (Array.isArray(gw.raw.spec.servers) ? gw.raw.spec.servers : []).forEach((s: any, i: number) => {
      const port = s?.port?.number;
      if (typeof port !== 'number') return;
      const bind = typeof s.bind === 'string' ? s.bind : '';
      const hosts: string[] = (Array.isArray(s.hosts) ? s.hosts : []).filter((h: unknown): h is string => typeof h === 'string');
      const others = new Map<string, Set<string>>();
      for (const key of keysByPort.get(port) ?? []) {
        const ksel = key.slice(0, key.lastIndexOf('~'));
        if (!selectorsOverlap(selStr, ksel)) continue;
        // the hosts of this server each other Gateway of the key serves with the same bind, in this server's order
        const hostsOf = byHost.get(key)!;
        const dups = new Map<Obj, string[]>();
        for (const h of hosts) {
          for (const [other, b] of hostsOf.get(h) ?? []) {
            if (other === gw || b !== bind) continue;
            const dup = dups.get(other);
            if (dup) dup.push(h);
            else dups.set(other, [h]);
          }
        }
        for (const [other, dup] of [...dups].sort(([a], [b]) => position.get(a)! - position.get(b)!)) {
          const name = `${other.namespace ?? 'default'}/${other.name}`;
          const set = others.get(name) ?? new Set<string>();
          dup.forEach(h => set.add(h));
          others.set(name, set);
        }
      }
      if (!others.size) return;
      const names = [...others.keys()].sort();
      const dupHosts = [...new Set(names.flatMap(n => [...others.get(n)!]))];
      rep.add(gw, CONFLICTING_GATEWAYS, `spec.servers[${i}]`,
        `IST0145 Conflict with gateways ${names.join(',')} (workload selector ${selStr || '(none)'}, port ${port}, hosts ${dupHosts.join(',')}): the same gateway workload gets two servers for one port and host, and only one wins`,
        `Merge the servers into one Gateway, or serve distinct hosts / ports (spec.servers[${i}] of ${gwName} and the servers of ${names.join(', ')} on port ${port}).`);
    });
  }
  checkGatewayServicePorts(idx, rep);
  checkDuplicateCertificates(idx, rep);
  checkGatewayCredentials(idx, rep);
}

// --- Gateway ports on the gateway Service (gateway/gateway.go, IST0162) ------------------------------------------

function checkGatewayServicePorts(idx: MeshIndex, rep: Reporter) {
  const servicesByNs = new Map<string, Obj[]>();
  for (const svc of new Set(idx.serviceByHost.values())) servicesByNs.set(svc.namespace ?? 'default', [...servicesByNs.get(svc.namespace ?? 'default') ?? [], svc]);
  for (const gw of idx.gateways) {
    const spec = gw.raw?.spec;
    if (!spec || typeof spec !== 'object') continue;
    const pods = idx.gatewayPods(gw);
    if (!pods.length) continue; // analyzer/gateway-selector says so
    const targetPorts = new Set<number>();
    const svcPorts = new Set<number>();
    const svcs: Obj[] = [];
    for (const p of pods) {
      for (const svc of servicesByNs.get(p.namespace) ?? []) {
        const sel = svc.raw?.spec?.selector;
        if (!sel || typeof sel !== 'object' || !Object.keys(sel).length) continue;
        if (!selectorMatches({ matchLabels: sel }, p.labels)) continue;
        if (!svcs.includes(svc)) svcs.push(svc);
        for (const sp of Array.isArray(svc.raw.spec.ports) ? svc.raw.spec.ports : []) {
          if ((sp?.protocol ?? 'TCP') !== 'TCP' || typeof sp.port !== 'number') continue;
          svcPorts.add(sp.port);
          targetPorts.add(typeof sp.targetPort === 'number' && sp.targetPort !== 0 ? sp.targetPort : sp.port);
        }
      }
    }
    const selStr = selectorString(spec.selector);
    (Array.isArray(spec.servers) ? spec.servers : []).forEach((s: any, i: number) => {
      const port = s?.port?.number;
      if (typeof port !== 'number' || targetPorts.has(port) || svcPorts.has(port)) return;
      const what = pods.map(p => `${p.owner.kind}/${p.owner.name}`).join(', ');
      rep.add(gw, GATEWAY_PORT_NOT_ON_SERVICE, `spec.servers[${i}].port.number`,
        svcs.length
          ? `IST0162 The gateway is listening on a target port (port ${port}) that is not defined in the Service associated with its workload instances (Pod selector ${selStr}). If you need to access the gateway port through the gateway Service, it will not be available. (Services ${svcs.map(x => `${x.namespace}/${x.name}`).join(', ')} of the gateway pods ${what} expose ports ${[...svcPorts].join(', ') || 'none'}, target ports ${[...targetPorts].join(', ') || 'none'})`
          : `IST0162 The gateway is listening on a target port (port ${port}) that is not defined in the Service associated with its workload instances (Pod selector ${selStr}): could not check it, no Service of the output selects the gateway pods ${what}, so it must be installed out of band`,
        `Add port ${port} (or a port with targetPort ${port}) to the gateway Service, or listen on a port the Service exposes.`,
        svcs.length ? undefined : 'note');
    });
  }
}

// --- Duplicate certificates (gateway/certificate.go, IST0138) ----------------------------------------------------

function sameCertificate(a: any, b: any): boolean {
  const ca = typeof a?.credentialName === 'string' ? a.credentialName : '';
  const cb = typeof b?.credentialName === 'string' ? b.credentialName : '';
  if (ca && cb) return ca === cb;
  if (ca || cb) return false;
  return !!a?.serverCertificate && a.serverCertificate === b?.serverCertificate && !!a?.privateKey && a.privateKey === b?.privateKey;
}

/** A key under which two TLS settings can have the same certificate (sameCertificate), or '' when none. */
function certKey(tls: any): string {
  if (!tls || typeof tls !== 'object') return '';
  if (typeof tls.credentialName === 'string' && tls.credentialName) return `cn:${tls.credentialName}`;
  return typeof tls.serverCertificate === 'string' && tls.serverCertificate ? `file:${tls.serverCertificate}` : '';
}

function checkDuplicateCertificates(idx: MeshIndex, rep: Reporter) {
  const byCert = new Map<string, Obj[]>();
  for (const gw of idx.gateways) {
    for (const sv of Array.isArray(gw.raw?.spec?.servers) ? gw.raw.spec.servers : []) {
      const k = certKey(sv?.tls);
      if (!k) continue;
      const l = byCert.get(k) ?? [];
      if (!l.includes(gw)) l.push(gw);
      byCert.set(k, l);
    }
  }
  byCert.delete('');
  for (const gw of idx.gateways) {
    const spec = gw.raw?.spec;
    if (!spec || typeof spec !== 'object') continue;
    const sel: { [k: string]: unknown } = spec.selector && typeof spec.selector === 'object' ? spec.selector : {};
    const servers: any[] = Array.isArray(spec.servers) ? spec.servers : [];
    const candidates = new Set<Obj>();
    for (const sv of servers) for (const o of byCert.get(certKey(sv?.tls)) ?? []) candidates.add(o);
    for (const other of candidates) {
      if (other === gw) continue;
      const osel: { [k: string]: unknown } = other.raw?.spec?.selector && typeof other.raw.spec.selector === 'object' ? other.raw.spec.selector : {};
      // Istio's selectorSubset: every label of this Gateway's selector is in the other's (an empty selector: every Gateway)
      if (!Object.keys(sel).every(k => Object.prototype.hasOwnProperty.call(osel, k) && osel[k] === sel[k])) continue;
      const oservers: any[] = Array.isArray(other.raw?.spec?.servers) ? other.raw.spec.servers : [];
      servers.forEach((s, i) => {
        oservers.forEach((o, j) => {
          if (!s?.tls || !o?.tls || !sameCertificate(s.tls, o.tls)) return;
          const cert = s.tls.credentialName ? `credentialName "${s.tls.credentialName}"` : `serverCertificate ${s.tls.serverCertificate}`;
          rep.add(gw, GATEWAY_DUPLICATE_CERTIFICATE, `spec.servers[${i}].tls`,
            `IST0138 Duplicate certificate in multiple gateways may cause 404s if HTTP2 connection reuse happens: ${gw.namespace}/${gw.name}, ${other.namespace}/${other.name} (${cert}, server ${j} of ${other.namespace}/${other.name}; the workloads of this Gateway's selector also run the other one)`,
            'Serve the hosts that share a certificate from one Gateway server, or give each Gateway its own certificate.');
        });
      });
    }
  }
}

// --- Gateway credentials (gateway/secret.go, IST0161) -------------------------------------------------------------

function checkGatewayCredentials(idx: MeshIndex, rep: Reporter) {
  for (const gw of idx.gateways) {
    const spec = gw.raw?.spec;
    if (!spec || typeof spec !== 'object') continue;
    const pods = idx.gatewayPods(gw);
    if (!pods.length) continue;
    const ns = pods[0].namespace;
    (Array.isArray(spec.servers) ? spec.servers : []).forEach((s: any, i: number) => {
      const cn = s?.tls?.credentialName;
      if (typeof cn !== 'string' || !cn) return;
      const secret = idx.secretByKey.get(`${ns}/${cn}`);
      if (!secret) {
        if (!idx.issuedSecrets.has(`${ns}/${cn}`)) {
          rep.add(gw, GATEWAY_CREDENTIAL_NOT_FOUND, `spec.servers[${i}].tls.credentialName`,
            `IST0101 Referenced credentialName not found: "${cn}": could not check it, Secret ${ns}/${cn} (the namespace of the gateway pods ${pods.map(p => `${p.owner.kind}/${p.owner.name}`).join(', ')}) is not in the output and no cert-manager Certificate of the output issues it, so it must exist out of band`,
            `Create Secret ${ns}/${cn} (tls.crt and tls.key) before the gateway serves TLS, or fix credentialName.`);
        }
        return;
      }
      const problem = credentialProblem(secret.raw);
      if (!problem) return;
      rep.add(gw, INVALID_GATEWAY_CREDENTIAL, `spec.servers[${i}].tls.credentialName`,
        `IST0161 The credential provided by the Gateway ${gw.name} in namespace ${ns} is invalid, which can lead to a failed TLS handshake: Secret ${ns}/${cn} ${problem}`,
        `Put a PEM certificate and its key in Secret ${ns}/${cn} (kubernetes.io/tls: tls.crt and tls.key; or generic: cert and key), valid now.`);
    });
  }
}

/** Why a gateway credential Secret cannot serve (Istio's ExtractCertInfo + ValidateCertificate), or undefined. */
function credentialProblem(secret: any): string | undefined {
  const data: { [k: string]: unknown } = { ...(secret?.data ?? {}) };
  const text = (k: string): string | undefined => {
    const d = data[k];
    if (typeof d === 'string') return Buffer.from(d, 'base64').toString('utf8');
    const sd = secret?.stringData?.[k];
    return typeof sd === 'string' ? sd : undefined;
  };
  const pairs: Array<[string, string]> = [['tls.crt', 'tls.key'], ['cert', 'key']];
  const pair = pairs.find(([c, k]) => text(c) !== undefined && text(k) !== undefined);
  if (!pair) {
    const have = [...Object.keys(data), ...Object.keys(secret?.stringData ?? {})];
    return `has no certificate and key pair (keys ${have.length ? have.join(', ') : 'none'}; expected tls.crt and tls.key, or cert and key)`;
  }
  const pem = text(pair[0])!;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return `key ${pair[0]} does not hold a PEM certificate`;
  }
  const now = Date.now();
  if (Date.parse(cert.validTo) < now) return `holds a certificate that expired on ${cert.validTo}`;
  if (Date.parse(cert.validFrom) > now) return `holds a certificate that is not valid before ${cert.validFrom}`;
  return undefined;
}

// --- Sidecars (sidecar/selector.go) ---------------------------------------------------------------------------

function checkSidecars(idx: MeshIndex, rep: Reporter) {
  // Istio's sidecar SelectorAnalyzer: a workloadSelector that selects no pod (IST0101), workloads selected by several
  // Sidecars (IST0110, every Sidecar involved), several namespace-wide Sidecars (IST0111, every one), and Sidecars of
  // ambient workloads or namespaces, which have no effect (IST0167).
  const byNs = new Map<string, Obj[]>();
  for (const sc of idx.sidecars) byNs.set(sc.namespace ?? 'default', [...byNs.get(sc.namespace ?? 'default') ?? [], sc]);
  for (const [ns, list] of byNs) {
    const ineffective = new Set<Obj>();
    const nsAmbient = namespaceAmbient(idx.namespaces.get(ns));
    const noSel = list.filter(sc => !labelsOf(sc));
    if (nsAmbient) {
      for (const sc of noSel) {
        ineffective.add(sc);
        rep.add(sc, SIDECAR_INEFFECTIVE, 'metadata.namespace',
          `IST0167 The policy has no impact: namespace is in ambient mode, the policy has no impact (namespace "${ns}" is labelled istio.io/dataplane-mode=ambient; ambient workloads have no sidecar)`,
          'Remove the Sidecar, or take the namespace out of ambient mode (sidecar injection) if the workloads need it.');
      }
    } else if (noSel.length > 1) {
      for (const sc of noSel) {
        rep.add(sc, SIDECAR_MULTIPLE_DEFAULT, 'spec.workloadSelector',
          `IST0111 The Sidecars ${noSel.map(s => s.name).join(', ')} in namespace "${ns}" have no workload selector, which can lead to undefined behavior.`,
          'Keep one namespace-wide Sidecar and give the others spec.workloadSelector.labels.');
      }
    }
    const withSel = list.filter(sc => labelsOf(sc));
    const podsOf = new Map<Obj, PodTemplate[]>();
    for (const sc of withSel) {
      const l = labelsOf(sc)!;
      const pods = (idx.podsByNs.get(ns) ?? []).filter(p => selectorMatches({ matchLabels: l }, p.labels));
      podsOf.set(sc, pods);
      if (!pods.length) {
        rep.add(sc, SIDECAR_SELECTOR, 'spec.workloadSelector.labels',
          `IST0101 Referenced selector not found: "${fmtLabels(sorted(l))}": could not check it, no pod template of the output in namespace "${ns}" carries these labels, so the workload must be deployed out of band (or the Sidecar applies to nothing)`,
          `Nothing to do if the workload is deployed out of band in namespace "${ns}"; otherwise fix spec.workloadSelector.labels.`);
      }
      const ambient = pods.filter(p => podAmbient(p, nsAmbient));
      if (ambient.length && !ineffective.has(sc)) {
        ineffective.add(sc);
        rep.add(sc, SIDECAR_INEFFECTIVE, 'spec.workloadSelector.labels',
          `IST0167 The policy has no impact: selected workload is in ambient mode, the policy has no impact (${ambient.map(p => `${p.owner.kind}/${p.owner.name}`).join(', ')})`,
          'Remove the Sidecar, or run the workload with a sidecar if it needs this configuration.');
      }
    }
    const conflicting = new Map<Obj, { with: Obj[]; what: string }>();
    for (let i = 0; i < withSel.length; i++) {
      for (let j = i + 1; j < withSel.length; j++) {
        const a = withSel[i];
        const b = withSel[j];
        const same = fmtLabels(sorted(labelsOf(a)!)) === fmtLabels(sorted(labelsOf(b)!));
        const pod = podsOf.get(a)!.find(p => podsOf.get(b)!.includes(p) && !podAmbient(p, nsAmbient));
        if (!same && !pod) continue;
        const what = pod ? `${pod.owner.kind}/${pod.owner.name}` : fmtLabels(sorted(labelsOf(b)!));
        for (const [x, y] of [[a, b], [b, a]]) {
          const c = conflicting.get(x) ?? { with: [], what };
          c.with.push(y);
          conflicting.set(x, c);
        }
      }
    }
    for (const sc of withSel) {
      const c = conflicting.get(sc);
      if (!c) continue;
      rep.add(sc, SIDECAR_SELECTOR_CONFLICT, 'spec.workloadSelector.labels',
        `IST0110 The Sidecars ${[sc, ...c.with].map(x => x.name).join(', ')} in namespace "${ns}" select the same workload pod "${c.what}", which can lead to undefined behavior.`,
        'Merge the Sidecars, or make their workloadSelector.labels select disjoint workloads.');
    }
  }
}

/** Istio's NamespaceInAmbientMode: istio.io/dataplane-mode=ambient, unless the namespace asks for sidecar injection. */
function namespaceAmbient(ns: Obj | undefined): boolean {
  const l = ns?.raw?.metadata?.labels ?? {};
  if (l['istio-injection'] === 'enabled' || (typeof l['istio.io/rev'] === 'string' && l['istio.io/rev'])) return false;
  return l['istio.io/dataplane-mode'] === 'ambient';
}

/** A pod in ambient mode: redirected by istio-cni (the annotation on a running pod), or a pod of an ambient namespace that neither opts out nor gets a sidecar. */
function podAmbient(p: PodTemplate, nsAmbient: boolean): boolean {
  if (p.annotations?.['ambient.istio.io/redirection'] === 'enabled') return true;
  return nsAmbient && p.labels['istio.io/dataplane-mode'] !== 'none' && p.labels['sidecar.istio.io/inject'] !== 'true';
}

function labelsOf(sc: Obj): { [k: string]: string } | undefined {
  const l = sc.raw?.spec?.workloadSelector?.labels;
  return l && typeof l === 'object' && Object.keys(l).length ? l : undefined;
}
function sorted(l: { [k: string]: string }): { [k: string]: string } {
  return Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// --- Route destinations (virtualservice/destinationhosts.go, destinationrules.go) -------------------------------

function checkDestinations(idx: MeshIndex, rep: Reporter) {
  for (const r of idx.routes) {
    const d = r.destination;
    const vsNs = r.vs.namespace ?? 'default';
    if (typeof d.host !== 'string' || !d.host) continue;
    const host = fqdn(d.host, vsNs);
    if (typeof d.subset === 'string' && d.subset) {
      if (!idx.subsetDefiners(host, d.subset).length) {
        const drs = idx.destinationRulesFor(host);
        // no DestinationRule for the host in the input: it may be applied from another file (Istio's bookinfo
        // applies destination-rule-all.yaml apart from the VirtualServices), so a warning; an error where the
        // input's DestinationRules for the host lack the subset
        if (drs.length) {
          rep.add(r.vs, DESTINATION_SUBSET, `${r.field}.subset`,
            `IST0101 Referenced host+subset in destinationrule not found: "${d.host}+${d.subset}" (DestinationRule ${drs.map(x => `${x.namespace}/${x.name}`).join(', ')} for this host defines subsets ${drs.flatMap(subsetNames).join(', ') || '(none)'}): requests fail with 503 NC cluster_not_found`,
            `Add subset "${d.subset}" to spec.subsets of ${drs[0].namespace}/${drs[0].name}, or use an existing subset.`);
        } else {
          rep.add(r.vs, DESTINATION_SUBSET, `${r.field}.subset`,
            `IST0101 Referenced host+subset in destinationrule not found: "${d.host}+${d.subset}": could not check it, the DestinationRule for host ${host} is not in the input (none for this host), so it must be applied from another file with subset "${d.subset}", else requests fail with 503 NC cluster_not_found`,
            `Nothing to do if a DestinationRule with host: ${d.host} and subsets: [{name: ${d.subset}}] is applied with another file; otherwise add one in namespace "${vsNs}".`,
            'warning');
        }
      }
    }
    const ses = idx.serviceEntriesFor(host, vsNs);
    const svc = idx.serviceFor(d.host, vsNs);
    if (!ses.length && svc && r.gateways.has(MESH)) {
      // sidecars of the VirtualService's namespace (or its exportTo) must see the Service; a gateway proxy lives elsewhere
      const hidden = serviceHiddenFrom(svc, vsNs, r.vs.raw?.spec?.exportTo);
      if (hidden) {
        rep.add(r.vs, DESTINATION_HOST, `${r.field}.host`,
          `IST0101 Referenced host not found: "${d.host}" (Service ${svc.namespace}/${svc.name} is exported to ${hidden.exported.join(', ')} by its networking.istio.io/exportTo annotation, not to ${hidden.scopes.join(', ')}, where this VirtualService applies)`,
          `Add ${hidden.scopes.join(', ')} to the networking.istio.io/exportTo annotation of Service ${svc.namespace}/${svc.name}, or fix the VirtualService's namespace or exportTo.`);
        continue;
      }
    }
    const target = ses[0] ?? svc;
    if (!target && idx.generatedServices.has(host)) continue; // the Service Istio generates for a Gateway API Gateway of the output
    if (!target) {
      const local = isClusterLocal(d.host);
      if (local) {
        rep.add(r.vs, DESTINATION_HOST, `${r.field}.host`,
          `IST0101 Referenced host not found: "${d.host}" (could not check it: no Service ${host} in the output, so it must be installed out of band)`,
          `Make sure Service ${host} exists (e.g. the egress gateway Service installed with Istio), or fix the host.`,
          'note');
      } else if (!idx.serviceEntries.length) {
        // an external host is defined by a ServiceEntry only: without any in the input, it is applied from another
        // file (Istio's egress tasks apply the ServiceEntry first, the routing in a later step)
        rep.add(r.vs, DESTINATION_HOST, `${r.field}.host`,
          `IST0101 Referenced host not found: "${d.host}" (could not check it: the ServiceEntry for ${d.host} is not in the input, which has no ServiceEntry at all, so it must be applied from another file, exported to "${vsNs}"; without one Istio has no cluster for it (503 NC cluster_not_found), or traffic bypasses the route under ALLOW_ANY)`,
          `Nothing to do if a ServiceEntry with hosts: [${d.host}] is applied with another file; otherwise add one (exported to "${vsNs}"), or fix the host.`,
          'warning');
      } else {
        rep.add(r.vs, DESTINATION_HOST, `${r.field}.host`,
          `IST0101 Referenced host not found: "${d.host}" (no ServiceEntry of the output visible from namespace "${vsNs}" defines it: Istio has no cluster for it (503 NC cluster_not_found), or traffic bypasses the route under ALLOW_ANY)`,
          `Add a ServiceEntry with hosts: [${d.host}] (exported to "${vsNs}"), or fix the host.`);
      }
      continue;
    }
    const ports: number[] = target === svc && !ses.length
      ? (Array.isArray(svc!.raw?.spec?.ports) ? svc!.raw.spec.ports.map((p: any) => p?.port) : [])
      : (Array.isArray(target.raw?.spec?.ports) ? target.raw.spec.ports.map((p: any) => p?.number) : []);
    const portNums = ports.filter(p => typeof p === 'number');
    const what = ses.length ? `ServiceEntry ${target.namespace}/${target.name}` : `Service ${target.namespace}/${target.name}`;
    const dport = d.port?.number;
    if (typeof dport !== 'number') {
      if (portNums.length > 1) {
        rep.add(r.vs, DESTINATION_PORT_REQUIRED, r.field,
          `IST0112 This VirtualService routes to a service "${d.host}" that exposes multiple ports [${portNums.join(' ')}] (${what}). Specifying a port in the destination is required to disambiguate.`,
          `Set ${r.field}.port.number to one of ${portNums.join(', ')}.`);
      }
    } else if (portNums.length && !portNums.includes(dport)) {
      rep.add(r.vs, DESTINATION_PORT, `${r.field}.port.number`,
        `IST0101 Referenced host:port not found: "${d.host}:${dport}" (${what} declares ports ${portNums.join(', ')})`,
        `Route to one of ${portNums.join(', ')}, or declare port ${dport} in ${what}.`);
    }
  }
}

/**
 * Whether a Service of the output is invisible where a VirtualService applies (Istio's GetDestinationHost): its
 * networking.istio.io/exportTo annotation names neither "*" nor the VirtualService's namespace (or, when the
 * VirtualService has exportTo, none of those namespaces).
 */
function serviceHiddenFrom(svc: Obj, vsNs: string, vsExportTo: unknown): { exported: string[]; scopes: string[] } | undefined {
  const ann = svc.raw?.metadata?.annotations?.['networking.istio.io/exportTo'];
  if (typeof ann !== 'string' || !ann.trim()) return undefined;
  const exported = ann.split(',').map(e => e.trim()).filter(Boolean).map(e => (e === '.' ? svc.namespace ?? 'default' : e));
  if (exported.includes('*')) return undefined;
  const list = Array.isArray(vsExportTo) ? vsExportTo.filter((e): e is string => typeof e === 'string') : [];
  const scopes = list.length ? list.map(e => (e === '.' ? vsNs : e)) : [vsNs];
  if (scopes.includes('*') || scopes.some(x => exported.includes(x))) return undefined;
  return { exported, scopes };
}

export function subsetNames(dr: Obj): string[] {
  return (Array.isArray(dr.raw?.spec?.subsets) ? dr.raw.spec.subsets : []).map((s: any) => s?.name).filter((n: unknown): n is string => typeof n === 'string');
}

/** Node labels Istio adds to a pod's labels when it matches subsets (topology.kubernetes.io/region, zone, topology.istio.io/subzone). */
const TOPOLOGY_LABELS = new Set(['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']);

// --- DestinationRules (destinationrule/*: IST0173, IST0174) ---------------------------------------------------

function checkDestinationRules(idx: MeshIndex, rep: Reporter) {
  for (const dr of idx.destinationRules) {
    const spec = dr.raw?.spec;
    const ns = dr.namespace ?? 'default';
    if (!spec || typeof spec.host !== 'string' || !spec.host) continue;
    const host = fqdn(spec.host, ns);
    const ses = host.startsWith('*')
      ? idx.serviceEntries.filter(se => (se.raw?.spec?.hosts ?? []).some((h: unknown) => typeof h === 'string' && hostMatches(host, h)))
      : idx.serviceEntriesFor(host);
    const svc = idx.serviceFor(host, ns);
    if (!ses.length && !svc && !idx.generatedServices.has(host) && !(host.startsWith('*') && [...idx.serviceByHost.keys()].some(h => hostMatches(host, h)))) {
      const local = isClusterLocal(spec.host);
      const expands = spec.host !== host ? `; the short name expands to ${host}` : '';
      rep.add(dr, UNKNOWN_DR_HOST, 'spec.host', local
        ? `IST0174 The host ${spec.host} defined in the DestinationRule does not match any services in the mesh: could not check it, no Service of the output is ${host}${expands}, so it must be installed out of band (or the rule applies to nothing)`
        : `IST0174 The host ${spec.host} defined in the DestinationRule does not match any services in the mesh (no ServiceEntry or Service of the output${expands}): it must exist out of band, or the rule applies to nothing`,
      local
        ? `Nothing to do if Service ${host} is installed out of band (e.g. the egress gateway Service installed with Istio); otherwise fix the host.`
        : `Use the exact host of the ServiceEntry or the Service FQDN (<name>.<namespace>.svc.cluster.local), or make sure it is installed out of band.`,
      local ? 'note' : undefined);
      continue;
    }
    // IST0173: subset labels must select pods behind the Service / endpoints of the ServiceEntry
    (Array.isArray(spec.subsets) ? spec.subsets : []).forEach((s: any, i: number) => {
      const labels = s?.labels;
      if (!labels || typeof labels !== 'object' || !Object.keys(labels).length) return;
      if (svc && svc.raw?.spec?.selector && Object.keys(svc.raw.spec.selector).length) {
        // Istio adds the node's locality labels to the pod's: offline the nodes are unknown, so a subset label of a
        // topology key (with a value: Istio never matches an empty locality) is not checked
        const podLabels = Object.fromEntries(Object.entries(labels).filter(([k, v]) => !(TOPOLOGY_LABELS.has(k) && v !== '')));
        const sel = { ...svc.raw.spec.selector, ...podLabels };
        const behind = (idx.podsByNs.get(svc.namespace!) ?? []).filter(p => selectorMatches({ matchLabels: svc.raw.spec.selector }, p.labels));
        if (!behind.length) {
          rep.add(dr, SUBSET_SELECTS_NO_PODS, `spec.subsets[${i}].labels`,
            `IST0173 The Subset ${s.name} defined in the DestinationRule does not select any pods: could not check it, no pod template of the output is behind Service ${svc.namespace}/${svc.name} (selector ${fmtLabels(svc.raw.spec.selector)}), so the pods must be deployed out of band with labels ${fmtLabels(labels)}, else requests fail with 503 UH`,
            'Nothing to do if the pods are deployed out of band with these labels; otherwise fix the subset labels.',
            'note');
        } else if (!behind.some(p => selectorMatches({ matchLabels: sel }, p.labels))) {
          rep.add(dr, SUBSET_SELECTS_NO_PODS, `spec.subsets[${i}].labels`,
            `IST0173 The Subset ${s.name} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream). (labels ${fmtLabels(labels)}; pods behind Service ${svc.namespace}/${svc.name}: ${behind.map(p => `${p.owner.kind}/${p.owner.name} {${fmtLabels(p.labels)}}`).join(', ')}; could not check the pods deployed by other files)`,
            'Nothing to do if the pods of this version are deployed by another file; otherwise make the subset labels match the pod template labels of the version it stands for.', 'warning');
        }
      } else if (ses.length) {
        const eps: any[] = ses.flatMap(se => (Array.isArray(se.raw?.spec?.endpoints) ? se.raw.spec.endpoints : []));
        if (eps.length && !eps.some(e => selectorMatches({ matchLabels: labels }, e?.labels ?? {}))) {
          rep.add(dr, SUBSET_SELECTS_NO_PODS, `spec.subsets[${i}].labels`,
            `IST0173 The Subset ${s.name} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream). (labels ${fmtLabels(labels)} match no endpoint of ServiceEntry ${ses.map(x => `${x.namespace}/${x.name}`).join(', ')})`,
            'Label the ServiceEntry endpoints, or drop the subset labels (a subset without labels selects every endpoint).');
        }
      }
    });
  }
}

// --- ServiceEntry addresses across objects (serviceentry/protocoladdresses.go, IST0134) -------------------------

const HOST_AWARE = /^(HTTP|HTTPS|HTTP2|GRPC|GRPC-WEB|TLS)$/i;

function checkServiceEntryAddresses(idx: MeshIndex, rep: Reporter) {
  const byPort = new Map<number, Array<{ se: Obj; i: number; hosts: string[] }>>();
  for (const se of idx.serviceEntries) {
    const spec = se.raw?.spec;
    if (!spec || (Array.isArray(spec.addresses) && spec.addresses.length)) continue;
    const hosts = (Array.isArray(spec.hosts) ? spec.hosts : []).filter((h: unknown): h is string => typeof h === 'string');
    (Array.isArray(spec.ports) ? spec.ports : []).forEach((p: any, i: number) => {
      if (typeof p?.number !== 'number' || (typeof p.protocol === 'string' && HOST_AWARE.test(p.protocol))) return;
      const list = byPort.get(p.number) ?? [];
      const other = list.find(x => x.se !== se && !x.hosts.some(h => hosts.includes(h)) && shareNamespace(x.se, se));
      if (!other && !(typeof p.protocol === 'string' && p.protocol !== '' && p.protocol.toUpperCase() !== 'TCP')) {
        rep.add(se, SE_ADDRESSES_REQUIRED, `spec.ports[${i}]`,
          `IST0134 ServiceEntry addresses are required for this protocol: port ${p.number} (protocol ${p.protocol ? p.protocol : 'unset, i.e. TCP'}) has no spec.addresses: could not check whether DNS auto-allocation is enabled in the mesh config (not in the input); without it the port gets the listener 0.0.0.0:${p.number}, shared by every such ServiceEntry`,
          'Set spec.addresses (the IPs or CIDR of the external service), use a host-aware protocol (HTTP, HTTPS, TLS), or make sure the mesh enables DNS auto-allocation (ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE).');
      }
      if (other) {
        rep.add(se, SE_ADDRESS_COLLISION, `spec.ports[${i}]`,
          `IST0134 ServiceEntry addresses are required for this protocol: port ${p.number} (protocol ${p.protocol ?? 'unset, i.e. TCP'}) is also a TCP port of ServiceEntry ${other.se.namespace}/${other.se.name} (hosts ${other.hosts.join(', ')}), and neither has spec.addresses: both share the listener 0.0.0.0:${p.number}, which cannot tell the hosts apart`,
          'Set spec.addresses (the IPs or CIDR of the external service), use protocol HTTP/HTTPS/TLS, or enable DNS auto-allocation (ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE).');
      }
      list.push({ se, i, hosts });
      byPort.set(p.number, list);
    });
  }
}

function shareNamespace(a: Obj, b: Obj): boolean {
  const ea = a.raw?.spec?.exportTo;
  const eb = b.raw?.spec?.exportTo;
  return visibleFrom(a, ea, b.namespace ?? 'default') || visibleFrom(b, eb, a.namespace ?? 'default');
}

// --- Policies selecting Gateway API gateway pods (k8sgateway/workloadselector.go, IST0166) -----------------------

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

function checkIneffectiveSelectors(idx: MeshIndex, rep: Reporter) {
  for (const o of idx.selectorPolicies) {
    const spec = o.raw?.spec;
    if (!spec || typeof spec !== 'object' || spec.targetRef || (Array.isArray(spec.targetRefs) && spec.targetRefs.length)) continue;
    const ml = spec.selector?.matchLabels;
    if (!ml || typeof ml !== 'object') continue;
    const ns = o.namespace ?? 'default';
    const names = new Set<string>();
    for (const p of idx.podsByNs.get(ns) ?? []) {
      const g = p.labels[GATEWAY_NAME_LABEL];
      if (g !== undefined && selectorMatches({ matchLabels: ml }, p.labels)) names.add(g);
    }
    if (typeof ml[GATEWAY_NAME_LABEL] === 'string') names.add(ml[GATEWAY_NAME_LABEL]);
    for (const g of names) {
      rep.add(o, INEFFECTIVE_SELECTOR, 'spec.selector',
        `IST0166 Ineffective selector on Kubernetes Gateway ${g}. Use the TargetRef field instead.`,
        `Replace spec.selector with spec.targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: ${g}}].`);
    }
  }
}

// --- Gateway routes that bypass subset rules (virtualservice/destinationhosts.go analyzeSubset, IST0140) --------

function checkIngressSubsets(idx: MeshIndex, rep: Reporter) {
  // VirtualServices that route one of their own hosts to a subset
  const withSubsets = new Map<string, Obj[]>();
  for (const vs of idx.virtualServices) {
    const spec = vs.raw?.spec;
    const hosts: unknown[] = Array.isArray(spec?.hosts) ? spec.hosts : [];
    for (const h of Array.isArray(spec?.http) ? spec.http : []) {
      for (const rt of Array.isArray(h?.route) ? h.route : []) {
        const d = rt?.destination;
        if (typeof d?.subset === 'string' && d.subset && typeof d.host === 'string' && hosts.includes(d.host)) {
          const l = withSubsets.get(d.host) ?? [];
          if (!l.includes(vs)) l.push(vs);
          withSubsets.set(d.host, l);
        }
      }
    }
  }
  if (!withSubsets.size) return;
  for (const vs of idx.virtualServices) {
    const spec = vs.raw?.spec;
    const gws: unknown[] = Array.isArray(spec?.gateways) ? spec.gateways : [];
    if (!gws.some(g => typeof g === 'string' && g !== MESH)) continue;
    (Array.isArray(spec.http) ? spec.http : []).forEach((h: any, i: number) => {
      (Array.isArray(h?.route) ? h.route : []).forEach((rt: any, j: number) => {
        const d = rt?.destination;
        if (typeof d?.host !== 'string' || (typeof d.subset === 'string' && d.subset)) return;
        for (const other of withSubsets.get(d.host) ?? []) {
          rep.add(vs, INGRESS_ROUTE_RULES_NOT_AFFECTED, `spec.http[${i}].route[${j}].destination`,
            `IST0140 Subset in virtual service ${other.namespace}/${other.name} has no effect on ingress gateway ${vs.namespace}/${vs.name} requests (host ${d.host}: this gateway route has no subset, and VirtualServices do not chain)`,
            `Route to the subset here as well (destination.subset), or bind ${other.namespace}/${other.name} to the gateway.`);
        }
      });
    });
  }
}
