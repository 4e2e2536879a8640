/**
 * One index of the Istio and Kubernetes objects of a validation run, built in one linear pass, shared by the
 * offline analyzers (rules/analyzer/analyzers.ts) and the pitfall rules (rules/wiring/pitfalls.ts): objects by kind,
 * namespace, name and host, pod templates by namespace, and the routes of every VirtualService with the gateways they bind to.
 */
import type { Obj } from './context';
import { podTemplates, selectorMatches, type PodTemplate } from './pods';

/** The `mesh` pseudo-gateway of VirtualService `gateways`. */
export const MESH = 'mesh';
/** Istio's default root (config) namespace, also the namespace of gateways installed by istioctl / Helm. */
const POLICY_KINDS = new Set(['security.istio.io/AuthorizationPolicy', 'security.istio.io/RequestAuthentication', 'telemetry.istio.io/Telemetry', 'extensions.istio.io/WasmPlugin']);

export const ROOT_NAMESPACE = 'istio-system';

const CLUSTER_SUFFIX = '.svc.cluster.local';

/** Expands a short name (no dot) to `<name>.<ns>.svc.cluster.local`, as Istio does for DestinationRule / route hosts. */
export function fqdn(host: string, ns: string): string {
  return host.includes('.') || host.includes('*') ? host : `${host}.${ns}${CLUSTER_SUFFIX}`;
}

/** `{ name, namespace }` of a cluster-local Service host `<name>.<ns>.svc[.cluster.local]`, else undefined. */
export function serviceOfHost(host: string): { name: string; namespace: string } | undefined {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(host);
  return m ? { name: m[1], namespace: m[2] } : undefined;
}

export function isClusterLocal(host: string): boolean {
  return !host.includes('.') || /\.svc(\.cluster\.local)?$/.test(host);
}

/** Istio host.Name.Matches: equality, or one side a wildcard (`*`, `*.suffix`) covering the other. */
export function hostMatches(a: string, b: string): boolean {
  if (a === b || a === '*' || b === '*') return true;
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length <= b.length ? b.endsWith(a.slice(1)) : a.endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return false;
}

/** Resolves a VirtualService `gateways` entry to `ns/name` (short name: the VirtualService namespace; legacy `name.ns...` form). */
export function gatewayKey(ref: string, vsNamespace: string): string {
  if (ref === MESH) return MESH;
  if (ref.includes('/')) {
    const [ns, name] = ref.split('/', 2);
    return `${ns === '.' ? vsNamespace : ns}/${name}`;
  }
  if (ref.includes('.')) {
    const [name, ns] = ref.split('.');
    return `${ns}/${name}`;
  }
  return `${vsNamespace}/${ref}`;
}

/** exportTo visibility (pkg/config/visibility): empty means "*" (the mesh default). */
export function visibleFrom(obj: Obj, exportTo: unknown, ns: string): boolean {
  if (!Array.isArray(exportTo) || exportTo.length === 0) return true;
  return exportTo.some(e => e === '*' || e === ns || (e === '.' && obj.namespace === ns));
}

/** One route (http[i], tls[i] or tcp[i]) of a VirtualService, with one of its destinations. */
export interface RouteDestination {
  readonly vs: Obj;
  readonly type: 'http' | 'tls' | 'tcp';
  readonly rule: number;
  readonly field: string;
  readonly destination: any;
  /** Resolved gateways (`mesh` or `ns/name`) the rule applies to. */
  readonly gateways: ReadonlySet<string>;
  /** Ports of the rule's matches (empty: any port). */
  readonly matchPorts: readonly number[];
}

export interface RouteRule {
  readonly vs: Obj;
  readonly type: 'http' | 'tls' | 'tcp';
  readonly rule: number;
  readonly gateways: ReadonlySet<string>;
  readonly matchPorts: readonly number[];
}

const ISTIO_GATEWAY_CLASSES = new Set(['istio', 'istio-waypoint']);
const NET = 'networking.istio.io';

export class MeshIndex {
  readonly serviceEntries: Obj[] = [];
  readonly destinationRules: Obj[] = [];
  readonly virtualServices: Obj[] = [];
  readonly gateways: Obj[] = [];
  readonly sidecars: Obj[] = [];
  readonly envoyFilters: Obj[] = [];
  /** Gateway API HTTPRoutes (gateway.networking.k8s.io). */
  readonly httpRoutes: Obj[] = [];
  /**
   * Hosts Gateway API HTTPRoutes carry plaintext HTTP to: their `Hostname` (networking.istio.io) and Service
   * backends, and the hosts of the ServiceEntries they attach to as a parent (Istio's egress-gateway task).
   */
  readonly httpRoutePlaintextHosts = new Set<string>();
  /** Backends of HTTPRoutes attached to a Gateway: the gateway's proxy sends to them. */
  readonly httpRouteGatewayBackends = new Set<string>();
  /**
   * Hosts (FQDN) sidecars send to by a route of the output: destinations of VirtualService routes bound to `mesh`,
   * backends of HTTPRoutes attached to a Service or ServiceEntry (mesh routes, GAMMA).
   */
  readonly sidecarRoutedHosts = new Set<string>();
  /**
   * Service hosts that Istio creates for Gateway API Gateways of class `istio` / `istio-waypoint` of the output
   * (`<name>-istio.<ns>.svc.cluster.local`, Istio's gateway deployment controller), mapped to their Gateway.
   */
  readonly generatedServices = new Map<string, Obj>();
  /** Gateway API ReferenceGrants (any version). */
  readonly referenceGrants: Obj[] = [];
  readonly secrets: Obj[] = [];
  readonly roles = new Map<string, Obj>();
  readonly clusterRoles = new Map<string, Obj>();
  readonly roleBindings: Obj[] = [];
  readonly namespaces = new Map<string, Obj>();
  /** AuthorizationPolicies, RequestAuthentications, Telemetries and WasmPlugins: the policies with a workload selector. */
  readonly selectorPolicies: Obj[] = [];
  /** ServiceEntries by exact host; wildcard hosts in `seWildcards`. */
  readonly seByHost = new Map<string, Obj[]>();
  readonly seWildcards: Array<{ host: string; se: Obj }> = [];
  /** v1 Services by `name.ns.svc.cluster.local`. */
  readonly serviceByHost = new Map<string, Obj>();
  /** DestinationRules by FQDN host. */
  readonly drByHost = new Map<string, Obj[]>();
  readonly drWildcards: Obj[] = [];
  /** DestinationRules by FQDN host and namespace; by FQDN host and subset name. */
  readonly drByHostNs = new Map<string, Map<string, Obj[]>>();
  readonly subsetsByHost = new Map<string, Map<string, Obj[]>>();
  /** Gateways (`ns/name`) through which some route sends traffic to a host (FQDN). */
  readonly gatewaysToHost = new Map<string, Set<string>>();
  readonly gatewayByKey = new Map<string, Obj>();
  readonly secretByKey = new Map<string, Obj>();
  /** Names of Secrets issued by cert-manager Certificates, as `ns/name`. */
  readonly issuedSecrets = new Map<string, Obj>();
  readonly secretsByName = new Map<string, Obj[]>();
  readonly pods: PodTemplate[];
  readonly podsByNs = new Map<string, PodTemplate[]>();
  readonly routes: RouteDestination[] = [];
  private routesByVs?: Map<Obj, RouteDestination[]>;
  /** effectiveDestinationRules() by `<proxyNs>\0<host>`. */
  private readonly effective = new Map<string, readonly Obj[]>();
  readonly rules: RouteRule[] = [];
  /** Every object of the run, in input order (for the analyzers of Kubernetes kinds the index does not sort). */
  readonly objects: readonly Obj[];

  constructor(objs: Obj[]) {
    this.objects = objs;
    for (const o of objs) {
      const ns = o.namespace ?? 'default';
      if (o.group === NET) {
        switch (o.kind) {
          case 'ServiceEntry': {
            this.serviceEntries.push(o);
            const hosts: unknown[] = Array.isArray(o.raw?.spec?.hosts) ? o.raw.spec.hosts : [];
            for (const h of new Set(hosts)) {
              if (typeof h !== 'string') continue;
              if (h.startsWith('*')) this.seWildcards.push({ host: h, se: o });
              else push(this.seByHost, h, o);
            }
            break;
          }
          case 'DestinationRule': {
            this.destinationRules.push(o);
            const h = o.raw?.spec?.host;
            if (typeof h === 'string') {
              if (h.startsWith('*')) this.drWildcards.push(o);
              else {
                const fh = fqdn(h, ns);
                push(this.drByHost, fh, o);
                let byNs = this.drByHostNs.get(fh);
                if (!byNs) this.drByHostNs.set(fh, byNs = new Map());
                push(byNs, ns, o);
                let bySubset = this.subsetsByHost.get(fh);
                if (!bySubset) this.subsetsByHost.set(fh, bySubset = new Map());
                for (const sub of Array.isArray(o.raw.spec.subsets) ? o.raw.spec.subsets : []) if (typeof sub?.name === 'string') push(bySubset, sub.name, o);
              }
            }
            break;
          }
          case 'VirtualService': this.virtualServices.push(o); break;
          case 'Gateway': this.gateways.push(o); this.gatewayByKey.set(`${ns}/${o.name}`, o); break;
          case 'Sidecar': this.sidecars.push(o); break;
          case 'EnvoyFilter': this.envoyFilters.push(o); break;
          default: break;
        }
      } else if (POLICY_KINDS.has(`${o.group}/${o.kind}`)) {
        this.selectorPolicies.push(o);
      } else if (o.group === 'gateway.networking.k8s.io' && o.kind === 'HTTPRoute') {
        this.httpRoutes.push(o);
      } else if (o.group === 'gateway.networking.k8s.io' && o.kind === 'ReferenceGrant') {
        this.referenceGrants.push(o);
      } else if (o.group === 'gateway.networking.k8s.io' && o.kind === 'Gateway' && ISTIO_GATEWAY_CLASSES.has(o.raw?.spec?.gatewayClassName)) {
        this.generatedServices.set(`${o.name}-istio.${ns}${CLUSTER_SUFFIX}`, o);
      } else if (o.apiVersion === 'v1') {
        if (o.kind === 'Service') this.serviceByHost.set(`${o.name}.${ns}${CLUSTER_SUFFIX}`, o);
        else if (o.kind === 'Secret') { this.secrets.push(o); this.secretByKey.set(`${ns}/${o.name}`, o); push(this.secretsByName, o.name, o); }
        else if (o.kind === 'Namespace') this.namespaces.set(o.name, o);
      } else if (o.group === 'rbac.authorization.k8s.io') {
        if (o.kind === 'Role') this.roles.set(`${ns}/${o.name}`, o);
        else if (o.kind === 'ClusterRole') this.clusterRoles.set(o.name, o);
        else if (o.kind === 'RoleBinding') this.roleBindings.push(o);
      } else if (o.group === 'cert-manager.io' && o.kind === 'Certificate' && typeof o.raw?.spec?.secretName === 'string') {
        this.issuedSecrets.set(`${ns}/${o.raw.spec.secretName}`, o);
        push(this.secretsByName, o.raw.spec.secretName, o);
      }
    }
    this.pods = podTemplates(objs);
    for (const p of this.pods) push(this.podsByNs, p.namespace, p);
    for (const vs of this.virtualServices) this.indexRoutes(vs);
    for (const r of this.httpRoutes) this.indexHttpRoute(r);
  }

  /** Whether a proxy of a Gateway (not a sidecar) routes to `host`: a VirtualService route bound to a Gateway, or an HTTPRoute attached to one. */
  routedFromGateway(host: string): boolean {
    return this.gatewaysToHost.has(host) || this.httpRouteGatewayBackends.has(host);
  }

  /** Whether a route of the output sends sidecar traffic to `host` (FQDN): a VirtualService route bound to `mesh`, or an HTTPRoute attached to a Service or ServiceEntry. */
  routedFromSidecars(host: string): boolean {
    return this.sidecarRoutedHosts.has(host);
  }

  private indexHttpRoute(r: Obj) {
    const ns = r.namespace ?? 'default';
    const spec = r.raw?.spec;
    const parents: any[] = Array.isArray(spec?.parentRefs) ? spec.parentRefs : [];
    const fromGateway = parents.some(p => (p?.kind ?? 'Gateway') === 'Gateway' && (p?.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io');
    const fromMesh = parents.some(p => p?.kind === 'ServiceEntry' || (p?.kind === 'Service' && (p?.group ?? '') === ''));
    for (const p of parents) {
      if (p?.kind !== 'ServiceEntry' || typeof p.name !== 'string') continue;
      const pns = typeof p.namespace === 'string' ? p.namespace : ns;
      const se = this.serviceEntries.find(x => x.name === p.name && (x.namespace ?? 'default') === pns);
      for (const h of Array.isArray(se?.raw?.spec?.hosts) ? se!.raw.spec.hosts : []) if (typeof h === 'string') this.httpRoutePlaintextHosts.add(fqdn(h, pns));
    }
    for (const rule of Array.isArray(spec?.rules) ? spec.rules : []) {
      for (const b of Array.isArray(rule?.backendRefs) ? rule.backendRefs : []) {
        if (typeof b?.name !== 'string') continue;
        let host: string | undefined;
        if (b.kind === 'Hostname' && b.group === 'networking.istio.io') host = b.name;
        else if ((b.kind ?? 'Service') === 'Service' && !b.group) host = fqdn(b.name, typeof b.namespace === 'string' ? b.namespace : ns);
        if (host === undefined) continue;
        this.httpRoutePlaintextHosts.add(host);
        if (fromGateway) this.httpRouteGatewayBackends.add(host);
        if (fromMesh) this.sidecarRoutedHosts.add(host);
      }
    }
  }

  private indexRoutes(vs: Obj) {
    const spec = vs.raw?.spec;
    if (!spec || typeof spec !== 'object') return;
    const ns = vs.namespace ?? 'default';
    const specGws: string[] = (Array.isArray(spec.gateways) && spec.gateways.length ? spec.gateways : [MESH]).filter((g: unknown) => typeof g === 'string');
    for (const type of ['http', 'tls', 'tcp'] as const) {
      const rules: any[] = Array.isArray(spec[type]) ? spec[type] : [];
      rules.forEach((r, i) => {
        const matches: any[] = Array.isArray(r?.match) ? r.match : [];
        const gws = new Set<string>();
        const ports: number[] = [];
        if (!matches.length) specGws.forEach(g => gws.add(gatewayKey(g, ns)));
        for (const m of matches) {
          const mg: string[] = Array.isArray(m?.gateways) && m.gateways.length ? m.gateways : specGws;
          mg.filter(g => typeof g === 'string').forEach(g => gws.add(gatewayKey(g, ns)));
          if (typeof m?.port === 'number') ports.push(m.port);
        }
        this.rules.push({ vs, type, rule: i, gateways: gws, matchPorts: ports });
        const dests: any[] = Array.isArray(r?.route) ? r.route : [];
        dests.forEach((d, j) => {
          if (d?.destination && typeof d.destination === 'object') {
            if (typeof d.destination.host === 'string') {
              const h = fqdn(d.destination.host, ns);
              for (const g of gws) {
                if (g === MESH) { this.sidecarRoutedHosts.add(h); continue; }
                let set = this.gatewaysToHost.get(h);
                if (!set) this.gatewaysToHost.set(h, set = new Set());
                set.add(g);
              }
            }
            this.routes.push({ vs, type, rule: i, field: `spec.${type}[${i}].route[${j}].destination`, destination: d.destination, gateways: gws, matchPorts: ports });
          }
        });
      });
    }
  }

  /** ServiceEntries defining `host` (exact, else wildcard entries covering it) that are visible from namespace `ns`. */
  serviceEntriesFor(host: string, ns?: string): Obj[] {
    const exact = this.seByHost.get(host) ?? [];
    const found = exact.length ? exact : this.seWildcards.filter(w => hostMatches(w.host, host)).map(w => w.se);
    return ns === undefined ? found : found.filter(se => visibleFrom(se, se.raw?.spec?.exportTo, ns));
  }

  /** The v1 Service of the output behind a cluster-local host, if any. */
  serviceFor(host: string, ns: string): Obj | undefined {
    const h = fqdn(host, ns);
    const s = serviceOfHost(h);
    return s ? this.serviceByHost.get(`${s.name}.${s.namespace}${CLUSTER_SUFFIX}`) : undefined;
  }

  /** All DestinationRules of the output for a host (exact FQDN match first, else wildcard hosts). */
  destinationRulesFor(host: string): Obj[] {
    const exact = this.drByHost.get(host) ?? [];
    return exact.length ? exact : this.drWildcards.filter(d => hostMatches(d.raw.spec.host, host));
  }

  /** Namespace Istio treats as the service's namespace for DestinationRule lookup. */
  serviceNamespace(host: string): string | undefined {
    const s = serviceOfHost(host);
    if (s) return s.namespace;
    return this.serviceEntriesFor(host)[0]?.namespace;
  }

  /**
   * DestinationRules a proxy in `proxyNs` uses for `host` (PushContext.destinationRule): those of its own namespace,
   * else those of the service's namespace exported to it, else those of the root namespace exported to it.
   * Memoised by host and namespace (the index does not change once built): a gateway's 1,000 routes to one host
   * ask the same question 1,000 times.
   */
  effectiveDestinationRules(host: string, proxyNs: string): readonly Obj[] {
    const key = `${proxyNs}\0${host}`;
    let eff = this.effective.get(key);
    if (!eff) this.effective.set(key, eff = this.lookupEffective(host, proxyNs));
    return eff;
  }

  private lookupEffective(host: string, proxyNs: string): readonly Obj[] {
    const exact = this.drByHostNs.get(host);
    const inNs = (ns: string) => (exact ? exact.get(ns) ?? [] : this.drWildcards.filter(d => d.namespace === ns && hostMatches(d.raw.spec.host, host)));
    const local = inNs(proxyNs).filter(d => visibleFrom(d, d.raw.spec.exportTo, proxyNs));
    if (local.length) return local;
    const svcNs = this.serviceNamespace(host);
    for (const ns of [svcNs, ROOT_NAMESPACE]) {
      if (!ns || ns === proxyNs) continue;
      const exported = inNs(ns).filter(d => !d.raw.spec.workloadSelector && visibleFrom(d, d.raw.spec.exportTo, proxyNs));
      if (exported.length) return exported;
    }
    return [];
  }

  /** The routes of the VirtualService `vs`, in the order of `routes`. */
  routesOf(vs: Obj): readonly RouteDestination[] {
    if (!this.routesByVs) {
      const byVs = new Map<Obj, RouteDestination[]>();
      for (const r of this.routes) {
        const list = byVs.get(r.vs);
        if (list) list.push(r);
        else byVs.set(r.vs, [r]);
      }
      this.routesByVs = byVs;
    }
    return this.routesByVs.get(vs) ?? [];
  }

  /** DestinationRules of the output that define `subset` for `host`. */
  subsetDefiners(host: string, subset: string): Obj[] {
    const exact = this.subsetsByHost.get(host);
    if (exact) return exact.get(subset) ?? [];
    return this.drWildcards.filter(d => hostMatches(d.raw.spec.host, host) && (d.raw.spec.subsets ?? []).some((s: any) => s?.name === subset));
  }

  /** Pod templates of the output selected by a Gateway selector (any namespace), or undefined when none. */
  gatewayPods(gw: Obj): PodTemplate[] {
    const sel = gw.raw?.spec?.selector;
    if (!sel || typeof sel !== 'object' || !Object.keys(sel).length) return [];
    const key = JSON.stringify(Object.entries(sel).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let pods = this.podsBySelector.get(key);
    if (!pods) this.podsBySelector.set(key, pods = this.pods.filter(p => selectorMatches({ matchLabels: sel }, p.labels)));
    return pods;
  }
  private readonly podsBySelector = new Map<string, PodTemplate[]>();

  /** Namespaces of the proxies of a Gateway: its selected pods in the output, else istio-system (where istioctl installs gateways). */
  gatewayNamespaces(gwKey: string): { namespaces: string[]; assumed: boolean } {
    const cached = this.gwNsCache.get(gwKey);
    if (cached) return cached;
    const gw = this.gatewayByKey.get(gwKey);
    const pods = gw ? this.gatewayPods(gw) : [];
    const r = pods.length ? { namespaces: [...new Set(pods.map(p => p.namespace))], assumed: false } : { namespaces: [ROOT_NAMESPACE], assumed: true };
    this.gwNsCache.set(gwKey, r);
    return r;
  }
  private readonly gwNsCache = new Map<string, { namespaces: string[]; assumed: boolean }>();

  /**
   * Whether a pod template may get a sidecar: its label/annotation says so, or its namespace (when in the output) is
   * labelled for injection; a namespace outside the output counts as injected unless the pod opts out.
   */
  injected(p: PodTemplate): boolean {
    const podSays = p.labels['sidecar.istio.io/inject'] ?? p.annotations['sidecar.istio.io/inject'];
    if (podSays === 'false') return false;
    if (podSays === 'true') return true;
    const ns = this.namespaces.get(p.namespace);
    if (!ns) return true;
    const l = ns.raw?.metadata?.labels ?? {};
    return l['istio-injection'] === 'enabled' || (!!l['istio.io/rev'] && l['istio-injection'] !== 'disabled');
  }

  /** Pod templates of the output selected by some Gateway of the output (gateway proxies, not sidecars). */
  get gatewayPodSet(): Set<PodTemplate> {
    if (!this.gwPods) this.gwPods = new Set(this.gateways.flatMap(g => this.gatewayPods(g)));
    return this.gwPods;
  }
  private gwPods?: Set<PodTemplate>;

  /** A Secret (or cert-manager Certificate issuing it) named `name` in namespace `ns`. */
  secretSource(ns: string, name: string): Obj | undefined {
    return this.secretByKey.get(`${ns}/${name}`) ?? this.issuedSecrets.get(`${ns}/${name}`);
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

export function fmtLabels(l: { [k: string]: unknown }): string {
  return Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',');
}
