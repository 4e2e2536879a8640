// A production-like user app, written from README.md and API.md only: four teams' charts in four namespaces,
// every construct of the library, as a platform team's repository would hold them. The integration suite
// installs the packed package into an empty folder outside the repository and runs this app there.
import { App, Chart } from 'cdk8s';
import {
  AmbientEgressTlsOrigination, EgressGateway, EgressGatewayTlsOrigination, EgressTlsOrigination, EgressWaypoint,
  GatewayApiEgressGateway, GatewayApiEgressTlsOrigination, IssuerKind, MeshExternalNginx, MeshWorkload,
  MutualTlsOrigination, OutboundLockdown, SleepClient, TlsCredential,
} from 'cdk8s-istio-egress';

const app = new App();

// The platform team: the mesh-external partner server, and a Gateway API egress gateway of its own.
const platform = new Chart(app, 'platform', { namespace: 'egress' });
const partner = new MeshExternalNginx(platform, 'partner', { namespace: 'partner', exportTo: ['.', 'shop'] });
const gatewayApi = new GatewayApiEgressGateway(platform, 'egress', { name: 'egress' });

// The shop team: sidecar SIMPLE and MUTUAL, a client deployed by another repository, both egress gateways.
const shop = new Chart(app, 'shop', { namespace: 'shop' });
const checkout = MeshWorkload.fromAttributes({ serviceAccountName: 'checkout', podLabels: { app: 'checkout' } });
new EgressTlsOrigination(shop, 'stripe', { host: 'api.stripe.com' });
new MutualTlsOrigination(shop, 'partner', {
  host: partner.host,
  httpsPort: partner.port,
  client: checkout,
  credential: TlsCredential.fromCertManager({
    secretName: 'checkout-partner-credential', issuerName: 'partner-ca', issuerKind: IssuerKind.CLUSTER_ISSUER,
    dnsNames: ['checkout.shop.svc.cluster.local'],
  }),
});
// exported to the shop's own namespace (the gateway's namespace is added where the gateway needs to see them)
const cnn = new EgressGatewayTlsOrigination(shop, 'cnn', { host: 'edition.cnn.com', gateway: EgressGateway.fromAttributes(), exportTo: ['.'] });
const github = new GatewayApiEgressTlsOrigination(shop, 'github', { host: 'api.github.com', gateway: gatewayApi, exportTo: ['.'] });
const lockdown = new OutboundLockdown(shop, 'lockdown');
lockdown.allow(cnn);
lockdown.allow(github);

// The data team: ambient mode through a waypoint.
const data = new Chart(app, 'data', { namespace: 'istio-egress' });
const waypoint = new EgressWaypoint(data, 'waypoint');
new AmbientEgressTlsOrigination(data, 'httpbin', { host: 'httpbin.org', waypoint, allowedMethods: ['GET'] });

// Staging: its own client, its own origination.
const staging = new Chart(app, 'staging', { namespace: 'staging' });
new SleepClient(staging, 'sleep');
new EgressTlsOrigination(staging, 'stripe', { host: 'api.stripe.com' });

app.synth();
