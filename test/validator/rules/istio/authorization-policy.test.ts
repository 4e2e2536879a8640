import { validateManifests } from '../../../../src/validator';

// The AuthorizationPolicy webhook rules (Istio 1.30.3 ValidateAuthorizationPolicy); the cases of Istio's own
// table are in test/validator/conformance/authorization-policy.yaml. These pin the ids, fields and messages.
const ap = (spec: unknown, annotations?: Record<string, string>) => ({
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny-egress', namespace: 'apps', ...(annotations ? { annotations } : {}) }, spec,
});
const istio = (obj: unknown) => validateManifests([obj]).findings.filter((f) => f.ruleId.startsWith('istio/')).map((f) => [f.severity, f.ruleId, f.field, f.message]);

describe('AuthorizationPolicy', () => {
  test('fails when a DENY policy has no rules (issue 15), also with rules: []', () => {
    const msg = 'DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request';
    expect(istio(ap({ action: 'DENY' }))).toEqual([['error', 'istio/authz-action', 'spec.rules', msg]]);
    expect(istio(ap({ action: 'DENY', rules: [] }))).toEqual([['error', 'istio/authz-action', 'spec.rules', msg]]);
  });

  test('fails when an operation is empty (issue 15: `operation: {}`)', () => {
    expect(istio(ap({ rules: [{ to: [{ operation: {} }] }] }))).toEqual([
      ['error', 'istio/authz-rule', 'spec.rules[0].to[0].operation', '`to.operation` must not be empty, found at rule 0'],
    ]);
  });

  test('fails when an ipBlock has a prefix length above 32 (issue 15: 5.6.7.0/33)', () => {
    expect(istio(ap({ rules: [{ from: [{ source: { ipBlocks: ['5.6.7.0/24', '5.6.7.0/33'], notIpBlocks: ['10.0.0.1', '10.0.0.256'] } }] }] }))).toEqual([
      ['error', 'istio/authz-ip-block', 'spec.rules[0].from[0].source.ipBlocks', 'bad CIDR range (5.6.7.0/33): netip.ParsePrefix("5.6.7.0/33"): prefix length out of range'],
      ['error', 'istio/authz-ip-block', 'spec.rules[0].from[0].source.notIpBlocks', 'bad IP address (10.0.0.256)'],
    ]);
  });

  test('fails on a port out of range, a bad path template and a refused condition key', () => {
    expect(istio(ap({
      rules: [{ to: [{ operation: { ports: ['443', '70000'], paths: ['/a/{**}/b/{*}'] } }], when: [{ key: 'destination.labels[app]', values: ['x'] }] }],
    }))).toEqual([
      ['error', 'istio/authz-port', 'spec.rules[0].to[0].operation.ports', 'bad port (70000): <nil>'],
      ['error', 'istio/authz-path', 'spec.rules[0].to[0].operation.paths', 'invalid or unsupported path a/{**}/b/{*}, found in Paths. {**} is not the last operator'],
      ['error', 'istio/authz-condition', 'spec.rules[0].when[0].values', 'invalid `value` for `key` destination.labels[app]: attribute destination.labels[app] is replaced by the workload selector'],
      // Istio validates the key for notValues too, even when there are none
      ['error', 'istio/authz-condition', 'spec.rules[0].when[0].notValues', 'invalid `notValue` for `key` destination.labels[app]: attribute destination.labels[app] is replaced by the workload selector'],
    ]);
  });

  test('fails when CUSTOM has no provider name, or a provider is set without CUSTOM', () => {
    expect(istio(ap({ action: 'CUSTOM', rules: [{}] }))).toEqual([['error', 'istio/authz-action', 'spec.provider.name', '`provider.name` must not be empty']]);
    expect(istio(ap({ action: 'DENY', provider: { name: 'ext' }, rules: [{}] }))).toEqual([
      ['error', 'istio/authz-action', 'spec.provider', '`provider` must not be with non CUSTOM action, found DENY'],
    ]);
  });

  test('fails when serviceAccounts are malformed or set with principals', () => {
    expect(istio(ap({ rules: [{ from: [{ source: { serviceAccounts: ['a/b/c'] } }, { source: { serviceAccounts: ['ns/*'] } }] }] })).map((f) => f[3])).toEqual([
      'expected format \'serviceAccount\' or \'namespace/serviceAccount\', found "a/b/c" in ServiceAccounts',
      'wildcard not allowed, found in ServiceAccounts',
    ]);
  });

  test('fails on an invalid istio.io/dry-run value, and on dry-run with CUSTOM', () => {
    expect(istio(ap({ action: 'DENY', rules: [{}] }, { 'istio.io/dry-run': 'yes' }))).toEqual([
      ['error', 'istio/metadata', 'metadata.annotations["istio.io/dry-run"]', 'apps/deny-egress has annotation istio.io/dry-run with invalid value (yes): strconv.ParseBool: parsing "yes": invalid syntax'],
    ]);
    expect(istio(ap({ action: 'CUSTOM', provider: { name: 'ext' }, rules: [{}] }, { 'istio.io/dry-run': 'true' })).map((f) => f[1])).toEqual(['istio/metadata']);
  });

  test('a DENY rule of HTTP attributes only is Istio\'s warning; with ports it passes', () => {
    const rule = { to: [{ operation: { methods: ['DELETE'] } }] };
    expect(istio(ap({ action: 'DENY', rules: [rule] })).map(([sev, id, field]) => [sev, id, field])).toEqual([['warning', 'istio/authz-deny-http-only', 'spec.rules[0]']]);
    expect(istio(ap({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'], ports: ['8080'] } }] }] }))).toEqual([]);
  });

  test('a selector without labels is a warning; a targetRef to a Deployment is an error', () => {
    expect(istio(ap({ selector: {} }))).toEqual([['warning', 'istio/policy-selector', 'spec.selector', 'workload selector specified without labels']]);
    expect(istio(ap({ targetRef: { kind: 'Deployment', group: 'apps', name: 'web' } })).map((f) => [f[1], f[2]])).toEqual([['istio/policy-target-ref', 'spec.targetRef']]);
  });

  test('a well-formed egress policy has no finding', () => {
    expect(istio(ap({
      action: 'ALLOW',
      selector: { matchLabels: { istio: 'egressgateway' } },
      rules: [{
        from: [{ source: { serviceAccounts: ['apps/curl'], ipBlocks: ['10.0.0.0/8', '2001:db8::/32'] } }],
        to: [{ operation: { hosts: ['edition.cnn.com'], ports: ['443'], paths: ['/api/{*}/items/{**}'] } }],
        when: [{ key: 'connection.sni', values: ['edition.cnn.com'] }, { key: 'request.headers[x-team]', notValues: ['blocked'] }],
      }],
    }))).toEqual([]);
  });
});
