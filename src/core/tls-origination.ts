import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as istio from '../../imports/networking.istio.io';
import { REMOTE_CLIENT_ANNOTATION } from '../common/annotations';
import { IstioApiVersion, LoadBalancer, Resolution, ServiceEntryLocation, TlsMode, newDestinationRule, newServiceEntry, validateApiVersion } from './istio';
import { IMeshWorkload } from '../workloads/mesh-workload';
import {
  nameFromHost, show, validateLabels, validateDistinctPorts, validateDnsLabel, validateExportTo, validateHost, validateKubectlReadable, validateNamespace,
  validateObjectName, validatePort,
} from '../private/props';
import { validateLocation } from '../private/visibility';

/**
 * Props shared by `EgressTlsOrigination` and `MutualTlsOrigination`: the external host, the ServiceEntry
 * ports and where the objects go.
 */
export interface TlsOriginationOptions {
  /**
   * The external host, a fully qualified domain name (`edition.cnn.com`). Not a URL, not `host:port`,
   * not an IP address.
   */
  readonly host: string;
  /**
   * `metadata.name` of the ServiceEntry and the DestinationRule: a DNS-1123 subdomain (at most 253 lowercase
   * letters, digits, '-' or '.').
   * @default - derived from the host: `edition.cnn.com` → `edition-cnn-com` (shortened with a hash suffix
   * when longer than 253 characters)
   */
  readonly name?: string;
  /**
   * Namespace of the emitted objects.
   * @default - the chart's namespace (none: the namespace `kubectl apply` targets)
   */
  readonly namespace?: string;
  /**
   * The plain-HTTP port the application calls; the sidecar sends it to `httpsPort` with TLS.
   * @default 80
   */
  readonly httpPort?: number;
  /**
   * Name of the HTTP port in the ServiceEntry.
   * @default 'http-port'
   */
  readonly httpPortName?: string;
  /**
   * The HTTPS port of the external service: the HTTP port's `targetPort`, and declared itself so that
   * applications that already speak HTTPS keep working.
   * @default 443
   */
  readonly httpsPort?: number;
  /**
   * Name of the HTTPS port in the ServiceEntry.
   * @default 'https-port'
   */
  readonly httpsPortName?: string;
  /**
   * How the sidecar resolves the host.
   * @default Resolution.DNS
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution
   */
  readonly resolution?: Resolution;
  /**
   * Namespaces that see the ServiceEntry and the DestinationRule: `.` (own namespace only), `*` or namespace
   * names, without duplicates; `*` alone. Refused where Istio refuses it: `~` (no one) is only allowed
   * alone and without a DestinationRule (`originateTls: false`), and with a `client` (a workloadSelector)
   * only the own namespace (`['.']`) is allowed.
   * @default - exported to all namespaces (Istio's default)
   */
  readonly exportTo?: string[];
  /**
   * Whether the host is outside the mesh (`MESH_EXTERNAL`) or part of it (`MESH_INTERNAL`): the
   * ServiceEntry's `location`.
   * @default - not set: Istio's default, `MESH_EXTERNAL`
   * @see https://istio.io/latest/docs/reference/config/networking/service-entry/#ServiceEntry-Location
   */
  readonly location?: ServiceEntryLocation;
  /**
   * SNI sent to the external service during the TLS handshake.
   * @default - `EgressTlsOrigination`: not set in the DestinationRule, Envoy sends the HTTP Host (Istio's
   * `auto_sni`); `MutualTlsOrigination`: the host
   */
  readonly sni?: string;
  /**
   * Alternate names that the server certificate must carry.
   * @default - the certificate is verified against the host (Istio's `auto_san_validation`)
   */
  readonly subjectAltNames?: string[];
  /**
   * API version of the ServiceEntry and DestinationRule.
   * @default IstioApiVersion.V1
   */
  readonly apiVersion?: IstioApiVersion;
}

/**
 * Validates a client workload given from JavaScript or by a custom `IMeshWorkload`: namespace, service
 * account name, pod labels (at least one); `prop` is the construct's prop (`client`).
 */
export function validateClient(prop: string, client: IMeshWorkload): { podLabels: Record<string, string> } {
  if (client === null || typeof client !== 'object') {
    throw new Error(`'${prop}' must be a SleepClient, MeshWorkload.fromWorkload(...) or MeshWorkload.fromAttributes(...) (got ${show(client)})`);
  }
  if (client.serviceAccountName === undefined && typeof (client as any).podMetadata === 'object') {
    throw new Error(`'${prop}' must be an IMeshWorkload (got ${show(client)}): wrap a cdk8s-plus workload with MeshWorkload.fromWorkload(...)`);
  }
  if (client.namespace !== undefined) validateNamespace(`${prop}.namespace`, client.namespace);
  validateObjectName(`${prop}.serviceAccountName`, client.serviceAccountName);
  return { podLabels: validateLabels(`${prop}.podLabels`, client.podLabels, { nonEmpty: true }) };
}

/** The TLS settings of the origination port, as the DestinationRule spells them. */
export type ClientTls = istio.DestinationRuleSpecTrafficPolicyPortLevelSettingsTls;

/** What the shared builder needs beyond the options. */
export interface OriginationSpec {
  readonly tls?: { readonly mode: TlsMode } & Omit<ClientTls, 'mode'>;
  readonly workloadSelector?: Record<string, string>;
  readonly loadBalancer?: LoadBalancer;
  /** Whether the selected client is deployed elsewhere: the DestinationRule is annotated for the validator. */
  readonly remoteClient?: boolean;
}

/** Resolved, validated options. */
export interface ResolvedOrigination {
  readonly host: string;
  readonly name: string;
  readonly namespace?: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly apiVersion: IstioApiVersion;
}

const RESOLUTIONS: ReadonlySet<string> = new Set(Object.values(Resolution));

/** Validates the shared options; throws with the prop name on bad input. */
export function resolveOrigination(options: TlsOriginationOptions, originates: boolean): ResolvedOrigination {
  const resolution = options.resolution ?? Resolution.DNS;
  if (!RESOLUTIONS.has(resolution)) {
    throw new Error(`'resolution' must be one of ${Object.values(Resolution).join(', ')} (got ${show(resolution)})`);
  }
  const dnsResolved = resolution === Resolution.DNS || resolution === Resolution.DNS_ROUND_ROBIN;
  const host = validateHost('host', options.host, {
    allowWildcard: !dnsResolved && !originates,
    wildcardReason: dnsResolved
      ? `resolution ${resolution} cannot resolve a wildcard host; name the host, or use resolution NONE without TLS origination`
      : 'the sidecar forwards wildcard hosts to the original destination port, so the HTTP port cannot be sent to the HTTPS port; originate TLS for each named host',
  });
  if (resolution === Resolution.STATIC) {
    throw new Error("'resolution' STATIC needs ServiceEntry endpoints, which this construct does not emit (got \"STATIC\"); use DNS or DNS_ROUND_ROBIN");
  }
  if (resolution === Resolution.NONE && originates) {
    throw new Error(`'resolution' NONE forwards to the original destination port, so the HTTP port's targetPort is ignored and TLS is never originated on the HTTPS port (got "NONE"); use DNS or DNS_ROUND_ROBIN`);
  }
  const httpPort = validatePort('httpPort', options.httpPort ?? 80);
  const httpsPort = validatePort('httpsPort', options.httpsPort ?? 443);
  validateDistinctPorts({ httpPort, httpsPort });
  const httpPortName = validateDnsLabel('httpPortName', options.httpPortName ?? 'http-port');
  const httpsPortName = validateDnsLabel('httpsPortName', options.httpsPortName ?? 'https-port');
  if (httpPortName === httpsPortName) {
    throw new Error(`'httpsPortName' must differ from 'httpPortName': both are ${show(httpPortName)}, and ServiceEntry port names must be unique`);
  }
  if (options.namespace !== undefined) validateNamespace('namespace', options.namespace);
  // a name derived from a valid host is always valid (shortened with a hash when too long)
  const name = options.name !== undefined ? validateObjectName('name', options.name) : nameFromHost(host);
  if (options.sni !== undefined) validateHost('sni', options.sni);
  if (options.subjectAltNames !== undefined) {
    if (!Array.isArray(options.subjectAltNames) || options.subjectAltNames.length === 0
      || options.subjectAltNames.some((s) => typeof s !== 'string' || s.trim() === '' || /\s/.test(s))) {
      throw new Error(`'subjectAltNames' must be a non-empty list of names without spaces, e.g. ["${host}"] (got ${show(options.subjectAltNames)})`);
    }
    options.subjectAltNames.forEach((san, i) => {
      // a DNS name (not a URI or an IP address) with a trailing dot matches no certificate's name: Envoy compares them as strings
      if (san.endsWith('.') && !/[:/]/.test(san)) {
        throw new Error(`'subjectAltNames[${i}]' must not end with '.' (got ${show(san)}): certificates carry DNS names without it and Envoy compares them as strings, so the handshake would fail; use ${show(san.replace(/\.+$/, ''))}`);
      }
      validateKubectlReadable(`subjectAltNames[${i}]`, san);
    });
  }
  if (!originates) {
    for (const prop of ['sni', 'subjectAltNames'] as const) {
      if (options[prop] !== undefined) {
        throw new Error(`'${prop}' has no effect when 'originateTls' is false (got ${show(options[prop])}); remove it or originate TLS`);
      }
    }
  }
  return { host, name, namespace: options.namespace, httpPort, httpsPort, apiVersion: validateApiVersion(options.apiVersion ?? IstioApiVersion.V1) };
}

/**
 * Validates `exportTo` once the namespace of the objects and the client are known: Istio refuses `~` on a
 * DestinationRule, and a DestinationRule with a workloadSelector exported beyond its namespace.
 */
export function validateOriginationExportTo(options: TlsOriginationOptions, originates: boolean, hasClient: boolean, namespace: string | undefined): void {
  if (options.exportTo === undefined) return;
  validateExportTo('exportTo', options.exportTo, { destinationRule: originates, workloadSelector: originates && hasClient, namespace });
}

/**
 * Emits the ServiceEntry (child id `ServiceEntry`) and, when TLS is originated, the DestinationRule
 * (child id `DestinationRule`) under `scope`.
 */
export function emitOrigination(scope: Construct, options: TlsOriginationOptions, r: ResolvedOrigination, spec: OriginationSpec)
  : { serviceEntry: ApiObject; destinationRule?: ApiObject } {
  const metadata = { name: r.name, namespace: r.namespace };
  const ns = r.namespace ?? Chart.of(scope).namespace ?? '';
  if (spec.tls) {
    const selector = spec.workloadSelector ? JSON.stringify(Object.entries(spec.workloadSelector).sort()) : 'every workload';
    register(scope, ns, [['ServiceEntry', r.name], ['DestinationRule', r.name], [HOST_CLAIM, `host "${r.host}" and the same workloadSelector (${selector})`]]);
  } else {
    register(scope, ns, [['ServiceEntry', r.name]]);
  }
  const serviceEntry = newServiceEntry(scope, 'ServiceEntry', r.apiVersion, metadata, {
    hosts: [r.host],
    ports: [
      { number: r.httpPort, name: options.httpPortName ?? 'http-port', protocol: 'HTTP', targetPort: spec.tls ? r.httpsPort : undefined },
      { number: r.httpsPort, name: options.httpsPortName ?? 'https-port', protocol: 'HTTPS' },
    ],
    resolution: (options.resolution ?? Resolution.DNS) as unknown as istio.ServiceEntrySpecResolution,
    exportTo: options.exportTo,
    location: validateLocation(options.location),
  });
  if (!spec.tls) return { serviceEntry };
  const drMetadata = spec.remoteClient && spec.workloadSelector
    ? { ...metadata, annotations: { [REMOTE_CLIENT_ANNOTATION]: 'true' } } : metadata;
  const destinationRule = newDestinationRule(scope, 'DestinationRule', r.apiVersion, drMetadata, {
    workloadSelector: spec.workloadSelector ? { matchLabels: spec.workloadSelector } : undefined,
    host: r.host,
    exportTo: options.exportTo,
    trafficPolicy: {
      loadBalancer: spec.loadBalancer ? { simple: spec.loadBalancer as unknown as istio.DestinationRuleSpecTrafficPolicyLoadBalancerSimple } : undefined,
      portLevelSettings: [{
        port: { number: r.httpPort },
        tls: { ...spec.tls, mode: spec.tls.mode as unknown as istio.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode },
      }],
    },
  });
  return { serviceEntry, destinationRule };
}

/** Validates a `loadBalancer` prop. */
export function validateLoadBalancer(value: LoadBalancer | undefined): LoadBalancer | undefined {
  if (value !== undefined && !Object.values(LoadBalancer).includes(value)) {
    throw new Error(`'loadBalancer' must be one of ${Object.values(LoadBalancer).join(', ')} (got ${show(value)})`);
  }
  return value;
}

/** Validates a file path prop (certificate files mounted into the sidecar). */
export function validateFilePath(prop: string, value: string | undefined): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !value.startsWith('/') || /\s/.test(value))) {
    throw new Error(`'${prop}' must be an absolute file path in the sidecar, e.g. "/etc/certs/ca.pem" (got ${show(value)})`);
  }
  return value;
}

/** What the originations of one app claim: `<namespace>\0<kind>\0<value>` → construct paths. */
const CLAIMS = new WeakMap<object, Map<string, string[]>>();
const CHECKED = new WeakSet<object>();
const HOST_CLAIM = 'host';

/**
 * Records that `scope` emits, for each `[kind, value]` of `what`, an object of `kind` named `value` (or, for
 * the host claim, a DestinationRule for that host and workloads) in `namespace`, and makes its chart fail
 * synth when two constructs of the app claim the same thing: `kubectl apply` would let the second object
 * overwrite the first, or Istio would apply one of two DestinationRules for the same workloads and host. The
 * advice says what resolves it: when two originations compete for a host, another 'name' alone does not.
 */
function register(scope: Construct, namespace: string, what: ReadonlyArray<readonly [kind: string, value: string]>): void {
  const root = scope.node.root;
  let claims = CLAIMS.get(root);
  if (!claims) CLAIMS.set(root, claims = new Map());
  const at = scope.node.path;
  for (const [kind, value] of what) {
    const key = `${namespace}\0${kind}\0${value}`;
    const paths = claims.get(key);
    if (paths) paths.push(at);
    else claims.set(key, [at]);
  }
  const chart = Chart.of(scope);
  if (CHECKED.has(chart)) return;
  CHECKED.add(chart);
  const prefix = chart.node.path === '' ? '' : `${chart.node.path}/`;
  chart.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      const collisions = [...claims].filter(([, paths]) => paths.length >= 2 && paths.some((p) => p.startsWith(prefix)));
      const competing = collisions.filter(([k]) => k.split('\0')[1] === HOST_CLAIM);
      for (const [k, paths] of collisions) {
        const [ns, kind, what] = k.split('\0');
        const list = paths.map((p) => `'${p}'`).join(' and ');
        const where = `in namespace "${ns || '(none)'}"`;
        if (kind === HOST_CLAIM) {
          const sameName = collisions.some(([k2, p2]) => k2.split('\0')[0] === ns && k2.split('\0')[1] === 'DestinationRule'
            && paths.every((p) => p2.includes(p)));
          const everyWorkload = what.endsWith('(every workload)');
          errors.push(`${list} both emit a DestinationRule for ${what} ${where}: Istio applies only one of them. `
            + `Keep one, or give each its own 'client' (other workloads)${sameName ? " and its own 'name'" : ''}`
            + `${everyWorkload ? ", or put them in different namespaces ('namespace')" : ''}`);
          continue;
        }
        // a name collision between originations that also compete for a host is explained by that error
        if (competing.some(([k2, p2]) => k2.split('\0')[0] === ns && paths.every((p) => p2.includes(p)))) continue;
        errors.push(`${list} both emit a ${kind} named "${what}" ${where}: give one of them another 'name' or 'namespace'`);
      }
      return errors;
    },
  });
}
