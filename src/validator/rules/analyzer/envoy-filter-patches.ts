/**
 * IST0151-IST0155, Istio's envoyfilter.EnvoyPatchAnalyzer (pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go;
 * messages and levels of pkg/config/analysis/msg/messages.yaml, the same in 1.30.3 and 1.31).
 *
 * The analyzer's logic, as Istio writes it, over the EnvoyFilters in input order:
 * - the config patches of each EnvoyFilter are walked in order; the first one without `patch` ends the walk of that
 *   EnvoyFilter (Go `break`);
 * - a patch's "instance name" is its value's `name` field, else (value without `name`) the listener match's
 *   filterChain.filter.name, else none;
 * - ADD with applyTo ROUTE_CONFIGURATION or HTTP_ROUTE: IST0153 (error, the ADD is ignored);
 * - REMOVE with applyTo ROUTE_CONFIGURATION or HTTP_ROUTE: IST0154 (error, ignored); any other REMOVE is relative;
 * - REPLACE with an applyTo other than HTTP_FILTER, NETWORK_FILTER or VIRTUAL_HOST: IST0152 (error); else relative;
 * - INSERT_BEFORE and INSERT_AFTER are relative (MERGE and INSERT_FIRST are not);
 * - a relative patch of an EnvoyFilter without `priority` (or priority 0) is IST0151 (warning), or IST0155 (warning)
 *   when its instance name is the instance name of an earlier patch (of this or an earlier EnvoyFilter) that has a
 *   match.proxy.proxyVersion;
 * - after its checks, a patch with match.proxy.proxyVersion adds its instance name to that list (an empty name too).
 * Istio's results are deduplicated (one message per code and object), so each code is reported once per EnvoyFilter,
 * at its first patch, the message listing every patch it applies to.
 */
import type { Reporter } from '../../context';
import type { MeshIndex } from '../../mesh-index';
import { defineRule, type Rule } from '../rule';

export const ENVOY_FILTER_RELATIVE_OPERATION = defineRule({
  id: 'analyzer/envoy-filter-relative-operation',
  family: 'analyzer',
  severity: 'warning',
  description: 'An EnvoyFilter without priority has a relative patch operation (INSERT_BEFORE/AFTER, REPLACE, REMOVE): it may not be applied.',
  source: 'Istio analyzer IST0151 EnvoyFilterUsesRelativeOperation, IST0155 EnvoyFilterUsesRelativeOperationWithProxyVersion (envoyfilter/envoyfilter.go)',
  details: 'IST0151 EnvoyFilterUsesRelativeOperation (Istio: warning): a config patch with operation INSERT_BEFORE, INSERT_AFTER, REPLACE (applyTo HTTP_FILTER, NETWORK_FILTER or VIRTUAL_HOST) or REMOVE (other than on ROUTE_CONFIGURATION or HTTP_ROUTE) in an EnvoyFilter without priority: the order in which EnvoyFilters apply is not fixed, so the element it is relative to may not be there yet. IST0155 EnvoyFilterUsesRelativeOperationWithProxyVersion (Istio: warning) instead when an earlier patch (in input order) for the same filter name matches a proxyVersion: during an upgrade the filter may not be applied. The patch value\'s name (or the listener match\'s filter name) identifies the filter, as in Istio.',
});

export const ENVOY_FILTER_IGNORED_OPERATION = defineRule({
  id: 'analyzer/envoy-filter-ignored-operation',
  family: 'analyzer',
  severity: 'error',
  description: 'An EnvoyFilter patch operation does not apply to its applyTo (ADD/REMOVE on ROUTE_CONFIGURATION or HTTP_ROUTE, REPLACE outside filters and virtual hosts).',
  source: 'Istio analyzer IST0152 EnvoyFilterUsesReplaceOperationIncorrectly, IST0153 EnvoyFilterUsesAddOperationIncorrectly, IST0154 EnvoyFilterUsesRemoveOperationIncorrectly (envoyfilter/envoyfilter.go)',
  details: 'Istio: errors. IST0152: operation REPLACE with an applyTo other than HTTP_FILTER, NETWORK_FILTER or VIRTUAL_HOST. IST0153: operation ADD with applyTo ROUTE_CONFIGURATION or HTTP_ROUTE, which Istio ignores. IST0154: operation REMOVE with applyTo ROUTE_CONFIGURATION or HTTP_ROUTE, which Istio ignores. The patch never does what it says, whatever else the cluster holds.',
});

const RELATIVE_FIX = 'Give the EnvoyFilter a spec.priority, or use an absolute operation (INSERT_FIRST or ADD).';

function isObj(v: unknown): v is { [k: string]: any } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The patch's instance name (envoyfilter.go): its value's `name`, else the listener match's filter name. */
function instanceName(p: { [k: string]: any }): string {
  const value = p.patch?.value;
  if (!isObj(value)) return '';
  if (value.name !== undefined && value.name !== null) return JSON.stringify(value.name);
  const name = p.match?.listener?.filterChain?.filter?.name;
  return typeof name === 'string' ? JSON.stringify(name) : '';
}

/** What one code says of one EnvoyFilter: Istio reports each message once per object (its results are deduplicated). */
interface Found { readonly rule: Rule; readonly text: string; readonly fix: string; readonly patches: string[] }

/** Reports IST0151-IST0155 on the EnvoyFilters of the run. */
export function checkEnvoyFilterPatches(idx: MeshIndex, rep: Reporter): void {
  const versioned: string[] = []; // instance names of patches with a proxyVersion, over all EnvoyFilters
  for (const ef of idx.envoyFilters) {
    const spec = ef.raw?.spec;
    if (!isObj(spec) || !Array.isArray(spec.configPatches)) continue;
    const priority = typeof spec.priority === 'number' ? spec.priority : 0;
    const found = new Map<string, Found & { first: number }>();
    const add = (code: string, i: number, what: string, rule: Rule, text: string, fix: string) => {
      const f = found.get(code);
      if (f) f.patches.push(`#${i} ${what}`);
      else found.set(code, { rule, text, fix, patches: [`#${i} ${what}`], first: i });
    };
    for (let i = 0; i < spec.configPatches.length; i++) {
      const p = spec.configPatches[i];
      if (!isObj(p) || !isObj(p.patch)) break;
      checkPatch(p, i, priority, versioned, add);
    }
    for (const [code, f] of found) {
      const field = f.rule === ENVOY_FILTER_IGNORED_OPERATION ? `spec.configPatches[${f.first}].patch.operation` : `spec.configPatches[${f.first}]`;
      rep.add(ef, f.rule, field, `${code} ${f.text} (config ${f.patches.length > 1 ? 'patches' : 'patch'} ${f.patches.join(', ')}).`, f.fix);
    }
  }
}

type Add = (code: string, i: number, what: string, rule: Rule, text: string, fix: string) => void;

function checkPatch(p: { [k: string]: any }, i: number, priority: number, versioned: string[], add: Add) {
  const name = instanceName(p);
  const op = p.patch.operation;
  const applyTo = p.applyTo;
  const what = `${op} on ${applyTo}`;
  const routeLevel = applyTo === 'ROUTE_CONFIGURATION' || applyTo === 'HTTP_ROUTE';
  const relative = () => {
    if (priority !== 0) return;
    if (versioned.includes(name)) {
      add('IST0155', i, `${what}, filter ${name || '(no name)'}`, ENVOY_FILTER_RELATIVE_OPERATION,
        'This EnvoyFilter does not have a priority and has a relative patch operation (INSERT_BEFORE/AFTER, REPLACE, REMOVE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly; an earlier patch for the same filter matches a proxyVersion',
        RELATIVE_FIX);
    } else {
      add('IST0151', i, what, ENVOY_FILTER_RELATIVE_OPERATION,
        'This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied. Using the INSERT_FIRST or ADD option or setting the priority may help in ensuring the EnvoyFilter is applied correctly',
        RELATIVE_FIX);
    }
  };
  if (op === 'ADD') {
    if (routeLevel) {
      add('IST0153', i, what, ENVOY_FILTER_IGNORED_OPERATION,
        'The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE',
        'Change a route configuration with MERGE; add routes with a VirtualService, or INSERT_BEFORE, INSERT_AFTER or INSERT_FIRST on HTTP_ROUTE.');
    }
  } else if (op === 'REMOVE') {
    if (routeLevel) {
      add('IST0154', i, what, ENVOY_FILTER_IGNORED_OPERATION,
        'The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE',
        'Remove the route from the VirtualService that defines it, or patch it with MERGE.');
    } else {
      relative();
    }
  } else if (op === 'REPLACE') {
    if (applyTo !== 'NETWORK_FILTER' && applyTo !== 'HTTP_FILTER' && applyTo !== 'VIRTUAL_HOST') {
      add('IST0152', i, what, ENVOY_FILTER_IGNORED_OPERATION,
        'The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER (and VIRTUAL_HOST)',
        'Use MERGE to change the element, or REMOVE and ADD to replace it.');
    } else {
      relative();
    }
  } else if (op === 'INSERT_BEFORE' || op === 'INSERT_AFTER') {
    relative();
  }
  const proxyVersion = p.match?.proxy?.proxyVersion;
  if (typeof proxyVersion === 'string' && proxyVersion.length) versioned.push(name);
}
