import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_RELEASE, ISTIO_RELEASES, validateManifests } from '../../../../src/validator';

// What Istio 1.31 accepts and refuses differently from 1.30 (issue 15 item 7): each is one rule whose check
// follows the targeted release (the `istio` option), and what a release's CRD lacks is refused by its schema.
const meta = { name: 'x', namespace: 'default' };
const dr = (trafficPolicy: unknown) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta, spec: { host: 'api.example.com', trafficPolicy } });
const sidecar = (spec: unknown) => ({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: meta, spec });
const vs = (http: unknown) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta, spec: { hosts: ['api.example.com'], http } });
/** The errors and warnings of the schema, CEL and Istio webhook rules: [severity, rule, field, message]. */
const found = (obj: unknown, istio: string) => validateManifests([obj], { istio }).findings
  .filter((f) => /^(schema|cel|istio)\//.test(f.ruleId) && f.severity !== 'note').map((f) => [f.severity, f.ruleId, f.field, f.message]);
const rules = (obj: unknown, istio: string) => found(obj, istio).map(([sev, rule, field]) => `${sev} ${rule} ${field}`);

describe('the releases', () => {
  test('1.30 and 1.31 are supported; the default is the newest, 1.31', () => {
    expect(ISTIO_RELEASES).toEqual(['1.30', '1.31']);
    expect(DEFAULT_RELEASE).toBe('1.31');
  });

  test.each(ISTIO_RELEASES)('a validation for %s reads only that release\'s CRD and CEL files (and k8s.json)', (release) => {
    // GIVEN a validation folder holding the files of this release only
    const VALIDATION = path.resolve(__dirname, '../../../..', 'imports', 'validation');
    const objects = [dr({ connectionPool: { tcp: { maxConnections: -1 } } }), { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta, spec: { hosts: ['a.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 80, name: 'http2', protocol: 'HTTP' }], resolution: 'DNS' } }];
    const expected = validateManifests(objects, { istio: release }).findings; // with every file (before the override)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `validation-${release}-`));
    const saved = process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR;
    try {
      for (const f of [`crds-${release}.json`, `cel-${release}.json`, 'k8s.json']) fs.copyFileSync(path.join(VALIDATION, f), path.join(dir, f));
      process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR = dir;
      let isolated: unknown[] = [];
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        isolated = require('../../../../src/validator').validateManifests(objects, { istio: release }).findings;
      });
      // THEN it finds what a validation with every file finds: schema, CEL and webhook findings
      expect(isolated).toEqual(expected);
      expect((isolated as Array<{ ruleId: string }>).map((f) => f.ruleId)).toEqual(expect.arrayContaining(['cel/rule', 'istio/connection-pool']));
    } finally {
      if (saved === undefined) delete process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR;
      else process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unsupported release is refused, naming the supported ones, before anything is validated', () => {
    expect(() => validateManifests([], { istio: '1.29' })).toThrow('cdk8s-istio-egress validator: option istio must be one of the supported Istio releases 1.30, 1.31 (got "1.29")');
    expect(() => validateManifests([], { istio: '1.31.0' })).toThrow('(got "1.31.0")');
  });
});

describe('1.31 accepts what 1.30 refuses', () => {
  const excluding = sidecar({ egress: [{ hosts: ['*/*', '~prod-us2/*', '~/foo.com'] }] });

  test('Sidecar egress hosts with exclusions ("~prod-us2/*", istio/istio#60139)', () => {
    expect(found(excluding, '1.31')).toEqual([]);
    // 1.30 reads "~prod-us2" as a namespace name, and warns that */* comes with other hosts
    expect(found(excluding, '1.30')).toEqual([
      ['error', 'istio/sidecar-egress', 'spec.egress[0].hosts[1]', 'invalid namespace value "~prod-us2" in sidecar'],
      ['warning', 'istio/sidecar-egress', 'spec.egress[0].hosts', '`*/*` host select all resources, no other hosts can be added'],
    ]);
  });

  test('an excluded namespace must still be a DNS label in 1.31', () => {
    expect(found(sidecar({ egress: [{ hosts: ['*/*', '~Invalid_NS/*'] }] }), '1.31')).toEqual([
      ['error', 'istio/sidecar-egress', 'spec.egress[0].hosts[1]', 'invalid namespace value "~Invalid_NS" in sidecar'],
    ]);
  });

  test('an exclusion is no duplicate host in 1.31 ("~/foo.com" after "./foo.com"); 1.30 warns', () => {
    const s = sidecar({ egress: [{ hosts: ['~/foo.com', '~/foo.com'] }] });
    expect(found(s, '1.31')).toEqual([]);
    expect(found(s, '1.30')).toEqual([['warning', 'istio/sidecar-egress', 'spec.egress[0].hosts[1]', 'duplicated egress host: ~/foo.com']]);
  });

  test('warmup aggression below 1 (above 0)', () => {
    const half = dr({ loadBalancer: { simple: 'LEAST_REQUEST', warmup: { duration: '60s', aggression: 0.5 } } });
    expect(found(half, '1.31')).toEqual([]);
    expect(found(half, '1.30')).toEqual([['error', 'istio/load-balancer', 'spec.trafficPolicy.loadBalancer.warmup.aggression', 'aggression should be greater than or equal to 1']]);
    const zero = dr({ loadBalancer: { simple: 'LEAST_REQUEST', warmup: { duration: '60s', aggression: 0 } } });
    expect(found(zero, '1.31')).toEqual([['error', 'istio/load-balancer', 'spec.trafficPolicy.loadBalancer.warmup.aggression', 'aggression should be greater than 0']]);
  });

  test('DestinationRule http2KeepAlive: a 1.31 field, unknown to 1.30\'s CRD', () => {
    const ka = dr({ connectionPool: { http: { http2KeepAlive: { interval: '30s', timeout: '10s' } } } });
    expect(found(ka, '1.31')).toEqual([]);
    expect(rules(ka, '1.30')).toEqual(['error schema/unknown-field spec.trafficPolicy.connectionPool.http.http2KeepAlive']);
  });

  test('DestinationRule zoneAwareLbSetting: a 1.31 field, unknown to 1.30\'s CRD', () => {
    const za = dr({ loadBalancer: { zoneAwareLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } }, outlierDetection: { consecutive5xxErrors: 5 } });
    expect(found(za, '1.31')).toEqual([]);
    expect(rules(za, '1.30')).toEqual(['error schema/unknown-field spec.trafficPolicy.loadBalancer.zoneAwareLbSetting']);
  });

  test('redirect prefixRewrite: a 1.31 field, unknown to 1.30\'s CRD', () => {
    const pr = vs([{ match: [{ uri: { prefix: '/old' } }], redirect: { prefixRewrite: '/new' } }]);
    expect(found(pr, '1.31')).toEqual([]);
    // and 1.30's webhook, which does not know the field, finds a redirect that redirects nothing
    expect(found(pr, '1.30').map(([sev, rule, field, msg]) => `${sev} ${rule} ${field}${rule === 'istio/vs-redirect' ? `: ${msg}` : ''}`)).toEqual([
      'error schema/unknown-field spec.http[0].redirect.prefixRewrite',
      'error istio/vs-redirect spec.http[0].redirect: redirect must specify URI, authority, scheme, or port',
    ]);
  });
});

describe('1.31 refuses what 1.30 had no rule for', () => {
  test('http2KeepAlive without interval or timeout, or with a bad duration', () => {
    const f = 'spec.trafficPolicy.connectionPool.http.http2KeepAlive';
    expect(found(dr({ connectionPool: { http: { http2KeepAlive: { timeout: '5s' } } } }), '1.31')).toEqual([
      ['error', 'istio/connection-pool', `${f}.interval`, 'http2 keepalive interval is required'],
    ]);
    expect(found(dr({ connectionPool: { http: { http2KeepAlive: { interval: '15s' } } } }), '1.31')).toEqual([
      ['error', 'istio/connection-pool', `${f}.timeout`, 'http2 keepalive timeout is required'],
    ]);
    expect(rules(dr({ connectionPool: { http: { http2KeepAlive: { interval: '15.000000005s', timeout: '5s' } } } }), '1.31')).toEqual([`error istio/connection-pool ${f}.interval`]);
  });

  test('localityLbSetting and zoneAwareLbSetting together', () => {
    expect(found(dr({ loadBalancer: { localityLbSetting: {}, zoneAwareLbSetting: {} } }), '1.31')).toEqual([
      ['error', 'istio/load-balancer', 'spec.trafficPolicy.loadBalancer.zoneAwareLbSetting', 'only one of localityLbSetting and zoneAwareLbSetting can be set'],
    ]);
  });

  test('zoneAwareLbSetting: topology labels in failoverPriority, failover within a region or by zone, and the outlierDetection warning', () => {
    const za = (setting: unknown, outlier = true) => dr({ loadBalancer: { zoneAwareLbSetting: setting }, ...(outlier ? { outlierDetection: { consecutive5xxErrors: 5 } } : {}) });
    const f = 'spec.trafficPolicy.loadBalancer.zoneAwareLbSetting';
    expect(found(za({ failoverPriority: ['topology.kubernetes.io/zone', 'example.com/rack'] }), '1.31')).toEqual([
      ['error', 'istio/zone-aware-lb', `${f}.failoverPriority[0]`, "'failover_priority' for zone aware lb must not use topology label 'topology.kubernetes.io/zone'; region- and zone-level routing are handled automatically"],
    ]);
    expect(found(za({ failover: [{ from: 'us-east', to: 'us-east' }, { from: 'us-east/a', to: 'eu-*' }] }), '1.31')).toEqual([
      ['error', 'istio/zone-aware-lb', `${f}.failover[0]`, 'zone aware lb failover settings must specify different regions'],
      ['error', 'istio/zone-aware-lb', `${f}.failover[1]`, 'zone aware lb failover only specifies region; zone and subzone failover are handled automatically'],
      ['error', 'istio/zone-aware-lb', `${f}.failover[1]`, "zone aware lb failover region should not contain '*' wildcard"],
    ]);
    expect(found(za({ failover: [{ from: 'us-east', to: 'eu-west' }] }, false), '1.31')).toEqual([
      ['warning', 'istio/zone-aware-lb', f, 'outlier detection policy must be provided for failover'],
    ]);
  });

  test('redirect prefixRewrite with uri, or on a route matching a URI other than by prefix', () => {
    expect(found(vs([{ redirect: { uri: '/old', prefixRewrite: '/new' } }]), '1.31')).toEqual([
      ['error', 'istio/vs-redirect', 'spec.http[0].redirect', 'redirect may only specify one of uri or prefix_rewrite'],
    ]);
    for (const uri of [{ exact: '/foo' }, { regex: '/foo.*' }]) {
      expect(found(vs([{ match: [{ uri }], redirect: { prefixRewrite: '/bar' } }]), '1.31')).toEqual([
        ['error', 'istio/vs-redirect', 'spec.http[0].redirect.prefixRewrite', 'redirect prefix_rewrite requires all URI matches to use prefix match type'],
      ]);
    }
    // a match without uri (headers only) matches every path: valid
    expect(found(vs([{ match: [{ headers: { 'x-foo': { exact: 'bar' } } }], redirect: { prefixRewrite: '/bar' } }]), '1.31')).toEqual([]);
  });

  test('ALLOW_ANY_DYNAMIC_DNS in a Sidecar: both releases\' CRDs refuse the mode (its enum is REGISTRY_ONLY, ALLOW_ANY)', () => {
    // 1.31's webhook adds "ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig"; the API server's
    // schema check, which runs before the webhook, refuses it first, in 1.30 too
    const s = sidecar({ outboundTrafficPolicy: { mode: 'ALLOW_ANY_DYNAMIC_DNS' }, egress: [{ hosts: ['*/*'] }] });
    for (const release of ['1.30', '1.31']) expect(rules(s, release)).toEqual(['error schema/enum spec.outboundTrafficPolicy.mode']);
  });
});
