import { execFileSync, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The package exactly as a user gets it: `npm pack` of the repository, installed with npm from the registry
 * (the peer dependencies in the versions this repository is tested with) into an empty folder outside the
 * repository. Nothing on the module resolution path of that folder belongs to the repository: no parent
 * `node_modules`, `NODE_PATH` unset, no `npm_*` variables of the `npm run` that started the tests.
 */
export const ROOT = path.resolve(__dirname, '../..');

/** Versions of the packages a user app installs beside the library: the ones in this repository's lock file. */
export function lockedVersion(name: string): string {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry) throw new Error(`${name} is not in package-lock.json`);
  return entry.version;
}

/** The environment of a user's shell: the test runner's, less what would let the app see the repository. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_PATH' || k === 'INIT_CWD' || k === 'NODE_OPTIONS' || /^npm_/i.test(k) || k.startsWith('JEST_')) continue;
    env[k] = v;
  }
  // the node that runs the tests (20, 22 or 24 in CI) is the node of the user's shell
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`;
  return { ...env, CDK8S_CHECK_UPGRADE: 'false', NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_AUDIT: 'false', ...extra };
}

export interface PackedPackage {
  /** Absolute path of the tarball. */
  readonly tarball: string;
  /** Paths of the files in the tarball, relative to the package root. */
  readonly files: string[];
  /** Unpacked size in bytes, as npm reports it. */
  readonly unpackedSize: number;
  /** Packed size in bytes. */
  readonly size: number;
}

/** `npm pack` of the repository into `dir` (its `prepack` builds `lib/` with jsii first). */
export function pack(dir: string): PackedPackage {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: userEnv(), maxBuffer: 64 * 1024 * 1024,
  });
  const info = JSON.parse(out.slice(out.indexOf('[')))[0];
  return {
    tarball: path.join(dir, info.filename),
    files: info.files.map((f: { path: string }) => f.path),
    unpackedSize: info.unpackedSize,
    size: info.size,
  };
}

/** Throws if `dir` or one of its ancestors holds a `node_modules` a program in `dir` could resolve from. */
export function assertIsolated(dir: string): void {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) throw new Error(`${d} has a node_modules folder: ${dir} is not isolated`);
    if (path.dirname(d) === d) break;
  }
  if (path.relative(ROOT, dir).split(path.sep)[0] !== '..') throw new Error(`${dir} is inside the repository`);
  // Node's global folders are on every resolution path too
  const prefix = path.resolve(process.execPath, '..', '..');
  for (const g of [path.join(os.homedir(), '.node_modules'), path.join(os.homedir(), '.node_libraries'), path.join(prefix, 'lib', 'node')]) {
    if (fs.existsSync(g)) throw new Error(`${g} exists: Node resolves modules from it in every folder`);
  }
}

/**
 * A new folder outside the repository with `package.json` and the packed library installed by npm, with the
 * peer dependencies and the tools of a `cdk8s init typescript-app` project.
 */
export function installApp(tarball: string, parent = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(parent), 'user-app-'));
  assertIsolated(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }, null, 2));
  const deps = ['cdk8s', 'constructs', 'cdk8s-plus-28', 'cdk8s-cli', 'typescript', 'ts-node', '@types/node'].map((p) => `${p}@${lockedVersion(p)}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball, ...deps], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: userEnv(), encoding: 'utf8',
  });
  return dir;
}

/** Runs `node args...` in the user's folder, as the user's shell would. */
export function nodeIn(dir: string, args: string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: userEnv(), input, maxBuffer: 64 * 1024 * 1024 });
}

/** Runs a command of the app's `node_modules/.bin` in the user's folder. */
export function binIn(dir: string, bin: string, args: string[]): SpawnSyncReturns<string> {
  return nodeIn(dir, [fs.realpathSync(path.join(dir, 'node_modules', '.bin', bin)), ...args]);
}
