import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { EgressPath, IEgressOrigination } from '../core/egress-path';
import { IstioApiVersion, Resolution, newServiceEntry, validateApiVersion } from '../core/istio';
import { GATEWAY_NAME_LABEL } from '../gateway-api/gateway-api-egress-gateway';
import { located } from '../private/located-error';
import {
  checkProps, nameFromHost, show, validateDnsLabel, validateHost, validateLabels, validateNamespace, validateObjectName, validatePort,
} from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/** Protocol of a port of an allow-listed external host. */
export enum AllowedHostProtocol {
  /** Plain HTTP: the sidecar routes by Host header. */
  HTTP = 'HTTP',
  /** TLS from the application (HTTPS): the sidecar routes by SNI. */
  HTTPS = 'HTTPS',
  /** TLS other than HTTPS, routed by SNI. */
  TLS = 'TLS',
}

/** An external host the locked-down workloads may call directly, without TLS origination. */
export interface AllowedHostOptions {
  /** The host, a fully qualified domain name (`httpbin.org`); wildcards are refused (DNS cannot resolve them). */
  readonly host: string;
  /**
   * Port the applications call.
   * @default 443
   */
  readonly port?: number;
  /**
   * Protocol on that port.
   * @default AllowedHostProtocol.HTTPS
   */
  readonly protocol?: AllowedHostProtocol;
  /**
   * Name of the port in the ServiceEntry.
   * @default - the protocol in lower case: `http`, `https` or `tls`
   */
  readonly portName?: string;
  /**
   * `metadata.name` of the ServiceEntry.
   * @default - derived from the host: `httpbin.org` → `httpbin-org`
   */
  readonly name?: string;
  /**
   * How the sidecar resolves the host. `NONE` is refused: the sidecar would forward to whatever address
   * the application connected to, so a client could reach any IP by spoofing the Host header or SNI.
   * @default Resolution.DNS
   */
  readonly resolution?: Resolution;
}

/** Props of `OutboundLockdown`. */
export interface OutboundLockdownProps {
  /**
   * Namespace that is locked down.
   * @default - the chart's namespace (none: the namespace `kubectl apply` targets)
   */
  readonly namespace?: string;
  /**
   * Labels of the workloads that are locked down (`Sidecar` `workloadSelector.labels`, NetworkPolicy
   * `podSelector`). A namespace can have one Sidecar without selector only.
   * @default - every workload of the namespace (except Gateway API gateway pods, which must reach the outside)
   */
  readonly workloadSelector?: { [key: string]: string };
  /**
   * `metadata.name` of the Sidecar.
   * @default 'default' without `workloadSelector` (Istio's convention for the namespace-wide Sidecar); otherwise the construct id
   */
  readonly name?: string;
  /**
   * Whether the Sidecar imports the services of the locked-down namespace (`./*`), so that calls inside the
   * namespace keep working.
   * @default true
   */
  readonly importOwnNamespace?: boolean;
  /**
   * More hosts the Sidecar imports, in Istio's `namespace/dnsName` form (`istio-system/*`, `partner/api.partner.example`).
   * @default - none beyond the allowed originations and hosts
   */
  readonly additionalEgressHosts?: string[];
  /**
   * Whether to emit a NetworkPolicy that lets the pods reach only DNS, the Istio control plane and the
   * namespaces of the egress gateways they are allowed to use. Sidecar scoping is configuration, not a
   * security boundary (a pod can bypass its sidecar); this is what actually stops bypass, and requires a
   * CNI that enforces NetworkPolicies. Originations at the sidecar leave from the pod itself and are refused
   * with it.
   * @default false
   */
  readonly networkPolicy?: boolean;
  /**
   * `metadata.name` of the NetworkPolicy.
   * @default - `<name>-egress`, or `restrict-egress` for the namespace-wide Sidecar `default`
   */
  readonly networkPolicyName?: string;
  /**
   * Namespace of the Istio control plane, which the pods' sidecars must reach (with `networkPolicy`).
   * @default 'istio-system'
   */
  readonly controlPlaneNamespace?: string;
  /**
   * API version of the Sidecar and ServiceEntries.
   * @default IstioApiVersion.V1
   */
  readonly apiVersion?: IstioApiVersion;
}

const PROPS = PROP_KEYS.OutboundLockdownProps;
const HOST_KEYS = PROP_KEYS.AllowedHostOptions;

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Outbound lockdown of a namespace, or of the workloads it selects: their sidecars only reach hosts of
 * Istio's registry (`REGISTRY_ONLY`), and only the hosts this construct was told about.
 *
 * Emits a **Sidecar** (child id `Resource`) with `outboundTrafficPolicy.mode: REGISTRY_ONLY` whose
 * `egress.hosts` import the own namespace (`./*`), every host of the originations given to `allow()` with
 * the egress gateway they leave through, and every host given to `allowHost()`; a **ServiceEntry** per
 * `allowHost()` (child id `Host-<name>`, resolution `DNS`, location `MESH_EXTERNAL`); and, with
 * `networkPolicy`, a **NetworkPolicy** (child id `NetworkPolicy`) that only lets the pods reach DNS, the
 * Istio control plane and the egress gateways' namespaces.
 *
 * The mesh-wide default (`meshConfig.outboundTrafficPolicy.mode`, `ALLOW_ANY` unless set) is install-time
 * configuration (`istioctl install --set meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY`), not a manifest
 * of a chart: this construct locks down one namespace whatever it is.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
 * @example
 * import { EgressGatewayTlsOrigination, OutboundLockdown } from 'cdk8s-istio-egress';
 *
 * const lockdown = new OutboundLockdown(chart, 'lockdown', { networkPolicy: true });
 * lockdown.allow(new EgressGatewayTlsOrigination(chart, 'cnn', { host: 'edition.cnn.com' }));
 */
export class OutboundLockdown extends Construct {
  /** Namespace that is locked down, when set. */
  public readonly namespace?: string;
  /** Labels of the locked-down workloads, when only some are. */
  public readonly workloadSelector?: { [key: string]: string };
  /** The Sidecar. */
  public readonly resource: ApiObject;
  /** The NetworkPolicy, when emitted. */
  public readonly networkPolicyObject?: ApiObject;

  private readonly paths: Array<{ path: EgressPath; from: string }> = [];
  private readonly allowedHosts = new Map<string, string>();
  private readonly extraHosts: string[];
  private readonly importOwnNamespace: boolean;
  private readonly apiVersion: IstioApiVersion;

  public constructor(scope: Construct, id: string, props: OutboundLockdownProps = {}) {
    super(scope, id);
    try {
      props = checkProps('OutboundLockdown', props, PROPS, { optional: true });
      this.namespace = props.namespace !== undefined ? validateNamespace('namespace', props.namespace) : Chart.of(this).namespace;
      this.workloadSelector = props.workloadSelector !== undefined ? validateLabels('workloadSelector', props.workloadSelector, { nonEmpty: true }) : undefined;
      this.apiVersion = validateApiVersion(props.apiVersion ?? IstioApiVersion.V1);
      const name = validateObjectName('name', props.name ?? (this.workloadSelector ? id : 'default'));
      this.importOwnNamespace = props.importOwnNamespace ?? true;
      if (typeof this.importOwnNamespace !== 'boolean') throw new Error(`'importOwnNamespace' must be true or false (got ${show(this.importOwnNamespace)})`);
      const extra = props.additionalEgressHosts ?? [];
      if (!Array.isArray(extra)) throw new Error(`'additionalEgressHosts' must be a list of "namespace/dnsName" hosts (got ${show(extra)})`);
      this.extraHosts = extra.map((h, i) => validateEgressHost(`additionalEgressHosts[${i}]`, h));
      const networkPolicy = props.networkPolicy ?? false;
      if (typeof networkPolicy !== 'boolean') throw new Error(`'networkPolicy' must be true or false (got ${show(networkPolicy)})`);
      if (props.networkPolicyName !== undefined && !networkPolicy) {
        throw new Error(`'networkPolicyName' has no effect without 'networkPolicy: true' (got ${show(props.networkPolicyName)})`);
      }
      const networkPolicyName = validateObjectName('networkPolicyName', props.networkPolicyName ?? (name === 'default' ? 'restrict-egress' : `${name}-egress`.slice(0, 253)));
      const controlPlaneNamespace = validateNamespace('controlPlaneNamespace', props.controlPlaneNamespace ?? 'istio-system');

      // the hosts and rules are produced at synth, once every allow() has run
      this.resource = new ApiObject(this, 'Resource', {
        apiVersion: this.apiVersion,
        kind: 'Sidecar',
        metadata: { name, namespace: this.namespace },
        spec: {
          workloadSelector: this.workloadSelector ? { labels: { ...this.workloadSelector } } : undefined,
          outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
          egress: [{ hosts: Lazy.any({ produce: () => this.egressHosts() }) }],
        },
      });

      if (networkPolicy) {
        const podSelector = this.workloadSelector
          ? { matchLabels: { ...this.workloadSelector } }
          // Gateway API gateways of this namespace are not locked down: they are the way out
          : { matchExpressions: [{ key: GATEWAY_NAME_LABEL, operator: 'DoesNotExist' }] };
        const toNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } });
        this.networkPolicyObject = new ApiObject(this, 'NetworkPolicy', {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: networkPolicyName, namespace: this.namespace },
          spec: {
            podSelector,
            policyTypes: ['Egress'],
            egress: Lazy.any({
              produce: () => [
                {
                  to: [{ ...toNamespace('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
                  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
                },
                { to: [...new Set([controlPlaneNamespace, ...this.gatewayNamespaces()])].sort().map(toNamespace) },
                ...(this.importOwnNamespace || this.paths.some(({ path }) => path.gatewayNamespace !== undefined && path.gatewayNamespace === (this.namespace ?? 'default'))
                  ? [{ to: [{ podSelector: {} }] }] : []),
              ],
            }),
          },
        });
      }
    } catch (e) {
      throw located(this, e);
    }
  }

  /**
   * Allows the locked-down workloads to use an origination: the Sidecar imports its host, ServiceEntry,
   * routes and egress gateway, and the NetworkPolicy lets the pods reach the gateway's namespace.
   *
   * Refused when the origination does not serve this namespace's clients, or its ServiceEntry uses
   * resolution `NONE`.
   */
  public allow(origination: IEgressOrigination): OutboundLockdown {
    try {
      const path = origination?.egressPath;
      if (!path || typeof path.host !== 'string' || !Array.isArray(path.imports)) {
        throw new Error(`'origination' must be an origination construct of this library (EgressTlsOrigination, MutualTlsOrigination, EgressGatewayTlsOrigination, GatewayApiEgressTlsOrigination) (got ${show(origination?.node?.path ?? origination)})`);
      }
      const from = origination.node.path;
      if (path.resolution === Resolution.NONE) {
        throw new Error(`'${from}' declares ${path.host} with resolution NONE: the sidecar forwards to whatever address the application connected to, so a locked-down client could reach any IP by spoofing the Host header; use resolution DNS`);
      }
      if (path.clientNamespaceOnly && (path.namespace ?? '') !== (this.namespace ?? '')) {
        throw new Error(`'${from}' only serves clients of namespace ${show(path.namespace ?? '(none)')}, not the locked-down namespace ${show(this.namespace ?? '(none)')}: its DestinationRules are not on these clients' lookup path (503 cluster_not_found); create the origination in namespace ${show(this.namespace ?? '(none)')}`);
      }
      if (this.networkPolicyObject && path.gatewayNamespace === undefined) {
        throw new Error(`'${from}' originates TLS to ${path.host} at the sidecar, so the traffic leaves from the pod itself, which the NetworkPolicy of '${this.node.path}' blocks: route it through an egress gateway (EgressGatewayTlsOrigination, GatewayApiEgressTlsOrigination), or set 'networkPolicy' to false`);
      }
      if (this.paths.some((p) => p.from === from)) return this;
      this.paths.push({ path, from });
      return this;
    } catch (e) {
      throw located(this, e);
    }
  }

  /**
   * Allows the locked-down workloads to call an external host directly (no TLS origination): emits a
   * ServiceEntry with resolution `DNS` and location `MESH_EXTERNAL`, and imports it in the Sidecar.
   */
  public allowHost(options: AllowedHostOptions): ApiObject {
    try {
      checkProps('OutboundLockdown.allowHost', options, HOST_KEYS, { what: 'options' });
      const host = validateHost('host', options.host, { wildcardReason: 'resolution DNS cannot resolve a wildcard, and NONE lets clients reach any address; name each host' });
      const resolution = options.resolution ?? Resolution.DNS;
      if (resolution !== Resolution.DNS && resolution !== Resolution.DNS_ROUND_ROBIN) {
        throw new Error(`'resolution' must be DNS or DNS_ROUND_ROBIN: with ${show(resolution)} the sidecar forwards to the address the application chose, so a locked-down client could reach any IP by spoofing the Host header`);
      }
      const port = validatePort('port', options.port ?? 443);
      const protocol = options.protocol ?? AllowedHostProtocol.HTTPS;
      if (!Object.values(AllowedHostProtocol).includes(protocol)) {
        throw new Error(`'protocol' must be one of ${Object.values(AllowedHostProtocol).join(', ')} (got ${show(protocol)})`);
      }
      if (options.portName !== undefined) validateDnsLabel('portName', options.portName, 'a port name (a DNS-1123 label)');
      if (this.networkPolicyObject) {
        throw new Error(`'host' ${show(host)} would be called from the pods directly, which the NetworkPolicy of '${this.node.path}' blocks: route it through an egress gateway and allow() that origination, or set 'networkPolicy' to false`);
      }
      const name = options.name !== undefined ? validateObjectName('name', options.name) : nameFromHost(host);
      const other = this.allowedHosts.get(name);
      if (other !== undefined) throw new Error(`'name' ${show(name)} is already the ServiceEntry of allowed host ${show(other)}: give this one another 'name'`);
      this.allowedHosts.set(name, host);
      return newServiceEntry(this, `Host-${name}`, this.apiVersion, { name, namespace: this.namespace }, {
        hosts: [host],
        ports: [{ number: port, name: options.portName ?? protocol.toLowerCase(), protocol }],
        resolution: resolution as unknown as istio.ServiceEntrySpecResolution,
        location: istio.ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
      });
    } catch (e) {
      throw located(this, e);
    }
  }

  /** The Sidecar's `egress.hosts`: own namespace, originations with their gateways, allowed hosts, extras; no duplicates. */
  private egressHosts(): string[] {
    const at = (ns: string | undefined) => (ns === undefined ? (this.namespace === undefined ? '.' : '*') : ns === this.namespace ? '.' : ns);
    const hosts: string[] = this.importOwnNamespace ? ['./*'] : [];
    for (const { path } of this.paths) for (const i of path.imports) hosts.push(`${at(i.namespace)}/${i.host}`);
    for (const host of this.allowedHosts.values()) hosts.push(`./${host}`);
    hosts.push(...this.extraHosts);
    const own = this.importOwnNamespace;
    return [...new Set(hosts)].filter((h) => !(own && h !== './*' && h.startsWith('./')));
  }

  private gatewayNamespaces(): string[] {
    return this.paths.map(({ path }) => path.gatewayNamespace).filter((n): n is string => n !== undefined && n !== (this.namespace ?? 'default'));
  }
}

/** Validates a Sidecar egress host in `namespace/dnsName` form. */
function validateEgressHost(prop: string, value: string): string {
  const slash = typeof value === 'string' ? value.indexOf('/') : -1;
  if (slash <= 0) throw new Error(`'${prop}' must be a host in Istio's "namespace/dnsName" form, such as "istio-system/*" or "*/api.example.com" (got ${show(value)})`);
  const ns = value.slice(0, slash);
  const host = value.slice(slash + 1);
  // Istio 1.31 accepts exclusions ("~prod-us2/*", istio/istio#60139), 1.30 refuses them: the Sidecar must work on both
  if (ns.length > 1 && ns.startsWith('~')) {
    throw new Error(`'${prop}' must not exclude a namespace (got ${show(value)}): Istio 1.31 accepts Sidecar egress exclusions ("~namespace/host"), Istio 1.30 refuses them, and this construct emits what both releases accept; list the hosts to import instead`);
  }
  if (ns !== '.' && ns !== '*' && ns !== '~') validateDnsLabel(prop, ns, 'a host whose namespace is ".", "*", "~" or a namespace name');
  if (host !== '*') validateHost(prop, host, { allowWildcard: true });
  return value;
}
