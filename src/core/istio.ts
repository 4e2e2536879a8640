import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { show } from '../private/props';

/**
 * The `networking.istio.io` API version that Istio objects are emitted with.
 *
 * All three are served by Istio 1.22 and later with the same schema; pick an older one only for meshes
 * older than 1.22, which do not serve `v1`.
 */
export enum IstioApiVersion {
  /** `networking.istio.io/v1`, GA since Istio 1.22. */
  V1 = 'networking.istio.io/v1',
  /** `networking.istio.io/v1beta1`, for Istio 1.9 to 1.21. */
  V1BETA1 = 'networking.istio.io/v1beta1',
  /** `networking.istio.io/v1alpha3`, the version the Istio task itself uses; for the oldest meshes. */
  V1ALPHA3 = 'networking.istio.io/v1alpha3',
}

/**
 * How the sidecar resolves the addresses of a ServiceEntry's hosts.
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
 */
export enum Resolution {
  /** Resolve the host with DNS and connect to every address returned (the Istio task's choice). */
  DNS = 'DNS',
  /** Resolve the host with DNS and connect to the first address only, for hosts that return many. */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
  /** Use the addresses of the ServiceEntry's endpoints. */
  STATIC = 'STATIC',
  /** Forward to the original destination address; required for wildcard hosts. */
  NONE = 'NONE',
}

/**
 * Whether the hosts of a ServiceEntry are part of the mesh (ServiceEntry `location`).
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Location
 */
export enum ServiceEntryLocation {
  /** Outside the mesh, like an external API (Istio's default when `location` is not set). */
  MESH_EXTERNAL = 'MESH_EXTERNAL',
  /** Part of the mesh, like VMs added to it: Istio may then use mutual TLS to the endpoints and reports them as mesh services. */
  MESH_INTERNAL = 'MESH_INTERNAL',
}

/**
 * The load balancing algorithm of a DestinationRule's traffic policy.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LoadBalancerSettings-SimpleLB
 */
export enum LoadBalancer {
  /** Round robin over the endpoints (the Istio task's choice). */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** Send to the endpoint with fewer active requests. */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** Pick an endpoint at random. */
  RANDOM = 'RANDOM',
  /** Forward to the address the caller asked for, without load balancing. */
  PASSTHROUGH = 'PASSTHROUGH',
}

/**
 * The TLS mode a DestinationRule originates.
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings-TLSmode
 */
export enum TlsMode {
  /** No TLS. */
  DISABLE = 'DISABLE',
  /** TLS with server authentication only. */
  SIMPLE = 'SIMPLE',
  /** TLS with a client certificate. */
  MUTUAL = 'MUTUAL',
  /** Istio's own mutual TLS between sidecars. */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
}

/**
 * Removes `undefined`, empty arrays and empty objects, recursively (Istio's CEL `has()` treats empties as set).
 * Keys keep their order; inside an array only `undefined` is removed. One pass, no entry pairs: it runs on
 * every spec the library emits.
 */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const c = compact(v);
      if (c !== undefined) out.push(c);
    }
    return out as unknown as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const c = compact((value as Record<string, unknown>)[k]);
      if (c === undefined || (typeof c === 'object' && c !== null && isEmpty(c))) continue;
      out[k] = c;
    }
    return out as T;
  }
  return value;
}

/** Whether an array or object that compact() returned holds nothing. */
function isEmpty(c: object): boolean {
  if (Array.isArray(c)) return c.length === 0;
  for (const _ in c) return false;
  return true;
}

const SERVICE_ENTRY = {
  [IstioApiVersion.V1]: istio.ServiceEntry,
  [IstioApiVersion.V1BETA1]: istio.ServiceEntryV1Beta1,
  [IstioApiVersion.V1ALPHA3]: istio.ServiceEntryV1Alpha3,
};

const DESTINATION_RULE = {
  [IstioApiVersion.V1]: istio.DestinationRule,
  [IstioApiVersion.V1BETA1]: istio.DestinationRuleV1Beta1,
  [IstioApiVersion.V1ALPHA3]: istio.DestinationRuleV1Alpha3,
};

/** Validates an `IstioApiVersion` prop (for JavaScript callers) and returns it. */
export function validateApiVersion(apiVersion: IstioApiVersion): IstioApiVersion {
  if (!(apiVersion in SERVICE_ENTRY)) {
    throw new Error(`'apiVersion' must be one of ${Object.values(IstioApiVersion).map((v) => JSON.stringify(v)).join(', ')} (got ${show(apiVersion)})`);
  }
  return apiVersion;
}

/** Emits a ServiceEntry of the given API version with a compacted spec. */
export function newServiceEntry(scope: Construct, id: string, apiVersion: IstioApiVersion, metadata: ApiObjectMetadata, spec: istio.ServiceEntrySpec): ApiObject {
  const Kind = SERVICE_ENTRY[apiVersion];
  return new Kind(scope, id, { metadata, spec: compact(spec) as any });
}

/** Emits a DestinationRule of the given API version with a compacted spec. */
export function newDestinationRule(scope: Construct, id: string, apiVersion: IstioApiVersion, metadata: ApiObjectMetadata, spec: istio.DestinationRuleSpec): ApiObject {
  const Kind = DESTINATION_RULE[apiVersion];
  return new Kind(scope, id, { metadata, spec: compact(spec) as any });
}
