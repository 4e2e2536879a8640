/**
 * Derives, from plain synthesized objects, the path of a plaintext call through a Gateway API egress gateway
 * (class `istio`, deployed by Istio as `<gw>-istio`) that originates TLS, link by link, the way Istio resolves
 * it (the "Gateway API" tabs of the task "Egress Gateways with TLS Origination"):
 *
 *  1. the client calls `http://<host>:<port>` from its namespace; its sidecar follows either the first `http`
 *     route of the VirtualService for the host bound to `mesh`, or the HTTPRoute whose parentRef is the
 *     host's ServiceEntry, to `<gw>-istio.<ns>.svc.<domain>:<gatewayPort>`;
 *  2. the DestinationRule for that host visible from the client's namespace sets `ISTIO_MUTUAL` on that port,
 *     with `sni` = the host;
 *  3. the Gateway `<gw>` of `<ns>` (class `istio`, annotation `networking.istio.io/service-type: ClusterIP`)
 *     has a listener on that port for the host (and the SNI): protocol HTTPS, tls `Terminate` with option
 *     `gateway.istio.io/tls-terminate-mode: ISTIO_MUTUAL`;
 *  4. the forward HTTPRoute (parentRef the Gateway, hostnames include the host), admitted by the listener's
 *     allowedRoutes, sends to a `Hostname` backend (networking.istio.io, known by a ServiceEntry with DNS
 *     resolution) or a Service (in another namespace: with a ReferenceGrant there for HTTPRoutes of the route's);
 *  5. the DestinationRule for that host visible from the gateway's namespace originates TLS on that port
 *     (`SIMPLE` or `MUTUAL`): its `sni` (else the host), `subjectAltNames`, `credentialName`;
 *  6. `credentialName` is a Secret of the GATEWAY's namespace, which ServiceAccount `<gw>-istio` may
 *     get/list/watch there (a Role or ClusterRole bound by a RoleBinding of that namespace): istiod's SDS
 *     checks exactly that before it hands the credential to a gateway deployed from a Gateway.
 *
 * Each broken link throws an Error naming the object (`Kind namespace/name`) and the field. Out-of-band
 * Secrets (`kubectl create secret`) are passed as `clusterSecrets`.
 */
import {
  GatewayCredential, destination, exportedTo, firstRoute, fqdn, hostMatch, id, list, lookupDestinationRule, nsOf, policyTls, readCredential, plaintextCall,
} from './gateway-chain';
import { Manifest, secretData } from './manifests';

export interface GatewayApiChainOptions {
  /** The client's plaintext call, `http://<host>[:<port>]`. */
  readonly url: string;
  /** Namespace of the calling workload (its sidecar's config namespace). */
  readonly clientNamespace: string;
  /** Secrets created out of band (`kubectl create secret`); Secrets in the objects win. */
  readonly clusterSecrets?: Manifest[];
  /** The mesh's root namespace (meshConfig.rootNamespace). @default 'istio-system' */
  readonly rootNamespace?: string;
  /** @default 'cluster.local' */
  readonly clusterDomain?: string;
}

export interface GatewayApiChain {
  readonly call: { readonly host: string; readonly port: number; readonly namespace: string };
  /** Step 1: the sidecar's route to `<gw>-istio` (a VirtualService for mesh or an HTTPRoute parented to a ServiceEntry). */
  readonly meshRoute: { readonly object: string; readonly field: string; readonly gatewayHost: string; readonly gatewayPort: number };
  /** Step 2: the DestinationRule for `<gw>-istio` as the client sees it. */
  readonly gatewayTls: { readonly destinationRule: string; readonly field: string; readonly sni: string };
  /** Step 3: the Gateway and its listener. */
  readonly listener: { readonly gateway: string; readonly field: string; readonly name: string; readonly port: number };
  /** Step 4: the forward HTTPRoute and its backend. */
  readonly forwardRoute: { readonly httpRoute: string; readonly backend: string; readonly referenceGrant?: string };
  /** Step 5: the TLS origination at the gateway. */
  readonly origination: { readonly destinationRule: string; readonly mode: 'SIMPLE' | 'MUTUAL'; readonly credentialName?: string; readonly subjectAltNames?: string[] };
  readonly sni: string;
  readonly verifyNames: string[];
  /** Step 6: the credential Secret and the RoleBinding that lets the gateway read it. */
  readonly credential?: GatewayCredential;
  readonly rbac?: { readonly role: string; readonly roleBinding: string };
  /** Where the gateway connects: the host and port (a Service of the manifests: its Service port). */
  readonly target: { readonly host: string; readonly port: number };
  readonly hops: string[];
}

const GW_GROUP = 'gateway.networking.k8s.io';
const ISTIO_GROUP = 'networking.istio.io';
const groupOf = (o: Manifest) => String(o.apiVersion ?? '').split('/')[0];

/** Whether a Gateway API hostname (exact, `*.suffix`, absent = any) admits a host. */
function admits(hostname: string | undefined, host: string): boolean {
  return hostname === undefined || hostMatch(hostname, host) > 0;
}

/** Whether an RBAC rule grants a verb on core `secrets` (optionally for one name). */
function grantsSecrets(rule: any, verb: string, name: string): boolean {
  const has = (xs: unknown, v: string) => Array.isArray(xs) && (xs.includes(v) || xs.includes('*'));
  return has(rule?.apiGroups, '') && has(rule?.resources, 'secrets') && has(rule?.verbs, verb)
    && (!rule.resourceNames?.length || rule.resourceNames.includes(name));
}

/** Follows the client's call through the Gateway API egress gateway to the TLS origination; throws at the first broken link. */
export function deriveGatewayApiChain(objects: Manifest[], options: GatewayApiChainOptions): GatewayApiChain {
  const objs = objects.filter((o) => o && typeof o === 'object' && o.kind && o.metadata);
  const of = (kind: string, group?: string) => objs.filter((o) => o.kind === kind && (group === undefined || groupOf(o) === group));
  const domain = options.clusterDomain ?? 'cluster.local';
  const rootNs = options.rootNamespace ?? 'istio-system';
  const clientNs = options.clientNamespace;
  const hops: string[] = [];

  // 0. The call.
  const { host, port } = plaintextCall(options.url);
  hops.push(`client in namespace ${clientNs} calls http://${host}:${port}`);

  // 1. The mesh hop: a VirtualService bound to mesh, or an HTTPRoute parented to the host's ServiceEntry.
  const hits: Array<{ object: Manifest; field: string; host: string; port: number; subset?: string }> = [];
  for (const vs of of('VirtualService').filter((v) => exportedTo(v, clientNs)
    && (v.spec?.hosts ?? []).some((h: string) => hostMatch(fqdn(h, nsOf(v), domain), host) > 0)
    && (v.spec?.gateways ?? ['mesh']).includes('mesh'))) {
    const hit = firstRoute(vs, 'mesh', port);
    if (!hit) {
      const seen = (vs.spec?.http ?? []).map((r: any, i: number) => `http[${i}] ${JSON.stringify(r.match ?? [])}`);
      throw new Error(`${id(vs)}: no spec.http route matches gateways mesh and port ${port} (${list(seen)})`);
    }
    const d = destination(vs, hit.index, hit.route, domain, []);
    hits.push({ object: vs, field: `spec.http[${hit.index}].route[0].destination`, ...d });
  }
  for (const r of of('HTTPRoute', GW_GROUP)) {
    const refs: any[] = r.spec?.parentRefs ?? [];
    const pi = refs.findIndex((p) => p?.kind === 'ServiceEntry' && p?.group === ISTIO_GROUP && (p.port === undefined || p.port === port) && (() => {
      const se = of('ServiceEntry').find((s) => s.metadata.name === p.name && nsOf(s) === (p.namespace ?? nsOf(r)));
      return se && (se.spec?.hosts ?? []).some((h: string) => hostMatch(h, host) > 0);
    })());
    if (pi < 0) continue;
    // GAMMA: a route in the client's namespace applies to it; a route in the service's (producer) namespace to all.
    const seNs = refs[pi].namespace ?? nsOf(r);
    if (nsOf(r) !== clientNs && nsOf(r) !== seNs) continue;
    const rules: any[] = r.spec?.rules ?? [];
    if (rules.length !== 1) throw new Error(`${id(r)}: spec.rules has ${rules.length} rules; this derivation follows exactly one`);
    if (rules[0].matches?.length) throw new Error(`${id(r)}: spec.rules[0].matches is set; this derivation follows unconditional rules only`);
    const backends: any[] = rules[0].backendRefs ?? [];
    if (backends.length !== 1) throw new Error(`${id(r)}: spec.rules[0].backendRefs has ${backends.length} backends; this derivation follows exactly one`);
    const b = backends[0];
    if ((b.kind ?? 'Service') !== 'Service' || (b.group ?? '') !== '') throw new Error(`${id(r)}: spec.rules[0].backendRefs[0] is a ${b.group ?? ''}/${b.kind}, not the gateway's Service`);
    if (typeof b.port !== 'number') throw new Error(`${id(r)}: spec.rules[0].backendRefs[0].port is not set`);
    hits.push({ object: r, field: 'spec.rules[0].backendRefs[0]', host: `${b.name}.${b.namespace ?? nsOf(r)}.svc.${domain}`, port: b.port });
  }
  if (hits.length === 0) {
    throw new Error(`no VirtualService bound to mesh and no HTTPRoute parented to a ServiceEntry routes ${host}:${port} for namespace ${clientNs}`
      + ` (VirtualServices: ${list(of('VirtualService').map(id))}; HTTPRoutes: ${list(of('HTTPRoute').map(id))}): the sidecar would call the host directly, not the gateway`);
  }
  if (hits.length > 1) throw new Error(`${hits.map((h) => id(h.object)).join(' and ')} all route ${host} for the mesh; this derivation does not merge routes`);
  const mesh = hits[0];
  const gwHost = mesh.host;
  const gwPort = mesh.port;
  const m = new RegExp(`^([a-z0-9-]+)-istio\\.([a-z0-9-]+)\\.svc\\.${domain.replace(/\./g, '\\.')}$`).exec(gwHost);
  const gw = m && of('Gateway', GW_GROUP).find((g) => g.metadata.name === m[1] && nsOf(g) === m[2]);
  if (!gw) {
    throw new Error(`${id(mesh.object)}: ${mesh.field} sends to ${gwHost}, which is not the Service <name>-istio of a Gateway of the manifests`
      + ` (Gateways: ${list(of('Gateway', GW_GROUP).map((g) => `${id(g)} -> ${g.metadata.name}-istio.${nsOf(g)}.svc.${domain}`))})`);
  }
  const gwNs = nsOf(gw);
  const gwName: string = gw.metadata.name;
  const serviceAccount = `${gwName}-istio`;
  if (mesh.subset !== undefined) throw new Error(`${id(mesh.object)}: ${mesh.field}.subset ${mesh.subset}: a Gateway API gateway's DestinationRule has no subsets in this flow`);
  hops.push(`${id(mesh.object)} ${mesh.field} (mesh, port ${port}) -> ${gwHost}:${gwPort}`);

  // 2. The DestinationRule for <gw>-istio as the client sees it: ISTIO_MUTUAL with sni = the host on that port.
  const gwLookup = lookupDestinationRule(objs, gwHost, clientNs, gwNs, rootNs, domain, undefined);
  if (!gwLookup.dr) {
    throw new Error(`no DestinationRule for the gateway's Service ${gwHost} is visible from the client's namespace ${clientNs} (looked in ${gwLookup.searched.join(', ')};`
      + ` DestinationRules for it: ${list(of('DestinationRule').filter((d) => d.spec?.host === gwHost).map(id))}): the sidecar would send plaintext to the gateway`);
  }
  const gwDr = gwLookup.dr;
  const gwTlsAt = policyTls(gwDr.spec?.trafficPolicy, gwPort);
  const gwTlsField = gwTlsAt ? `spec.trafficPolicy.${gwTlsAt.field}` : 'spec.trafficPolicy';
  if (gwTlsAt?.tls?.mode !== 'ISTIO_MUTUAL') {
    throw new Error(`${id(gwDr)}: ${gwTlsAt ? `${gwTlsField}.mode is ${gwTlsAt.tls.mode ?? '(unset)'}` : `sets no TLS for port ${gwPort}`}; the sidecar must send ISTIO_MUTUAL to the gateway's listener on port ${gwPort}`);
  }
  const gwSni: string | undefined = gwTlsAt.tls.sni;
  if (gwSni !== host) {
    throw new Error(`${id(gwDr)}: ${gwTlsField}.sni is ${gwSni ?? '(unset)'}, not the host ${host}; the gateway selects its listener's filter chain by SNI`);
  }
  hops.push(`${id(gwDr)} ${gwTlsField}: ISTIO_MUTUAL, sni ${gwSni}`);

  // 3. The Gateway: class istio, ClusterIP, a listener on that port for the host terminating Istio mutual TLS.
  if (gw.spec?.gatewayClassName !== 'istio') {
    throw new Error(`${id(gw)}: spec.gatewayClassName is ${gw.spec?.gatewayClassName ?? '(unset)'}, not istio: Istio deploys no ${serviceAccount} for it`);
  }
  const serviceType = gw.metadata.annotations?.['networking.istio.io/service-type'];
  if (serviceType !== 'ClusterIP') {
    throw new Error(`${id(gw)}: metadata.annotations["networking.istio.io/service-type"] is ${serviceType ?? '(unset, i.e. LoadBalancer)'}; an egress gateway's Service must be ClusterIP`);
  }
  const listeners: any[] = gw.spec?.listeners ?? [];
  const onPort = listeners.map((l, i) => ({ l, i })).filter(({ l }) => l?.port === gwPort);
  if (onPort.length === 0) {
    throw new Error(`${id(mesh.object)}: ${mesh.field} port ${gwPort} is no listener port of ${id(gw)} (spec.listeners ports: ${list(listeners.map((l) => l?.port))})`);
  }
  const forHost = onPort.filter(({ l }) => admits(l.hostname, host));
  if (forHost.length === 0) {
    throw new Error(`${onPort.map(({ l, i }) => `${id(gw)}: spec.listeners[${i}].hostname ${l.hostname}`).join('; ')} on port ${gwPort} does not admit ${host}`);
  }
  if (forHost.length > 1) throw new Error(`${id(gw)}: ${forHost.map(({ i }) => `spec.listeners[${i}]`).join(' and ')} all admit ${host} on port ${gwPort}`);
  const { l: listener, i: li } = forHost[0];
  const lField = `spec.listeners[${li}]`;
  if (listener.protocol !== 'HTTPS') throw new Error(`${id(gw)}: ${lField}.protocol is ${listener.protocol}, not HTTPS (the sidecar sends Istio mutual TLS)`);
  if ((listener.tls?.mode ?? 'Terminate') !== 'Terminate') throw new Error(`${id(gw)}: ${lField}.tls.mode is ${listener.tls.mode}, not Terminate`);
  const termMode = listener.tls?.options?.['gateway.istio.io/tls-terminate-mode'];
  if (termMode !== 'ISTIO_MUTUAL') {
    throw new Error(`${id(gw)}: ${lField}.tls.options["gateway.istio.io/tls-terminate-mode"] is ${termMode ?? '(unset)'}, not ISTIO_MUTUAL, but the sidecar sends Istio mutual TLS (${id(gwDr)} ${gwTlsField})`);
  }
  hops.push(`${id(gw)} ${lField} "${listener.name}": port ${gwPort}, hostname ${listener.hostname ?? '(any)'}, HTTPS Terminate ISTIO_MUTUAL`);

  // 4. The forward HTTPRoute, admitted by the listener, and its backend.
  const parented = (r: Manifest) => (r.spec?.parentRefs ?? []).some((p: any) => (p?.group ?? GW_GROUP) === GW_GROUP && (p?.kind ?? 'Gateway') === 'Gateway'
    && p?.name === gwName && (p.namespace ?? nsOf(r)) === gwNs && (p.sectionName === undefined || p.sectionName === listener.name) && (p.port === undefined || p.port === gwPort));
  const forward = of('HTTPRoute', GW_GROUP).filter((r) => parented(r) && (r.spec?.hostnames ?? ['*']).some((h: string) => hostMatch(h, host) > 0));
  if (forward.length === 0) {
    throw new Error(`no HTTPRoute parented to ${id(gw)} ${lField} lists ${host} in spec.hostnames (HTTPRoutes: ${list(of('HTTPRoute').map(id))}): the gateway has no route for the host`);
  }
  if (forward.length > 1) throw new Error(`${forward.map(id).join(' and ')} all route ${host} at ${id(gw)}; this derivation does not merge routes`);
  const route = forward[0];
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'Same' ? nsOf(route) !== gwNs : from !== 'All') {
    throw new Error(`${id(gw)}: ${lField}.allowedRoutes.namespaces.from ${from} does not admit ${id(route)} of namespace ${nsOf(route)}`
      + `${from === 'Selector' ? ' (Selector is not followed by this derivation)' : ''}`);
  }
  const kinds: any[] | undefined = listener.allowedRoutes?.kinds;
  if (kinds?.length && !kinds.some((k) => k?.kind === 'HTTPRoute')) throw new Error(`${id(gw)}: ${lField}.allowedRoutes.kinds does not admit HTTPRoute`);
  const rules: any[] = route.spec?.rules ?? [];
  if (rules.length !== 1) throw new Error(`${id(route)}: spec.rules has ${rules.length} rules; this derivation follows exactly one`);
  if (rules[0].matches?.length) throw new Error(`${id(route)}: spec.rules[0].matches is set; this derivation follows unconditional rules only`);
  const backends: any[] = rules[0].backendRefs ?? [];
  if (backends.length !== 1) throw new Error(`${id(route)}: spec.rules[0].backendRefs has ${backends.length} backends; this derivation follows exactly one`);
  const b = backends[0];
  const bField = `${id(route)}: spec.rules[0].backendRefs[0]`;
  if (typeof b.port !== 'number') throw new Error(`${bField}.port is not set`);
  let destHost: string;
  let serviceNs: string | undefined;
  let referenceGrant: string | undefined;
  let backend: string;
  let targetPort: number = b.port;
  if (b.kind === 'Hostname') {
    if (b.group !== ISTIO_GROUP) throw new Error(`${bField}.group is ${b.group ?? '(core)'}; kind Hostname is of group ${ISTIO_GROUP}`);
    destHost = b.name;
    const ses = of('ServiceEntry').filter((se) => exportedTo(se, gwNs) && (se.spec?.hosts ?? []).some((h: string) => hostMatch(h, destHost) > 0));
    if (ses.length !== 1) throw new Error(`${bField} (Hostname ${destHost}): ${ses.length} ServiceEntries exported to ${gwNs} define it (${list(ses.map(id))}); this derivation needs exactly one`);
    const se = ses[0];
    const resolution = se.spec.resolution ?? 'NONE';
    if (resolution !== 'DNS' && resolution !== 'DNS_ROUND_ROBIN') throw new Error(`${id(se)}: spec.resolution ${resolution}; the gateway must resolve ${destHost} by DNS`);
    const sePort = (se.spec.ports ?? []).find((p: any) => p?.number === b.port);
    if (!sePort) throw new Error(`${id(se)}: spec.ports has no port ${b.port}, which ${bField} sends to`);
    targetPort = sePort.targetPort ?? b.port;
    serviceNs = nsOf(se);
    backend = `Hostname ${destHost}:${b.port} (${id(se)}, ${resolution})`;
  } else {
    if ((b.kind ?? 'Service') !== 'Service' || (b.group ?? '') !== '') throw new Error(`${bField} is a ${b.group ?? ''}/${b.kind}; this derivation follows Service and ${ISTIO_GROUP}/Hostname backends`);
    const bNs: string = b.namespace ?? nsOf(route);
    if (bNs !== nsOf(route)) {
      const grant = of('ReferenceGrant', GW_GROUP).find((g) => nsOf(g) === bNs
        && (g.spec?.from ?? []).some((f: any) => f?.group === GW_GROUP && f?.kind === 'HTTPRoute' && f?.namespace === nsOf(route))
        && (g.spec?.to ?? []).some((t: any) => (t?.group ?? '') === '' && t?.kind === 'Service' && (t.name === undefined || t.name === b.name)));
      if (!grant) {
        throw new Error(`${bField}.namespace ${bNs}: no ReferenceGrant in ${bNs} lets HTTPRoutes of ${nsOf(route)} refer to Service ${b.name}`
          + ` (ReferenceGrants: ${list(of('ReferenceGrant').map(id))}); the reference is refused`);
      }
      referenceGrant = id(grant);
    }
    const svc = of('Service').find((s) => s.metadata.name === b.name && nsOf(s) === bNs);
    if (!svc) throw new Error(`${bField}: Service ${bNs}/${b.name} is not in the manifests`);
    if (!exportedTo(svc, gwNs)) throw new Error(`${id(svc)}: annotation networking.istio.io/exportTo hides it from the gateway's namespace ${gwNs}`);
    if (!(svc.spec?.ports ?? []).some((p: any) => p?.port === b.port)) throw new Error(`${id(svc)}: spec.ports has no port ${b.port}, which ${bField} sends to`);
    destHost = `${b.name}.${bNs}.svc.${domain}`;
    serviceNs = bNs;
    backend = `Service ${bNs}/${b.name}:${b.port}${referenceGrant ? ` (granted by ${referenceGrant})` : ''}`;
  }
  hops.push(`${id(route)} (parent ${id(gw)}, hostnames ${list(route.spec?.hostnames ?? [])}) -> ${backend}`);

  // 5. The DestinationRule that originates TLS at the gateway.
  const podLabels = { 'gateway.networking.k8s.io/gateway-name': gwName };
  const lookup = lookupDestinationRule(objs, destHost, gwNs, serviceNs, rootNs, domain, podLabels);
  if (!lookup.dr) {
    throw new Error(`no DestinationRule for ${destHost} applies at the gateway ${serviceAccount} (looked in ${lookup.searched.join(', ')};`
      + ` DestinationRules for the host: ${list(of('DestinationRule').filter((d) => d.spec?.host === destHost).map(id))}): the gateway would send plaintext to port ${b.port}`);
  }
  const dr = lookup.dr;
  const orig = policyTls(dr.spec.trafficPolicy, b.port);
  const tlsField = orig ? `spec.trafficPolicy.${orig.field}` : 'spec.trafficPolicy';
  const mode = orig?.tls?.mode;
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL') {
    throw new Error(`${id(dr)}: ${orig ? `${tlsField}.mode is ${mode ?? '(unset)'}` : `sets no TLS for port ${b.port}`}; the gateway originates TLS on ${destHost}:${b.port} only with SIMPLE or MUTUAL`);
  }
  const tls = orig!.tls;
  if (tls.insecureSkipVerify) throw new Error(`${id(dr)}: ${tlsField}.insecureSkipVerify is set; this derivation expects the server to be verified`);
  const sni: string = tls.sni ?? host;
  const verifyNames: string[] = tls.subjectAltNames?.length ? tls.subjectAltNames : [sni];
  hops.push(`${id(dr)} ${tlsField}: ${mode}, sni ${sni}${tls.credentialName ? `, credentialName ${tls.credentialName}` : ''}`);

  // 6. The credential: a Secret of the gateway's namespace that <gw>-istio may read.
  let credential: GatewayCredential | undefined;
  let rbac: GatewayApiChain['rbac'];
  if (mode === 'MUTUAL' && !tls.credentialName) {
    throw new Error(`${id(dr)}: ${tlsField}.credentialName is not set; MUTUAL origination at a gateway needs the client credential as a Secret of the gateway's namespace ${gwNs}`);
  }
  if (tls.credentialName) {
    const name: string = tls.credentialName;
    const secrets = [...of('Secret'), ...(options.clusterSecrets ?? []).filter((s) => s?.kind === 'Secret')];
    const find = (ns: string, n: string) => secrets.find((s) => nsOf(s) === ns && s.metadata.name === n);
    const secret = find(gwNs, name);
    const at = `${id(dr)}: ${tlsField}.credentialName "${name}"`;
    if (!secret) {
      const elsewhere = secrets.filter((s) => s.metadata.name === name).map((s) => `${nsOf(s)}/${name}${nsOf(s) === clientNs ? " (the client's namespace)" : ''}`);
      throw new Error(`${at}: no Secret ${gwNs}/${name}; the gateway ${serviceAccount} reads credentials from its own namespace ${gwNs} only`
        + `${elsewhere.length ? ` (found ${elsewhere.join(', ')})` : ''}`);
    }
    credential = readCredential(find, gwNs, name, secret);
    const keys = Object.keys(secretData(secret)).join(', ');
    if (mode === 'MUTUAL' && (!credential.cert || !credential.key)) throw new Error(`${at}: Secret ${credential.secret} has no client certificate and key (tls.crt/tls.key or cert/key; keys: ${keys})`);
    if (!credential.ca) throw new Error(`${at}: Secret ${credential.secret} has no CA certificate (ca.crt or cacert, or a Secret ${name}-cacert; keys: ${keys}); this derivation expects the server to be verified`);

    const bindings = of('RoleBinding').filter((rb) => nsOf(rb) === gwNs
      && (rb.subjects ?? []).some((s: any) => s?.kind === 'ServiceAccount' && s.name === serviceAccount && (s.namespace ?? nsOf(rb)) === gwNs));
    const roleOf = (rb: Manifest) => (rb.roleRef?.kind === 'ClusterRole'
      ? of('ClusterRole').find((r) => r.metadata.name === rb.roleRef.name)
      : of('Role').find((r) => nsOf(r) === gwNs && r.metadata.name === rb.roleRef?.name));
    const granting = bindings.map((rb) => ({ rb, role: roleOf(rb) }))
      .find(({ role }) => role && ['get', 'list', 'watch'].every((v) => (role.rules ?? []).some((r: any) => grantsSecrets(r, v, name))));
    if (!granting) {
      const others = of('RoleBinding').filter((rb) => nsOf(rb) === gwNs).map((rb) => `${id(rb)} subjects ${JSON.stringify(rb.subjects ?? [])}`);
      throw new Error(`${at}: no RoleBinding in ${gwNs} grants ServiceAccount ${gwNs}/${serviceAccount} get, list and watch on secrets`
        + ` (${bindings.length ? `bound: ${bindings.map(id).join(', ')}, whose roles fall short` : `RoleBindings of ${gwNs}: ${list(others)}`}); istiod's SDS refuses the gateway the credential`);
    }
    rbac = { role: id(granting.role!), roleBinding: id(granting.rb) };
    hops.push(`Secret ${credential.secret} (${mode === 'MUTUAL' ? 'client certificate, key and CA' : 'CA'}), readable by ${serviceAccount} through ${rbac.roleBinding} -> ${rbac.role}`);
  }

  return {
    call: { host, port, namespace: clientNs },
    meshRoute: { object: id(mesh.object), field: mesh.field, gatewayHost: gwHost, gatewayPort: gwPort },
    gatewayTls: { destinationRule: id(gwDr), field: gwTlsField, sni: gwSni },
    listener: { gateway: id(gw), field: lField, name: listener.name, port: gwPort },
    forwardRoute: { httpRoute: id(route), backend, referenceGrant },
    origination: { destinationRule: id(dr), mode, credentialName: tls.credentialName, subjectAltNames: tls.subjectAltNames },
    sni,
    verifyNames,
    credential,
    rbac,
    target: { host: destHost, port: targetPort },
    hops,
  };
}
