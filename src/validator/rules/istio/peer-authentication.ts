/**
 * PeerAuthentication as Istio 1.30.3 validates it: ValidatePeerAuthentication (port-level mTLS) with
 * validateWorkloadSelector (policy-target.ts) and validateMetadata (no istio.io/dry-run). The mTLS modes are an
 * enum of the CRD (the schema checks them). Istio 1.31 validates PeerAuthentication the same.
 */
import type { Obj, Reporter } from '../../context';
import { checkIstioMetadata, IstioReport, isMessage } from './common';
import { checkPolicySelector } from './policy-target';
import { defineRule } from '../rule';

export const PEER_AUTHN_PORT_MTLS = defineRule({
  id: 'istio/peer-authn-port-mtls',
  family: 'istio',
  severity: 'error',
  description: 'A PeerAuthentication sets portLevelMtls without a selector with labels, as an empty map, or for a port outside 1..65535.',
  source: 'Istio validation.go ValidatePeerAuthentication',
  details: 'ValidatePeerAuthentication: a mesh- or namespace-wide policy (no selector labels) cannot have port-level mTLS; portLevelMtls, when given, has at least one port; every port is 1..65535. portLevelMtls: {} counts as given, as in Istio\'s test table (a map field decoded from {} is empty, not unset).',
});

export function checkPeerAuthentication(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  if (o.raw?.metadata?.annotations?.['istio.io/dry-run'] !== undefined) return;
  const spec = isMessage(o.raw?.spec) ? o.raw.spec : {};
  const sel = spec.selector;
  const emptySelector = !isMessage(sel) || !isMessage(sel.matchLabels) || Object.keys(sel.matchLabels).length === 0;
  const ports = isMessage(spec.portLevelMtls) ? Object.keys(spec.portLevelMtls) : undefined;
  const fix = 'Give the policy a selector with matchLabels, and list ports 1..65535 under portLevelMtls.';
  if (emptySelector && ports && ports.length > 0) r.error(PEER_AUTHN_PORT_MTLS, 'spec.portLevelMtls', 'mesh/namespace peer authentication cannot have port level mTLS', fix);
  if (ports && ports.length === 0) r.error(PEER_AUTHN_PORT_MTLS, 'spec.portLevelMtls', 'port level mTLS, if defined, must have at least one element', 'Remove portLevelMtls, or add a port.');
  for (const p of ports ?? []) {
    const n = /^\d+$/.test(p) ? Number(p) : NaN;
    if (!(n >= 1 && n <= 65535)) r.error(PEER_AUTHN_PORT_MTLS, `spec.portLevelMtls[${JSON.stringify(p)}]`, 'port must be in range 1..65535', fix);
  }
  checkPolicySelector(spec, 'selector', r);
}
