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
