// Runs a cdk8s app's TypeScript files without type-checking them, for `cdk8s-istio-egress synth`
// (./command.ts). Internal: not exported from the package's entry points.
//
// Each .ts file is transpiled with `ts.transpileModule` of the `typescript` package found from the app's
// folder (the app's own compiler, so the emit is the one `tsc` would produce), with the emit options of the
// app's tsconfig.json (`module` forced to CommonJS: a cdk8s TypeScript app is CommonJS, as
// `cdk8s init typescript-app` makes it). Syntax errors stop the run; type errors are not looked for
// (`tsc --noEmit` does that). Node runs the result through a supported mechanism only:
// `module.registerHooks` where Node has it (22.15+, 23.5+), else `require.extensions['.ts']` (deprecated
// but documented; what ts-node uses).
//
// Transpiled files are cached in node_modules/.cache/cdk8s-istio-egress/ts/ of the app's project, keyed by
// the file's path and content, the tsconfig's text and the compiler's version: a run whose files are all
// cached does not load the compiler at all (its 9 MB of JavaScript cost more than the rest of a small app).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as Module from 'module';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';

/** A problem with the app's TypeScript setup or source, reported in one line. */
export class TypeScriptError extends Error {}

export interface TypeScriptLoaderOptions {
  /** The app's entry file: `typescript` and tsconfig.json are looked up from its folder. */
  readonly entry: string;
  /** Where transpiled files are cached (undefined: no cache). */
  readonly cacheDir?: string;
  /** Inline source maps (stack traces that point into the .ts files). */
  readonly sourceMaps?: boolean;
}

type Ts = typeof import('typescript');

export class TypeScriptLoader {
  private ts: Ts | undefined;
  private options: import('typescript').CompilerOptions | undefined;
  private readonly tsconfig: string | undefined;
  private readonly tsconfigText: string;
  private readonly tsPackage: string;
  private readonly tsVersion: string;

  constructor(private readonly props: TypeScriptLoaderOptions) {
    const from = Module.createRequire(path.resolve(props.entry));
    let pkg: string;
    try {
      pkg = from.resolve('typescript/package.json');
    } catch {
      throw new TypeScriptError(`cannot find the package typescript from ${path.dirname(path.resolve(props.entry))} `
        + '(TypeScript entry files are transpiled with the app\'s own compiler): npm install --save-dev typescript');
    }
    this.tsPackage = pkg;
    this.tsVersion = String(JSON.parse(fs.readFileSync(pkg, 'utf8')).version);
    this.tsconfig = findUp(path.dirname(path.resolve(props.entry)), 'tsconfig.json');
    this.tsconfigText = this.tsconfig ? fs.readFileSync(this.tsconfig, 'utf8') : '';
  }

  /** Makes Node run .ts files through transpile(). */
  public register(): void {
    const registerHooks = (Module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
    if (typeof registerHooks === 'function') {
      registerHooks({
        resolve: (specifier, context, nextResolve) => {
          try {
            return nextResolve(specifier, context);
          } catch (err) {
            // `import './stack'` from a .ts file means ./stack.ts (or ./stack/index.ts), as tsc resolves it
            const parent = context.parentURL;
            if (!parent?.startsWith('file:') || !parent.endsWith('.ts') || !/^\.{0,2}\//.test(specifier)) throw err;
            const base = path.resolve(path.dirname(fileURLToPath(parent)), specifier);
            for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
              if (isFile(candidate)) return { url: pathToFileURL(candidate).href, format: 'commonjs', shortCircuit: true };
            }
            throw err;
          }
        },
        load: (url, context, nextLoad) => {
          if (!url.startsWith('file:') || !url.endsWith('.ts') || url.endsWith('.d.ts')) return nextLoad(url, context);
          const file = fileURLToPath(url);
          return { format: 'commonjs', source: this.transpile(file, fs.readFileSync(file, 'utf8')), shortCircuit: true };
        },
      });
      return;
    }
    // Node 20 and 22.0-22.14: the documented (deprecated) extension hook; it also makes require('./stack') find stack.ts
    const extensions = require.extensions;
    extensions['.ts'] = (m, filename) => {
      (m as unknown as { _compile(code: string, file: string): void })._compile(this.transpile(filename, fs.readFileSync(filename, 'utf8')), filename);
    };
  }

  /** The CommonJS JavaScript of one .ts file; throws a TypeScriptError on a syntax error. */
  public transpile(file: string, source: string): string {
    // (a tsconfig that `extends` another: the other's options are not in the key, so no cache)
    const key = this.props.cacheDir && !/"extends"/.test(this.tsconfigText)
      ? createHash('sha1').update(`${this.tsVersion}\0${this.tsconfig ?? ''}\0${this.tsconfigText}\0${this.props.sourceMaps ? 'map' : ''}\0${file}\0`).update(source).digest('hex')
      : undefined;
    const cached = key ? path.join(this.props.cacheDir!, `${key}.js`) : undefined;
    if (cached) {
      try {
        return fs.readFileSync(cached, 'utf8');
      } catch {
        // not cached yet
      }
    }
    const ts = this.compiler();
    const out = ts.transpileModule(source, { fileName: file, compilerOptions: this.compilerOptions(ts), reportDiagnostics: true });
    const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length) {
      const d = errors[0];
      const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
      const at = where ? `${path.relative(process.cwd(), file)}:${where.line + 1}:${where.character + 1}` : path.relative(process.cwd(), file);
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      throw new TypeScriptError(`${at}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}${more}`);
    }
    if (cached) {
      try {
        fs.mkdirSync(path.dirname(cached), { recursive: true });
        const tmp = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, out.outputText);
        fs.renameSync(tmp, cached);
      } catch {
        // a read-only project: the next run transpiles again
      }
    }
    return out.outputText;
  }

  private compiler(): Ts {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.ts ??= require(path.dirname(this.tsPackage)) as Ts;
    return this.ts;
  }

  /** The tsconfig's options (with `extends`), for emit: CommonJS, no declarations, no type-checking options. */
  private compilerOptions(ts: Ts): import('typescript').CompilerOptions {
    if (this.options) return this.options;
    let options: Record<string, unknown> = {};
    if (this.tsconfig) {
      const read = ts.readConfigFile(this.tsconfig, ts.sys.readFile);
      if (read.error) throw new TypeScriptError(`${path.relative(process.cwd(), this.tsconfig)}: ${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}`);
      // readDirectory returns nothing: only the options are wanted, not the app's file list (and its globbing)
      const host = { ...ts.sys, readDirectory: () => [] };
      options = { ...ts.parseJsonConfigFileContent(read.config, host, path.dirname(this.tsconfig), undefined, this.tsconfig).options };
    }
    for (const k of ['declaration', 'declarationMap', 'composite', 'incremental', 'tsBuildInfoFile', 'noEmit', 'emitDeclarationOnly', 'sourceMap', 'inlineSourceMap', 'inlineSources', 'outDir', 'outFile', 'rootDir']) delete options[k];
    options.module = ts.ModuleKind.CommonJS;
    if (this.props.sourceMaps) {
      options.inlineSourceMap = true;
      options.inlineSources = true;
    }
    this.options = options as import('typescript').CompilerOptions;
    return this.options;
  }
}

interface ResolveContext { readonly parentURL?: string }
interface ResolveResult { readonly url: string; readonly format?: string; readonly shortCircuit?: boolean }
interface LoadResult { readonly format: string; readonly source?: string | Uint8Array; readonly shortCircuit?: boolean }
type RegisterHooks = (hooks: {
  resolve(specifier: string, context: ResolveContext, nextResolve: (s: string, c?: ResolveContext) => ResolveResult): ResolveResult;
  load(url: string, context: object, nextLoad: (u: string, c?: object) => LoadResult): LoadResult;
}) => unknown;

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The nearest `name` in `dir` or its ancestors. */
export function findUp(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const f = path.join(d, name);
    if (isFile(f)) return f;
    if (path.dirname(d) === d) return undefined;
  }
}
