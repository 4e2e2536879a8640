import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { IstioApiVersion, LoadBalancer, Resolution, ServiceEntryLocation, TlsMode, newDestinationRule, newServiceEntry } from './istio';
import { ResolvedOrigination, resolveOrigination, validateLoadBalancer } from './tls-origination';
import { CredentialPurpose, TlsCredential } from '../credentials/tls-credential';
import { show, validateObjectName } from '../private/props';

/**
 * Props shared by the two egress gateway originations, `EgressGatewayTlsOrigination` (Istio API) and
 * `GatewayApiEgressTlsOrigination` (Kubernetes Gateway API): the host, the credentials, the ServiceEntry and
 * the DestinationRule that originates TLS at the gateway. Both emit these alike, with the same defaults.
 */
export interface GatewayTlsOriginationBaseProps {
  /**
   * The external host, a fully qualified domain name (`edition.cnn.com`), or a Service of the cluster
   * (`my-nginx.mesh-external.svc.cluster.local`). Not a URL, not `host:port`, not an IP address, not a wildcard.
   */
  readonly host: string;
  /**
   * Client certificate, key and CA certificate for mutual TLS (Istio's `credentialName`). Giving it makes the
   * origination `MUTUAL`. The gateway reads the Secret in its own namespace: `fromPem` and `fromCertManager`
   * credentials are emitted there. An installed Istio egress gateway reads the Secrets of its namespace as it
   * is (no `workloadSelector`, no RBAC); a Gateway API gateway gets a Role and RoleBinding to read them.
   * @default - none: TLS mode `SIMPLE` (server authentication only)
   */
  readonly credential?: TlsCredential;
  /**
   * CA certificates that verify the external server, as a Secret in the gateway's namespace (used as
   * `credentialName` with TLS mode `SIMPLE`). Only without `credential`, whose Secret carries the CA.
   * @default - the gateway's system CA bundle verifies the server
   */
  readonly caCredential?: TlsCredential;
  /**
   * Short name the object names are derived from (`cnn` in the Istio task).
   * @default - derived from the host: `edition.cnn.com` → `edition-cnn-com`
   */
  readonly name?: string;
  /**
   * The plain-HTTP port applications call; the sidecar sends it to the gateway.
   * @default 80
   */
  readonly httpPort?: number;
  /**
   * Name of the HTTP port in the ServiceEntry (the Istio egress gateway task's `http`).
   * @default 'http'
   */
  readonly httpPortName?: string;
  /**
   * The HTTPS port of the external service: the gateway originates TLS to it.
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * Name of the HTTPS port in the ServiceEntry (the Istio egress gateway task's `https`).
   * @default 'https'
   */
  readonly httpsPortName?: string;
  /**
   * How proxies resolve the host. `NONE` is refused: behind an egress gateway it makes the gateway forward to
   * the original destination address, which is the gateway's own Service.
   * @default Resolution.DNS
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
   */
  readonly resolution?: Resolution;
  /**
   * Whether to emit the ServiceEntry. A Service of the cluster (`<name>.<namespace>.svc.<clusterDomain>`) is
   * already in Istio's registry and needs none; set it to false too when the host's ServiceEntry is defined
   * elsewhere (without one, Istio does not know the host and the gateway cannot route to it).
   * @default - true, unless the host is a Service of the cluster
   */
  readonly createServiceEntry?: boolean;
  /**
   * SNI the gateway sends to the external server.
   * @default - the host with a credential (as in the Istio task); otherwise not set, and Envoy sends the HTTP
   * Host (Istio's `auto_sni`)
   */
  readonly sni?: string;
  /**
   * Alternate names the server certificate must carry.
   * @default - the certificate is verified against the SNI or host (Istio's `auto_san_validation`)
   */
  readonly subjectAltNames?: string[];
  /**
   * Load balancing algorithm of the DestinationRules the origination emits: the one that originates TLS, and
   * with `EgressGatewayTlsOrigination` the subset of the gateway's Service too (a `GatewayApiEgressGateway`
   * has its own `loadBalancer` for its DestinationRule).
   * @default LoadBalancer.ROUND_ROBIN
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * `metadata.name` of the ServiceEntry.
   * @default - `name`
   */
  readonly serviceEntryName?: string;
  /**
   * `metadata.name` of the DestinationRule that originates TLS at the gateway.
   * @default - `originate-tls-for-<name>`, or `originate-mtls-for-<name>` with a credential
   */
  readonly destinationRuleName?: string;
  /**
   * The ServiceEntry's `location`.
   * @default - not set: Istio's default, `MESH_EXTERNAL`
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Location
   */
  readonly location?: ServiceEntryLocation;
}

// What follows is internal to the two originations: the module is not exported by the package's index.

/** The defaults of the shared props, one decision for both originations. */
const HTTP_PORT_NAME = 'http';
const HTTPS_PORT_NAME = 'https';
const LOAD_BALANCER = LoadBalancer.ROUND_ROBIN;

/** What the shared part needs of either kind of egress gateway. */
export interface OriginationGateway {
  /** The gateway's Service host. */
  readonly host: string;
  /** The gateway's namespace: where it reads Secrets. */
  readonly namespace: string;
}

/** The shared props, validated. */
export interface ResolvedGatewayOrigination {
  readonly r: ResolvedOrigination;
  readonly credential?: TlsCredential;
  readonly caCredential?: TlsCredential;
  /** Whether the gateway originates mutual TLS (a credential was given). */
  readonly mutual: boolean;
  readonly loadBalancer: LoadBalancer;
}

/** A host that is a Service of the cluster, `<name>.<namespace>.svc.<clusterDomain>`. */
export interface ClusterService {
  readonly name: string;
  readonly namespace: string;
}

/** Refuses resolution `NONE`, first of all checks: behind a gateway it loops. */
export function refuseResolutionNone(props: GatewayTlsOriginationBaseProps): void {
  if (props.resolution === Resolution.NONE) {
    throw new Error(`'resolution' NONE makes the egress gateway forward to the original destination address, which is the gateway's own Service IP: the gateway routes to itself in a loop (got "NONE"); use DNS or DNS_ROUND_ROBIN`);
  }
}

/**
 * Validates the credentials, the host and ports (with `namespace`, the construct's own prop) and the load
 * balancer, once the gateway is known; throws with the prop name on bad input.
 */
export function resolveGatewayOrigination(props: GatewayTlsOriginationBaseProps & { readonly namespace?: string }, gateway: OriginationGateway,
  apiVersion: IstioApiVersion | undefined): ResolvedGatewayOrigination {
  for (const prop of ['credential', 'caCredential'] as const) {
    if (props[prop] !== undefined && !TlsCredential.isTlsCredential(props[prop])) {
      throw new Error(`'${prop}' must be made with TlsCredential.fromExistingSecret(), fromPem() or fromCertManager() (got ${show(props[prop])})`);
    }
  }
  const { credential, caCredential } = props;
  if (credential && caCredential) {
    throw new Error(`'caCredential' and 'credential' exclude each other: the credential's Secret carries the CA certificate (ca.crt) for mutual TLS (got caCredential ${show(caCredential.secretName)})`);
  }
  if (credential && !credential.hasKeyPair) {
    throw new Error(`'credential' must hold a client certificate and key for mutual TLS (got secret ${show(credential.secretName)} with a CA certificate only); for server verification only, pass it as 'caCredential'`);
  }
  const r = resolveOrigination({
    host: props.host,
    name: props.name,
    namespace: props.namespace,
    httpPort: props.httpPort,
    httpPortName: props.httpPortName ?? HTTP_PORT_NAME,
    httpsPort: props.httpsPort,
    httpsPortName: props.httpsPortName ?? HTTPS_PORT_NAME,
    resolution: props.resolution,
    sni: props.sni,
    subjectAltNames: props.subjectAltNames,
    apiVersion,
  }, true);
  if (r.host === gateway.host) {
    throw new Error(`'host' must not be the egress gateway's own Service ${show(gateway.host)}: the gateway would route to itself (got ${show(r.host)})`);
  }
  const loadBalancer = validateLoadBalancer(props.loadBalancer ?? LOAD_BALANCER)!;
  return { r, credential, caCredential, mutual: credential !== undefined, loadBalancer };
}

/** The Service of the cluster the host names (`<name>.<namespace>.svc.<clusterDomain>`), if it names one. */
export function clusterServiceOf(host: string, clusterDomain: string): ClusterService | undefined {
  const suffix = `.svc.${clusterDomain}`;
  const parts = host.endsWith(suffix) ? host.slice(0, -suffix.length).split('.') : [];
  return parts.length === 2 ? { name: parts[0], namespace: parts[1] } : undefined;
}

/** `createServiceEntry`, validated: by default a ServiceEntry unless the host is a Service of the cluster. */
export function resolveCreateServiceEntry(props: GatewayTlsOriginationBaseProps, clusterService: ClusterService | undefined): boolean {
  const createServiceEntry = props.createServiceEntry ?? !clusterService;
  if (typeof createServiceEntry !== 'boolean') {
    throw new Error(`'createServiceEntry' must be true or false (got ${show(createServiceEntry)})`);
  }
  return createServiceEntry;
}

/** `serviceEntryName`, validated, or the default `name`. */
export function serviceEntryNameOf(props: GatewayTlsOriginationBaseProps, r: ResolvedOrigination): string {
  return validateObjectName('serviceEntryName', props.serviceEntryName ?? r.name);
}

/**
 * Throws unless the DestinationRule that originates TLS is where the gateway looks DestinationRules up:
 * `lookupPath`, its own namespace and the host's.
 */
export function checkDestinationRuleNamespace(drNamespace: string, lookupPath: readonly string[]): void {
  if (!lookupPath.includes(drNamespace)) {
    throw new Error(`'destinationRuleNamespace' must be where the egress gateway looks DestinationRules up: its own namespace or the host's (${[...new Set(lookupPath)].map((n) => show(n)).join(' or ')}); elsewhere the gateway never originates TLS (got ${show(drNamespace)})`);
  }
}

/** Emits the ServiceEntry (child id `ServiceEntry`) with the HTTP and HTTPS ports. */
export function emitGatewayServiceEntry(scope: Construct, props: GatewayTlsOriginationBaseProps, r: ResolvedOrigination, metadata: ApiObjectMetadata,
  exportTo: string[] | undefined, location: istio.ServiceEntrySpecLocation | undefined): ApiObject {
  return newServiceEntry(scope, 'ServiceEntry', r.apiVersion, metadata, {
    hosts: [r.host],
    ports: [
      { number: r.httpPort, name: props.httpPortName ?? HTTP_PORT_NAME, protocol: 'HTTP' },
      { number: r.httpsPort, name: props.httpsPortName ?? HTTPS_PORT_NAME, protocol: 'HTTPS' },
    ],
    resolution: (props.resolution ?? Resolution.DNS) as unknown as istio.ServiceEntrySpecResolution,
    exportTo,
    location,
  });
}

/**
 * Emits the DestinationRule (child id `DestinationRule`) that originates TLS at the gateway on `httpsPort`:
 * `SIMPLE`, or `MUTUAL` with the credential's Secret as `credentialName`.
 */
export function emitOriginatingDestinationRule(scope: Construct, props: GatewayTlsOriginationBaseProps, o: ResolvedGatewayOrigination,
  metadata: ApiObjectMetadata, exportTo: string[] | undefined): ApiObject {
  const { r, mutual } = o;
  return newDestinationRule(scope, 'DestinationRule', r.apiVersion, metadata, {
    host: r.host,
    exportTo,
    trafficPolicy: {
      loadBalancer: { simple: o.loadBalancer as unknown as istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple },
      portLevelSettings: [{
        port: { number: r.httpsPort },
        tls: {
          mode: (mutual ? TlsMode.MUTUAL : TlsMode.SIMPLE) as unknown as istio.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode,
          credentialName: (o.credential ?? o.caCredential)?.secretName,
          sni: props.sni ?? (mutual ? r.host : undefined),
          subjectAltNames: props.subjectAltNames,
        },
      }],
    },
  });
}

/**
 * Emits the Secret or cert-manager Certificate of a `fromPem` / `fromCertManager` credential in the gateway's
 * namespace (child id `Credential` or `CaCredential`); nothing for an existing Secret.
 */
export function bindGatewayCredential(scope: Construct, o: ResolvedGatewayOrigination, gatewayNamespace: string): ApiObject | undefined {
  return o.credential
    ? o.credential._bind(scope, 'Credential', gatewayNamespace, CredentialPurpose.CLIENT)
    : o.caCredential?._bind(scope, 'CaCredential', gatewayNamespace, CredentialPurpose.CA);
}
