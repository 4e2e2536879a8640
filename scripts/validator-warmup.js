'use strict';
// A fixed handful of objects, one of each kind this library emits, that the validator worker of
// scripts/synth.js checks while the app synthesizes: it loads the schemas and compiles the CEL rules these
// kinds carry, so the real validation starts warm. Its cost does not grow with the output.
const meta = (name, namespace) => ({ name, ...(namespace ? { namespace } : {}) });
const pod = {
  metadata: { labels: { app: 'warm' } },
  spec: {
    containers: [{
      name: 'c', image: 'example/warm:1', ports: [{ containerPort: 443 }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 100 },
      volumeMounts: [{ mountPath: '/etc/warm', name: 'v', readOnly: true }],
    }],
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    serviceAccountName: 'warm',
    volumes: [{ name: 'v', configMap: { name: 'warm' } }],
  },
};

module.exports = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'warm', labels: { 'istio-injection': 'enabled' } } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('warm', 'warm') },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('warm', 'warm'), data: { 'nginx.conf': 'events {}\n' } },
  { apiVersion: 'v1', kind: 'Service', metadata: meta('warm', 'warm'), spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP' }], selector: { app: 'warm' } } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('warm', 'warm'), spec: { replicas: 1, selector: { matchLabels: { app: 'warm' } }, template: pod } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('warm', 'warm'), rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta('warm', 'warm'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'warm' }, subjects: [{ kind: 'ServiceAccount', name: 'warm', namespace: 'warm' }],
  },
  {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta('warm', 'warm'),
    spec: {
      hosts: ['warm.example.com'], resolution: 'DNS', exportTo: ['.'],
      ports: [{ name: 'http-port', number: 80, protocol: 'HTTP', targetPort: 443 }, { name: 'https-port', number: 443, protocol: 'HTTPS' }],
    },
  },
  {
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta('warm', 'warm'),
    spec: {
      host: 'warm.example.com', exportTo: ['.'], workloadSelector: { matchLabels: { app: 'warm' } },
      trafficPolicy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'MUTUAL', credentialName: 'warm', sni: 'warm.example.com', subjectAltNames: ['warm.example.com'] } }],
      },
    },
  },
  {
    apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('warm', 'warm'),
    spec: { secretName: 'warm', dnsNames: ['warm.example.com'], issuerRef: { name: 'warm', kind: 'Issuer' }, usages: ['client auth'] },
  },
];
