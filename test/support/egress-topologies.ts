// Egress-gateway topologies of Istio's tasks and finding helpers, shared by the analyzer and pitfall tests
// (test/validator/rules/analyzer/analyzers.test.ts, test/validator/rules/wiring/pitfalls.test.ts).
import * as fs from 'fs';
import * as path from 'path';
import { formatFindings, parseYamlDocuments, RULES, validateManifests, type Finding, type ValidationReport } from '../../src/validator';
/**
 * Offline analyzers (istioctl analyze equivalents) and pitfall rules, on the object shapes of Istio's egress
 * gateway tasks (/work/shared/notes/egress-topologies.md §1, §2, §2.3): the correct sets give no error of these
 * rules, each broken variant exactly the intended finding.
 */
/** The analyzers of Kubernetes objects alone (port names, UID, annotations, ...): not about the egress topology; tested in test/validator/rules/analyzer/. */
const KUBE_OBJECT_ANALYZERS = new Set([
  'analyzer/port-name-convention', 'analyzer/external-name-port-name', 'analyzer/deployment-multiple-services', 'analyzer/deployment-conflicting-ports',
  'analyzer/application-uid', 'analyzer/misplaced-annotation', 'analyzer/unknown-annotation', 'analyzer/invalid-annotation',
  'analyzer/deprecated-annotation', 'analyzer/deprecated',
]);
export const MINE = new Set([
  ...RULES.filter(r => r.category === 'analyzer' && !KUBE_OBJECT_ANALYZERS.has(r.id)).map(r => r.id),
  'wiring/double-tls', 'wiring/dr-port-is-target-port', 'wiring/undeclared-plaintext-port', 'wiring/credential-namespace',
  'wiring/credential-role-narrowed', 'wiring/dr-visibility', 'wiring/gateway-route-tls-mismatch', 'wiring/gateway-resolution-none',
  'wiring/ca-verifies-server', 'wiring/certificate-san',
]);
export const EGW = 'istio-egressgateway.istio-system.svc.cluster.local';
export const NGINX = 'my-nginx.mesh-external.svc.cluster.local';
export const NET = 'networking.istio.io/v1';

export const mine = (r: ValidationReport): Finding[] => r.findings.filter(f => MINE.has(f.ruleId));
export const ids = (fs: Finding[]) => fs.map(f => `${f.severity} ${f.ruleId} ${f.object.kind}/${f.object.name} ${f.field}`).sort();
export function run(objs: any[]): Finding[] {
  return mine(validateManifests(objs));
}
/** Exactly one error of my rules, with this rule id and field; returns it. */
export function onlyError(objs: any[], ruleId: string, field: string): Finding {
  const errs = run(objs).filter(f => f.severity === 'error');
  if (errs.length !== 1 || errs[0].ruleId !== ruleId || errs[0].field !== field) {
    throw new Error(`expected exactly ${ruleId} at ${field}; got:\n${formatFindings(errs)}`);
  }
  return errs[0];
}
export const errorsOf = (objs: any[]) => run(objs).filter(f => f.severity === 'error');
export const byName = (objs: any[], kind: string, name: string) => {
  const o = objs.find(x => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};

/** §1: egress gateway TLS origination (SIMPLE), Istio APIs, everything in `default`. */
export function cnn(): any[] {
  const md = (name: string) => ({ name, namespace: 'default' });
  return [
    { apiVersion: NET, kind: 'ServiceEntry', metadata: md('cnn'), spec: {
      hosts: ['edition.cnn.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' } },
    { apiVersion: NET, kind: 'Gateway', metadata: md('istio-egressgateway'), spec: {
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 80, name: 'https-port-for-tls-origination', protocol: 'HTTPS' }, hosts: ['edition.cnn.com'], tls: { mode: 'ISTIO_MUTUAL' } }] } },
    { apiVersion: NET, kind: 'DestinationRule', metadata: md('egressgateway-for-cnn'), spec: {
      host: EGW,
      subsets: [{ name: 'cnn', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'edition.cnn.com' } }] } }] } },
    { apiVersion: NET, kind: 'VirtualService', metadata: md('direct-cnn-through-egress-gateway'), spec: {
      hosts: ['edition.cnn.com'], gateways: ['istio-egressgateway', 'mesh'],
      http: [
        { match: [{ gateways: ['mesh'], port: 80 }], route: [{ destination: { host: EGW, subset: 'cnn', port: { number: 80 } }, weight: 100 }] },
        { match: [{ gateways: ['istio-egressgateway'], port: 80 }], route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } }, weight: 100 }] },
      ] } },
    { apiVersion: NET, kind: 'DestinationRule', metadata: md('originate-tls-for-edition-cnn-com'), spec: {
      host: 'edition.cnn.com',
      trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }] } } },
  ];
}
export const cnnVs = (objs: any[]) => byName(objs, 'VirtualService', 'direct-cnn-through-egress-gateway');

/** §2.3: egress gateway HTTPS passthrough (tls routes, PASSTHROUGH server). */
export function passthrough(): any[] {
  const md = (name: string) => ({ name, namespace: 'default' });
  return [
    { apiVersion: NET, kind: 'ServiceEntry', metadata: md('cnn'), spec: { hosts: ['edition.cnn.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' } },
    { apiVersion: NET, kind: 'Gateway', metadata: md('istio-egressgateway'), spec: {
      selector: { istio: 'egressgateway' }, servers: [{ port: { number: 443, name: 'tls', protocol: 'TLS' }, hosts: ['edition.cnn.com'], tls: { mode: 'PASSTHROUGH' } }] } },
    { apiVersion: NET, kind: 'DestinationRule', metadata: md('egressgateway-for-cnn'), spec: { host: EGW, subsets: [{ name: 'cnn' }] } },
    { apiVersion: NET, kind: 'VirtualService', metadata: md('direct-cnn-through-egress-gateway'), spec: {
      hosts: ['edition.cnn.com'], gateways: ['mesh', 'istio-egressgateway'],
      tls: [
        { match: [{ gateways: ['mesh'], port: 443, sniHosts: ['edition.cnn.com'] }], route: [{ destination: { host: EGW, subset: 'cnn', port: { number: 443 } } }] },
        { match: [{ gateways: ['istio-egressgateway'], port: 443, sniHosts: ['edition.cnn.com'] }], route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } }, weight: 100 }] },
      ] } },
  ];
}

/** The out-of-band egress gateway: notes only, each saying what could not be checked. */
export const EGW_WARNINGS = [
  'note analyzer/destination-host VirtualService/direct-cnn-through-egress-gateway spec.http[0].route[0].destination.host',
  'note analyzer/gateway-selector Gateway/istio-egressgateway spec.selector',
  'note analyzer/unknown-dr-host DestinationRule/egressgateway-for-cnn spec.host',
];

// ---------------------------------------------------------------------------------------------------------------
// mutual TLS: credentials, RBAC and certificates, on the seed of the Egress TLS Origination task (sidecar) and on
// §2.2 (egress gateway)

export const SEED_DIR = path.join(__dirname, '..', 'fixtures', 'validator', 'seed');
export function seed(): any[] {
  const objs: any[] = [];
  for (const f of fs.readdirSync(SEED_DIR).sort()) objs.push(...parseYamlDocuments(fs.readFileSync(path.join(SEED_DIR, f), 'utf8')));
  return objs;
}
