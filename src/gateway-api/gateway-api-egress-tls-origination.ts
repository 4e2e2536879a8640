import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../imports/gateway.networking.k8s.io';
import * as istio from '../../imports/networking.istio.io';
import { EgressImport, EgressPath, IEgressOrigination } from '../core/egress-path';
import { GatewayApiEgressGateway } from './gateway-api-egress-gateway';
import { LoadBalancer, Resolution, ServiceEntryLocation, TlsMode, compact, newDestinationRule, newServiceEntry } from '../core/istio';
import { located } from '../private/located-error';
import { CredentialPurpose, TlsCredential } from '../credentials/tls-credential';
import { resolveOrigination, validateLoadBalancer } from '../core/tls-origination';
import { GATEWAY_ELSEWHERE_ANNOTATION } from '../common/annotations';
import { checkProps, knownKeys, shortenName, show, validateExportTo, validateNamespace, validateObjectName, validatePort } from '../private/props';
import { exportToFor, validateLocation } from '../private/visibility';

/** Props of `GatewayApiEgressTlsOrigination`. */
export interface GatewayApiEgressTlsOriginationProps {
  /**
   * The external host, a fully qualified domain name (`edition.cnn.com`), or a Service of the cluster
   * (`my-nginx.mesh-external.svc.cluster.local`). Not a URL, not `host:port`, not an IP, not a wildcard.
   */
  readonly host: string;
  /** The Gateway API egress gateway the traffic leaves through. */
  readonly gateway: GatewayApiEgressGateway;
  /**
   * Client certificate, key and CA certificate for mutual TLS (Istio's `credentialName`). Giving it makes
   * the origination `MUTUAL`. The gateway reads the Secret in its own namespace: `fromPem` and
   * `fromCertManager` credentials are emitted there, and the gateway gets a Role and RoleBinding to read it.
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
   * Namespace of the ServiceEntry and of the route from the sidecars to the gateway: the namespace of the
   * client workloads. Routes from another namespace than the gateway's get a ReferenceGrant.
   * @default - the chart's namespace, or the gateway's
   */
  readonly namespace?: string;
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
   * The HTTPS port of the external service: the gateway originates TLS to it.
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * Name of the HTTPS port in the ServiceEntry.
   * @default 'https'
   */
  readonly httpsPortName?: string;
  /**
   * Listener port of the gateway the sidecars send to, with Istio mutual TLS.
   * @default - the port of the gateway's listener for the host (one with this hostname, a wildcard that
   * covers it, or one without hostname)
   */
  readonly gatewayPort?: number;
  /**
   * How proxies resolve the host. `NONE` is refused: the gateway would forward to the original destination
   * address, which is its own Service.
   * @default Resolution.DNS
   */
  readonly resolution?: Resolution;
  /**
   * Whether to emit the ServiceEntry. A Service of the cluster needs none. Without a ServiceEntry the route
   * from the sidecars is a VirtualService (an HTTPRoute needs the ServiceEntry as parent), as in Istio's task
   * for the nginx Service.
   * @default - true, unless the host is a Service of the cluster
   */
  readonly createServiceEntry?: boolean;
  /**
   * SNI the gateway sends to the external server.
   * @default - the host with a credential (as in the Istio task); otherwise not set (Istio's `auto_sni`)
   */
  readonly sni?: string;
  /**
   * Alternate names the server certificate must carry.
   * @default - verified against the SNI or host (Istio's `auto_san_validation`)
   */
  readonly subjectAltNames?: string[];
  /**
   * Load balancing algorithm of the originating DestinationRule.
   * @default LoadBalancer.ROUND_ROBIN
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * `metadata.name` of the ServiceEntry.
   * @default - `name`
   */
  readonly serviceEntryName?: string;
  /**
   * `metadata.name` of the route from the sidecars to the gateway (HTTPRoute, or VirtualService without a
   * ServiceEntry).
   * @default - `direct-<name>-to-egress-gateway`
   */
  readonly meshRouteName?: string;
  /**
   * `metadata.name` of the HTTPRoute from the gateway to the host.
   * @default - `forward-<name>-from-egress-gateway`
   */
  readonly forwardRouteName?: string;
  /**
   * `metadata.name` of the ReferenceGrant that lets the forward route send to a Service of another
   * namespace (a host that is a Service of the cluster).
   * @default - `<service name>-reference-grant`
   */
  readonly referenceGrantName?: string;
  /**
   * `metadata.name` of the DestinationRule that originates TLS at the gateway.
   * @default - `originate-tls-for-<name>`, or `originate-mtls-for-<name>` with a credential
   */
  readonly destinationRuleName?: string;
  /**
   * Namespace of the DestinationRule that originates TLS: the gateway looks it up in its own namespace,
   * then in the host's (the ServiceEntry's or the Service's).
   * @default - the gateway's namespace
   */
  readonly destinationRuleNamespace?: string;
  /**
   * Namespaces whose sidecars may send to the host this way: `.` (the origination's `namespace`), `*` or
   * namespace names. The construct adds the gateway's namespace wherever the gateway must see an object: the
   * ServiceEntry and the DestinationRule that originates TLS get the list plus the gateway's namespace
   * (`['.']` in `shop` with the gateway in `istio-egress` gives `['.', 'istio-egress']`); the VirtualService
   * from the sidecars (without a ServiceEntry), which only sidecars use, gets the list. Without the gateway's
   * namespace the gateway cannot see the host or the TLS settings (503, or plaintext to the host). The
   * gateway's own DestinationRule lives in the gateway Service's namespace, which Istio searches for every
   * client, so clients of any listed namespace are served. `~` is refused: Istio allows it on ServiceEntries
   * only.
   * @default - not set on any object: Istio's default, every namespace
   */
  readonly exportTo?: string[];
  /**
   * The ServiceEntry's `location`.
   * @default - not set: Istio's default, `MESH_EXTERNAL`
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Location
   */
  readonly location?: ServiceEntryLocation;
}

const PROPS = knownKeys<GatewayApiEgressTlsOriginationProps>({
  host: true, gateway: true, credential: true, caCredential: true, name: true, namespace: true, httpPort: true, httpPortName: true,
  httpsPort: true, httpsPortName: true, gatewayPort: true, resolution: true, createServiceEntry: true, sni: true, subjectAltNames: true,
  loadBalancer: true, serviceEntryName: true, meshRouteName: true, forwardRouteName: true, referenceGrantName: true,
  destinationRuleName: true, destinationRuleNamespace: true, exportTo: true, location: true,
});

/**
 * TLS origination at a Kubernetes Gateway API egress gateway (class `istio`): applications call
 * `http://<host>`, their sidecars send the request to the gateway with Istio mutual TLS, and the gateway
 * originates TLS (`SIMPLE`, or `MUTUAL` with a client credential) to the host.
 *
 * Emits:
 * - a **ServiceEntry** (child id `ServiceEntry`) with the HTTP and HTTPS ports and resolution `DNS` (not for
 *   a Service of the cluster);
 * - the route from the sidecars to the gateway (child id `MeshRoute`): an **HTTPRoute** whose parent is the
 *   ServiceEntry and whose backend is the gateway's Service `<gateway>-istio` on the listener port, or,
 *   without a ServiceEntry, a **VirtualService** for `mesh` to that Service and port;
 * - an **HTTPRoute** from the gateway (child id `ForwardRoute`) for the host, whose backend is the host
 *   (`Hostname`, `networking.istio.io`) on `httpsPort`, or the Service of the cluster, with a
 *   **ReferenceGrant** in the Service's namespace (child id `ReferenceGrant`);
 * - a **DestinationRule** for the host (child id `DestinationRule`) originating TLS on `httpsPort`, with
 *   `credentialName` for mutual TLS;
 * - the Secret or cert-manager Certificate of a `fromPem` / `fromCertManager` credential in the gateway's
 *   namespace (child id `Credential` or `CaCredential`); with a credential the gateway also gets its Role and
 *   RoleBinding to read Secrets.
 *
 * The DestinationRule that makes the sidecars use Istio mutual TLS to the gateway belongs to the gateway.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/
 * @example
 * import { GatewayApiEgressGateway, GatewayApiEgressTlsOrigination } from 'cdk8s-istio-egress';
 *
 * const gateway = new GatewayApiEgressGateway(chart, 'egress');
 * new GatewayApiEgressTlsOrigination(chart, 'cnn', { host: 'edition.cnn.com', gateway });
 */
export class GatewayApiEgressTlsOrigination extends Construct implements IEgressOrigination {
  /** The external host. */
  public readonly host: string;
  /** The short name the object names derive from. */
  public readonly name: string;
  /** Namespace of the ServiceEntry and the route from the sidecars. */
  public readonly namespace: string;
  /** The gateway the traffic leaves through. */
  public readonly gateway: GatewayApiEgressGateway;
  /** Whether the gateway originates mutual TLS. */
  public readonly mutual: boolean;
  /** The HTTP port applications call. */
  public readonly httpPort: number;
  /** The HTTPS port TLS is originated to. */
  public readonly httpsPort: number;
  /** The gateway listener port the sidecars send to. */
  public readonly gatewayPort: number;
  /** Namespace of the DestinationRule that originates TLS. */
  public readonly destinationRuleNamespace: string;
  /** The ServiceEntry, unless the host is a Service of the cluster or `createServiceEntry` is false. */
  public readonly serviceEntry?: ApiObject;
  /** The route from the sidecars to the gateway: an HTTPRoute, or a VirtualService without a ServiceEntry. */
  public readonly meshRoute: ApiObject;
  /** The HTTPRoute from the gateway to the host. */
  public readonly forwardRoute: ApiObject;
  /** The ReferenceGrant for a Service of another namespace, when emitted. */
  public readonly referenceGrant?: ApiObject;
  /** The DestinationRule that originates TLS at the gateway. */
  public readonly destinationRule: ApiObject;
  /** The credential Secret (`fromPem`) or cert-manager Certificate (`fromCertManager`), when emitted. */
  public readonly credentialSecret?: ApiObject;
  /** What a client proxy needs to reach the host this way: see `OutboundLockdown.allow`. */
  public readonly egressPath: EgressPath;

  public constructor(scope: Construct, id: string, props: GatewayApiEgressTlsOriginationProps) {
    super(scope, id);
    try {
      checkProps('GatewayApiEgressTlsOrigination', props, PROPS);
      if (props.resolution === Resolution.NONE) {
        throw new Error(`'resolution' NONE makes the egress gateway forward to the original destination address, which is the gateway's own Service IP: the gateway routes to itself in a loop (got "NONE"); use DNS or DNS_ROUND_ROBIN`);
      }
      const gateway = props.gateway;
      if (!(gateway instanceof GatewayApiEgressGateway)) {
        throw new Error(`'gateway' must be a GatewayApiEgressGateway (got ${show(gateway)})`);
      }
      for (const prop of ['credential', 'caCredential'] as const) {
        if (props[prop] !== undefined && !(props[prop] instanceof TlsCredential)) {
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
      const mutual = credential !== undefined;
      const r = resolveOrigination({
        host: props.host, name: props.name, namespace: props.namespace, httpPort: props.httpPort, httpPortName: props.httpPortName ?? 'http',
        httpsPort: props.httpsPort, httpsPortName: props.httpsPortName ?? 'https', resolution: props.resolution, sni: props.sni,
        subjectAltNames: props.subjectAltNames, apiVersion: gateway.apiVersion,
      }, true);
      if (r.host === gateway.host) {
        throw new Error(`'host' must not be the egress gateway's own Service ${show(gateway.host)}: the gateway would route to itself (got ${show(r.host)})`);
      }
      const loadBalancer = validateLoadBalancer(props.loadBalancer ?? LoadBalancer.ROUND_ROBIN)!;
      const gatewayPort = props.gatewayPort !== undefined ? validatePort('gatewayPort', props.gatewayPort) : undefined;
      const listener = gateway.listenerFor(r.host, gatewayPort);
      if (!listener) {
        const ls = gateway.listeners.map((l) => `${l.name} (port ${l.port}, ${l.hostname ? `hostname ${l.hostname}` : 'every host'})`).join(', ');
        throw new Error(`'${gatewayPort !== undefined ? 'gatewayPort' : 'host'}' must be accepted by a listener of the Gateway ${show(gateway.name)}: ${ls} (got host ${show(r.host)}${gatewayPort !== undefined ? ` on port ${gatewayPort}` : ''})`);
      }

      const serviceSuffix = `.svc.${gateway.clusterDomain}`;
      const serviceParts = r.host.endsWith(serviceSuffix) ? r.host.slice(0, -serviceSuffix.length).split('.') : [];
      const clusterService = serviceParts.length === 2 ? { name: serviceParts[0], namespace: serviceParts[1] } : undefined;
      const createServiceEntry = props.createServiceEntry ?? !clusterService;
      if (typeof createServiceEntry !== 'boolean') {
        throw new Error(`'createServiceEntry' must be true or false (got ${show(createServiceEntry)})`);
      }

      const namespace = r.namespace ?? Chart.of(this).namespace ?? gateway.namespace;
      const base = r.name;
      const label = base.replace(/\./g, '-');
      const derived = (n: string) => shortenName(n, 253);
      const serviceEntryName = validateObjectName('serviceEntryName', props.serviceEntryName ?? base);
      const meshRouteName = validateObjectName('meshRouteName', props.meshRouteName ?? derived(`direct-${label}-to-egress-gateway`));
      const forwardRouteName = validateObjectName('forwardRouteName', props.forwardRouteName ?? derived(`forward-${label}-from-egress-gateway`));
      const destinationRuleName = validateObjectName('destinationRuleName', props.destinationRuleName ?? derived(`originate-${mutual ? 'mtls' : 'tls'}-for-${label}`));
      const drNamespace = props.destinationRuleNamespace !== undefined
        ? validateNamespace('destinationRuleNamespace', props.destinationRuleNamespace) : gateway.namespace;
      const lookupPath = [gateway.namespace, ...(createServiceEntry ? [namespace] : []), ...(clusterService ? [clusterService.namespace] : [])];
      if (!lookupPath.includes(drNamespace)) {
        throw new Error(`'destinationRuleNamespace' must be where the egress gateway looks DestinationRules up: its own namespace or the host's (${[...new Set(lookupPath)].map((n) => show(n)).join(' or ')}); elsewhere the gateway never originates TLS (got ${show(drNamespace)})`);
      }
      if (props.referenceGrantName !== undefined && !(clusterService && clusterService.namespace !== gateway.namespace)) {
        throw new Error(`'referenceGrantName' has no effect: a ReferenceGrant is emitted only for a host that is a Service of another namespace than the gateway's (got ${show(props.referenceGrantName)})`);
      }
      const location = validateLocation(props.location, createServiceEntry);
      const exportTo = props.exportTo === undefined ? undefined : validateExportTo('exportTo', props.exportTo, { destinationRule: true, namespace });
      // objects the gateway uses are exported to its namespace too
      const forGateway = (ns: string) => exportToFor(exportTo, namespace, ns, [gateway.namespace]);
      // what the owner of a gateway deployed elsewhere must grant is not emitted: the validator says what it could not check
      const elsewhere = gateway.deployedElsewhere ? { [GATEWAY_ELSEWHERE_ANNOTATION]: 'true' } : undefined;
      gateway._claimHost(r.host, this.node.path);

      this.host = r.host;
      this.name = base;
      this.namespace = namespace;
      this.gateway = gateway;
      this.mutual = mutual;
      this.httpPort = r.httpPort;
      this.httpsPort = r.httpsPort;
      this.gatewayPort = listener.port;
      this.destinationRuleNamespace = drNamespace;

      if (createServiceEntry) {
        this.serviceEntry = newServiceEntry(this, 'ServiceEntry', r.apiVersion, { name: serviceEntryName, namespace }, {
          hosts: [r.host],
          ports: [
            { number: r.httpPort, name: props.httpPortName ?? 'http', protocol: 'HTTP' },
            { number: r.httpsPort, name: props.httpsPortName ?? 'https', protocol: 'HTTPS' },
          ],
          resolution: (props.resolution ?? Resolution.DNS) as unknown as istio.ServiceEntrySpecResolution,
          exportTo: forGateway(namespace),
          location,
        });
        gateway._allowRoutesFrom(namespace);
        this.meshRoute = new gw.HttpRoute(this, 'MeshRoute', {
          metadata: { name: meshRouteName, namespace, annotations: namespace !== gateway.namespace ? elsewhere : undefined },
          spec: {
            parentRefs: [{ kind: 'ServiceEntry', group: 'networking.istio.io', name: serviceEntryName }],
            rules: [{
              backendRefs: [{ name: gateway.serviceName, namespace: namespace !== gateway.namespace ? gateway.namespace : undefined, port: listener.port }],
            }],
          },
        });
      } else {
        // Istio's task keeps a VirtualService for this hop when there is no ServiceEntry to parent an HTTPRoute
        const VirtualServiceKind = { 'networking.istio.io/v1': istio.VirtualService, 'networking.istio.io/v1beta1': istio.VirtualServiceV1Beta1, 'networking.istio.io/v1alpha3': istio.VirtualServiceV1Alpha3 }[r.apiVersion];
        this.meshRoute = new VirtualServiceKind(this, 'MeshRoute', {
          metadata: { name: meshRouteName, namespace },
          spec: compact({
            hosts: [r.host],
            gateways: ['mesh'],
            exportTo: exportToFor(exportTo, namespace, namespace),
            http: [{ match: [{ port: r.httpPort }], route: [{ destination: { host: gateway.host, port: { number: listener.port } } }] }],
          }) as any,
        });
      }

      const backend = clusterService
        ? { name: clusterService.name, namespace: clusterService.namespace !== gateway.namespace ? clusterService.namespace : undefined, port: r.httpsPort }
        : { kind: 'Hostname', group: 'networking.istio.io', name: r.host, port: r.httpsPort };
      this.forwardRoute = new gw.HttpRoute(this, 'ForwardRoute', {
        metadata: { name: forwardRouteName, namespace: gateway.namespace },
        spec: { parentRefs: [{ name: gateway.name }], hostnames: [r.host], rules: [{ backendRefs: [backend] }] },
      });
      if (clusterService && clusterService.namespace !== gateway.namespace) {
        const grantName = validateObjectName('referenceGrantName', props.referenceGrantName ?? derived(`${clusterService.name}-reference-grant`));
        this.referenceGrant = new gw.ReferenceGrantV1Beta1(this, 'ReferenceGrant', {
          metadata: { name: grantName, namespace: clusterService.namespace },
          spec: {
            from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: gateway.namespace }],
            to: [{ group: '', kind: 'Service', name: clusterService.name }],
          },
        });
      }

      const tlsCredential = credential ?? caCredential;
      this.destinationRule = newDestinationRule(this, 'DestinationRule', r.apiVersion, {
        name: destinationRuleName, namespace: drNamespace, annotations: tlsCredential ? elsewhere : undefined,
      }, {
        host: r.host,
        exportTo: forGateway(drNamespace),
        trafficPolicy: {
          loadBalancer: { simple: loadBalancer as unknown as istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple },
          portLevelSettings: [{
            port: { number: r.httpsPort },
            tls: {
              mode: (mutual ? TlsMode.MUTUAL : TlsMode.SIMPLE) as unknown as istio.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode,
              credentialName: tlsCredential?.secretName,
              sni: props.sni ?? (mutual ? r.host : undefined),
              subjectAltNames: props.subjectAltNames,
            },
          }],
        },
      });
      if (tlsCredential) gateway._grantSecretAccess();
      this.credentialSecret = credential
        ? credential._bind(this, 'Credential', gateway.namespace, CredentialPurpose.CLIENT)
        : caCredential?._bind(this, 'CaCredential', gateway.namespace, CredentialPurpose.CA);

      const imports: EgressImport[] = [
        { namespace, host: r.host },
        { namespace: gateway.namespace, host: gateway.host },
        ...(clusterService ? [{ namespace: clusterService.namespace, host: r.host }] : []),
      ];
      this.egressPath = {
        host: r.host,
        imports,
        gatewayNamespace: gateway.namespace,
        namespace,
        clientNamespaceOnly: false,
        resolution: createServiceEntry ? (props.resolution ?? Resolution.DNS) : undefined,
      };
    } catch (e) {
      throw located(this, e);
    }
  }
}
