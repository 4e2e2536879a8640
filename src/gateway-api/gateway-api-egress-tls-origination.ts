import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../imports/gateway.networking.k8s.io';
import * as istio from '../../imports/networking.istio.io';
import { EgressImport, EgressPath, IEgressOrigination } from '../core/egress-path';
import { GatewayApiEgressGateway } from './gateway-api-egress-gateway';
import {
  GatewayTlsOriginationBaseProps, bindGatewayCredential, checkDestinationRuleNamespace, clusterServiceOf, emitGatewayServiceEntry,
  emitOriginatingDestinationRule, refuseResolutionNone, resolveCreateServiceEntry, resolveGatewayOrigination, serviceEntryNameOf,
} from '../core/gateway-tls-origination';
import { Resolution, compact } from '../core/istio';
import { located } from '../private/located-error';
import { GATEWAY_ELSEWHERE_ANNOTATION } from '../common/annotations';
import { checkProps, shortenName, show, validateExportTo, validateNamespace, validateObjectName, validatePort } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';
import { exportToFor, validateLocation } from '../private/visibility';

/** Props of `GatewayApiEgressTlsOrigination`. */
export interface GatewayApiEgressTlsOriginationProps extends GatewayTlsOriginationBaseProps {
  /** The Gateway API egress gateway the traffic leaves through. */
  readonly gateway: GatewayApiEgressGateway;
  /**
   * Namespace of the ServiceEntry and of the route from the sidecars to the gateway: the namespace of the
   * client workloads. Routes from another namespace than the gateway's get a ReferenceGrant.
   * @default - the chart's namespace, or the gateway's
   */
  readonly namespace?: string;
  /**
   * Listener port of the gateway the sidecars send to, with Istio mutual TLS.
   * @default - the port of the gateway's listener for the host (one with this hostname, a wildcard that
   * covers it, or one without hostname)
   */
  readonly gatewayPort?: number;
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
}

const PROPS = PROP_KEYS.GatewayApiEgressTlsOriginationProps;

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
      refuseResolutionNone(props);
      const gateway = props.gateway;
      if (!GatewayApiEgressGateway.isGatewayApiEgressGateway(gateway)) {
        throw new Error(`'gateway' must be a GatewayApiEgressGateway (got ${show(gateway)})`);
      }
      const o = resolveGatewayOrigination(props, gateway, gateway.apiVersion);
      const { r, mutual, credential, caCredential } = o;
      const gatewayPort = props.gatewayPort !== undefined ? validatePort('gatewayPort', props.gatewayPort) : undefined;
      const listener = gateway.listenerFor(r.host, gatewayPort);
      if (!listener) {
        const ls = gateway.listeners.map((l) => `${l.name} (port ${l.port}, ${l.hostname ? `hostname ${l.hostname}` : 'every host'})`).join(', ');
        throw new Error(`'${gatewayPort !== undefined ? 'gatewayPort' : 'host'}' must be accepted by a listener of the Gateway ${show(gateway.name)}: ${ls} (got host ${show(r.host)}${gatewayPort !== undefined ? ` on port ${gatewayPort}` : ''})`);
      }

      const clusterService = clusterServiceOf(r.host, gateway.clusterDomain);
      const createServiceEntry = resolveCreateServiceEntry(props, clusterService);

      const namespace = r.namespace ?? Chart.of(this).namespace ?? gateway.namespace;
      const base = r.name;
      const label = base.replace(/\./g, '-');
      const derived = (n: string) => shortenName(n, 253);
      const serviceEntryName = serviceEntryNameOf(props, r);
      const meshRouteName = validateObjectName('meshRouteName', props.meshRouteName ?? derived(`direct-${label}-to-egress-gateway`));
      const forwardRouteName = validateObjectName('forwardRouteName', props.forwardRouteName ?? derived(`forward-${label}-from-egress-gateway`));
      const destinationRuleName = validateObjectName('destinationRuleName', props.destinationRuleName ?? derived(`originate-${mutual ? 'mtls' : 'tls'}-for-${label}`));
      const drNamespace = props.destinationRuleNamespace !== undefined
        ? validateNamespace('destinationRuleNamespace', props.destinationRuleNamespace) : gateway.namespace;
      const lookupPath = [gateway.namespace, ...(createServiceEntry ? [namespace] : []), ...(clusterService ? [clusterService.namespace] : [])];
      checkDestinationRuleNamespace(drNamespace, lookupPath);
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
        this.serviceEntry = emitGatewayServiceEntry(this, props, r, { name: serviceEntryName, namespace }, forGateway(namespace), location);
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
      this.destinationRule = emitOriginatingDestinationRule(this, props, o, {
        name: destinationRuleName, namespace: drNamespace, annotations: tlsCredential ? elsewhere : undefined,
      }, forGateway(drNamespace));
      if (tlsCredential) gateway._grantSecretAccess();
      this.credentialSecret = bindGatewayCredential(this, o, gateway.namespace);

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
