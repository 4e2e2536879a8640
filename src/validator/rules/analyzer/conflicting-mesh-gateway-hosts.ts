/**
 * IST0109 ConflictingMeshGatewayVirtualServiceHosts, Istio's virtualservice.ConflictingMeshGatewayHostsAnalyzer
 * (pkg/config/analysis/analyzers/virtualservice/conflictingmeshgatewayhosts.go; message and level of
 * pkg/config/analysis/msg/messages.yaml, the same in 1.30.3 and 1.31).
 *
 * The analyzer's logic, as Istio writes it:
 * - a VirtualService applies to the mesh gateway when spec.gateways is empty or lists "mesh";
 * - its scopes: "*" when exportTo is empty or contains "*", else each exportTo entry, "." read as its namespace;
 * - each host is made an FQDN (util.ConvertHostToFQDN: a host without a dot and not a wildcard becomes
 *   <host>.<namespace>.svc.cluster.local) and the VirtualService is indexed under "<scope>/<fqdn>";
 * - for each key, the VirtualServices of a namespace scope are joined by those of every "*" key whose host overlaps
 *   it (host.Name.Matches: wildcards match their suffixes); two or more make a conflict, and each VirtualService of it
 *   is reported once (over all keys) with the sorted "<namespace>/<name>" of the key's VirtualServices and the key.
 * Istio walks the keys in Go's (random) map order; here in input order, so the output is stable. A VirtualService
 * listed twice under a key by itself (the same host written twice) is not a conflict here.
 *
 * Severity (the contract: an error only where the configuration demonstrably cannot work as written): a sidecar
 * builds its HTTP routes of a host from one VirtualService, and its TLS and TCP routes likewise, so two of them
 * with routes of the same kind (http, tls or tcp) lose one's routes: an error. VirtualServices that route the host
 * with different kinds (Istio's egress-gateway mutual TLS task: a tls one for port 443 and an http one for port 80)
 * each keep their routes and work: a warning, with Istio's code and message.
 */
import type { Obj, Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { hostMatches } from '../istio/gateway-common';
import { defineRule } from '../rule';
import { byCodePoint, fullName } from './names';

export const CONFLICTING_MESH_GATEWAY_HOSTS = defineRule({
  id: 'analyzer/conflicting-mesh-gateway-hosts',
  family: 'analyzer',
  severity: 'error',
  description: 'VirtualServices bound to the mesh gateway and visible in one namespace define the same host: the sidecars use only one.',
  source: 'Istio analyzer IST0109 ConflictingMeshGatewayVirtualServiceHosts (virtualservice/conflictingmeshgatewayhosts.go)',
  details: 'IST0109 ConflictingMeshGatewayVirtualServiceHosts (Istio: error) "The VirtualServices ... associated with mesh gateway define the same host ... which can lead to undefined behavior": two VirtualServices that apply to the mesh gateway (no spec.gateways, or "mesh" among them) give the same host (short names read in their namespace), in the same exportTo scope, or one exported to all namespaces and the other to a namespace, with overlapping hosts (wildcards match). Sidecars do not merge VirtualServices of one host: of two with routes of the same kind (http, tls, tcp) one is ignored, an error. Where they route the host with different kinds only (an http one and a tls one, as Istio\'s egress-gateway mutual TLS task does) both take effect: a warning. Each VirtualService is reported once.',
});

const ALL = '*';

function fqdnOf(host: string, ns: string): string {
  return !host.startsWith('*') && !host.includes('.') ? `${host}.${ns}.svc.cluster.local` : host;
}

/** The kinds of routes a VirtualService gives (non-empty spec.http, spec.tls, spec.tcp). */
function routeKinds(vs: Obj): Set<string> {
  const spec = vs.raw?.spec ?? {};
  return new Set(['http', 'tls', 'tcp'].filter(k => Array.isArray(spec[k]) && spec[k].length > 0));
}

/** Reports IST0109 on the VirtualServices of the run. */
export function checkConflictingMeshGatewayHosts(idx: MeshIndex, rep: Reporter): void {
  const index = new Map<string, { scope: string; fqdn: string; list: Obj[] }>(); // "<scope>/<fqdn>", insertion order
  for (const vs of idx.virtualServices) {
    const spec = vs.raw?.spec;
    if (!spec || typeof spec !== 'object') continue;
    const ns = vs.namespace ?? 'default';
    const gateways: unknown[] = Array.isArray(spec.gateways) ? spec.gateways : [];
    if (gateways.length && !gateways.includes('mesh')) continue;
    const exportTo: unknown[] = Array.isArray(spec.exportTo) ? spec.exportTo : [];
    const scopes = !exportTo.length || exportTo.includes(ALL)
      ? [ALL]
      : [...new Set(exportTo.filter((e): e is string => typeof e === 'string').map(e => (e === '.' ? ns : e)))];
    const hosts = (Array.isArray(spec.hosts) ? spec.hosts : []).filter((h: unknown): h is string => typeof h === 'string');
    for (const scope of scopes) {
      for (const h of hosts) {
        const fqdn = fqdnOf(h, ns);
        const key = `${scope}/${fqdn}`;
        let slot = index.get(key);
        if (!slot) index.set(key, slot = { scope, fqdn, list: [] });
        slot.list.push(vs);
      }
    }
  }
  const exportedToAll = [...index.values()].filter(s => s.scope === ALL);
  const reported = new Set<Obj>();
  for (const [key, { scope, fqdn, list: own }] of index) {
    const list = scope === ALL ? own : [...own, ...exportedToAll.filter(s => hostMatches(fqdn, s.fqdn)).flatMap(s => s.list)];
    const distinct = [...new Set(list)];
    if (distinct.length < 2) continue;
    const names = distinct.map(fullName).sort(byCodePoint).join(',');
    for (const vs of distinct) {
      if (reported.has(vs)) continue;
      reported.add(vs);
      const kinds = routeKinds(vs);
      const shared = distinct.some(o => o !== vs && [...routeKinds(o)].some(k => kinds.has(k)));
      rep.add(vs, CONFLICTING_MESH_GATEWAY_HOSTS, 'spec.hosts',
        `IST0109 The VirtualServices ${names} associated with mesh gateway define the same host ${key} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
        'Merge the VirtualServices of this host into one, or bind all but one of them to a gateway other than mesh, or give them exportTo scopes that do not meet.',
        shared ? undefined : 'warning');
    }
  }
}
