/**
 * The rule registry: every rule the validator reports, collected from the rule modules of the families
 * (schema, cel, istio, wiring, analyzer). A rule is defined once, with defineRule (rule.ts), in the module
 * whose checks report it; this module only gathers them. `RULES` (the public view), `--rules`, SARIF's
 * `tool.driver.rules` and docs/rules.md (`npm run docs:rules`) are all made from REGISTRY.
 */
import * as analyzers from './analyzer/analyzers';
import * as analyzerAuthorizationPolicies from './analyzer/authorization-policies';
import * as analyzerConflictingMeshGatewayHosts from './analyzer/conflicting-mesh-gateway-hosts';
import * as analyzerConflictingServiceEntries from './analyzer/conflicting-service-entries';
import * as analyzerEnvoyFilterPatches from './analyzer/envoy-filter-patches';
import * as analyzerJwtClaimRoute from './analyzer/jwt-claim-route';
import * as analyzerTelemetryDefaultSelector from './analyzer/telemetry-default-selector';
import * as analyzerTelemetrySelector from './analyzer/telemetry-selector';
import * as analyzerAnnotations from './analyzer/annotations';
import * as analyzerApplicationUid from './analyzer/application-uid';
import * as analyzerDeploymentServices from './analyzer/deployment-services';
import * as analyzerDeprecatedFields from './analyzer/deprecated-fields';
import * as analyzerServicePortName from './analyzer/service-port-name';
import * as celCrdValidations from './cel/crd-validations';
import * as istioAuthorizationPolicy from './istio/authorization-policy';
import * as istioCommon from './istio/common';
import * as istioDestinationRule from './istio/destination-rule';
import * as istioEnvoyFilter from './istio/envoy-filter';
import * as istioGateway from './istio/gateway';
import * as istioPeerAuthentication from './istio/peer-authentication';
import * as istioPolicyTarget from './istio/policy-target';
import * as istioProxyConfig from './istio/proxy-config';
import * as istioRequestAuthentication from './istio/request-authentication';
import * as istioServiceEntry from './istio/service-entry';
import * as istioSidecar from './istio/sidecar';
import * as istioTelemetry from './istio/telemetry';
import * as istioTrafficExtension from './istio/traffic-extension';
import * as istioVirtualService from './istio/virtual-service';
import * as istioWasmPlugin from './istio/wasm-plugin';
import * as istioWorkloadEntry from './istio/workload-entry';
import * as istioWorkloadGroup from './istio/workload-group';
import { isRule, RULE_FAMILIES, type Rule, type RuleFamily } from './rule';
import * as schemaObjectMeta from './schema/object-meta';
import * as schemaObjects from './schema/objects';
import * as schemaStructural from './schema/structural';
import * as wiringObjects from './wiring/objects';
import * as wiringPitfalls from './wiring/pitfalls';
import type { Severity } from '../types';

export { GATEWAY_ELSEWHERE_ANNOTATION, REMOTE_CLIENT_ANNOTATION, WARN_ANNOTATION } from '../../common/annotations';
export { defineRule, DEFAULT_RELEASE, ISTIO_RELEASES, isRule, RULE_FAMILIES, type IstioRelease, type Rule, type RuleDefinition, type RuleFamily, type RuleRelease } from './rule';

/** The modules that define rules, by folder (a new rule module is added here). */
export const RULE_MODULES: { readonly [file: string]: object } = {
  'schema/objects.ts': schemaObjects,
  'schema/object-meta.ts': schemaObjectMeta,
  'schema/structural.ts': schemaStructural,
  'cel/crd-validations.ts': celCrdValidations,
  'istio/common.ts': istioCommon,
  'istio/service-entry.ts': istioServiceEntry,
  'istio/destination-rule.ts': istioDestinationRule,
  'istio/sidecar.ts': istioSidecar,
  'istio/gateway.ts': istioGateway,
  'istio/virtual-service.ts': istioVirtualService,
  'istio/policy-target.ts': istioPolicyTarget,
  'istio/envoy-filter.ts': istioEnvoyFilter,
  'istio/workload-entry.ts': istioWorkloadEntry,
  'istio/workload-group.ts': istioWorkloadGroup,
  'istio/proxy-config.ts': istioProxyConfig,
  'istio/telemetry.ts': istioTelemetry,
  'istio/wasm-plugin.ts': istioWasmPlugin,
  'istio/traffic-extension.ts': istioTrafficExtension,
  'istio/authorization-policy.ts': istioAuthorizationPolicy,
  'istio/peer-authentication.ts': istioPeerAuthentication,
  'istio/request-authentication.ts': istioRequestAuthentication,
  'wiring/objects.ts': wiringObjects,
  'wiring/pitfalls.ts': wiringPitfalls,
  'analyzer/analyzers.ts': analyzers,
  'analyzer/conflicting-service-entries.ts': analyzerConflictingServiceEntries,
  'analyzer/conflicting-mesh-gateway-hosts.ts': analyzerConflictingMeshGatewayHosts,
  'analyzer/envoy-filter-patches.ts': analyzerEnvoyFilterPatches,
  'analyzer/jwt-claim-route.ts': analyzerJwtClaimRoute,
  'analyzer/telemetry-selector.ts': analyzerTelemetrySelector,
  'analyzer/telemetry-default-selector.ts': analyzerTelemetryDefaultSelector,
  'analyzer/authorization-policies.ts': analyzerAuthorizationPolicies,
  'analyzer/service-port-name.ts': analyzerServicePortName,
  'analyzer/deployment-services.ts': analyzerDeploymentServices,
  'analyzer/application-uid.ts': analyzerApplicationUid,
  'analyzer/annotations.ts': analyzerAnnotations,
  'analyzer/deprecated-fields.ts': analyzerDeprecatedFields,
};

/** Every rule, by family (in RULE_FAMILIES order) and id. */
export const REGISTRY: readonly Rule[] = (() => {
  const seen = new Set<Rule>();
  for (const m of Object.values(RULE_MODULES)) for (const v of Object.values(m)) if (isRule(v)) seen.add(v);
  const rank = (f: RuleFamily) => RULE_FAMILIES.indexOf(f);
  return [...seen].sort((a, b) => rank(a.family) - rank(b.family) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
})();

const BY_ID = new Map(REGISTRY.map((r) => [r.id, r]));

/** The rule with this id, if there is one. */
export function ruleById(id: string): Rule | undefined {
  return BY_ID.get(id);
}

/**
 * Whether `pattern` names rules as `--warn`, the plugin's `warn` and the `downgrade` option read it: a rule id,
 * a prefix ending in `/` or `/*` that some rule id starts with, or `*`.
 */
export function isKnownRulePattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/') || pattern.endsWith('/*')) {
    const prefix = pattern.replace(/\*$/, '');
    return REGISTRY.some((r) => r.id.startsWith(prefix));
  }
  return BY_ID.has(pattern);
}

/** Description of one validation rule. */
export interface RuleInfo {
  readonly id: string;
  readonly category: 'schema' | 'cel' | 'istio' | 'wiring' | 'analyzer';
  /** Severity unless downgraded (errors only) or given otherwise by the finding (see the details). */
  readonly severity: Severity;
  /** One line: what is wrong. */
  readonly description: string;
  /** What the rule follows (an Istio function or analyzer, Kubernetes, an issue, or this project). */
  readonly source?: string;
  /** The conditions, exceptions and severities in detail. */
  readonly details?: string;
}

/** All rules of the validator, for documentation (a view of REGISTRY). */
export const RULES: readonly RuleInfo[] = REGISTRY.map((r) => ({
  id: r.id,
  category: r.family,
  severity: r.severity,
  description: r.description,
  source: r.source,
  ...(r.details ? { details: r.details } : {}),
}));

