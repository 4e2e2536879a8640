// The rule reference made from the registry (src/validator/rules/reference.ts): docs/rules.md and `--rules`.
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../../src/validator/cli';
import { REGISTRY, RULES } from '../../../src/validator/rules';
import { rulesListing, rulesReference } from '../../../src/validator/rules/reference';

const DOC = path.resolve(__dirname, '../../../docs/rules.md');

describe('docs/rules.md', () => {
  test('is what npm run docs:rules writes from the registry', () => {
    // GIVEN the committed reference WHEN it is compared with the one the registry makes THEN they are equal
    const committed = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '(missing)';
    if (committed !== rulesReference()) throw new Error('docs/rules.md is out of date with src/validator/rules/: run `npm run docs:rules` and commit docs/rules.md');
  });

  test('has one table per family with every rule, its severity, description and source', () => {
    const doc = rulesReference();
    for (const family of ['schema', 'cel', 'istio', 'wiring', 'analyzer']) expect(doc).toContain(`## ${family}/: `);
    for (const r of REGISTRY) expect(doc).toContain(`| \`${r.id}\` | ${r.severity} | ${r.description.replace(/\|/g, '\\|')} | ${r.source.replace(/\|/g, '\\|')} |`);
    expect(doc).toContain('| `istio/dr-host` | error | The DestinationRule host is not a valid (wildcard) DNS name. | Istio validation.go ValidateDestinationRule, agent.ValidateWildcardDomain |');
    // the details of a rule follow the table of its family
    expect(doc).toMatch(/- `wiring\/image-user`: The security context cannot start the image\. The official nginx images/);
  });
});

describe('--rules', () => {
  test('lists the registry, one rule a line: id, severity, description', () => {
    // GIVEN the CLI WHEN it lists the rules THEN it prints rulesListing(), which is the registry
    let out = '';
    const code = main(['--rules'], { stdout: (s: string) => { out += s; }, stderr: () => undefined } as any);
    expect(code).toBe(0);
    expect(out).toBe(rulesListing());
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(REGISTRY.length);
    expect(lines).toContain('istio/tls-server-name\twarning\tSIMPLE or MUTUAL with sni and without subjectAltNames: no name of the server certificate is checked.');
    expect(lines.map((l) => l.split('\t')[0])).toEqual(RULES.map((r) => r.id));
  });
});
