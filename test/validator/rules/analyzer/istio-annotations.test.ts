// The annotation list of src/validator/rules/analyzer/istio-annotations.ts is istio/api's data: it must equal the
// vendored upstream annotations.yaml of each release (test/fixtures/istio-api/, unchanged, with SHA256SUMS).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { ANNOTATIONS_1_30, istioAnnotations } from '../../../../src/validator/rules/analyzer/istio-annotations';

const ROOT = path.join(__dirname, '..', '..', '..', 'fixtures', 'istio-api');
const FOLDERS = { '1.30': '1.30.3', '1.31': 'release-1.31-b8f8791' } as const;

function upstream(folder: string): Array<[string, boolean, string[]]> {
  const doc = parse(fs.readFileSync(path.join(ROOT, folder, 'annotation', 'annotations.yaml'), 'utf8'));
  return doc.annotations.map((a: any) => [a.name, a.deprecated, a.resources]);
}

describe('istio-annotations.ts is the vendored istio/api annotations.yaml', () => {
  for (const [release, folder] of Object.entries(FOLDERS)) {
    test(`${release}: ${folder}/annotation/annotations.yaml (sum checked), entry for entry`, () => {
      const [sum, file] = fs.readFileSync(path.join(ROOT, folder, 'SHA256SUMS'), 'utf8').trim().split(/\s+/);
      expect(file).toBe('annotation/annotations.yaml');
      expect(crypto.createHash('sha256').update(fs.readFileSync(path.join(ROOT, folder, file))).digest('hex')).toBe(sum);
      const want = upstream(folder);
      const have = [...istioAnnotations(release as '1.30' | '1.31').values()].map(([n, d, r]) => [n, d, [...r]]);
      expect([...have].sort()).toEqual([...want].sort());
      expect(new Set(want.map(([n]) => n)).size).toBe(want.length);
    });
  }

  test('1.30.3 defines 67 annotations, in the file\'s order; release-1.31 adds istio.io/use-waypoint-canary-weight', () => {
    expect(ANNOTATIONS_1_30.map(([n]) => n)).toEqual(upstream('1.30.3').map(([n]) => n));
    expect(ANNOTATIONS_1_30).toHaveLength(67);
    expect(istioAnnotations('1.30').has('istio.io/use-waypoint-canary-weight')).toBe(false);
    expect(istioAnnotations('1.31').get('istio.io/use-waypoint-canary-weight')).toEqual(['istio.io/use-waypoint-canary-weight', false, ['Service', 'ServiceEntry', 'Namespace']]);
  });
});
