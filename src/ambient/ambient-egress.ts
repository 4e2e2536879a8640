import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../imports/gateway.networking.k8s.io';
import { clusterScopedObject } from '../private/k8s-object';
import * as istio from '../../imports/networking.istio.io';
import * as security from '../../imports/security.istio.io';
import { IstioApiVersion, Resolution, ServiceEntryLocation, TlsMode, newDestinationRule, newServiceEntry } from '../core/istio';
import { brandSymbol, hasBrand, setBrand } from '../private/brand';
import { located } from '../private/located-error';
import { resolveOrigination } from '../core/tls-origination';
import { checkProps, nameFromHost, show, validateDnsLabel, validateExportTo, validateNamespace, validateObjectName } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';
import { exportToFor, validateLocation } from '../private/visibility';

/** Istio's label that enrolls a namespace (or pod) in ambient mode. */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** Istio's label that sends the traffic of a namespace's services through a waypoint. */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** Istio's label that says which traffic a waypoint handles. */
export const WAYPOINT_FOR_LABEL = 'istio.io/waypoint-for';

/**
 * The traffic a waypoint handles (label `istio.io/waypoint-for`).
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/#waypoint-traffic-types
 */
export enum WaypointTrafficType {
  /** Traffic addressed to services (and ServiceEntries): what an egress waypoint needs (`istioctl waypoint apply --for service`). */
  SERVICE = 'service',
  /** Traffic addressed to services and to workloads. */
  ALL = 'all',
}

/** Props of `EgressWaypoint`. */
export interface EgressWaypointProps {
  /**
   * Namespace of the waypoint and of the ServiceEntries routed through it.
   * @default 'istio-egress'
   */
  readonly namespace?: string;
  /**
   * `metadata.name` of the waypoint Gateway (and of the Deployment Istio runs for it).
   * @default 'waypoint'
   */
  readonly name?: string;
  /**
   * Whether to emit the Namespace, labelled `istio.io/dataplane-mode: ambient` and
   * `istio.io/use-waypoint: <name>` (what `istioctl waypoint apply --enroll-namespace` does). Set it to false
   * when the namespace is managed elsewhere: it must then carry both labels.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * The traffic the waypoint handles.
   * @default WaypointTrafficType.SERVICE
   */
  readonly trafficType?: WaypointTrafficType;
}

const WAYPOINT_PROPS = PROP_KEYS.EgressWaypointProps;

const WAYPOINT_BRAND = brandSymbol('EgressWaypoint');

/**
 * A waypoint proxy used as egress gateway in ambient mode: the Gateway `istioctl waypoint apply --for service
 * --enroll-namespace` creates, and its enrolled namespace.
 *
 * Emits a **Namespace** (child id `Namespace`, unless `createNamespace` is false) labelled
 * `istio.io/dataplane-mode: ambient` and `istio.io/use-waypoint: <name>`, and a **Gateway** (child id
 * `Resource`, `gateway.networking.k8s.io/v1`) of class `istio-waypoint` labelled `istio.io/waypoint-for`,
 * with the listener `mesh` on port 15008, protocol `HBONE`. Needs the Gateway API CRDs and Istio installed
 * with the ambient profile; client namespaces are enrolled with `istio.io/dataplane-mode=ambient`.
 *
 * @see https://istio.io/latest/docs/ambient/usage/egress-gateway/
 */
export class EgressWaypoint extends Construct {
  /**
   * Whether `x` is an `EgressWaypoint`, also one made by another copy of this package (two versions in
   * node_modules), where `instanceof` is false.
   */
  public static isEgressWaypoint(x: any): x is EgressWaypoint {
    return hasBrand(x, WAYPOINT_BRAND);
  }

  /** Namespace of the waypoint. */
  public readonly namespace: string;
  /** Name of the waypoint Gateway. */
  public readonly name: string;
  /** The Namespace, when emitted. */
  public readonly namespaceObject?: ApiObject;
  /** The waypoint Gateway. */
  public readonly resource: ApiObject;

  public constructor(scope: Construct, id: string, props: EgressWaypointProps = {}) {
    super(scope, id);
    setBrand(this, WAYPOINT_BRAND);
    try {
      props = checkProps('EgressWaypoint', props, WAYPOINT_PROPS, { optional: true });
      this.namespace = validateNamespace('namespace', props.namespace ?? 'istio-egress');
      this.name = validateDnsLabel('name', props.name ?? 'waypoint', 'a Gateway name (a DNS-1123 label)');
      const trafficType = props.trafficType ?? WaypointTrafficType.SERVICE;
      if (!Object.values(WaypointTrafficType).includes(trafficType)) {
        throw new Error(`'trafficType' must be one of ${Object.values(WaypointTrafficType).join(', ')}: an egress waypoint handles traffic to ServiceEntries (got ${show(trafficType)})`);
      }
      const createNamespace = props.createNamespace ?? true;
      if (typeof createNamespace !== 'boolean') throw new Error(`'createNamespace' must be true or false (got ${show(createNamespace)})`);
      if (createNamespace) {
        this.namespaceObject = clusterScopedObject(this, 'Namespace', 'Namespace', {
          metadata: { name: this.namespace, labels: { [DATAPLANE_MODE_LABEL]: 'ambient', [USE_WAYPOINT_LABEL]: this.name } },
        });
      }
      this.resource = new gw.Gateway(this, 'Resource', {
        metadata: { name: this.name, namespace: this.namespace, labels: { [WAYPOINT_FOR_LABEL]: trafficType } },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      });
    } catch (e) {
      throw located(this, e);
    }
  }
}

/** Props of `AmbientEgressTlsOrigination`. */
export interface AmbientEgressTlsOriginationProps {
  /** The external host, a fully qualified domain name (`httpbin.org`). */
  readonly host: string;
  /** The waypoint the traffic leaves through; the ServiceEntry and DestinationRule go to its namespace. */
  readonly waypoint: EgressWaypoint;
  /**
   * `metadata.name` of the ServiceEntry (and of the AuthorizationPolicy).
   * @default - derived from the host: `httpbin.org` → `httpbin-org`
   */
  readonly name?: string;
  /**
   * The plain-HTTP port applications call.
   * @default 80
   */
  readonly httpPort?: number;
  /**
   * Name of the HTTP port in the ServiceEntry.
   * @default 'http'
   */
  readonly httpPortName?: string;
  /**
   * The HTTPS port of the external service: the HTTP port's `targetPort`, where the waypoint originates TLS.
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * How the waypoint resolves the host: `DNS` or `DNS_ROUND_ROBIN`.
   * @default Resolution.DNS
   */
  readonly resolution?: Resolution;
  /**
   * `metadata.name` of the DestinationRule.
   * @default - `<name>-tls`
   */
  readonly destinationRuleName?: string;
  /**
   * SNI the waypoint sends.
   * @default - not set: Envoy sends the HTTP Host (Istio's `auto_sni`)
   */
  readonly sni?: string;
  /**
   * Alternate names the server certificate must carry.
   * @default - verified against the SNI or host (Istio's `auto_san_validation`)
   */
  readonly subjectAltNames?: string[];
  /**
   * HTTP methods the waypoint allows to the host: with `allowedMethods` or `allowedPaths`, an
   * AuthorizationPolicy that targets the ServiceEntry allows only those requests (others get 403).
   * @default - no AuthorizationPolicy: every request is allowed
   */
  readonly allowedMethods?: string[];
  /**
   * Paths the waypoint allows to the host (see `allowedMethods`).
   * @default - no AuthorizationPolicy: every request is allowed
   */
  readonly allowedPaths?: string[];
  /**
   * Namespaces that see the ServiceEntry and the DestinationRule: `.` (the waypoint's namespace), `*` or
   * namespace names (the client namespaces). The construct always adds the waypoint's namespace (`.`), where
   * the waypoint applies both objects: `['shop']` gives `['.', 'shop']`. `~` is refused: Istio allows it on
   * ServiceEntries only.
   * @default - not set: Istio's default, every namespace (as in Istio's task)
   */
  readonly exportTo?: string[];
  /**
   * The ServiceEntry's `location`.
   * @default - not set: Istio's default, `MESH_EXTERNAL`
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Location
   */
  readonly location?: ServiceEntryLocation;
  /**
   * API version of the ServiceEntry and DestinationRule.
   * @default IstioApiVersion.V1
   */
  readonly apiVersion?: IstioApiVersion;
}

const ORIGINATION_PROPS = PROP_KEYS.AmbientEgressTlsOriginationProps;

const MUTUAL_REFUSED = "mutual TLS origination at a waypoint is not a supported Istio path: istiod does not let the waypoint read the credential Secret (istio/istio#55329, 'waypoint is not authorized to read secrets'), credentialName Secrets stay WARMING there (#54142), and client-identity origination is unsupported (#59627); originate mutual TLS at a sidecar (MutualTlsOrigination) or at an egress gateway (EgressGatewayTlsOrigination, GatewayApiEgressTlsOrigination)";

/**
 * TLS origination at an ambient-mode waypoint used as egress gateway: applications in ambient namespaces
 * call `http://<host>`, ztunnel carries the request to the waypoint with mutual TLS (HBONE), and the waypoint
 * originates TLS (`SIMPLE`) to the host.
 *
 * Emits, in the waypoint's namespace: a **ServiceEntry** (child id `ServiceEntry`) with the HTTP port and the
 * HTTPS port as its `targetPort`, resolution `DNS`; a **DestinationRule** (child id `DestinationRule`) with TLS
 * mode `SIMPLE`; and, with `allowedMethods` or `allowedPaths`, an **AuthorizationPolicy** (child id
 * `AuthorizationPolicy`, `security.istio.io/v1`) that targets the ServiceEntry.
 *
 * Mutual TLS is refused: it is not a supported path at a waypoint. Enrolment alone does not stop a pod from
 * bypassing the waypoint: add a NetworkPolicy or Istio's "require waypoint" policy.
 *
 * @see https://istio.io/latest/docs/ambient/usage/egress-gateway/
 * @example
 * import { AmbientEgressTlsOrigination, EgressWaypoint } from 'cdk8s-istio-egress';
 *
 * const waypoint = new EgressWaypoint(chart, 'waypoint');
 * new AmbientEgressTlsOrigination(chart, 'httpbin', { host: 'httpbin.org', waypoint });
 */
export class AmbientEgressTlsOrigination extends Construct {
  /** The external host. */
  public readonly host: string;
  /** `metadata.name` of the ServiceEntry. */
  public readonly name: string;
  /** Namespace of the objects: the waypoint's. */
  public readonly namespace: string;
  /** The HTTP port applications call. */
  public readonly httpPort: number;
  /** The HTTPS port TLS is originated to. */
  public readonly httpsPort: number;
  /** The ServiceEntry. */
  public readonly serviceEntry: ApiObject;
  /** The DestinationRule. */
  public readonly destinationRule: ApiObject;
  /** The AuthorizationPolicy, when emitted. */
  public readonly authorizationPolicy?: ApiObject;

  public constructor(scope: Construct, id: string, props: AmbientEgressTlsOriginationProps) {
    super(scope, id);
    try {
      if (props !== null && typeof props === 'object') {
        for (const prop of ['credential', 'clientCertificate', 'mutual']) {
          if (prop in props) throw new Error(`AmbientEgressTlsOrigination: '${prop}' is refused: ${MUTUAL_REFUSED}`);
        }
      }
      checkProps('AmbientEgressTlsOrigination', props, ORIGINATION_PROPS);
      if (!EgressWaypoint.isEgressWaypoint(props.waypoint)) {
        throw new Error(`'waypoint' must be an EgressWaypoint (got ${show(props.waypoint)})`);
      }
      const resolution = props.resolution ?? Resolution.DNS;
      if (resolution !== Resolution.DNS && resolution !== Resolution.DNS_ROUND_ROBIN) {
        throw new Error(`'resolution' must be DNS or DNS_ROUND_ROBIN: the waypoint resolves the host itself, so a client cannot send it elsewhere by spoofing the Host header (got ${show(resolution)})`);
      }
      const namespace = props.waypoint.namespace;
      const r = resolveOrigination({
        host: props.host, name: props.name, namespace, httpPort: props.httpPort, httpPortName: props.httpPortName ?? 'http',
        httpsPort: props.httpsPort, resolution, sni: props.sni, subjectAltNames: props.subjectAltNames, apiVersion: props.apiVersion,
      }, true);
      const name = props.name !== undefined ? r.name : nameFromHost(r.host);
      const destinationRuleName = validateObjectName('destinationRuleName', props.destinationRuleName ?? `${name}-tls`.slice(0, 253));
      const list = (prop: 'allowedMethods' | 'allowedPaths', pattern: RegExp, what: string) => {
        const v = props[prop];
        if (v === undefined) return undefined;
        if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || !pattern.test(x))) {
          throw new Error(`'${prop}' must be a non-empty list of ${what} (got ${show(v)})`);
        }
        return [...v];
      };
      const methods = list('allowedMethods', /^[A-Z]+$/, 'HTTP methods in upper case, e.g. ["GET"]');
      const paths = list('allowedPaths', /^(\/\S*|\*\S*)$/, 'paths starting with "/" (or a "*" prefix match), e.g. ["/get"]');
      const location = validateLocation(props.location);
      // the waypoint of this namespace applies both objects
      const exportTo = props.exportTo === undefined ? undefined
        : exportToFor(validateExportTo('exportTo', props.exportTo, { destinationRule: true, namespace }), namespace, namespace, [namespace]);

      this.host = r.host;
      this.name = name;
      this.namespace = namespace;
      this.httpPort = r.httpPort;
      this.httpsPort = r.httpsPort;
      this.serviceEntry = newServiceEntry(this, 'ServiceEntry', r.apiVersion, { name, namespace }, {
        hosts: [r.host],
        ports: [{ number: r.httpPort, name: props.httpPortName ?? 'http', protocol: 'HTTP', targetPort: r.httpsPort }],
        resolution: resolution as unknown as istio.ServiceEntrySpecResolution,
        exportTo,
        location,
      });
      this.destinationRule = newDestinationRule(this, 'DestinationRule', r.apiVersion, { name: destinationRuleName, namespace }, {
        host: r.host,
        exportTo,
        trafficPolicy: {
          tls: {
            mode: TlsMode.SIMPLE as unknown as istio.DestinationRuleSpecTrafficPolicyTlsMode,
            sni: props.sni,
            subjectAltNames: props.subjectAltNames,
          },
        },
      });
      if (methods || paths) {
        this.authorizationPolicy = new security.AuthorizationPolicy(this, 'AuthorizationPolicy', {
          metadata: { name, namespace },
          spec: {
            targetRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name }],
            action: security.AuthorizationPolicySpecAction.ALLOW,
            rules: [{ to: [{ operation: { methods, paths } }] }],
          },
        });
      }
    } catch (e) {
      throw located(this, e);
    }
  }
}
