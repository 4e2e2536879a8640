import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { EgressTlsOriginationChart } from '../../app/main';
import { seedNginxConf, seedObjects } from '../support/seed';

const ROOT = path.resolve(__dirname, '../..');

function synthMain(): any[] {
  return Testing.synth(new EgressTlsOriginationChart(Testing.app(), 'egress-tls-origination'));
}

function find(objects: any[], kind: string, name: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Fails with the path of the first field of `subset` that `actual` lacks or has with another value. */
function expectSuperset(actual: any, subset: any, at = ''): void {
  if (Array.isArray(subset)) {
    expect({ at, length: actual?.length }).toEqual({ at, length: subset.length });
    subset.forEach((v, i) => expectSuperset(actual[i], v, `${at}[${i}]`));
  } else if (subset && typeof subset === 'object') {
    for (const [k, v] of Object.entries(subset)) expectSuperset(actual?.[k], v, `${at}.${k}`);
  } else {
    expect({ at, value: actual }).toEqual({ at, value: subset });
  }
}

describe('main chart', () => {
  const objects = synthMain();

  test('emits the objects of the task with its names', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/mesh-external/nginx-configmap',
      'Deployment//sleep',
      'Deployment/mesh-external/my-nginx',
      'DestinationRule//edition-cnn-com',
      'DestinationRule//originate-mtls-for-nginx',
      'Namespace//mesh-external',
      'Role//client-credential-role',
      'RoleBinding//client-credential-role-binding',
      'Service//sleep',
      'Service/mesh-external/my-nginx',
      'ServiceAccount//sleep',
      'ServiceEntry//edition-cnn-com',
      'ServiceEntry//originate-mtls-for-nginx',
    ]);
  });

  test('every Istio object has the spec of the seed, field for field', () => {
    const seedIstio = new Map<string, any>();
    for (const o of seedObjects().filter((s) => s.apiVersion.startsWith('networking.istio.io/'))) {
      seedIstio.set(`${o.kind}/${o.metadata.name}`, o); // the task re-applies edition-cnn-com: the last one wins
    }
    expect([...seedIstio.keys()].sort()).toEqual([
      'DestinationRule/edition-cnn-com', 'DestinationRule/originate-mtls-for-nginx',
      'ServiceEntry/edition-cnn-com', 'ServiceEntry/originate-mtls-for-nginx',
    ]);
    for (const [key, seed] of seedIstio) {
      const [kind, name] = key.split('/');
      const ours = find(objects, kind, name);
      expect(ours.apiVersion).toBe('networking.istio.io/v1');
      expect({ key, spec: ours.spec }).toEqual({ key, spec: seed.spec });
    }
  });

  test('every Kubernetes object the seed applies carries every field the seed sets', () => {
    const seedK8s = seedObjects().filter((s) => !s.apiVersion.startsWith('networking.istio.io/'));
    expect(seedK8s.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/my-nginx', 'Deployment/my-nginx']);
    for (const seed of seedK8s) {
      const ours = find(objects, seed.kind, seed.metadata.name);
      // the one deliberate difference: the image is pinned
      const seedCopy = JSON.parse(JSON.stringify(seed));
      for (const c of seedCopy.spec.template?.spec?.containers ?? []) {
        expect(c.image).toBe('nginx');
        delete c.image;
      }
      expectSuperset(ours, seedCopy, `${seed.kind}/${seed.metadata.name}`);
    }
    expect(find(objects, 'Deployment', 'my-nginx').spec.template.spec.containers[0].image).toMatch(/^nginx:\d+\.\d+\.\d+$/);
  });

  test('the ConfigMap holds the seed nginx.conf byte for byte', () => {
    expect(find(objects, 'ConfigMap', 'nginx-configmap').data).toEqual({ 'nginx.conf': seedNginxConf() });
  });

  test('the RBAC is what the seed creates with kubectl', () => {
    // kubectl create role client-credential-role --resource=secret --verb=list
    expect(find(objects, 'Role', 'client-credential-role').rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
    // kubectl create rolebinding client-credential-role-binding --role=client-credential-role --serviceaccount=default:sleep
    const binding = find(objects, 'RoleBinding', 'client-credential-role-binding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'client-credential-role' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'sleep', namespace: 'default' }]);
  });

  test('no Secret and no private key reaches the manifests', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/PRIVATE KEY/);
  });

  test('chart labels and namespace flow down to every object but the pinned mesh-external ones', () => {
    const labelled = Testing.synth(new EgressTlsOriginationChart(Testing.app(), 'x', { namespace: 'team-a', labels: { team: 'a' } }));
    for (const o of labelled) expect({ o: `${o.kind}/${o.metadata.name}`, team: o.metadata.labels?.team }).toEqual({ o: `${o.kind}/${o.metadata.name}`, team: 'a' });
    const namespaces = new Set(labelled.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
    expect([...namespaces].sort()).toEqual(['mesh-external', 'team-a']);
    expect(labelled.find((o) => o.kind === 'RoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'sleep', namespace: 'team-a' }]);
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });
});

describe('dist/', () => {
  test('equals a fresh synth', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-'));
    const { buildApp } = jest.requireActual<typeof import('../../app/main')>('../../app/main');
    buildApp({ outdir: out }).synth();
    const files = fs.readdirSync(out).sort();
    // npm run synth's record of what it wrote (.cdk8s-istio-egress.sha256, not committed) is no manifest
    expect(fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f !== '.cdk8s-istio-egress.sha256').sort()).toEqual(files);
    for (const f of files) {
      expect({ f, text: fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8') }).toEqual({ f, text: fs.readFileSync(path.join(out, f), 'utf8') });
    }
    fs.rmSync(out, { recursive: true });
  });

  test('holds the objects of the main chart', () => {
    const docs = parseAllDocuments(fs.readFileSync(path.join(ROOT, 'dist/egress-tls-origination.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs).toEqual(synthMain());
  });
});
