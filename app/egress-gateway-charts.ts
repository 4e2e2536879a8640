import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressGateway, EgressGatewayTlsOrigination, MeshExternalNginx, SleepClient, TlsCredential } from 'cdk8s-istio-egress';

/**
 * Istio's "Egress Gateways with TLS Origination" task, first part, with the task's object names: the
 * `sleep` client, and `edition.cnn.com` reached with plain HTTP through `istio-egressgateway`, which
 * originates TLS (`SIMPLE`) to port 443.
 *
 * The egress gateway itself is installed out of band (`istioctl install` with `components.egressGateways`).
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/#perform-tls-origination-with-an-egress-gateway
 */
export class EgressGatewayTlsOriginationChart extends Chart {
  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    new SleepClient(this, 'sleep');

    new EgressGatewayTlsOrigination(this, 'cnn', {
      host: 'edition.cnn.com',
      name: 'cnn',
      gateway: EgressGateway.fromAttributes(),
      gatewayName: 'istio-egressgateway',
      gatewayPortName: 'https-port-for-tls-origination',
      destinationRuleName: 'originate-tls-for-edition-cnn-com',
    });
  }
}

/**
 * Istio's "Egress Gateways with TLS Origination" task, second part, with the task's object names: the
 * `sleep` client, the mutual-TLS nginx server in `mesh-external`, and `istio-egressgateway` originating
 * mutual TLS to it with the client credential `client-credential` of `istio-system`.
 *
 * The Secrets (`client-credential` in `istio-system`, `nginx-server-certs` and `nginx-ca-certs` in
 * `mesh-external`) are referred to by name and created out of band (see `npm run certs`).
 * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/#perform-mutual-tls-origination-with-an-egress-gateway
 */
export class EgressGatewayMutualTlsOriginationChart extends Chart {
  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);

    new SleepClient(this, 'sleep');

    // In this task the egress gateway (in istio-system) must see the Service: unlike the sidecar task,
    // it is not restricted to its own namespace with networking.istio.io/exportTo.
    const nginx = new MeshExternalNginx(this, 'my-nginx', { exportTo: [] });

    new EgressGatewayTlsOrigination(this, 'nginx', {
      host: nginx.host,
      httpsPort: nginx.port,
      name: 'nginx',
      gateway: EgressGateway.fromAttributes(),
      gatewayName: 'istio-egressgateway',
      gatewayPort: 443,
      credential: TlsCredential.fromExistingSecret('client-credential'),
    });
  }
}
