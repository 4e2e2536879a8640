import * as fs from 'fs';
import * as path from 'path';
import { generateCertificates, secretManifests, type CertificateBundle } from '../../src/certificates';
import { checkAnalyzers } from '../../src/validator/rules/analyzer/analyzers';
import { checkPitfalls } from '../../src/validator/rules/wiring/pitfalls';
import { makeObj, Reporter } from '../../src/validator/context';
import { MeshIndex } from '../../src/validator/mesh-index';
import { formatFindings, parseYamlDocuments, RULES, validateManifests, type Finding, type ValidationReport } from '../../src/validator';

/**
 * Offline analyzers (istioctl analyze equivalents) and pitfall rules, on the object shapes of Istio's egress
 * gateway tasks (/work/shared/notes/egress-topologies.md §1, §2, §2.3): the correct sets give no error of these
 * rules, each broken variant exactly the intended finding.
 */
const MINE = new Set([
  ...RULES.filter(r => r.category === 'analyzer').map(r => r.id),
  'wiring/double-tls', 'wiring/dr-port-is-target-port', 'wiring/undeclared-plaintext-port', 'wiring/credential-namespace',
  'wiring/credential-role-narrowed', 'wiring/dr-visibility', 'wiring/gateway-route-tls-mismatch', 'wiring/gateway-resolution-none',
  'wiring/ca-verifies-server', 'wiring/certificate-san',
]);
const EGW = 'istio-egressgateway.istio-system.svc.cluster.local';
const NGINX = 'my-nginx.mesh-external.svc.cluster.local';
const NET = 'networking.istio.io/v1';

const mine = (r: ValidationReport): Finding[] => r.findings.filter(f => MINE.has(f.ruleId));
const ids = (fs: Finding[]) => fs.map(f => `${f.severity} ${f.ruleId} ${f.object.kind}/${f.object.name} ${f.field}`).sort();
function run(objs: any[]): Finding[] {
  return mine(validateManifests(objs));
}
/** Exactly one error of my rules, with this rule id and field; returns it. */
function onlyError(objs: any[], ruleId: string, field: string): Finding {
  const errs = run(objs).filter(f => f.severity === 'error');
  if (errs.length !== 1 || errs[0].ruleId !== ruleId || errs[0].field !== field) {
    throw new Error(`expected exactly ${ruleId} at ${field}; got:\n${formatFindings(errs)}`);
  }
  return errs[0];
}
const errorsOf = (objs: any[]) => run(objs).filter(f => f.severity === 'error');
const byName = (objs: any[], kind: string, name: string) => {
  const o = objs.find(x => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};

/** §1: egress gateway TLS origination (SIMPLE), Istio APIs, everything in `default`. */
function cnn(): any[] {
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
const cnnVs = (objs: any[]) => byName(objs, 'VirtualService', 'direct-cnn-through-egress-gateway');

/** §2.3: egress gateway HTTPS passthrough (tls routes, PASSTHROUGH server). */
function passthrough(): any[] {
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
const EGW_WARNINGS = [
  'note analyzer/destination-host VirtualService/direct-cnn-through-egress-gateway spec.http[0].route[0].destination.host',
  'note analyzer/gateway-selector Gateway/istio-egressgateway spec.selector',
  'note analyzer/unknown-dr-host DestinationRule/egressgateway-for-cnn spec.host',
];

describe('egress gateway TLS origination (§1)', () => {
  test('the documented objects give no error; the out-of-band gateway gives notes that say so', () => {
    // GIVEN the five objects of the task
    const objs = cnn();
    // WHEN validated
    const r = validateManifests(objs);
    // THEN no error or warning of any rule, and only the expected notes of these rules
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(ids(mine(r))).toEqual(EGW_WARNINGS);
    expect(mine(r).find(f => f.ruleId === 'analyzer/gateway-selector')!.message).toMatch(/IST0101 Referenced selector not found: "istio=egressgateway": could not check that the gateway runs.*out of band/);
  });

  test('an egress gateway Deployment and Service in the output silence the warnings', () => {
    const objs = [...cnn(),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-egressgateway', namespace: 'istio-system' }, spec: { selector: { istio: 'egressgateway' }, ports: [{ port: 80, name: 'http2' }, { port: 443, name: 'https' }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istio-egressgateway', namespace: 'istio-system' }, spec: {
        selector: { matchLabels: { istio: 'egressgateway' } },
        template: { metadata: { labels: { istio: 'egressgateway', app: 'istio-egressgateway' } }, spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } } } },
    ];
    expect(run(objs)).toEqual([]);
  });

  test('HTTPS passthrough through the gateway (§2.3) gives no error', () => {
    expect(errorsOf(passthrough())).toEqual([]);
  });
});

describe('analyzers (istioctl analyze equivalents)', () => {
  test('fails when a VirtualService gateways entry names no Gateway (IST0101)', () => {
    const objs = cnn();
    cnnVs(objs).spec.gateways[0] = 'istio-egresgateway';
    cnnVs(objs).spec.http[1].match[0].gateways = ['istio-egresgateway'];
    const f = onlyError(objs, 'analyzer/gateway-not-found', 'spec.gateways[0]');
    expect(f.message).toMatch(/^IST0101 Referenced gateway not found: "istio-egresgateway" \(Gateway default\/istio-egresgateway is not in the output/);
    expect(f.fix).toMatch(/short name refers to a Gateway in the VirtualService's namespace "default"/);
  });

  test('a Gateway in another namespace without Gateways in the output is a note ("mesh" is implicit)', () => {
    const objs = cnn().filter(o => o.kind !== 'Gateway');
    cnnVs(objs).spec.gateways = ['istio-system/istio-egressgateway', 'mesh'];
    cnnVs(objs).spec.http[1].match[0].gateways = ['istio-system/istio-egressgateway'];
    const fs = run(objs);
    expect(fs.filter(f => f.severity === 'error')).toEqual([]);
    const w = fs.find(f => f.ruleId === 'analyzer/gateway-not-found')!;
    expect(w).toMatchObject({ severity: 'note', field: 'spec.gateways[0]' });
    expect(w.message).toMatch(/: could not check it, Gateway istio-system\/istio-egressgateway is not in the output and namespace "istio-system" has no Gateway in the output, so it must be installed out of band/);
  });

  test('fails when a match.gateways entry is not in spec.gateways', () => {
    // GIVEN the gateway route refers to the Gateway by its namespaced name, the binding list by another name
    const objs = cnn();
    cnnVs(objs).spec.http[1].match[0].gateways = ['default/egress'];
    const f = onlyError(objs, 'analyzer/match-gateway-not-bound', 'spec.http[1].match[0].gateways[0]');
    expect(f.message).toMatch(/match gateway "default\/egress" is not in spec.gateways \(default\/istio-egressgateway, mesh\).*never applies/);
  });

  test('a match.gateways entry written as namespace/name matches a short spec.gateways entry', () => {
    const objs = cnn();
    cnnVs(objs).spec.http[1].match[0].gateways = ['default/istio-egressgateway'];
    expect(errorsOf(objs)).toEqual([]);
  });

  test('fails when no host of the VirtualService is served by its Gateway (IST0132)', () => {
    const objs = cnn();
    byName(objs, 'Gateway', 'istio-egressgateway').spec.servers[0].hosts = ['www.cnn.com'];
    const f = onlyError(objs, 'analyzer/host-not-in-gateway', 'spec.gateways[0]');
    expect(f.message).toMatch(/^IST0132 one or more host \[edition.cnn.com\] defined in VirtualService default\/direct-cnn-through-egress-gateway not found in Gateway default\/istio-egressgateway/);
  });

  test('Gateway hosts with a namespace prefix and wildcards cover the VirtualService host', () => {
    const objs = cnn();
    byName(objs, 'Gateway', 'istio-egressgateway').spec.servers[0].hosts = ['./*.cnn.com'];
    expect(errorsOf(objs)).toEqual([]);
    byName(objs, 'Gateway', 'istio-egressgateway').spec.servers[0].hosts = ['other/*.cnn.com'];
    expect(errorsOf(objs).map(f => f.ruleId)).toEqual(['analyzer/host-not-in-gateway']);
  });

  test('fails when two Gateways with one selector serve the same port and host (IST0145)', () => {
    const objs = cnn();
    const second = JSON.parse(JSON.stringify(byName(objs, 'Gateway', 'istio-egressgateway')));
    second.metadata.name = 'egress-2';
    second.spec.servers[0].hosts = ['*.cnn.com'];
    objs.push(second);
    const f = onlyError(objs, 'analyzer/conflicting-gateways', 'spec.servers[0]');
    expect(f.object.name).toBe('egress-2');
    expect(f.message).toMatch(/^IST0145 Conflict with gateways default\/istio-egressgateway \(workload selector istio=egressgateway, port 80, hosts \*\.cnn\.com\)/);
    // other port: no conflict
    second.spec.servers[0].port.number = 443;
    expect(errorsOf(objs)).toEqual([]);
  });

  const sidecar = (name: string, labels?: Record<string, string>) => ({
    apiVersion: NET, kind: 'Sidecar', metadata: { name, namespace: 'default' },
    spec: { ...(labels ? { workloadSelector: { labels } } : {}), outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, egress: [{ hosts: ['./*', 'istio-system/*'] }] },
  });
  const sleepDeployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sleep', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'sleep' } }, template: { metadata: { labels: { app: 'sleep', version: 'v1' } }, spec: { containers: [{ name: 'sleep', image: 'curlimages/curl:8.11.1' }] } } },
  };

  test('fails when two Sidecars select the same workload (IST0110)', () => {
    const objs = [sleepDeployment, sidecar('a', { app: 'sleep' }), sidecar('b', { version: 'v1' })];
    const f = onlyError(objs, 'analyzer/sidecar-selector-conflict', 'spec.workloadSelector.labels');
    expect(f.message).toBe('IST0110 The Sidecars a, b in namespace "default" select the same workload pod "Deployment/sleep", which can lead to undefined behavior.');
    expect(errorsOf([sleepDeployment, sidecar('a', { app: 'sleep' }), sidecar('b', { app: 'other' })])).toEqual([]);
  });

  test('fails when two Sidecars of a namespace have no workload selector (IST0111)', () => {
    const f = onlyError([sidecar('a'), sidecar('b')], 'analyzer/sidecar-multiple-default', 'spec.workloadSelector');
    expect(f.message).toMatch(/^IST0111 The Sidecars a, b in namespace "default" have no workload selector/);
    expect(errorsOf([sidecar('a'), sidecar('b', { app: 'sleep' }), sleepDeployment])).toEqual([]);
  });

  test('fails when a route goes to an external host no ServiceEntry defines (IST0101 host)', () => {
    const objs = cnn();
    cnnVs(objs).spec.http[1].route[0].destination.host = 'edition.cnn.co';
    const f = onlyError(objs, 'analyzer/destination-host', 'spec.http[1].route[0].destination.host');
    expect(f.message).toMatch(/^IST0101 Referenced host not found: "edition.cnn.co" \(no ServiceEntry of the output visible from namespace "default"/);
  });

  test('a ServiceEntry not exported to the VirtualService namespace does not count', () => {
    const objs = cnn();
    const se = byName(objs, 'ServiceEntry', 'cnn');
    se.metadata.namespace = 'other';
    se.spec.exportTo = ['.'];
    expect(errorsOf(objs).map(f => `${f.ruleId} ${f.field}`)).toContain('analyzer/destination-host spec.http[1].route[0].destination.host');
  });

  test('fails when a destination has no port and the ServiceEntry has several (IST0112)', () => {
    const objs = cnn();
    delete cnnVs(objs).spec.http[1].route[0].destination.port;
    const f = onlyError(objs, 'analyzer/destination-port-required', 'spec.http[1].route[0].destination');
    expect(f.message).toMatch(/^IST0112 This VirtualService routes to a service "edition.cnn.com" that exposes multiple ports \[80 443\]/);
  });

  test('fails when a route goes to a port the ServiceEntry does not declare (IST0101 host:port)', () => {
    const objs = cnn();
    cnnVs(objs).spec.http[1].route[0].destination.port.number = 8443;
    const f = onlyError(objs, 'analyzer/destination-port', 'spec.http[1].route[0].destination.port.number');
    expect(f.message).toMatch(/^IST0101 Referenced host:port not found: "edition.cnn.com:8443" \(ServiceEntry default\/cnn declares ports 80, 443\)/);
  });

  test('fails when a route uses a subset no DestinationRule defines (IST0101 host+subset)', () => {
    const objs = cnn();
    cnnVs(objs).spec.http[0].route[0].destination.subset = 'cnnn';
    const f = onlyError(objs, 'analyzer/destination-subset', 'spec.http[0].route[0].destination.subset');
    expect(f.message).toMatch(/^IST0101 Referenced host\+subset in destinationrule not found: "istio-egressgateway.istio-system.svc.cluster.local\+cnnn" \(DestinationRule default\/egressgateway-for-cnn for this host defines subsets cnn\)/);
    const none = cnn().filter(o => o.metadata.name !== 'egressgateway-for-cnn');
    expect(onlyError(none, 'analyzer/destination-subset', 'spec.http[0].route[0].destination.subset').fix).toMatch(/Add a DestinationRule with host: istio-egressgateway/);
  });

  test('fails when a subset selects no pod behind the Service (IST0173)', () => {
    const objs: any[] = [
      { ...sleepDeployment },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sleep', namespace: 'default' }, spec: { selector: { app: 'sleep' }, ports: [{ port: 80, name: 'http' }] } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'sleep', namespace: 'default' }, spec: { host: 'sleep', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] } },
    ];
    const f = onlyError(objs, 'analyzer/subset-selects-no-pods', 'spec.subsets[1].labels');
    expect(f.message).toMatch(/^IST0173 The Subset v2 defined in the DestinationRule does not select any pods/);
    objs[2].spec.subsets.pop();
    expect(run(objs)).toEqual([]);
  });

  test('an external DestinationRule host that matches no ServiceEntry or Service is a warning (IST0174)', () => {
    const objs = cnn();
    byName(objs, 'DestinationRule', 'originate-tls-for-edition-cnn-com').spec.host = 'edition.cnn.org';
    const w = run(objs).filter(f => f.ruleId === 'analyzer/unknown-dr-host' && f.object.name === 'originate-tls-for-edition-cnn-com');
    expect(w).toHaveLength(1);
    expect(w[0].severity).toBe('warning');
    expect(w[0].message).toMatch(/^IST0174 The host edition.cnn.org defined in the DestinationRule does not match any services in the mesh/);
  });

  test('ServiceEntries sharing a TCP port without addresses are a warning (IST0134 across objects)', () => {
    const se = (name: string, host: string, extra: any = {}) => ({ apiVersion: NET, kind: 'ServiceEntry', metadata: { name, namespace: 'default' },
      spec: { hosts: [host], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }], resolution: 'DNS', ...extra } });
    const fs = run([se('a', 'db-a.example.com'), se('b', 'db-b.example.com')]);
    expect(ids(fs)).toEqual(['warning analyzer/se-address-collision ServiceEntry/b spec.ports[0]']);
    expect(fs[0].message).toMatch(/^IST0134 ServiceEntry addresses are required for this protocol: port 5432/);
    expect(run([se('a', 'db-a.example.com'), se('b', 'db-b.example.com', { addresses: ['10.0.0.5'] })])).toEqual([]);
  });
});

describe('pitfalls', () => {
  test('fails on double TLS: the DestinationRule originates TLS on the HTTPS port the application calls', () => {
    // GIVEN sidecar origination with the DestinationRule on 443 (the port the app already uses with https://)
    const objs = cnn().filter(o => ['ServiceEntry', 'DestinationRule'].includes(o.kind) && o.metadata.name !== 'egressgateway-for-cnn');
    const f = onlyError(objs, 'wiring/double-tls', 'spec.trafficPolicy.portLevelSettings[0].tls.mode');
    expect(f.message).toMatch(/double TLS: DestinationRule default\/originate-tls-for-edition-cnn-com originates TLS \(mode SIMPLE\) on port 443 of edition.cnn.com, which ServiceEntry default\/cnn declares as protocol HTTPS/);
    expect(f.fix).toMatch(/Declare a plaintext port \(number 80, protocol HTTP, targetPort 443\)/);
    // the gateway flow sends plaintext to 443 through an http route: no finding (§1 test above)
  });

  test('double TLS through a top-level tls setting names the plaintext port to use instead', () => {
    const objs: any[] = [
      { apiVersion: NET, kind: 'ServiceEntry', metadata: { name: 'cnn', namespace: 'default' }, spec: {
        hosts: ['edition.cnn.com'], ports: [{ number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 }, { number: 443, name: 'https-port', protocol: 'HTTPS' }], resolution: 'DNS' } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'cnn', namespace: 'default' }, spec: { host: 'edition.cnn.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } } },
    ];
    const f = onlyError(objs, 'wiring/double-tls', 'spec.trafficPolicy.tls.mode');
    expect(f.fix).toMatch(/Originate on the plaintext port 80 \(targetPort 443\) only \(move tls into portLevelSettings for port 80\)/);
    objs[1].spec.trafficPolicy = { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE' } }] };
    expect(run(objs)).toEqual([]);
  });

  test('fails when the DestinationRule port is the ServiceEntry targetPort instead of its number', () => {
    const objs: any[] = [
      { apiVersion: NET, kind: 'ServiceEntry', metadata: { name: 'cnn', namespace: 'default' }, spec: {
        hosts: ['edition.cnn.com'], ports: [{ number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 }], resolution: 'DNS' } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'cnn', namespace: 'default' }, spec: { host: 'edition.cnn.com', trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }] } } },
    ];
    const f = onlyError(objs, 'wiring/dr-port-is-target-port', 'spec.trafficPolicy.portLevelSettings[0].port.number');
    expect(f.message).toMatch(/port 443 is the targetPort of ServiceEntry port 80 \("http-port"\) for edition.cnn.com.*no TLS is originated/);
    expect(f.fix).toMatch(/Set port.number to 80/);
    objs[1].spec.trafficPolicy.portLevelSettings[0].port.number = 80;
    expect(run(objs)).toEqual([]);
  });

  test('fails when the mesh route matches a plaintext port the ServiceEntry does not declare', () => {
    // GIVEN the ServiceEntry declares only 443: the application's http://edition.cnn.com (port 80) has no listener
    const objs = cnn();
    byName(objs, 'ServiceEntry', 'cnn').spec.ports = [{ number: 443, name: 'https', protocol: 'HTTPS' }];
    const f = onlyError(objs, 'wiring/undeclared-plaintext-port', 'spec.http[0].match[0].port');
    expect(f.message).toMatch(/the mesh route matches port 80 of edition.cnn.com, but ServiceEntry default\/cnn declares only ports 443\/HTTPS/);
    expect(f.fix).toMatch(/Add \{number: 80, name: http, protocol: HTTP\}/);
  });

  test('fails when the egress gateway subset DestinationRule is not visible from the client namespace', () => {
    // GIVEN the client runs in "apps" and the subset DestinationRule stays in "default" (EN-EGW warning)
    const objs = cnn();
    objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { 'istio-injection': 'enabled' } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sleep', namespace: 'apps' }, spec: {
        selector: { matchLabels: { app: 'sleep' } }, template: { metadata: { labels: { app: 'sleep' } }, spec: { containers: [{ name: 'sleep', image: 'curlimages/curl:8.11.1' }] } } } });
    const f = onlyError(objs, 'wiring/dr-visibility', 'spec.http[0].route[0].destination.subset');
    expect(f.message).toMatch(/subset "cnn" of istio-egressgateway.istio-system.svc.cluster.local is defined by DestinationRule default\/egressgateway-for-cnn, but sidecars in namespace "apps" cannot see it: no DestinationRule .* is in "apps", or in .*istio-system exported to "apps"; requests fail with 503 NC cluster_not_found \(outbound\|80\|cnn\|istio-egressgateway/);
    expect(f.fix).toMatch(/Create DestinationRule egressgateway-for-cnn in namespace "apps", or in "istio-system"/);
    // WHEN the DestinationRule moves to istio-system (exported to all): visible everywhere
    byName(objs, 'DestinationRule', 'egressgateway-for-cnn').metadata.namespace = 'istio-system';
    expect(errorsOf(objs)).toEqual([]);
    // a DestinationRule in istio-system exported only to itself is not
    byName(objs, 'DestinationRule', 'egressgateway-for-cnn').spec.exportTo = ['.'];
    expect(errorsOf(objs).map(x => x.ruleId)).toEqual(['wiring/dr-visibility', 'wiring/dr-visibility']);
  });

  test('fails when a DestinationRule in the client namespace shadows the one defining the subset', () => {
    const objs = cnn();
    byName(objs, 'DestinationRule', 'egressgateway-for-cnn').metadata.namespace = 'istio-system';
    objs.push({ apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'egw-lb', namespace: 'default' }, spec: { host: EGW, trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } } });
    const f = onlyError(objs, 'wiring/dr-visibility', 'spec.http[0].route[0].destination.subset');
    expect(f.message).toMatch(/it uses DestinationRule default\/egw-lb \(subsets: none\), which shadows the others/);
  });

  test('fails when the originating DestinationRule is not visible to the egress gateway', () => {
    const objs = cnn();
    byName(objs, 'DestinationRule', 'originate-tls-for-edition-cnn-com').spec.exportTo = ['.'];
    const f = onlyError(objs, 'wiring/dr-visibility', 'spec.http[1].route[0].destination.host');
    expect(f.message).toMatch(/originates TLS for edition.cnn.com, but the gateway proxy of default\/istio-egressgateway in "istio-system" \(assumed: no gateway pod in the output\) cannot see it.*the gateway sends plaintext to edition.cnn.com:443/);
  });

  test('fails when a PASSTHROUGH server gets http routes, or a terminating server tls routes', () => {
    const objs = cnn();
    byName(objs, 'Gateway', 'istio-egressgateway').spec.servers[0] = { port: { number: 80, name: 'tls', protocol: 'TLS' }, hosts: ['edition.cnn.com'], tls: { mode: 'PASSTHROUGH' } };
    const f = onlyError(objs, 'wiring/gateway-route-tls-mismatch', 'spec.http[1]');
    expect(f.message).toMatch(/http: routes are bound to Gateway default\/istio-egressgateway, whose server 80\/TLS tls PASSTHROUGH passes TLS through/);
    const p = passthrough();
    byName(p, 'Gateway', 'istio-egressgateway').spec.servers[0].tls.mode = 'ISTIO_MUTUAL';
    const g = onlyError(p, 'wiring/gateway-route-tls-mismatch', 'spec.tls[1]');
    expect(g.message).toMatch(/tls: routes are bound to Gateway default\/istio-egressgateway, whose server 443\/TLS tls ISTIO_MUTUAL terminates TLS/);
  });

  test('fails when a ServiceEntry behind the egress gateway has resolution NONE (routing loop)', () => {
    const objs = cnn();
    delete byName(objs, 'ServiceEntry', 'cnn').spec.resolution;
    const f = onlyError(objs, 'wiring/gateway-resolution-none', 'spec.resolution');
    expect(f.object).toMatchObject({ kind: 'ServiceEntry', name: 'cnn' });
    expect(f.message).toMatch(/resolution is unset \(NONE\) for edition.cnn.com, which VirtualService default\/direct-cnn-through-egress-gateway .* routes through gateway default\/istio-egressgateway.*in a loop/);
    expect(f.fix).toMatch(/resolution: DNS/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// mutual TLS: credentials, RBAC and certificates, on the seed of the Egress TLS Origination task (sidecar) and on
// §2.2 (egress gateway)

const SEED_DIR = path.join(__dirname, '..', 'fixtures', 'validator', 'seed');
function seed(): any[] {
  const objs: any[] = [];
  for (const f of fs.readdirSync(SEED_DIR).sort()) objs.push(...parseYamlDocuments(fs.readFileSync(path.join(SEED_DIR, f), 'utf8')));
  return objs;
}

describe('mutual TLS credentials and certificates', () => {
  let good: CertificateBundle;
  let otherCa: CertificateBundle;
  let wrongHost: CertificateBundle;
  beforeAll(async () => {
    [good, otherCa, wrongHost] = await Promise.all([
      generateCertificates({ keyAlgorithm: 'ECDSA-P256' }),
      generateCertificates({ keyAlgorithm: 'ECDSA-P256' }),
      generateCertificates({ keyAlgorithm: 'ECDSA-P256', serverHost: 'nginx.example.com' }),
    ]);
  });
  /** The seed plus the three Secrets of the task made from `bundle`. */
  const withSecrets = (bundle: CertificateBundle, clientNamespace?: string) => [...seed(), ...secretManifests(bundle, { clientNamespace })];

  test('the seed with its Secrets gives no finding of these rules', () => {
    expect(run(withSecrets(good))).toEqual([]);
    expect(run(seed())).toEqual([]);
  });

  test('fails when ca.crt of the client credential does not verify the server certificate', () => {
    const objs = withSecrets(good);
    const client = objs.find(o => o.kind === 'Secret' && o.metadata.name === 'client-credential');
    client.stringData['ca.crt'] = otherCa.ca.cert;
    const f = onlyError(objs, 'wiring/ca-verifies-server', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    expect(f.message).toMatch(/^ca.crt of Secret default\/client-credential \(".*CN=example.com"\) does not verify the server certificate "CN=my-nginx.mesh-external.svc.cluster.local.*" \(issuer ".*CN=example.com"\) in tls.crt of Secret mesh-external\/nginx-server-certs/);
    // never any key material in the findings
    expect(JSON.stringify(run(objs))).not.toMatch(/PRIVATE KEY|BEGIN/);
  });

  test('fails when the server certificate has no SAN for the sni', () => {
    const objs = withSecrets(wrongHost);
    const f = onlyError(objs, 'wiring/certificate-san', 'spec.trafficPolicy.portLevelSettings[0].tls.sni');
    expect(f.message).toMatch(/the server certificate "CN=nginx.example.com.*" in tls.crt of Secret mesh-external\/nginx-server-certs .* has subjectAltName DNS:nginx.example.com, which does not cover "my-nginx.mesh-external.svc.cluster.local" \(sni\)/);
    // subjectAltNames listing a SAN of the certificate satisfy it
    objs.find(o => o.kind === 'DestinationRule' && o.metadata.name === 'originate-mtls-for-nginx').spec.trafficPolicy.portLevelSettings[0].tls.subjectAltNames = ['nginx.example.com'];
    expect(run(objs)).toEqual([]);
  });

  test('fails when the credential Secret is in another namespace than the client sidecar', () => {
    const objs = withSecrets(good, 'sleepers');
    const f = onlyError(objs, 'wiring/credential-namespace', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    expect(f.message).toMatch(/credentialName "client-credential" is read by the sidecar of the workload it selects \(app=sleep\) from namespace "default", but the output puts it in Secret sleepers\/client-credential/);
    expect(f.fix).toMatch(/Create Secret "client-credential" in namespace default/);
  });

  test('fails when the client Role is narrowed with resourceNames or lacks list', () => {
    const objs = seed();
    const role = objs.find(o => o.kind === 'Role');
    role.rules[0] = { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'], resourceNames: ['client-credential'] };
    const f = onlyError(objs, 'wiring/credential-role-narrowed', 'rules[0]');
    expect(f.object).toMatchObject({ kind: 'Role', name: 'client-credential-role' });
    expect(f.message).toMatch(/narrowed with resourceNames \[client-credential\]: istiod asks the API server whether default\/sleep may "list" secrets/);
    // wiring/credential-rbac reports the DestinationRule side, as before
    expect(validateManifests(objs).errors.map(e => e.ruleId).sort()).toEqual(['wiring/credential-rbac', 'wiring/credential-role-narrowed']);
    role.rules[0] = { apiGroups: [''], resources: ['secrets'], verbs: ['get'] };
    expect(onlyError(objs, 'wiring/credential-role-narrowed', 'rules[0]').message).toMatch(/grants verbs \[get\] without "list"/);
  });

  /** §2.2: mutual TLS origination at the egress gateway; the client Secret in istio-system. */
  function nginxGateway(bundle: CertificateBundle, secretNs = 'istio-system'): any[] {
    const objs = withSecrets(bundle, secretNs).filter(o => !['edition-cnn-com', 'originate-mtls-for-nginx', 'client-credential-role', 'client-credential-role-binding'].includes(o.metadata.name) || o.kind === 'Secret');
    const md = (name: string, namespace = 'default') => ({ name, namespace });
    objs.push(
      { apiVersion: NET, kind: 'Gateway', metadata: md('istio-egressgateway'), spec: {
        selector: { istio: 'egressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [NGINX], tls: { mode: 'ISTIO_MUTUAL' } }] } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: md('egressgateway-for-nginx'), spec: {
        host: EGW, subsets: [{ name: 'nginx', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'ISTIO_MUTUAL', sni: NGINX } }] } }] } },
      { apiVersion: NET, kind: 'VirtualService', metadata: md('direct-nginx-through-egress-gateway'), spec: {
        hosts: [NGINX], gateways: ['istio-egressgateway', 'mesh'],
        http: [
          { match: [{ gateways: ['mesh'], port: 80 }], route: [{ destination: { host: EGW, subset: 'nginx', port: { number: 443 } }, weight: 100 }] },
          { match: [{ gateways: ['istio-egressgateway'], port: 443 }], route: [{ destination: { host: NGINX, port: { number: 443 } }, weight: 100 }] },
        ] } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: md('originate-mtls-for-nginx', 'istio-system'), spec: {
        host: NGINX, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL', credentialName: 'client-credential', sni: NGINX } }] } } },
    );
    return objs;
  }

  test('mutual TLS at the egress gateway (§2.2) gives no error of these rules', () => {
    const objs = nginxGateway(good);
    expect(errorsOf(objs)).toEqual([]);
  });

  test('fails when the gateway credential Secret is in the client namespace instead of the gateway namespace', () => {
    const objs = nginxGateway(good, 'default');
    const f = onlyError(objs, 'wiring/credential-namespace', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName');
    expect(f.message).toMatch(/read by the gateway proxy of default\/istio-egressgateway that a VirtualService routes my-nginx.mesh-external.svc.cluster.local through \(istio-system; no gateway pod in the output, assumed installed in istio-system\) from namespace "istio-system", but the output puts it in Secret default\/client-credential/);
  });

  test('checks the CA of the gateway credential against the server certificate', () => {
    const objs = nginxGateway(good);
    objs.find(o => o.kind === 'Secret' && o.metadata.name === 'client-credential').stringData['ca.crt'] = otherCa.ca.cert;
    expect(onlyError(objs, 'wiring/ca-verifies-server', 'spec.trafficPolicy.portLevelSettings[0].tls.credentialName').message).toMatch(/Secret istio-system\/client-credential/);
  });
});

describe('scale', () => {
  test('10,000 objects of egress gateway topologies are analysed in linear time', () => {
    // GIVEN 2,000 hosts, each with the five objects of §1 in its own namespace
    const objs: any[] = [];
    for (let i = 0; i < 2000; i++) {
      for (const o of cnn()) {
        const c = JSON.parse(JSON.stringify(o).split('edition.cnn.com').join(`h${i}.example.com`));
        c.metadata.namespace = `ns-${i}`;
        objs.push(c);
      }
    }
    const rep = new Reporter({});
    const prepared = objs.map((o, i) => makeObj(o, i, {}));
    // WHEN the analyzers and pitfalls run
    const t0 = performance.now();
    const idx = new MeshIndex(prepared);
    checkAnalyzers(idx, rep);
    checkPitfalls(idx, rep);
    const ms = performance.now() - t0;
    // THEN no error; the bound only catches a quadratic regression (which takes >10 s here): timings on an idle
    // machine are ~0.2-0.4 s and belong to `npm run bench`, as for the other validator rules
    expect(rep.findings.filter((f: Finding) => f.severity === 'error')).toEqual([]);
    expect(ms).toBeLessThan(5000);
    console.log(`analyzers + pitfalls on ${objs.length} objects: ${ms.toFixed(0)} ms`);
  });
});
