import { ApiObject, ApiObjectProps } from 'cdk8s';
import type * as plus from 'cdk8s-plus-28';
import type { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/**
 * The Kubernetes objects the constructs emit, by kind, with the props type of cdk8s-plus-28's binding.
 * Only the types come from cdk8s-plus-28: loading it costs ~40 ms (4.7 MB of JavaScript) for bindings
 * whose JSON, for the props the constructs build, is what a plain `ApiObject` renders.
 */
export interface KubeKinds {
  readonly ConfigMap: k8s.KubeConfigMapProps;
  readonly Deployment: k8s.KubeDeploymentProps;
  readonly Namespace: k8s.KubeNamespaceProps;
  readonly Role: k8s.KubeRoleProps;
  readonly RoleBinding: k8s.KubeRoleBindingProps;
  readonly Secret: k8s.KubeSecretProps;
  readonly Service: k8s.KubeServiceProps;
  readonly ServiceAccount: k8s.KubeServiceAccountProps;
}

export type KubeKind = keyof KubeKinds;

/** apiVersion of each kind, as cdk8s-plus-28's bindings (`k8s.KubeDeployment.GVK`) have it. */
export const API_VERSIONS: { readonly [K in KubeKind]: string } = {
  ConfigMap: 'v1',
  Deployment: 'apps/v1',
  Namespace: 'v1',
  Role: 'rbac.authorization.k8s.io/v1',
  RoleBinding: 'rbac.authorization.k8s.io/v1',
  Secret: 'v1',
  Service: 'v1',
  ServiceAccount: 'v1',
};

export interface KubeObjectOptions {
  /**
   * The props hold values a user gave as cdk8s-plus-28 types (`k8s.ResourceRequirements`,
   * `k8s.SecurityContext`): they may hold class instances (`k8s.Quantity`, `k8s.IntOrString`) or keys
   * cdk8s-plus-28 does not render, so the object is made with cdk8s-plus-28's binding, which converts
   * them (its `toJson_*` functions). cdk8s-plus-28 is loaded then only.
   * @default false
   */
  readonly userValues?: boolean;
}

/**
 * A Kubernetes object of `kind` with `props`, rendered byte for byte as cdk8s-plus-28's `k8s.Kube<Kind>`
 * renders it. Without `userValues` it is a plain `ApiObject`: cdk8s sorts the keys (after `apiVersion`,
 * `kind`, `metadata`) and drops undefined values, which is what the binding's `toJson_*` functions do for
 * the props the constructs build (Kubernetes' schemas list fields in sorted order; every key the constructs
 * set is a field of its schema under its own name; no class instances).
 */
export function kubeObject<K extends KubeKind>(scope: Construct, id: string, kind: K, props: KubeKinds[K], options: KubeObjectOptions = {}): ApiObject {
  if (options.userValues) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { k8s: bindings } = require('cdk8s-plus-28') as typeof plus;
    const Binding = bindings[`Kube${kind}`] as unknown as new (s: Construct, i: string, p: KubeKinds[K]) => ApiObject;
    return new Binding(scope, id, props);
  }
  return new ApiObject(scope, id, { apiVersion: API_VERSIONS[kind], kind, ...props } as ApiObjectProps);
}

/** A cluster-scoped object (a Namespace): cdk8s would otherwise stamp the chart's namespace on it. */
export function clusterScopedObject<K extends KubeKind>(scope: Construct, id: string, kind: K, props: KubeKinds[K]): ApiObject {
  return new ClusterScopedObject(scope, id, { apiVersion: API_VERSIONS[kind], kind, ...props } as ApiObjectProps);
}

class ClusterScopedObject extends ApiObject {
  public override toJson(): any {
    const json = super.toJson();
    delete json.metadata.namespace;
    return json;
  }
}
