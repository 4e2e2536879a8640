/**
 * The rule reference, made from the registry: the `--rules` listing of the CLI and docs/rules.md
 * (`npm run docs:rules` writes it; a unit test fails while the file is out of date).
 */
import { REGISTRY } from '.';
import { ISTIO_RELEASES, RULE_FAMILIES, type RuleFamily } from './rule';

/** `--rules`: one line per rule, `id<TAB>severity<TAB>description`. */
export function rulesListing(): string {
  return REGISTRY.map((r) => `${r.id}\t${r.severity}\t${r.description}\n`).join('');
}

const FAMILY_TITLES: Record<RuleFamily, string> = {
  schema: 'schema/: structural schemas (CRD openAPIV3Schema, upstream Kubernetes OpenAPI)',
  cel: 'cel/: the CRDs\' x-kubernetes-validations rules',
  istio: 'istio/: Istio\'s validating webhook and per-object analyzers',
  wiring: 'wiring/: across the objects of one synth, and the pitfalls Istio users hit most',
  analyzer: 'analyzer/: istioctl analyze, across objects',
};

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

/** docs/rules.md: one table per family (id, severity, description, source), then the details of its rules. */
export function rulesReference(): string {
  const out: string[] = [
    '# Validator rules',
    '',
    '<!-- Generated from src/validator/rules/ by `npm run docs:rules`; do not edit by hand. -->',
    '',
    `${REGISTRY.length} rules, following Istio ${ISTIO_RELEASES.join(', ')}. The severity is the default: a finding may carry Istio's own`,
    'warning, or a note when what the check needs is not in the input; errors of a rule are downgraded to warnings with',
    '`--warn RULE-ID` (ids or prefixes ending in `/`), the cdk8s plugin\'s `warn` property, or the annotation',
    '`validation.cdk8s-istio-egress.io/warn` on an object. `cdk8s-istio-egress validate --rules` lists the same rules.',
  ];
  for (const family of RULE_FAMILIES) {
    const rules = REGISTRY.filter((r) => r.family === family);
    out.push('', `## ${FAMILY_TITLES[family]}`, '', '| id | severity | description | source |', '|---|---|---|---|');
    for (const r of rules) out.push(`| \`${r.id}\` | ${r.severity} | ${cell(r.description)} | ${cell(r.source)} |`);
    const detailed = rules.filter((r) => r.details || r.releases);
    if (detailed.length) {
      out.push('', 'Details:', '');
      for (const r of detailed) {
        out.push(`- \`${r.id}\`: ${r.details ?? r.description}`);
        for (const [release, b] of Object.entries(r.releases ?? {})) {
          if (!b) continue;
          const what = [b.severity ? `severity ${b.severity}` : '', b.enabled === false ? 'not applied' : '', b.note ?? ''].filter(Boolean).join('; ');
          out.push(`  - Istio ${release}: ${what}`);
        }
      }
    }
  }
  return out.join('\n') + '\n';
}
