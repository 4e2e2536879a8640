/**
 * IST0118 PortNameIsNotUnderNamingConvention and IST0150 ExternalNameServiceTypeInvalidPortName, Istio's
 * service.PortNameAnalyzer (Istio 1.30.3 pkg/config/analysis/analyzers/service/portname.go; messages and levels of
 * pkg/config/analysis/msg/messages.yaml, unchanged in 1.31).
 *
 * The analyzer's logic, as Istio writes it: every Service except the control plane's (util.IsIstioControlPlane: an
 * `istio` label or `release: istio`) and the Services Istio's gateway controllers manage (label
 * `gateway.istio.io/managed` of the gateway, mesh or east-west controller) has each port's protocol derived as the
 * proxy derives it (kube.ConvertProtocol: UDP for protocol UDP, else the appProtocol or else the port name, its
 * prefix before "-" or "grpc-web", read as an Istio protocol ignoring case; an unknown one on ports 25, 53, 3306 and
 * 27017 counts as TCP). A port whose protocol is unknown, or an ExternalName Service's port named `tcp`, is reported:
 * IST0150 (Istio: warning) on an ExternalName Service, whose message names no port, so Istio's deduplication keeps one
 * per Service; else IST0118 (Istio: info, here a note: protocol detection applies), one per port. Objects of
 * kube-system, kube-public, kube-node-lease and local-path-storage are not read, as istioctl analyze reads files.
 */
import type { Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { parseProtocol, type Protocol } from '../istio/common';
import { defineRule } from '../rule';
import { isIstioControlPlane, kubeObjects, labelsOf } from './kube';

export const PORT_NAME_CONVENTION = defineRule({
  id: 'analyzer/port-name-convention',
  family: 'analyzer',
  severity: 'note',
  description: 'A Service port\'s name (or appProtocol) names no protocol Istio knows: the proxy falls back to protocol detection.',
  source: 'Istio analyzer IST0118 PortNameIsNotUnderNamingConvention (service/portname.go)',
  details: 'IST0118 PortNameIsNotUnderNamingConvention (Istio: info, here a note) "Port name ... (port: ..., targetPort: ...) doesn\'t follow the naming convention of Istio port.": a port of a Service (not of the control plane, labels `istio` or `release: istio`, nor of a Service managed by Istio\'s gateway controllers) whose appProtocol, or else name, is not `<protocol>[-<suffix>]` with an Istio protocol (http, http2, https, grpc, grpc-web, tcp, tls, udp, mongo, mysql, redis, http_proxy; protocol UDP and ports 25, 53, 3306, 27017 excepted). The targetPort shown is the port when unset (the API server\'s default). Objects of kube-system, kube-public, kube-node-lease and local-path-storage are not analyzed, as in istioctl analyze.',
});

export const EXTERNAL_NAME_PORT_NAME = defineRule({
  id: 'analyzer/external-name-port-name',
  family: 'analyzer',
  severity: 'warning',
  description: 'An ExternalName Service has a port named tcp or with no known protocol: the proxy may not forward its TCP traffic.',
  source: 'Istio analyzer IST0150 ExternalNameServiceTypeInvalidPortName (service/portname.go)',
  details: 'IST0150 ExternalNameServiceTypeInvalidPortName (Istio: warning) "Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly": a port of an ExternalName Service is named `tcp`, or its appProtocol or name names no protocol Istio knows. One finding per Service (Istio\'s message names no port), on its first such port.',
});

/** Values of label gateway.istio.io/managed of the Services Istio's gateway controllers create (constants.go). */
const MANAGED = new Set(['istio.io-gateway-controller', 'istio.io-mesh-controller', 'istio.io-eastwest-controller']);
const WELL_KNOWN_PORTS = new Set([25, 53, 3306, 27017]);
const APP_PROTOCOLS: { [k: string]: Protocol } = { 'kubernetes.io/h2c': 'HTTP2', 'kubernetes.io/ws': 'HTTP', 'kubernetes.io/wss': 'HTTPS' };

/** kube.ConvertProtocol (pkg/config/kube/conversion.go). */
export function convertProtocol(port: unknown, name: unknown, protocol: unknown, appProtocol: unknown): Protocol {
  if (protocol === 'UDP') return 'UDP';
  let n = typeof name === 'string' ? name : '';
  if (typeof appProtocol === 'string') {
    n = appProtocol;
    const k8s = APP_PROTOCOLS[n];
    if (k8s) return k8s;
  }
  if (n.length >= 8 && n.slice(0, 8).toLowerCase() === 'grpc-web') return 'GRPC-Web';
  const dash = n.indexOf('-');
  const p = parseProtocol(dash >= 0 ? n.slice(0, dash) : n);
  if (p === 'UnsupportedProtocol' && typeof port === 'number' && WELL_KNOWN_PORTS.has(port)) return 'TCP';
  return p;
}

/** Reports IST0118 and IST0150 on the Services of the run. */
export function checkServicePortNames(idx: MeshIndex, rep: Reporter): void {
  for (const svc of kubeObjects(idx.objects, 'v1', 'Service')) {
    if (isIstioControlPlane(svc)) continue;
    if (MANAGED.has(labelsOf(svc.raw?.metadata)['gateway.istio.io/managed'])) continue;
    const spec = svc.raw?.spec;
    const ports: any[] = Array.isArray(spec?.ports) ? spec.ports : [];
    const externalName = spec?.type === 'ExternalName';
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      if (!p || typeof p !== 'object') continue;
      const unknown = convertProtocol(p.port, p.name, p.protocol, p.appProtocol) === 'UnsupportedProtocol';
      if (!unknown && !(p.name === 'tcp' && externalName)) continue;
      const field = `spec.ports[${i}]`;
      if (externalName) {
        rep.add(svc, EXTERNAL_NAME_PORT_NAME, field,
          'IST0150 Port name for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly',
          `Name port ${p.port} of ExternalName Service ${svc.name} after its protocol other than tcp (e.g. "https" or "tls" for TLS traffic, "http" for HTTP), or set appProtocol.`);
        break;
      }
      const name = typeof p.name === 'string' ? p.name : '';
      const target = p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '' ? p.port : p.targetPort;
      rep.add(svc, PORT_NAME_CONVENTION, field,
        `IST0118 Port name ${name} (port: ${p.port}, targetPort: ${target}) doesn't follow the naming convention of Istio port.`,
        `${name ? `Rename port ${JSON.stringify(name)}` : 'Name the port'} <protocol>[-<suffix>] (e.g. "http-web", "tcp-db", "https") or set appProtocol, so that Istio need not detect the protocol.`);
    }
  }
}
