import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { AllowedHostProtocol, AmbientEgressTlsOrigination, EgressWaypoint, OutboundLockdown, SleepClient } from 'cdk8s-istio-egress';
import { checkProps, knownKeys } from './props';

const CHART_PROPS = knownKeys<ChartProps>({ namespace: true, labels: true, disableResourceNameHashes: true });

/**
 * Istio's ambient-mode "Egress gateways" task, with the task's object names: the namespace `istio-egress`
 * enrolled in ambient mode with the waypoint `waypoint`, the ServiceEntry `httpbin-org` (port 80 → 443), the
 * DestinationRule `httpbin-org-tls` that originates TLS at the waypoint, and the AuthorizationPolicy
 * `httpbin-org` that only allows `GET /get`.
 *
 * Istio must be installed with the ambient profile, with the Gateway API CRDs; the client namespace is
 * enrolled out of band (`kubectl label namespace default istio.io/dataplane-mode=ambient`), and the client is
 * Istio's `curl` sample.
 * @see https://istio.io/latest/docs/ambient/usage/egress-gateway/
 */
export class AmbientEgressTlsOriginationChart extends Chart {
  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, checkProps('AmbientEgressTlsOriginationChart', props, CHART_PROPS, { optional: true }));

    const waypoint = new EgressWaypoint(this, 'waypoint', { namespace: 'istio-egress', name: 'waypoint' });

    new AmbientEgressTlsOrigination(this, 'httpbin-org', {
      host: 'httpbin.org',
      waypoint,
      allowedMethods: ['GET'],
      allowedPaths: ['/get'],
    });
  }
}

/**
 * Istio's "Accessing external services" task with the workloads locked down per namespace instead of mesh-wide:
 * the `sleep` client's namespace gets the Sidecar `default` with `outboundTrafficPolicy.mode: REGISTRY_ONLY`,
 * and the task's ServiceEntries `httpbin-ext` (`httpbin.org`, HTTP 80) and `google` (`www.google.com`,
 * HTTPS 443), with resolution `DNS` and location `MESH_EXTERNAL`, are the only external hosts it reaches.
 *
 * The task sets the mesh-wide `meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY` with `istioctl install`:
 * install-time configuration, not part of a chart. No NetworkPolicy: these hosts are reached from the pods
 * directly (use an egress gateway for that, see `OutboundLockdown`'s `networkPolicy`).
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
 */
export class EgressControlLockdownChart extends Chart {
  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, checkProps('EgressControlLockdownChart', props, CHART_PROPS, { optional: true }));

    new SleepClient(this, 'sleep');

    const lockdown = new OutboundLockdown(this, 'lockdown');
    lockdown.allowHost({ host: 'httpbin.org', name: 'httpbin-ext', port: 80, protocol: AllowedHostProtocol.HTTP });
    lockdown.allowHost({ host: 'www.google.com', name: 'google', port: 443, protocol: AllowedHostProtocol.HTTPS });
  }
}
