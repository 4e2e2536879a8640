import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { LoadBalancer, TlsMode } from './istio';
import { IMeshWorkload } from './mesh-workload';
import { CredentialPurpose, TlsCredential } from './tls-credential';
import { TlsOriginationOptions, emitOrigination, resolveOrigination, validateFilePath, validateLoadBalancer } from './tls-origination';
import { show, validateLabels } from './validate-props';

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
   * Sidecars only read it when the DestinationRule has a `workloadSelector`, so `workload` is required
   * with it.
   * @default - no credential; see `caCertificates`
   */
  readonly caCredential?: TlsCredential;
  /**
   * The workload the DestinationRule applies to (its `workloadSelector`).
   * @default - every workload that sees the DestinationRule
   */
  readonly workload?: IMeshWorkload;
  /**
   * Load balancing algorithm.
   * @default - not set (Istio's default, LEAST_REQUEST)
   */
  readonly loadBalancer?: LoadBalancer;
}

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
 * @example new EgressTlsOrigination(chart, 'cnn', { host: 'edition.cnn.com' });
 */
export class EgressTlsOrigination extends Construct {
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

  public constructor(scope: Construct, id: string, props: EgressTlsOriginationProps) {
    super(scope, id);
    const originates = props?.originateTls ?? true;
    if (typeof originates !== 'boolean') {
      throw new Error(`'originateTls' must be true or false (got ${show(originates)})`);
    }
    const r = resolveOrigination(props, originates);
    validateFilePath('caCertificates', props.caCertificates);
    const loadBalancer = validateLoadBalancer(props.loadBalancer);
    if (!originates) {
      for (const prop of ['caCertificates', 'caCredential', 'workload', 'loadBalancer'] as const) {
        if (props[prop] !== undefined) {
          throw new Error(`'${prop}' has no effect when 'originateTls' is false; remove it or originate TLS`);
        }
      }
    }
    if (props.caCredential !== undefined && props.caCertificates !== undefined) {
      throw new Error(`'caCredential' and 'caCertificates' exclude each other: Istio rejects credentialName together with certificate files (got caCertificates ${show(props.caCertificates)})`);
    }
    if (props.caCredential !== undefined && props.workload === undefined) {
      throw new Error(`'workload' is required with 'caCredential' (secret ${show(props.caCredential.secretName)}): sidecars ignore credentialName on a DestinationRule without workloadSelector`);
    }
    const selector = props.workload ? validateLabels('workload.podLabels', props.workload.podLabels, { nonEmpty: true }) : undefined;

    const namespace = r.namespace ?? props.workload?.namespace ?? Chart.of(this).namespace;
    if (props.workload?.namespace !== undefined && namespace !== undefined && props.workload.namespace !== namespace) {
      throw new Error(`'namespace' must be the workload's namespace ${show(props.workload.namespace)}: a workloadSelector only selects pods of the DestinationRule's own namespace (got ${show(namespace)})`);
    }
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
    } : {});
    this.serviceEntry = out.serviceEntry;
    this.destinationRule = out.destinationRule;
  }
}
