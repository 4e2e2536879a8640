import { checkProps, knownKeys, validateLabels, validateNamespace, validateObjectName } from './validate-props';

/**
 * A workload in the mesh that originates traffic: what a DestinationRule's `workloadSelector` and the
 * RBAC for its credential need to know about it.
 *
 * `SleepClient` implements it; for a workload deployed from another repository use
 * `MeshWorkload.fromAttributes`.
 */
export interface IMeshWorkload {
  /**
   * Namespace the workload runs in.
   * @default - the chart's namespace, or `default` when the chart has none
   */
  readonly namespace?: string;
  /** Name of the workload's Kubernetes service account. */
  readonly serviceAccountName: string;
  /** Labels of the workload's pods (at least one), used as the `workloadSelector`. */
  readonly podLabels: Record<string, string>;
  /**
   * Whether the workload is deployed elsewhere (by another app or repository), so that its pods and service
   * account are not in this app's output. The constructs then annotate what they emit for it with
   * `validation.cdk8s-istio-egress.io/client-deployed-elsewhere: "true"`, and the validator reports the
   * checks it cannot make (selector matches a workload, sidecar injection, service account exists and is
   * used) as notes instead of errors. `MeshWorkload.fromAttributes` sets it.
   * @default false
   */
  readonly deployedElsewhere?: boolean;
}

/** Attributes of a workload deployed elsewhere. */
export interface MeshWorkloadAttributes {
  /**
   * Namespace the workload runs in.
   * @default - the namespace of the construct it is used with, or `default`
   */
  readonly namespace?: string;
  /** Name of the workload's Kubernetes service account. */
  readonly serviceAccountName: string;
  /** Labels of the workload's pods (at least one). */
  readonly podLabels: Record<string, string>;
}

const ATTRIBUTE_KEYS = knownKeys<MeshWorkloadAttributes>({ namespace: true, serviceAccountName: true, podLabels: true });

/** Factories for `IMeshWorkload`. */
export class MeshWorkload {
  /**
   * Describes a workload that is not defined in this app (for example deployed from another repository).
   * The result is `deployedElsewhere`: synth and the validator pass without its pods in the output, and
   * warn about what they could not check.
   * @example
   * import { MeshWorkload } from 'cdk8s-istio-egress';
   *
   * const checkout = MeshWorkload.fromAttributes({ namespace: 'shop', serviceAccountName: 'checkout', podLabels: { app: 'checkout' } });
   */
  public static fromAttributes(attrs: MeshWorkloadAttributes): IMeshWorkload {
    checkProps('MeshWorkload.fromAttributes', attrs, ATTRIBUTE_KEYS, { what: 'attributes' });
    if (attrs.namespace !== undefined) validateNamespace('namespace', attrs.namespace);
    validateObjectName('serviceAccountName', attrs.serviceAccountName);
    return {
      namespace: attrs.namespace,
      serviceAccountName: attrs.serviceAccountName,
      podLabels: validateLabels('podLabels', attrs.podLabels, { nonEmpty: true }),
      deployedElsewhere: true,
    };
  }

  private constructor() {}
}
