/**
 * Istio semantics not encoded in the CRDs, after istio/istio 1.30.3 pkg/config/validation and the analyzers:
 * ServiceEntry (istio-service-entry.ts), DestinationRule (istio-destination-rule.ts), Sidecar (istio-sidecar.ts),
 * and the networking.istio.io/exportTo annotation of Services.
 */
import type { Obj, Reporter } from './context';
import { EXPORT_FIX, exportToErrors, IstioReport, checkIstioMetadata } from './istio-common';
import { checkDestinationRule } from './istio-destination-rule';
import { checkGateway } from './istio-gateway';
import { checkServiceEntry } from './istio-service-entry';
import { checkSidecar } from './istio-sidecar';
import { checkVirtualService } from './istio-virtual-service';

export { isIp, wildcardDomainError, exportToErrors } from './istio-common';
export { drTlsSites } from './istio-destination-rule';

export function checkIstio(objs: Obj[], rep: Reporter): void {
  // ServiceEntries by host, so that each DestinationRule looks up its host instead of scanning them all
  const serviceEntries = new Map<string, Obj[]>();
  for (const o of objs) {
    if (o.group !== 'networking.istio.io' || o.kind !== 'ServiceEntry' || !Array.isArray(o.raw?.spec?.hosts)) continue;
    for (const h of new Set<unknown>(o.raw.spec.hosts)) {
      if (typeof h === 'string') serviceEntries.set(h, [...serviceEntries.get(h) ?? [], o]);
    }
  }
  const gatewayRouted = gatewayRoutedHosts(objs);
  for (const o of objs) {
    if (o.group === 'networking.istio.io' && (o.kind === 'ServiceEntry' || o.kind === 'DestinationRule' || o.kind === 'Sidecar')) {
      checkIstioMetadata(o, new IstioReport(rep, o));
      if (o.kind === 'ServiceEntry') checkServiceEntry(o, rep);
      else if (o.kind === 'DestinationRule') checkDestinationRule(o, rep, serviceEntries, gatewayRouted);
      else checkSidecar(o, rep);
    } else if (o.group === 'networking.istio.io' && o.kind === 'Gateway') {
      checkGateway(o, rep);
    } else if (o.group === 'networking.istio.io' && o.kind === 'VirtualService') {
      checkVirtualService(o, rep);
    } else if (o.apiVersion === 'v1' && o.kind === 'Service') {
      checkServiceAnnotation(o, rep);
    }
  }
}

/**
 * Hosts that a VirtualService routes to from a Gateway other than `mesh`, or a Gateway API HTTPRoute
 * attached to a Gateway sends to: the gateway's proxy sends to them, so a DestinationRule for them without workloadSelector applies at the gateway (egress gateway TLS
 * origination), where credentialName is honoured.
 */
function gatewayRoutedHosts(objs: Obj[]): Set<string> {
  const hosts = new Set<string>();
  for (const o of objs) {
    if (o.group !== 'networking.istio.io' || o.kind !== 'VirtualService') continue;
    const spec = o.raw?.spec;
    const vsGateways: unknown[] = Array.isArray(spec?.gateways) ? spec.gateways : [];
    for (const kind of ['http', 'tls', 'tcp']) {
      for (const r of Array.isArray(spec?.[kind]) ? spec[kind] : []) {
        const matches: any[] = Array.isArray(r?.match) ? r.match : [];
        const matchGateways = matches.flatMap((m) => (Array.isArray(m?.gateways) ? m.gateways : []));
        const gws = matchGateways.length && matches.every((m) => Array.isArray(m?.gateways) && m.gateways.length) ? matchGateways : vsGateways;
        if (!gws.some((g) => typeof g === 'string' && g !== 'mesh')) continue;
        for (const d of Array.isArray(r?.route) ? r.route : []) {
          if (typeof d?.destination?.host === 'string') hosts.add(d.destination.host);
        }
      }
    }
  }
  // Gateway API: an HTTPRoute attached to a Gateway sends from the gateway's proxy to its backends
  for (const o of objs) {
    if (o.group !== 'gateway.networking.k8s.io' || o.kind !== 'HTTPRoute') continue;
    const spec = o.raw?.spec;
    const parents: any[] = Array.isArray(spec?.parentRefs) ? spec.parentRefs : [];
    if (!parents.some((p) => (p?.kind ?? 'Gateway') === 'Gateway' && (p?.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io')) continue;
    for (const r of Array.isArray(spec?.rules) ? spec.rules : []) {
      for (const b of Array.isArray(r?.backendRefs) ? r.backendRefs : []) {
        if (typeof b?.name !== 'string') continue;
        if (b.kind === 'Hostname' && b.group === 'networking.istio.io') hosts.add(b.name);
        else if ((b.kind ?? 'Service') === 'Service' && (b.group ?? '') === '') hosts.add(`${b.name}.${b.namespace ?? o.namespace ?? 'default'}.svc.cluster.local`);
      }
    }
  }
  return hosts;
}

function checkServiceAnnotation(o: Obj, rep: Reporter) {
  const a = o.raw?.metadata?.annotations?.['networking.istio.io/exportTo'];
  if (typeof a !== 'string') return;
  const field = 'metadata.annotations["networking.istio.io/exportTo"]';
  const values = a.split(',').map(s => s.trim());
  if (values.some(v => v === '')) rep.add(o, 'istio/export-to', field, `empty entry in exportTo annotation ${JSON.stringify(a)}`, 'Use a comma-separated list of ".", "*", "~" or namespace names.');
  for (const e of exportToErrors(values.filter(Boolean), o.namespace ?? 'default', true, false)) rep.add(o, 'istio/export-to', field, e, EXPORT_FIX);
}
