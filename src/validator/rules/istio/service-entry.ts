/**
 * ServiceEntry as Istio 1.30.3 validates it: ValidateServiceEntry (with ValidateAlphaWorkloadSelector,
 * validateWorkloadEntry for STATIC endpoints, validateExportTo) and the analyzer IST0134
 * (ServiceEntryAddressesRequired).
 */
import type { Obj, Reporter } from '../../context';
import {
  EXPORT_FIX, exportToErrors, fqdnError, IstioReport, ipSubnetError, isHttpProtocol, isIp, isMessage, isSet, isTcpProtocol,
  isTlsProtocol, labelErrors, parseProtocol, partialWildcardError, portError, portNameError, protocolError, SUPPORTED_PROTOCOLS,
  trailingDotWarning, wildcardDomainError, EXPORT_TO,
} from './common';
import { defineRule } from '../rule';

export const SE_HOST = defineRule({
  id: 'istio/se-host',
  family: 'istio',
  severity: 'error',
  description: 'A ServiceEntry host is missing, "*", or not a valid (wildcard) DNS name.',
  source: 'Istio validation.go ValidateServiceEntry, agent.ValidateWildcardDomain, agent.ValidatePartialWildCard',
  details: 'ValidateServiceEntry hosts: at least one; not "*"; agent.ValidateWildcardDomain (DNS labels, "*" only as first label, no all-numeric top-level domain, so no IP addresses); warning for partial wildcards (agent.ValidatePartialWildCard); warning (this project) for a trailing dot, which Istio accepts and Envoy matches to nothing.',
});

export const SE_ADDRESSES = defineRule({
  id: 'istio/se-addresses',
  family: 'istio',
  severity: 'error',
  description: 'A ServiceEntry address is not an IP or CIDR, or a TCP port has no address to listen on.',
  source: 'Istio validation.go ValidateServiceEntry, agent.ValidateIPSubnet / analyzer IST0134',
  details: 'ServiceEntry addresses: agent.ValidateIPSubnet (error); warning for TCP or unset-protocol ports without addresses when no address is auto-allocated (resolution NONE, or the networking.istio.io/enable-autoallocate-ip: "false" label) — ValidateServiceEntry and analyzer IST0134 (ServiceEntryAddressesRequired).',
});

export const SE_PORTS = defineRule({
  id: 'istio/se-ports',
  family: 'istio',
  severity: 'error',
  description: 'ServiceEntry ports are null, duplicated, badly named or numbered, or of an unknown protocol.',
  source: 'Istio validation.go ValidateServiceEntry, ValidatePortName, ValidateProtocol, agent.ValidatePort',
  details: 'ValidateServiceEntry ports: not null, unique by name and number, ValidatePortName, ValidateProtocol, agent.ValidatePort for number and targetPort; warning when there are no ports (this project: nothing is captured).',
});

export const SE_RESOLUTION = defineRule({
  id: 'istio/se-resolution',
  family: 'istio',
  severity: 'error',
  description: 'The ServiceEntry resolution does not fit its hosts, addresses, endpoints or ports.',
  source: 'Istio validation.go ValidateServiceEntry / this project (STATIC without endpoints)',
  details: 'ValidateServiceEntry resolution: CIDR addresses only with NONE/STATIC; NONE takes no endpoints (warning with a workloadSelector); DNS/DNS_ROUND_ROBIN hosts FQDN without endpoints, DNS_ROUND_ROBIN at most one endpoint, warning for several hosts with addresses and a TCP port; DYNAMIC_DNS wildcard hosts, no addresses or endpoints, HTTP/TLS/GRPC/HTTP2 ports, location and waypoint; several hosts need HTTP or TLS ports unless NONE. Warning (this project) for STATIC without endpoints or workloadSelector.',
});

export const SE_ENDPOINTS = defineRule({
  id: 'istio/se-endpoints',
  family: 'istio',
  severity: 'error',
  description: 'A ServiceEntry endpoint is null, has an invalid address, ports or labels.',
  source: 'Istio validation.go ValidateServiceEntry, validateWorkloadEntry, labels.Instance.Validate',
  details: 'ServiceEntry endpoints (validateWorkloadEntry for STATIC, the DNS branch of ValidateServiceEntry): not null; address IP (STATIC) or FQDN/IP (DNS), unix:// absolute path without ports and with exactly one service port, address required unless network is set (then a warning); ports named by spec.ports, valid names and numbers; labels.Instance.Validate.',
});

export const SE_WORKLOAD_SELECTOR = defineRule({
  id: 'istio/se-workload-selector',
  family: 'istio',
  severity: 'error',
  description: 'The ServiceEntry workloadSelector has an empty or "*" key, or comes with endpoints.',
  source: 'Istio validation.go ValidateAlphaWorkloadSelector, ValidateServiceEntry',
  details: 'ValidateAlphaWorkloadSelector for ServiceEntry: no empty key, no "*" (warning without labels); only one of workloadSelector and endpoints.',
});

const PORT_FIX = 'Use a port between 1 and 65535.';
const LABEL_FIX = 'Use Kubernetes label keys ([prefix/]name) and values (at most 63 characters of letters, digits, "-", "_", ".").';

/** ValidateUnixAddress */
function unixAddressError(addr: string): string | undefined {
  if (addr.length === 0) return 'unix address must not be empty';
  if (addr.startsWith('@')) return undefined;
  if (!addr.startsWith('/') || addr.endsWith('/')) return `${addr} is not an absolute path to a file`;
  return undefined;
}

export function checkServiceEntry(o: Obj, rep: Reporter) {
  const spec = o.raw?.spec;
  if (!isMessage(spec)) return;
  const r = new IstioReport(rep, o);
  const hosts: unknown[] = Array.isArray(spec.hosts) ? spec.hosts : [];
  const resolution: string = typeof spec.resolution === 'string' ? spec.resolution : 'NONE';
  const endpoints: any[] = Array.isArray(spec.endpoints) ? spec.endpoints : [];
  const addresses: unknown[] = Array.isArray(spec.addresses) ? spec.addresses : [];
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  const hasSelector = spec.workloadSelector !== undefined && spec.workloadSelector !== null;

  // ValidateAlphaWorkloadSelector
  if (hasSelector) {
    const labels = isMessage(spec.workloadSelector?.labels) ? spec.workloadSelector.labels : {};
    for (const [k, v] of Object.entries(labels)) {
      if (k === '') r.error(SE_WORKLOAD_SELECTOR, 'spec.workloadSelector.labels', `empty key is not supported in selector: ${JSON.stringify(`${k}=${v}`)}`, 'Use a label key, e.g. app.');
      if (k.includes('*') || String(v).includes('*')) r.error(SE_WORKLOAD_SELECTOR, 'spec.workloadSelector.labels', `wildcard is not supported in selector: ${JSON.stringify(`${k}=${v}`)}`, 'Use exact label values.');
    }
    if (Object.keys(labels).length === 0) r.warn(SE_WORKLOAD_SELECTOR, 'spec.workloadSelector', 'service entry: workload selector specified without labels, will be applied to all services in namespace', 'Add workloadSelector.labels, or remove the workloadSelector.');
    if (endpoints.length) r.error(SE_WORKLOAD_SELECTOR, 'spec.endpoints', 'only one of WorkloadSelector or Endpoints is allowed in Service Entry', 'Keep endpoints or workloadSelector.');
  }

  if (hosts.length === 0) r.error(SE_HOST, 'spec.hosts', 'service entry must have at least one host', 'Add the external host name, e.g. api.example.com.');
  hosts.forEach((h, i) => {
    if (typeof h !== 'string') return;
    const field = `spec.hosts[${i}]`;
    if (h === '*') {
      r.error(SE_HOST, field, `invalid host ${h}`, 'Use a concrete host or a "*.domain" wildcard.');
      return;
    }
    r.error(SE_HOST, field, wildcardDomainError(h), 'Use a DNS name, optionally prefixed with "*."; put IP addresses into spec.addresses or endpoints.');
    if (resolution !== 'DYNAMIC_DNS') r.warn(SE_HOST, field, partialWildcardError(h), 'Use a "*." wildcard (the whole first label).');
    if (wildcardDomainError(h) === undefined) r.warn(SE_HOST, field, trailingDotWarning('host', h), `Drop the trailing dot: ${JSON.stringify(h.slice(0, -1))}.`);
  });

  let cidr = false;
  addresses.forEach((a, i) => {
    if (typeof a !== 'string') return;
    cidr ||= a.includes('/');
    r.error(SE_ADDRESSES, `spec.addresses[${i}]`, ipSubnetError(a), 'Use an IP address or CIDR block.');
  });
  if (cidr && resolution !== 'NONE' && resolution !== 'STATIC') r.error(SE_RESOLUTION, 'spec.addresses', 'CIDR addresses are allowed only for NONE/STATIC resolution types', 'Use single IPs, or resolution NONE or STATIC.');

  // addresses are allocated automatically (PILOT_ENABLE_IP_AUTOALLOCATE) unless resolution is NONE or the label opts out
  const optOut = String(o.raw?.metadata?.labels?.['networking.istio.io/enable-autoallocate-ip'] ?? '').toLowerCase() === 'false';
  const autoAllocation = resolution !== 'NONE' && !optOut && addresses.length === 0;
  const names = new Set<string>();
  const numbers = new Set<number>();
  if (ports.length === 0) r.warn(SE_PORTS, 'spec.ports', 'a ServiceEntry without ports captures no traffic', 'Add spec.ports with number, name and protocol.');
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (!isMessage(p)) {
      r.error(SE_PORTS, f, 'service entry port may not be null', 'Remove the empty entry.');
      return;
    }
    const name = typeof p.name === 'string' ? p.name : '';
    if (names.has(name)) r.error(SE_PORTS, `${f}.name`, `service entry port name ${JSON.stringify(name)} already defined`, 'Give every port a unique name.');
    names.add(name);
    const num = typeof p.number === 'number' ? p.number : 0;
    if (numbers.has(num)) r.error(SE_PORTS, `${f}.number`, `service entry port ${num} already defined`, 'Each port number may appear once.');
    numbers.add(num);
    if (isSet(p.targetPort)) r.error(SE_PORTS, `${f}.targetPort`, portError(p.targetPort), PORT_FIX);
    if (addresses.length === 0 && !autoAllocation && (!isSet(p.protocol) || p.protocol === 'TCP')) {
      r.warn(SE_ADDRESSES, f, 'addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled (IST0134: ServiceEntry addresses are required for this protocol.)',
        'Add spec.addresses (a virtual IP or CIDR), or set the protocol (HTTP, TLS, ...) so that Istio can route by Host header or SNI instead of by destination IP.');
    }
    r.error(SE_PORTS, `${f}.name`, portNameError(p.name), 'Use a DNS label, e.g. "https-port".');
    r.error(SE_PORTS, `${f}.protocol`, protocolError(p.protocol), `Use one of ${SUPPORTED_PROTOCOLS}.`);
    r.error(SE_PORTS, `${f}.number`, portError(p.number), PORT_FIX);
  });

  const checkEndpointPorts = (e: any, base: string) => {
    if (!isMessage(e.ports)) return;
    for (const [pn, num] of Object.entries(e.ports)) {
      const f = `${base}.ports["${pn}"]`;
      if (!names.has(pn)) r.error(SE_ENDPOINTS, f, `endpoint port ${String(num)} is not defined by the service entry`, 'Use a port name from spec.ports.');
      r.error(SE_ENDPOINTS, f, portNameError(pn), 'Use a DNS label as port name.');
      r.error(SE_ENDPOINTS, f, portError(num), PORT_FIX);
    }
  };
  switch (resolution) {
    case 'NONE':
      if (endpoints.length) r.error(SE_RESOLUTION, 'spec.endpoints', 'no endpoints should be provided for resolution type none', 'Remove spec.endpoints, or use resolution STATIC or DNS.');
      if (hasSelector) r.warn(SE_RESOLUTION, 'spec.workloadSelector', 'workloadSelector should not be set when resolution mode is NONE', 'Use resolution STATIC with a workloadSelector.');
      break;
    case 'STATIC':
      if (!endpoints.length && !hasSelector) r.warn(SE_RESOLUTION, 'spec.resolution', 'resolution STATIC without endpoints or workloadSelector: the host has no endpoints and requests to it fail', 'Add spec.endpoints with IP addresses, or use resolution DNS.');
      endpoints.forEach((e, i) => {
        const base = `spec.endpoints[${i}]`;
        if (!isMessage(e)) {
          r.error(SE_ENDPOINTS, base, 'endpoint cannot be nil', 'Remove the empty entry.');
          return;
        }
        // validateWorkloadEntry(endpoint, servicePorts, false)
        const addr = typeof e.address === 'string' ? e.address : '';
        if (addr === '') {
          if (!isSet(e.network)) {
            r.error(SE_ENDPOINTS, `${base}.address`, 'address is required', 'Set the endpoint IP address.');
            return;
          }
          r.warn(SE_ENDPOINTS, `${base}.address`, `address is unset with network ${JSON.stringify(e.network)}`, 'Set the address, unless the network gateway routes to it.');
        }
        const unix = addr.startsWith('unix://');
        if (unix) {
          r.error(SE_ENDPOINTS, `${base}.address`, unixAddressError(addr.slice('unix://'.length)), 'Use unix:///absolute/path/to/socket or unix://@abstract.');
          if (isMessage(e.ports) && Object.keys(e.ports).length) r.error(SE_ENDPOINTS, `${base}.ports`, `unix endpoint ${addr} must not include ports`, 'Remove the ports of a unix socket endpoint.');
        } else if (addr !== '' && !isIp(addr)) {
          r.error(SE_ENDPOINTS, `${base}.address`, `endpoint address ${JSON.stringify(addr)} is not a valid IP address`, 'Use an IP address, or resolution DNS for host names.');
        }
        checkEndpointPorts(e, base);
        for (const err of labelErrors(e.labels)) r.error(SE_ENDPOINTS, `${base}.labels`, err, LABEL_FIX);
        if (unix && names.size !== 1) r.error(SE_ENDPOINTS, `${base}.address`, 'exactly 1 service port required for unix endpoints', 'Declare exactly one port for a unix socket ServiceEntry.');
      });
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (!endpoints.length) {
        for (let i = 0; i < hosts.length; i++) {
          const h = hosts[i];
          const err = typeof h === 'string' ? fqdnError(h) : undefined;
          if (err) {
            r.error(SE_RESOLUTION, `spec.hosts[${i}]`, `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}, ${err}`, 'Use resolution NONE or DYNAMIC_DNS for wildcard hosts, or list concrete hosts or endpoints.');
            break;
          }
        }
      }
      if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) r.error(SE_RESOLUTION, 'spec.endpoints', `there must only be 0 or 1 endpoint for resolution mode ${resolution}`, 'Use resolution DNS for several endpoints.');
      endpoints.forEach((e, i) => {
        const base = `spec.endpoints[${i}]`;
        if (!isMessage(e)) {
          r.error(SE_ENDPOINTS, base, 'endpoint cannot be nil', 'Remove the empty entry.');
          return;
        }
        const addr = typeof e.address === 'string' ? e.address : '';
        if (!isIp(addr) && fqdnError(addr)) r.error(SE_ENDPOINTS, `${base}.address`, `endpoint address ${JSON.stringify(addr)} is not a valid FQDN or an IP address`, 'Use a DNS name or an IP address.');
        for (const err of labelErrors(e.labels)) r.error(SE_ENDPOINTS, `${base}.labels`, err, LABEL_FIX);
        checkEndpointPorts(e, base);
      });
      if (addresses.length && hosts.length > 1 && ports.some(p => isMessage(p) && isTcpProtocol(parseProtocol(p.protocol)))) {
        r.warn(SE_RESOLUTION, 'spec.hosts', 'service entry can not have more than one host specified simultaneously with address and tcp port', 'Use one ServiceEntry per host.');
      }
      if (addresses.length && ports.some(p => !isMessage(p))) r.error(SE_PORTS, 'spec.ports', 'ports cannot be nil', 'Remove the empty entry.');
      break;
    case 'DYNAMIC_DNS': {
      const rd = `resolution type ${resolution}`;
      if (hosts.length === 0) r.error(SE_RESOLUTION, 'spec.hosts', `at least one wildcard host must be provided for ${rd}`, 'Add a "*.domain" host.');
      hosts.forEach((h, i) => {
        if (typeof h === 'string' && !h.startsWith('*')) r.error(SE_RESOLUTION, `spec.hosts[${i}]`, `host must be wildcarded for resolution mode ${resolution}`, 'Use "*.domain" hosts, or resolution DNS for concrete hosts.');
      });
      if (addresses.length) r.error(SE_RESOLUTION, 'spec.addresses', `addresses cannot be set for ${rd}. HTTP route domains will only be generatedfrom the hosts field values`, 'Remove spec.addresses.');
      if (endpoints.length) r.error(SE_RESOLUTION, 'spec.endpoints', `endpoints cannot be set for ${rd}. Destination IP address determined from hostsfield values`, 'Remove spec.endpoints.');
      ports.forEach((p, i) => {
        if (!isMessage(p)) {
          r.error(SE_PORTS, `spec.ports[${i}]`, 'port cannot be nil', 'Remove the empty entry.');
          return;
        }
        const proto = parseProtocol(p.protocol);
        if (!['HTTP', 'TLS', 'GRPC', 'HTTP2'].includes(proto)) r.error(SE_RESOLUTION, `spec.ports[${i}].protocol`, `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for ${rd}`, 'Use HTTP, TLS, GRPC or HTTP2.');
      });
      const location = spec.location ?? 'MESH_EXTERNAL';
      if (location !== 'MESH_EXTERNAL' && location !== 'MESH_INTERNAL') r.error(SE_RESOLUTION, 'spec.location', `location must be MESH_EXTERNAL or MESH_INTERNAL for ${rd}`, 'Use MESH_EXTERNAL.');
      const waypoint = o.raw?.metadata?.labels?.['istio.io/use-waypoint'];
      if (location === 'MESH_INTERNAL' && typeof waypoint === 'string' && waypoint !== '' && waypoint.toLowerCase() !== 'none') {
        r.error(SE_RESOLUTION, 'spec.location', `location MESH_INTERNAL with ${rd} is not supported when using waypoints`, 'Use MESH_EXTERNAL, or no waypoint.');
      }
      break;
    }
    default:
      break; // the schema's enum reports unknown resolutions
  }

  if (resolution !== 'NONE' && hosts.length > 1) {
    if (ports.some(p => !isMessage(p))) r.error(SE_PORTS, 'spec.ports', 'ports cannot be nil', 'Remove the empty entry.');
    if (ports.some(p => isMessage(p) && !isHttpProtocol(parseProtocol(p.protocol)) && !isTlsProtocol(parseProtocol(p.protocol)))) {
      r.error(SE_RESOLUTION, 'spec.hosts', 'multiple hosts provided with non-HTTP, non-TLS ports', 'Use one ServiceEntry per host, or HTTP/TLS protocols (Istio tells hosts apart by Host header or SNI only).');
    }
  }
  for (const e of exportToErrors(spec.exportTo, o.namespace ?? 'default', true, false)) r.error(EXPORT_TO, 'spec.exportTo', e, EXPORT_FIX);
}
