// Istio's webhook rules for WorkloadGroup (istio/workload-group, src/validator/rules/istio/workload-group.ts).
import { expectClean, expectFinding, object } from '../../../support/istio-kinds';

const wg = (spec: any) => object('WorkloadGroup', spec);

describe('WorkloadGroup (ValidateWorkloadGroup)', () => {
  test('a group with labels and an HTTP probe passes', () => {
    expectClean(wg({ metadata: { labels: { app: 'vm' } }, template: { serviceAccount: 'vm', ports: { http: 8080 } }, probe: { periodSeconds: 5, httpGet: { port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] } } }));
  });

  test('fails without template', () => {
    expectFinding(wg({ probe: { tcpSocket: { port: 1 } } }), 'istio/workload-group', 'template is required');
  });

  test('fails on invalid metadata labels', () => {
    const f = expectFinding(wg({ template: {}, metadata: { labels: { '.': '~' } } }), 'istio/workload-group', 'invalid labels: invalid tag key: "."');
    expect(f.field).toBe('spec.metadata.labels');
  });

  test.each([
    [{}, 'unknown health check method <nil>'],
    [{ httpGet: {} }, 'port number 0 must be in the range 1..65535'],
    [{ httpGet: { port: 80, scheme: 'http' } }, 'httpGet.scheme must be one of "HTTPS", "HTTP"'],
    [{ httpGet: { port: 80, httpHeaders: [{ name: 'bad_header' }] } }, 'header name bad_header is not a valid header name'],
    [{ tcpSocket: {} }, 'port number 0 must be in the range 1..65535'],
    [{ exec: {} }, 'exec.command is required'],
    [{ periodSeconds: -1, exec: { command: ['true'] } }, 'periodSeconds must be non-negative'],
  ])('fails on probe %j', (probe, message) => {
    expectFinding(wg({ template: {}, probe }), 'istio/workload-group', message);
  });
});
