/**
 * Offline equivalents of the istioctl analyzers (Istio 1.30.3 pkg/config/analysis) for what a set of manifests can
 * prove across objects: referenced Gateways, hosts, ports and subsets exist, VirtualService hosts are served by
 * their Gateways, Gateways and Sidecars do not conflict. Messages start with Istio's message text and IST code.
 * Where the target may live outside the output (a Gateway or Service installed by Istio), the finding is a warning
 * that says so. The wiring pitfalls (../wiring/pitfalls.ts) use the same index and run right after these.
 */
import type { Obj, Reporter } from '../../context';
import { fmtLabels, fqdn, gatewayKey, hostMatches, isClusterLocal, MESH, MeshIndex, visibleFrom } from '../../mesh-index';
import { selectorMatches } from '../../pods';
import { defineRule } from '../rule';

export const GATEWAY_NOT_FOUND = defineRule({
  id: 'analyzer/gateway-not-found',
  family: 'analyzer',
  severity: 'error',
  description: 'A VirtualService names a Gateway that is not in the output.',
  source: 'Istio analyzer IST0101 ReferencedResourceNotFound (gateway)',
  details: 'IST0101 ReferencedResourceNotFound "Referenced gateway not found": a VirtualService spec.gateways or match.gateways entry names no Gateway of the output ("mesh" is implicit). A note (could not check) when the Gateway would live in another namespace without Gateways in the output (installed out of band).',
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
  details: 'IST0132 VirtualServiceHostNotFoundInGateway "one or more host [...] defined in VirtualService ... not found in Gateway ...": no host of the VirtualService is served by a server of a Gateway of the output it binds to (Istio: warning; here an error, the binding has no effect).',
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
  details: 'IST0101 ReferencedResourceNotFound "Referenced host not found": a route destination host is neither a ServiceEntry host visible from the VirtualService nor a Service of the output. A note (could not check) for cluster-local hosts (*.svc.cluster.local, short names), whose Service may be installed out of band.',
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
  details: 'IST0101 ReferencedResourceNotFound "Referenced host+subset in destinationrule not found": no DestinationRule of the output defines the subset a route uses (503 NC cluster_not_found).',
});

export const SUBSET_SELECTS_NO_PODS = defineRule({
  id: 'analyzer/subset-selects-no-pods',
  family: 'analyzer',
  severity: 'error',
  description: 'The labels of a DestinationRule subset select no pod or endpoint behind its host (503 UH).',
  source: 'Istio analyzer IST0173 DestinationRuleSubsetNotSelectPods',
  details: 'IST0173 DestinationRuleSubsetNotSelectPods: the labels of a DestinationRule subset select no pod template behind the Service (or no endpoint of the ServiceEntry) of the output for its host (503 UH). An error for ServiceEntry endpoints (all in the input); a warning (could not check) for a Service\'s pods: Istio\'s analyzer sees every pod of the cluster, the input only some, and the pods of a version are often deployed by another file (Istio\'s bookinfo subsets v2/v3).',
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

/** Runs the analyzers and the pitfall rules over the objects of one validation run. */
export function checkAnalyzers(idx: MeshIndex, rep: Reporter): void {
  checkGatewayRefs(idx, rep);
  checkGateways(idx, rep);
  checkSidecars(idx, rep);
  checkDestinations(idx, rep);
  checkDestinationRules(idx, rep);
  checkServiceEntryAddresses(idx, rep);
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
      const ours = gwNs === ns || nsWithGateways.has(gwNs);
      rep.add(vs, GATEWAY_NOT_FOUND, field,
        ours
          ? `IST0101 Referenced gateway not found: "${ref}" (Gateway ${key} is not in the output)`
          : `IST0101 Referenced gateway not found: "${ref}": could not check it, Gateway ${key} is not in the output and namespace "${gwNs}" has no Gateway in the output, so it must be installed out of band`,
        ours
          ? `Add Gateway ${key} to the chart, or fix the name: a short name refers to a Gateway in the VirtualService's namespace "${ns}", "<namespace>/<name>" to another namespace.`
          : `Make sure Gateway ${key} exists in the cluster before applying, or add it to the chart.`,
        ours ? undefined : 'note');
    };
    specGws.forEach((g, i) => {
      if (typeof g !== 'string' || g === MESH) return;
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
  // servers by selector~port, then by exact host (wildcard hosts kept apart): conflicts are found without comparing all pairs
  type Entry = { gw: Obj; server: number };
  const byKey = new Map<string, { exact: Map<string, Entry[]>; wild: Array<Entry & { host: string }> }>();
  for (const gw of idx.gateways) {
    const spec = gw.raw?.spec;
    if (!spec || typeof spec !== 'object') continue;
    const sel = spec.selector && typeof spec.selector === 'object' ? spec.selector : {};
    const selStr = Object.keys(sel).sort().map(k => `${k}=${sel[k]}`).join(',');
    if (selStr && !idx.gatewayPods(gw).length) {
      rep.add(gw, GATEWAY_SELECTOR, 'spec.selector',
        `IST0101 Referenced selector not found: "${selStr}": could not check that the gateway runs, no pod template of the output carries these labels, so it must be installed out of band`,
        `Install the gateway with matching labels (istioctl: istio-egressgateway pods are labelled istio=egressgateway; the Helm gateway chart labels istio=<release name without "istio-">), or fix spec.selector.`);
    }
    (Array.isArray(spec.servers) ? spec.servers : []).forEach((s: any, i: number) => {
      const port = s?.port?.number;
      if (typeof port !== 'number') return;
      const hosts: string[] = (Array.isArray(s.hosts) ? s.hosts : []).filter((h: unknown): h is string => typeof h === 'string').map((h: string) => (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h));
      const key = `${selStr}~${port}`;
      let slot = byKey.get(key);
      if (!slot) byKey.set(key, slot = { exact: new Map(), wild: [] });
      const conflicts = new Map<Obj, { server: number; hosts: Set<string> }>();
      const note = (e: Entry, h: string) => {
        if (e.gw === gw) return;
        const c = conflicts.get(e.gw) ?? { server: e.server, hosts: new Set<string>() };
        c.hosts.add(h);
        conflicts.set(e.gw, c);
      };
      for (const h of hosts) {
        if (h.startsWith('*')) {
          for (const [eh, es] of slot.exact) if (hostMatches(h, eh)) es.forEach(e => note(e, h));
        } else {
          (slot.exact.get(h) ?? []).forEach(e => note(e, h));
        }
        for (const w of slot.wild) if (hostMatches(h, w.host)) note(w, h);
      }
      for (const [other, c] of conflicts) {
        rep.add(gw, CONFLICTING_GATEWAYS, `spec.servers[${i}]`,
          `IST0145 Conflict with gateways ${other.namespace}/${other.name} (workload selector ${selStr || '(none)'}, port ${port}, hosts ${[...c.hosts].join(',')}): the same gateway workload gets two servers for one port and host, and only one wins`,
          `Merge the servers into one Gateway, or serve distinct hosts / ports (spec.servers[${i}] of ${gw.namespace}/${gw.name} and spec.servers[${c.server}] of ${other.namespace}/${other.name}).`);
      }
      for (const h of hosts) {
        if (h.startsWith('*')) slot.wild.push({ gw, server: i, host: h });
        else {
          const l = slot.exact.get(h) ?? [];
          l.push({ gw, server: i });
          slot.exact.set(h, l);
        }
      }
    });
  }
}

// --- Sidecars (sidecar/selector.go) ---------------------------------------------------------------------------

function checkSidecars(idx: MeshIndex, rep: Reporter) {
  const byNs = new Map<string, Obj[]>();
  for (const sc of idx.sidecars) byNs.set(sc.namespace ?? 'default', [...byNs.get(sc.namespace ?? 'default') ?? [], sc]);
  for (const [ns, list] of byNs) {
    const noSel = list.filter(sc => !labelsOf(sc));
    if (noSel.length > 1) {
      for (const sc of noSel.slice(1)) {
        rep.add(sc, SIDECAR_MULTIPLE_DEFAULT, 'spec.workloadSelector',
          `IST0111 The Sidecars ${noSel.map(s => s.name).join(', ')} in namespace "${ns}" have no workload selector, which can lead to undefined behavior.`,
          'Keep one namespace-wide Sidecar and give the others spec.workloadSelector.labels.');
      }
    }
    const withSel = list.filter(sc => labelsOf(sc));
    const reported = new Set<Obj>();
    for (let i = 0; i < withSel.length; i++) {
      for (let j = i + 1; j < withSel.length; j++) {
        const a = withSel[i];
        const b = withSel[j];
        const la = labelsOf(a)!;
        const lb = labelsOf(b)!;
        const same = fmtLabels(sorted(la)) === fmtLabels(sorted(lb));
        const pod = (idx.podsByNs.get(ns) ?? []).find(p => selectorMatches({ matchLabels: la }, p.labels) && selectorMatches({ matchLabels: lb }, p.labels));
        if ((same || pod) && !reported.has(b)) {
          reported.add(b);
          rep.add(b, SIDECAR_SELECTOR_CONFLICT, 'spec.workloadSelector.labels',
            `IST0110 The Sidecars ${a.name}, ${b.name} in namespace "${ns}" select the same workload pod "${pod ? `${pod.owner.kind}/${pod.owner.name}` : fmtLabels(lb)}", which can lead to undefined behavior.`,
            'Merge the two Sidecars, or make their workloadSelector.labels select disjoint workloads.');
        }
      }
    }
  }
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
        rep.add(r.vs, DESTINATION_SUBSET, `${r.field}.subset`,
          `IST0101 Referenced host+subset in destinationrule not found: "${d.host}+${d.subset}" (${drs.length ? `DestinationRule ${drs.map(x => `${x.namespace}/${x.name}`).join(', ')} for this host defines subsets ${drs.flatMap(subsetNames).join(', ') || '(none)'}` : 'no DestinationRule of the output has this host'}): requests fail with 503 NC cluster_not_found`,
          drs.length ? `Add subset "${d.subset}" to spec.subsets of ${drs[0].namespace}/${drs[0].name}, or use an existing subset.` : `Add a DestinationRule with host: ${d.host} and subsets: [{name: ${d.subset}}] in namespace "${vsNs}".`);
      }
    }
    const ses = idx.serviceEntriesFor(host, vsNs);
    const svc = idx.serviceFor(d.host, vsNs);
    const target = ses[0] ?? svc;
    if (!target && idx.generatedServices.has(host)) continue; // the Service Istio generates for a Gateway API Gateway of the output
    if (!target) {
      const local = isClusterLocal(d.host);
      rep.add(r.vs, DESTINATION_HOST, `${r.field}.host`,
        `IST0101 Referenced host not found: "${d.host}" (${local ? `could not check it: no Service ${host} in the output, so it must be installed out of band` : `no ServiceEntry of the output visible from namespace "${vsNs}" defines it: Istio has no cluster for it (503 NC cluster_not_found), or traffic bypasses the route under ALLOW_ANY`})`,
        local ? `Make sure Service ${host} exists (e.g. the egress gateway Service installed with Istio), or fix the host.` : `Add a ServiceEntry with hosts: [${d.host}] (exported to "${vsNs}"), or fix the host.`,
        local ? 'note' : undefined);
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

export function subsetNames(dr: Obj): string[] {
  return (Array.isArray(dr.raw?.spec?.subsets) ? dr.raw.spec.subsets : []).map((s: any) => s?.name).filter((n: unknown): n is string => typeof n === 'string');
}

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
        const sel = { ...svc.raw.spec.selector, ...labels };
        const behind = (idx.podsByNs.get(svc.namespace!) ?? []).filter(p => selectorMatches({ matchLabels: svc.raw.spec.selector }, p.labels));
        if (behind.length && !behind.some(p => selectorMatches({ matchLabels: sel }, p.labels))) {
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

