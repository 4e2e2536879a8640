import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { EgressTlsOrigination } from '../../src';
import { buildApp } from '../../app/main';
import { buildApp as buildBadWiring } from '../fixtures/apps/bad-wiring';
import { buildApp as buildTwoCharts } from '../fixtures/apps/two-charts';

// scripts/synth.js validates the objects cdk8s renders, in memory, instead of parsing the YAML back:
// these tests prove the validator sees exactly what is written.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { synthInMemory } = require('../../scripts/synth.js');

const ROOT = path.resolve(__dirname, '../..');

function manyOrigins(n: number): App {
  const app = new App({ outdir: 'unused' });
  const chart = new Chart(app, 'many');
  for (let i = 0; i < n; i++) new EgressTlsOrigination(chart, `h${i}`, { host: `host-${i}.example.com` });
  return app;
}

describe('synth in memory', () => {
  test.each([
    ['the main chart', () => buildApp({ outdir: 'unused' })],
    ['two charts', () => buildTwoCharts({ outdir: 'unused' })],
    ['an app with escape-hatch patches', () => buildBadWiring({ outdir: 'unused' })],
    ['200 originations', () => manyOrigins(200)],
  ])('the objects of %s are what their YAML file parses back to', (_name, build) => {
    // GIVEN
    const app = build();
    // WHEN
    const files: Map<string, any[]> = synthInMemory(app, 'app.ts');
    // THEN
    expect(files.size).toBeGreaterThan(0);
    for (const [name, objects] of files) {
      expect(name).toMatch(/^[\w.-]+\.k8s\.yaml$/);
      const parsed = YAML.parseAllDocuments(Yaml.stringify(...objects)).map((d) => d.toJS());
      expect(parsed).toStrictEqual(objects); // no undefined, no Date, nothing YAML would change
    }
  });

  test('renders the main chart byte for byte as dist/ holds it, and writes nothing', () => {
    const files: Map<string, any[]> = synthInMemory(buildApp({ outdir: path.join(ROOT, 'no-such-folder') }), 'app/main.ts');
    const dist = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.k8s.yaml')).sort();
    expect([...files.keys()].sort()).toEqual(dist);
    for (const f of dist) expect(Yaml.stringify(...files.get(f)!)).toEqual(fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8'));
    expect(fs.existsSync(path.join(ROOT, 'no-such-folder'))).toBe(false);
  });

  test('knows the construct path of every rendered object, by the object itself', () => {
    // GIVEN a ServiceEntry and a DestinationRule with the same name
    const app = manyOrigins(1);
    // WHEN
    const files: Map<string, any[]> & { pathOf: WeakMap<object, string> } = synthInMemory(app, 'app.ts');
    // THEN
    const objects = [...files.values()].flat();
    expect(objects.map((o) => [o.kind, o.metadata.name, files.pathOf.get(o)])).toEqual([
      ['ServiceEntry', 'host-0-example-com', 'many/h0/ServiceEntry'],
      ['DestinationRule', 'host-0-example-com', 'many/h0/DestinationRule'],
    ]);
  });
});
