/**
 * The egress TLS pitfalls Istio users report most (see README "Offline analyzers and pitfalls"), as wiring rules
 * whose messages say how to fix them. Each rule needs several objects of the output; none of them repeats what
 * objects.ts or ../istio/ already report (credential RBAC on the DestinationRule, portLevelSettings ports absent from
 * the ServiceEntry): where they touch, these rules point at the other object or the precise cause.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { Obj, Reporter } from '../../context';
import { drTlsSites } from '../istio/destination-rule';
import { fmtLabels, fqdn, gatewayKey, MESH, MeshIndex, ROOT_NAMESPACE, type RouteDestination, serviceOfHost, visibleFrom } from '../../mesh-index';
import { GATEWAY_ELSEWHERE_ANNOTATION } from '../../../common/annotations';
import { selectorMatches, type PodTemplate } from '../../pods';
import { defineRule } from '../rule';

export const DOUBLE_TLS = defineRule({
  id: 'wiring/double-tls',
  family: 'wiring',
  severity: 'error',
  description: 'A DestinationRule originates TLS on a port where the application already speaks TLS (double TLS).',
  source: 'istio.io network-issues "double TLS"; istio/istio#17031',
  details: 'Pitfall (istio.io network-issues "double TLS"; istio/istio#17031): a DestinationRule originates TLS (SIMPLE/MUTUAL) on a ServiceEntry port whose protocol is HTTPS or TLS, and no http route sends plaintext to it: the application already speaks TLS there ("wrong version number", 400 "plain HTTP request was sent to HTTPS port"). An error where the input has routing (a VirtualService or HTTPRoute) and none of it sends plaintext HTTP to the host; a warning (could not check) when the input has no VirtualService or HTTPRoute at all, since a route applied from another file may send plaintext to that port (the older Istio egress tasks route port 80 to 443 with a VirtualService).',
});

export const DR_PORT_IS_TARGET_PORT = defineRule({
  id: 'wiring/dr-port-is-target-port',
  family: 'wiring',
  severity: 'error',
  description: 'A portLevelSettings port is a ServiceEntry targetPort instead of its number: nothing is originated.',
  source: 'istio.io network-issues; egress TLS origination port model',
  details: 'Pitfall (istio.io network-issues; egress TLS origination port model): a DestinationRule portLevelSettings port is the targetPort of a ServiceEntry port instead of its number: the settings never apply and nothing is originated.',
});

export const UNDECLARED_PLAINTEXT_PORT = defineRule({
  id: 'wiring/undeclared-plaintext-port',
  family: 'wiring',
  severity: 'error',
  description: 'A mesh route matches a port that the ServiceEntry of the host does not declare: the route never applies.',
  source: 'istio/istio#21914',
  details: 'Pitfall (istio/istio#21914): a VirtualService mesh route matches a port the application calls that the ServiceEntry of the host does not declare: there is no listener for it and the route never applies.',
});

export const CREDENTIAL_NAMESPACE = defineRule({
  id: 'wiring/credential-namespace',
  family: 'wiring',
  severity: 'error',
  description: 'The credentialName Secret is in the wrong namespace for the proxy that reads it.',
  source: 'istio/istio#33368',
  details: 'Pitfall (istio/istio#33368): the credentialName Secret is in the output but in the wrong namespace for the proxy that reads it (the DestinationRule namespace for a sidecar with workloadSelector; the egress gateway namespace for a DestinationRule applied at a gateway).',
});

export const CREDENTIAL_ROLE_NARROWED = defineRule({
  id: 'wiring/credential-role-narrowed',
  family: 'wiring',
  severity: 'error',
  description: 'The secrets access of a credential-reading workload is narrowed by resourceNames or lacks "list".',
  source: 'istio/istio#52728, istio/istio.io#11804',
  details: 'Pitfall (istio/istio#52728, istio.io#11804): a Role bound to the service account of a credential-reading workload grants secrets access narrowed with resourceNames or without "list"; istiod checks "list" on all secrets ("Secret is not supplied by SDS").',
});

export const DR_VISIBILITY = defineRule({
  id: 'wiring/dr-visibility',
  family: 'wiring',
  severity: 'error',
  description: 'The DestinationRule a proxy needs is not on its DestinationRule lookup path (503 NC cluster_not_found).',
  source: 'istio/istio#30730; istio.io egress-gateway page warning',
  details: 'Pitfall (istio/istio#30730, egress-gateway page warning): the DestinationRule that defines a routed subset (or originates TLS at a gateway) is not on the DestinationRule lookup path of the proxy that needs it (its own namespace, then the service namespace, then istio-system, with exportTo): 503 NC cluster_not_found or no origination. A warning (could not check) for proxies the input does not describe: a gateway that selects no pod of the output, or sidecars of a namespace where no pod of the output is known to be injected (pod label, or namespace of the output labelled for injection).',
});

export const GATEWAY_EXPORT_TO = defineRule({
  id: 'wiring/gateway-export-to',
  family: 'wiring',
  severity: 'error',
  description: 'exportTo hides a VirtualService, ServiceEntry or DestinationRule from the namespace of the gateway\'s proxy.',
  source: 'istio/istio#35430, istio/istio.io#7615',
  details: 'Pitfall (istio/istio#35430, istio/istio.io#7615): the exportTo of a VirtualService bound to an egress gateway (Istio API Gateway), of the ServiceEntry of a host a gateway routes to (Istio API or Gateway API gateway of class istio), or of the DestinationRule that originates TLS at a Gateway API gateway hides it from the namespace of the gateway\'s proxy: the gateway answers 404 or 503, or sends plaintext. The namespace is where the Gateway selects pods of the output, the namespace of the Service the sidecars send to, or the Gateway API Gateway\'s; a warning when it is not known from the input.',
});

export const REFERENCE_GRANT = defineRule({
  id: 'wiring/reference-grant',
  family: 'wiring',
  severity: 'error',
  description: 'An HTTPRoute backendRef to another namespace has no ReferenceGrant allowing it (RefNotPermitted).',
  source: 'Gateway API ReferenceGrant; Istio RefNotPermitted',
  details: 'An HTTPRoute backendRef names a Service of another namespace and no ReferenceGrant of the output in that namespace allows HTTPRoutes of the route\'s namespace: Istio ignores the backend (RefNotPermitted). An error where the input has ReferenceGrants in that namespace and none allows it; a warning (could not check) when the input has no ReferenceGrant in that namespace (the grant may be applied by the namespace\'s owner); a note on routes annotated validation.cdk8s-istio-egress.io/gateway-deployed-elsewhere (the grant belongs to the gateway\'s owner).',
});

export const GATEWAY_ROUTE_TLS_MISMATCH = defineRule({
  id: 'wiring/gateway-route-tls-mismatch',
  family: 'wiring',
  severity: 'error',
  description: 'A VirtualService binds tls: routes to a terminating server or http: routes to a PASSTHROUGH server.',
  source: 'istio.io network-issues "gateway mismatch"; istio/istio#37293',
  details: 'Pitfall (istio.io network-issues "gateway mismatch"; istio/istio#37293): a VirtualService binds tls: routes to a TLS-terminating or plain Gateway server, or http: routes to a PASSTHROUGH server: the gateway listener drops them (404 / no filter chain).',
});

export const GATEWAY_RESOLUTION_NONE = defineRule({
  id: 'wiring/gateway-resolution-none',
  family: 'wiring',
  severity: 'error',
  description: 'An egress gateway routes to a ServiceEntry host with resolution NONE: it loops to itself.',
  source: 'istio.io egress-gateway page warning',
  details: 'Pitfall (egress-gateway page warning): a route sends traffic from an egress gateway to a ServiceEntry host with resolution NONE: the original destination is the gateway itself, which routes to itself in a loop.',
});

export const CA_VERIFIES_SERVER = defineRule({
  id: 'wiring/ca-verifies-server',
  family: 'wiring',
  severity: 'error',
  description: 'The ca.crt of a credentialName Secret does not verify the server certificate of the output.',
  source: 'istio/istio#39166 (CERTIFICATE_VERIFY_FAILED)',
  details: 'Pitfall (istio/istio#39166, CERTIFICATE_VERIFY_FAILED): the ca.crt of a credentialName Secret of the output does not verify the server certificate of a Secret of the output mounted by the pods behind the destination host.',
});

export const CERTIFICATE_SAN = defineRule({
  id: 'wiring/certificate-san',
  family: 'wiring',
  severity: 'error',
  description: 'The server certificate has no subjectAltName matching what Envoy verifies (a CN is not enough).',
  source: 'istio/istio#48398, istio/istio.io#15847',
  details: 'Pitfall (istio/istio#48398, istio.io#15847): the server certificate (Secret of the output behind the destination host) has no subjectAltName matching subjectAltNames, sni or the host that Envoy verifies (a CN is not enough).',
});

const ORIGINATES = new Set(['SIMPLE', 'MUTUAL']);
const TLS_PROTOCOLS = /^(HTTPS|TLS)$/i;

export function checkPitfalls(idx: MeshIndex, rep: Reporter): void {
  // hosts whose plaintext HTTP the output routes: an http route goes to them, or a VirtualService for them has http rules
  const plainHttp = new Set<string>();
  for (const r of idx.routes) {
    if (r.type === 'http' && typeof r.destination.host === 'string') plainHttp.add(fqdn(r.destination.host, r.vs.namespace ?? 'default'));
  }
  for (const vs of idx.virtualServices) {
    if (!Array.isArray(vs.raw?.spec?.http) || !vs.raw.spec.http.length) continue;
    for (const h of Array.isArray(vs.raw.spec.hosts) ? vs.raw.spec.hosts : []) if (typeof h === 'string') plainHttp.add(fqdn(h, vs.namespace ?? 'default'));
  }
  for (const h of idx.httpRoutePlaintextHosts) plainHttp.add(h);
  checkDoubleTls(idx, rep, plainHttp);
  checkTargetPort(idx, rep);
  checkUndeclaredPort(idx, rep);
  checkCredentialNamespace(idx, rep);
  checkNarrowedRoles(idx, rep);
  checkVisibility(idx, rep);
  checkGatewayExportTo(idx, rep);
  checkReferenceGrants(idx, rep);
  checkGatewayRouteTls(idx, rep);
  checkResolutionNone(idx, rep);
  checkCertificates(idx, rep);
}

function portsOf(se: Obj): any[] {
  return Array.isArray(se.raw?.spec?.ports) ? se.raw.spec.ports.filter((p: any) => p && typeof p === 'object') : [];
}
const ref = (o: Obj) => `${o.namespace ? `${o.namespace}/` : ''}${o.name}`;

// --- double TLS ------------------------------------------------------------------------------------------------

function checkDoubleTls(idx: MeshIndex, rep: Reporter, plainHttp: Set<string>) {
  for (const dr of idx.destinationRules) {
    const spec = dr.raw?.spec;
    if (typeof spec?.host !== 'string') continue;
    const host = fqdn(spec.host, dr.namespace ?? 'default');
    const ses = idx.serviceEntriesFor(host);
    if (!ses.length) continue;
    const tp = spec.trafficPolicy ?? {};
    const pls: any[] = Array.isArray(tp.portLevelSettings) ? tp.portLevelSettings : [];
    for (const se of ses) {
      for (const p of portsOf(se)) {
        if (typeof p.number !== 'number' || typeof p.protocol !== 'string' || !TLS_PROTOCOLS.test(p.protocol)) continue;
        const i = pls.findIndex(x => x?.port?.number === p.number);
        const portTls = i >= 0 ? pls[i]?.tls : undefined;
        const tls = portTls ?? tp.tls;
        if (!ORIGINATES.has(tls?.mode) || plainHttp.has(host)) continue;
        const field = portTls ? `spec.trafficPolicy.portLevelSettings[${i}].tls.mode` : 'spec.trafficPolicy.tls.mode';
        const plain = portsOf(se).find(x => x.targetPort === p.number && x.number !== p.number);
        // no routing in the input at all: a route applied from another file may send plaintext to this port
        const routed = idx.virtualServices.length > 0 || idx.httpRoutes.length > 0;
        rep.add(dr, DOUBLE_TLS, field,
          routed
            ? `double TLS: DestinationRule ${ref(dr)} originates TLS (mode ${tls.mode}) on port ${p.number} of ${host}, which ServiceEntry ${ref(se)} declares as protocol ${p.protocol}, i.e. the application already sends TLS there, and no VirtualService or HTTPRoute of the output routes plaintext HTTP to this host. The server sees TLS inside TLS ("wrong version number", 400 "The plain HTTP request was sent to HTTPS port")`
            : `could not check that plaintext HTTP is routed to port ${p.number} of ${host} (double TLS otherwise): the routing is not in the input (no VirtualService or HTTPRoute at all). DestinationRule ${ref(dr)} originates TLS (mode ${tls.mode}) on that port, which ServiceEntry ${ref(se)} declares as protocol ${p.protocol}, i.e. the application sends TLS there unless a route applied from another file sends it plaintext; the server then sees TLS inside TLS ("wrong version number", 400 "The plain HTTP request was sent to HTTPS port")`,
          plain
            ? `Originate on the plaintext port ${plain.number} (targetPort ${p.number}) only${portTls ? '' : ` (move tls into portLevelSettings for port ${plain.number})`}, and let the application call http://${host}${plain.number === 80 ? '' : `:${plain.number}`}; or drop TLS origination for port ${p.number}.`
            : `Declare a plaintext port (number 80, protocol HTTP, targetPort ${p.number}) in the ServiceEntry and originate TLS on it, with the application calling http://${host}; or drop TLS origination for port ${p.number} (the application does TLS itself).`,
          routed ? undefined : 'warning');
      }
    }
  }
}

// --- DestinationRule port = ServiceEntry targetPort ------------------------------------------------------------

function checkTargetPort(idx: MeshIndex, rep: Reporter) {
  for (const dr of idx.destinationRules) {
    const spec = dr.raw?.spec;
    if (typeof spec?.host !== 'string') continue;
    const host = fqdn(spec.host, dr.namespace ?? 'default');
    const ses = idx.serviceEntriesFor(host, dr.namespace ?? 'default');
    if (!ses.length) continue;
    const ports = ses.flatMap(portsOf);
    const check = (tp: any, base: string) => {
      (Array.isArray(tp?.portLevelSettings) ? tp.portLevelSettings : []).forEach((pls: any, i: number) => {
        const n = pls?.port?.number;
        if (typeof n !== 'number' || ports.some(p => p.number === n)) return;
        const p = ports.find(x => x.targetPort === n);
        if (!p) return;
        rep.add(dr, DR_PORT_IS_TARGET_PORT, `${base}.portLevelSettings[${i}].port.number`,
          `port ${n} is the targetPort of ServiceEntry port ${p.number} ("${p.name}") for ${host}, not a port number of the ServiceEntry: Istio selects portLevelSettings by the service port the application calls (${p.number}), so these settings never apply${ORIGINATES.has(pls.tls?.mode) ? ' and no TLS is originated' : ''}`,
          `Set port.number to ${p.number}; targetPort only says where the sidecar sends the traffic.`);
      });
    };
    check(spec.trafficPolicy, 'spec.trafficPolicy');
    (Array.isArray(spec.subsets) ? spec.subsets : []).forEach((s: any, i: number) => check(s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`));
  }
}

// --- plaintext port the application calls, not declared -------------------------------------------------------

function checkUndeclaredPort(idx: MeshIndex, rep: Reporter) {
  for (const vs of idx.virtualServices) {
    const spec = vs.raw?.spec;
    if (!spec) continue;
    const ns = vs.namespace ?? 'default';
    const specGws: string[] = Array.isArray(spec.gateways) && spec.gateways.length ? spec.gateways : [MESH];
    const hosts = (Array.isArray(spec.hosts) ? spec.hosts : []).filter((h: unknown): h is string => typeof h === 'string').map((h: string) => fqdn(h, ns));
    for (const type of ['http', 'tls', 'tcp']) {
      (Array.isArray(spec[type]) ? spec[type] : []).forEach((r: any, i: number) => {
        (Array.isArray(r?.match) ? r.match : []).forEach((m: any, j: number) => {
          const gws: string[] = Array.isArray(m?.gateways) && m.gateways.length ? m.gateways : specGws;
          if (!gws.includes(MESH) || typeof m?.port !== 'number') return;
          for (const h of hosts) {
            const ses = idx.serviceEntriesFor(h, ns);
            if (!ses.length || ses.some(se => portsOf(se).some(p => p.number === m.port))) continue;
            const declared = ses.flatMap(portsOf).map(p => `${p.number}${p.protocol ? `/${p.protocol}` : ''}`).join(', ');
            rep.add(vs, UNDECLARED_PLAINTEXT_PORT, `spec.${type}[${i}].match[${j}].port`,
              `the mesh route matches port ${m.port} of ${h}, but ServiceEntry ${ses.map(ref).join(', ')} declares only ports ${declared}: sidecars have no listener for ${h}:${m.port}, so the application's call on that port never reaches this route (it fails under REGISTRY_ONLY, or leaves unrouted under ALLOW_ANY)`,
              `Add {number: ${m.port}, name: ${m.port === 80 ? 'http' : `http-${m.port}`}, protocol: HTTP} to spec.ports of ServiceEntry ${ref(ses[0])}, or match the port the ServiceEntry declares.`);
          }
        });
      });
    }
  }
}

// --- credential Secret in the wrong namespace ------------------------------------------------------------------

/** Namespaces of the proxies that apply a DestinationRule's credentialName, with a description. */
function credentialReaders(idx: MeshIndex, dr: Obj, host: string): { namespaces: string[]; who: string } | undefined {
  const ns = dr.namespace ?? 'default';
  if (dr.raw?.spec?.workloadSelector) return { namespaces: [ns], who: `the sidecar of the workload it selects (${fmtLabels(dr.raw.spec.workloadSelector.matchLabels ?? {})})` };
  const gws = gatewayRoutesTo(idx, host);
  if (!gws.size) return undefined;
  const namespaces = new Set<string>();
  let assumed = false;
  for (const g of gws) {
    const r = idx.gatewayNamespaces(g);
    r.namespaces.forEach(n => namespaces.add(n));
    assumed ||= r.assumed;
  }
  return { namespaces: [...namespaces], who: `the gateway proxy of ${[...gws].join(', ')} that a VirtualService routes ${host} through (${[...namespaces].join(', ')}${assumed ? '; no gateway pod in the output, assumed installed in istio-system' : ''})` };
}

/** Gateways (`ns/name`) through which some route of the output sends traffic to `host`. */
function gatewayRoutesTo(idx: MeshIndex, host: string): Set<string> {
  return idx.gatewaysToHost.get(host) ?? new Set();
}

function checkCredentialNamespace(idx: MeshIndex, rep: Reporter) {
  for (const dr of idx.destinationRules) {
    const spec = dr.raw?.spec;
    if (typeof spec?.host !== 'string') continue;
    const host = fqdn(spec.host, dr.namespace ?? 'default');
    for (const { field, tls } of drTlsSites(spec)) {
      const cred = tls?.credentialName;
      if (typeof cred !== 'string' || !cred || !ORIGINATES.has(tls.mode)) continue;
      const readers = credentialReaders(idx, dr, host);
      if (!readers) continue;
      const elsewhere = (idx.secretsByName.get(cred) ?? []).filter(o => !readers.namespaces.includes(o.namespace ?? 'default'));
      const missing = readers.namespaces.filter(n => !idx.secretSource(n, cred));
      if (!missing.length || !elsewhere.length) continue;
      rep.add(dr, CREDENTIAL_NAMESPACE, `${field}.credentialName`,
        `credentialName "${cred}" is read by ${readers.who} from namespace ${missing.map(n => `"${n}"`).join(', ')}, but the output puts it in ${elsewhere.map(o => `${o.kind} ${ref(o)}`).join(', ')}: the proxy never gets the certificate ("Secret is not supplied by SDS"; the request leaves without it)`,
        `Create Secret "${cred}" in namespace ${missing.join(', ')} (the namespace of the proxy that reads it${spec.workloadSelector ? '' : ': the egress gateway\'s'}), not in ${[...new Set(elsewhere.map(o => o.namespace))].join(', ')}.`);
    }
  }
}

// --- RBAC narrowed --------------------------------------------------------------------------------------------

function podSa(p: PodTemplate): string {
  return p.spec?.serviceAccountName || p.spec?.serviceAccount || 'default'; // "" is the default account
}

function coversSecrets(r: any): boolean {
  return (r?.apiGroups ?? []).some((g: string) => g === '' || g === '*') && (r?.resources ?? []).some((x: string) => x === 'secrets' || x === '*');
}
function grantsList(r: any): boolean {
  return coversSecrets(r) && (r?.verbs ?? []).some((v: string) => v === 'list' || v === '*') && !(Array.isArray(r?.resourceNames) && r.resourceNames.length);
}

function checkNarrowedRoles(idx: MeshIndex, rep: Reporter) {
  const reported = new Set<string>();
  for (const dr of idx.destinationRules) {
    const spec = dr.raw?.spec;
    const ml = spec?.workloadSelector?.matchLabels;
    if (!ml || typeof ml !== 'object') continue;
    const creds = drTlsSites(spec).map(s => s.tls?.credentialName).filter((c): c is string => typeof c === 'string' && !!c);
    if (!creds.length) continue;
    const ns = dr.namespace ?? 'default';
    const sas = new Set((idx.podsByNs.get(ns) ?? []).filter(p => selectorMatches({ matchLabels: ml }, p.labels)).map(podSa));
    for (const sa of sas) {
      const roles: Obj[] = [];
      for (const rb of idx.roleBindings) {
        if (rb.namespace !== ns || !(rb.raw?.subjects ?? []).some((s: any) => s?.kind === 'ServiceAccount' && s.name === sa && (s.namespace ?? ns) === ns)) continue;
        const rr = rb.raw?.roleRef;
        const role = rr?.kind === 'Role' ? idx.roles.get(`${ns}/${rr.name}`) : rr?.kind === 'ClusterRole' ? idx.clusterRoles.get(rr.name) : undefined;
        if (role) roles.push(role);
      }
      if (roles.some(r => (Array.isArray(r.raw?.rules) ? r.raw.rules : []).some(grantsList))) continue;
      for (const role of roles) {
        (Array.isArray(role.raw?.rules) ? role.raw.rules : []).forEach((r: any, i: number) => {
          if (!coversSecrets(r)) return;
          const key = `${role.kind}/${ref(role)}#${i}`;
          if (reported.has(key)) return;
          reported.add(key);
          const narrowed = Array.isArray(r.resourceNames) && r.resourceNames.length;
          const why = narrowed
            ? `is narrowed with resourceNames [${r.resourceNames.join(', ')}]: istiod asks the API server whether ${ns}/${sa} may "list" secrets in "${ns}" (a SubjectAccessReview without a name), which resourceNames never grants`
            : `grants verbs [${(r.verbs ?? []).join(', ')}] without "list": istiod checks "list" on secrets before it serves credential ${creds.map(c => `"${c}"`).join(', ')}`;
          rep.add(role, CREDENTIAL_ROLE_NARROWED, `rules[${i}]`,
            `this rule for ServiceAccount ${ns}/${sa} (its workload is selected by DestinationRule ${ref(dr)}, which reads credentialName ${creds.join(', ')}) ${why}; the sidecar gets no certificate ("Secret is not supplied by SDS", 503)`,
            `Use {apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"]} without resourceNames (a dedicated namespace for the client keeps the grant narrow).`);
        });
      }
    }
  }
}

// --- DestinationRule visibility (subset, origination at a gateway) --------------------------------------------

/**
 * The namespaces whose sidecars use the routes of `vs`, and whether sidecars are known to run there: a pod of the
 * output that opts in, or whose namespace (in the output) is labelled for injection. The VirtualService's own
 * namespace is always a candidate; whether it has sidecars is unknown when the input describes no injected pod there.
 */
function clientNamespaces(idx: MeshIndex, vs: Obj): Array<{ ns: string; known: boolean }> {
  const ns = vs.namespace ?? 'default';
  const known = (n: string) => (idx.podsByNs.get(n) ?? []).some(p => !idx.gatewayPodSet.has(p) && idx.injected(p) && injectionKnown(idx, p));
  const out = new Map<string, boolean>([[ns, known(ns)]]);
  for (const [pns, pods] of idx.podsByNs) {
    if (pns === ns || !visibleFrom(vs, vs.raw?.spec?.exportTo, pns)) continue;
    if (pods.some(p => !idx.gatewayPodSet.has(p) && idx.injected(p))) out.set(pns, known(pns));
  }
  return [...out].map(([n, k]) => ({ ns: n, known: k }));
}

/** Whether the input says a pod is injected (its label or annotation, or its namespace of the output), rather than assuming it. */
function injectionKnown(idx: MeshIndex, p: PodTemplate): boolean {
  return (p.labels['sidecar.istio.io/inject'] ?? p.annotations['sidecar.istio.io/inject']) === 'true' || idx.namespaces.has(p.namespace);
}

function describeLookup(idx: MeshIndex, host: string, proxyNs: string, found: readonly Obj[]): string {
  if (found.length) return `it uses DestinationRule ${found.map(ref).join(', ')} (subsets: ${found.flatMap(d => (d.raw.spec.subsets ?? []).map((s: any) => s?.name)).join(', ') || 'none'}), which shadows the others`;
  const svcNs = idx.serviceNamespace(host);
  return `no DestinationRule for ${host} is in "${proxyNs}", or in ${svcNs && svcNs !== proxyNs ? `the service namespace "${svcNs}" or ` : ''}istio-system exported to "${proxyNs}"`;
}

function checkVisibility(idx: MeshIndex, rep: Reporter) {
  const reported = new Set<string>();
  const originatingByHost = new Map<string, Obj[]>();
  const report = (r: RouteDestination, p: { ns: string; known: boolean; unknown: string }, what: string, msg: string, fix: string, field: string) => {
    const key = `${r.vs.index}|${field}|${p.ns}`;
    if (reported.has(key)) return;
    reported.add(key);
    // a proxy the input does not describe (no pod there, injection unknown) may not exist: could not check
    if (p.known) rep.add(r.vs, DR_VISIBILITY, field, `${what}: ${msg}`, fix);
    else rep.add(r.vs, DR_VISIBILITY, field, `could not check: ${p.unknown}; if it exists, ${what}: ${msg}`, fix, 'warning');
  };
  for (const r of idx.routes) {
    const d = r.destination;
    if (typeof d.host !== 'string') continue;
    const vsNs = r.vs.namespace ?? 'default';
    const host = fqdn(d.host, vsNs);
    if (!idx.drByHostNs.has(host) && !idx.drWildcards.length) continue;
    const proxies: Array<{ ns: string; who: string; gateway: boolean; known: boolean; unknown: string }> = [];
    if (r.gateways.has(MESH)) {
      for (const c of clientNamespaces(idx, r.vs)) {
        proxies.push({ ns: c.ns, who: `sidecars in namespace "${c.ns}"`, gateway: false, known: c.known, unknown: `whether sidecars run in namespace "${c.ns}" is not in the input (no pod of the output there is known to be injected)` });
      }
    }
    for (const g of r.gateways) {
      if (g === MESH) continue;
      const gn = idx.gatewayNamespaces(g);
      for (const n of gn.namespaces) {
        proxies.push({ ns: n, who: `the gateway proxy of ${g} in "${n}"${gn.assumed ? ' (assumed: no gateway pod in the output)' : ''}`, gateway: true, known: !gn.assumed, unknown: `where the gateway proxy of ${g} runs is not in the input (no pod of the output is selected by it)` });
      }
    }
    const defining = typeof d.subset === 'string' && d.subset ? idx.subsetDefiners(host, d.subset) : [];
    let originating = originatingByHost.get(host);
    if (!originating) {
      originating = [...r.gateways].some(g => g !== MESH) ? idx.destinationRulesFor(host).filter(dr => drTlsSites(dr.raw.spec).some(s => ORIGINATES.has(s.tls?.mode) && !s.field.startsWith('spec.subsets'))) : [];
      if ([...r.gateways].some(g => g !== MESH)) originatingByHost.set(host, originating);
    }
    for (const p of proxies) {
      const eff = idx.effectiveDestinationRules(host, p.ns);
      if (defining.length && !eff.some(dr => defining.includes(dr))) {
        const target = defining[0];
        report(r, p, `subset "${d.subset}" of ${host} is defined by DestinationRule ${defining.map(ref).join(', ')}, but ${p.who} cannot see it`,
          `${describeLookup(idx, host, p.ns, eff)}; requests fail with 503 NC cluster_not_found (outbound|${d.port?.number ?? ''}|${d.subset}|${host})`,
          eff.length
            ? `Add subset "${d.subset}" to ${eff.map(ref).join(', ')} (a DestinationRule in the proxy's namespace shadows those of other namespaces), or remove that DestinationRule.`
            : `Create DestinationRule ${target.name} in namespace "${p.ns}", or in "${idx.serviceNamespace(host) ?? 'istio-system'}" / istio-system with exportTo including "${p.ns}" (now: ${target.namespace}, exportTo ${JSON.stringify(target.raw.spec.exportTo ?? ['*'])}).`,
          `${r.field}.subset`);
      }
      if (!p.gateway) continue;
      if (originating.length && !eff.some(dr => originating.includes(dr))) {
        const target = originating[0];
        report(r, p, `DestinationRule ${originating.map(ref).join(', ')} originates TLS for ${host}, but ${p.who} cannot see it`,
          `${describeLookup(idx, host, p.ns, eff)}; the gateway sends plaintext to ${host}${typeof d.port?.number === 'number' ? `:${d.port.number}` : ''}`,
          eff.length
            ? `Move the TLS settings into ${eff.map(ref).join(', ')}, which shadows ${ref(target)} for the gateway, or delete it.`
            : `Put DestinationRule ${target.name} in the gateway's namespace "${p.ns}", or export it there (exportTo: ["*"] or ["${p.ns}"]) from the namespace of ${host}'s ServiceEntry / Service.`,
          `${r.field}.host`);
      }
    }
  }
}

// --- exportTo that hides an object from the egress gateway that needs it --------------------------------------

/** Where the proxies of an Istio API Gateway run, and how that is known. */
interface GatewayProxies { readonly namespaces: string[]; readonly known: boolean; readonly how: string }

function istioGatewayProxies(idx: MeshIndex, key: string, vs: Obj): GatewayProxies {
  const gn = idx.gatewayNamespaces(key);
  if (!gn.assumed) return { namespaces: gn.namespaces, known: true, how: 'where its pods run' };
  // the sidecars' traffic goes to the gateway's Service, and a Service selects pods of its own namespace only
  const vsNs = vs.namespace ?? 'default';
  const services = [...new Set(idx.routesOf(vs).filter(r => r.gateways.has(MESH) && typeof r.destination.host === 'string')
    .map(r => fqdn(r.destination.host, vsNs)).filter(h => serviceOfHost(h) !== undefined))];
  const nss = [...new Set(services.map(h => serviceOfHost(h)!.namespace))];
  if (nss.length) return { namespaces: nss, known: true, how: `the namespace of ${services.join(', ')}, where this VirtualService sends the sidecars' traffic` };
  return { namespaces: [ROOT_NAMESPACE], known: false, how: 'not in the output' };
}

const fmtExportTo = (o: Obj) => JSON.stringify(o.raw?.spec?.exportTo);

function checkGatewayExportTo(idx: MeshIndex, rep: Reporter) {
  const reported = new Set<string>();
  const report = (o: Obj, ns: string, known: boolean, message: string, fix: string) => {
    const key = `${o.index}|${ns}`;
    if (reported.has(key)) return;
    reported.add(key);
    if (known) rep.add(o, GATEWAY_EXPORT_TO, 'spec.exportTo', message, fix);
    else {
      rep.add(o, GATEWAY_EXPORT_TO, 'spec.exportTo',
        `could not check where the gateway's proxy runs (its pods are not in the output, and no route says it); if in "${ns}": ${message}`,
        `${fix} If the gateway runs in another namespace, list that one instead.`, 'warning');
    }
  };
  const hidden = (o: Obj, ns: string) => !visibleFrom(o, o.raw?.spec?.exportTo, ns);
  // Istio API: a VirtualService bound to a Gateway, and the ServiceEntries of the hosts it routes to from there
  for (const vs of idx.virtualServices) {
    const vsNs = vs.namespace ?? 'default';
    const gws: string[] = (Array.isArray(vs.raw?.spec?.gateways) ? vs.raw.spec.gateways : []).filter((g: unknown) => typeof g === 'string' && g !== MESH);
    for (const g of new Set(gws.map(x => gatewayKey(x, vsNs)))) {
      const p = istioGatewayProxies(idx, g, vs);
      for (const ns of p.namespaces) {
        if (!hidden(vs, ns)) continue;
        report(vs, ns, p.known,
          `VirtualService ${ref(vs)} is bound to Gateway ${g}, whose proxy runs in "${ns}" (${p.known ? p.how : 'assumed: where istioctl installs egress gateways'}): exportTo ${fmtExportTo(vs)} hides it from "${ns}", so the gateway never loads these routes and answers 404 (istio/istio#35430)`,
          `Add "${ns}" to exportTo (e.g. [".", "${ns}"]), or remove exportTo.`);
      }
    }
  }
  for (const r of idx.routes) {
    if (typeof r.destination.host !== 'string') continue;
    const host = fqdn(r.destination.host, r.vs.namespace ?? 'default');
    const ses = idx.serviceEntriesFor(host);
    if (!ses.length || idx.serviceByHost.has(host)) continue;
    for (const g of r.gateways) {
      if (g === MESH) continue;
      const p = istioGatewayProxies(idx, g, r.vs);
      for (const ns of p.namespaces) {
        if (ses.some(se => !hidden(se, ns))) continue;
        for (const se of ses) {
          report(se, ns, p.known,
            `ServiceEntry ${ref(se)} defines ${host}, which VirtualService ${ref(r.vs)} routes to from Gateway ${g}, whose proxy runs in "${ns}" (${p.known ? p.how : 'assumed: where istioctl installs egress gateways'}): exportTo ${fmtExportTo(se)} hides it from "${ns}", so the gateway has no cluster for ${host} and answers 503 (istio/istio#35430)`,
            `Add "${ns}" to exportTo (e.g. [".", "${ns}"]), or remove exportTo.`);
        }
      }
    }
  }
  // Gateway API: HTTPRoutes attached to a Gateway, whose pods Istio runs in the Gateway's namespace
  for (const hr of idx.httpRoutes) {
    const hrNs = hr.namespace ?? 'default';
    const spec = hr.raw?.spec;
    const parents: any[] = (Array.isArray(spec?.parentRefs) ? spec.parentRefs : [])
      .filter((x: any) => typeof x?.name === 'string' && (x.kind ?? 'Gateway') === 'Gateway' && (x.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io');
    for (const parent of parents) {
      const ns = typeof parent.namespace === 'string' ? parent.namespace : hrNs;
      const gwObj = [...idx.generatedServices.values()].find(x => x.name === parent.name && (x.namespace ?? 'default') === ns);
      const known = gwObj !== undefined;
      const who = `Gateway ${ns}/${parent.name}${known ? '' : ' (not in the output: assumed of class istio)'}, whose proxy Istio runs in "${ns}"`;
      for (const rule of Array.isArray(spec?.rules) ? spec.rules : []) {
        for (const b of Array.isArray(rule?.backendRefs) ? rule.backendRefs : []) {
          if (b?.kind !== 'Hostname' || b?.group !== 'networking.istio.io' || typeof b.name !== 'string') continue;
          const host = b.name;
          const ses = idx.serviceEntriesFor(host);
          if (ses.length && ses.every(se => hidden(se, ns))) {
            for (const se of ses) {
              report(se, ns, known,
                `ServiceEntry ${ref(se)} defines ${host}, which HTTPRoute ${ref(hr)} sends to from ${who}: exportTo ${fmtExportTo(se)} hides it from "${ns}", so the gateway has no cluster for ${host} and answers 500 or 503 (istio/istio#35430)`,
                `Add "${ns}" to exportTo (e.g. [".", "${ns}"]), or remove exportTo.`);
            }
          }
          // a DestinationRule on the gateway's lookup path that exportTo hides: the gateway sends plaintext
          const svcNs = idx.serviceNamespace(host);
          const originating = idx.destinationRulesFor(host).filter(dr => !dr.raw.spec.workloadSelector
            && [ns, svcNs, ROOT_NAMESPACE].includes(dr.namespace ?? 'default')
            && drTlsSites(dr.raw.spec).some(s => ORIGINATES.has(s.tls?.mode) && !s.field.startsWith('spec.subsets')));
          if (!originating.length) continue;
          const eff = idx.effectiveDestinationRules(host, ns);
          if (originating.some(dr => eff.includes(dr))) continue;
          for (const dr of originating.filter(d => hidden(d, ns))) {
            report(dr, ns, known,
              `DestinationRule ${ref(dr)} originates TLS for ${host}, which HTTPRoute ${ref(hr)} sends to from ${who}: exportTo ${fmtExportTo(dr)} hides it from "${ns}", so the gateway sends plaintext to ${host}`,
              `Add "${ns}" to exportTo (e.g. [".", "${ns}"]), or remove exportTo.`);
          }
        }
      }
    }
  }
}

// --- ReferenceGrants for HTTPRoute backends in other namespaces -----------------------------------------------

function checkReferenceGrants(idx: MeshIndex, rep: Reporter) {
  for (const hr of idx.httpRoutes) {
    const hrNs = hr.namespace ?? 'default';
    const elsewhere = hr.raw?.metadata?.annotations?.[GATEWAY_ELSEWHERE_ANNOTATION] === 'true';
    (Array.isArray(hr.raw?.spec?.rules) ? hr.raw.spec.rules : []).forEach((rule: any, i: number) => {
      (Array.isArray(rule?.backendRefs) ? rule.backendRefs : []).forEach((b: any, j: number) => {
        if ((b?.kind ?? 'Service') !== 'Service' || (b?.group ?? '') !== '' || typeof b?.name !== 'string') return;
        const ns = typeof b.namespace === 'string' ? b.namespace : hrNs;
        if (ns === hrNs) return;
        const granted = idx.referenceGrants.some(g => (g.namespace ?? 'default') === ns
          && (Array.isArray(g.raw?.spec?.from) ? g.raw.spec.from : []).some((f: any) => f?.group === 'gateway.networking.k8s.io' && f?.kind === 'HTTPRoute' && f?.namespace === hrNs)
          && (Array.isArray(g.raw?.spec?.to) ? g.raw.spec.to : []).some((t: any) => (t?.group ?? '') === '' && t?.kind === 'Service' && (t.name === undefined || t.name === b.name)));
        if (granted) return;
        const field = `spec.rules[${i}].backendRefs[${j}]`;
        const grant = `a ReferenceGrant in "${ns}" with from [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ${hrNs}}] and to [{group: "", kind: Service, name: ${b.name}}]`;
        if (elsewhere) {
          rep.add(hr, REFERENCE_GRANT, field,
            `the gateway is deployed elsewhere: could not check that its owner grants HTTPRoutes of "${hrNs}" access to Service ${ns}/${b.name} (without a ReferenceGrant, Istio ignores the backend: RefNotPermitted)`,
            `Make sure the gateway's owner deploys ${grant}.`, 'note');
        } else if (!idx.referenceGrants.some(g => (g.namespace ?? 'default') === ns)) {
          // no ReferenceGrant of that namespace in the input: the grant belongs to the namespace's owner and may be
          // applied from elsewhere
          rep.add(hr, REFERENCE_GRANT, field,
            `could not check that HTTPRoutes of "${hrNs}" may reference backend Service ${ns}/${b.name}: the ReferenceGrant is not in the input (none in namespace "${ns}"), so it must be applied from elsewhere (by the owner of "${ns}"); without one Istio ignores the backend (ResolvedRefs: RefNotPermitted) and the requests get 500`,
            `Nothing to do if ${grant} is applied with another file; otherwise add it, or move the HTTPRoute to "${ns}".`, 'warning');
        } else {
          rep.add(hr, REFERENCE_GRANT, field,
            `backend Service ${ns}/${b.name} is in another namespace and no ReferenceGrant of the output allows HTTPRoutes of "${hrNs}" to reference it (ReferenceGrants in "${ns}": ${idx.referenceGrants.filter(g => (g.namespace ?? 'default') === ns).map(g => g.name).join(', ')}): Istio ignores the backend (ResolvedRefs: RefNotPermitted) and the requests get 500`,
            `Add ${grant}, or move the HTTPRoute to "${ns}".`);
        }
      });
    });
  }
}

// --- Gateway server TLS mode vs route type --------------------------------------------------------------------

const PASSTHROUGH = new Set(['PASSTHROUGH', 'AUTO_PASSTHROUGH']);

function serverKind(s: any): 'passthrough' | 'terminating' | 'plain' | 'tcp' {
  const proto = String(s?.port?.protocol ?? '').toUpperCase();
  const mode = s?.tls?.mode;
  if (PASSTHROUGH.has(mode)) return 'passthrough';
  if (proto === 'HTTPS' || proto === 'TLS') return proto === 'HTTPS' || mode ? 'terminating' : 'passthrough';
  if (['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB'].includes(proto)) return 'plain';
  return 'tcp';
}

function checkGatewayRouteTls(idx: MeshIndex, rep: Reporter) {
  for (const rule of idx.rules) {
    if (rule.type === 'tcp') continue;
    for (const g of rule.gateways) {
      if (g === MESH) continue;
      const gw = idx.gatewayByKey.get(g);
      if (!gw) continue;
      const servers: any[] = (Array.isArray(gw.raw?.spec?.servers) ? gw.raw.spec.servers : []).filter((s: any) => typeof s?.port?.number === 'number');
      const cands = rule.matchPorts.length ? servers.filter(s => rule.matchPorts.includes(s.port.number)) : servers;
      if (!cands.length) continue;
      const kinds = cands.map(serverKind);
      const ok = rule.type === 'http' ? kinds.some(k => k === 'plain' || k === 'terminating') : kinds.some(k => k === 'passthrough');
      if (ok) continue;
      const desc = cands.map(s => `${s.port.number}/${s.port.protocol}${s.tls?.mode ? ` tls ${s.tls.mode}` : ''}`).join(', ');
      rep.add(rule.vs, GATEWAY_ROUTE_TLS_MISMATCH, `spec.${rule.type}[${rule.rule}]`,
        rule.type === 'tls'
          ? `tls: routes are bound to Gateway ${g}, whose server ${desc} ${kinds.includes('terminating') ? 'terminates TLS' : 'is plaintext'}: after termination the gateway has HTTP, not TLS with SNI, so these routes are dropped (the listener has no filter chain for them)`
          : `http: routes are bound to Gateway ${g}, whose server ${desc} passes TLS through without terminating it: the gateway cannot read HTTP inside, so these routes never apply (404 / connection reset)`,
        rule.type === 'tls'
          ? `Use http: routes for a terminating server (e.g. ISTIO_MUTUAL from the sidecar, then origination by a DestinationRule), or set the server's tls.mode: PASSTHROUGH with protocol TLS for tls: routes matching sniHosts.`
          : `Use tls: routes (match sniHosts) for a PASSTHROUGH server, or terminate TLS at the server (protocol HTTPS with tls.mode ISTIO_MUTUAL / SIMPLE) to route HTTP.`);
    }
  }
}

// --- resolution NONE behind an egress gateway -----------------------------------------------------------------

function checkResolutionNone(idx: MeshIndex, rep: Reporter) {
  const reported = new Set<Obj>();
  for (const r of idx.routes) {
    const gws = [...r.gateways].filter(g => g !== MESH);
    if (!gws.length || typeof r.destination.host !== 'string') continue;
    const host = fqdn(r.destination.host, r.vs.namespace ?? 'default');
    for (const se of idx.serviceEntriesFor(host)) {
      const res = se.raw?.spec?.resolution ?? 'NONE';
      if (res !== 'NONE' || reported.has(se)) continue;
      reported.add(se);
      rep.add(se, GATEWAY_RESOLUTION_NONE, 'spec.resolution',
        `resolution ${se.raw?.spec?.resolution ? 'NONE' : 'is unset (NONE)'} for ${host}, which VirtualService ${ref(r.vs)} (${r.field}) routes through gateway ${gws.join(', ')}: with NONE the gateway forwards to the original destination IP, which is the gateway's own Service, so it routes to itself in a loop`,
        'Set spec.resolution: DNS (or STATIC with endpoints) on the ServiceEntry.');
    }
  }
}

// --- certificates of the output -------------------------------------------------------------------------------

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function secretValues(s: Obj): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries<any>(s.raw?.data ?? {})) if (typeof v === 'string') out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  for (const [k, v] of Object.entries<any>(s.raw?.stringData ?? {})) if (typeof v === 'string') out.set(k, v);
  return out;
}

function certsIn(text: string | undefined): X509Certificate[] {
  if (!text) return [];
  const out: X509Certificate[] = [];
  for (const pem of text.match(PEM_CERT) ?? []) {
    try { out.push(new X509Certificate(pem)); } catch { /* not a certificate: other rules / the proxy report it */ }
  }
  return out;
}

function chainVerifies(chain: X509Certificate[], anchors: X509Certificate[]): boolean {
  let cur = chain[0];
  const inter = chain.slice(1);
  for (let depth = 0; depth < 10; depth++) {
    if (anchors.some(a => a.fingerprint256 === cur.fingerprint256)) return true;
    if (anchors.some(a => cur.checkIssued(a) && cur.verify(a.publicKey))) return true;
    const next = inter.find(c => c.fingerprint256 !== cur.fingerprint256 && cur.checkIssued(c) && cur.verify(c.publicKey));
    if (!next) return false;
    cur = next;
  }
  return false;
}

function nameMatches(cert: X509Certificate, name: string): boolean {
  if (isIP(name)) return cert.checkIP(name) !== undefined;
  if (name.includes(':')) return (cert.subjectAltName ?? '').split(', ').includes(`URI:${name}`);
  return cert.checkHost(name, { subject: 'never' }) !== undefined;
}

const oneLine = (dn: string) => dn.split('\n').join(', ');

/** Server certificates (leaf first, then its chain) in Secrets of the output mounted by the pods behind `host`. */
function serverCertificates(idx: MeshIndex, host: string): Array<{ secret: Obj; key: string; chain: X509Certificate[] }> {
  const svc = idx.serviceFor(host, 'default');
  const sel = svc?.raw?.spec?.selector;
  if (!svc || !sel || typeof sel !== 'object') return [];
  const out: Array<{ secret: Obj; key: string; chain: X509Certificate[] }> = [];
  const seen = new Set<Obj>();
  for (const p of idx.podsByNs.get(svc.namespace!) ?? []) {
    if (!selectorMatches({ matchLabels: sel }, p.labels)) continue;
    const names: string[] = [];
    for (const v of Array.isArray(p.spec?.volumes) ? p.spec.volumes : []) {
      if (typeof v?.secret?.secretName === 'string') names.push(v.secret.secretName);
      for (const s of v?.projected?.sources ?? []) if (typeof s?.secret?.name === 'string') names.push(s.secret.name);
    }
    for (const n of names) {
      const s = idx.secretByKey.get(`${p.namespace}/${n}`);
      if (!s || seen.has(s)) continue;
      seen.add(s);
      for (const [k, v] of secretValues(s)) {
        const chain = certsIn(v);
        if (chain.length && !chain[0].ca) out.push({ secret: s, key: k, chain });
      }
    }
  }
  return out;
}

function checkCertificates(idx: MeshIndex, rep: Reporter) {
  for (const dr of idx.destinationRules) {
    const spec = dr.raw?.spec;
    if (typeof spec?.host !== 'string') continue;
    const host = fqdn(spec.host, dr.namespace ?? 'default');
    let servers: ReturnType<typeof serverCertificates> | undefined;
    for (const { field, tls } of drTlsSites(spec)) {
      if (!ORIGINATES.has(tls?.mode)) continue;
      servers ??= serverCertificates(idx, host);
      if (!servers.length) break;
      // CA: ca.crt / cacert of the credentialName Secret (or <name>-cacert) where its proxy reads it
      const cred = tls.credentialName;
      if (typeof cred === 'string' && cred) {
        const readers = credentialReaders(idx, dr, host)?.namespaces ?? [dr.namespace ?? 'default'];
        let ca: { secret: Obj; key: string; certs: X509Certificate[] } | undefined;
        for (const n of readers) {
          for (const [name, keys] of [[cred, ['ca.crt', 'cacert']], [`${cred}-cacert`, ['ca.crt', 'cacert']]] as const) {
            const s = idx.secretByKey.get(`${n}/${name}`);
            if (!s || ca) continue;
            const vals = secretValues(s);
            const key = keys.find(k => vals.has(k));
            if (key) ca = { secret: s, key, certs: certsIn(vals.get(key)) };
          }
        }
        if (ca && ca.certs.length) {
          for (const sv of servers) {
            if (chainVerifies(sv.chain, ca.certs)) continue;
            rep.add(dr, CA_VERIFIES_SERVER, `${field}.credentialName`,
              `${ca.key} of Secret ${ref(ca.secret)} (${ca.certs.map(c => `"${oneLine(c.subject)}"`).join(', ')}) does not verify the server certificate "${oneLine(sv.chain[0].subject)}" (issuer "${oneLine(sv.chain[0].issuer)}") in ${sv.key} of Secret ${ref(sv.secret)}, which the pods behind ${host} serve: the proxy rejects the server (CERTIFICATE_VERIFY_FAILED)`,
              `Put the CA that signed the server certificate (issuer "${oneLine(sv.chain[0].issuer)}") into ${ca.key} of Secret ${ref(ca.secret)}; the client certificate's CA belongs in the server's trust store, not here.`);
          }
        }
      }
      // SAN: subjectAltNames, else sni, else the host
      const sans: string[] = Array.isArray(tls.subjectAltNames) ? tls.subjectAltNames.filter((x: unknown): x is string => typeof x === 'string') : [];
      const expected = sans.length ? sans : [typeof tls.sni === 'string' && tls.sni ? tls.sni : host];
      const via = sans.length ? `${field}.subjectAltNames` : typeof tls.sni === 'string' && tls.sni ? `${field}.sni` : 'spec.host';
      for (const sv of servers) {
        const leaf = sv.chain[0];
        if (expected.some(n => nameMatches(leaf, n))) continue;
        rep.add(dr, CERTIFICATE_SAN, via,
          `the server certificate "${oneLine(leaf.subject)}" in ${sv.key} of Secret ${ref(sv.secret)} (served by the pods behind ${host}) has ${leaf.subjectAltName ? `subjectAltName ${leaf.subjectAltName}` : 'no subjectAltName extension (a CN is not checked)'}, which does not cover ${expected.map(n => `"${n}"`).join(' or ')} (${sans.length ? 'subjectAltNames' : via.endsWith('sni') ? 'sni' : 'the host, checked by auto SAN validation'}): the proxy rejects the server`,
          `Reissue the server certificate with DNS SAN ${expected[0]}${sans.length ? ', or list one of its SANs in subjectAltNames' : ''}.`);
      }
    }
  }
}
