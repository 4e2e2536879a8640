/**
 * IST0149 JwtClaimBasedRoutingWithoutRequestAuthN, Istio's virtualservice.JWTClaimRouteAnalyzer
 * (pkg/config/analysis/analyzers/virtualservice/jwtclaimroute.go, jwt.ToRoutingClaim of pkg/jwt/routing.go; message
 * of pkg/config/analysis/msg/messages.yaml, the same in 1.30.3 and 1.31).
 *
 * The analyzer's logic, as Istio writes it:
 * - a VirtualService routes on a JWT claim when a key of match.headers or match.withoutHeaders of one of its HTTP
 *   routes starts (ignoring case) with "@request.auth.claims" followed by "." or by "[...]"; the first such key;
 * - for each of its spec.gateways other than mesh that is a Gateway of the input, every pod (of any namespace) its
 *   selector selects (an empty selector selects every pod) must be selected by a RequestAuthentication of istio-system
 *   or of the pod's namespace (one without selector selects every pod); else IST0149 for that gateway and pod.
 * Differences, since the input is not the cluster: the pods are the pod templates of the output, and a
 * RequestAuthentication may be installed out of band, so the finding is a warning that says so (Istio: error).
 * Gateways that are not in the input are left out, as in Istio (analyzer/gateway-not-found reports them).
 */
import type { Obj, Reporter } from '../../context';
import { gatewayKey, MESH, ROOT_NAMESPACE, type MeshIndex } from '../../mesh-index';
import { selectorMatches } from '../../pods';
import { defineRule } from '../rule';

export const JWT_CLAIM_ROUTE_WITHOUT_REQUEST_AUTHN = defineRule({
  id: 'analyzer/jwt-claim-route-without-request-authn',
  family: 'analyzer',
  severity: 'warning',
  description: 'A VirtualService routes on a JWT claim at a gateway whose pods no RequestAuthentication of the output applies to.',
  source: 'Istio analyzer IST0149 JwtClaimBasedRoutingWithoutRequestAuthN (virtualservice/jwtclaimroute.go)',
  details: 'IST0149 JwtClaimBasedRoutingWithoutRequestAuthN (Istio: error) "The virtual service uses the JWT claim based routing (key: ...) but found no request authentication for the gateway (...) pod (...)": a VirtualService matches a header @request.auth.claims.<claim> (or @request.auth.claims[<claim>]) and binds to a Gateway of the output whose selector selects a pod template of the output, and no RequestAuthentication of the output in istio-system or the pod\'s namespace selects that pod: without one the claims are not available and the route never matches. A warning, since a RequestAuthentication may be installed out of band.',
});

const CLAIM = '@request.auth.claims';

/** jwt.ToRoutingClaim(key).Match */
function isClaimKey(key: string): boolean {
  if (!key.toLowerCase().startsWith(CLAIM)) return false;
  const rest = key.slice(CLAIM.length);
  return rest.startsWith('.') || (rest.startsWith('[') && rest.endsWith(']'));
}

function isObj(v: unknown): v is { [k: string]: any } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** routeBasedOnJWTClaimKey: the first claim key of the VirtualService's HTTP matches, with its field. */
function claimKey(spec: { [k: string]: any }): { key: string; field: string } | undefined {
  const http: unknown[] = Array.isArray(spec.http) ? spec.http : [];
  for (let i = 0; i < http.length; i++) {
    const r = http[i];
    const matches: unknown[] = isObj(r) && Array.isArray(r.match) ? r.match : [];
    for (let j = 0; j < matches.length; j++) {
      const m = matches[j];
      if (!isObj(m)) continue;
      for (const part of ['headers', 'withoutHeaders']) {
        if (!isObj(m[part])) continue;
        const key = Object.keys(m[part]).find(isClaimKey);
        if (key !== undefined) return { key, field: `spec.http[${i}].match[${j}].${part}` };
      }
    }
  }
  return undefined;
}

/** Reports IST0149 on the VirtualServices of the run. */
export function checkJwtClaimRoutes(idx: MeshIndex, rep: Reporter): void {
  const authns = idx.selectorPolicies.filter(o => o.kind === 'RequestAuthentication');
  const selects = (ra: Obj, labels: { [k: string]: string }) => {
    const ml = ra.raw?.spec?.selector?.matchLabels;
    return selectorMatches({ matchLabels: isObj(ml) ? ml : {} }, labels);
  };
  for (const vs of idx.virtualServices) {
    const spec = vs.raw?.spec;
    if (!isObj(spec)) continue;
    const claim = claimKey(spec);
    if (!claim) continue;
    const ns = vs.namespace ?? 'default';
    const seen = new Set<string>();
    for (const g of Array.isArray(spec.gateways) ? spec.gateways : []) {
      if (typeof g !== 'string' || g === MESH) continue;
      const key = gatewayKey(g, ns);
      const gw = idx.gatewayByKey.get(key);
      if (!gw || seen.has(key)) continue;
      seen.add(key);
      const sel = gw.raw?.spec?.selector;
      for (const pod of idx.pods) {
        if (!selectorMatches({ matchLabels: isObj(sel) ? sel : {} }, pod.labels)) continue;
        const covered = authns.some(ra => ((ra.namespace ?? 'default') === ROOT_NAMESPACE || (ra.namespace ?? 'default') === pod.namespace) && selects(ra, pod.labels));
        if (covered) continue;
        rep.add(vs, JWT_CLAIM_ROUTE_WITHOUT_REQUEST_AUTHN, claim.field,
          `IST0149 The virtual service uses the JWT claim based routing (key: ${claim.key}) but found no request authentication for the gateway (${key}) pod (${pod.namespace}/${pod.owner.name}). The request authentication must first be applied for the gateway pods to validate the JWT token and make the claims available for routing (no RequestAuthentication of the output in ${ROOT_NAMESPACE} or namespace "${pod.namespace}" selects ${pod.owner.kind} ${pod.owner.name}; one installed out of band could not be checked).`,
          `Add a RequestAuthentication with the JWT issuer in namespace "${pod.namespace}" (or ${ROOT_NAMESPACE}) whose selector matches the labels of the gateway pods.`);
      }
    }
  }
}
