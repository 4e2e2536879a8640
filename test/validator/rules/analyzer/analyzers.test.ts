// The offline analyzers (src/validator/rules/analyzer/analyzers.ts) on the object shapes of Istio's egress gateway
// tasks: the correct sets give no error of these rules, each broken variant exactly the intended finding.
import { checkAnalyzers } from '../../../../src/validator/rules/analyzer/analyzers';
import { checkPitfalls } from '../../../../src/validator/rules/wiring/pitfalls';
import { makeObj, Reporter } from '../../../../src/validator/context';
import { MeshIndex } from '../../../../src/validator/mesh-index';
import { validateManifests, type Finding } from '../../../../src/validator';
import { byName, cnn, cnnVs, EGW_WARNINGS, errorsOf, ids, mine, NET, onlyError, passthrough, run } from '../../../support/egress-topologies';
import { budget } from '../../../support/budget';

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
    // severity contract: Istio's analyzer sees every pod of the cluster, the input only some (the v2 pods of Istio's
    // bookinfo are deployed by another file): a warning that says what could not be checked, not an error
    expect(errorsOf(objs)).toEqual([]);
    const w = run(objs).filter(f => f.ruleId === 'analyzer/subset-selects-no-pods');
    expect(w.map(f => `${f.severity} ${f.field}`)).toEqual(['warning spec.subsets[1].labels']);
    expect(w[0].message).toMatch(/^IST0173 The Subset v2 defined in the DestinationRule does not select any pods.*could not check the pods deployed by other files\)$/);
    objs[2].spec.subsets.pop();
    expect(run(objs)).toEqual([]);
    // the endpoints of a ServiceEntry are all in the input: a subset that selects none of them is an error
    const se: any[] = [
      { apiVersion: NET, kind: 'ServiceEntry', metadata: { name: 'db', namespace: 'default' }, spec: { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1', labels: { version: 'v1' } }] } },
      { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'db', namespace: 'default' }, spec: { host: 'db.example.com', subsets: [{ name: 'v2', labels: { version: 'v2' } }] } },
    ];
    expect(onlyError(se, 'analyzer/subset-selects-no-pods', 'spec.subsets[0].labels').message).toMatch(/^IST0173 The Subset v2 .*match no endpoint of ServiceEntry default\/db/);
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
    expect(ms).toBeLessThan(budget(5000));
    console.log(`analyzers + pitfalls on ${objs.length} objects: ${ms.toFixed(0)} ms`);
  });
});
