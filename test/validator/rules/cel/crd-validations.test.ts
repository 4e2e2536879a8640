// The CRDs' CEL rules (src/validator/rules/cel/crd-validations.ts): the seed of the Egress TLS Origination task, mutated.
import { allCelRules } from '../../../../src/validator';
import { compileRule } from '../../../../src/validator/cel';
import { expectFinding, find, mutated, MUTUAL_DR } from '../../../support/validator-seed';

describe('CEL (x-kubernetes-validations)', () => {
  // Istio 1.30.3: 100 of networking.istio.io, 22 of security.istio.io, 2 of cert-manager.io, 9 of telemetry.istio.io
  // (Telemetry), 16 of extensions.istio.io (WasmPlugin, TrafficExtension); Istio 1.31: 112 of networking.istio.io
  test.each([['1.30', 149], ['1.31', 161]] as const)('every CEL rule of the kept kinds of Istio %s compiles (none unsupported): %i rules', (release, count) => {
    const rules = allCelRules(release).filter(r => !r.kind.startsWith('gateway.networking.k8s.io/')); // Gateway API: test/gateway-api.test.ts
    const unsupported = rules.filter(r => { const c = compileRule(r.rule, release); return !c.ok && !c.transition; });
    const transition = rules.filter(r => { const c = compileRule(r.rule, release); return !c.ok && c.transition; });
    // loud: list them if any
    expect(unsupported.map(r => `${r.kind} ${r.version} ${r.field}: ${r.rule}`)).toEqual([]);
    expect(rules.length).toBe(count);
    expect(transition.length).toBe(0);
  });
  test('ServiceEntry duplicate port numbers violate the ports rule', () => {
    const r = mutated(objs => { find(objs, 'ServiceEntry', 'edition-cnn-com').spec.ports[1].number = 80; });
    const f = expectFinding(r, 'cel/rule', 'spec.ports');
    expect(f.message).toMatch(/port number cannot be duplicated/);
  });
  test('ServiceEntry host "*" violates the hosts rule', () => {
    const r = mutated(objs => { find(objs, 'ServiceEntry', 'edition-cnn-com').spec.hosts = ['*']; });
    expectFinding(r, 'cel/rule', 'spec.hosts[0]');
  });
  test('resolution NONE with endpoints violates the spec rule', () => {
    const r = mutated(objs => { Object.assign(find(objs, 'ServiceEntry', 'edition-cnn-com').spec, { resolution: 'NONE', endpoints: [{ address: '1.2.3.4' }] }); });
    expectFinding(r, 'cel/rule', 'spec');
  });
  test('duration rule and wildcard label rule of DestinationRule', () => {
    const r = mutated(objs => {
      const dr = find(objs, 'DestinationRule', MUTUAL_DR);
      dr.spec.trafficPolicy.connectionPool = { tcp: { connectTimeout: '0s' } };
      dr.spec.workloadSelector.matchLabels.app = 'sle*p';
    });
    expectFinding(r, 'cel/rule', 'spec.trafficPolicy.connectionPool.tcp.connectTimeout');
    expectFinding(r, 'cel/rule', 'spec.workloadSelector.matchLabels.app');
  });
  test('integers are CEL ints: targetPort range rule', () => {
    const r = mutated(objs => { find(objs, 'ServiceEntry', 'edition-cnn-com').spec.ports[0].targetPort = 70000; });
    expectFinding(r, 'cel/rule', 'spec.ports[0].targetPort');
  });
});
