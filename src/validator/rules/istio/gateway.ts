/**
 * Istio's webhook rules for Gateway, after istio/istio 1.30.3 pkg/config/validation/validation.go
 * (ValidateGateway, validateServer, validateServerPort, validateServerBind, validateTLSOptions) and
 * agent.ValidateNamespaceSlashWildcardHostname. Messages are Istio's own; one pass over the servers.
 */
import type { Obj, Reporter } from '../../context';
import { isIp } from './common';
import { arr, ipAddressErr, isDns1123Label, isHttpProtocol, isObj, isTlsProtocol, parseProtocol, portErr, q, str, wildcardDomainErr } from './gateway-common';
import { defineRule, type Rule } from '../rule';

export const GW_NAME = defineRule({
  id: 'istio/gw-name',
  family: 'istio',
  severity: 'error',
  description: 'Gateway name is one DNS label, no dots (ValidateGateway).',
  source: 'Istio validation.go ValidateGateway',
});

export const GW_SERVERS = defineRule({
  id: 'istio/gw-servers',
  family: 'istio',
  severity: 'error',
  description: 'A Gateway has servers with unique port names; tls.httpsRedirect only on HTTP servers (ValidateGateway).',
  source: 'Istio validation.go ValidateGateway',
  details: 'A Gateway has servers with unique port names; tls.httpsRedirect only on HTTP servers, a warning (ValidateGateway).',
});

export const GW_SERVER_HOSTS = defineRule({
  id: 'istio/gw-server-hosts',
  family: 'istio',
  severity: 'error',
  description: 'A server host is not [namespace/]host with a valid namespace and host (validateServer).',
  source: 'Istio validation.go validateServer, agent.ValidateNamespaceSlashWildcardHostname',
  details: 'Server hosts: [namespace/]host with namespace ".", "*" or a DNS label, host an FQDN, IP, "*" or "*."-wildcard; no short names, no partial wildcards (validateServer, agent.ValidateNamespaceSlashWildcardHostname).',
});

export const GW_SERVER_PORT = defineRule({
  id: 'istio/gw-server-port',
  family: 'istio',
  severity: 'error',
  description: 'A server port or bind is invalid (validateServerPort, validateServerBind).',
  source: 'Istio validation.go validateServerPort, validateServerBind',
  details: 'Server port: supported protocol, number 1..65535 (0 only with a unix:// bind), a name, no targetPort; bind an IP or absolute unix:// path (validateServerPort, validateServerBind).',
});

export const GW_SERVER_TLS = defineRule({
  id: 'istio/gw-server-tls',
  family: 'istio',
  severity: 'error',
  description: 'The server tls does not fit its protocol, or its certificates and TLS options are invalid (validateServer, validateTLSOptions).',
  source: 'Istio validation.go validateServer, validateTLSOptions',
  details: 'HTTPS/TLS servers need tls, other servers none (HTTP: only passthrough/httpsRedirect); one certificate source; SIMPLE/MUTUAL need certificate and key, MUTUAL a CA bundle; ISTIO_MUTUAL takes no certificates; CRL rules; warnings for ignored certificates, cipher suites and TLS < 1.2 (validateServer, validateTLSOptions).',
});

/** Annotation Istio sets on Gateways converted from the Kubernetes Gateway API (relaxes some checks). */
const GATEWAY_SEMANTICS = 'internal.istio.io/gateway-semantics';

/** Cipher suites Envoy accepts, as istio pkg/config/security ValidCipherSuites. */
const CIPHER_SUITES = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-PSK-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-PSK-AES128-CBC-SHA',
  'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'ECDHE-PSK-AES256-CBC-SHA', 'AES128-GCM-SHA256',
  'AES256-GCM-SHA384', 'AES128-SHA', 'PSK-AES128-CBC-SHA', 'AES256-SHA', 'PSK-AES256-CBC-SHA', 'DES-CBC3-SHA',
]);

function isValidCipherSuite(cs: string): boolean {
  // Istio lets "", "ALL" and anything not starting with a letter or digit ("-X", "[A|B]" groups) through
  return cs === '' || cs === 'ALL' || !/^[\p{L}\p{N}]/u.test(cs) || CIPHER_SUITES.has(cs);
}

/** agent.ValidateNamespaceSlashWildcardHostname for a Gateway server host ("host" or "namespace/host"). */
export function gatewayHostErrors(hostname: string, gatewaySemantics: boolean): string[] {
  const slash = hostname.indexOf('/');
  if (slash < 0) return hostnamePartErrors(hostname);
  const ns = hostname.slice(0, slash);
  const name = hostname.slice(slash + 1);
  const errs: string[] = [];
  if (!ns || !name) errs.push('config namespace and dnsName in host entry cannot be empty');
  if (ns !== '*' && ns !== '.' && (ns !== '~' || !gatewaySemantics) && !isDns1123Label(ns)) errs.push(`invalid namespace value ${q(ns)} in gateway`);
  return [...errs, ...hostnamePartErrors(name)];
}

/** agent.validateSidecarOrGatewayHostnamePart with isGateway: FQDN or IP, wildcard only as "*" or "*.". */
function hostnamePartErrors(hostname: string): string[] {
  const errs: string[] = [];
  if (hostname !== '*' && !hostname.includes('.')) errs.push('short names (non FQDN) are not allowed');
  const e = wildcardDomainErr(hostname);
  if (e && !isIp(hostname)) errs.push(e);
  if (hostname.includes('*') && hostname.length !== 1 && !hostname.startsWith('*.')) errs.push(`partial wildcard ${q(hostname)} not allowed`);
  return errs;
}

/** Go's %v of a Port message, as it appears in Istio's messages. */
function portText(p: any): string {
  const parts: string[] = [];
  if (p.number) parts.push(`number:${p.number}`);
  if (p.protocol) parts.push(`protocol:${q(p.protocol)}`);
  if (p.name) parts.push(`name:${q(p.name)}`);
  if (p.targetPort) parts.push(`target_port:${p.targetPort}`);
  return parts.join(' ');
}

export function checkGateway(o: Obj, rep: Reporter): void {
  const spec = o.raw?.spec;
  const gatewaySemantics = o.raw?.metadata?.annotations?.[GATEWAY_SEMANTICS] === 'gateway';
  const err = (rule: Rule, field: string, msg: string, fix: string) => rep.add(o, rule, field, msg, fix);
  const warn = (rule: Rule, field: string, msg: string, fix: string) => rep.add(o, rule, field, msg, fix, 'warning');

  if (!isDns1123Label(o.name) && !gatewaySemantics) {
    err(GW_NAME, 'metadata.name', `invalid gateway name: ${q(o.name)}`, 'Name the Gateway with one DNS label (letters, digits, "-"; no dots): VirtualServices refer to it as <namespace>/<name>.');
  }
  if (!isObj(spec)) return;
  const servers = arr(spec.servers);
  if (servers.length === 0) err(GW_SERVERS, 'spec.servers', 'gateway must have at least one server', 'Add a server with port, hosts and (for HTTPS/TLS) tls.');
  const portNames = new Set<string>();
  servers.forEach((s, i) => {
    const f = `spec.servers[${i}]`;
    if (!isObj(s)) {
      err(GW_SERVERS, f, 'server may not be nil', 'Remove the empty entry.');
      return;
    }
    checkServer(s, f, gatewaySemantics, err, warn);
    if (isObj(s.port)) {
      const name = str(s.port.name);
      if (portNames.has(name)) err(GW_SERVERS, `${f}.port.name`, `port names in servers must be unique: duplicate name ${name}`, 'Give every server port its own name.');
      portNames.add(name);
      if (!isHttpProtocol(parseProtocol(s.port.protocol)) && s.tls?.httpsRedirect === true) {
        warn(GW_SERVERS, `${f}.tls.httpsRedirect`, 'tls.httpsRedirect should only be used with http servers', 'Set httpsRedirect on the plain HTTP server that should redirect to HTTPS.');
      }
    }
  });
}

type Add = (rule: Rule, field: string, msg: string, fix: string) => void;

function checkServer(s: any, f: string, gatewaySemantics: boolean, err: Add, warn: Add) {
  const hosts = arr(s.hosts);
  if (hosts.length === 0) err(GW_SERVER_HOSTS, `${f}.hosts`, 'server config must contain at least one host', 'List the hosts this server exposes, e.g. "foo.example.com" or "ns/*.example.com".');
  hosts.forEach((h, j) => {
    if (typeof h !== 'string') return;
    for (const e of gatewayHostErrors(h, gatewaySemantics)) {
      err(GW_SERVER_HOSTS, `${f}.hosts[${j}]`, e, 'Use a fully qualified DNS name, "*", a "*."-prefixed wildcard or an IP, optionally prefixed with "<namespace>/", "./" or "*/".');
    }
  });
  const bind = str(s.bind);
  const port = isObj(s.port) ? s.port : undefined;
  let portOk = true;
  const portError = (field: string, msg: string, fix: string) => {
    portOk = false;
    err(GW_SERVER_PORT, field, msg, fix);
  };
  if (!port) portError(`${f}.port`, 'port is required', 'Set port with number, name and protocol.');
  else {
    const pf = `${f}.port`;
    if (parseProtocol(port.protocol) === undefined) {
      portError(`${pf}.protocol`, `invalid protocol ${q(str(port.protocol))}, supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP`, 'Use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TLS, TCP, MONGO, REDIS or MYSQL.');
    }
    const number = typeof port.number === 'number' ? port.number : 0;
    if (number > 0 || !bind.startsWith('unix://')) {
      const e = portErr(number);
      if (e) portError(`${pf}.number`, e, 'Use a port number from 1 to 65535 (0 only with a unix:// bind).');
    }
    if (typeof port.targetPort === 'number' && port.targetPort > 0) portError(`${pf}.targetPort`, 'targetPort has no impact on Gateways', 'Remove targetPort; the gateway listens on port.number.');
    if (!str(port.name)) portError(`${pf}.name`, `port name must be set: ${portText(port)}`, 'Name the port, e.g. "https".');
  }
  // validateServerBind
  if (bind.startsWith('unix://')) {
    const path = bind.slice('unix://'.length);
    if (path === '') err(GW_SERVER_PORT, `${f}.bind`, 'unix address must not be empty', 'Give the socket path after unix://.');
    else if (!path.startsWith('@') && (!path.startsWith('/') || path.endsWith('/'))) err(GW_SERVER_PORT, `${f}.bind`, `${path} is not an absolute path to a file`, 'Use unix:///absolute/path or unix://@abstract-name.');
    if (port && typeof port.number === 'number' && port.number !== 0) err(GW_SERVER_PORT, `${f}.port.number`, `port number must be 0 for unix domain socket: ${portText(port)}`, 'Set port.number to 0 with a unix:// bind.');
  } else if (bind !== '') {
    const e = ipAddressErr(bind);
    if (e) err(GW_SERVER_PORT, `${f}.bind`, e, 'Bind to an IP address or unix:// path.');
  }
  const tls = s.tls;
  if (isObj(tls)) checkServerTls(tls, `${f}.tls`, err, warn);
  if (port && portOk) {
    const p = parseProtocol(port.protocol);
    if (isTlsProtocol(p) && !isObj(tls)) {
      err(GW_SERVER_TLS, `${f}.tls`, 'server must have TLS settings for HTTPS/TLS protocols', 'Add tls with mode SIMPLE/MUTUAL and credentialName (or PASSTHROUGH).');
    } else if (!isTlsProtocol(p) && isObj(tls)) {
      if (isHttpProtocol(p)) {
        const mode = str(tls.mode) || 'PASSTHROUGH';
        const passthrough = mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH';
        if (!passthrough || str(tls.caCertificates) || str(tls.privateKey) || str(tls.serverCertificate)) {
          err(GW_SERVER_TLS, `${f}.tls`, 'server cannot have TLS settings for plain text HTTP ports', `Use protocol HTTPS for a TLS server, or keep only tls.httpsRedirect on the ${port.protocol} server.`);
        }
      } else {
        err(GW_SERVER_TLS, `${f}.tls`, 'server cannot have TLS settings for non HTTPS/TLS ports', 'Remove tls, or use protocol HTTPS or TLS.');
      }
    }
  }
}

/** validateTLSOptions */
function checkServerTls(tls: any, f: string, err: Add, warn: Add) {
  const rule = GW_SERVER_TLS;
  const mode = str(tls.mode) || 'PASSTHROUGH';
  const suites = arr(tls.cipherSuites).filter((c): c is string => typeof c === 'string');
  if ((tls.minProtocolVersion === 'TLSV1_0' || tls.minProtocolVersion === 'TLSV1_1') && suites.length === 0) {
    warn(rule, `${f}.minProtocolVersion`, 'TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.', 'Set cipherSuites compatible with the minimum TLS version, or use TLSV1_2.');
  }
  const invalid = new Set<string>();
  const valid = new Set<string>();
  const dup = new Set<string>();
  for (const cs of suites) {
    if (!isValidCipherSuite(cs)) invalid.add(cs);
    else if (valid.has(cs)) dup.add(cs);
    else valid.add(cs);
  }
  if (invalid.size) warn(rule, `${f}.cipherSuites`, `ignoring invalid cipher suites: [${[...invalid].sort().join(' ')}]`, 'Use cipher suite names Envoy knows, e.g. ECDHE-ECDSA-AES128-GCM-SHA256.');
  if (dup.size) warn(rule, `${f}.cipherSuites`, `ignoring duplicate cipher suites: [${[...dup].sort().join(' ')}]`, 'List each cipher suite once.');

  const serverCertificate = str(tls.serverCertificate);
  const privateKey = str(tls.privateKey);
  const caCertificates = str(tls.caCertificates);
  const credentialName = str(tls.credentialName);
  const credentialNames = arr(tls.credentialNames);
  const tlsCertificates = arr(tls.tlsCertificates);
  const caCrl = str(tls.caCrl);
  if (mode === 'ISTIO_MUTUAL') {
    const fix = 'Remove it: ISTIO_MUTUAL uses the workload certificates Istio issues.';
    if (serverCertificate) err(rule, `${f}.serverCertificate`, 'ISTIO_MUTUAL TLS cannot have associated server certificate', fix);
    if (privateKey) err(rule, `${f}.privateKey`, 'ISTIO_MUTUAL TLS cannot have associated private key', fix);
    if (caCertificates) err(rule, `${f}.caCertificates`, 'ISTIO_MUTUAL TLS cannot have associated CA bundle', fix);
    if (tlsCertificates.length) err(rule, `${f}.tlsCertificates`, 'ISTIO_MUTUAL TLS cannot have associated tlsCertificates', fix);
    if (credentialName) err(rule, `${f}.credentialName`, 'ISTIO_MUTUAL TLS cannot have associated credentialName', fix);
    if (credentialNames.length) err(rule, `${f}.credentialNames`, 'ISTIO_MUTUAL TLS cannot have associated credentialNames', fix);
    return;
  }
  if ((mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') &&
    (caCrl || serverCertificate || privateKey || caCertificates || tlsCertificates.length || credentialName || credentialNames.length)) {
    warn(rule, `${f}.mode`, `${mode} mode does not use certificates, they will be ignored`, `Remove the certificate fields, or terminate TLS with mode SIMPLE or MUTUAL.`);
  }
  const sources = (serverCertificate && privateKey ? 1 : 0) + (credentialName ? 1 : 0) + (credentialNames.length ? 1 : 0) + (tlsCertificates.length ? 1 : 0);
  if (sources > 1) err(rule, f, 'only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified', 'Keep one certificate source: credentialName (recommended), credentialNames, serverCertificate/privateKey or tlsCertificates.');
  const terminating = mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL';
  if (terminating && (credentialName || credentialNames.length)) return;
  if (terminating) {
    const prefix = mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS';
    if (prefix === 'MUTUAL TLS' && !caCertificates) err(rule, `${f}.caCertificates`, `${prefix} requires a client CA bundle`, 'Set caCertificates (or use credentialName with a Secret holding ca.crt).');
    if (tlsCertificates.length > 2) warn(rule, `${f}.tlsCertificates`, `${prefix} can support up to 2 server certificates`, 'Keep at most two tlsCertificates (one RSA, one ECDSA).');
    const certs = tlsCertificates.length ? tlsCertificates.map((c, i) => ({ c: isObj(c) ? c : {}, at: `${f}.tlsCertificates[${i}]` })) : [{ c: tls, at: f }];
    for (const { c, at } of certs) {
      if (!str(c.serverCertificate)) err(rule, `${at}.serverCertificate`, `${prefix} requires a server certificate`, 'Set credentialName to a Secret with tls.crt/tls.key, or serverCertificate and privateKey.');
      if (!str(c.privateKey)) err(rule, `${at}.privateKey`, `${prefix} requires a private key`, 'Set credentialName to a Secret with tls.crt/tls.key, or serverCertificate and privateKey.');
    }
  }
  if (caCrl) {
    if (credentialName) err(rule, `${f}.caCrl`, 'CRL is not supported with credentialName. CRL has to be specified in the credential', 'Put the CRL into the credential Secret (ca.crl).');
    if (mode === 'SIMPLE') err(rule, `${f}.caCrl`, 'CRL is not supported with SIMPLE TLS', 'Remove caCrl, or use mode MUTUAL.');
  }
}
