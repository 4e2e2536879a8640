/**
 * Derives, from plain synthesized manifests, everything the end-to-end test
 * needs to stand in for Kubernetes and the Istio sidecar:
 *
 *  - the DestinationRule that originates MUTUAL TLS, its port, credentialName and sni;
 *  - the ServiceEntry port it applies to and that port's targetPort;
 *  - the Service the ServiceEntry host names (`<svc>.<ns>.svc.<domain>`), its port and targetPort;
 *  - the Deployment that Service selects, the containerPort the targetPort lands on, and the
 *    container's volume mounts with the files the ConfigMaps/Secrets project into them.
 *
 * Nothing here knows the seed's paths, names or ports: they all come from the manifests (and, for
 * Secrets created out of band, from the Secret manifests passed in).
 */

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: any };
  [k: string]: any;
}

/** A volume mount with the files Kubernetes would project into it. */
export interface ProjectedMount {
  readonly mountPath: string;
  readonly readOnly: boolean;
  /** `subPath` mounts project a single file: then `files` has exactly one entry with key ''. */
  readonly subPath?: string;
  /** relative path -> content and mode */
  readonly files: Record<string, { content: Buffer; mode: number }>;
  /** What it comes from, for messages: `configMap mesh-external/nginx-configmap` */
  readonly source: string;
}

export interface PortChain {
  /** DestinationRule portLevelSettings port (the port the application calls) */
  readonly destinationRulePort: number;
  /** ServiceEntry port with that number: its targetPort */
  readonly serviceEntryTargetPort: number;
  /** Service port matching that targetPort */
  readonly servicePort: number;
  /** the Service port's targetPort resolved to the container port */
  readonly containerPort: number;
}

export interface MtlsScenario {
  /** The external host (ServiceEntry host = DestinationRule host). */
  readonly host: string;
  /** SNI the sidecar sends: the DestinationRule's `sni`, else the host (Istio's auto SNI). */
  readonly sni: string;
  /** subjectAltNames the sidecar checks, when the DestinationRule lists them. */
  readonly subjectAltNames?: string[];
  readonly ports: PortChain;
  /** The client credential as the sidecar loads it from `credentialName`. */
  readonly credential: { readonly secret: string; readonly cert: string; readonly key: string; readonly ca: string };
  /** The server side: namespace/name of the Deployment and its container. */
  readonly server: { readonly namespace: string; readonly deployment: string; readonly container: string; readonly image?: string; readonly securityContext?: any };
  readonly mounts: ProjectedMount[];
  readonly objects: { readonly destinationRule: Manifest; readonly serviceEntry: Manifest; readonly service: Manifest; readonly deployment: Manifest };
}

export interface DeriveOptions {
  /** Pick the DestinationRule for this host when several originate MUTUAL TLS. */
  readonly host?: string;
  /**
   * Secrets that exist in the cluster without being part of the manifests (created with
   * `kubectl create secret`). Secrets in the manifests win over these.
   */
  readonly clusterSecrets?: Manifest[];
}

const nsOf = (o: Manifest, fallback = 'default') => o.metadata.namespace ?? fallback;
const id = (o: Manifest) => `${o.kind} ${nsOf(o)}/${o.metadata.name}`;

function one<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0];
}

function mutualTlsSettings(dr: Manifest): Array<{ port: number; tls: any }> {
  const settings: any[] = dr.spec?.trafficPolicy?.portLevelSettings ?? [];
  return settings.filter((s) => s?.tls?.mode === 'MUTUAL').map((s) => ({ port: s.port?.number, tls: s.tls }));
}

export function secretData(secret: Manifest): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries<string>(secret.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries<string>(secret.stringData ?? {})) out[k] = Buffer.from(v, 'utf8');
  return out;
}

function configMapData(cm: Manifest): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries<string>(cm.data ?? {})) out[k] = Buffer.from(v, 'utf8');
  for (const [k, v] of Object.entries<string>(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

/** Projects ConfigMap/Secret data into files like the kubelet does (honours items, defaultMode, mode). */
function project(data: Record<string, Buffer>, vol: any, src: string): Record<string, { content: Buffer; mode: number }> {
  const defaultMode: number = vol.defaultMode ?? 0o644;
  const files: Record<string, { content: Buffer; mode: number }> = {};
  if (vol.items) {
    for (const item of vol.items) {
      if (!(item.key in data)) {
        if (vol.optional) continue;
        throw new Error(`${src} has no key '${item.key}' (volume items)`);
      }
      files[item.path] = { content: data[item.key], mode: item.mode ?? defaultMode };
    }
  } else {
    for (const [k, v] of Object.entries(data)) files[k] = { content: v, mode: defaultMode };
  }
  return files;
}

function labelsMatch(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function mutualTlsDestinationRule(objects: Manifest[], host?: string): Manifest {
  const drs = objects.filter((o) => o && o.kind === 'DestinationRule')
    .filter((dr) => mutualTlsSettings(dr).length > 0)
    .filter((dr) => host === undefined || dr.spec.host === host);
  return one(drs, `DestinationRule with a MUTUAL portLevelSetting${host ? ` for ${host}` : ''}`);
}

/**
 * Where certificates must go before the scenario can be derived: the host (and SNI) the server
 * certificate is for, the namespace of the server (its Secrets), the client's namespace (the credential).
 */
export function mtlsTarget(objects: Manifest[], host?: string): { host: string; sni: string; serverNamespace: string; clientNamespace: string } {
  const dr = mutualTlsDestinationRule(objects, host);
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\..+)?$/.exec(dr.spec.host);
  if (!m) throw new Error(`host ${dr.spec.host} is not a cluster Service name (<svc>.<ns>.svc.<domain>)`);
  const tls = mutualTlsSettings(dr)[0].tls;
  return { host: dr.spec.host, sni: tls.sni ?? dr.spec.host, serverNamespace: m[2], clientNamespace: nsOf(dr) };
}

export function deriveMtlsScenario(objects: Manifest[], options: DeriveOptions = {}): MtlsScenario {
  const byKind = (kind: string) => objects.filter((o) => o && o.kind === kind);

  // 1. The DestinationRule that originates mutual TLS.
  const dr = mutualTlsDestinationRule(objects, options.host);
  const host: string = dr.spec.host;
  const { port: drPort, tls } = one(mutualTlsSettings(dr), `MUTUAL portLevelSetting in ${id(dr)}`);
  if (typeof drPort !== 'number') throw new Error(`${id(dr)}: MUTUAL portLevelSetting has no port.number`);
  if (!tls.credentialName) throw new Error(`${id(dr)}: MUTUAL TLS without credentialName is not supported by this harness`);

  // 2. The ServiceEntry port the DestinationRule port names, and its targetPort.
  const se = one(byKind('ServiceEntry').filter((s) => (s.spec?.hosts ?? []).includes(host)), `ServiceEntry for host ${host}`);
  const sePort = one<any>((se.spec.ports ?? []).filter((p: any) => p.number === drPort), `port ${drPort} in ${id(se)}`);
  const seTargetPort: number = sePort.targetPort ?? sePort.number;

  // 3.-6. The Service the host names, the Deployment behind it, the container port and its mounts.
  const { service, servicePort: svcPort, deployment, container, containerPort, mounts, namespace: svcNs, findSecret } = deriveServer(objects, host, seTargetPort, options);

  // 7. The client credential, as the sidecar reads it: a Secret in the DestinationRule's namespace.
  const drNs = nsOf(dr);
  const credSecret = findSecret(drNs, tls.credentialName);
  if (!credSecret) throw new Error(`${id(dr)} uses credentialName ${tls.credentialName}, which neither the manifests nor the cluster secrets hold in namespace ${drNs}`);
  const cred = secretData(credSecret);
  const need = (k: string) => {
    const v = cred[k];
    if (!v) throw new Error(`secret ${drNs}/${tls.credentialName} has no key '${k}' (keys: ${Object.keys(cred).join(', ')})`);
    return v.toString('utf8');
  };

  return {
    host,
    sni: tls.sni ?? host,
    subjectAltNames: tls.subjectAltNames,
    ports: { destinationRulePort: drPort, serviceEntryTargetPort: seTargetPort, servicePort: svcPort.port, containerPort },
    credential: { secret: `${drNs}/${tls.credentialName}`, cert: need('tls.crt'), key: need('tls.key'), ca: need('ca.crt') },
    server: { namespace: svcNs, deployment: deployment.metadata.name, container: container.name, image: container.image, securityContext: container.securityContext },
    mounts,
    objects: { destinationRule: dr, serviceEntry: se, service, deployment },
  };
}

/** The server side of a host: what a proxy connecting to `<svc>.<ns>.svc.<domain>:port` reaches. */
export interface ServerSide {
  /** Namespace of the Service (and of the Deployment, its ConfigMaps and Secrets). */
  readonly namespace: string;
  readonly service: Manifest;
  /** The Service port with the number connected to. */
  readonly servicePort: any;
  readonly deployment: Manifest;
  readonly container: any;
  /** The container port the Service port's targetPort lands on. */
  readonly containerPort: number;
  /** The container's volume mounts with their projected files. */
  readonly mounts: ProjectedMount[];
  /** Looks a Secret up in the manifests, then in the cluster secrets. */
  readonly findSecret: (ns: string, name: string) => Manifest | undefined;
}

/**
 * Derives, from the manifests alone, the server behind a cluster Service host and port: the Service
 * (`<svc>.<ns>.svc.<domain>`), its port, the Deployment it selects, the container port its targetPort
 * lands on, and the container's volume mounts with the files the ConfigMaps/Secrets project into them.
 */
export function deriveServer(objects: Manifest[], host: string, port: number, options: Pick<DeriveOptions, 'clusterSecrets'> = {}): ServerSide {
  const byKind = (kind: string) => objects.filter((o) => o && o.kind === kind);

  // The Service the host names in cluster DNS.
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\..+)?$/.exec(host);
  if (!m) throw new Error(`host ${host} is not a cluster Service name (<svc>.<ns>.svc.<domain>)`);
  const [, svcName, svcNs] = m;
  const service = one(byKind('Service').filter((s) => s.metadata.name === svcName && nsOf(s) === svcNs), `Service ${svcNs}/${svcName}`);
  const svcPort = one<any>((service.spec.ports ?? []).filter((p: any) => p.port === port), `port ${port} in ${id(service)}`);
  const svcTargetPort: number | string = svcPort.targetPort ?? svcPort.port;

  // The Deployment whose pods the Service selects, and the container port the targetPort lands on.
  const deployment = one(byKind('Deployment').filter((d) => nsOf(d) === svcNs
    && labelsMatch(service.spec.selector, d.spec?.template?.metadata?.labels)), `Deployment selected by ${id(service)}`);
  const podSpec = deployment.spec.template.spec;
  const containerHits: Array<{ c: any; port: number }> = [];
  for (const c of podSpec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (typeof svcTargetPort === 'number' ? p.containerPort === svcTargetPort : p.name === svcTargetPort) {
        containerHits.push({ c, port: p.containerPort });
      }
    }
  }
  const { c: container, port: containerPort } = one(containerHits,
    `container port for targetPort ${svcTargetPort} of ${id(service)} in ${id(deployment)}`);

  // Secrets: from the manifests first, then those created out of band.
  const secrets = [...byKind('Secret'), ...(options.clusterSecrets ?? []).filter((s) => s.kind === 'Secret')];
  const findSecret = (ns: string, name: string) => secrets.find((s) => nsOf(s) === ns && s.metadata.name === name);

  // The container's volume mounts with their projected files.
  const mounts: ProjectedMount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const vol = one<any>((podSpec.volumes ?? []).filter((v: any) => v.name === vm.name), `volume ${vm.name} in ${id(deployment)}`);
    let files: Record<string, { content: Buffer; mode: number }>;
    let source: string;
    if (vol.configMap) {
      source = `configMap ${svcNs}/${vol.configMap.name}`;
      const cm = byKind('ConfigMap').find((c) => nsOf(c) === svcNs && c.metadata.name === vol.configMap.name);
      if (!cm && !vol.configMap.optional) throw new Error(`${id(deployment)} mounts ${source}, which is not in the manifests`);
      files = cm ? project(configMapData(cm), vol.configMap, source) : {};
    } else if (vol.secret) {
      source = `secret ${svcNs}/${vol.secret.secretName}`;
      const s = findSecret(svcNs, vol.secret.secretName);
      if (!s && !vol.secret.optional) throw new Error(`${id(deployment)} mounts ${source}, which neither the manifests nor the cluster secrets hold`);
      files = s ? project(secretData(s), vol.secret, source) : {};
    } else if (vol.emptyDir) {
      source = 'emptyDir';
      files = {};
    } else {
      throw new Error(`${id(deployment)}: volume ${vm.name} has an unsupported type (${Object.keys(vol).join(', ')})`);
    }
    if (vm.subPath !== undefined) {
      const f = files[vm.subPath];
      if (!f) throw new Error(`${id(deployment)}: subPath ${vm.subPath} not in ${source}`);
      files = { '': f };
    }
    mounts.push({ mountPath: vm.mountPath, readOnly: vm.readOnly === true, subPath: vm.subPath, files, source });
  }

  return { namespace: svcNs, service, servicePort: svcPort, deployment, container, containerPort, mounts, findSecret };
}
