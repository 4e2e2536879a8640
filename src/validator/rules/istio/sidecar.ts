/**
 * Sidecar as Istio 1.30.3 and 1.31 validate it (1.31: egress host exclusions): ValidateSidecar (with ValidateAlphaWorkloadSelector,
 * validateSidecarIngressPortAndBind, validateSidecarEgressPortBindAndCaptureMode,
 * agent.ValidateNamespaceSlashWildcardHostname, validateTLSOptions, validateConnectionPool,
 * validateSidecarOutboundTrafficPolicy).
 */
import type { Obj, Reporter } from '../../context';
import { checkConnectionPool } from './destination-rule';
import {
  fqdnError, IstioReport, ipAddressError, isDns1123Label, isHttpProtocol, isIp, isMessage, isSet, isTlsProtocol, parseProtocol,
  partialWildcardError, portError, portNameError, protocolError, SUPPORTED_PROTOCOLS, wildcardDomainError,
} from './common';
import { defineRule } from '../rule';

export const SIDECAR = defineRule({
  id: 'istio/sidecar',
  family: 'istio',
  severity: 'error',
  description: 'A Sidecar sets none of egress, ingress, outboundTrafficPolicy and inboundConnectionPool.',
  source: 'Istio validation.go ValidateSidecar',
  details: 'ValidateSidecar: egress, ingress, outboundTrafficPolicy or inboundConnectionPool must be set.',
});

export const SIDECAR_WORKLOAD_SELECTOR = defineRule({
  id: 'istio/sidecar-workload-selector',
  family: 'istio',
  severity: 'error',
  description: 'The Sidecar workloadSelector has an empty or "*" key, or no labels.',
  source: 'Istio validation.go ValidateAlphaWorkloadSelector',
  details: 'ValidateAlphaWorkloadSelector for Sidecar: no empty key, no "*"; warning without labels.',
});

export const SIDECAR_INGRESS = defineRule({
  id: 'istio/sidecar-ingress',
  family: 'istio',
  severity: 'error',
  description: 'A Sidecar ingress listener has an invalid port, bind, defaultEndpoint or tls.',
  source: 'Istio validation.go ValidateSidecar, validateSidecarIngressPortAndBind, validateTLSOptions',
  details: 'ValidateSidecar ingress: not null, a port (validateSidecarIngressPortAndBind: name, protocol, number, bind IP), no targetPort, unique ports, defaultEndpoint 127.0.0.1/0.0.0.0/[::1]/[::]:port or unix://, tls (no subjectAltNames, httpsRedirect, credentialName(s), tlsCertificates, ISTIO_MUTUAL or AUTO_PASSTHROUGH; HTTPS/TLS port; validateTLSOptions); warning for HTTP pool settings on a non-HTTP port.',
});

export const SIDECAR_EGRESS = defineRule({
  id: 'istio/sidecar-egress',
  family: 'istio',
  severity: 'error',
  description: 'A Sidecar egress listener has an invalid port, bind, capture mode or hosts.',
  source: 'Istio validation.go ValidateSidecar, validateSidecarEgressPortBindAndCaptureMode, agent.ValidateNamespaceSlashWildcardHostname',
  details: 'ValidateSidecar egress: not null, one port-less catch-all listener at the end, validateSidecarEgressPortBindAndCaptureMode (port 0 needs a unique unix:// bind and captureMode DEFAULT/NONE), unique ports, no targetPort, hosts of form namespace/dnsName (agent.ValidateNamespaceSlashWildcardHostname: no short names, no partial wildcards); warnings for duplicated hosts and */* with others.',
  releases: {
    '1.31': { note: 'a host may exclude: a namespace prefixed with "~" ("~prod-us2/*", "~/foo.com"; istio/istio#60139), not counted as a duplicate; 1.30 accepts "~" only alone' },
  },
});

export const SIDECAR_OUTBOUND_TRAFFIC_POLICY = defineRule({
  id: 'istio/sidecar-outbound-traffic-policy',
  family: 'istio',
  severity: 'error',
  description: 'The Sidecar outboundTrafficPolicy egressProxy is invalid or set without ALLOW_ANY.',
  source: 'Istio validation.go validateSidecarOutboundTrafficPolicy, validateDestination',
  details: 'validateSidecarOutboundTrafficPolicy: egressProxy only with ALLOW_ANY, FQDN host, a port (validateDestination).',
});

function unixAddressError(addr: string): string | undefined {
  if (addr.length === 0) return 'unix address must not be empty';
  if (addr.startsWith('@')) return undefined;
  if (!addr.startsWith('/') || addr.endsWith('/')) return `${addr} is not an absolute path to a file`;
  return undefined;
}

/** net.SplitHostPort for "host:port", "[v6]:port" and ":port". */
function splitHostPort(s: string): { host: string; port: string } | string {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return `address ${s}: missing ']' in address`;
    if (s[end + 1] !== ':') return `address ${s}: missing port in address`;
    return { host: s.slice(1, end), port: s.slice(end + 2) };
  }
  const i = s.lastIndexOf(':');
  if (i < 0) return `address ${s}: missing port in address`;
  if (s.slice(0, i).includes(':')) return `address ${s}: too many colons in address`;
  return { host: s.slice(0, i), port: s.slice(i + 1) };
}

/**
 * agent.ValidateNamespaceSlashWildcardHostname(hostname, isGateway=false); from Istio 1.31 (`exclusions`) the
 * namespace may be prefixed with "~" to exclude what follows (`~prod-us2/*`).
 */
function sidecarHostErrors(hostname: string, exclusions: boolean): string[] {
  const slash = hostname.indexOf('/');
  if (slash < 0) return ['host must be of form namespace/dnsName'];
  const ns = hostname.slice(0, slash);
  const dns = hostname.slice(slash + 1);
  const errs: string[] = [];
  if (!ns || !dns) errs.push('config namespace and dnsName in host entry cannot be empty');
  const bare = exclusions ? ns.replace(/^~/, '') : ns;
  const ok = exclusions ? bare === '' || bare === '*' || bare === '.' : ns === '*' || ns === '.' || ns === '~';
  if (!ok && !isDns1123Label(bare)) errs.push(`invalid namespace value ${JSON.stringify(ns)} in sidecar`);
  if (dns !== '*' && !dns.includes('.')) errs.push('short names (non FQDN) are not allowed');
  const wd = wildcardDomainError(dns);
  if (wd) errs.push(wd);
  const pw = partialWildcardError(dns);
  if (pw) errs.push(pw);
  return errs;
}

/** validateTLSOptions for ServerTLSSettings (cipher suite names are not checked: they only give warnings upstream). */
function serverTlsErrors(tls: any): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const has = (k: string) => isSet(tls[k]);
  const mode = tls.mode ?? 'PASSTHROUGH';
  if ((tls.minProtocolVersion === 'TLSV1_0' || tls.minProtocolVersion === 'TLSV1_1') && !has('cipherSuites')) {
    warnings.push('TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.');
  }
  if (mode === 'ISTIO_MUTUAL') {
    if (has('serverCertificate')) errors.push('ISTIO_MUTUAL TLS cannot have associated server certificate');
    if (has('privateKey')) errors.push('ISTIO_MUTUAL TLS cannot have associated private key');
    if (has('caCertificates')) errors.push('ISTIO_MUTUAL TLS cannot have associated CA bundle');
    if (has('tlsCertificates')) errors.push('ISTIO_MUTUAL TLS cannot have associated tlsCertificates');
    if (has('credentialName')) errors.push('ISTIO_MUTUAL TLS cannot have associated credentialName');
    if (has('credentialNames')) errors.push('ISTIO_MUTUAL TLS cannot have associated credentialNames');
    return { errors, warnings };
  }
  if ((mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') && ['caCrl', 'serverCertificate', 'privateKey', 'caCertificates', 'tlsCertificates', 'credentialName', 'credentialNames'].some(has)) {
    warnings.push(`${mode} mode does not use certificates, they will be ignored`);
  }
  const sources = [has('serverCertificate') && has('privateKey'), has('credentialName'), has('credentialNames'), has('tlsCertificates')].filter(Boolean).length;
  if (sources > 1) errors.push('only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified');
  const terminating = mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL';
  if (!(terminating && (has('credentialName') || has('credentialNames')))) {
    const certs: any[] = has('tlsCertificates') ? tls.tlsCertificates : [{ serverCertificate: tls.serverCertificate, privateKey: tls.privateKey }];
    if (terminating) {
      const prefix = mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS';
      if (mode !== 'SIMPLE' && !has('caCertificates')) errors.push(`${prefix} requires a client CA bundle`);
      if (has('tlsCertificates') && tls.tlsCertificates.length > 2) warnings.push(`${prefix} can support up to 2 server certificates`);
      for (const c of certs) {
        if (!isSet(c?.serverCertificate)) errors.push(`${prefix} requires a server certificate`);
        if (!isSet(c?.privateKey)) errors.push(`${prefix} requires a private key`);
      }
    }
  }
  if (has('caCrl')) {
    if (has('credentialName')) errors.push('CRL is not supported with credentialName. CRL has to be specified in the credential');
    if (mode === 'SIMPLE') errors.push('CRL is not supported with SIMPLE TLS');
  }
  return { errors, warnings };
}

export function checkSidecar(o: Obj, rep: Reporter) {
  const spec = o.raw?.spec;
  if (!isMessage(spec)) return;
  const r = new IstioReport(rep, o);
  const ns = o.namespace ?? 'default';

  if (spec.workloadSelector !== undefined && spec.workloadSelector !== null) {
    const labels = isMessage(spec.workloadSelector?.labels) ? spec.workloadSelector.labels : {};
    for (const [k, v] of Object.entries(labels)) {
      if (k === '') r.error(SIDECAR_WORKLOAD_SELECTOR, 'spec.workloadSelector.labels', `empty key is not supported in selector: ${JSON.stringify(`${k}=${v}`)}`, 'Use a label key, e.g. app.');
      if (k.includes('*') || String(v).includes('*')) r.error(SIDECAR_WORKLOAD_SELECTOR, 'spec.workloadSelector.labels', `wildcard is not supported in selector: ${JSON.stringify(`${k}=${v}`)}`, 'Use exact label values.');
    }
    if (Object.keys(labels).length === 0) r.warn(SIDECAR_WORKLOAD_SELECTOR, 'spec.workloadSelector', 'sidecar: workload selector specified without labels, will be applied to all services in namespace', 'Add workloadSelector.labels, or remove the workloadSelector.');
  }

  const ingress: any[] = Array.isArray(spec.ingress) ? spec.ingress : [];
  const egress: any[] = Array.isArray(spec.egress) ? spec.egress : [];
  if (!ingress.length && !egress.length && !isSet(spec.outboundTrafficPolicy) && !isSet(spec.inboundConnectionPool)) {
    r.error(SIDECAR, 'spec', 'sidecar: empty configuration provided', 'Set egress, ingress, outboundTrafficPolicy or inboundConnectionPool.');
    return;
  }

  const ingressPorts = new Set<number>();
  ingress.forEach((i, idx) => {
    const base = `spec.ingress[${idx}]`;
    const rule = SIDECAR_INGRESS;
    if (!isMessage(i)) {
      r.error(rule, base, 'sidecar: ingress may not be null', 'Remove the empty entry.');
      return;
    }
    if (!isMessage(i.port)) {
      r.error(rule, `${base}.port`, 'sidecar: port is required for ingress listeners', 'Set port.number, port.protocol and port.name.');
      return;
    }
    const port = i.port;
    if (isSet(port.targetPort)) r.error(rule, `${base}.port.targetPort`, 'targetPort has no impact on Sidecars', 'Remove targetPort.');
    if (isSet(port.name)) r.error(rule, `${base}.port.name`, portNameError(port.name), 'Use a DNS label as port name.');
    r.error(rule, `${base}.port.protocol`, protocolError(port.protocol), `Use one of ${SUPPORTED_PROTOCOLS}.`);
    r.error(rule, `${base}.port.number`, portError(port.number), 'Use a port between 1 and 65535.');
    if (isSet(i.bind)) r.error(rule, `${base}.bind`, ipAddressError(String(i.bind)), 'Bind to an IP address.');
    const num = typeof port.number === 'number' ? port.number : 0;
    if (ingressPorts.has(num)) r.error(rule, `${base}.port.number`, 'sidecar: ports on IP bound listeners must be unique', 'Use each port once.');
    ingressPorts.add(num);
    const de = typeof i.defaultEndpoint === 'string' ? i.defaultEndpoint : '';
    if (de) {
      const f = `${base}.defaultEndpoint`;
      if (de.startsWith('unix://')) {
        r.error(rule, f, unixAddressError(de.slice('unix://'.length)), 'Use unix:///absolute/path.');
      } else {
        const hp = splitHostPort(de);
        if (typeof hp === 'string') {
          r.error(rule, f, hp, 'Use 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path.');
        } else {
          if (hp.host !== '' && !['127.0.0.1', '0.0.0.0', '::1', '::'].includes(hp.host)) {
            r.error(rule, f, 'sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset', 'Use a loopback or unspecified address.');
          }
          if (!/^[+-]?\d+$/.test(hp.port)) r.error(rule, f, `sidecar: defaultEndpoint port (${hp.port}) is not a number`, 'Use a numeric port.');
          else r.error(rule, f, portError(Number(hp.port)), 'Use a port between 1 and 65535.');
        }
      }
    }
    if (isMessage(i.tls)) {
      const t = i.tls;
      const f = `${base}.tls`;
      if (isSet(t.subjectAltNames)) r.error(rule, `${f}.subjectAltNames`, 'sidecar: subjectAltNames is not supported in ingress tls', 'Remove subjectAltNames.');
      if (t.httpsRedirect === true) r.error(rule, `${f}.httpsRedirect`, 'sidecar: httpsRedirect is not supported', 'Remove httpsRedirect.');
      if (isSet(t.credentialName)) r.error(rule, `${f}.credentialName`, 'sidecar: credentialName is not currently supported', 'Use serverCertificate and privateKey files.');
      if (isSet(t.credentialNames)) r.error(rule, `${f}.credentialNames`, 'sidecar: credentialNames is not currently supported', 'Use serverCertificate and privateKey files.');
      if (isSet(t.tlsCertificates)) r.error(rule, `${f}.tlsCertificates`, 'sidecar: tls_certificates is not currently supported', 'Use serverCertificate and privateKey files.');
      if (t.mode === 'ISTIO_MUTUAL' || t.mode === 'AUTO_PASSTHROUGH') r.error(rule, `${f}.mode`, `configuration is invalid: cannot set mode to ${t.mode} in sidecar ingress tls`, 'Use SIMPLE, MUTUAL or OPTIONAL_MUTUAL.');
      if (!isTlsProtocol(parseProtocol(port.protocol))) r.error(rule, `${base}.port.protocol`, 'server cannot have TLS settings for non HTTPS/TLS ports', 'Use protocol HTTPS or TLS.');
      const st = serverTlsErrors(t);
      for (const e of st.errors) r.error(rule, f, e, 'Fix the server TLS settings.');
      for (const w of st.warnings) r.warn(rule, f, w, 'Fix the server TLS settings.');
    }
    checkConnectionPool(r, i.connectionPool, `${base}.connectionPool`);
    if (isMessage(i.connectionPool) && isMessage(i.connectionPool.http) && !isHttpProtocol(parseProtocol(port.protocol))) {
      r.warn(rule, `${base}.connectionPool.http`, `sidecar: HTTP connection pool settings are configured for port ${num} (${JSON.stringify(port.name ?? '')}) but its protocol is not HTTP (${port.protocol ?? ''}); only TCP settings will apply`, 'Remove connectionPool.http, or declare an HTTP protocol.');
    }
  });
  checkConnectionPool(r, spec.inboundConnectionPool, 'spec.inboundConnectionPool');

  const egressPorts = new Set<number>();
  const uds = new Set<string>();
  let catchAll = false;
  egress.forEach((e, idx) => {
    const base = `spec.egress[${idx}]`;
    const rule = SIDECAR_EGRESS;
    if (!isMessage(e)) {
      r.error(rule, base, 'egress listener may not be null', 'Remove the empty entry.');
      return;
    }
    if (!isMessage(e.port)) {
      if (!catchAll) {
        if (idx === egress.length - 1) catchAll = true;
        else r.error(rule, base, 'sidecar: the egress listener with empty port should be the last listener in the list', 'Move the listener without port to the end.');
      } else {
        r.error(rule, base, 'sidecar: egress can have only one listener with empty port', 'Keep one listener without port.');
        return;
      }
    } else {
      const port = e.port;
      if (isSet(port.targetPort)) r.error(rule, `${base}.port.targetPort`, 'targetPort has no impact on Sidecars', 'Remove targetPort.');
      const bind = typeof e.bind === 'string' ? e.bind : '';
      const captureMode = e.captureMode ?? 'DEFAULT';
      if (isSet(port.name)) r.error(rule, `${base}.port.name`, portNameError(port.name), 'Use a DNS label as port name.');
      r.error(rule, `${base}.port.protocol`, protocolError(port.protocol), `Use one of ${SUPPORTED_PROTOCOLS}.`);
      const num = typeof port.number === 'number' ? port.number : 0;
      if (num === 0) {
        if (!bind.startsWith('unix://')) r.error(rule, `${base}.bind`, 'sidecar: ports with 0 value must have a unix domain socket bind address', 'Bind to unix:///path, or set a port number.');
        else r.error(rule, `${base}.bind`, unixAddressError(bind.slice('unix://'.length)), 'Use unix:///absolute/path.');
        if (captureMode !== 'DEFAULT' && captureMode !== 'NONE') r.error(rule, `${base}.captureMode`, 'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners', 'Use captureMode DEFAULT or NONE.');
        if (uds.has(bind)) r.error(rule, `${base}.bind`, 'sidecar: unix domain socket values for listeners must be unique', 'Use each socket once.');
        uds.add(bind);
      } else {
        r.error(rule, `${base}.port.number`, portError(num), 'Use a port between 1 and 65535.');
        if (bind) r.error(rule, `${base}.bind`, ipAddressError(bind), 'Bind to an IP address.');
        if (egressPorts.has(num)) r.error(rule, `${base}.port.number`, 'sidecar: ports on IP bound listeners must be unique', 'Use each port once.');
        egressPorts.add(num);
      }
    }
    const hosts: unknown[] = Array.isArray(e.hosts) ? e.hosts : [];
    if (!hosts.length) {
      r.error(rule, `${base}.hosts`, 'sidecar: egress listener must contain at least one host', 'Add hosts of the form namespace/dnsName, e.g. ./* or istio-system/*.');
      return;
    }
    const nsSvcs = new Map<string, Set<string>>();
    const exclusions = r.release !== '1.30';
    hosts.forEach((h, hi) => {
      if (typeof h !== 'string') return;
      const f = `${base}.hosts[${hi}]`;
      const slash = h.indexOf('/');
      // 1.31: an exclusion ("~ns/...") selects nothing, it is no duplicate
      if (slash >= 0 && !(exclusions && h.startsWith('~'))) {
        const hns = h.slice(0, slash) === '.' ? ns : h.slice(0, slash);
        const svc = h.slice(slash + 1);
        const set = nsSvcs.get(hns) ?? new Set<string>();
        nsSvcs.set(hns, set);
        if (svc !== '*' ? set.has(svc) || set.has('*') : set.size !== 0) r.warn(rule, f, `duplicated egress host: ${h}`, 'List each host once.');
        set.add(svc);
      }
      for (const err of sidecarHostErrors(h, exclusions)) {
        r.error(rule, f, err, exclusions
          ? 'Use namespace/dnsName: namespace ".", "*" or a name, each optionally prefixed with "~" to exclude it; dnsName "*", "*.domain" or a FQDN.'
          : 'Use namespace/dnsName: namespace ".", "*", "~" or a name; dnsName "*", "*.domain" or a FQDN (Istio 1.31 also accepts exclusions such as "~prod-us2/*").');
      }
    });
    if (nsSvcs.get('*')?.has('*') && nsSvcs.size !== 1) r.warn(rule, `${base}.hosts`, '`*/*` host select all resources, no other hosts can be added', 'Keep */* alone.');
  });

  const tp = spec.outboundTrafficPolicy;
  if (isMessage(tp) && isMessage(tp.egressProxy)) {
    const rule = SIDECAR_OUTBOUND_TRAFFIC_POLICY;
    const f = 'spec.outboundTrafficPolicy';
    if ((tp.mode ?? 'REGISTRY_ONLY') !== 'ALLOW_ANY') {
      r.error(rule, `${f}.egressProxy`, 'sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode', 'Set mode ALLOW_ANY, or remove egressProxy.');
    } else {
      const host = typeof tp.egressProxy.host === 'string' ? tp.egressProxy.host : '';
      r.error(rule, `${f}.egressProxy.host`, fqdnError(host), 'Use the FQDN of the egress proxy service.');
      if (!isMessage(tp.egressProxy.port)) {
        r.error(rule, `${f}.egressProxy.port`, 'sidecar: egress_proxy port must be non-nil', 'Set egressProxy.port.number.');
      } else {
        // validateDestination
        if (host === '*') r.error(rule, `${f}.egressProxy.host`, `invalid destination host ${host}`, 'Use the FQDN of the egress proxy service.');
        else r.error(rule, `${f}.egressProxy.host`, host.includes('*') || isIp(host) ? wildcardDomainError(host) : undefined, 'Use the FQDN of the egress proxy service.');
        const subset = tp.egressProxy.subset;
        if (isSet(subset) && !isDns1123Label(String(subset))) r.error(rule, `${f}.egressProxy.subset`, `subset name is invalid: ${subset}`, 'Use a DNS label.');
        r.error(rule, `${f}.egressProxy.port.number`, portError(tp.egressProxy.port.number), 'Use a port between 1 and 65535.');
      }
    }
  }
}
