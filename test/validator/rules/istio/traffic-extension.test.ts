// Istio's webhook rules for TrafficExtension (istio/traffic-extension, src/validator/rules/istio/traffic-extension.ts).
import { expectClean, expectFinding, istioFindings, object } from '../../../support/istio-kinds';

const te = (spec: any) => object('TrafficExtension', spec);
const lua = { inlineCode: 'function envoy_on_request(h) h:headers():add("x-egress", "1") end' };

describe('TrafficExtension (ValidateTrafficExtension)', () => {
  test('a Lua extension for a gateway and a wasm one for labelled workloads pass', () => {
    expectClean(te({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'egress' }], lua, match: [{ mode: 'CLIENT', ports: [{ number: 443 }] }] }));
    expectClean(te({ selector: { matchLabels: { app: 'egress' } }, wasm: { url: 'oci://ghcr.io/acme/filter:1.0', vmConfig: { env: [{ name: 'A', value: 'v' }] } } }));
  });

  test('fails with neither or both of wasm and lua', () => {
    expectFinding(te({}), 'istio/traffic-extension', 'exactly one of wasm or lua must be set');
    expectFinding(te({ lua, wasm: { url: 'oci://x/y' } }), 'istio/traffic-extension', 'exactly one of wasm or lua must be set');
  });

  test('fails on empty and on over-64-KiB Lua code (counted in bytes)', () => {
    expectFinding(te({ lua: { inlineCode: '' } }), 'istio/traffic-extension', 'lua.inlineCode cannot be empty');
    expectFinding(te({ lua: { inlineCode: '-'.repeat(65537) } }), 'istio/traffic-extension', 'lua.inlineCode exceeds maximum size of 64KB');
    // 32,769 two-byte characters are 65,538 bytes
    expectFinding(te({ lua: { inlineCode: 'é'.repeat(32769) } }), 'istio/traffic-extension', 'lua.inlineCode exceeds maximum size of 64KB');
    expect(istioFindings(te({ lua: { inlineCode: '-'.repeat(65536) } }))).toEqual([]);
  });

  test('fails on the wasm module as WasmPlugin does, with its own name limit', () => {
    expectFinding(te({ wasm: { url: 'ftp://x/y' } }), 'istio/traffic-extension', 'url contains unsupported scheme: ftp');
    expectFinding(te({ wasm: { url: 'oci://x/y', sha256: 'abc' } }), 'istio/traffic-extension', 'sha256 field must be 64 characters long');
    const f = expectFinding(te({ wasm: { url: 'oci://x/y', pluginName: 'p'.repeat(257) } }), 'istio/traffic-extension', 'pluginName field must be less than 256 characters long');
    expect(f.field).toBe('spec.wasm.pluginName');
  });

  test('fails on match ports and on selector with targetRefs', () => {
    expectFinding(te({ lua, match: [{ ports: [{ number: 70000 }] }] }), 'istio/traffic-extension', 'spec.Match[0].Ports[0] is out of range: 70000');
    expectFinding(te({ lua, selector: { matchLabels: { app: 'a' } }, targetRefs: [{ kind: 'Service', name: 's' }] }), 'istio/policy-target-ref', 'only one of targetRefs or workloadSelector can be set');
  });
});
