import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as gw from '../../imports/gateway.networking.k8s.io';
import { kubeObject } from '../private/k8s-object';
import { IstioApiVersion, LoadBalancer, TlsMode, newDestinationRule, validateApiVersion } from '../core/istio';
import { brandSymbol, hasBrand, setBrand } from '../private/brand';
import { located } from '../private/located-error';
import { validateLoadBalancer } from '../core/tls-origination';
import {
  checkProps, shortenName, show, validateDnsLabel, validateHost, validateNamespace, validateObjectName, validatePort,
  validateServiceName,
} from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/** One listener of a Gateway API egress gateway: sidecars send to it with Istio mutual TLS. */
export interface GatewayApiEgressListener {
  /** Name of the listener, unique in the Gateway (a DNS-1123 label). */
  readonly name: string;
  /**
   * Port of the listener, and of the Service Istio generates for the Gateway (`<name>-istio`).
   * Unique in the Gateway: the DestinationRule for the gateway's Service sets one SNI per port.
   */
  readonly port: number;
  /**
   * Host the listener accepts, as in Istio's task (`edition.cnn.com`); sidecars send it as SNI. A
   * `*.domain` wildcard accepts the hosts of that domain.
   * @default - every host (no SNI is set): one listener serves every host routed through the gateway
   */
  readonly hostname?: string;
}

/** Props of `GatewayApiEgressGateway`. */
export interface GatewayApiEgressGatewayProps {
  /**
   * `metadata.name` of the Gateway. Istio deploys the gateway as the Deployment, Service and ServiceAccount
   * `<name>-istio`, so the name is a DNS-1035 label of at most 57 characters.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Namespace of the Gateway, where Istio deploys the gateway pods: the gateway reads client credentials
   * (Secrets) here, and routes from the gateway (`allowedRoutes: Same`) live here.
   * @default - the chart's namespace, or `default`
   */
  readonly namespace?: string;
  /**
   * The listeners: protocol `HTTPS`, TLS mode `Terminate` with Istio's option
   * `gateway.istio.io/tls-terminate-mode: ISTIO_MUTUAL`, routes from the same namespace only.
   * @default - one listener `https` on port 80 for every host
   */
  readonly listeners?: GatewayApiEgressListener[];
  /**
   * `metadata.name` of the DestinationRule that makes sidecars use Istio mutual TLS to the gateway's Service.
   * @default - `<name>-istio`
   */
  readonly destinationRuleName?: string;
  /**
   * Load balancing algorithm of that DestinationRule.
   * @default LoadBalancer.ROUND_ROBIN
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * Cluster DNS domain, used to build `host`.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * API version of the DestinationRule.
   * @default IstioApiVersion.V1
   */
  readonly apiVersion?: IstioApiVersion;
}

/** What is known about a Gateway API egress gateway deployed by another app or repository. */
export interface GatewayApiEgressGatewayAttributes {
  /** `metadata.name` of the Gateway (Istio runs it as `<name>-istio`). */
  readonly name: string;
  /** Namespace of the Gateway and of the gateway pods. */
  readonly namespace: string;
  /**
   * The Gateway's listeners, as its owner declared them: originations pick the listener for their host.
   * @default - one listener `https` on port 80 for every host (the default of `GatewayApiEgressGateway`)
   */
  readonly listeners?: GatewayApiEgressListener[];
  /**
   * Cluster DNS domain, used to build `host`.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * API version of the Istio objects the originations through it emit.
   * @default IstioApiVersion.V1
   */
  readonly apiVersion?: IstioApiVersion;
}

const ATTRIBUTE_KEYS = PROP_KEYS.GatewayApiEgressGatewayAttributes;

/** Set by `fromAttributes` for the one constructor call it makes. */
let importing = false;

const LISTENER_KEYS = PROP_KEYS.GatewayApiEgressListener;
const PROPS = PROP_KEYS.GatewayApiEgressGatewayProps;

/** Istio's annotation that sets the type of the Service it generates for a Gateway. */
export const SERVICE_TYPE_ANNOTATION = 'networking.istio.io/service-type';
/** Istio's listener option that makes an HTTPS listener terminate Istio mutual TLS. */
export const TLS_TERMINATE_MODE_OPTION = 'gateway.istio.io/tls-terminate-mode';
/** Label Istio puts on the pods of a Gateway API gateway. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

const BRAND = brandSymbol('GatewayApiEgressGateway');

/**
 * An egress gateway deployed by Istio from a Kubernetes Gateway API `Gateway` of class `istio`: no
 * `istioctl install` component is needed, Istio runs the Deployment, Service and ServiceAccount `<name>-istio`
 * in the Gateway's namespace.
 *
 * Emits a **Gateway** (child id `Resource`) with the annotation `networking.istio.io/service-type: ClusterIP`
 * and HTTPS listeners that terminate Istio mutual TLS, and a **DestinationRule** (child id
 * `DestinationRule`) for `<name>-istio.<namespace>.svc.<clusterDomain>` with TLS mode `ISTIO_MUTUAL` on each
 * listener port (with the listener's hostname as SNI). The first mutual TLS origination through the gateway
 * adds a **Role** and **RoleBinding** `<name>-istio-sds` (child ids `SdsRole`, `SdsRoleBinding`) that let the
 * gateway's service account read Secrets of its namespace; a route from another namespace adds a
 * **ReferenceGrant** for the gateway's Service.
 *
 * Hosts are routed through it with `GatewayApiEgressTlsOrigination`. A gateway owned by another app or
 * repository is described with `GatewayApiEgressGateway.fromAttributes()`.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/
 * @example
 * import { GatewayApiEgressGateway, GatewayApiEgressTlsOrigination } from 'cdk8s-istio-egress';
 *
 * const gateway = new GatewayApiEgressGateway(chart, 'egress'); // one listener on port 80 for every host
 * new GatewayApiEgressTlsOrigination(chart, 'cnn', { host: 'edition.cnn.com', gateway });
 */
export class GatewayApiEgressGateway extends Construct {
  /**
   * Whether `x` is a `GatewayApiEgressGateway`, also one made by another copy of this package (two versions in
   * node_modules), where `instanceof` is false.
   */
  public static isGatewayApiEgressGateway(x: any): x is GatewayApiEgressGateway {
    return hasBrand(x, BRAND);
  }

  /**
   * Describes a Gateway API egress gateway deployed by another app or repository. Emits nothing; originations
   * through it emit only their own objects. What the gateway's owner must grant is then not emitted, and must
   * be in the owner's output: a ReferenceGrant in the gateway's namespace that lets HTTPRoutes of each client
   * namespace send to the Service `<name>-istio`, and, for credentials, a Role and RoleBinding `<name>-istio-sds`
   * that let the ServiceAccount `<name>-istio` get, watch and list Secrets (what `GatewayApiEgressGateway`
   * emits). The objects that need them carry the annotation
   * `validation.cdk8s-istio-egress.io/gateway-deployed-elsewhere: "true"`, so the validator reports what it
   * could not check as a warning.
   * @example
   * import { GatewayApiEgressGateway } from 'cdk8s-istio-egress';
   *
   * const gateway = GatewayApiEgressGateway.fromAttributes({ name: 'egress', namespace: 'istio-egress' });
   */
  public static fromAttributes(attrs: GatewayApiEgressGatewayAttributes): GatewayApiEgressGateway {
    try {
      checkProps('GatewayApiEgressGateway.fromAttributes', attrs, ATTRIBUTE_KEYS, { what: 'attributes' });
      validateDnsLabel('name', attrs.name, 'a Gateway name (a DNS-1123 label)');
      validateNamespace('namespace', attrs.namespace);
    } catch (e) {
      throw located('GatewayApiEgressGateway.fromAttributes', e);
    }
    // a construct of its own app, which is never synthesized: `resource` and `destinationRule` describe what the
    // gateway's owner deploys, and nothing the originations would add for the owner is emitted
    const chart = new Chart(new App({ outdir: '.' }), 'deployed-elsewhere', { namespace: attrs.namespace });
    importing = true;
    try {
      return new GatewayApiEgressGateway(chart, 'Gateway', {
        name: attrs.name, namespace: attrs.namespace, listeners: attrs.listeners, clusterDomain: attrs.clusterDomain, apiVersion: attrs.apiVersion,
      });
    } finally {
      importing = false;
    }
  }

  /** `metadata.name` of the Gateway. */
  public readonly name: string;
  /** Namespace of the Gateway and of the gateway pods. */
  public readonly namespace: string;
  /** Name of the Service and ServiceAccount Istio generates: `<name>-istio`. */
  public readonly serviceName: string;
  /** Fully qualified name of the generated Service: `<name>-istio.<namespace>.svc.<clusterDomain>`. */
  public readonly host: string;
  /** Labels of the gateway pods (`gateway.networking.k8s.io/gateway-name: <name>`). */
  public readonly podLabels: { [key: string]: string };
  /** The listeners. */
  public readonly listeners: GatewayApiEgressListener[];
  /** Cluster DNS domain. */
  public readonly clusterDomain: string;
  /** API version of the Istio objects. */
  public readonly apiVersion: IstioApiVersion;
  /**
   * Whether the gateway is deployed by another app (`fromAttributes`): then `resource` and `destinationRule`
   * describe what its owner deploys and are not part of this app's output.
   */
  public readonly deployedElsewhere: boolean;
  /** The Gateway. */
  public readonly resource: ApiObject;
  /** The DestinationRule for the gateway's Service. */
  public readonly destinationRule: ApiObject;

  private readonly hosts = new Map<string, string>();
  private readonly routeGrants = new Set<string>();
  private sdsRole?: ApiObject;

  public constructor(scope: Construct, id: string, props: GatewayApiEgressGatewayProps = {}) {
    super(scope, id);
    setBrand(this, BRAND);
    this.deployedElsewhere = importing;
    importing = false;
    try {
      props = checkProps('GatewayApiEgressGateway', props, PROPS, { optional: true });
      const name = props.name ?? id;
      validateDnsLabel('name', name, 'a Gateway name (a DNS-1123 label)');
      validateServiceName('name', `${name}-istio`, 'a name that leaves room for the Service Istio generates, `<name>-istio` (a DNS-1035 label of at most 63 characters: at most 57 for the name, starting with a letter)');
      this.name = name;
      this.namespace = validateNamespace('namespace', props.namespace ?? Chart.of(this).namespace ?? 'default');
      this.clusterDomain = validateHost('clusterDomain', props.clusterDomain ?? 'cluster.local');
      this.apiVersion = validateApiVersion(props.apiVersion ?? IstioApiVersion.V1);
      this.serviceName = `${name}-istio`;
      this.host = `${this.serviceName}.${this.namespace}.svc.${this.clusterDomain}`;
      this.podLabels = { [GATEWAY_NAME_LABEL]: name };
      const loadBalancer = validateLoadBalancer(props.loadBalancer ?? LoadBalancer.ROUND_ROBIN)!;

      const listeners = props.listeners ?? [{ name: 'https', port: 80 }];
      if (!Array.isArray(listeners) || listeners.length === 0 || listeners.length > 64) {
        throw new Error(`'listeners' must list 1 to 64 listeners (the Gateway API limit) (got ${show(listeners)})`);
      }
      const names = new Set<string>();
      const ports = new Set<number>();
      this.listeners = listeners.map((l, i) => {
        checkProps(`GatewayApiEgressGateway listeners[${i}]`, l, LISTENER_KEYS, { what: 'a listener' });
        validateDnsLabel(`listeners[${i}].name`, l.name, 'a listener name (a DNS-1123 label)');
        const port = validatePort(`listeners[${i}].port`, l.port);
        if (names.has(l.name)) throw new Error(`'listeners[${i}].name' must be unique in the Gateway (got ${show(l.name)} twice)`);
        if (ports.has(port)) {
          throw new Error(`'listeners[${i}].port' must be unique in the Gateway: the DestinationRule for ${this.host} sets one SNI per port, so two listeners on one port cannot both be reached (got ${port} twice)`);
        }
        names.add(l.name);
        ports.add(port);
        if (l.hostname !== undefined) validateHost(`listeners[${i}].hostname`, l.hostname, { allowWildcard: true });
        return { name: l.name, port, ...(l.hostname !== undefined ? { hostname: l.hostname } : {}) };
      });

      this.resource = new gw.Gateway(this, 'Resource', {
        metadata: { name, namespace: this.namespace, annotations: { [SERVICE_TYPE_ANNOTATION]: 'ClusterIP' } },
        spec: {
          gatewayClassName: 'istio',
          listeners: this.listeners.map((l) => ({
            name: l.name,
            hostname: l.hostname,
            port: l.port,
            protocol: 'HTTPS',
            tls: { mode: gw.GatewaySpecListenersTlsMode.TERMINATE, options: { [TLS_TERMINATE_MODE_OPTION]: TlsMode.ISTIO_MUTUAL } },
            allowedRoutes: { namespaces: { from: gw.GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
          })),
        },
      });

      const destinationRuleName = validateObjectName('destinationRuleName', props.destinationRuleName ?? this.serviceName);
      this.destinationRule = newDestinationRule(this, 'DestinationRule', this.apiVersion, { name: destinationRuleName, namespace: this.namespace }, {
        host: this.host,
        trafficPolicy: {
          loadBalancer: { simple: loadBalancer as any },
          portLevelSettings: this.listeners.map((l) => ({
            port: { number: l.port },
            // a wildcard hostname is no SNI: the sidecar then sends none, and the listener accepts it
            tls: { mode: TlsMode.ISTIO_MUTUAL as any, sni: l.hostname?.startsWith('*.') ? undefined : l.hostname },
          })),
        },
      });
    } catch (e) {
      throw located(this, e);
    }
  }

  /**
   * The listener that accepts `host` on `port` (or on any port when `port` is not given): one with that
   * hostname, else a wildcard hostname that covers it, else one without hostname.
   */
  public listenerFor(host: string, port?: number): GatewayApiEgressListener | undefined {
    const candidates = this.listeners.filter((l) => port === undefined || l.port === port);
    return candidates.find((l) => l.hostname === host)
      ?? candidates.find((l) => l.hostname?.startsWith('*.') && host.endsWith(l.hostname.slice(1)))
      ?? candidates.find((l) => l.hostname === undefined);
  }

  /**
   * Records that `path` routes `host` through the gateway; throws when another construct already does.
   * @internal
   */
  public _claimHost(host: string, path: string): void {
    const other = this.hosts.get(host);
    if (other !== undefined) {
      throw new Error(`'host' ${show(host)} is already routed through the Gateway ${show(this.name)} by '${other}': route each host through a gateway once`);
    }
    this.hosts.set(host, path);
  }

  /**
   * Lets the gateway's service account read the Secrets of its namespace (client credentials of mutual
   * TLS origination), once: Istio's task grants `get`, `watch` and `list` without resource names (SDS lists).
   * @internal
   */
  public _grantSecretAccess(): void {
    if (this.sdsRole || this.deployedElsewhere) return;
    const name = shortenName(`${this.serviceName}-sds`, 253);
    this.sdsRole = kubeObject(this, 'SdsRole', 'Role', {
      metadata: { name, namespace: this.namespace },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }],
    });
    kubeObject(this, 'SdsRoleBinding', 'RoleBinding', {
      metadata: { name, namespace: this.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceName, namespace: this.namespace }],
    });
  }

  /**
   * Lets HTTPRoutes of `namespace` send to the gateway's Service (a ReferenceGrant in the gateway's
   * namespace), once per namespace.
   * @internal
   */
  public _allowRoutesFrom(namespace: string): void {
    if (namespace === this.namespace || this.routeGrants.has(namespace) || this.deployedElsewhere) return;
    this.routeGrants.add(namespace);
    new gw.ReferenceGrantV1Beta1(this, `ReferenceGrant-${namespace}`, {
      metadata: { name: shortenName(`${this.serviceName}-from-${namespace}`, 253), namespace: this.namespace },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace }],
        to: [{ group: '', kind: 'Service', name: this.serviceName }],
      },
    });
  }
}
