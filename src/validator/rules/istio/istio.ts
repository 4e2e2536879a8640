/**
 * Istio semantics not encoded in the CRDs, after istio/istio 1.30.3 pkg/config/validation and the analyzers:
 * ServiceEntry (service-entry.ts), DestinationRule (destination-rule.ts), Sidecar (sidecar.ts), Gateway (gateway.ts),
 * VirtualService (virtual-service.ts), AuthorizationPolicy (authorization-policy.ts), PeerAuthentication
 * (peer-authentication.ts), RequestAuthentication (request-authentication.ts), EnvoyFilter (envoy-filter.ts),
 * WorkloadEntry (workload-entry.ts), WorkloadGroup (workload-group.ts), ProxyConfig (proxy-config.ts), Telemetry
 * (telemetry.ts), WasmPlugin (wasm-plugin.ts), TrafficExtension (traffic-extension.ts), and the
 * networking.istio.io/exportTo annotation of Services.
 */
import type { Obj, Reporter } from '../../context';
import { fqdn, type MeshIndex } from '../../mesh-index';
import { EXPORT_FIX, exportToErrors, IstioReport, checkIstioMetadata, EXPORT_TO } from './common';
import { checkAuthorizationPolicy } from './authorization-policy';
import { checkDestinationRule } from './destination-rule';
import { checkEnvoyFilter } from './envoy-filter';
import { checkGateway } from './gateway';
import { checkPeerAuthentication } from './peer-authentication';
import { checkRequestAuthentication } from './request-authentication';
import { checkServiceEntry } from './service-entry';
import { checkProxyConfig } from './proxy-config';
import { checkSidecar } from './sidecar';
import { checkTelemetry } from './telemetry';
import { checkTrafficExtension } from './traffic-extension';
import { checkVirtualService } from './virtual-service';
import { checkWasmPlugin } from './wasm-plugin';
import { checkWorkloadEntry } from './workload-entry';
import { checkWorkloadGroup } from './workload-group';


/**
 * @param idx the objects' index: a DestinationRule without workloadSelector for a host that a Gateway's proxy
 *   routes to applies at that gateway, which reads credentialName.
 */
export function checkIstio(objs: Obj[], rep: Reporter, idx: MeshIndex): void {
  // ServiceEntries by host, so that each DestinationRule looks up its host instead of scanning them all
  const serviceEntries = new Map<string, Obj[]>();
  for (const o of objs) {
    if (o.group !== 'networking.istio.io' || o.kind !== 'ServiceEntry' || !Array.isArray(o.raw?.spec?.hosts)) continue;
    for (const h of new Set<unknown>(o.raw.spec.hosts)) {
      if (typeof h === 'string') serviceEntries.set(h, [...serviceEntries.get(h) ?? [], o]);
    }
  }
  for (const o of objs) {
    if (o.group === 'networking.istio.io' && (o.kind === 'ServiceEntry' || o.kind === 'DestinationRule' || o.kind === 'Sidecar')) {
      checkIstioMetadata(o, new IstioReport(rep, o));
      if (o.kind === 'ServiceEntry') checkServiceEntry(o, rep);
      else if (o.kind === 'DestinationRule') checkDestinationRule(o, rep, serviceEntries, (host) => idx.routedFromGateway(fqdn(host, o.namespace ?? 'default')), (host) => idx.routedFromSidecars(fqdn(host, o.namespace ?? 'default')));
      else checkSidecar(o, rep);
    } else if (o.group === 'networking.istio.io' && o.kind === 'Gateway') {
      checkGateway(o, rep);
    } else if (o.group === 'networking.istio.io' && o.kind === 'VirtualService') {
      checkVirtualService(o, rep);
    } else if (o.group === 'security.istio.io' && o.kind === 'AuthorizationPolicy') {
      checkAuthorizationPolicy(o, rep);
    } else if (o.group === 'security.istio.io' && o.kind === 'PeerAuthentication') {
      checkPeerAuthentication(o, rep);
    } else if (o.group === 'security.istio.io' && o.kind === 'RequestAuthentication') {
      checkRequestAuthentication(o, rep);
    } else if (OTHER_KINDS[`${o.group}/${o.kind}`]) {
      OTHER_KINDS[`${o.group}/${o.kind}`](o, rep);
    } else if (o.apiVersion === 'v1' && o.kind === 'Service') {
      checkServiceAnnotation(o, rep);
    }
  }
}

/** The kinds whose webhook rules need only the object itself, by group/kind. */
const OTHER_KINDS: { readonly [groupKind: string]: (o: Obj, rep: Reporter) => void } = {
  'networking.istio.io/EnvoyFilter': checkEnvoyFilter,
  'networking.istio.io/WorkloadEntry': checkWorkloadEntry,
  'networking.istio.io/WorkloadGroup': checkWorkloadGroup,
  'networking.istio.io/ProxyConfig': checkProxyConfig,
  'telemetry.istio.io/Telemetry': checkTelemetry,
  'extensions.istio.io/WasmPlugin': checkWasmPlugin,
  'extensions.istio.io/TrafficExtension': checkTrafficExtension,
};

function checkServiceAnnotation(o: Obj, rep: Reporter) {
  const a = o.raw?.metadata?.annotations?.['networking.istio.io/exportTo'];
  if (typeof a !== 'string') return;
  const field = 'metadata.annotations["networking.istio.io/exportTo"]';
  const values = a.split(',').map(s => s.trim());
  if (values.some(v => v === '')) rep.add(o, EXPORT_TO, field, `empty entry in exportTo annotation ${JSON.stringify(a)}`, 'Use a comma-separated list of ".", "*", "~" or namespace names.');
  for (const e of exportToErrors(values.filter(Boolean), o.namespace ?? 'default', true, false)) rep.add(o, EXPORT_TO, field, e, EXPORT_FIX);
}
