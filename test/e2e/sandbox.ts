/**
 * Runs the REAL nginx (Debian's package) the way the synthesized Deployment
 * would run it, in a private mount + network namespace made with util-linux
 * `unshare`:
 *
 *  - `lo` is brought up; nothing else is reachable and nothing leaks out;
 *  - every volumeMount of the container is a bind mount, at its mountPath, of
 *    a temp directory holding the files the ConfigMap/Secret projects
 *    (read-only when the manifest says so). Mount points that do not exist on
 *    the host are created inside a tmpfs-backed overlay of their nearest
 *    existing parent, so the host filesystem is never modified;
 *  - /var/log/nginx and /var/lib/nginx are private temp directories;
 *  - `nginx -t`, then nginx in the foreground with its default config path,
 *    then test/e2e/client.js (the sidecar stand-in), then nginx is stopped.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectedMount } from './manifests';

export interface Tools {
  readonly nginx: string;
  readonly unshare: string;
  readonly ip: string;
  /** `unshare` flags that work here (root: --mount --net; else with --user --map-root-user). */
  readonly unshareArgs: string[];
  readonly asRoot: boolean;
}

const SEARCH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function which(cmd: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH];
  for (const d of dirs) {
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return undefined;
}

/** Finds nginx, unshare and ip and checks namespaces can be made; returns why not otherwise. */
export function findTools(): { tools?: Tools; missing?: string } {
  // E2E_NGINX: use another nginx binary (or a bogus path to exercise the skip/fail logic).
  const nginx = process.env.E2E_NGINX ? (fs.existsSync(process.env.E2E_NGINX) ? process.env.E2E_NGINX : undefined) : which('nginx');
  const unshare = which('unshare');
  const ip = which('ip');
  const missing = [!nginx && 'nginx (Debian package nginx)', !unshare && 'unshare (util-linux)', !ip && 'ip (iproute2)'].filter(Boolean);
  if (missing.length) return { missing: `not installed: ${missing.join(', ')}` };
  const asRoot = process.getuid?.() === 0;
  // A PID namespace too: sh is its init, so when the run is killed (--kill-child) nginx and the
  // client die with it instead of lingering in the network namespace.
  const ns = ['--mount', '--net', '--pid', '--fork', '--kill-child', '--mount-proc'];
  const candidates = asRoot ? [ns, ['--user', '--map-root-user', ...ns]] : [['--user', '--map-root-user', ...ns]];
  const errors: string[] = [];
  for (const args of candidates) {
    try {
      execFileSync(unshare!, [...args, '--', ip!, 'link', 'set', 'lo', 'up'], { stdio: 'pipe', timeout: 10_000 });
      return { tools: { nginx: nginx!, unshare: unshare!, ip: ip!, unshareArgs: args, asRoot: !args.includes('--user') } };
    } catch (e: any) {
      errors.push(`unshare ${args.join(' ')}: ${String(e.stderr ?? e.message).trim()}`);
    }
  }
  return { missing: `cannot create private mount+network namespaces (${errors.join('; ')})` };
}

export interface ClientCase {
  readonly name: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca: string;
}

export interface RunOptions {
  readonly tools: Tools;
  readonly mounts: ProjectedMount[];
  /** Port the client connects to on 127.0.0.1. */
  readonly port: number;
  readonly hostHeader: string;
  readonly sni: string;
  readonly cases: ClientCase[];
  /** Extra directories to bind read-only: target -> source (e.g. a welcome page when the package lacks one). */
  readonly extraBinds?: Record<string, string>;
  readonly timeoutMs?: number;
  /**
   * The container's securityContext. As root, nginx runs under it: `capabilities` (drop ALL + add) become
   * the capability bounding set (setpriv), `allowPrivilegeEscalation: false` sets no_new_privs.
   */
  readonly securityContext?: { capabilities?: { add?: string[]; drop?: string[] }; allowPrivilegeEscalation?: boolean };
}

/** `setpriv` arguments that reproduce a container securityContext's capabilities and no_new_privs. */
export function setprivArgs(sc: RunOptions['securityContext']): string[] {
  if (!sc) return [];
  const args: string[] = [];
  if (sc.allowPrivilegeEscalation === false) args.push('--no-new-privs');
  const caps = (l?: string[]) => (l ?? []).map((c) => c.toLowerCase().replace(/^cap_/, ''));
  const drop = caps(sc.capabilities?.drop);
  const add = caps(sc.capabilities?.add);
  if (drop.includes('all')) args.push('--bounding-set', ['-all', ...add.map((c) => `+${c}`)].join(','));
  else if (drop.length > 0) args.push('--bounding-set', drop.map((c) => `-${c}`).join(','));
  return args;
}

export interface CaseResult {
  status?: number;
  body?: string;
  authorized?: boolean;
  authorizationError?: string | null;
  serverIdentityError?: string | null;
  checkedHostname?: string;
  peerCertificate?: string | null;
  protocol?: string;
  error?: string;
}

export interface RunResult {
  readonly nginxTest: { readonly exitCode: number; readonly output: string };
  readonly ready: boolean;
  readonly cases: Record<string, CaseResult>;
  /** Files nginx saw at each mountPath (listing made inside the namespace), for diagnostics. */
  readonly listing: string;
  readonly errorLog: string;
  readonly accessLog: string;
  readonly script: { readonly exitCode: number | null; readonly stdout: string; readonly stderr: string };
  readonly wallMs: number;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Whether nginx.conf sets a main-context directive (only a rough check: top-level lines). */
function confSets(conf: string | undefined, directive: string): boolean {
  return conf !== undefined && new RegExp(`^\\s*${directive}\\s`, 'm').test(conf);
}

export async function runNginxSandbox(o: RunOptions): Promise<RunResult> {
  const t0 = Date.now();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-nginx-'));
  try {
    fs.chmodSync(work, 0o755); // nginx workers (nobody) must traverse nothing here, but keep it readable
    const lines: string[] = [
      'set -u',
      `W=${q(work)}`,
      `${q(o.tools.ip)} link set lo up || exit 90`,
      // scratch space for overlays, private to this namespace
      'mkdir -p "$W/ns" && mount -t tmpfs -o mode=0755 e2e-scratch "$W/ns" || exit 91',
    ];

    // Materialise each mount's files.
    const sorted = [...o.mounts].sort((a, b) => a.mountPath.split('/').length - b.mountPath.split('/').length);
    const binds: Array<{ src: string; dest: string; ro: boolean; file: boolean }> = [];
    sorted.forEach((m, i) => {
      const src = path.join(work, `mount-${i}`);
      if (m.subPath !== undefined) {
        const f = m.files[''];
        fs.writeFileSync(src, f.content, { mode: f.mode });
        fs.chmodSync(src, f.mode);
        binds.push({ src, dest: m.mountPath, ro: m.readOnly, file: true });
        return;
      }
      fs.mkdirSync(src, { mode: 0o755 });
      for (const [rel, f] of Object.entries(m.files)) {
        const file = path.join(src, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, f.content, { mode: f.mode });
        fs.chmodSync(file, f.mode);
      }
      binds.push({ src, dest: m.mountPath, ro: m.readOnly, file: false });
    });
    for (const [dest, src] of Object.entries(o.extraBinds ?? {})) binds.push({ src, dest, ro: true, file: fs.statSync(src).isFile() });
    const logDir = path.join(work, 'log');
    const libDir = path.join(work, 'lib');
    fs.mkdirSync(logDir);
    fs.mkdirSync(libDir);
    binds.push({ src: logDir, dest: '/var/log/nginx', ro: false, file: false });
    binds.push({ src: libDir, dest: '/var/lib/nginx', ro: false, file: false });

    // Mount points missing on the host: overlay their nearest existing parent (upper dir on the tmpfs).
    const overlays: string[] = [];
    const coveredByBind = (p: string) => binds.some((b) => !b.file && (p === b.dest || p.startsWith(b.dest + '/')));
    for (const b of binds) {
      if (exists(b.dest)) continue;
      let parent = path.dirname(b.dest);
      while (!exists(parent)) parent = path.dirname(parent);
      if (coveredByBind(parent) || overlays.some((ov) => parent === ov || parent.startsWith(ov + '/'))) continue;
      if (parent === '/') throw new Error(`cannot create mount point ${b.dest}: its only existing parent is /`);
      overlays.push(parent);
    }
    overlays.forEach((dir, i) => {
      lines.push(`mkdir -p "$W/ns/up${i}" "$W/ns/wk${i}" && mount -t overlay e2e-overlay -o lowerdir=${q(dir)},upperdir="$W/ns/up${i}",workdir="$W/ns/wk${i}" ${q(dir)} || exit 92`);
    });
    for (const b of binds) {
      const mk = b.file ? `mkdir -p ${q(path.dirname(b.dest))} && { [ -e ${q(b.dest)} ] || : > ${q(b.dest)}; }` : `mkdir -p ${q(b.dest)}`;
      lines.push(`${mk} && mount --bind ${q(b.src)} ${q(b.dest)} || exit 93`);
    }
    for (const b of binds) if (b.ro) lines.push(`mount -o remount,bind,ro ${q(b.dest)} || exit 94`);

    // Diagnostics: what nginx sees at each mount path.
    lines.push(`{ for d in ${sorted.map((m) => q(m.mountPath)).join(' ')}; do echo "== $d"; ls -la "$d"; done; } > "$W/listing.txt" 2>&1`);

    // nginx in the foreground with its default config path (where the ConfigMap must have landed), the
    // pid file in the work dir (`nginx -t` creates one too). Without real root (a user namespace, where
    // nginx cannot switch its workers to another user) in single-process mode as the namespace's root.
    const conf = sorted.map((m) => (m.files['nginx.conf'] ? m.files['nginx.conf'].content.toString() : undefined)).find(Boolean);
    const globals = [
      confSets(conf, 'daemon') ? '' : 'daemon off;',
      confSets(conf, 'pid') ? '' : `pid ${work}/nginx.pid;`,
      !o.tools.asRoot && !confSets(conf, 'master_process') ? 'master_process off;' : '',
      !o.tools.asRoot && !confSets(conf, 'user') ? 'user root;' : '',
    ].filter(Boolean).join(' ');
    // As root, nginx runs with the capabilities and no_new_privs of the container's securityContext.
    const priv = o.tools.asRoot && setprivArgs(o.securityContext).length > 0 ? `setpriv ${setprivArgs(o.securityContext).map(q).join(' ')} ` : '';
    if (priv) lines.push(`echo ${q(priv)} > "$W/setpriv.txt"`);
    lines.push(`${priv}${q(o.tools.nginx)} -t -g ${q(globals)} > "$W/nginx-t.out" 2>&1; echo $? > "$W/nginx-t.rc"`);
    lines.push(`${priv}${q(o.tools.nginx)} -g ${q(globals)} > "$W/nginx.out" 2>&1 &`);
    lines.push('NGINX=$!');
    lines.push(`NGINX_PID=$NGINX ${q(process.execPath)} ${q(path.join(__dirname, 'client.js'))} "$W/client.json" "$W/result.json"`);
    lines.push('CLIENT_RC=$?');
    lines.push('kill -TERM $NGINX 2>/dev/null; wait $NGINX 2>/dev/null');
    lines.push('exit $CLIENT_RC');
    fs.writeFileSync(path.join(work, 'run.sh'), lines.join('\n') + '\n');

    // Client config: PEM files for each case.
    const cases = o.cases.map((c, i) => {
      const w = (suffix: string, content?: string) => {
        if (content === undefined) return undefined;
        const f = path.join(work, `client-${i}-${suffix}.pem`);
        fs.writeFileSync(f, content, { mode: 0o600 });
        return f;
      };
      return { name: c.name, cert: w('cert', c.cert), key: w('key', c.key), ca: w('ca', c.ca) };
    });
    fs.writeFileSync(path.join(work, 'client.json'), JSON.stringify({
      port: o.port, hostHeader: o.hostHeader, sni: o.sni, waitMs: 5000, cases,
      pidFile: confSets(conf, 'pid') ? undefined : path.join(work, 'nginx.pid'),
    }));

    const script = await new Promise<RunResult['script']>((resolve) => {
      const child = spawn(o.tools.unshare, [...o.tools.unshareArgs, '--', '/bin/sh', path.join(work, 'run.sh')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 15_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, stdout, stderr });
      });
    });

    const readOr = (f: string, dflt = '') => {
      try {
        return fs.readFileSync(path.join(work, f), 'utf8');
      } catch {
        return dflt;
      }
    };
    const result = JSON.parse(readOr('result.json', '{"ready":false,"cases":{}}'));
    return {
      nginxTest: { exitCode: Number(readOr('nginx-t.rc', '-1').trim()), output: readOr('nginx-t.out') },
      ready: result.ready === true,
      cases: result.cases ?? {},
      listing: readOr('listing.txt'),
      errorLog: readOr('log/error.log') + readOr('nginx.out'),
      accessLog: readOr('log/access.log'),
      script,
      wallMs: Date.now() - t0,
    };
  } finally {
    // The namespace is gone once the script exits: its mounts with it. Only our temp dir remains.
    fs.rmSync(work, { recursive: true, force: true });
  }
}
