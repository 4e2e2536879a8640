/**
 * Annotations the constructs put on the objects they emit and the validator reads: shared by both, so that
 * neither imports the other.
 */

/** Annotation that downgrades errors of the listed rule ids (comma separated) to warnings for one object. */
export const WARN_ANNOTATION = 'validation.cdk8s-istio-egress.io/warn';

/**
 * Annotation (value `"true"`) on a DestinationRule or RoleBinding emitted for a client that is deployed
 * elsewhere (`MeshWorkload.fromAttributes`): the wiring checks that need the client's pods or service
 * account in the output (selector matches a workload, sidecar injection, service account exists and is used)
 * report a note that they could not be made, instead of an error.
 */
export const REMOTE_CLIENT_ANNOTATION = 'validation.cdk8s-istio-egress.io/client-deployed-elsewhere';

/**
 * Annotation (value `"true"`) on an object emitted for a gateway deployed elsewhere
 * (`GatewayApiEgressGateway.fromAttributes`): what the gateway's owner must grant is not in the output (the
 * ReferenceGrant that lets an HTTPRoute of another namespace send to the gateway's Service, on the HTTPRoute;
 * the Role and RoleBinding that let the gateway read credentials, on the DestinationRule with
 * `credentialName`), so the checks that need it report a warning that they could not be made, instead of an
 * error.
 */
export const GATEWAY_ELSEWHERE_ANNOTATION = 'validation.cdk8s-istio-egress.io/gateway-deployed-elsewhere';
