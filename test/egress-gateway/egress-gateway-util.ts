/**
 * Checks, on synthesized objects, that the chain of an egress gateway origination is consistent: what the
 * sidecar sends, the gateway accepts, and what the gateway routes, a DestinationRule originates TLS on.
 * Returns one line per broken link (empty when the chain holds) so that tests can assert `toEqual([])`
 * and see every problem at once.
 */
export function chainProblems(objects: any[], gateway: { host: string; namespace: string; podLabels: Record<string, string>; ports: { port: number }[] }): string[] {
  const problems: string[] = [];
  const sorted = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels ?? {}).sort());
  const ns = (o: any) => o.metadata.namespace ?? 'default';
  const of = (kind: string) => objects.filter((o) => o.kind === kind);
  const gatewayDrs = of('DestinationRule').filter((d) => d.spec.host === gateway.host);
  const virtualServices = of('VirtualService').filter((v) => (v.spec.gateways ?? []).some((g: string) => g !== 'mesh'));
  if (virtualServices.length === 0) problems.push('no VirtualService bound to a Gateway');
  for (const vs of virtualServices) {
    const id = `VirtualService ${ns(vs)}/${vs.metadata.name}`;
    const gatewayNames = vs.spec.gateways.filter((g: string) => g !== 'mesh');
    const gateways = of('Gateway').filter((g) => gatewayNames.includes(g.metadata.name) && ns(g) === ns(vs));
    if (gateways.length !== gatewayNames.length) problems.push(`${id}: gateways ${gatewayNames} are not all Gateways of its namespace`);
    for (const g of gateways) {
      if (sorted(g.spec.selector) !== sorted(gateway.podLabels)) problems.push(`${id}: Gateway ${g.metadata.name} does not select the gateway pods`);
      for (const s of g.spec.servers) {
        if (!gateway.ports.some((p) => p.port === s.port.number)) problems.push(`${id}: Gateway server port ${s.port.number} is not a port of the gateway Service`);
        if (JSON.stringify(s.hosts) !== JSON.stringify(vs.spec.hosts)) problems.push(`${id}: Gateway ${g.metadata.name} serves ${s.hosts}, not ${vs.spec.hosts}`);
        if (s.tls?.mode !== 'ISTIO_MUTUAL') problems.push(`${id}: Gateway server TLS mode is ${s.tls?.mode}, not ISTIO_MUTUAL`);
      }
    }
    for (const route of vs.spec.http) {
      const matchGateways: string[] = route.match.flatMap((m: any) => m.gateways ?? []);
      const dest = route.route[0].destination;
      if (matchGateways.includes('mesh')) {
        // mesh route: its port and subset exist on the gateway DestinationRule the client's namespace sees
        const dr = gatewayDrs.find((d) => ns(d) === ns(vs) && d.spec.subsets.some((s: any) => s.name === dest.subset));
        if (dest.host !== gateway.host) problems.push(`${id}: the mesh route goes to ${dest.host}, not the gateway ${gateway.host}`);
        if (!dr) {
          problems.push(`${id}: no DestinationRule for ${gateway.host} in namespace ${ns(vs)} defines subset ${dest.subset}`);
          continue;
        }
        const subset = dr.spec.subsets.find((s: any) => s.name === dest.subset);
        const pls = subset.trafficPolicy.portLevelSettings.find((p: any) => p.port.number === dest.port.number);
        if (!pls) problems.push(`${id}: subset ${dest.subset} has no TLS settings for port ${dest.port.number}`);
        else if (pls.tls.mode !== 'ISTIO_MUTUAL' || pls.tls.sni !== vs.spec.hosts[0]) problems.push(`${id}: subset ${dest.subset} port ${dest.port.number} is not ISTIO_MUTUAL with sni ${vs.spec.hosts[0]}`);
        if (!gateways.some((g) => g.spec.servers.some((s: any) => s.port.number === dest.port.number))) problems.push(`${id}: the mesh route sends to gateway port ${dest.port.number}, which no Gateway server listens on`);
      } else {
        // gateway route: its port is a Gateway server port, and a DestinationRule originates TLS on its destination port
        for (const m of route.match) {
          if (!gateways.some((g) => g.spec.servers.some((s: any) => s.port.number === m.port))) problems.push(`${id}: the gateway route matches port ${m.port}, which is no Gateway server port`);
        }
        const originating = of('DestinationRule').filter((d) => d.spec.host === dest.host
          && d.spec.trafficPolicy?.portLevelSettings?.some((p: any) => p.port.number === dest.port.number && ['SIMPLE', 'MUTUAL'].includes(p.tls?.mode)));
        if (originating.length !== 1) {
          problems.push(`${id}: ${originating.length} DestinationRules originate TLS for ${dest.host} port ${dest.port.number}`);
          continue;
        }
        const dr = originating[0];
        if (dr.spec.workloadSelector) problems.push(`${id}: the originating DestinationRule has a workloadSelector; it must apply at the gateway`);
        const lookup = new Set([gateway.namespace, ...of('ServiceEntry').filter((se) => se.spec.hosts.includes(dest.host)).map(ns)]);
        if (!lookup.has(ns(dr))) problems.push(`${id}: the originating DestinationRule is in ${ns(dr)}, off the gateway's lookup path (${[...lookup]})`);
        const tls = dr.spec.trafficPolicy.portLevelSettings.find((p: any) => p.port.number === dest.port.number).tls;
        if (tls.credentialName) {
          const secret = objects.find((o) => (o.kind === 'Secret' || o.kind === 'Certificate') && (o.kind === 'Secret' ? o.metadata.name : o.spec.secretName) === tls.credentialName);
          if (secret && ns(secret) !== gateway.namespace) problems.push(`${id}: credential ${tls.credentialName} is in ${ns(secret)}, not the gateway's namespace ${gateway.namespace}`);
        }
      }
    }
  }
  return problems;
}

/** What the Gateway API chain check needs to know of the gateway (a `GatewayApiEgressGateway` fits). */
export interface GatewayApiChainGateway {
  readonly name: string;
  readonly namespace: string;
  readonly host: string;
  readonly serviceName: string;
}

/**
 * The same check for a Gateway API egress gateway (class `istio`): the route from the sidecars (an HTTPRoute
 * parented to the ServiceEntry, or a VirtualService for `mesh`) sends to `<gw>-istio` on a listener port that
 * accepts the host, with Istio mutual TLS; the route from the gateway sends to the host on a port where a
 * DestinationRule on the gateway's lookup path originates TLS; a credential and its RBAC are for `<gw>-istio`
 * in the gateway's namespace; cross-namespace references have their ReferenceGrant.
 */
export function gatewayApiChainProblems(objects: any[], gateway: GatewayApiChainGateway): string[] {
  const problems: string[] = [];
  const ns = (o: any) => o.metadata.namespace ?? 'default';
  const of = (kind: string, group?: string) => objects.filter((o) => o.kind === kind && (group === undefined || o.apiVersion.startsWith(`${group}/`)));
  const gw = of('Gateway', 'gateway.networking.k8s.io').find((g) => g.metadata.name === gateway.name && ns(g) === gateway.namespace);
  if (!gw) return [`no Gateway ${gateway.namespace}/${gateway.name}`];
  if (gw.spec.gatewayClassName !== 'istio') problems.push(`Gateway class is ${gw.spec.gatewayClassName}, not istio`);
  const listeners: any[] = gw.spec.listeners;
  for (const l of listeners) {
    if (l.protocol !== 'HTTPS' || l.tls?.mode !== 'Terminate' || l.tls?.options?.['gateway.istio.io/tls-terminate-mode'] !== 'ISTIO_MUTUAL') {
      problems.push(`listener ${l.name} does not terminate Istio mutual TLS over HTTPS`);
    }
  }
  const accepts = (l: any, host: string) => l.hostname === undefined || l.hostname === host || (l.hostname.startsWith('*.') && host.endsWith(l.hostname.slice(1)));
  const gatewayDrs = of('DestinationRule').filter((d) => d.spec.host === gateway.host);
  const grants = of('ReferenceGrant');
  const granted = (fromNs: string, toNs: string, service: string) => grants.some((g) => ns(g) === toNs
    && g.spec.from.some((f: any) => f.kind === 'HTTPRoute' && f.namespace === fromNs) && g.spec.to.some((t: any) => t.kind === 'Service' && (t.name === undefined || t.name === service)));
  const istioMutual = (host: string, port: number, clientNs: string) => {
    const dr = gatewayDrs.find((d) => [clientNs, gateway.namespace].includes(ns(d)));
    const pls = dr?.spec.trafficPolicy?.portLevelSettings?.find((p: any) => p.port.number === port);
    if (!pls || pls.tls?.mode !== 'ISTIO_MUTUAL') return `no DestinationRule for ${gateway.host} on the lookup path of ${clientNs} sets ISTIO_MUTUAL on port ${port}`;
    const l = listeners.find((x) => x.port === port);
    if (l?.hostname && !l.hostname.startsWith('*.') && pls.tls.sni !== l.hostname) return `the SNI on port ${port} is ${pls.tls.sni}, not the listener hostname ${l.hostname}`;
    return accepts(l ?? {}, host) ? undefined : `no listener on port ${port} accepts ${host}`;
  };

  // the routes from the sidecars
  const meshHosts: string[] = [];
  for (const r of of('HTTPRoute').filter((x) => x.spec.parentRefs.some((p: any) => p.kind === 'ServiceEntry'))) {
    const id = `HTTPRoute ${ns(r)}/${r.metadata.name}`;
    const parent = r.spec.parentRefs.find((p: any) => p.kind === 'ServiceEntry');
    const se = of('ServiceEntry').find((s) => s.metadata.name === parent.name && ns(s) === ns(r));
    if (!se) { problems.push(`${id}: its parent ServiceEntry ${parent.name} is not in ${ns(r)}`); continue; }
    for (const b of r.spec.rules.flatMap((x: any) => x.backendRefs)) {
      const bns = b.namespace ?? ns(r);
      if (b.name !== gateway.serviceName || bns !== gateway.namespace) { problems.push(`${id}: backend ${bns}/${b.name} is not the gateway Service ${gateway.namespace}/${gateway.serviceName}`); continue; }
      if (!listeners.some((l) => l.port === b.port)) problems.push(`${id}: backend port ${b.port} is no listener port`);
      if (bns !== ns(r) && !granted(ns(r), bns, b.name)) problems.push(`${id}: no ReferenceGrant in ${bns} lets HTTPRoutes of ${ns(r)} use Service ${b.name}`);
      for (const h of se.spec.hosts) { const p = istioMutual(h, b.port, ns(r)); if (p) problems.push(`${id}: ${p}`); meshHosts.push(h); }
    }
  }
  for (const vs of of('VirtualService').filter((v) => JSON.stringify(v.spec.gateways ?? ['mesh']) === '["mesh"]')) {
    const id = `VirtualService ${ns(vs)}/${vs.metadata.name}`;
    for (const d of vs.spec.http.flatMap((x: any) => x.route).map((x: any) => x.destination)) {
      if (d.host !== gateway.host) continue;
      for (const h of vs.spec.hosts) { const p = istioMutual(h, d.port.number, ns(vs)); if (p) problems.push(`${id}: ${p}`); meshHosts.push(h); }
    }
  }
  if (meshHosts.length === 0) problems.push(`no route from the sidecars sends to ${gateway.host}`);

  // the routes from the gateway
  const forward = of('HTTPRoute').filter((x) => x.spec.parentRefs.some((p: any) => (p.kind ?? 'Gateway') === 'Gateway' && p.name === gateway.name));
  for (const h of meshHosts) if (!forward.some((r) => r.spec.hostnames?.includes(h))) problems.push(`no HTTPRoute from the gateway serves ${h}`);
  for (const r of forward) {
    const id = `HTTPRoute ${ns(r)}/${r.metadata.name}`;
    if (ns(r) !== gateway.namespace) problems.push(`${id}: is in ${ns(r)}, but the listeners only allow routes of ${gateway.namespace}`);
    for (const h of r.spec.hostnames ?? []) if (!listeners.some((l) => accepts(l, h))) problems.push(`${id}: no listener accepts ${h}`);
    for (const b of r.spec.rules.flatMap((x: any) => x.backendRefs)) {
      const bns = b.namespace ?? ns(r);
      const host = b.kind === 'Hostname' ? b.name : `${b.name}.${bns}.svc.cluster.local`;
      if (b.kind !== 'Hostname' && bns !== ns(r) && !granted(ns(r), bns, b.name)) problems.push(`${id}: no ReferenceGrant in ${bns} lets HTTPRoutes of ${ns(r)} use Service ${b.name}`);
      if (b.kind === 'Hostname' && !of('ServiceEntry').some((s) => s.spec.hosts.includes(host))) problems.push(`${id}: no ServiceEntry declares ${host}`);
      const originating = of('DestinationRule').filter((d) => d.spec.host === host
        && d.spec.trafficPolicy?.portLevelSettings?.some((p: any) => p.port.number === b.port && ['SIMPLE', 'MUTUAL'].includes(p.tls?.mode)));
      if (originating.length !== 1) { problems.push(`${id}: ${originating.length} DestinationRules originate TLS for ${host} port ${b.port}`); continue; }
      const dr = originating[0];
      if (dr.spec.workloadSelector) problems.push(`${id}: the originating DestinationRule has a workloadSelector; it must apply at the gateway`);
      const lookup = new Set([gateway.namespace, ...of('ServiceEntry').filter((s) => s.spec.hosts.includes(host)).map(ns), ...(b.kind === 'Hostname' ? [] : [bns])]);
      if (!lookup.has(ns(dr))) problems.push(`${id}: the originating DestinationRule is in ${ns(dr)}, off the gateway's lookup path (${[...lookup]})`);
      const tls = dr.spec.trafficPolicy.portLevelSettings.find((p: any) => p.port.number === b.port).tls;
      if (tls.credentialName) {
        const secret = objects.find((o) => (o.kind === 'Secret' || o.kind === 'Certificate') && (o.kind === 'Secret' ? o.metadata.name : o.spec.secretName) === tls.credentialName);
        if (secret && ns(secret) !== gateway.namespace) problems.push(`${id}: credential ${tls.credentialName} is in ${ns(secret)}, not the gateway's namespace ${gateway.namespace}`);
        const binding = of('RoleBinding').find((rb) => ns(rb) === gateway.namespace
          && rb.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === gateway.serviceName && (s.namespace ?? ns(rb)) === gateway.namespace));
        const role = binding && of('Role').find((ro) => ns(ro) === gateway.namespace && ro.metadata.name === binding.roleRef.name);
        const verbs = new Set(role?.rules.filter((x: any) => x.resources.includes('secrets') && !x.resourceNames).flatMap((x: any) => x.verbs) ?? []);
        if (!['get', 'list', 'watch'].every((v) => verbs.has(v))) problems.push(`${id}: ServiceAccount ${gateway.namespace}/${gateway.serviceName} may not get, list and watch the Secrets of ${gateway.namespace}`);
      }
    }
  }
  return problems;
}
