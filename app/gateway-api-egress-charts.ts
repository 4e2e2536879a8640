import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { GatewayApiEgressGateway, GatewayApiEgressTlsOrigination, MeshExternalNginx, SleepClient, TlsCredential } from 'cdk8s-istio-egress';
import { checkProps, knownKeys } from './props';

const CHART_PROPS = knownKeys<ChartProps>({ namespace: true, labels: true, disableResourceNameHashes: true });

/**
 * Istio's "Egress Gateways with TLS Origination" task, first part, "Gateway API" tab, with the task's object
 * names: the `sleep` client, and `edition.cnn.com` reached with plain HTTP through the Gateway
 * `cnn-egress-gateway` (class `istio`, deployed by Istio), which originates TLS (`SIMPLE`) to port 443.
 *
 * Needs the Gateway API CRDs in the cluster.
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/#perform-tls-origination-with-an-egress-gateway
 */
export class GatewayApiEgressTlsOriginationChart extends Chart {
  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, checkProps('GatewayApiEgressTlsOriginationChart', props, CHART_PROPS, { optional: true }));

    new SleepClient(this, 'sleep');

    const host = 'edition.cnn.com';
    const gateway = new GatewayApiEgressGateway(this, 'cnn-egress-gateway', {
      listeners: [{ name: 'https-listener-for-tls-origination', port: 80, hostname: host }],
      destinationRuleName: 'egressgateway-for-cnn',
    });

    new GatewayApiEgressTlsOrigination(this, 'cnn', {
      host,
      gateway,
      name: 'cnn',
      destinationRuleName: 'originate-tls-for-edition-cnn-com',
    });
  }
}

/**
 * Istio's "Egress Gateways with TLS Origination" task, second part, "Gateway API" tab, with the task's
 * object names: the `sleep` client, the mutual-TLS nginx server in `mesh-external`, and the Gateway
 * `nginx-egressgateway` originating mutual TLS to it with the client credential `client-credential`, which
 * the gateway reads in its own namespace (`default`) with the Role and RoleBinding `nginx-egressgateway-istio-sds`.
 *
 * The Secrets (`client-credential` in `default`, `nginx-server-certs` and `nginx-ca-certs` in
 * `mesh-external`) are referred to by name and created out of band (see `npm run certs`).
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/#perform-mutual-tls-origination-with-an-egress-gateway
 */
export class GatewayApiEgressMutualTlsOriginationChart extends Chart {
  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, checkProps('GatewayApiEgressMutualTlsOriginationChart', props, CHART_PROPS, { optional: true }));

    new SleepClient(this, 'sleep');

    // the egress gateway must see the Service: it is not restricted to its own namespace with exportTo
    const nginx = new MeshExternalNginx(this, 'my-nginx', { exportTo: [] });

    const gateway = new GatewayApiEgressGateway(this, 'nginx-egressgateway', {
      listeners: [{ name: 'https', port: nginx.port, hostname: nginx.host }],
      destinationRuleName: 'egressgateway-for-nginx',
    });

    new GatewayApiEgressTlsOrigination(this, 'nginx', {
      host: nginx.host,
      httpsPort: nginx.port,
      gateway,
      name: 'nginx',
      credential: TlsCredential.fromExistingSecret('client-credential'),
    });
  }
}
