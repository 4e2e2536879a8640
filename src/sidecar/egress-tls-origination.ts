import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressPath, IEgressOrigination, sidecarEgressPath } from '../core/egress-path';
import { LoadBalancer, TlsMode } from '../core/istio';
import { located } from '../private/located-error';
import { IMeshWorkload } from '../workloads/mesh-workload';
import { CredentialPurpose, TlsCredential } from '../credentials/tls-credential';
import {
  TlsOriginationOptions, emitOrigination, resolveOrigination, validateClient, validateFilePath,
  validateLoadBalancer, validateOriginationExportTo,
} from '../core/tls-origination';
import { checkProps, show } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/** Props of `EgressTlsOrigination`. */
export interface EgressTlsOriginationProps extends TlsOriginationOptions {
  /**
   * Whether to originate TLS. `false` emits only the plain ServiceEntry (HTTP and HTTPS ports, no
   * `targetPort`, no DestinationRule): the first step of Istio's task, before origination.
   * @default true
   */
  readonly originateTls?: boolean;
  /**
   * Path, inside the sidecar, of the CA certificates that verify the external server.
   * @default - the proxy's system CA bundle
   */
  readonly caCertificates?: string;
  /**
   * A Secret whose `ca.crt` verifies the external server (Istio's `credentialName` in SIMPLE mode).
   * Sidecars only read it when the DestinationRule has a `workloadSelector`, so `client` is required
   * with it.
   * @default - no credential; see `caCertificates`
   */
  readonly caCredential?: TlsCredential;
  /**
   * The workload that originates the traffic: its pod labels become the DestinationRule's
   * `workloadSelector` (the same prop as `MutualTlsOrigination`'s `client`). A `SleepClient`,
   * `MeshWorkload.fromWorkload(...)` for a cdk8s-plus workload of this app, or
   * `MeshWorkload.fromAttributes(...)` for a workload deployed elsewhere.
   * @default - every workload that sees the DestinationRule
   */
  readonly client?: IMeshWorkload;
  /**
   * Old name of `client`.
   * @deprecated use `client`
   * @default - see `client`
   */
  readonly workload?: IMeshWorkload;
  /**
   * Load balancing algorithm.
   * @default - not set (Istio's default, LEAST_REQUEST)
   */
  readonly loadBalancer?: LoadBalancer;
}

const PROPS = PROP_KEYS.EgressTlsOriginationProps;

/**
 * TLS origination for an external HTTPS service: applications call `http://<host>` and the sidecar
 * sends the request to port 443 over TLS.
 *
 * Emits a ServiceEntry (child id `ServiceEntry`) whose HTTP port has the HTTPS port as `targetPort`,
 * and a DestinationRule (child id `DestinationRule`) with TLS mode `SIMPLE` on the HTTP port; with
 * `originateTls: false`, only the plain ServiceEntry. A `caCredential` given with `fromPem` also emits
 * its Secret (child id `CaCredential`).
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-tls-origination/
 * @example
 * import { EgressTlsOrigination } from 'cdk8s-istio-egress';
 *
 * new EgressTlsOrigination(chart, 'cnn', { host: 'edition.cnn.com' });
 */
export class EgressTlsOrigination extends Construct implements IEgressOrigination {
  /** The external host. */
  public readonly host: string;
  /** `metadata.name` of the ServiceEntry and the DestinationRule. */
  public readonly name: string;
  /** Namespace of the objects, when one is set on the construct or the chart. */
  public readonly namespace?: string;
  /** The HTTP port applications call. */
  public readonly httpPort: number;
  /** The HTTPS port TLS is originated to. */
  public readonly httpsPort: number;
  /** The ServiceEntry. */
  public readonly serviceEntry: ApiObject;
  /** The DestinationRule, unless `originateTls` is false. */
  public readonly destinationRule?: ApiObject;
  /** What a client proxy needs to reach the host this way: see `OutboundLockdown.allow`. */
  public readonly egressPath: EgressPath;

  public constructor(scope: Construct, id: string, props: EgressTlsOriginationProps) {
    super(scope, id);
    try {
      checkProps('EgressTlsOrigination', props, PROPS);
      const originates = props.originateTls ?? true;
      if (typeof originates !== 'boolean') {
        throw new Error(`'originateTls' must be true or false (got ${show(originates)})`);
      }
      const r = resolveOrigination(props, originates);
      validateFilePath('caCertificates', props.caCertificates);
      const loadBalancer = validateLoadBalancer(props.loadBalancer);
      if (props.client !== undefined && props.workload !== undefined) {
        throw new Error("'workload' is the deprecated name of 'client': give only 'client'");
      }
      const client = props.client ?? props.workload;
      const clientProp = props.client !== undefined ? 'client' : 'workload';
      if (!originates) {
        for (const prop of ['caCertificates', 'caCredential', 'client', 'workload', 'loadBalancer'] as const) {
          if (props[prop] !== undefined) {
            throw new Error(`'${prop}' has no effect when 'originateTls' is false; remove it or originate TLS`);
          }
        }
      }
      if (props.caCredential !== undefined && !TlsCredential.isTlsCredential(props.caCredential)) {
        throw new Error(`'caCredential' must be made with TlsCredential.fromExistingSecret(), fromPem() or fromCertManager() (got ${show(props.caCredential)})`);
      }
      if (props.caCredential !== undefined && props.caCertificates !== undefined) {
        throw new Error(`'caCredential' and 'caCertificates' exclude each other: Istio rejects credentialName together with certificate files (got caCertificates ${show(props.caCertificates)})`);
      }
      if (props.caCredential !== undefined && client === undefined) {
        throw new Error(`'client' is required with 'caCredential' (secret ${show(props.caCredential.secretName)}): sidecars ignore credentialName on a DestinationRule without workloadSelector`);
      }
      const selector = client ? validateClient(clientProp, client).podLabels : undefined;

      const namespace = r.namespace ?? client?.namespace ?? Chart.of(this).namespace;
      if (client?.namespace !== undefined && namespace !== undefined && client.namespace !== namespace) {
        throw new Error(`'namespace' must be the client's namespace ${show(client.namespace)}: a workloadSelector only selects pods of the DestinationRule's own namespace (got ${show(namespace)})`);
      }
      validateOriginationExportTo(props, originates, client !== undefined, namespace);
      this.host = r.host;
      this.name = r.name;
      this.namespace = namespace;
      this.httpPort = r.httpPort;
      this.httpsPort = r.httpsPort;

      props.caCredential?._bind(this, 'CaCredential', this.namespace, CredentialPurpose.CA);
      const out = emitOrigination(this, props, { ...r, namespace }, originates ? {
        tls: {
          mode: TlsMode.SIMPLE,
          caCertificates: props.caCertificates,
          credentialName: props.caCredential?.secretName,
          sni: props.sni,
          subjectAltNames: props.subjectAltNames,
        },
        workloadSelector: selector,
        loadBalancer,
        remoteClient: client?.deployedElsewhere === true,
      } : {});
      this.serviceEntry = out.serviceEntry;
      this.destinationRule = out.destinationRule;
      this.egressPath = sidecarEgressPath(r.host, namespace, props.resolution, client !== undefined, props.exportTo);
    } catch (e) {
      throw located(this, e);
    }
  }
}
