import { ApiObject, Chart } from 'cdk8s';
import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { kubeObject } from '../private/k8s-object';
import { located } from '../private/located-error';
import { IMeshWorkload } from './mesh-workload';
import { checkProps, show, validateLabels, validateNamespace, validatePinnedImage, validateServiceName } from '../private/props';
import { PROP_KEYS } from '../private/prop-keys.generated';

/** Props of `SleepClient`. Every prop is optional: the defaults are Istio's `sleep` sample. */
export interface SleepClientProps {
  /**
   * Name of the ServiceAccount, Service, Deployment and container: a Service name (a DNS-1035 label, at
   * most 63 lowercase letters, digits or '-', starting with a letter).
   * @default 'sleep'
   */
  readonly name?: string;
  /**
   * Namespace of the client; it must have sidecar injection enabled.
   * @default - the chart's namespace (none: the namespace `kubectl apply` targets, `default` in the task)
   */
  readonly namespace?: string;
  /**
   * Pod labels; the DestinationRule's `workloadSelector` selects them.
   * @default { app: <name> }
   */
  readonly podLabels?: Record<string, string>;
  /**
   * Container image with curl, with a pinned tag or digest.
   * @default 'curlimages/curl:8.11.1'
   */
  readonly image?: string;
  /**
   * Whether to label the pods `sidecar.istio.io/inject: "true"`, so that Istio injects the sidecar even
   * in a namespace not labelled for injection (such as `default`). The label is not part of `podLabels`.
   * `false` leaves injection to the namespace.
   * @default true
   */
  readonly injectSidecar?: boolean;
  /**
   * CPU and memory requests and limits of the container.
   * @default - none, as in Istio's sample (the namespace's LimitRange applies, if any)
   */
  readonly resources?: k8s.ResourceRequirements;
  /**
   * Numeric user the container runs as. `curlimages/curl` declares the non-numeric user `curl_user`
   * (uid 100), which the kubelet cannot check against `runAsNonRoot`, so a number is always set.
   * @default 100
   */
  readonly runAsUser?: number;
}

const PROPS = PROP_KEYS.SleepClientProps;

/**
 * The client workload of Istio's egress tasks: the `sleep` sample, a pod with curl that sleeps forever
 * so that you can `kubectl exec` requests from it.
 *
 * Emits a ServiceAccount (child id `ServiceAccount`), a Service on port 80 (child id `Service`) and a
 * Deployment (child id `Deployment`) running `/bin/sleep infinity` as a non-root user with a read-only
 * root filesystem, its pods labelled for sidecar injection. Implements `IMeshWorkload`, so it can be passed as the `client` of
 * `MutualTlsOrigination`.
 * @see https://github.com/istio/istio/blob/master/samples/sleep/sleep.yaml
 */
export class SleepClient extends Construct implements IMeshWorkload {
  /** Namespace of the client, when one is set on the construct or the chart. */
  public readonly namespace?: string;
  /** Name of the ServiceAccount the pods run as. */
  public readonly serviceAccountName: string;
  /** Labels of the pods. */
  public readonly podLabels: Record<string, string>;
  /** The ServiceAccount. */
  public readonly serviceAccount: ApiObject;
  /** The Service. */
  public readonly service: ApiObject;
  /** The Deployment. */
  public readonly deployment: ApiObject;

  public constructor(scope: Construct, id: string, props: SleepClientProps = {}) {
    super(scope, id);
    try {
      props = checkProps('SleepClient', props, PROPS, { optional: true });
      const name = validateServiceName('name', props.name ?? 'sleep');
      if (props.namespace !== undefined) validateNamespace('namespace', props.namespace);
      const podLabels = validateLabels('podLabels', props.podLabels ?? { app: name }, { nonEmpty: true });
      const image = validatePinnedImage('image', props.image ?? 'curlimages/curl:8.11.1');
      const runAsUser = props.runAsUser ?? 100;
      if (!Number.isInteger(runAsUser) || runAsUser < 1) {
        throw new Error(`'runAsUser' must be a positive integer: the pod runs with runAsNonRoot, so uid 0 cannot start (got ${show(runAsUser)})`);
      }
      this.namespace = props.namespace ?? Chart.of(this).namespace;
      this.serviceAccountName = name;
      this.podLabels = podLabels;
      const metadata = { name, namespace: props.namespace };
      const injectSidecar = props.injectSidecar ?? true;
      if (typeof injectSidecar !== 'boolean') {
        throw new Error(`'injectSidecar' must be true or false (got ${show(injectSidecar)})`);
      }
      const templateLabels = injectSidecar ? { ...podLabels, 'sidecar.istio.io/inject': 'true' } : podLabels;

      this.serviceAccount = kubeObject(this, 'ServiceAccount', 'ServiceAccount', { metadata });
      this.service = kubeObject(this, 'Service', 'Service', {
        metadata: { ...metadata, labels: { ...podLabels, service: name } },
        spec: { ports: [{ port: 80, name: 'http' }], selector: podLabels },
      });
      this.deployment = kubeObject(this, 'Deployment', 'Deployment', {
        metadata,
        spec: {
          replicas: 1,
          selector: { matchLabels: podLabels },
          template: {
            metadata: { labels: templateLabels },
            spec: {
              terminationGracePeriodSeconds: 0,
              serviceAccountName: name,
              securityContext: { runAsNonRoot: true, runAsUser, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [{
                name,
                image,
                command: ['/bin/sleep', 'infinity'],
                imagePullPolicy: 'IfNotPresent',
                resources: props.resources,
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  runAsUser,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ mountPath: '/etc/sleep/tls', name: 'secret-volume' }],
              }],
              volumes: [{ name: 'secret-volume', secret: { secretName: `${name}-secret`, optional: true } }],
            },
          },
        },
      }, { userValues: props.resources !== undefined });
    } catch (e) {
      throw located(this, e);
    }
  }
}
