import { App, AppProps, Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressGatewayMutualTlsOriginationChart, EgressGatewayTlsOriginationChart } from './egress-gateway-charts';
import { EgressTlsOrigination, MeshExternalNginx, MutualTlsOrigination, SleepClient, TlsCredential } from 'cdk8s-istio-egress';
import { checkProps, knownKeys } from './props';
import { GatewayApiEgressMutualTlsOriginationChart, GatewayApiEgressTlsOriginationChart } from './gateway-api-egress-charts';
import { AmbientEgressTlsOriginationChart, EgressControlLockdownChart } from './topology-charts';

const CHART_PROPS = knownKeys<ChartProps>({ namespace: true, labels: true, disableResourceNameHashes: true });
const APP_PROPS = knownKeys<AppProps>({ outdir: true, outputFileExtension: true, yamlOutputType: true, recordConstructMetadata: true, resolvers: true });

/**
 * The whole scenario of Istio's "Egress TLS Origination" task, with the task's object names:
 * the `sleep` client, TLS origination to `edition.cnn.com`, the mutual-TLS nginx server in
 * `mesh-external`, and mutual TLS origination from `sleep` to it.
 *
 * The three Secrets (`client-credential`, `nginx-server-certs`, `nginx-ca-certs`) are referred to by
 * name and created out of band (see `npm run certs`), so no private key reaches the manifests.
 */
export class EgressTlsOriginationChart extends Chart {
  public constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, checkProps('EgressTlsOriginationChart', props, CHART_PROPS, { optional: true }));

    const sleep = new SleepClient(this, 'sleep');

    new EgressTlsOrigination(this, 'edition-cnn-com', { host: 'edition.cnn.com' });

    const nginx = new MeshExternalNginx(this, 'my-nginx');

    new MutualTlsOrigination(this, 'originate-mtls-for-nginx', {
      name: 'originate-mtls-for-nginx',
      host: nginx.host,
      httpsPort: nginx.port,
      client: sleep,
      credential: TlsCredential.fromExistingSecret('client-credential'),
    });
  }
}

/** Builds the app with the main chart; `outdir` defaults to `$CDK8S_OUTDIR` or `dist`. */
export function buildApp(props: AppProps = {}): App {
  const app = new App(checkProps('buildApp', props, APP_PROPS, { optional: true }));
  new EgressTlsOriginationChart(app, 'egress-tls-origination');
  new EgressGatewayTlsOriginationChart(app, 'egress-gateway-tls-origination');
  new EgressGatewayMutualTlsOriginationChart(app, 'egress-gateway-mtls-origination');
  // area: topologies (Gateway API egress gateway, ambient waypoint, outbound lockdown)
  new GatewayApiEgressTlsOriginationChart(app, 'egress-gateway-api-tls-origination');
  new GatewayApiEgressMutualTlsOriginationChart(app, 'egress-gateway-api-mtls-origination');
  new AmbientEgressTlsOriginationChart(app, 'ambient-egress-tls-origination');
  new EgressControlLockdownChart(app, 'egress-control-lockdown');
  return app;
}
