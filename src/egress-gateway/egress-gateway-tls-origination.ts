import { createHash } from 'crypto';
import { ApiObject, ApiObjectMetadata, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { EgressGateway } from './egress-gateway';
import { EgressPath, IEgressOrigination } from '../core/egress-path';
import {
  GatewayTlsOriginationBaseProps, bindGatewayCredential, checkDestinationRuleNamespace, clusterServiceOf, emitGatewayServiceEntry,
  emitOriginatingDestinationRule, refuseResolutionNone, resolveCreateServiceEntry, resolveGatewayOrigination, serviceEntryNameOf,
} from '../core/gateway-tls-origination';
import { IstioApiVersion, Resolution, TlsMode, compact, newDestinationRule } from '../core/istio';
import { located } from '../private/located-error';
import { checkProps, show, validateDnsLabel, validateExportTo, validateNamespace, validateObjectName, validatePort } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';
import { exportToFor, validateLocation } from '../private/visibility';

/** Props of `EgressGatewayTlsOrigination`. */
export interface EgressGatewayTlsOriginationProps extends GatewayTlsOriginationBaseProps {
  /**
   * The egress gateway the traffic leaves through. Describe it once and share it between hosts.
   * @default EgressGateway.fromAttributes() - Istio's `istio-egressgateway` in `istio-system`
   */
  readonly gateway?: EgressGateway;
  /**
   * Namespace of the ServiceEntry, the Gateway, the gateway's DestinationRule and the VirtualService: the
   * namespace of the client workloads. The gateway's DestinationRule (with the subset) is found by clients
   * of this namespace only; clients elsewhere get `503 cluster_not_found`.
   * @default - the chart's namespace (none: the namespace `kubectl apply` targets, `default` in the task)
   */
  readonly namespace?: string;
  /**
   * Port of the gateway's Service the sidecars send to, with Istio mutual TLS: the Gateway server's port
   * and the port of the subset's TLS settings. Must be a port of the gateway's Service.
   * @default 80
   */
  readonly gatewayPort?: number;
  /**
   * Name of the Gateway server's port.
   * @default 'https'
   */
  readonly gatewayPortName?: string;
  /**
   * `metadata.name` of the Gateway (a DNS-1123 label: Istio refuses dots in Gateway names). One Gateway
   * per host, so that hosts share the installed gateway without sharing an object.
   * @default - `egressgateway-for-<name>`
   */
  readonly gatewayName?: string;
  /**
   * `metadata.name` of the DestinationRule for the gateway's Service, which holds the subset.
   * @default - `egressgateway-for-<name>`
   */
  readonly gatewayDestinationRuleName?: string;
  /**
   * Name of the subset of the gateway's Service for this host, unique per host.
   * @default - `name`
   */
  readonly subsetName?: string;
  /**
   * `metadata.name` of the VirtualService.
   * @default - `direct-<name>-through-egress-gateway`
   */
  readonly virtualServiceName?: string;
  /**
   * Namespace of the DestinationRule that originates TLS. The gateway looks DestinationRules up in its own
   * namespace, then in the host's (the ServiceEntry's, or the Service's), so only those are allowed.
   * @default - the gateway's namespace with a credential (next to the Secret, as in the Istio task) or
   * without a ServiceEntry; otherwise the ServiceEntry's namespace
   */
  readonly destinationRuleNamespace?: string;
  /**
   * Namespaces whose sidecars may send to the host this way: `.` (the origination's `namespace`) or that
   * namespace's name. The construct adds the egress gateway's namespace wherever the gateway must see an
   * object: the ServiceEntry, the VirtualService and the DestinationRule that originates TLS get the list plus
   * the gateway's namespace (`['.']` in `shop` with the gateway in `istio-system` gives `['.', 'istio-system']`);
   * the DestinationRule with the gateway subset, which only the sidecars use, gets the list. Without the
   * gateway's namespace the gateway cannot see the VirtualService or the host (404 or 503, istio/istio#35430).
   *
   * Other namespaces are refused unless `namespace` is the gateway's: Istio applies the subset DestinationRule
   * only to sidecars of its own namespace (or of any namespace it is exported to when it lives in the gateway
   * Service's namespace), so their sidecars would get the route and fail with 503 `cluster_not_found`. To serve
   * clients of several namespaces, put the origination in the gateway's namespace and list them.
   * @default - not set on any object: Istio's default, every namespace (clients outside `namespace` then get 503,
   * which `wiring/dr-visibility` reports)
   */
  readonly exportTo?: string[];
  /**
   * API version of the Istio objects.
   * @default IstioApiVersion.V1
   */
  readonly apiVersion?: IstioApiVersion;
}

const PROPS = PROP_KEYS.EgressGatewayTlsOriginationProps;

const GATEWAY = {
  [IstioApiVersion.V1]: istio.Gateway,
  [IstioApiVersion.V1BETA1]: istio.GatewayV1Beta1,
  [IstioApiVersion.V1ALPHA3]: istio.GatewayV1Alpha3,
};

const VIRTUAL_SERVICE = {
  [IstioApiVersion.V1]: istio.VirtualService,
  [IstioApiVersion.V1BETA1]: istio.VirtualServiceV1Beta1,
  [IstioApiVersion.V1ALPHA3]: istio.VirtualServiceV1Alpha3,
};

/**
 * TLS origination at an Istio egress gateway: applications call `http://<host>`, their sidecars send the
 * request to the egress gateway with Istio mutual TLS, and the gateway originates TLS (`SIMPLE`, or
 * `MUTUAL` with a client credential) to the external host.
 *
 * Emits, with the Istio API:
 * - a **ServiceEntry** (child id `ServiceEntry`) for the host with the HTTP and HTTPS ports and resolution
 *   `DNS` (not for a Service of the cluster);
 * - a **Gateway** (child id `Gateway`) selecting the gateway's pods, with one `HTTPS` server for the host
 *   on `gatewayPort` and TLS mode `ISTIO_MUTUAL`;
 * - a **DestinationRule** for the gateway's Service (child id `GatewayDestinationRule`) with a subset for
 *   the host whose TLS settings on `gatewayPort` are `ISTIO_MUTUAL` with `sni` = the host;
 * - a **VirtualService** (child id `VirtualService`) bound to the Gateway and `mesh`: from the sidecars,
 *   `httpPort` goes to the gateway subset on `gatewayPort`; from the gateway, `gatewayPort` goes to the host
 *   on `httpsPort`;
 * - a **DestinationRule** for the host (child id `DestinationRule`) originating TLS on `httpsPort`, without
 *   `workloadSelector` (it applies at the gateway), with `credentialName` for mutual TLS;
 * - the Secret of a `fromPem` credential or the cert-manager Certificate of a `fromCertManager` one, in the
 *   gateway's namespace (child id `Credential` or `CaCredential`).
 *
 * Several hosts share one installed gateway: each gets its own Gateway object, subset and routes.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/
 * @example
 * import { EgressGateway, EgressGatewayTlsOrigination, MeshExternalNginx, TlsCredential } from 'cdk8s-istio-egress';
 *
 * const gateway = EgressGateway.fromAttributes();
 * // the gateway in istio-system must see the server's Service
 * const nginx = new MeshExternalNginx(chart, 'my-nginx', { exportTo: ['.', 'istio-system'] });
 * new EgressGatewayTlsOrigination(chart, 'cnn', { host: 'edition.cnn.com', gateway });
 * new EgressGatewayTlsOrigination(chart, 'nginx', {
 *   host: nginx.host, gateway, gatewayPort: 443,
 *   credential: TlsCredential.fromExistingSecret('client-credential'),
 * });
 */
export class EgressGatewayTlsOrigination extends Construct implements IEgressOrigination {
  /** The external host. */
  public readonly host: string;
  /** The short name the object names derive from. */
  public readonly name: string;
  /** Namespace of the ServiceEntry, Gateway, gateway DestinationRule and VirtualService, when set. */
  public readonly namespace?: string;
  /** The egress gateway the traffic leaves through. */
  public readonly gateway: EgressGateway;
  /** Whether the gateway originates mutual TLS (a credential was given). */
  public readonly mutual: boolean;
  /** The HTTP port applications call. */
  public readonly httpPort: number;
  /** The HTTPS port TLS is originated to. */
  public readonly httpsPort: number;
  /** The gateway Service port the sidecars send to. */
  public readonly gatewayPort: number;
  /** `metadata.name` of the Gateway; the VirtualService binds to it. */
  public readonly gatewayName: string;
  /** Name of the subset of the gateway's Service for this host. */
  public readonly subsetName: string;
  /** Namespace of the DestinationRule that originates TLS, when set. */
  public readonly destinationRuleNamespace?: string;
  /** The ServiceEntry, unless the host is a Service of the cluster or `createServiceEntry` is false. */
  public readonly serviceEntry?: ApiObject;
  /** The Gateway. */
  public readonly gatewayObject: ApiObject;
  /** The DestinationRule for the gateway's Service, with the subset. */
  public readonly gatewayDestinationRule: ApiObject;
  /** The VirtualService. */
  public readonly virtualService: ApiObject;
  /** The DestinationRule that originates TLS at the gateway. */
  public readonly destinationRule: ApiObject;
  /** The credential Secret (`fromPem`) or cert-manager Certificate (`fromCertManager`), when emitted. */
  public readonly credentialSecret?: ApiObject;
  /** What a client proxy needs to reach the host this way: see `OutboundLockdown.allow`. */
  public readonly egressPath: EgressPath;

  public constructor(scope: Construct, id: string, props: EgressGatewayTlsOriginationProps) {
    super(scope, id);
    try {
      checkProps('EgressGatewayTlsOrigination', props, PROPS);
      refuseResolutionNone(props);
      const gateway = props.gateway ?? EgressGateway.fromAttributes();
      if (!EgressGateway.isEgressGateway(gateway)) {
        throw new Error(`'gateway' must be made with EgressGateway.fromAttributes() (got ${show(gateway)})`);
      }
      const o = resolveGatewayOrigination(props, gateway, props.apiVersion);
      const { r, mutual } = o;
      const gatewayPort = validatePort('gatewayPort', props.gatewayPort ?? 80);
      if (!gateway.hasPort(gatewayPort)) {
        throw new Error(`'gatewayPort' must be a port of the egress gateway's Service ${gateway.host} (${gateway.portNumbers.join(', ')}): Istio binds a Gateway server to the target port of the Service port with its number (got ${gatewayPort})`);
      }
      const gatewayPortName = validateDnsLabel('gatewayPortName', props.gatewayPortName ?? 'https', 'a port name (a DNS-1123 label)');

      const clusterService = clusterServiceOf(r.host, gateway.clusterDomain);
      const createServiceEntry = resolveCreateServiceEntry(props, clusterService);

      // names: explicit ones are validated as given; derived ones are shortened to fit, never refused
      const base = r.name;
      const label = fitLabel(base.replace(/\./g, '-'));
      const serviceEntryName = serviceEntryNameOf(props, r);
      const gatewayName = props.gatewayName !== undefined
        ? validateDnsLabel('gatewayName', props.gatewayName, 'a Gateway name (a DNS-1123 label: Istio refuses dots)')
        : fitLabel(`egressgateway-for-${label}`);
      const gatewayDestinationRuleName = validateObjectName('gatewayDestinationRuleName', props.gatewayDestinationRuleName ?? fitLabel(`egressgateway-for-${label}`));
      const subsetName = validateDnsLabel('subsetName', props.subsetName ?? label, 'a subset name (a DNS-1123 label)');
      const virtualServiceName = validateObjectName('virtualServiceName', props.virtualServiceName ?? fitLabel(`direct-${label}-through-egress-gateway`));
      const destinationRuleName = validateObjectName('destinationRuleName', props.destinationRuleName ?? fitLabel(`originate-${mutual ? 'mtls' : 'tls'}-for-${label}`));

      const chartNamespace = Chart.of(this).namespace;
      const namespace = r.namespace ?? chartNamespace;
      const hostNamespace = clusterService?.namespace;
      const drNamespace = props.destinationRuleNamespace !== undefined
        ? validateNamespace('destinationRuleNamespace', props.destinationRuleNamespace)
        : (mutual || !createServiceEntry ? gateway.namespace : namespace);
      const lookupPath = [gateway.namespace, ...(createServiceEntry ? [namespace ?? 'default'] : []), ...(hostNamespace ? [hostNamespace] : [])];
      checkDestinationRuleNamespace(drNamespace ?? 'default', lookupPath);
      const location = validateLocation(props.location, createServiceEntry);
      const exportTo = props.exportTo === undefined ? undefined
        : validateGatewayExportTo(props.exportTo, namespace, gateway.namespace, gatewayDestinationRuleName, subsetName);

      this.host = r.host;
      this.name = base;
      this.namespace = namespace;
      this.gateway = gateway;
      this.mutual = mutual;
      this.httpPort = r.httpPort;
      this.httpsPort = r.httpsPort;
      this.gatewayPort = gatewayPort;
      this.gatewayName = gatewayName;
      this.subsetName = subsetName;
      this.destinationRuleNamespace = drNamespace;

      const meta = (name: string, ns: string | undefined): ApiObjectMetadata => ({ name, namespace: ns });
      // the objects the gateway uses are exported to its namespace too; the subset DestinationRule only to the clients
      const forGateway = (ns: string | undefined) => exportToFor(exportTo, namespace, ns, [gateway.namespace]);
      const claims: string[] = [
        `Gateway "${gatewayName}" in namespace "${namespace ?? '(none)'}"`,
        `DestinationRule "${gatewayDestinationRuleName}" in namespace "${namespace ?? '(none)'}"`,
        `subset "${subsetName}" of ${gateway.host} for clients in namespace "${namespace ?? '(none)'}"`,
        `VirtualService "${virtualServiceName}" in namespace "${namespace ?? '(none)'}"`,
        `DestinationRule "${destinationRuleName}" in namespace "${drNamespace ?? '(none)'}"`,
      ];
      if (createServiceEntry) claims.push(`ServiceEntry "${serviceEntryName}" in namespace "${namespace ?? '(none)'}"`);
      claim(this, [`a Gateway server for host "${r.host}" on the egress gateway ${gateway.host}`], claims);

      if (createServiceEntry) {
        this.serviceEntry = emitGatewayServiceEntry(this, props, r, meta(serviceEntryName, namespace), forGateway(namespace), location);
      }

      const GatewayKind = GATEWAY[r.apiVersion];
      this.gatewayObject = new GatewayKind(this, 'Gateway', {
        metadata: meta(gatewayName, namespace),
        spec: compact({
          selector: { ...gateway.podLabels },
          servers: [{
            port: { number: gatewayPort, name: gatewayPortName, protocol: 'HTTPS' },
            hosts: [r.host],
            tls: { mode: TlsMode.ISTIO_MUTUAL as unknown as istio.GatewaySpecServersTlsMode },
          }],
        }) as any,
      });

      this.gatewayDestinationRule = newDestinationRule(this, 'GatewayDestinationRule', r.apiVersion, meta(gatewayDestinationRuleName, namespace), {
        host: gateway.host,
        // in the gateway's namespace the VirtualService is exported there too, and so must be its subset
        exportTo: namespace === gateway.namespace ? forGateway(namespace) : exportToFor(exportTo, namespace, namespace),
        subsets: [{
          name: subsetName,
          trafficPolicy: {
            loadBalancer: { simple: o.loadBalancer as unknown as istio.DestinationRuleSpecSubsetsTrafficPolicyLoadBalancerSimple },
            portLevelSettings: [{
              port: { number: gatewayPort },
              tls: { mode: TlsMode.ISTIO_MUTUAL as unknown as istio.DestinationRuleSpecSubsetsTrafficPolicyPortLevelSettingsTlsMode, sni: r.host },
            }],
          },
        }],
      });

      const VirtualServiceKind = VIRTUAL_SERVICE[r.apiVersion];
      this.virtualService = new VirtualServiceKind(this, 'VirtualService', {
        metadata: meta(virtualServiceName, namespace),
        spec: compact({
          hosts: [r.host],
          gateways: [gatewayName, 'mesh'],
          exportTo: forGateway(namespace),
          http: [
            {
              match: [{ gateways: ['mesh'], port: r.httpPort }],
              route: [{ destination: { host: gateway.host, subset: subsetName, port: { number: gatewayPort } }, weight: 100 }],
            },
            {
              match: [{ gateways: [gatewayName], port: gatewayPort }],
              route: [{ destination: { host: r.host, port: { number: r.httpsPort } }, weight: 100 }],
            },
          ],
        }) as any,
      });

      this.destinationRule = emitOriginatingDestinationRule(this, props, o, meta(destinationRuleName, drNamespace), forGateway(drNamespace));
      this.credentialSecret = bindGatewayCredential(this, o, gateway.namespace);
      this.egressPath = {
        host: r.host,
        // the ServiceEntry and VirtualService, the gateway's Service, and the host's Service of the cluster
        imports: [{ host: r.host, namespace }, { host: gateway.host, namespace: gateway.namespace }, ...(hostNamespace ? [{ host: r.host, namespace: hostNamespace }] : [])],
        gatewayNamespace: gateway.namespace,
        namespace,
        // the subset DestinationRule is found by clients of its namespace only
        clientNamespaceOnly: true,
        resolution: createServiceEntry ? (props.resolution ?? Resolution.DNS) : undefined,
      };
    } catch (e) {
      throw located(this, e);
    }
  }
}

/**
 * Validates the `exportTo` of an origination through an Istio API egress gateway and returns a copy: Istio's
 * rules (validateExportTo), then the topology's: outside the gateway's namespace, the subset DestinationRule
 * serves the sidecars of its own namespace only, so the list names that namespace and at most the gateway's.
 */
function validateGatewayExportTo(list: string[], namespace: string | undefined, gatewayNamespace: string, drName: string, subset: string): string[] {
  const values = validateExportTo('exportTo', list, { destinationRule: true, namespace });
  if (namespace === gatewayNamespace) return values;
  const own = (e: string) => e === '.' || (namespace !== undefined && e === namespace);
  const where = namespace !== undefined ? `namespace ${show(namespace)}` : 'its namespace';
  const why = `Istio applies the DestinationRule with the gateway subset (${show(drName)} in ${where}) only to sidecars of ${where}, so sidecars of other namespaces would get the route to subset ${show(subset)} and fail with 503 cluster_not_found (istio/istio#30730); `
    + `to serve clients of several namespaces, put the origination in the gateway's namespace ${show(gatewayNamespace)} and list them there, or use GatewayApiEgressTlsOrigination`;
  const other = values.find((e) => !own(e) && e !== gatewayNamespace);
  if (other !== undefined) {
    const named = namespace === undefined && other !== '*' ? `; set 'namespace' to name ${show(other)} as the origination's own namespace` : '';
    throw new Error(`'exportTo' must list only '.' (${where}) and optionally the gateway's namespace ${show(gatewayNamespace)} (got ${show(list)}, which exports to ${other === '*' ? 'every namespace' : show(other)}): ${why}${named}`);
  }
  if (!values.some(own)) {
    throw new Error(`'exportTo' must include '.' (${where}) (got ${show(list)}): only sidecars of ${where} can use this origination, and without it none sees the VirtualService`);
  }
  return values;
}

/** Shortens a derived name to a DNS-1123 label (63 characters) with a stable hash suffix. */
function fitLabel(name: string): string {
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** What the egress gateway originations of one app claim: claim → construct paths. */
const CLAIMS = new WeakMap<object, Map<string, string[]>>();
const CHECKED = new WeakSet<object>();

/**
 * Records what `scope` emits, and makes its chart fail synth when two constructs emit the same object in
 * one chart, or route the same host through the same gateway anywhere in the app: the second object would
 * overwrite the first, or Istio would pick one of two Gateway servers for the host. Object names are
 * compared within a chart only, since each chart is its own manifest file (the Istio tasks of the main app
 * reuse names such as the Gateway `istio-egressgateway` and are applied one at a time).
 */
function claim(scope: Construct, appWide: string[], perChart: string[]): void {
  const root = scope.node.root;
  let claims = CLAIMS.get(root);
  if (!claims) CLAIMS.set(root, claims = new Map());
  const chart = Chart.of(scope);
  const chartPath = chart.node.path;
  const path = scope.node.path;
  const add = (w: string) => {
    const paths = claims!.get(w);
    if (paths) paths.push(path);
    else claims!.set(w, [path]);
  };
  appWide.forEach(add);
  perChart.forEach((w) => add(`${w}\0${chartPath}`));
  if (CHECKED.has(chart)) return;
  CHECKED.add(chart);
  const prefix = chartPath === '' ? '' : `${chartPath}/`;
  chart.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      for (const [key, paths] of claims) {
        if (paths.length < 2 || !paths.some((p) => p.startsWith(prefix))) continue;
        const [what, inChart] = key.split('\0');
        if (inChart !== undefined && inChart !== chartPath) continue;
        const advice = inChart === undefined
          ? 'route each host through a gateway once'
          : "give one of them another 'name' (or set the object's name prop) or 'namespace'";
        errors.push(`'${paths.join("' and '")}' both emit ${what}: ${advice}`);
      }
      return errors;
    },
  });
}
