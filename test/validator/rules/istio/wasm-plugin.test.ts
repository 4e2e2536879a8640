// Istio's webhook rules for WasmPlugin (istio/wasm-plugin, src/validator/rules/istio/wasm-plugin.ts).
import { validateManifests } from '../../../../src/validator';
import { expectClean, expectFinding, istioFindings, object } from '../../../support/istio-kinds';

const wasm = (spec: any) => object('WasmPlugin', spec);
const SHA = '01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b';

describe('WasmPlugin (ValidateWasmPlugin)', () => {
  test.each(['oci://ghcr.io/acme/filter:1.0', 'ghcr.io/acme/filter:1.0', 'https://example.com/f.wasm', 'file:///opt/f.wasm'])('accepts url %s', (url) => {
    expectClean(wasm({ url, sha256: SHA, selector: { matchLabels: { app: 'egress' } }, match: [{ ports: [{ number: 443 }] }] }));
  });

  test('the issue\'s case: an unknown phase fails (schema enum)', () => {
    const fs = validateManifests([wasm({ url: 'oci://x/y', phase: 'FOO' })]).findings;
    expect(fs.find(f => f.field === 'spec.phase')?.severity).toBe('error');
  });

  test('fails without url and on an unsupported scheme', () => {
    expectFinding(wasm({}), 'istio/wasm-plugin', 'url field needs to be set');
    const f = expectFinding(wasm({ url: 'ftp://example.com/f.wasm' }), 'istio/wasm-plugin', 'url contains unsupported scheme: ftp');
    expect(f.field).toBe('spec.url');
  });

  test('fails on a registry with a port and no scheme: Go reads "localhost" as the scheme (the CRD\'s CEL rule agrees)', () => {
    expectFinding(wasm({ url: 'localhost:5000/filter' }), 'istio/wasm-plugin', 'url contains unsupported scheme: localhost');
    expectClean(wasm({ url: 'oci://localhost:5000/filter' }));
  });

  test('fails on a control character in the url', () => {
    expectFinding(wasm({ url: 'oci://x/\ty' }), 'istio/wasm-plugin', 'failed to parse url');
  });

  test('fails on a short or upper-case sha256', () => {
    expectFinding(wasm({ url: 'oci://x/y', sha256: 'abc' }), 'istio/wasm-plugin', 'sha256 field must be 64 characters long');
    expectFinding(wasm({ url: 'oci://x/y', sha256: SHA.toUpperCase() }), 'istio/wasm-plugin', 'sha256 field must match [a-f0-9]{64} pattern');
  });

  test('fails on vmConfig env: no name, a duplicate, a value with valueFrom HOST', () => {
    expectFinding(wasm({ url: 'oci://x/y', vmConfig: { env: [{ valueFrom: 'HOST' }] } }), 'istio/wasm-plugin', 'spec.vmConfig.env invalid');
    expectFinding(wasm({ url: 'oci://x/y', vmConfig: { env: [{ name: 'A' }, { name: 'A' }] } }), 'istio/wasm-plugin', 'duplicate env');
    expectFinding(wasm({ url: 'oci://x/y', vmConfig: { env: [{ name: 'A', valueFrom: 'HOST', value: 'v' }] } }), 'istio/wasm-plugin', 'value may only be set when valueFrom is INLINE');
    expect(istioFindings(wasm({ url: 'oci://x/y', vmConfig: { env: [{ name: 'A', valueFrom: 'HOST' }, { name: 'B', value: 'v' }] } }))).toEqual([]);
  });

  test('fails on a match port out of range, and on over-long names', () => {
    expectFinding(wasm({ url: 'oci://x/y', match: [{ ports: [{ number: 443 }, {}] }] }), 'istio/wasm-plugin', 'spec.Match[0].Ports[1] is out of range: 0');
    expectFinding(wasm({ url: 'oci://x/y', imagePullSecret: 'a'.repeat(254) }), 'istio/wasm-plugin', 'imagePullSecret field must be less than 253 characters long');
    expectFinding(wasm({ url: 'oci://x/y', pluginName: 'a'.repeat(257) }), 'istio/wasm-plugin', 'pluginName field must be less than 255 characters long');
  });

  test('fails on a targetRef to another namespace', () => {
    expectFinding(wasm({ url: 'oci://x/y', targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'b' } }), 'istio/policy-target-ref', 'targetRef namespace must not be set');
  });
});
