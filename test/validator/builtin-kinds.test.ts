import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseYamlDocuments, validateDirectory, validateManifests, type Finding } from '../../src/validator';
import { k8sDefinitions, k8sReleases, lookupSchema } from '../../src/validator/schemas';

const DIR = path.join(__dirname, '..', 'fixtures', 'validator', 'builtin-kinds');
const row = (f: Finding) => [f.severity, f.ruleId, `${f.object.kind}/${f.object.name}`, f.field, f.message];
const objectsOf = (dir: string) => fs.readdirSync(dir).sort().flatMap((f) => parseYamlDocuments(fs.readFileSync(path.join(dir, f), 'utf8'), f));

describe('Kubernetes built-in kinds (the releases Istio 1.30 and 1.31 support)', () => {
  test('the schemas are those of Kubernetes 1.32 to 1.36', () => {
    expect(k8sReleases()).toEqual(['v1.32.0', 'v1.33.0', 'v1.34.0', 'v1.35.0', 'v1.36.0']);
  });

  test('valid objects of the Kubernetes documentation have a schema each and give no finding', () => {
    // GIVEN one valid object of each kind, written from the examples of the Kubernetes documentation
    const objects = objectsOf(path.join(DIR, 'valid'));
    const kinds = objects.map((o) => `${o.apiVersion} ${o.kind}`).sort();
    expect(kinds).toEqual([
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration', 'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
      'apiextensions.k8s.io/v1 CustomResourceDefinition', 'apps/v1 ReplicaSet', 'autoscaling/v2 HorizontalPodAutoscaler', 'batch/v1 CronJob',
      'coordination.k8s.io/v1 Lease', 'discovery.k8s.io/v1 EndpointSlice', 'networking.k8s.io/v1 Ingress', 'networking.k8s.io/v1 IngressClass',
      'networking.k8s.io/v1 NetworkPolicy', 'node.k8s.io/v1 RuntimeClass', 'policy/v1 PodDisruptionBudget', 'scheduling.k8s.io/v1 PriorityClass',
      'storage.k8s.io/v1 StorageClass', 'v1 Endpoints', 'v1 LimitRange', 'v1 PersistentVolume', 'v1 PersistentVolumeClaim',
      'v1 ReplicationController', 'v1 ResourceQuota',
    ]);
    // THEN each has an upstream schema, served by every supported release
    for (const o of objects) {
      const found = lookupSchema(o.apiVersion, o.kind);
      expect({ kind: o.kind, found: found.found, servedIn: found.found === 'k8s' ? found.servedIn : undefined }).toEqual({ kind: o.kind, found: 'k8s', servedIn: undefined });
    }
    // WHEN validated, as one set and file by file
    // THEN nothing is reported (before: "no schema known for networking.k8s.io/v1 Ingress ..." and the like, as errors)
    expect(validateDirectory(path.join(DIR, 'valid')).findings.map(row)).toEqual([]);
    expect(validateManifests(objects).findings.map(row)).toEqual([]);
  });

  test('each valid object, broken, is an error of the field that breaks it', () => {
    // GIVEN the valid objects, each with one field broken
    const objects = objectsOf(path.join(DIR, 'valid'));
    const get = (kind: string) => objects.find((o) => o.kind === kind);
    get('Ingress').spec.rules[0].http.paths[0].backend.service.port.number = '80';
    get('IngressClass').spec.controlller = 'example.com/ingress-controller';
    delete get('EndpointSlice').addressType;
    get('ResourceQuota').spec.hard = ['pods'];
    get('LimitRange').spec.limits[0].type = 7;
    get('CronJob').spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy = true;
    get('HorizontalPodAutoscaler').spec.metrics[0].resource.target.averageUtilization = 50.5;
    get('Lease').spec.renewTime = 'yesterday';
    delete get('ValidatingWebhookConfiguration').webhooks[0].admissionReviewVersions;
    get('CustomResourceDefinition').spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas.minimum = 'one';
    get('StorageClass').reclaimPolicy = { policy: 'Retain' };
    // WHEN validated
    const found = validateManifests(objects).findings.map(row);
    // THEN each break is named, with its field
    expect(found).toEqual(expect.arrayContaining([
      ['error', 'schema/type', 'Ingress/minimal-ingress', 'spec.rules[0].http.paths[0].backend.service.port.number', 'expected integer, got string "80"'],
      ['error', 'schema/unknown-field', 'IngressClass/external-lb', 'spec.controlller', 'unknown field "controlller"'],
      ['error', 'schema/required', 'EndpointSlice/my-service-1', 'addressType', 'required field "addressType" is missing'],
      ['error', 'schema/type', 'ResourceQuota/mem-cpu-demo', 'spec.hard', 'expected object, got array ["pods"]'],
      ['error', 'schema/type', 'LimitRange/cpu-resource-constraint', 'spec.limits[0].type', 'expected string, got integer 7'],
      ['error', 'schema/type', 'CronJob/hello', 'spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy', 'expected string, got boolean true'],
      ['error', 'schema/type', 'HorizontalPodAutoscaler/php-apache', 'spec.metrics[0].resource.target.averageUtilization', 'expected integer, got number 50.5'],
      ['error', 'schema/format', 'Lease/my-controller', 'spec.renewTime', '"yesterday" is not a valid date-time'],
      ['error', 'schema/required', 'ValidatingWebhookConfiguration/pod-policy.example.com', 'webhooks[0].admissionReviewVersions', 'required field "admissionReviewVersions" is missing'],
      ['error', 'schema/type', 'CustomResourceDefinition/crontabs.stable.example.com', 'spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas.minimum', 'expected number, got string "one"'],
      ['error', 'schema/type', 'StorageClass/standard', 'reclaimPolicy', 'expected string, got object {"policy":"Retain"}'],
    ]));
    expect(found.filter((f) => f[0] === 'error')).toHaveLength(11);
  });

  test('bad objects: misspelt fields, missing required fields, wrong types (exact errors)', () => {
    const r = validateDirectory(path.join(DIR, 'invalid'));
    const bad = r.findings.filter((f) => f.object.file?.endsWith('bad-fields.yaml')).map(row);
    expect(bad).toEqual([
      ['error', 'schema/required', 'Ingress/bad-ingress', 'spec.rules[0].http.paths[0].pathType', 'required field "pathType" is missing'],
      ['error', 'schema/unknown-field', 'Ingress/bad-ingress', 'spec.rules[0].http.paths[0].pathtype', 'unknown field "pathtype"'],
      ['error', 'schema/unknown-field', 'PersistentVolumeClaim/bad-claim', 'spec.accessMode', 'unknown field "accessMode"'],
      ['error', 'schema/required', 'HorizontalPodAutoscaler/bad-hpa', 'spec.maxReplicas', 'required field "maxReplicas" is missing'],
      ['error', 'schema/type', 'HorizontalPodAutoscaler/bad-hpa', 'spec.minReplicas', 'expected integer, got string "1"'],
      ['error', 'schema/type', 'PriorityClass/named-value', 'value', 'expected integer, got string "high"'],
      ['error', 'schema/type', 'Endpoints/bad-endpoints', 'subsets[0].ports[0].port', 'expected integer, got string "http"'],
      ['error', 'schema/required', 'CronJob/no-schedule', 'spec.schedule', 'required field "schedule" is missing'],
      ['error', 'schema/required', 'ValidatingWebhookConfiguration/no-side-effects', 'webhooks[0].sideEffects', 'required field "sideEffects" is missing'],
      // a duplicate key of a list-map of a built-in kind: server-side apply refuses it, not always the API server
      ['warning', 'schema/duplicate', 'Service/twice', 'spec.ports', 'duplicate entry with port/protocol = [80,null] at index 1 (server-side apply refuses it; whether the API server\'s own validation does depends on the field)'],
      ['warning', 'wiring/image-tag', 'CronJob/no-schedule', 'spec.jobTemplate.spec.template.spec.containers[0].image', 'image "busybox" is not pinned (no tag)'],
      // port names a and b name no protocol: Istio's service.PortNameAnalyzer (info)
      ['note', 'analyzer/port-name-convention', 'Service/twice', 'spec.ports[0]', "IST0118 Port name a (port: 80, targetPort: 80) doesn't follow the naming convention of Istio port."],
      ['note', 'analyzer/port-name-convention', 'Service/twice', 'spec.ports[1]', "IST0118 Port name b (port: 80, targetPort: 80) doesn't follow the naming convention of Istio port."],
    ]);
    const typo = r.findings.find((f) => f.field === 'spec.rules[0].http.paths[0].pathtype')!;
    expect(typo.fix).toBe('Did you mean "pathType"?');
  });

  test('API versions Kubernetes no longer serves are errors that say when they were removed and what to use instead', () => {
    const r = validateDirectory(path.join(DIR, 'invalid'));
    const removed = r.findings.filter((f) => f.object.file?.endsWith('removed-apis.yaml') && f.ruleId.startsWith('schema/'));
    expect(removed.map(row)).toEqual([
      ['error', 'schema/unserved-version', 'Ingress/old-ingress', 'apiVersion', 'extensions/v1beta1 Ingress is no longer served: Kubernetes stopped serving it in v1.22; use networking.k8s.io/v1'],
      ['error', 'schema/unserved-version', 'CronJob/old-cronjob', 'apiVersion', 'batch/v1beta1 CronJob is no longer served: Kubernetes stopped serving it in v1.25; use batch/v1'],
      ['error', 'schema/unserved-version', 'PodSecurityPolicy/restricted', 'apiVersion', 'policy/v1beta1 PodSecurityPolicy is no longer served: Kubernetes stopped serving it in v1.25; the PodSecurityPolicy API was removed, with no kind to replace it: Pod Security Admission (the pod-security.kubernetes.io/* labels of a namespace) does its work'],
      ['error', 'schema/unserved-version', 'IngressClass/old-class', 'apiVersion', 'networking.k8s.io/v1beta1 IngressClass is no longer served: Kubernetes stopped serving it in v1.22; use networking.k8s.io/v1'],
      ['error', 'schema/unserved-version', 'Deployment/future', 'apiVersion', 'Deployment is not served in version apps/v2; served versions: apps/v1'],
    ]);
    expect(removed[0].fix).toBe('Change apiVersion to networking.k8s.io/v1 (https://kubernetes.io/docs/reference/using-api/deprecation-guide/ lists the field changes).');
    expect(removed[2].fix).toBe('Remove the object.');
    expect(removed[4].fix).toBe('Use one of: apps/v1.');
    // the removed API's fields are not validated (there is no schema to hold them to): one finding per object
    expect(new Set(removed.map((f) => f.object.name)).size).toBe(removed.length);
  });

  test('a misspelt kind of a built-in group is an error, a kind of an unknown group a note, an API only some releases serve a note', () => {
    const r = validateDirectory(path.join(DIR, 'invalid'));
    const unknown = r.findings.filter((f) => f.object.file?.endsWith('unknown-kinds.yaml'));
    expect(unknown.map(row)).toEqual([
      ['error', 'schema/unknown-kind', 'Deploymnet/typo', 'apiVersion', 'no schema known for apps/v1 Deploymnet; not validated structurally'],
      ['note', 'schema/unknown-kind', 'Widget/widget', 'apiVersion', 'could not check example.com/v1 Widget structurally: no schema is known for its API group'],
      ['note', 'schema/unserved-version', 'DeviceClass/gpu.example.com', 'apiVersion', 'resource.k8s.io/v1alpha3 DeviceClass is served by Kubernetes v1.32, v1.33 only, of the releases Istio 1.30 and 1.31 support (v1.32, v1.33, v1.34, v1.35, v1.36); which release the cluster runs is not in the input'],
    ]);
  });

  test('an object of an API only some releases serve is still validated against its schema', () => {
    const r = validateManifests([{ apiVersion: 'resource.k8s.io/v1alpha3', kind: 'DeviceClass', metadata: { name: 'gpu' }, spec: { selectorz: [] } }]);
    expect(r.findings.map(row)).toEqual([
      ['note', 'schema/unserved-version', 'DeviceClass/gpu', 'apiVersion', expect.stringContaining('served by Kubernetes v1.32, v1.33 only')],
      ['error', 'schema/unknown-field', 'DeviceClass/gpu', 'spec.selectorz', 'unknown field "selectorz"'],
    ]);
  });

  test('objects without declared fields (RawExtension, JSON) hold anything; quantities are strings or numbers', () => {
    const r = validateManifests([
      { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'rev', namespace: 'default' }, revision: 1, data: { any: { thing: [1] } } },
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard: { cpu: 2, memory: '1Gi', pods: 1.5 } } },
      { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'bad', namespace: 'default' }, spec: { hard: { cpu: true } } },
    ]);
    expect(r.findings.map((f) => [f.object.name, f.ruleId, f.field])).toEqual([['bad', 'schema/one-of', 'spec.hard.cpu']]);
  });

  test('each definition read from k8s.json is what parsing the whole file gives, in its layout and in any other', () => {
    // GIVEN k8s.json, parsed whole, and a copy of the validation folder written compactly
    const VALIDATION = path.join(__dirname, '..', '..', 'imports', 'validation');
    const whole = JSON.parse(fs.readFileSync(path.join(VALIDATION, 'k8s.json'), 'utf8'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-compact-'));
    try {
      for (const f of ['crds-1.30.json', 'cel-1.30.json', 'crds-1.31.json', 'cel-1.31.json']) fs.copyFileSync(path.join(VALIDATION, f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'k8s.json'), JSON.stringify(whole));
      // WHEN / THEN every definition reads the same, and a name that is none reads undefined
      const defs = k8sDefinitions();
      for (const name of Object.keys(whole.definitions)) expect({ name, def: defs[name] }).toEqual({ name, def: whole.definitions[name] });
      expect(defs['core.v1.NoSuchThing']).toBeUndefined();
      const saved = process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR;
      process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR = dir;
      try {
        jest.isolateModules(() => {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const compact = require('../../src/validator/schemas').k8sDefinitions();
          for (const name of ['meta.v1.ObjectMeta', 'core.v1.PodSpec', 'storagemigration.v1beta1.StorageVersionMigration']) expect(compact[name]).toEqual(whole.definitions[name]);
          expect(compact['core.v1.NoSuchThing']).toBeUndefined();
        });
      } finally {
        if (saved === undefined) delete process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR;
        else process.env.CDK8S_ISTIO_EGRESS_VALIDATION_DIR = saved;
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
