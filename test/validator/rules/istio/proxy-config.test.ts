// Istio's webhook rules for ProxyConfig (istio/proxy-config, src/validator/rules/istio/proxy-config.ts).
import { expectClean, expectFinding, object } from '../../../support/istio-kinds';

describe('ProxyConfig (ValidateProxyConfig)', () => {
  test('a ProxyConfig with a selector and concurrency 0 passes', () => {
    expectClean(object('ProxyConfig', { selector: { matchLabels: { app: 'egress' } }, concurrency: 0 }));
  });

  test('fails on a negative concurrency', () => {
    const f = expectFinding(object('ProxyConfig', { concurrency: -2 }), 'istio/proxy-config', 'concurrency must be greater than or equal to 0');
    expect(f.field).toBe('spec.concurrency');
  });

  test('fails on an empty selector key', () => {
    expectFinding(object('ProxyConfig', { selector: { matchLabels: { '': 'a' } } }), 'istio/policy-selector', 'empty key is not supported in selector: "=a"');
  });
});
