import { brandSymbol, hasBrand, setBrand } from '../private/brand';
import { located } from '../private/located-error';
import { checkProps, show, validateDnsLabel, validateHost, validateLabels, validateNamespace, validatePort } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/** One port of the egress gateway's Kubernetes Service. */
export interface EgressGatewayServicePort {
  /** The Service port: what Gateway servers and the sidecars' routes name. */
  readonly port: number;
  /**
   * The container port of the gateway pods the Service sends `port` to.
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /**
   * Name of the Service port.
   * @default - none
   */
  readonly name?: string;
}

/** What is known about an egress gateway installed out of band (by `istioctl install` or the Helm chart). */
export interface EgressGatewayAttributes {
  /**
   * Namespace the gateway runs in. Credentials for mutual TLS origination must live here.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Name of the gateway's Kubernetes Service.
   * @default 'istio-egressgateway'
   */
  readonly serviceName?: string;
  /**
   * Labels of the gateway's pods, used as the `selector` of the Istio Gateway objects (at least one).
   * The Helm chart labels its pods `istio: <release name without "istio-">`.
   * @default { istio: 'egressgateway' }
   */
  readonly podLabels?: Record<string, string>;
  /**
   * Ports of the gateway's Service. Gateway servers must use one of them: Istio binds a server to the
   * target port of the Service port with its number.
   * @default - Istio's: `http2` 80 → 8080 and `https` 443 → 8443
   */
  readonly ports?: EgressGatewayServicePort[];
  /**
   * Cluster DNS domain, used to build `host`.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

const ATTRIBUTE_KEYS = PROP_KEYS.EgressGatewayAttributes;
const PORT_KEYS = PROP_KEYS.EgressGatewayServicePort;

const DEFAULT_PORTS: readonly EgressGatewayServicePort[] = [
  { name: 'http2', port: 80, targetPort: 8080 },
  { name: 'https', port: 443, targetPort: 8443 },
];

const BRAND = brandSymbol('EgressGateway');

/**
 * An Istio egress gateway installed in the cluster, described once and shared by every host routed
 * through it (`EgressGatewayTlsOrigination`). Emits nothing: the gateway itself is installed with
 * `istioctl install` (`components.egressGateways`) or the `istio/gateway` Helm chart.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#deploy-istio-egress-gateway
 * @example
 * import { EgressGateway } from 'cdk8s-istio-egress';
 *
 * const gateway = EgressGateway.fromAttributes(); // istio-egressgateway in istio-system
 * const custom = EgressGateway.fromAttributes({ namespace: 'egress', serviceName: 'egress-gw', podLabels: { istio: 'egress-gw' } });
 */
export class EgressGateway {
  /**
   * Whether `x` is an `EgressGateway`, also one made by another copy of this package (two versions in
   * node_modules), where `instanceof` is false.
   */
  public static isEgressGateway(x: any): x is EgressGateway {
    return hasBrand(x, BRAND);
  }

  /**
   * Describes an installed egress gateway. Every attribute is optional: the defaults are those of Istio's
   * `istio-egressgateway` in `istio-system`.
   */
  public static fromAttributes(attrs: EgressGatewayAttributes = {}): EgressGateway {
    try {
      return new EgressGateway(checkProps('EgressGateway.fromAttributes', attrs, ATTRIBUTE_KEYS, { optional: true, what: 'attributes' }));
    } catch (e) {
      throw located('EgressGateway.fromAttributes', e);
    }
  }

  /** Namespace of the gateway. */
  public readonly namespace: string;
  /** Name of the gateway's Service. */
  public readonly serviceName: string;
  /** Fully qualified name of the gateway's Service: `<serviceName>.<namespace>.svc.<clusterDomain>`. */
  public readonly host: string;
  /** Labels of the gateway's pods (the Gateway `selector`). */
  public readonly podLabels: Record<string, string>;
  /** Ports of the gateway's Service. */
  public readonly ports: EgressGatewayServicePort[];
  /** Cluster DNS domain. */
  public readonly clusterDomain: string;

  private constructor(attrs: EgressGatewayAttributes) {
    setBrand(this, BRAND);
    this.namespace = validateNamespace('namespace', attrs.namespace ?? 'istio-system');
    this.serviceName = validateDnsLabel('serviceName', attrs.serviceName ?? 'istio-egressgateway', 'a Service name (a DNS-1123 label)');
    this.podLabels = validateLabels('podLabels', attrs.podLabels ?? { istio: 'egressgateway' }, { nonEmpty: true });
    this.clusterDomain = validateHost('clusterDomain', attrs.clusterDomain ?? 'cluster.local');
    this.host = `${this.serviceName}.${this.namespace}.svc.${this.clusterDomain}`;
    const ports = attrs.ports ?? DEFAULT_PORTS;
    if (!Array.isArray(ports) || ports.length === 0) {
      throw new Error(`'ports' must list at least one port of the gateway's Service (got ${show(ports)})`);
    }
    const seen = new Set<number>();
    const names = new Set<string>();
    this.ports = ports.map((p, i) => {
      if (p === null || typeof p !== 'object') throw new Error(`'ports[${i}]' must be an object with 'port' (got ${show(p)})`);
      checkProps(`EgressGateway.fromAttributes ports[${i}]`, p, PORT_KEYS, { what: 'a port' });
      const port = validatePort(`ports[${i}].port`, p.port);
      const targetPort = validatePort(`ports[${i}].targetPort`, p.targetPort ?? port);
      if (seen.has(port)) throw new Error(`'ports[${i}].port' must be unique: the Service already has port ${port}`);
      seen.add(port);
      if (p.name !== undefined) {
        validateDnsLabel(`ports[${i}].name`, p.name, 'a port name (a DNS-1123 label)');
        if (names.has(p.name)) throw new Error(`'ports[${i}].name' must be unique: the Service already has a port named ${show(p.name)}`);
        names.add(p.name);
      }
      return { port, targetPort, ...(p.name !== undefined ? { name: p.name } : {}) };
    });
  }

  /** Whether `port` is a port of the gateway's Service. */
  public hasPort(port: number): boolean {
    return this.ports.some((p) => p.port === port);
  }

  /** The Service port numbers, for messages. */
  public get portNumbers(): number[] {
    return this.ports.map((p) => p.port);
  }
}
