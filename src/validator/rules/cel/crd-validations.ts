/** The x-kubernetes-validations (CEL) rules of the CRDs, evaluated on the structurally valid nodes that carry them. */
import { evalRule, toCel } from '../../cel';
import type { Obj, Reporter } from '../../context';
import type { CelSite } from '../schema/structural';
import { defineRule } from '../rule';

export const CEL_RULE = defineRule({
  id: 'cel/rule',
  family: 'cel',
  severity: 'error',
  description: 'An x-kubernetes-validations CEL rule of the CRD evaluated to false.',
  source: 'Kubernetes CRD validation rules (x-kubernetes-validations)',
});

export const CEL_UNSUPPORTED = defineRule({
  id: 'cel/unsupported',
  family: 'cel',
  severity: 'note',
  description: 'A CEL rule could not be compiled or evaluated offline: a note that it was not checked.',
  source: 'this project',
  details: 'A CEL rule could not be compiled or evaluated offline: a note that it was not checked (reported, not silently passed).',
});

/** Statistics of CEL evaluation, accumulated over the process (for the tests and the CLI). */
export const celStats = { evaluated: 0, failed: 0, skippedTransition: 0, unsupported: 0 };

/** Evaluates the CEL rules collected while walking one object's schema. */
export function checkCelSites(o: Obj, rep: Reporter, sites: readonly CelSite[]): void {
  for (const site of sites) evalSite(o, rep, site);
}

function evalSite(o: Obj, rep: Reporter, site: CelSite): void {
  let celValue: unknown;
  for (const rule of site.rules) {
    if (celValue === undefined) celValue = toCel(site.schema, site.value);
    const out = evalRule(rule.rule, site.schema, site.value, celValue, rep.release);
    const field = rule.fieldPath ? `${site.field}${rule.fieldPath.startsWith('.') || rule.fieldPath.startsWith('[') ? '' : '.'}${rule.fieldPath}` : site.field || '(root)';
    switch (out.status) {
      case 'pass':
        celStats.evaluated++;
        break;
      case 'fail':
        celStats.evaluated++;
        celStats.failed++;
        rep.add(o, CEL_RULE, field, `${rule.message ?? 'failed rule'} (CEL rule: ${rule.rule})`, `Change ${field} so that the CRD rule \`${rule.rule}\` holds.`);
        break;
      case 'skipped':
        if (out.transition) celStats.skippedTransition++;
        else {
          celStats.unsupported++;
          rep.add(o, CEL_UNSUPPORTED, field, `CEL rule not evaluated offline: ${out.reason} (rule: ${rule.rule})`, 'Check this rule by hand or with a server-side dry run.');
        }
        break;
      case 'error':
        // The API server reports evaluation errors (e.g. no such key) as invalid values.
        celStats.evaluated++;
        celStats.failed++;
        rep.add(o, CEL_RULE, field, `${rule.message ?? 'rule'}: evaluation error: ${out.reason} (CEL rule: ${rule.rule})`, `Change ${field} so that the CRD rule \`${rule.rule}\` can be evaluated and holds.`);
        break;
    }
  }
}
