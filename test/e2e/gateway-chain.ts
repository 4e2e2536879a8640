/**
 * Derives, from plain synthesized objects, the path of a plaintext call through an Istio egress gateway
 * that originates TLS, link by link, the way Istio resolves it (Istio API flow of the task "Egress
 * Gateways with TLS Origination"):
 *
 *  1. the client calls `http://<host>:<port>` from its namespace; its sidecar takes the first `http` route
 *     of the VirtualService for the host bound to `mesh` whose match names `mesh` and the port;
 *  2. that route sends to a subset and port of the egress gateway's Service; the DestinationRule for the
 *     gateway's Service visible from the client's namespace (Istio's lookup: the client's namespace, the
 *     Service's, the root namespace) defines the subset, with TLS `ISTIO_MUTUAL` and an `sni` on that port;
 *  3. the port is a server port of a Gateway selecting the gateway's pods, serving the host (and the SNI)
 *     with TLS `ISTIO_MUTUAL`; Istio binds it to the Service port's targetPort;
 *  4. at the gateway, the first `http` route of a VirtualService bound to that Gateway whose match names the
 *     Gateway and the server port sends to `<host>:<port>`;
 *  5. the host is known at the gateway: a ServiceEntry exported to the gateway's namespace (resolution
 *     `DNS` or `DNS_ROUND_ROBIN`; `NONE` makes the gateway forward to the original destination, itself),
 *     or a Service of the manifests exported to the gateway's namespace;
 *  6. the DestinationRule for the host visible from the gateway's namespace (same lookup, its
 *     `workloadSelector`, if any, must select the gateway's pods) originates TLS (`SIMPLE` or `MUTUAL`) on
 *     that port: its `sni` (else the Host, Istio's auto_sni), `subjectAltNames` and `credentialName`;
 *  7. `credentialName` is a Secret of the GATEWAY's namespace (the gateway reads only its own Secrets):
 *     `tls.crt`/`tls.key`/`ca.crt` or `cert`/`key`/`cacert`, the CA possibly in `<name>-cacert`.
 *
 * Each broken link throws an Error naming the object (`Kind namespace/name`) and the field. Out-of-band
 * Secrets (`kubectl create secret`) are passed as `clusterSecrets`. The egress gateway itself (Service,
 * pods) is installed out of band and described by an `EgressGateway`.
 */
import { EgressGateway } from '../../src';
import { Manifest, secretData } from './manifests';

export interface GatewayChainOptions {
  /**
   * The client's plaintext call, `http://<host>[:<port>]`.
   */
  readonly url: string;
  /** Namespace of the calling workload (its sidecar's config namespace). */
  readonly clientNamespace: string;
  /** Labels of the client's pods: only used for DestinationRules with a workloadSelector. @default - none */
  readonly clientLabels?: Record<string, string>;
  /** The installed egress gateway. @default EgressGateway.fromAttributes() (istio-egressgateway in istio-system) */
  readonly gateway?: EgressGateway;
  /** Secrets created out of band (`kubectl create secret`); Secrets in the objects win. */
  readonly clusterSecrets?: Manifest[];
  /** The mesh's root namespace (meshConfig.rootNamespace). @default 'istio-system' */
  readonly rootNamespace?: string;
}

/** The credential the gateway presents (MUTUAL) or verifies the server with. */
export interface GatewayCredential {
  /** `namespace/name` of the Secret. */
  readonly secret: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
}

export interface GatewayChain {
  /** The client's call. */
  readonly call: { readonly host: string; readonly port: number; readonly namespace: string };
  /** Step 1–2: the sidecar's route to the gateway. */
  readonly meshRoute: { readonly virtualService: string; readonly route: string; readonly gatewayHost: string; readonly gatewayPort: number; readonly subset?: string };
  /** Step 2: the gateway DestinationRule and the TLS the sidecar uses to the gateway. */
  readonly gatewaySubset: { readonly destinationRule: string; readonly mode: string; readonly sni: string };
  /** Step 3: the Gateway server; `targetPort` is the gateway pods' port it listens on. */
  readonly gatewayServer: { readonly gateway: string; readonly server: string; readonly port: number; readonly targetPort: number };
  /** Step 4: the gateway's route. */
  readonly gatewayRoute: { readonly virtualService: string; readonly route: string; readonly host: string; readonly port: number };
  /** Step 5: how the gateway knows the host. */
  readonly registry: { readonly object: string; readonly resolution: string };
  /** Step 6: the TLS origination at the gateway. */
  readonly origination: {
    readonly destinationRule: string;
    readonly mode: 'SIMPLE' | 'MUTUAL';
    readonly credentialName?: string;
    readonly subjectAltNames?: string[];
  };
  /** SNI the gateway sends: the DestinationRule's `sni`, else the Host of the request (auto_sni). */
  readonly sni: string;
  /** Names the gateway verifies the server certificate against: subjectAltNames, else the SNI (auto_san_validation). */
  readonly verifyNames: string[];
  /** Step 7: the credential Secret (MUTUAL: client certificate and key; SIMPLE: CA), when one is named. */
  readonly credential?: GatewayCredential;
  /**
   * Where the gateway connects: the host and the ServiceEntry port's targetPort, or for a Service of the
   * manifests its host and Service port (`deriveServer` follows it to the container).
   */
  readonly target: { readonly host: string; readonly port: number };
  /** The links, one line each, for logs. */
  readonly hops: string[];
}

export const nsOf = (o: Manifest) => o.metadata.namespace ?? 'default';
export const id = (o: Manifest) => `${o.kind} ${nsOf(o)}/${o.metadata.name}`;
export const list = (xs: unknown[]) => (xs.length ? xs.map((x) => String(x)).join(', ') : 'none');

/** A host as Istio reads it in a config of namespace `ns`: short names are `<name>.<ns>.svc.<domain>`. */
export function fqdn(name: string, ns: string, domain: string): string {
  return name.includes('.') || name === '*' ? name : `${name}.${ns}.svc.${domain}`;
}

/** Whether a host pattern (exact, `*`, `*.suffix`) matches a host; 0 when not, else its specificity. */
export function hostMatch(pattern: string, host: string): number {
  if (pattern === host) return 1000 + pattern.length;
  if (pattern === '*') return 1;
  if (pattern.startsWith('*.') && host.endsWith(pattern.slice(1))) return pattern.length;
  return 0;
}

/** Whether an object is exported to namespace `ns` (Istio `spec.exportTo`; the Service annotation). */
export function exportedTo(o: Manifest, ns: string): boolean {
  const raw: string[] | undefined = o.kind === 'Service'
    ? o.metadata.annotations?.['networking.istio.io/exportTo']?.split(',').map((s: string) => s.trim())
    : o.spec?.exportTo;
  if (!raw || raw.length === 0) return true; // Istio's default: every namespace
  return raw.some((e) => e === '*' || e === ns || (e === '.' && nsOf(o) === ns));
}

export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

/** The TLS settings a traffic policy applies on a port: its portLevelSettings entry, else its `tls`. */
export function policyTls(policy: any, port: number): { tls: any; field: string } | undefined {
  const i = (policy?.portLevelSettings ?? []).findIndex((p: any) => p?.port?.number === port);
  if (i >= 0) {
    const tls = policy.portLevelSettings[i].tls;
    return tls ? { tls, field: `portLevelSettings[${i}].tls` } : undefined;
  }
  return policy?.tls ? { tls: policy.tls, field: 'tls' } : undefined;
}

/** The VirtualService's gateways, as `namespace/name` (and `mesh`); Istio's default is `mesh`. */
function gatewayRefs(vs: Manifest, refs: string[] | undefined): string[] {
  return (refs ?? vs.spec?.gateways ?? ['mesh']).map((g: string) => (g === 'mesh' || g.includes('/') ? g : `${nsOf(vs)}/${g}`));
}

const ROUTE_KEYS = new Set(['gateways', 'port', 'name']);

/**
 * The first `http` route of a VirtualService taken for a request on `port` through `gateway` (`mesh` or
 * `namespace/name`), with the index of the match; refuses matches on anything else (uri, headers ...).
 */
export function firstRoute(vs: Manifest, gateway: string, port: number): { index: number; route: any } | undefined {
  const routes: any[] = vs.spec?.http ?? [];
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index];
    const matches: any[] = route.match?.length ? route.match : [{}];
    for (const [j, m] of matches.entries()) {
      if (!gatewayRefs(vs, m.gateways).includes(gateway)) continue;
      if (m.port !== undefined && m.port !== port) continue;
      const other = Object.keys(m).filter((k) => !ROUTE_KEYS.has(k));
      if (other.length) {
        throw new Error(`${id(vs)}: spec.http[${index}].match[${j}] also matches on ${other.join(', ')}; this derivation follows gateways and port matches only`);
      }
      return { index, route };
    }
  }
  return undefined;
}

/** The single destination of a route, with its host made fully qualified and its port. */
export function destination(vs: Manifest, index: number, route: any, domain: string, defaultPorts: number[]): { host: string; port: number; subset?: string } {
  const at = `${id(vs)}: spec.http[${index}].route`;
  const dests: any[] = route.route ?? [];
  if (dests.length !== 1) throw new Error(`${at} has ${dests.length} destinations; this derivation follows exactly one`);
  const d = dests[0].destination ?? {};
  if (!d.host) throw new Error(`${at}[0].destination.host is not set`);
  let port: number | undefined = d.port?.number;
  if (port === undefined) {
    if (defaultPorts.length !== 1) throw new Error(`${at}[0].destination.port is not set, and the destination has ports ${list(defaultPorts)}`);
    port = defaultPorts[0];
  }
  return { host: fqdn(d.host, nsOf(vs), domain), port, subset: d.subset };
}

/**
 * Istio's DestinationRule lookup (`PushContext.destinationRule`) for a proxy of namespace `proxyNs` and a
 * service of namespace `serviceNs`: first the proxy's namespace (for a proxy of the root namespace: the
 * root namespace's rules exported only to itself), then the rules of the service's namespace exported to
 * the proxy's, then those of the root namespace; in each, the most specific host. Rules whose
 * workloadSelector does not select the proxy's pods do not apply to it.
 */
export function lookupDestinationRule(objects: Manifest[], host: string, proxyNs: string, serviceNs: string | undefined, rootNs: string,
  domain: string, proxyLabels: Record<string, string> | undefined): { dr?: Manifest; searched: string[]; ignored: Manifest[] } {
  const privateOnly = (dr: Manifest) => {
    const e: string[] = dr.spec?.exportTo ?? [];
    return e.length > 0 && e.every((x) => x === '.' || x === nsOf(dr));
  };
  const steps: Array<{ ns: string; admit: (dr: Manifest) => boolean }> = [
    proxyNs !== rootNs ? { ns: proxyNs, admit: () => true } : { ns: rootNs, admit: privateOnly },
    ...(serviceNs ? [{ ns: serviceNs, admit: (dr: Manifest) => exportedTo(dr, proxyNs) }] : []),
    { ns: rootNs, admit: (dr: Manifest) => exportedTo(dr, proxyNs) },
  ];
  const ignored = new Set<Manifest>();
  for (const { ns, admit } of steps) {
    const candidates = objects.filter((o) => o.kind === 'DestinationRule' && nsOf(o) === ns && admit(o)
      && typeof o.spec?.host === 'string' && hostMatch(fqdn(o.spec.host, ns, domain), host) > 0);
    const applying = candidates.filter((dr) => {
      if (!dr.spec.workloadSelector) return true;
      const applies = proxyLabels !== undefined && selects(dr.spec.workloadSelector.matchLabels, proxyLabels) && (ns === proxyNs || ns === rootNs);
      if (!applies) ignored.add(dr);
      return applies;
    });
    if (applying.length === 0) continue;
    const best = Math.max(...applying.map((dr) => hostMatch(fqdn(dr.spec.host, ns, domain), host)));
    const top = applying.filter((dr) => hostMatch(fqdn(dr.spec.host, ns, domain), host) === best);
    if (top.length > 1) throw new Error(`${top.map(id).join(' and ')} both apply to ${host} from namespace ${proxyNs}; this derivation does not merge DestinationRules`);
    return { dr: top[0], searched: [...new Set(steps.map((st) => st.ns))], ignored: [...ignored] };
  }
  return { searched: [...new Set(steps.map((st) => st.ns))], ignored: [...ignored] };
}

/** Reads a credential Secret the way Istio's SDS does (TLS keys, generic keys, `<name>-cacert`). */
export function readCredential(find: (ns: string, name: string) => Manifest | undefined, ns: string, name: string, secret: Manifest): GatewayCredential {
  const data = secretData(secret);
  const str = (...keys: string[]) => keys.map((k) => data[k]).find((v) => v !== undefined)?.toString('utf8');
  let ca = str('ca.crt', 'cacert');
  if (ca === undefined) {
    const caSecret = find(ns, `${name}-cacert`);
    if (caSecret) {
      const d = secretData(caSecret);
      ca = (d['ca.crt'] ?? d.cacert)?.toString('utf8');
    }
  }
  return { secret: `${ns}/${name}`, cert: str('tls.crt', 'cert'), key: str('tls.key', 'key'), ca };
}

/** Host and port of the client's plaintext `http://` call. */
export function plaintextCall(callUrl: string): { host: string; port: number } {
  const url = new URL(callUrl);
  if (url.protocol !== 'http:') throw new Error(`url must be a plaintext http:// call (got ${callUrl})`);
  return { host: url.hostname, port: url.port ? Number(url.port) : 80 };
}

/** Follows the client's call through the egress gateway to the TLS origination; throws at the first broken link. */
export function deriveGatewayChain(objects: Manifest[], options: GatewayChainOptions): GatewayChain {
  const objs = objects.filter((o) => o && typeof o === 'object' && o.kind && o.metadata);
  const of = (kind: string) => objs.filter((o) => o.kind === kind);
  const gateway = options.gateway ?? EgressGateway.fromAttributes();
  const domain = gateway.clusterDomain;
  const rootNs = options.rootNamespace ?? 'istio-system';
  const clientNs = options.clientNamespace;
  const hops: string[] = [];

  // 0. The call.
  const { host, port } = plaintextCall(options.url);
  hops.push(`client in namespace ${clientNs} calls http://${host}:${port}`);

  // 1. The sidecar's route: VirtualServices for the host bound to mesh, visible from the client's namespace.
  const meshVss = of('VirtualService').filter((vs) => exportedTo(vs, clientNs)
    && (vs.spec?.hosts ?? []).some((h: string) => hostMatch(fqdn(h, nsOf(vs), domain), host) > 0)
    && gatewayRefs(vs, undefined).includes('mesh'));
  if (meshVss.length === 0) {
    throw new Error(`no VirtualService bound to mesh routes ${host} for namespace ${clientNs} (VirtualServices: ${list(of('VirtualService').map(id))}): the sidecar would call the host directly, not the gateway`);
  }
  if (meshVss.length > 1) throw new Error(`${meshVss.map(id).join(' and ')} all route ${host} for the mesh; this derivation does not merge VirtualServices`);
  const meshVs = meshVss[0];
  const meshHit = firstRoute(meshVs, 'mesh', port);
  if (!meshHit) {
    const seen = (meshVs.spec?.http ?? []).map((r: any, i: number) => `http[${i}] ${JSON.stringify(r.match ?? [])}`);
    throw new Error(`${id(meshVs)}: no spec.http route matches gateways mesh and port ${port} (${list(seen)})`);
  }
  const meshRouteField = `spec.http[${meshHit.index}]`;
  const toGw = destination(meshVs, meshHit.index, meshHit.route, domain, gateway.portNumbers);
  if (toGw.host !== gateway.host) {
    throw new Error(`${id(meshVs)}: ${meshRouteField}.route[0].destination.host is ${toGw.host}, not the egress gateway's Service ${gateway.host}`);
  }
  if (!gateway.hasPort(toGw.port)) {
    throw new Error(`${id(meshVs)}: ${meshRouteField}.route[0].destination.port.number ${toGw.port} is no port of the egress gateway's Service ${gateway.host} (${list(gateway.portNumbers)})`);
  }
  const gatewayPort = toGw.port;
  hops.push(`${id(meshVs)} ${meshRouteField} (mesh, port ${port}) -> ${gateway.host} subset ${toGw.subset ?? '(none)'} port ${gatewayPort}`);

  // 2. The gateway's DestinationRule as the client sees it: the subset, ISTIO_MUTUAL with the SNI on that port.
  const gwLookup = lookupDestinationRule(objs, gateway.host, clientNs, gateway.namespace, rootNs, domain, options.clientLabels);
  if (!gwLookup.dr) {
    throw new Error(`no DestinationRule for the egress gateway's Service ${gateway.host} is visible from the client's namespace ${clientNs} (looked in ${gwLookup.searched.join(', ')}`
      + `${gwLookup.ignored.length ? `; ${gwLookup.ignored.map(id).join(', ')} select other workloads` : ''}`
      + `; DestinationRules for it: ${list(of('DestinationRule').filter((d) => d.spec?.host === gateway.host).map(id))}), so ${id(meshVs)} ${meshRouteField} has no subset ${toGw.subset ?? ''} to send to`);
  }
  const gwDr = gwLookup.dr;
  let subsetPolicy: any;
  let subsetField = 'spec.trafficPolicy';
  if (toGw.subset !== undefined) {
    const subsets: any[] = gwDr.spec.subsets ?? [];
    const si = subsets.findIndex((s) => s?.name === toGw.subset);
    if (si < 0) {
      throw new Error(`${id(gwDr)}: spec.subsets has no subset "${toGw.subset}" (subsets: ${list(subsets.map((s) => s?.name))}), which ${id(meshVs)} ${meshRouteField} sends to`);
    }
    subsetPolicy = subsets[si].trafficPolicy;
    subsetField = `spec.subsets[${si}].trafficPolicy`;
  }
  const ownTls = policyTls(subsetPolicy, gatewayPort);
  const gwTls = ownTls ? { ...ownTls, field: `${subsetField}.${ownTls.field}` } : (() => {
    const t = policyTls(gwDr.spec.trafficPolicy, gatewayPort);
    return t && { ...t, field: `spec.trafficPolicy.${t.field}` };
  })();
  if (gwTls?.tls?.mode !== 'ISTIO_MUTUAL') {
    throw new Error(`${id(gwDr)}: ${gwTls ? `${gwTls.field}.mode is ${gwTls.tls.mode}` : `${subsetField} sets no TLS for port ${gatewayPort}`}; the sidecar must send ISTIO_MUTUAL to the Gateway server (subset ${toGw.subset ?? '(none)'}, port ${gatewayPort})`);
  }
  if (!gwTls.tls.sni) {
    throw new Error(`${id(gwDr)}: ${gwTls.field}.sni is not set; the Gateway server selects its filter chain by SNI, so it must be the host (${host})`);
  }
  const gwSni: string = gwTls.tls.sni;
  hops.push(`${id(gwDr)} ${gwTls.field}: ISTIO_MUTUAL, sni ${gwSni}`);

  // 3. The Gateway server on that port: selects the gateway pods, serves the host and the SNI, ISTIO_MUTUAL.
  const serverHost = (h: string, gw: Manifest) => {
    const [nsPart, dns] = h.includes('/') ? h.split('/', 2) : ['*', h];
    return { ns: nsPart === '.' ? nsOf(gw) : nsPart, dns };
  };
  const selecting = of('Gateway').filter((g) => selects(g.spec?.selector, gateway.podLabels));
  if (selecting.length === 0) {
    throw new Error(`no Gateway selects the egress gateway's pods (${JSON.stringify(gateway.podLabels)}): ${list(of('Gateway').map((g) => `${id(g)} spec.selector ${JSON.stringify(g.spec?.selector ?? {})}`))}`);
  }
  const onPort: Array<{ g: Manifest; s: any; i: number }> = selecting.flatMap((g) => (g.spec?.servers ?? [])
    .map((s: any, i: number) => ({ g, s, i })).filter((x: { s: any }) => x.s?.port?.number === gatewayPort));
  if (onPort.length === 0) {
    throw new Error(`${id(meshVs)}: ${meshRouteField}.route[0].destination.port.number ${gatewayPort} is no server port of ${selecting.map((g) => `${id(g)} (spec.servers ports: ${list((g.spec?.servers ?? []).map((s: any) => s?.port?.number))})`).join(', ')}`);
  }
  const serving = onPort.filter(({ g, s }) => (s.hosts ?? []).some((h: string) => hostMatch(serverHost(h, g).dns, host) > 0));
  if (serving.length === 0) {
    throw new Error(`${onPort.map(({ g, s, i }) => `${id(g)}: spec.servers[${i}] on port ${gatewayPort} serves ${list(s.hosts ?? [])}`).join('; ')}, not ${host}`);
  }
  if (serving.length > 1) throw new Error(`${serving.map(({ g, i }) => `${id(g)} spec.servers[${i}]`).join(' and ')} all serve ${host} on port ${gatewayPort}`);
  const { g: gw, s: server, i: serverIndex } = serving[0];
  const serverField = `spec.servers[${serverIndex}]`;
  if (server.tls?.mode !== 'ISTIO_MUTUAL') {
    throw new Error(`${id(gw)}: ${serverField}.tls.mode is ${server.tls?.mode ?? '(none)'}, but the sidecar sends ISTIO_MUTUAL (${id(gwDr)} ${gwTls.field})`);
  }
  if (!(server.hosts ?? []).some((h: string) => hostMatch(serverHost(h, gw).dns, gwSni) > 0)) {
    throw new Error(`${id(gwDr)}: ${gwTls.field}.sni ${gwSni} is no host of ${id(gw)} ${serverField} (${list(server.hosts)}): the gateway finds no filter chain for it`);
  }
  const targetPort = gateway.ports.find((p) => p.port === gatewayPort)!.targetPort ?? gatewayPort;
  const gwRef = `${nsOf(gw)}/${gw.metadata.name}`;
  hops.push(`${id(gw)} ${serverField}: port ${gatewayPort} (pods' ${targetPort}), hosts ${list(server.hosts)}, ISTIO_MUTUAL`);

  // 4. The gateway's route: a VirtualService bound to the Gateway, visible from its namespace, for the host and server port.
  const gwVss = of('VirtualService').filter((vs) => exportedTo(vs, gateway.namespace)
    && (vs.spec?.hosts ?? []).some((h: string) => hostMatch(fqdn(h, nsOf(vs), domain), host) > 0)
    && gatewayRefs(vs, undefined).includes(gwRef)
    && (server.hosts ?? []).some((h: string) => {
      const sh = serverHost(h, gw);
      return (sh.ns === '*' || sh.ns === nsOf(vs)) && hostMatch(sh.dns, host) > 0;
    }));
  if (gwVss.length === 0) {
    throw new Error(`no VirtualService for ${host} is bound to ${id(gw)} (as ${gwRef}) and visible from the gateway's namespace ${gateway.namespace}: the gateway has no route for the host`);
  }
  const gwHits = gwVss.map((vs) => ({ vs, hit: firstRoute(vs, gwRef, gatewayPort) })).filter((h) => h.hit);
  if (gwHits.length === 0) {
    const wrong = gwVss.flatMap((vs) => (vs.spec?.http ?? []).flatMap((r: any, i: number) => (r.match ?? [])
      .map((m: any, j: number) => ({ m, at: `${id(vs)}: spec.http[${i}].match[${j}]` }))
      .filter(({ m }: any) => gatewayRefs(vs, m.gateways).includes(gwRef) && m.port !== undefined && m.port !== gatewayPort)));
    throw new Error(wrong.length
      ? `${wrong.map(({ m, at }: any) => `${at}.port ${m.port} is no server port of ${id(gw)} for ${host} (${gatewayPort})`).join('; ')}: nothing routes the gateway's port ${gatewayPort}`
      : `${gwVss.map(id).join(', ')}: no spec.http route matches gateways ${gwRef} and port ${gatewayPort}`);
  }
  if (gwHits.length > 1) throw new Error(`${gwHits.map((h) => id(h.vs)).join(' and ')} all route ${host} at ${gwRef}; this derivation does not merge VirtualServices`);
  const { vs: gwVs, hit: gwHit } = gwHits[0] as { vs: Manifest; hit: { index: number; route: any } };
  const gwRouteField = `spec.http[${gwHit.index}]`;
  const dest = destination(gwVs, gwHit.index, gwHit.route, domain, []);
  if (dest.host === gateway.host) throw new Error(`${id(gwVs)}: ${gwRouteField}.route[0].destination.host is the egress gateway's own Service: the gateway would route to itself`);
  hops.push(`${id(gwVs)} ${gwRouteField} (${gwRef}, port ${gatewayPort}) -> ${dest.host}:${dest.port}`);

  // 5. The host at the gateway: a ServiceEntry exported to its namespace, or a Service of the manifests.
  const ses = of('ServiceEntry').filter((se) => (se.spec?.hosts ?? []).some((h: string) => hostMatch(h, dest.host) > 0));
  const visibleSes = ses.filter((se) => exportedTo(se, gateway.namespace));
  let registry: GatewayChain['registry'];
  let target: GatewayChain['target'];
  let serviceNs: string;
  if (visibleSes.length > 1) throw new Error(`${visibleSes.map(id).join(' and ')} all define ${dest.host} for the gateway's namespace ${gateway.namespace}`);
  if (visibleSes.length === 1) {
    const se = visibleSes[0];
    const resolution: string = se.spec.resolution ?? 'NONE';
    if (resolution === 'NONE') {
      throw new Error(`${id(se)}: spec.resolution ${se.spec.resolution ?? '(unset, i.e. NONE)'} makes the egress gateway forward to the original destination address, its own Service IP (a loop); use DNS or DNS_ROUND_ROBIN`);
    }
    if (resolution !== 'DNS' && resolution !== 'DNS_ROUND_ROBIN') {
      throw new Error(`${id(se)}: spec.resolution ${resolution}: this derivation follows DNS and DNS_ROUND_ROBIN only`);
    }
    if (se.spec.endpoints?.length || se.spec.workloadSelector) throw new Error(`${id(se)}: spec.endpoints / spec.workloadSelector are not followed by this derivation`);
    const sePorts: any[] = se.spec.ports ?? [];
    const sePort = sePorts.find((p) => p?.number === dest.port);
    if (!sePort) {
      throw new Error(`${id(se)}: spec.ports has no port ${dest.port} (ports: ${list(sePorts.map((p) => p?.number))}), which ${id(gwVs)} ${gwRouteField} sends to`);
    }
    registry = { object: id(se), resolution };
    target = { host: dest.host, port: sePort.targetPort ?? sePort.number };
    serviceNs = nsOf(se);
    hops.push(`${id(se)}: port ${sePort.number}${sePort.targetPort ? ` -> targetPort ${sePort.targetPort}` : ''}, resolution ${resolution}`);
  } else {
    const m = new RegExp(`^([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.${domain.replace(/\./g, '\\.')}$`).exec(dest.host);
    const svc = m && of('Service').find((s) => s.metadata.name === m[1] && nsOf(s) === m[2]);
    if (!svc) {
      throw new Error(`the egress gateway does not know ${dest.host} (${id(gwVs)} ${gwRouteField}): no ServiceEntry exported to ${gateway.namespace} lists it`
        + `${ses.length ? ` (${ses.map((s) => `${id(s)} spec.exportTo ${JSON.stringify(s.spec.exportTo)}`).join(', ')})` : ''}, and it is no Service of the manifests`);
    }
    if (!exportedTo(svc, gateway.namespace)) {
      throw new Error(`${id(svc)}: annotation networking.istio.io/exportTo "${svc.metadata.annotations['networking.istio.io/exportTo']}" hides it from the egress gateway's namespace ${gateway.namespace}: the gateway has no cluster for ${dest.host}`);
    }
    const svcPort = (svc.spec?.ports ?? []).find((p: any) => p?.port === dest.port);
    if (!svcPort) {
      throw new Error(`${id(svc)}: spec.ports has no port ${dest.port} (ports: ${list((svc.spec?.ports ?? []).map((p: any) => p?.port))}), which ${id(gwVs)} ${gwRouteField} sends to`);
    }
    registry = { object: id(svc), resolution: 'Kubernetes Service endpoints' };
    target = { host: dest.host, port: dest.port };
    serviceNs = nsOf(svc);
    hops.push(`${id(svc)}: port ${dest.port} (the gateway sends to its endpoints)`);
  }

  // 6. The DestinationRule that originates TLS at the gateway.
  const lookup = lookupDestinationRule(objs, dest.host, gateway.namespace, serviceNs, rootNs, domain, gateway.podLabels);
  if (!lookup.dr) {
    throw new Error(`no DestinationRule for ${dest.host} applies at the egress gateway (looked in ${lookup.searched.join(', ')}`
      + `${lookup.ignored.length ? `; ${lookup.ignored.map((d) => `${id(d)} spec.workloadSelector ${JSON.stringify(d.spec.workloadSelector)}`).join(', ')} selects other workloads` : ''}`
      + `; DestinationRules for the host: ${list(of('DestinationRule').filter((d) => d.spec?.host === dest.host).map(id))}): the gateway would send plaintext to port ${dest.port}`);
  }
  const dr = lookup.dr;
  const orig = policyTls(dr.spec.trafficPolicy, dest.port);
  const tlsField = orig ? `spec.trafficPolicy.${orig.field}` : 'spec.trafficPolicy';
  const mode = orig?.tls?.mode;
  if (mode !== 'SIMPLE' && mode !== 'MUTUAL') {
    throw new Error(`${id(dr)}: ${orig ? `${tlsField}.mode is ${mode ?? '(unset)'}` : `sets no TLS for port ${dest.port}`}; the gateway originates TLS on ${dest.host}:${dest.port} only with SIMPLE or MUTUAL`);
  }
  const tls = orig!.tls;
  if (tls.insecureSkipVerify) throw new Error(`${id(dr)}: ${tlsField}.insecureSkipVerify is set; this derivation expects the server to be verified`);
  const sni: string = tls.sni ?? host;
  const verifyNames: string[] = tls.subjectAltNames?.length ? tls.subjectAltNames : [sni];
  hops.push(`${id(dr)} ${tlsField}: ${mode}, sni ${sni}${tls.sni ? '' : ' (auto_sni: the Host)'}${tls.credentialName ? `, credentialName ${tls.credentialName}` : ''}`);

  // 7. The credential: a Secret of the gateway's namespace.
  let credential: GatewayCredential | undefined;
  if (mode === 'MUTUAL' && !tls.credentialName) {
    throw new Error(`${id(dr)}: ${tlsField}.credentialName is not set; MUTUAL origination at a gateway needs the client credential as a Secret of the gateway's namespace ${gateway.namespace}`
      + `${tls.clientCertificate ? ' (clientCertificate file paths are not followed by this derivation)' : ''}`);
  }
  if (tls.credentialName) {
    const name: string = tls.credentialName;
    const secrets = [...of('Secret'), ...(options.clusterSecrets ?? []).filter((s) => s?.kind === 'Secret')];
    const find = (ns: string, n: string) => secrets.find((s) => nsOf(s) === ns && s.metadata.name === n);
    const secret = find(gateway.namespace, name);
    const at = `${id(dr)}: ${tlsField}.credentialName "${name}"`;
    if (!secret) {
      const issued = of('Certificate').find((c) => nsOf(c) === gateway.namespace && c.spec?.secretName === name);
      if (issued) throw new Error(`${at} is issued in the cluster by ${id(issued)}; pass its material as a cluster Secret ${gateway.namespace}/${name}`);
      const elsewhere = secrets.filter((s) => s.metadata.name === name).map((s) => `${nsOf(s)}/${name}${nsOf(s) === clientNs ? " (the client's namespace)" : ''}`);
      throw new Error(`${at}: no Secret ${gateway.namespace}/${name}; the egress gateway reads credentials from its own namespace ${gateway.namespace} only`
        + `${elsewhere.length ? ` (found ${elsewhere.join(', ')})` : ''}`);
    }
    credential = readCredential(find, gateway.namespace, name, secret);
    const keys = Object.keys(secretData(secret)).join(', ');
    if (mode === 'MUTUAL' && (!credential.cert || !credential.key)) {
      throw new Error(`${at}: Secret ${credential.secret} has no client certificate and key (tls.crt/tls.key or cert/key; keys: ${keys})`);
    }
    if (!credential.ca) {
      throw new Error(`${at}: Secret ${credential.secret} has no CA certificate (ca.crt or cacert, or a Secret ${name}-cacert; keys: ${keys}); this derivation expects the server to be verified`);
    }
    hops.push(`Secret ${credential.secret}: ${mode === 'MUTUAL' ? 'client certificate, key and CA' : 'CA'}`);
  }

  return {
    call: { host, port, namespace: clientNs },
    meshRoute: { virtualService: id(meshVs), route: meshRouteField, gatewayHost: gateway.host, gatewayPort, subset: toGw.subset },
    gatewaySubset: { destinationRule: id(gwDr), mode: 'ISTIO_MUTUAL', sni: gwSni },
    gatewayServer: { gateway: id(gw), server: serverField, port: gatewayPort, targetPort },
    gatewayRoute: { virtualService: id(gwVs), route: gwRouteField, host: dest.host, port: dest.port },
    registry,
    origination: { destinationRule: id(dr), mode, credentialName: tls.credentialName, subjectAltNames: tls.subjectAltNames },
    sni,
    verifyNames,
    credential,
    target,
    hops,
  };
}
