/**
 * One rule of the validator is one definition: `defineRule({ id, family, severity, description, source })`,
 * exported as a constant from a file of its family's folder (`rules/<family>/<topic>.ts`), next to the check
 * code that reports it. The checks report a finding with the rule object, `rep.add(o, DR_HOST, …)`, never with
 * a string, so a misspelt rule does not compile. The registry (`rules/index.ts`) collects the rules that the
 * family modules export; `RULES`, `--rules`, SARIF's `tool.driver.rules` and docs/rules.md are views of it.
 *
 * Adding a rule:
 * 1. define it in the file of its family and topic (`rules/istio/destination-rule.ts` for a DestinationRule
 *    webhook rule), with a one-line `description` (what is wrong, not how it is checked), the `source` it
 *    follows (the Istio function or analyzer, the Kubernetes behaviour, an issue, or "this project"), and long
 *    prose, if any, in `details`;
 * 2. report it from the check in the same file (a new file of the family: add it to the registry's MODULES);
 * 3. test it in `test/validator/rules/<family>/<file>.test.ts`: one input that fails it, one that passes;
 * 4. run `npm run docs:rules` (a unit test fails while docs/rules.md is out of date).
 *
 * A rule has no `check` function of its own: a check walks one object (or the mesh index) once and reports the
 * several rules of its topic as it goes (checkDestinationRule reports fifteen), so the checks are the exported
 * functions of the same files, run in a fixed order by validateManifests (schema, istio, wiring, analyzer, then
 * the wiring pitfalls), which keeps the order of findings stable.
 *
 * Per-release behaviour: the validator follows one Istio release at a time (the context's `release`,
 * `Reporter.release`, DEFAULT_RELEASE unless `validate --istio` or the `istio` option says otherwise). When a
 * release changes a rule (a new release: add it to IstioRelease/ISTIO_RELEASES and to extract-schemas' TARGETS),
 * either
 * - give the rule `releases: { '1.31': { severity: 'warning' } }` (another default severity, or
 *   `enabled: false` when the rule does not exist in that release; `note` says what differs, for the docs), or
 * - branch in the check on `rep.release` when the check itself differs (another message, another condition).
 */
import type { Severity } from '../types';

/** The families of rules, in the order of the documentation; each is a folder of `rules/`. */
export type RuleFamily = 'schema' | 'cel' | 'istio' | 'wiring' | 'analyzer';
export const RULE_FAMILIES: readonly RuleFamily[] = ['schema', 'cel', 'istio', 'wiring', 'analyzer'];

/** The Istio releases whose behaviour the validator knows. */
export type IstioRelease = '1.30' | '1.31';
/** Oldest first. Each has its CRDs (imports/validation/crds-<release>.json, scripts/extract-schemas.js TARGETS). */
export const ISTIO_RELEASES: readonly IstioRelease[] = ['1.30', '1.31'];
/** The release a validation follows unless told otherwise: the newest supported. */
export const DEFAULT_RELEASE: IstioRelease = '1.31';

/** Whether `v` names a supported release (`1.30`, `1.31`). */
export function isIstioRelease(v: unknown): v is IstioRelease {
  return typeof v === 'string' && (ISTIO_RELEASES as readonly string[]).includes(v);
}

/**
 * The release `value` names (`1.30` or `1.31`, a release line); throws, naming `what` and the supported
 * releases, on any other value. undefined gives DEFAULT_RELEASE.
 */
export function toIstioRelease(value: unknown, what: string): IstioRelease {
  if (value === undefined) return DEFAULT_RELEASE;
  if (isIstioRelease(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value) : `a ${Array.isArray(value) ? 'list' : typeof value}`;
  throw new Error(`${what} must be one of the supported Istio releases ${ISTIO_RELEASES.join(', ')} (got ${shown})`);
}

/** How a rule behaves in one Istio release, where that differs from its definition. */
export interface RuleRelease {
  /** Default severity in this release. @default the rule's severity */
  readonly severity?: Severity;
  /** false when the rule does not apply to this release: its findings are dropped. @default true */
  readonly enabled?: boolean;
  /** What differs in this release, one line, for the docs. */
  readonly note?: string;
}

/** What a rule definition says. */
export interface RuleDefinition {
  /** `<family>/<kebab-case-name>`, e.g. `istio/dr-host`: the id users downgrade and findings carry. */
  readonly id: string;
  readonly family: RuleFamily;
  /** Severity unless a finding gives its own (Istio's warnings, notes for what could not be checked) or it is downgraded. */
  readonly severity: Severity;
  /** One line: what is wrong. */
  readonly description: string;
  /** What the rule follows: `Istio validation.go validateTLS`, `Istio analyzer IST0128`, an issue, or `this project`. */
  readonly source: string;
  /** Longer prose for docs/rules.md: the conditions, exceptions and severities in detail. */
  readonly details?: string;
  /** Behaviour that differs per Istio release, where it does (an absent release: as defined). */
  readonly releases?: { readonly [R in IstioRelease]?: RuleRelease };
}

const RULE = Symbol.for('cdk8s-istio-egress.validator.Rule');

/** A registered rule: made only by defineRule. */
export interface Rule extends RuleDefinition {
  readonly [RULE]: true;
}

const ID = /^[a-z]+\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Defines one rule; throws (when its module loads) on a definition that breaks the registry's conventions. */
export function defineRule(def: RuleDefinition): Rule {
  const bad = (what: string) => new Error(`defineRule: rule ${JSON.stringify(def.id)} ${what}`);
  if (!ID.test(def.id)) throw bad('must be <family>/<kebab-case-name>');
  if (!RULE_FAMILIES.includes(def.family) || !def.id.startsWith(`${def.family}/`)) throw bad(`must start with its family "${def.family}/"`);
  if (!def.description || /[\r\n]/.test(def.description)) throw bad('needs a one-line description');
  if (!def.source) throw bad('needs a source');
  for (const r of Object.keys(def.releases ?? {})) if (!ISTIO_RELEASES.includes(r as IstioRelease)) throw bad(`names an unknown Istio release ${JSON.stringify(r)}`);
  return Object.freeze({ ...def, [RULE]: true as const });
}

/** Whether `v` is a rule made by defineRule (a brand, not instanceof: it survives two copies of the package). */
export function isRule(v: unknown): v is Rule {
  return typeof v === 'object' && v !== null && (v as any)[RULE] === true;
}

/** The default severity of `rule` in `release`. */
export function severityIn(rule: Rule, release: IstioRelease): Severity {
  return rule.releases?.[release]?.severity ?? rule.severity;
}

/** Whether `rule` applies in `release`. */
export function enabledIn(rule: Rule, release: IstioRelease): boolean {
  return rule.releases?.[release]?.enabled ?? true;
}
