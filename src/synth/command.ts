/**
 * `cdk8s-istio-egress synth`: runs a standard cdk8s app (its entry file, TypeScript or JavaScript, ending in
 * `app.synth()`), validates the objects it produced in memory, and only then writes them into the output
 * folder with the guarantees of ./out-folder.ts. Internal: reached through the package's bin, not exported.
 *
 * The user's own cdk8s (resolved from the app's folder) renders the files: the app's `App.prototype.synth` is
 * wrapped so that it writes into a staging folder of the system's temporary folder, and `Yaml.save` so that
 * the objects of each file are kept for the validator. The files are then read back and moved (staged,
 * committed, renamed) into the output folder, byte for byte what `cdk8s synth` writes, except that a scalar
 * kubectl would read as another type than cdk8s meant (`0o17`: a string to cdk8s, the integer 15 to kubectl) is
 * double-quoted (./kubectl-safe.ts).
 */
import * as fs from 'fs';
import * as Module from 'module';
import * as os from 'os';
import * as path from 'path';
import { kubectlSafeFile } from './kubectl-safe';
import { yamlText } from './yaml-text';
import { loadValidator, preloadLibrary, saveCodeCaches } from './bundles';
import { checkOutFolder, OutFolderError, quote, recoverIfInterrupted, showPath, summarize, writeOutFolder } from './out-folder';
import { ALLOW_PRIVATE_KEYS, findPrivateKeys, privateKeyMessage, privateKeyWarning } from './private-keys';
import { findUp, TypeScriptError, TypeScriptLoader } from './typescript-loader';

const PROG = 'cdk8s-istio-egress synth';

export const SYNTH_USAGE = `usage: cdk8s-istio-egress synth [--app FILE] [--out DIR] [options]

Runs your cdk8s app (a standard entry file ending in app.synth(), TypeScript or JavaScript), validates
its objects offline, and only then writes the manifests: the same bytes as \`cdk8s synth\`, but a failing
app (bad props, validation errors, an exception, a syntax error) leaves the output folder untouched, and
a string kubectl would read as a number (\`0o17\`, \`0X1F\`, which cdk8s writes unquoted) is quoted.

  --app FILE        the app's entry file (default: the .ts/.js file of cdk8s.yaml's \`app:\` line, else
                    main.ts or main.js). TypeScript is transpiled with the app's own \`typescript\`
                    package WITHOUT type-checking: run \`tsc --noEmit\` for type errors.
  --out DIR         output folder (default: the App's outdir: CDK8S_OUTDIR or dist). It must be missing
                    (created), empty, or hold nothing but manifests; synth refuses the project folder, the
                    working directory, their ancestors and any folder with other content, changing nothing.
                    Synth records the files it writes in DIR/.cdk8s-istio-egress.sha256 (commit it with
                    them) and never replaces or removes a manifest it did not write: it refuses to replace
                    one, and leaves alone one it does not write.
  --adopt           take over the manifests already in the output folder that synth has no record of
                    writing (an earlier cdk8s synth's output): replace the ones the app writes, remove the
                    others. Needed once for a folder of manifests without a record
  --allow-private-keys
                    write private keys (TlsCredential.fromPem with a privateKey, or any PEM private key in
                    an object) into the output folder; without it synth refuses, since the output ends up
                    in git. Only for throw-away clusters whose manifests never leave this machine
  --each-file       validate each output file on its own (charts applied one at a time) instead of all
                    files as one set
  -w, --warn RULE[,RULE]
                    report these rule ids (or prefixes such as wiring/) as warnings; repeatable; added to
                    the \`warn\` of an IstioEgressValidation plugin entry in cdk8s.yaml
  --istio RELEASE   the Istio release the cluster runs, 1.30 or 1.31: the validator follows its CRDs and
                    webhook rules (default: the \`istio\` of an IstioEgressValidation plugin entry in
                    cdk8s.yaml, else 1.31, the newest supported)
  --no-validate     skip the validator
  -h, --help        print this help

Exit status: 0 written; 1 the app failed, the validator found errors, or the folder could not be written
(the message says in which state it is); 2 bad usage or a folder synth refuses to write.
DEBUG=1 prints the stack trace of a failing app.
`;

class UsageError extends Error {}

interface Options {
  app?: string;
  out?: string;
  eachFile: boolean;
  warn: string[];
  istio?: string;
  validate: boolean;
  adopt: boolean;
  allowPrivateKeys: boolean;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { eachFile: false, warn: [], validate: true, adopt: false, allowPrivateKeys: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const noValue = () => {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--app': opts.app = value(); break;
      case '--out': opts.out = value(); break;
      case '-w':
      case '--warn': opts.warn.push(...value().split(',').map((s) => s.trim()).filter(Boolean)); break;
      case '--each-file': noValue(); opts.eachFile = true; break;
      case '--istio': opts.istio = istioRelease('--istio', value()); break;
      case '--no-validate': noValue(); opts.validate = false; break;
      case '--adopt': noValue(); opts.adopt = true; break;
      case ALLOW_PRIVATE_KEYS: noValue(); opts.allowPrivateKeys = true; break;
      case '-h':
      case '--help': noValue(); opts.help = true; break;
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option ${JSON.stringify(arg)}` : `unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  return opts;
}

/** A failure of the app or of its validation: one line, the output folder untouched. */
class AppError extends Error {
  constructor(message: string, public readonly quiet = false) {
    super(message);
  }
}

/** The settings of cdk8s.yaml in the working directory this command uses. */
interface Cdk8sYaml {
  /** The .ts/.js file named in `app:` (e.g. `npx ts-node main.ts` -> `main.ts`). */
  readonly app?: string;
  /** `warn` and `eachFile` of an IstioEgressValidation entry of `validations:`. */
  readonly warn: string[];
  readonly eachFile?: boolean;
  /** `istio` of that entry: the Istio release validated for. */
  readonly istio?: string;
}

/** `value` when it names a supported Istio release; else a usage error naming `what` and the supported ones. */
function istioRelease(what: string, value: unknown): string {
  const { ISTIO_RELEASES } = loadValidator();
  if (typeof value === 'string' && (ISTIO_RELEASES as readonly string[]).includes(value)) return value;
  throw new UsageError(`${what} must be one of the supported Istio releases ${ISTIO_RELEASES.join(', ')} (got ${typeof value === 'string' ? JSON.stringify(value) : `a ${typeof value}`})`);
}

function readCdk8sYaml(): Cdk8sYaml {
  let text: string;
  try {
    text = fs.readFileSync('cdk8s.yaml', 'utf8');
  } catch {
    return { warn: [] };
  }
  let doc: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    doc = require('yaml').parse(text);
  } catch (err) {
    throw new AppError(`cdk8s.yaml: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const app = typeof doc?.app === 'string' ? doc.app.split(/\s+/).find((w: string) => /\.(ts|js|cjs)$/.test(w) && !w.startsWith('-')) : undefined;
  const plugin = Array.isArray(doc?.validations) ? doc.validations.find((v: any) => v?.class === 'IstioEgressValidation') : undefined;
  const props = plugin?.properties ?? {};
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : []).map((s) => s.trim()).filter(Boolean);
  return {
    app,
    warn: [...list(props.warn), ...list(props.downgrade)],
    eachFile: typeof props.eachFile === 'boolean' ? props.eachFile : undefined,
    ...(props.istio !== undefined ? { istio: configRelease(props.istio) } : {}),
  };
}

/** The `istio` property of cdk8s.yaml's IstioEgressValidation entry, checked. */
function configRelease(value: unknown): string {
  const what = 'cdk8s.yaml: the istio property of IstioEgressValidation';
  // `istio: 1.30` unquoted is the number 1.3 to YAML
  if (typeof value === 'number') throw new UsageError(`${what} must be a string, quoted (istio: '1.31'): YAML reads an unquoted ${value} as a number`);
  return istioRelease(what, value);
}

function defaultApp(config: Cdk8sYaml): string {
  if (config.app) return config.app;
  return ['main.ts', 'main.js'].find((f) => fs.existsSync(f)) ?? 'main.ts';
}

/** What the app's `app.synth()` produced: the App, where it wanted its output, the objects of each file. */
interface Captured {
  app?: any;
  /** The App's own outdir (its prop, CDK8S_OUTDIR or dist) when it is not the staging folder. */
  ownOutdir?: string;
  readonly objects: Map<string, unknown[]>;
  readonly pathOf: WeakMap<object, string>;
  synthCalls: number;
}

/**
 * Wraps the synth of the user's cdk8s module: App.prototype.synth writes into `staging`, Yaml.save keeps the
 * objects of each file, ApiObject.toJson and App._synthChart note the construct path of each object.
 */
function intercept(cdk8s: any, staging: string, defaultOutdir: string, captured: Captured, cdk8sMain: string): void {
  const { App, ApiObject, Yaml } = cdk8s;
  const synth = App.prototype.synth;
  const toJson = ApiObject.prototype.toJson;
  const synthChart = App._synthChart;
  const rendered: string[] = [];
  App.prototype.synth = function wrappedSynth(this: any, ...args: unknown[]) {
    captured.synthCalls++;
    if (captured.app && captured.app !== this) throw new Error('the app synthesizes more than one cdk8s App; cdk8s-istio-egress synth writes one');
    captured.app = this;
    const own = this.outdir === staging ? defaultOutdir : this.outdir;
    captured.ownOutdir = own;
    const recordMetadata = this.recordConstructMetadata;
    this.outdir = staging;
    try {
      return synth.apply(this, args);
    } finally {
      this.outdir = own;
      this.recordConstructMetadata = recordMetadata;
    }
  };
  Yaml.save = function wrappedSave(this: unknown, file: string, docs: unknown[]) {
    captured.objects.set(path.relative(staging, file), docs);
    // what save() writes (Yaml.stringify of this cdk8s, byte for byte), most documents by a faster writer
    fs.writeFileSync(file, yamlText(docs, cdk8sMain), { encoding: 'utf8' });
  };
  // the construct path of every rendered object, by identity: generated bindings override toJson() and
  // return a new object, so the paths of the base toJson() calls are matched to the chart's rendered objects
  // by order (one base call per object, in rendering order), as scripts/synth.js does
  ApiObject.prototype.toJson = function wrappedToJson(this: any) {
    rendered.push(this.node.path);
    return toJson.call(this);
  };
  App._synthChart = function wrappedSynthChart(this: unknown, chart: unknown) {
    rendered.length = 0;
    const objects = synthChart.call(this, chart);
    if (Array.isArray(objects) && rendered.length === objects.length) {
      objects.forEach((o, i) => o && typeof o === 'object' && captured.pathOf.set(o, rendered[i]));
    }
    return objects;
  };
}

/** Resolves when the app has called app.synth(), or when the event loop is empty (an app that never does). */
function synthesized(captured: Captured): Promise<void> {
  if (captured.synthCalls > 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      cleanup();
      resolve();
    };
    const failed = (err: unknown) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      process.off('beforeExit', done);
      process.off('uncaughtException', failed);
      process.off('unhandledRejection', failed);
    };
    process.once('beforeExit', done);
    process.once('uncaughtException', failed);
    process.once('unhandledRejection', failed);
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs `cdk8s-istio-egress synth` with `argv` (the arguments after `synth`); resolves to the exit code. */
export async function synthMain(argv: readonly string[]): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${PROG}: ${err.message}\ntry 'cdk8s-istio-egress synth --help'\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(SYNTH_USAGE);
    return 0;
  }
  let out = path.resolve(opts.out ?? process.env.CDK8S_OUTDIR ?? 'dist');
  let shown = showPath(out);
  let staging: string | undefined;
  try {
    const config = readCdk8sYaml();
    const appFile = path.resolve(opts.app ?? defaultApp(config));
    if (!/\.(ts|js|cjs)$/.test(appFile) || appFile.endsWith('.d.ts')) throw new UsageError(`--app must be a .ts or .js file (got ${JSON.stringify(opts.app ?? path.relative('.', appFile))})`);
    if (!fs.existsSync(appFile)) {
      throw new UsageError(`the app ${path.relative('.', appFile)} does not exist${opts.app ? '' : ' (give its entry file with --app)'}`);
    }
    const project = path.dirname(findUp(path.dirname(appFile), 'package.json') ?? appFile);
    const protect: Array<[string, string]> = [['the working directory', process.cwd()], ['the app\'s folder', path.dirname(appFile)]];
    if (process.env.INIT_CWD) protect.push(['the folder npm was run from', process.env.INIT_CWD]);
    const check = { root: project, rootLabel: 'the project folder', protect, shown };
    checkOutFolder(out, { ...check, pathOnly: true });
    if (opts.warn.length || config.warn.length) checkRules([...opts.warn, ...config.warn]);

    // the app's own cdk8s, with its synth redirected into a staging folder
    const from = Module.createRequire(appFile);
    let cdk8sPath: string;
    try {
      cdk8sPath = from.resolve('cdk8s');
    } catch {
      throw new AppError(`cannot find the package cdk8s from ${path.dirname(appFile)}: npm install cdk8s constructs`);
    }
    staging = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-egress-synth-'));
    const defaultOutdir = process.env.CDK8S_OUTDIR ?? 'dist';
    const captured: Captured = { objects: new Map(), pathOf: new WeakMap(), synthCalls: 0 };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    intercept(require(cdk8sPath), staging, defaultOutdir, captured, cdk8sPath);
    // an App the wrapper does not see (another copy of cdk8s) writes into the staging folder too, never into out
    process.env.CDK8S_OUTDIR = staging;
    if (appFile.endsWith('.ts')) {
      new TypeScriptLoader({
        entry: appFile,
        cacheDir: path.join(project, 'node_modules', '.cache', 'cdk8s-istio-egress', 'ts'),
        sourceMaps: Boolean(process.env.DEBUG),
      }).register();
      if (process.env.DEBUG) process.setSourceMapsEnabled(true);
    }
    process.argv = [process.argv[0], appFile];
    const entry = path.relative(process.cwd(), appFile);
    if (resolvesToThisLibrary(from)) preloadLibrary(); // the library from its bundle (./bundles.ts)
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(appFile);
      await synthesized(captured);
    } catch (err) {
      throw Object.assign(err instanceof Error ? err : new Error(String(err)), { fromApp: entry });
    }
    if (!captured.app) throw new AppError(`${entry} did not call app.synth() of the cdk8s package at ${path.dirname(path.dirname(cdk8sPath))}`);
    if (!opts.out && captured.ownOutdir !== undefined) {
      out = path.resolve(captured.ownOutdir);
      shown = showPath(out);
    }
    const app = captured.app;
    if (app.yamlOutputType === 3) { // FOLDER_PER_CHART_FILE_PER_RESOURCE
      throw new AppError('yamlOutputType FOLDER_PER_CHART_FILE_PER_RESOURCE is not supported by cdk8s-istio-egress synth, which writes one folder of files; use cdk8s synth for it');
    }
    const extension = String(app.outputFileExtension ?? '.k8s.yaml');
    const manifest = new RegExp(`${escapeRegExp(extension)}$`);

    // what cdk8s wrote, byte for byte but for the scalars kubectl would misread, which are quoted (./kubectl-safe.ts)
    const files = new Map<string, Buffer>();
    for (const e of fs.readdirSync(staging, { withFileTypes: true })) {
      if (!e.isFile()) throw new AppError(`the app wrote ${quote(e.name)}${e.isDirectory() ? '/' : ''}, which is not a file: cdk8s-istio-egress synth writes one folder of files`);
      if (!manifest.test(e.name) && e.name !== 'construct-metadata.json') throw new AppError(`the app wrote ${quote(e.name)}, which does not end in its outputFileExtension ${extension}`);
      files.set(e.name, manifest.test(e.name) ? kubectlSafeFile(fs.readFileSync(path.join(staging, e.name))) : fs.readFileSync(path.join(staging, e.name)));
    }

    if (opts.validate) validate(captured, shown, { eachFile: opts.eachFile || (config.eachFile ?? false), downgrade: [...config.warn, ...opts.warn], istio: opts.istio ?? config.istio });

    const keys = findPrivateKeys(captured.objects);
    if (keys.length && !opts.allowPrivateKeys) throw new AppError(privateKeyMessage(keys, shown), true);
    if (keys.length) process.stderr.write(`${privateKeyWarning(keys, shown)}\n`);

    checkOutFolder(out, { ...check, shown, manifest });
    const recovered = recoverIfInterrupted(out, shown);
    if (recovered) process.stderr.write(`${recovered}\n`);
    const result = writeOutFolder(out, files, { shown, manifest, adopt: opts.adopt });
    process.stderr.write(summarize(result, shown, opts.adopt));
    saveCodeCaches(); // the bundles loaded without a code cache get one (common/code-cache.ts)
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${PROG}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof OutFolderError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as (Error & { fromApp?: string }) | undefined;
    const quiet = err instanceof AppError && err.quiet;
    const first = (e?.message ?? String(err)).split('\n')[0];
    // a TypeScript syntax error names its file; an exception of the app is named as the app's
    const what = err instanceof TypeScriptError || err instanceof AppError || !e?.fromApp ? first : `${e.fromApp}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${first}`;
    const rest = (e?.message ?? '').split('\n').slice(1).filter((l) => l.trim()).map((l) => `  ${l.trim()}`);
    const detail = process.env.DEBUG && !quiet && e?.stack ? `\n${e.stack}` : '';
    process.stderr.write(`error: ${what}${rest.length ? `\n${rest.join('\n')}` : ''}${detail}\n${quiet ? '' : `${shown} was left untouched\n`}`);
    return 1;
  } finally {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Whether `cdk8s-istio-egress`, required from the app (`from`), is this package. */
function resolvesToThisLibrary(from: NodeJS.Require): boolean {
  try {
    return from.resolve('cdk8s-istio-egress') === path.join(__dirname, '..', 'index.js');
  } catch {
    return false;
  }
}

function checkRules(warn: readonly string[]): void {
  const { RULES } = loadValidator();
  for (const w of warn) {
    if (w === '*') continue;
    const known = w.endsWith('/') || w.endsWith('/*') ? RULES.some((r) => r.id.startsWith(w.replace(/\*$/, ''))) : RULES.some((r) => r.id === w);
    if (!known) throw new UsageError(`--warn: no rule ${JSON.stringify(w)} (see cdk8s-istio-egress --rules; prefixes end in "/")`);
  }
}

/** Validates the objects of the files the app wrote (all together, or each file on its own); throws on errors. */
function validate(captured: Captured, shown: string, { eachFile, downgrade, istio }: { eachFile: boolean; downgrade: string[]; istio?: string }): void {
  const v = loadValidator();
  const fileOf = new Map<object, string>();
  const groups: object[][] = [];
  for (const [name, docs] of [...captured.objects].sort(([a], [b]) => a.localeCompare(b))) {
    const objects = docs.filter((o): o is object => Boolean(o) && typeof o === 'object');
    for (const o of objects) fileOf.set(o, path.join(shown, name));
    groups.push(objects);
  }
  const sets = eachFile ? groups : [groups.flat()];
  const findings = sets.flatMap((objects) => v.validateManifests(objects, {
    files: fileOf, downgrade, constructPaths: (o: object) => captured.pathOf.get(o), ...(istio ? { istio } : {}),
  }).findings);
  saveCodeCaches(); // a run without the validator's code cache writes it (common/code-cache.ts)
  if (findings.length) process.stderr.write(v.formatFindings(findings));
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (errors > 0) throw new AppError(`validation failed with ${errors} error(s); ${shown} was left untouched`, true);
}
