// Image references as the kubelet parses them (src/validator/image-ref.ts) and what the validator makes of them.
import { validateManifests } from '../../src/validator';
import { parseImageReference } from '../../src/common/image-ref';

const pod = (image: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image }] },
});

describe('image references (OCI reference grammar)', () => {
  test.each<[string, object]>([
    ['nginx:1.28.0', { path: 'nginx', tag: '1.28.0' }],
    ['library/nginx', { path: 'library/nginx' }],
    ['docker.io/library/nginx:1.27', { domain: 'docker.io', path: 'library/nginx', tag: '1.27' }],
    ['localhost:5000/team/app:v1_2-rc.3', { domain: 'localhost:5000', path: 'team/app', tag: 'v1_2-rc.3' }],
    ['Registry.Example.com/a__b/c---d:x', { domain: 'Registry.Example.com', path: 'a__b/c---d', tag: 'x' }],
    ['[::1]:5000/app', { domain: '[::1]:5000', path: 'app' }],
    [`curlimages/curl@sha256:${'a'.repeat(64)}`, { path: 'curlimages/curl', digest: `sha256:${'a'.repeat(64)}` }],
    [`nginx:1.28@sha512:${'0'.repeat(128)}`, { path: 'nginx', tag: '1.28', digest: `sha512:${'0'.repeat(128)}` }],
  ])('%s is a valid reference', (image, parts) => {
    expect(parseImageReference(image)).toEqual({ valid: true, ...parts });
  });

  test.each<[string, RegExp]>([
    ['nginx:1.a;b', /the tag may hold only/],
    ['nginx:-1', /the tag may hold only/],
    ['nginx:', /the tag may hold only/],
    ['Nginx:1.0', /repository name must be lowercase/],
    ['docker.io/Library/nginx', /repository name must be lowercase/],
    ['nginx..x', /repository name may hold only/],
    ['nginx/', /repository name may hold only/],
    ['', /it is empty/],
    ['nginx@sha256:abc', /the digest is not algorithm:hex/],
    [`nginx@sha256:${'a'.repeat(63)}`, /a sha256 digest has 64 hex digits \(this one 63\)/],
    [`nginx@md5:${'a'.repeat(32)}`, /the digest algorithm is not one of sha256, sha384, sha512/],
    ['bad_host:5000/app', /repository name may hold only|the registry/],
    [`${'a'.repeat(256)}:1`, /longer than 255/],
  ])('fails for %j', (image, reason) => {
    const r = parseImageReference(image);
    expect(r.valid).toBe(false);
    expect(r.valid ? '' : r.reason).toMatch(reason);
  });

  test('an image outside the grammar is an error (the kubelet cannot pull it), never counted as pinned', () => {
    // GIVEN a pod whose image "nginx:1.a;b" looked pinned (a tag other than latest) before issue 14
    const r = validateManifests([pod('nginx:1.a;b')]);
    // THEN it is an InvalidImageName error, and no image-tag warning or other image rule is judged on it
    expect(r.findings.filter((f) => f.ruleId.startsWith('wiring/image')).map((f) => [f.ruleId, f.severity, f.field, f.message])).toEqual([[
      'wiring/image-reference', 'error', 'spec.containers[0].image',
      'image "nginx:1.a;b" is not a valid image reference (the tag may hold only letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")): the kubelet cannot pull it (InvalidImageName)',
    ]]);
  });

  test('valid images are judged as before: latest or no tag is a warning, a tag or digest is pinned', () => {
    const rules = (image: string) => validateManifests([pod(image)]).findings.filter((f) => f.ruleId.startsWith('wiring/image')).map((f) => f.ruleId);
    expect(rules('nginx')).toEqual(['wiring/image-tag']);
    expect(rules('nginx:latest')).toEqual(['wiring/image-tag']);
    expect(rules('nginx:1.28.0')).toEqual([]);
    expect(rules(`nginx@sha256:${'f'.repeat(64)}`)).toEqual([]);
  });
});
