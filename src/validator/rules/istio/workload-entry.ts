/**
 * WorkloadEntry as Istio 1.30.3 validates it: ValidateWorkloadEntry (validateWorkloadEntry with FQDN addresses
 * allowed and no service ports: Istio does not check a WorkloadEntry's ports against the ServiceEntries that
 * select it). Istio 1.31 validates it the same.
 */
import type { Obj, Reporter } from '../../context';
import { IstioReport, checkIstioMetadata, fqdnError, isIp, isMessage, labelErrors, portError, portNameError } from './common';
import { defineRule } from '../rule';

export const WORKLOAD_ENTRY = defineRule({
  id: 'istio/workload-entry',
  family: 'istio',
  severity: 'error',
  description: 'A WorkloadEntry has no address (and no network), an address that is neither an IP, an FQDN nor a unix socket path, invalid ports or labels.',
  source: 'Istio validation.go ValidateWorkloadEntry, validateWorkloadEntry',
  details: 'validateWorkloadEntry: address required unless network is set (then a warning: the entry is reached through that network\'s gateway); unix://<absolute path or @abstract> without ports; otherwise an IP or an FQDN (agent.ValidateFQDN); port names DNS labels and numbers 1..65535; labels valid Kubernetes labels. Istio does not check the ports against the ServiceEntries that select the entry.',
});

const UNIX = 'unix://';

/** ValidateUnixAddress */
function unixAddressError(addr: string): string | undefined {
  if (addr.length === 0) return 'unix address must not be empty';
  if (addr.startsWith('@')) return undefined;
  if (!addr.startsWith('/') || addr.endsWith('/')) return `${addr} is not an absolute path to a file`;
  return undefined;
}

/** ValidateWorkloadEntry */
export function checkWorkloadEntry(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  const spec = isMessage(o.raw?.spec) ? o.raw.spec : {};
  const addr = typeof spec.address === 'string' ? spec.address : '';
  const network = typeof spec.network === 'string' ? spec.network : '';
  if (addr === '') {
    if (network === '') {
      r.error(WORKLOAD_ENTRY, 'spec.address', 'address is required', 'Give the workload\'s IP address or DNS name, or the network it is reached through.');
      return;
    }
    r.warn(WORKLOAD_ENTRY, 'spec.address', `address is unset with network ${JSON.stringify(network)}`, 'Nothing to do if the workload is reached through that network\'s gateway; else give its address.');
  }
  const ports = isMessage(spec.ports) ? spec.ports : {};
  if (addr.startsWith(UNIX)) {
    r.error(WORKLOAD_ENTRY, 'spec.address', unixAddressError(addr.slice(UNIX.length)), 'Use unix:///absolute/path/to/socket or unix://@abstract-name.');
    if (Object.keys(ports).length) r.error(WORKLOAD_ENTRY, 'spec.ports', `unix endpoint ${addr} must not include ports`, 'Remove ports: a unix socket has none.');
  } else if (addr !== '' && !isIp(addr) && fqdnError(addr)) {
    r.error(WORKLOAD_ENTRY, 'spec.address', `endpoint address ${JSON.stringify(addr)} is not a valid FQDN or an IP address`, 'Give an IP address or a DNS name, without a port (ports go in ports).');
  }
  for (const [name, port] of Object.entries(ports)) {
    r.error(WORKLOAD_ENTRY, `spec.ports[${JSON.stringify(name)}]`, portNameError(name), 'Name the port with a DNS label, e.g. http.');
    r.error(WORKLOAD_ENTRY, `spec.ports[${JSON.stringify(name)}]`, portError(port), 'Give a port number from 1 to 65535.');
  }
  for (const e of labelErrors(spec.labels)) r.error(WORKLOAD_ENTRY, 'spec.labels', e, 'Use Kubernetes label keys and values.');
}
