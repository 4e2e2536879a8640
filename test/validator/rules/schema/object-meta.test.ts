import { validateManifests } from '../../../../src/validator';

// What the API server refuses in every object's metadata and in Secret/ConfigMap keys (the cases)
const cm = (metadata: any, data: any = { a: 'b' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default', ...metadata }, data });
const found = (obj: unknown, prefix = 'schema/') => validateManifests([obj]).findings
  .filter((f) => f.ruleId.startsWith(prefix) && f.ruleId !== 'schema/unknown-kind').map((f) => [f.severity, f.ruleId, f.field, f.message]);

describe('labels, annotations and data keys as the API server checks them', () => {
  test('fails when a label key is "bad key!" or a label value is "x y" or "-leading"', () => {
    expect(found(cm({ labels: { 'bad key!': 'x', 'app': '-leading', 'tier': 'x y' } }))).toEqual([
      ['error', 'schema/labels', 'metadata.labels["bad key!"]', 'invalid label key "bad key!": a label key is an optional DNS subdomain prefix of at most 253 characters and \'/\', then 1 to 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'],
      ['error', 'schema/labels', 'metadata.labels["app"]', 'invalid value "-leading" of label "app": a label value is empty or at most 63 letters, digits, \'-\', \'_\' or \'.\', starting and ending with a letter or digit'],
      ['error', 'schema/labels', 'metadata.labels["tier"]', expect.stringMatching(/^invalid value "x y" of label "tier"/)],
    ]);
  });

  test('valid labels and annotations, an empty label value and an upper-case annotation prefix pass', () => {
    expect(found(cm({ labels: { 'app.kubernetes.io/name': 'nginx', 'empty': '', 'Upper_Case.ok': '1.2' }, annotations: { 'Example.COM/Note': 'free text, any length: ok' } }))).toEqual([]);
  });

  test('fails when an annotation key is invalid, or the annotations exceed 256 KiB', () => {
    expect(found(cm({ annotations: { 'a/b/c': 'x' } })).map(([s, r, f]) => [s, r, f])).toEqual([['error', 'schema/annotations', 'metadata.annotations["a/b/c"]']]);
    const big = found(cm({ annotations: { note: 'x'.repeat(256 * 1024) } }));
    expect(big).toEqual([['error', 'schema/annotations', 'metadata.annotations', 'annotations are 262148 bytes in total, over the limit of 262144 (256 KiB) of their keys and values together']]);
    expect(found(cm({ annotations: { note: 'x'.repeat(256 * 1024 - 4) } }))).toEqual([]);
  });

  test('fails when a pod template label is invalid', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd', 'x': '-y' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.28.0' }] } } },
    };
    expect(found(deployment, 'schema/labels').map(([s, r, f]) => [s, r, f])).toEqual([['error', 'schema/labels', 'spec.template.metadata.labels["x"]']]);
  });

  test('fails when a Secret or ConfigMap key is ".", ".." or "..data"', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { '.': 'a', '..': 'b', '..data': 'c', 'tls.crt': 'd', '.hidden': 'e' } };
    expect(found(secret).map(([s, r, f]) => [s, r, f])).toEqual([
      ['error', 'schema/data-key', 'stringData["."]'], ['error', 'schema/data-key', 'stringData[".."]'], ['error', 'schema/data-key', 'stringData["..data"]'],
    ]);
    expect(found(cm({}, { 'nginx.conf': 'x', 'a/b': 'y' }))).toEqual([
      ['error', 'schema/data-key', 'data["a/b"]', 'invalid ConfigMap key "a/b": a key is 1 to 253 letters, digits, \'-\', \'_\' or \'.\''],
    ]);
    // the message names the key, never the value
    expect(found(secret).map(([, , , m]) => m).join('\n')).not.toMatch(/"[abc]"/);
  });
});
