import type * as plus from 'cdk8s-plus-28';
import { located } from '../private/located-error';
import { checkProps, show, validateLabels, validateNamespace, validateObjectName } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/**
 * A workload in the mesh that originates traffic: what a DestinationRule's `workloadSelector` and the
 * RBAC for its credential need to know about it.
 *
 * `SleepClient` implements it; for a cdk8s-plus workload of this app (a `Deployment`, `StatefulSet`,
 * `DaemonSet`, `Job` or `Pod`) use `MeshWorkload.fromWorkload`, and for a workload deployed from another
 * repository `MeshWorkload.fromAttributes`.
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
  /**
   * Name of the workload's Kubernetes service account. Give it or `serviceAccount`.
   * @default - the name of `serviceAccount`
   */
  readonly serviceAccountName?: string;
  /**
   * The workload's service account as a cdk8s-plus-28 `ServiceAccount` (of this app, or
   * `ServiceAccount.fromServiceAccountName(...)`), instead of `serviceAccountName`.
   * @default - `serviceAccountName`
   */
  readonly serviceAccount?: plus.IServiceAccount;
  /** Labels of the workload's pods (at least one). */
  readonly podLabels: Record<string, string>;
}

const ATTRIBUTE_KEYS = PROP_KEYS.MeshWorkloadAttributes;

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
    try {
      checkProps('MeshWorkload.fromAttributes', attrs, ATTRIBUTE_KEYS, { what: 'attributes' });
      if (attrs.namespace !== undefined) validateNamespace('namespace', attrs.namespace);
        if ((attrs.serviceAccount === undefined) === (attrs.serviceAccountName === undefined)) {
          throw new Error(`give exactly one of 'serviceAccountName' and 'serviceAccount' (got ${attrs.serviceAccount === undefined ? 'neither' : 'both'})`);
        }
        const sa = attrs.serviceAccount;
        if (sa !== undefined && (sa === null || typeof sa !== 'object' || typeof sa.name !== 'string')) {
          throw new Error(`'serviceAccount' must be a cdk8s-plus ServiceAccount (got ${show(sa)})${typeof sa === 'string' ? "; give a name as 'serviceAccountName'" : ''}`);
        }
        const serviceAccountName = validateObjectName(sa !== undefined ? 'serviceAccount.name' : 'serviceAccountName', sa?.name ?? attrs.serviceAccountName!);
      return {
        namespace: attrs.namespace,
          serviceAccountName,
        podLabels: validateLabels('podLabels', attrs.podLabels, { nonEmpty: true }),
        deployedElsewhere: true,
      };
    } catch (e) {
      throw located('MeshWorkload.fromAttributes', e);
    }
  }

  /**
   * The client workload of a cdk8s-plus-28 `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob` or
   * `Pod` of this app: its pods are in the output, so the validator checks that the selector matches them,
   * that they get a sidecar and that their service account exists.
   *
   * - pod labels: the workload's selector (`spec.selector.matchLabels`: with cdk8s-plus's default
   *   `select: true` the `cdk8s.io/metadata.addr` label that only its own pods carry), or, for a `Pod` or a
   *   workload without selector labels, the labels of its pods when this is called;
   * - service account: the name of its `serviceAccount`, or `default` when it has none (cdk8s-plus then
   *   leaves `serviceAccountName` out and Kubernetes runs the pods as `default`);
   * - namespace: its `metadata.namespace` (cdk8s-plus takes it from the chart when not given), or none.
   *
   * cdk8s-plus-28 is not loaded for this: any object of that shape is taken (also from another copy of
   * cdk8s-plus).
   * @example
   * import * as kplus from 'cdk8s-plus-28';
   * import { MeshWorkload, MutualTlsOrigination, TlsCredential } from 'cdk8s-istio-egress';
   *
   * const checkout = new kplus.Deployment(chart, 'checkout', { containers: [{ image: 'example/checkout:1.4.2' }] });
   * new MutualTlsOrigination(chart, 'payments', {
   *   host: 'payments.example.com', client: MeshWorkload.fromWorkload(checkout),
   *   credential: TlsCredential.fromExistingSecret('checkout-client-credential'),
   * });
   */
  public static fromWorkload(workload: plus.AbstractPod): IMeshWorkload {
    try {
      const w = workload as unknown as WorkloadShape;
      if (w === null || typeof w !== 'object' || w.podMetadata === null || typeof w.podMetadata?.toJson !== 'function'
        || typeof w.metadata?.toJson !== 'function') {
        throw new Error(`'workload' must be a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod) (got ${show(workload)})`
          + `${typeof (w as any)?.serviceAccountName === 'string' ? '; a SleepClient or an IMeshWorkload is a client as it is' : ''}`);
      }
      const selector = typeof w.matchLabels === 'object' && w.matchLabels !== null ? { ...w.matchLabels } : {};
      const labels = Object.keys(selector).length > 0 ? selector : { ...w.podMetadata.toJson().labels };
      const serviceAccountName = w.serviceAccount === undefined ? 'default' : w.serviceAccount?.name;
      const namespace: string | undefined = w.metadata.namespace;
      const where = typeof w.node?.path === 'string' ? ` of ${show(w.node.path)}` : '';
      if (namespace !== undefined) validateNamespace(`namespace${where}`, namespace);
      validateObjectName(`serviceAccount.name${where}`, serviceAccountName as string);
      return {
        namespace,
        serviceAccountName: serviceAccountName as string,
        podLabels: validateLabels(`podLabels${where}`, labels, { nonEmpty: true }),
        deployedElsewhere: false,
      };
    } catch (e) {
      throw located('MeshWorkload.fromWorkload', e);
    }
  }

  private constructor() {}
}

/** What `fromWorkload` reads of a cdk8s-plus workload (read by shape: cdk8s-plus is not loaded). */
interface WorkloadShape {
  readonly node?: { readonly path?: string };
  readonly metadata: { readonly namespace?: string; toJson(): any };
  readonly podMetadata: { toJson(): { labels?: Record<string, string> } };
  readonly matchLabels?: Record<string, string>;
  readonly serviceAccount?: { readonly name?: string };
}
