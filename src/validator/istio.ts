/**
 * Istio semantics not encoded in the CRDs, after istio/istio pkg/config/validation
 * (ValidateServiceEntry, ValidateDestinationRule, validateTLS, validateExportTo) and the analyzers.
 */
import type { Obj, Reporter } from './context';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_CI = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const PROTOCOLS = new Set(['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'HTTP_PROXY', 'MONGO', 'MYSQL', 'REDIS', 'TCP', 'TLS', 'UDP']);

export function isIp(s: string): boolean {
  return isIpv4(s) || isIpv6(s);
}
function isIpv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every(x => /^\d{1,3}$/.test(x) && Number(x) <= 255);
}
function isIpv6(s: string): boolean {
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}
function isCidr(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  if (isIpv4(ip)) return Number(bits) <= 32;
  return isIpv6(ip) && Number(bits) <= 128;
}

/** Istio ValidateWildcardDomain: "*" or "*.<dns>" or "<dns>"; error message or undefined. */
export function wildcardDomainError(host: string): string | undefined {
  if (!host) return 'host must not be empty';
  if (host.length > 255) return 'domain name too long (max 255)';
  let rest = host;
  if (host === '*') return undefined;
  if (host.startsWith('*.')) rest = host.slice(2);
  else if (host.startsWith('*')) rest = host.slice(1); // "*foo.com" is allowed by Istio (prefix wildcard)
  if (rest.includes('*')) return 'wildcard "*" is only allowed as the leftmost label';
  const labels = rest.endsWith('.') ? rest.slice(0, -1).split('.') : rest.split('.');
  for (const l of labels) {
    if (!l) return 'empty label';
    if (l.length > 63 || !DNS_LABEL_CI.test(l)) return `label "${l}" is not a valid DNS-1123 label`;
  }
  return undefined;
}

function fqdnError(host: string): string | undefined {
  if (host.includes('*')) return 'wildcard';
  return wildcardDomainError(host);
}

export function exportToErrors(values: unknown, namespace: string, isDrWithSelector: boolean): string[] {
  if (!Array.isArray(values)) return [];
  const errs: string[] = [];
  const set = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    let key = v;
    if (v === '.') key = namespace;
    else if (v !== '*' && v !== '~' && (v.length > 63 || !DNS_LABEL.test(v))) errs.push(`invalid exportTo value "${v}": must be ".", "*", "~" or a namespace name`);
    if (set.has(key)) errs.push(`duplicate exportTo entry "${v}"${v !== key ? ` (= ${key})` : ''}`);
    set.add(key);
  }
  if (set.has('*') && set.size > 1) errs.push('cannot have both public ("*") and non-public exportTo values');
  if (set.has('~') && set.size > 1) errs.push('cannot export to none ("~") and other namespaces');
  if (isDrWithSelector && set.size > 0) {
    if (!set.has(namespace)) errs.push(`a DestinationRule with workloadSelector cannot have exportTo beyond its own namespace (${namespace})`);
    else if (set.size > 1) errs.push('a DestinationRule with workloadSelector cannot have multiple entries in exportTo');
  }
  return errs;
}

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
    if (o.group === 'networking.istio.io' && o.kind === 'ServiceEntry') checkServiceEntry(o, rep);
    else if (o.group === 'networking.istio.io' && o.kind === 'DestinationRule') checkDestinationRule(o, rep, serviceEntries, gatewayRouted);
    else if (o.apiVersion === 'v1' && o.kind === 'Service') checkServiceAnnotation(o, rep);
  }
}

/**
 * Hosts that a VirtualService routes to from a Gateway other than `mesh`: the gateway's proxy sends to
 * them, so a DestinationRule for them without workloadSelector applies at the gateway (egress gateway TLS
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
  return hosts;
}

function checkServiceAnnotation(o: Obj, rep: Reporter) {
  const a = o.raw?.metadata?.annotations?.['networking.istio.io/exportTo'];
  if (a === undefined) return;
  const field = 'metadata.annotations["networking.istio.io/exportTo"]';
  if (typeof a !== 'string') return;
  const values = a.split(',').map(s => s.trim());
  if (values.some(v => v === '')) rep.add(o, 'istio/export-to', field, `empty entry in exportTo annotation ${JSON.stringify(a)}`, 'Use a comma-separated list of ".", "*", "~" or namespace names.');
  for (const e of exportToErrors(values.filter(Boolean), o.namespace ?? 'default', false)) {
    rep.add(o, 'istio/export-to', field, e, 'Use ".", "*", "~" or namespace names, each once; "*" and "~" alone.');
  }
}

function checkServiceEntry(o: Obj, rep: Reporter) {
  const spec = o.raw?.spec;
  if (!spec || typeof spec !== 'object') return;
  const hosts: unknown[] = Array.isArray(spec.hosts) ? spec.hosts : [];
  const resolution: string = typeof spec.resolution === 'string' ? spec.resolution : 'NONE';
  const endpoints: any[] = Array.isArray(spec.endpoints) ? spec.endpoints : [];
  if (hosts.length === 0) rep.add(o, 'istio/se-host', 'spec.hosts', 'a ServiceEntry must have at least one host', 'Add the external host name, e.g. api.example.com.');
  hosts.forEach((h, i) => {
    if (typeof h !== 'string') return;
    const field = `spec.hosts[${i}]`;
    if (h === '*') rep.add(o, 'istio/se-host', field, 'the full wildcard "*" is not allowed as a ServiceEntry host', 'Use a concrete host or a "*.domain" wildcard.');
    else if (isIp(h)) rep.add(o, 'istio/se-host', field, `"${h}" is an IP address; ServiceEntry hosts are DNS names`, 'Put the IP into spec.addresses (or an endpoint) and use a DNS name as host.');
    else {
      const e = wildcardDomainError(h);
      if (e) rep.add(o, 'istio/se-host', field, `invalid host "${h}": ${e}`, 'Use a fully qualified DNS name, optionally prefixed with "*." .');
    }
  });

  const addresses: unknown[] = Array.isArray(spec.addresses) ? spec.addresses : [];
  let cidr = false;
  addresses.forEach((a, i) => {
    if (typeof a !== 'string') return;
    if (a.includes('/')) {
      cidr = true;
      if (!isCidr(a)) rep.add(o, 'istio/se-resolution', `spec.addresses[${i}]`, `"${a}" is not a valid CIDR`, 'Use an IP address or CIDR.');
    } else if (!isIp(a)) rep.add(o, 'istio/se-resolution', `spec.addresses[${i}]`, `"${a}" is not an IP address or CIDR`, 'Use an IP address or CIDR.');
  });
  if (cidr && resolution !== 'NONE' && resolution !== 'STATIC') rep.add(o, 'istio/se-resolution', 'spec.addresses', `CIDR addresses are allowed only with resolution NONE or STATIC (resolution is ${resolution})`, 'Use single IPs or change the resolution.');

  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0) rep.add(o, 'istio/se-ports', 'spec.ports', 'a ServiceEntry without ports captures no traffic', 'Add spec.ports with number, name and protocol.', 'warning');
  const names = new Map<string, number>();
  const numbers = new Map<number, number>();
  ports.forEach((p, i) => {
    if (!p || typeof p !== 'object') return;
    const f = `spec.ports[${i}]`;
    if (typeof p.name === 'string') {
      if (!DNS_LABEL.test(p.name) || p.name.length > 63) rep.add(o, 'istio/se-ports', `${f}.name`, `invalid port name "${p.name}": must be a DNS-1123 label`, 'Use lowercase letters, digits and "-", e.g. "https-port".');
      if (names.has(p.name)) rep.add(o, 'istio/se-ports', `${f}.name`, `port name "${p.name}" already used by spec.ports[${names.get(p.name)}]`, 'Give every port a unique name.');
      names.set(p.name, i);
    }
    if (typeof p.number === 'number') {
      if (p.number < 1 || p.number > 65535) rep.add(o, 'istio/se-ports', `${f}.number`, `port ${p.number} is out of range 1..65535`, 'Use a port number between 1 and 65535.');
      if (numbers.has(p.number)) rep.add(o, 'istio/se-ports', `${f}.number`, `port ${p.number} already defined by spec.ports[${numbers.get(p.number)}]`, 'Each port number may appear once.');
      numbers.set(p.number, i);
    }
    if (typeof p.targetPort === 'number' && (p.targetPort < 1 || p.targetPort > 65535)) rep.add(o, 'istio/se-ports', `${f}.targetPort`, `targetPort ${p.targetPort} is out of range 1..65535`, 'Use a port number between 1 and 65535.');
    if (typeof p.protocol === 'string' && p.protocol !== '' && !PROTOCOLS.has(p.protocol.toUpperCase())) rep.add(o, 'istio/se-ports', `${f}.protocol`, `unsupported protocol "${p.protocol}"`, `Use one of ${[...PROTOCOLS].join(', ')}.`);
  });

  switch (resolution) {
    case 'NONE':
      if (endpoints.length) rep.add(o, 'istio/se-resolution', 'spec.endpoints', 'no endpoints may be given for resolution NONE', 'Remove spec.endpoints or use resolution STATIC/DNS.');
      break;
    case 'STATIC':
      if (!endpoints.length && !spec.workloadSelector) rep.add(o, 'istio/se-resolution', 'spec.resolution', 'resolution STATIC needs endpoints (or a workloadSelector)', 'Add spec.endpoints with IP addresses, or use resolution DNS.');
      endpoints.forEach((e, i) => {
        const a = e?.address;
        if (typeof a === 'string' && !a.startsWith('unix://') && !isIp(a)) rep.add(o, 'istio/se-resolution', `spec.endpoints[${i}].address`, `endpoint address "${a}" must be an IP address for resolution STATIC`, 'Use an IP address or resolution DNS.');
      });
      break;
    case 'DNS':
    case 'DNS_ROUND_ROBIN':
      if (!endpoints.length) {
        hosts.forEach((h, i) => {
          if (typeof h !== 'string') return;
          if (h.includes('*')) rep.add(o, 'istio/se-resolution', `spec.hosts[${i}]`, `wildcard host "${h}" cannot be resolved with resolution ${resolution} (hosts must be FQDNs when no endpoints are given)`, 'Use resolution NONE for wildcard hosts, or list concrete hosts / endpoints.');
          else if (fqdnError(h) === undefined && isIp(h)) { /* reported above */ }
        });
      }
      endpoints.forEach((e, i) => {
        const a = e?.address;
        if (typeof a === 'string' && !isIp(a) && !a.startsWith('unix://') && fqdnError(a)) rep.add(o, 'istio/se-resolution', `spec.endpoints[${i}].address`, `endpoint address "${a}" is not a valid FQDN or IP address`, 'Use a DNS name or IP address.');
      });
      break;
    default:
      break;
  }
  endpoints.forEach((e, i) => {
    for (const pn of Object.keys(e?.ports ?? {})) {
      if (!names.has(pn)) rep.add(o, 'istio/se-ports', `spec.endpoints[${i}].ports["${pn}"]`, `endpoint port "${pn}" is not defined by the ServiceEntry ports`, 'Use a port name from spec.ports.');
    }
  });
  if (resolution !== 'NONE' && hosts.length > 1 && ports.some(p => typeof p?.protocol !== 'string' || !/^(HTTP|HTTPS|HTTP2|GRPC|GRPC-WEB|TLS)$/i.test(p.protocol))) {
    rep.add(o, 'istio/se-resolution', 'spec.hosts', 'several hosts with non-HTTP, non-TLS ports cannot be told apart (resolution is not NONE)', 'Use one ServiceEntry per host, or HTTP/TLS protocols.');
  }
  for (const e of exportToErrors(spec.exportTo, o.namespace ?? 'default', false)) rep.add(o, 'istio/export-to', 'spec.exportTo', e, 'Use ".", "*", "~" or namespace names, each once; "*" and "~" alone.');
}

interface TlsSite { field: string; tls: any }

function collectTls(spec: any): Array<TlsSite & { port?: number }> {
  const out: Array<TlsSite & { port?: number }> = [];
  const fromPolicy = (tp: any, base: string) => {
    if (!tp || typeof tp !== 'object') return;
    if (tp.tls && typeof tp.tls === 'object') out.push({ field: `${base}.tls`, tls: tp.tls });
    if (Array.isArray(tp.portLevelSettings)) {
      tp.portLevelSettings.forEach((pls: any, i: number) => {
        if (pls?.tls && typeof pls.tls === 'object') out.push({ field: `${base}.portLevelSettings[${i}].tls`, tls: pls.tls, port: pls.port?.number });
      });
    }
  };
  fromPolicy(spec.trafficPolicy, 'spec.trafficPolicy');
  if (Array.isArray(spec.subsets)) spec.subsets.forEach((s: any, i: number) => fromPolicy(s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`));
  return out;
}

export function drTlsSites(spec: any) {
  return collectTls(spec);
}

function checkDestinationRule(o: Obj, rep: Reporter, serviceEntries: Map<string, Obj[]>, gatewayRouted: Set<string>) {
  const spec = o.raw?.spec;
  if (!spec || typeof spec !== 'object') return;
  const host = spec.host;
  if (typeof host === 'string') {
    const e = host.includes('/') ? 'a DestinationRule host cannot contain "/"' : wildcardDomainError(host);
    if (e) rep.add(o, 'istio/dr-host', 'spec.host', `invalid host "${host}": ${e}`, 'Use the service host name (FQDN recommended), e.g. my-svc.my-ns.svc.cluster.local or api.example.com.');
  }
  const hasSelector = !!(spec.workloadSelector && typeof spec.workloadSelector === 'object');
  for (const { field, tls } of collectTls(spec)) {
    const mode = tls.mode ?? 'DISABLE';
    const cred = typeof tls.credentialName === 'string' && tls.credentialName !== '';
    if ((mode === 'SIMPLE' || mode === 'MUTUAL') && cred) {
      for (const k of ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl']) {
        if (tls[k]) rep.add(o, 'istio/tls-settings', `${field}.${k}`, `${k} cannot be set together with credentialName`, `Remove ${field}.${k}; the Secret named by credentialName provides the files (tls.crt, tls.key, ca.crt).`);
      }
    } else if (mode === 'MUTUAL') {
      if (!tls.clientCertificate) rep.add(o, 'istio/tls-settings', `${field}.clientCertificate`, 'mode MUTUAL needs a client certificate: set credentialName, or clientCertificate and privateKey', 'Set credentialName to a Secret holding tls.crt/tls.key/ca.crt.');
      if (!tls.privateKey) rep.add(o, 'istio/tls-settings', `${field}.privateKey`, 'mode MUTUAL needs a private key: set credentialName, or clientCertificate and privateKey', 'Set credentialName to a Secret holding tls.crt/tls.key/ca.crt.');
    }
    if (mode === 'ISTIO_MUTUAL') {
      // not rejected by the webhook, but ignored by the proxy: a warning
      for (const k of ['credentialName', 'clientCertificate', 'privateKey', 'caCertificates']) {
        if (tls[k] !== undefined && tls[k] !== '') rep.add(o, 'istio/tls-settings', `${field}.${k}`, `${k} has no effect with mode ISTIO_MUTUAL (Istio uses its own workload certificates)`, `Remove ${field}.${k}, or use mode MUTUAL to originate TLS with your own credentials.`, 'warning');
      }
    }
    if ((mode === 'DISABLE') && (cred || tls.clientCertificate || tls.privateKey || tls.caCertificates)) {
      rep.add(o, 'istio/tls-settings', `${field}.mode`, 'certificates are set but mode is DISABLE: no TLS is originated', 'Set mode SIMPLE or MUTUAL.', 'warning');
    }
    if (cred && !hasSelector && !gatewayRouted.has(host)) {
      rep.add(o, 'istio/credential-without-selector', `${field}.credentialName`,
        `credentialName "${tls.credentialName}" on a DestinationRule without workloadSelector: sidecars ignore credentialName (only gateways read it) and the traffic leaves without the client certificate`,
        'Add spec.workloadSelector.matchLabels selecting the client pods (and keep the Secret in their namespace), or use clientCertificate/privateKey files mounted into the sidecar.');
    }
  }
  for (const e of exportToErrors(spec.exportTo, o.namespace ?? 'default', hasSelector)) rep.add(o, 'istio/export-to', 'spec.exportTo', e, 'Use ".", "*", "~" or namespace names, each once; a DestinationRule with workloadSelector exports only to its own namespace.');

  // portLevelSettings
  const tp = spec.trafficPolicy;
  const checkPls = (pls: any, base: string) => {
    if (!Array.isArray(pls)) return;
    const seen = new Map<number, number>();
    const matchingSes = typeof host === 'string' ? (serviceEntries.get(host) ?? []).filter(se => exportedTo(se, o.namespace ?? 'default')) : [];
    pls.forEach((p: any, i: number) => {
      const f = `${base}[${i}].port`;
      const num = p?.port?.number;
      if (typeof num !== 'number') {
        rep.add(o, 'istio/port-level-settings', f, 'portLevelSettings entry without port.number', 'Set port.number to a port of the destination service.');
        return;
      }
      if (seen.has(num)) rep.add(o, 'istio/port-level-settings', `${f}.number`, `port ${num} already has settings at ${base}[${seen.get(num)}]`, 'Merge the settings of one port into one entry.');
      seen.set(num, i);
      if (matchingSes.length && !matchingSes.some(se => (se.raw.spec.ports ?? []).some((sp: any) => sp?.number === num))) {
        const avail = matchingSes.flatMap(se => (se.raw.spec.ports ?? []).map((sp: any) => sp?.number)).join(', ');
        rep.add(o, 'istio/port-level-settings', `${f}.number`, `port ${num} is not a port of ServiceEntry ${matchingSes.map(s => `${s.namespace}/${s.name}`).join(', ')} for host ${host} (ports: ${avail}); these settings never apply`, `Use one of the ServiceEntry ports (${avail}).`);
      }
    });
  };
  if (tp) checkPls(tp.portLevelSettings, 'spec.trafficPolicy.portLevelSettings');
  if (Array.isArray(spec.subsets)) spec.subsets.forEach((s: any, i: number) => checkPls(s?.trafficPolicy?.portLevelSettings, `spec.subsets[${i}].trafficPolicy.portLevelSettings`));
}

function exportedTo(se: Obj, ns: string): boolean {
  const e = se.raw?.spec?.exportTo;
  if (!Array.isArray(e) || e.length === 0) return true;
  return e.includes('*') || e.includes(ns) || (e.includes('.') && se.namespace === ns);
}
