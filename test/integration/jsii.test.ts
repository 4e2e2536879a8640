import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The jsii side of the library (issue 9): the assembly, API.md, the examples, the Python bindings and the
// breaking-change check, run through the same npm scripts as `.ci/run` (package.json) on a copy of the
// sources in a temporary folder. The copy is built with jsii there, so the test proves API.md fresh against
// the sources (not against a stale .jsii), and the repository's own lib/ and .jsii are left alone (the
// integration suite's `npm pack` rebuilds them at the same time).
const ROOT = path.resolve(__dirname, '../..');
const COPIED = ['package.json', 'tsconfig.json', 'tsconfig.jsii.json', 'tsconfig.app.json', 'README.md', 'API.md', 'src', 'app', 'imports', 'rosetta', 'scripts', 'test/fixtures/jsii'];

let work: string;

/** Runs `npm run <name>` in the copy; returns its exit status and everything it printed. */
function script(name: string, ...args: string[]): { status: number; output: string } {
  const r = spawnSync('npm', ['run', '--silent', name, ...(args.length ? ['--', ...args] : [])], {
    cwd: work, encoding: 'utf8', env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
  });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

/** The snippets of the rosetta tablet of the copy: name (README-L<line> or the API element), compiled, Python. */
function tablet(): Array<{ name: string; readme: boolean; didCompile: boolean; python?: string }> {
  const tab = JSON.parse(fs.readFileSync(path.join(work, '.jsii.tabl.json'), 'utf8'));
  return Object.values<any>(tab.snippets).map((s) => {
    const api = s.location.api;
    const fqn = api.api === 'moduleReadme' ? '' : api.fqn.split('.').slice(1).join('.');
    return {
      name: api.api === 'moduleReadme' ? `README-L${s.location.field.line}` : api.memberName ? `${fqn}.${api.memberName}` : fqn,
      readme: api.api === 'moduleReadme',
      didCompile: s.didCompile === true,
      python: s.translations.python?.source,
    };
  });
}

/** Runs `fn` with `file` (in the copy) rewritten by `edit`, then restores the file. */
function withEdited<T>(file: string, edit: (text: string) => string, fn: () => T): T {
  const full = path.join(work, file);
  const original = fs.readFileSync(full, 'utf8');
  fs.writeFileSync(full, edit(original));
  try {
    return fn();
  } finally {
    fs.writeFileSync(full, original);
  }
}

/** Rewrites the assembly of the copy. */
function editAssembly(edit: (assembly: any) => void): (text: string) => string {
  return (text) => {
    const assembly = JSON.parse(text);
    edit(assembly);
    return JSON.stringify(assembly, null, 2);
  };
}

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'jsii-'));
  for (const p of COPIED) fs.cpSync(path.join(ROOT, p), path.join(work, p), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  const build = script('build');
  if (build.status !== 0) throw new Error(`jsii build of the copy failed:\n${build.output}`);
}, 240_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('jsii assembly', () => {
  test('holds every construct, props struct, enum and factory exported from the package root', () => {
    // GIVEN the assembly that jsii wrote for the copy
    const assembly = JSON.parse(fs.readFileSync(path.join(work, '.jsii'), 'utf8'));

    // THEN it lists the public API, classes with static factories, enums with their wire values
    expect(Object.keys(assembly.types).sort()).toEqual(expect.arrayContaining([
      'cdk8s-istio-egress.EgressTlsOrigination', 'cdk8s-istio-egress.EgressTlsOriginationProps',
      'cdk8s-istio-egress.MutualTlsOrigination', 'cdk8s-istio-egress.MutualTlsOriginationProps',
      'cdk8s-istio-egress.MeshExternalNginx', 'cdk8s-istio-egress.MeshExternalNginxProps',
      'cdk8s-istio-egress.SleepClient', 'cdk8s-istio-egress.SleepClientProps',
      'cdk8s-istio-egress.TlsCredential', 'cdk8s-istio-egress.MeshWorkload', 'cdk8s-istio-egress.IMeshWorkload',
      'cdk8s-istio-egress.TlsOriginationOptions', 'cdk8s-istio-egress.IstioApiVersion',
    ]));
    expect(assembly.docs.stability).toBe('stable');
    expect(assembly.targets.python).toEqual({ distName: 'cdk8s-istio-egress', module: 'cdk8s_istio_egress' });
    const factories = assembly.types['cdk8s-istio-egress.TlsCredential'].methods.filter((m: any) => m.static).map((m: any) => m.name);
    expect(factories.sort()).toEqual(['fromCertManager', 'fromExistingSecret', 'fromPem', 'isTlsCredential']);
    expect(assembly.types['cdk8s-istio-egress.IstioApiVersion'].members.map((m: any) => m.name)).toEqual(['V1', 'V1BETA1', 'V1ALPHA3']);
    // and no internal helper leaks into it
    expect(Object.keys(assembly.types).filter((t) => /CredentialPurpose|Resolved|OriginationSpec/.test(t))).toEqual([]);
  });

  test('every optional prop of a props struct documents its default', () => {
    // GIVEN the structs of the assembly
    const assembly = JSON.parse(fs.readFileSync(path.join(work, '.jsii'), 'utf8'));
    const structs = Object.values<any>(assembly.types).filter((t) => t.datatype);
    expect(structs.length).toBeGreaterThanOrEqual(8);

    // THEN each optional prop has a @default
    const undocumented = structs.flatMap((t) => (t.properties ?? [])
      .filter((p: any) => p.optional && !p.docs?.default).map((p: any) => `${t.name}.${p.name}`));
    expect(undocumented).toEqual([]);
  });
});

describe('package.json', () => {
  test('is what Construct Hub lists: jsii assembly and fixtures shipped, keywords, licence, stability, targets', () => {
    // GIVEN the package manifest
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

    // THEN it has what Construct Hub needs to list and document the package in every language
    expect(pkg.keywords).toEqual(expect.arrayContaining(['cdk8s', 'istio', 'egress', 'tls']));
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.stability).toBe('stable');
    expect(pkg.jsii.targets.python).toEqual({ distName: 'cdk8s-istio-egress', module: 'cdk8s_istio_egress' });
    expect(pkg.files).toEqual(expect.arrayContaining(['.jsii', 'rosetta/*.ts-fixture']));
    expect(pkg.types).toBe('lib/src/index.d.ts');
    // every non-jsii dependency is bundled (jsii refuses to build otherwise)
    expect([...pkg.bundledDependencies].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });
});

describe('API.md', () => {
  test('is what jsii-docgen writes for the assembly of the sources', () => {
    // WHEN the committed API.md is checked against the assembly built from the sources
    const r = script('docgen', '--check');

    // THEN it is up to date (else: `npm run build && npm run docgen`, and commit API.md)
    expect(r.output).toMatch(/API\.md is up to date/);
    expect(r.status).toBe(0);
    const apiMd = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');
    for (const name of ['EgressTlsOrigination', 'MutualTlsOrigination', 'MeshExternalNginx', 'SleepClient', 'TlsCredential']) {
      expect(apiMd).toContain(`### ${name} `);
    }
  });

  test('fails when API.md is stale', () => {
    // GIVEN an API.md that misses a line
    const r = withEdited('API.md', (t) => t.replace(/^.*httpsPortName.*$/m, ''), () => script('docgen', '--check'));

    // THEN the check fails and says how to refresh it
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/API\.md is stale \(line \d+: .*\): run `npm run build && npm run docgen`/);
  });
});

describe('examples (jsii-rosetta, strict)', () => {
  test('every ```ts block of README.md and every @example compiles, with a Python translation', () => {
    // WHEN rosetta extracts and compiles the examples of the assembly
    const r = script('rosetta');

    // THEN none fails, none of README.md is skipped, and each has Python
    expect(r.status).toBe(0);
    const snippets = tablet();
    expect(snippets.filter((s) => !s.didCompile || !s.python?.trim()).map((s) => s.name)).toEqual([]);
    const readmeBlocks = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').filter((l) => /^\s*```(ts|typescript)(\s.*)?$/.test(l)).length;
    expect(snippets.filter((s) => s.readme)).toHaveLength(readmeBlocks);
    expect(snippets.map((s) => s.name)).toEqual(expect.arrayContaining([
      'EgressTlsOrigination', 'MutualTlsOrigination', 'MeshWorkload.fromAttributes',
      'TlsCredential.fromExistingSecret', 'TlsCredential.fromCertManager',
    ]));
    // and the Python of each is valid Python (a syntax check; skipped where python3 is missing)
    const pyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rosetta-py-'));
    try {
      const files = snippets.map((s, i) => {
        const file = path.join(pyDir, `snippet${i}.py`);
        fs.writeFileSync(file, `${s.python}\n`);
        return file;
      });
      const py = spawnSync('python3', ['-m', 'py_compile', ...files], { encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(pyDir, 'cache') } });
      if (!py.error) expect(`${py.stdout}${py.stderr}`).toBe('');
    } finally {
      fs.rmSync(pyDir, { recursive: true, force: true });
    }
    const mtls = snippets.find((s) => s.name === 'MutualTlsOrigination')!.python!;
    expect(mtls).toContain('from cdk8s_istio_egress import MeshExternalNginx, MutualTlsOrigination, SleepClient, TlsCredential');
    expect(mtls).toContain('https_port=nginx.port');
    expect(mtls).toContain('credential=TlsCredential.from_existing_secret("client-credential")');
  });

  test('fails when an example does not compile', () => {
    // GIVEN a README snippet with a misspelt prop
    const r = withEdited('.jsii', editAssembly((a) => {
      a.readme.markdown = a.readme.markdown.replace("{ host: 'edition.cnn.com' }", "{ hots: 'edition.cnn.com' }");
    }), () => script('rosetta'));

    // THEN rosetta names the snippet and the TypeScript error
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/README-L\d+\.ts.*'hots' does not exist in type 'EgressTlsOriginationProps'/);
  });
});

describe('Python bindings (jsii-pacmak)', () => {
  test('the generated cdk8s_istio_egress module defines every type, with translated examples', () => {
    // GIVEN the examples' tablet
    expect(script('rosetta').status).toBe(0);

    // WHEN pacmak generates the Python source package
    const r = script('package:python');

    // THEN it holds the module with a class for each type of the assembly, and the npm tarball it runs
    expect(r.status).toBe(0);
    const pkg = path.join(work, 'dist-jsii/python');
    const init = fs.readFileSync(path.join(pkg, 'src/cdk8s_istio_egress/__init__.py'), 'utf8');
    const assembly = JSON.parse(fs.readFileSync(path.join(work, '.jsii'), 'utf8'));
    const types = Object.values<any>(assembly.types).map((t) => t.name);
    expect(types).toEqual(expect.arrayContaining(['EgressTlsOrigination', 'MutualTlsOrigination', 'MeshExternalNginx', 'SleepClient', 'TlsCredential', 'MeshWorkload', 'IstioApiVersion']));
    expect(types.filter((name) => !new RegExp(`^class ${name}\\b`, 'm').test(init))).toEqual([]);
    // and the module is valid Python (skipped where python3 is missing)
    const py = spawnSync('python3', ['-m', 'py_compile', path.join(pkg, 'src/cdk8s_istio_egress/__init__.py')], {
      encoding: 'utf8', env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(work, 'pycache') },
    });
    if (!py.error) expect(`${py.stdout}${py.stderr}`).toBe('');
    expect(init).toContain('https_port: typing.Optional[jsii.Number] = None');
    expect(init).toContain('credential=TlsCredential.from_existing_secret("client-credential")');
    expect(fs.readdirSync(path.join(pkg, 'src/cdk8s_istio_egress/_jsii'))).toContain('cdk8s-istio-egress@0.1.0.jsii.tgz');
    expect(fs.readFileSync(path.join(pkg, 'setup.py'), 'utf8')).toMatch(/"name": "cdk8s-istio-egress"/);
  });
});

describe('breaking-change check (jsii-diff)', () => {
  test('passes against the baseline of the last release', () => {
    // WHEN the assembly of the sources is compared with the committed baseline
    const r = script('compat');

    // THEN nothing stable broke
    expect(r.output).not.toMatch(/^(err|warn) /m);
    expect(r.status).toBe(0);
  });

  test('fails when a prop is removed or becomes required, unless declared', () => {
    // GIVEN an assembly without `httpsPortName`, and with `SleepClientProps.image` required
    const breaking = editAssembly((a) => {
      const options = a.types['cdk8s-istio-egress.TlsOriginationOptions'];
      options.properties = options.properties.filter((p: any) => p.name !== 'httpsPortName');
      a.types['cdk8s-istio-egress.SleepClientProps'].properties.find((p: any) => p.name === 'image').optional = false;
    });
    const r = withEdited('.jsii', breaking, () => script('compat'));

    // THEN the check fails and names each change with its key
    expect(r.status).toBe(1);
    expect(r.output).toContain('[removed:cdk8s-istio-egress.TlsOriginationOptions.httpsPortName]');
    expect(r.output).toContain('[strengthened:cdk8s-istio-egress.SleepClientProps]');

    // WHEN the changes are declared
    const declared = (t: string) => `${t}# test: both declared\nremoved:cdk8s-istio-egress.TlsOriginationOptions.httpsPortName\n`
      + 'removed:cdk8s-istio-egress.EgressTlsOriginationProps.httpsPortName\nremoved:cdk8s-istio-egress.MutualTlsOriginationProps.httpsPortName\n'
      + 'strengthened:cdk8s-istio-egress.SleepClientProps\n';
    const allowed = withEdited('.jsii', breaking, () => withEdited('test/fixtures/jsii/allowed-breaking-changes.txt', declared, () => script('compat')));

    // THEN it passes
    expect(allowed.output).not.toMatch(/^err /m);
    expect(allowed.status).toBe(0);
  });
});
