import { IConstruct } from 'constructs';
import { Resolution } from './istio';

/** A host that a client's proxy must see, and the namespace of the configuration that declares it. */
export interface EgressImport {
  /** The host (a ServiceEntry host, a Service's FQDN, or the host of a route). */
  readonly host: string;
  /**
   * Namespace of the ServiceEntry, Service or route that declares the host.
   * @default - none set: the namespace `kubectl apply` targets
   */
  readonly namespace?: string;
}

/**
 * How traffic to one external host leaves the mesh, as an origination construct emits it: what a
 * REGISTRY_ONLY `Sidecar` must import and which namespaces the pods must reach (`OutboundLockdown.allow`).
 */
export interface EgressPath {
  /** The external host. */
  readonly host: string;
  /** Hosts the client's proxy must import (Sidecar `egress.hosts` in `namespace/host` form). */
  readonly imports: EgressImport[];
  /**
   * Namespace of the egress gateway the traffic leaves through.
   * @default - none: the traffic leaves from the client pod itself (sidecar origination)
   */
  readonly gatewayNamespace?: string;
  /**
   * Namespace of the client-side objects (ServiceEntry, routes, DestinationRules).
   * @default - none set: the namespace `kubectl apply` targets
   */
  readonly namespace?: string;
  /**
   * Whether only clients of `namespace` are served (a DestinationRule with a workloadSelector, a subset
   * DestinationRule that only the client namespace finds, or an `exportTo` that hides the objects).
   * @default false
   */
  readonly clientNamespaceOnly?: boolean;
  /**
   * Resolution of the ServiceEntry the construct emits.
   * @default - no ServiceEntry is emitted (a Service of the cluster, or one defined elsewhere)
   */
  readonly resolution?: Resolution;
}

/** A construct that originates TLS to an external host: `EgressTlsOrigination`, `MutualTlsOrigination`, the egress gateway originations. */
export interface IEgressOrigination extends IConstruct {
  /** How its traffic leaves the mesh. */
  readonly egressPath: EgressPath;
}

/**
 * The egress path of a sidecar origination: the ServiceEntry and DestinationRule in `namespace`, traffic
 * leaving from the client pod; only clients of `namespace` are served with a client (workloadSelector) or an
 * `exportTo` that keeps the objects in their namespace.
 * @internal
 */
export function sidecarEgressPath(host: string, namespace: string | undefined, resolution: Resolution | undefined, hasClient: boolean, exportTo: string[] | undefined): EgressPath {
  const ownOnly = exportTo !== undefined && exportTo.length === 1 && (exportTo[0] === '.' || exportTo[0] === '~' || exportTo[0] === namespace);
  return { host, imports: [{ host, namespace }], namespace, clientNamespaceOnly: hasClient || ownOnly, resolution: resolution ?? Resolution.DNS };
}
