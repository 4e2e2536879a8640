import { validateManifests } from '../../../../src/validator';

// PeerAuthentication webhook rules (Istio 1.30.3 ValidatePeerAuthentication); Istio's table is in
// test/validator/conformance/peer-authentication.yaml.
const pa = (spec: unknown, annotations?: Record<string, string>) => ({
  apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'apps', ...(annotations ? { annotations } : {}) }, spec,
});
const istio = (obj: unknown) => validateManifests([obj]).findings.filter((f) => f.ruleId.startsWith('istio/')).map((f) => [f.severity, f.ruleId, f.field, f.message]);

describe('PeerAuthentication', () => {
  test('fails when a namespace-wide policy sets port-level mTLS', () => {
    expect(istio(pa({ mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }))).toEqual([
      ['error', 'istio/peer-authn-port-mtls', 'spec.portLevelMtls', 'mesh/namespace peer authentication cannot have port level mTLS'],
    ]);
  });

  test('fails on port 0 and on an empty portLevelMtls', () => {
    const sel = { matchLabels: { app: 'web' } };
    expect(istio(pa({ selector: sel, portLevelMtls: { 0: { mode: 'DISABLE' } } }))).toEqual([
      ['error', 'istio/peer-authn-port-mtls', 'spec.portLevelMtls["0"]', 'port must be in range 1..65535'],
    ]);
    expect(istio(pa({ selector: sel, portLevelMtls: {} }))).toEqual([
      ['error', 'istio/peer-authn-port-mtls', 'spec.portLevelMtls', 'port level mTLS, if defined, must have at least one element'],
    ]);
  });

  test('fails with the istio.io/dry-run annotation', () => {
    expect(istio(pa({ mtls: { mode: 'STRICT' } }, { 'istio.io/dry-run': 'true' })).map((f) => [f[1], f[3]])).toEqual([
      ['istio/metadata', 'apps/default has unsupported annotation istio.io/dry-run, please remove the annotation'],
    ]);
  });

  test('a workload policy with port-level mTLS has no finding; an empty selector is a warning', () => {
    expect(istio(pa({ selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } }))).toEqual([]);
    expect(istio(pa({ selector: {} }))).toEqual([['warning', 'istio/policy-selector', 'spec.selector', 'workload selector specified without labels']]);
  });
});
