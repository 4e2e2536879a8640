// A tiny cdk8s app that uses the library through its public API only, as a user's app would.
import { App, Chart } from 'cdk8s';
import {
  EgressTlsOrigination, IstioApiVersion, MeshExternalNginx, MutualTlsOrigination, SleepClient, TlsCredential,
} from 'cdk8s-istio-egress';
import { generateCertificates } from 'cdk8s-istio-egress/certificates';
import { formatFindings, validateDirectory } from 'cdk8s-istio-egress/validator';

if (typeof generateCertificates !== 'function') throw new Error('cdk8s-istio-egress/certificates does not export generateCertificates');

const app = new App({ outdir: process.argv[2] });
const chart = new Chart(app, 'consumer', { namespace: 'apps' });
const sleep = new SleepClient(chart, 'sleep');
new EgressTlsOrigination(chart, 'api', { host: 'api.example.com', apiVersion: IstioApiVersion.V1BETA1 });
const nginx = new MeshExternalNginx(chart, 'nginx', { namespace: 'partner', port: 8443 });
new MutualTlsOrigination(chart, 'mtls', {
  host: nginx.host,
  httpsPort: nginx.port,
  client: sleep,
  credential: TlsCredential.fromExistingSecret('client-credential'),
});
app.synth();

// the packed validator works offline from the schemas the package ships
const report = validateDirectory(app.outdir);
if (!report.ok) throw new Error(formatFindings(report.errors));
console.log(JSON.stringify({ errors: report.errors.length, warnings: report.warnings.map((w) => w.ruleId), notes: report.notes.map((n) => n.ruleId) }));
