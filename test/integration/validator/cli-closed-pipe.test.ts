// Every command of the `cdk8s-istio-egress` command line survives a reader that goes away
// (`cdk8s-istio-egress --rules | head -1`): no EPIPE stack trace, the exit status of the command.
// The commands run as a child process through scripts/validate.js, the same main() as the bin; a preload
// (SPY) records the 'error' events of stdout and stderr without listening to them, so each test also proves
// that the pipe really broke.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');
const VALIDATE = path.join(ROOT, 'scripts', 'validate.js');
// relative to ROOT, the children's working folder
const BAD_DIR = 'test/fixtures/validator/bad';
const SEED_DIR = 'test/fixtures/validator/seed';

let work: string;
let spy: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-closed-pipe-'));
  spy = path.join(work, 'spy.js');
  // wraps emit (adding an 'error' listener would hide an unhandled error): records the first error code per stream
  fs.writeFileSync(spy, `
const seen = { stdout: null, stderr: null };
for (const name of ['stdout', 'stderr']) {
  const s = process[name];
  const emit = s.emit;
  s.emit = function (ev, e, ...rest) { if (ev === 'error' && seen[name] === null) seen[name] = (e && e.code) || String(e); return emit.call(this, ev, e, ...rest); };
}
process.on('exit', () => require('fs').writeFileSync(process.env.SPY_OUT, JSON.stringify(seen)));
`);
});
afterAll(() => { fs.rmSync(work, { recursive: true, force: true }); });

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stderr as the test read it ('' when stderr was the closed pipe). */
  readonly stderr: string;
  /** The error code each stream of the child saw (EPIPE when its reader went away). */
  readonly seen: { stdout: string | null; stderr: string | null };
}

let runs = 0;
/** Runs `node [script] args` with stdout (and/or stderr) a pipe the test closes before the child writes anything. */
function closedPipe(argv: string[], close: 'stdout' | 'stderr' | 'both'): Promise<Run> {
  const out = path.join(work, `spy-${runs++}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', spy, ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPY_OUT: out } });
    // the child needs tens of milliseconds to start: the reader is gone before its first write
    if (close !== 'stderr') child.stdout.destroy();
    if (close !== 'stdout') child.stderr.destroy();
    let stderr = '';
    if (close === 'stdout') child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill(); reject(new Error(`timeout: ${argv.join(' ')}`)); }, 20_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr, seen: JSON.parse(fs.readFileSync(out, 'utf8')) });
    });
  });
}

const haveShell = spawnSync('bash', ['-c', 'command -v head'], { encoding: 'utf8' }).status === 0;

/** `node [script] args 2>ERR | head -c1`, as a user types it: the reader closes after the first byte. */
function headPipe(argv: string[]): Run {
  const out = path.join(work, `spy-${runs++}.json`);
  const err = path.join(work, `err-${runs}.txt`);
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const cmd = `${[process.execPath, '-r', spy, ...argv].map(q).join(' ')} 2>${q(err)} | head -c1 >/dev/null; exit "\${PIPESTATUS[0]}"`;
  const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SPY_OUT: out } });
  return { status: r.status, signal: r.signal, stderr: fs.readFileSync(err, 'utf8'), seen: JSON.parse(fs.readFileSync(out, 'utf8')) };
}

/** No trace of the broken pipe on stderr. */
function expectQuiet(stderr: string) {
  expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event|^\s+at /m);
}

describe('the harness breaks the pipe', () => {
  test('a plain Node script that writes to a closed stdout dies with an unhandled EPIPE (what the CLI did)', async () => {
    const r = await closedPipe(['-e', 'process.stdout.write("x\\n")'], 'stdout');
    expect(r.seen.stdout).toBe('EPIPE');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Unhandled 'error' event[\s\S]*EPIPE/);
  });

  (haveShell ? test : test.skip)('and so does one piped into head -c1 that writes more than the pipe holds', () => {
    const r = headPipe(['-e', 'for (let i = 0; i < 2000; i++) process.stdout.write("x".repeat(99) + "\\n")']);
    expect(r.seen.stdout).toBe('EPIPE');
    expect(r.stderr).toMatch(/EPIPE/);
  });
});

describe('every command exits quietly, with its own exit status, when its reader is gone', () => {
  // [command line, the streams whose reader goes away, exit status]; a command added to the CLI belongs here
  const cases: Array<[string[], 'stdout' | 'stderr' | 'both', number]> = [
    [['--rules'], 'stdout', 0],
    [['--help'], 'stdout', 0],
    [['-h'], 'stdout', 0],
    [['--version'], 'stdout', 0],
    [['validate', SEED_DIR], 'stdout', 0],
    [['validate', BAD_DIR], 'stdout', 1],
    [['validate', '--format', 'json', BAD_DIR], 'stdout', 1],
    [['validate', '--format', 'sarif', BAD_DIR], 'stdout', 1],
    // usage errors and unreadable input are reported on stderr
    [['--no-such-option'], 'stderr', 2],
    [['validate', '--format', 'xml'], 'both', 2],
    [['validate', 'no/such/dir'], 'both', 2],
    [['validate', '--format', 'sarif', BAD_DIR, 'no/such/dir'], 'both', 2],
  ];
  test.each(cases)('%j with %s closed', async (args, close, status) => {
    const r = await closedPipe([VALIDATE, ...args], close);
    // THEN the pipe broke (the stream the command writes: stdout, or stderr for errors), nothing was said
    // about it, and the status is the command's
    expect(close === 'stdout' ? r.seen.stdout : r.seen.stderr).toBe('EPIPE');
    expectQuiet(r.stderr);
    expect({ status: r.status, signal: r.signal }).toEqual({ status, signal: null });
  });
});

(haveShell ? describe : describe.skip)('large outputs piped into head -c1', () => {
  let big: string;
  beforeAll(() => {
    // 400 DestinationRules with an error each: text, JSON and SARIF outputs far larger than a pipe's 64 KiB
    big = path.join(work, 'big');
    fs.mkdirSync(big);
    const docs = Array.from({ length: 400 }, (_, i) => [
      'apiVersion: networking.istio.io/v1', 'kind: DestinationRule', `metadata: {name: dr-${i}, namespace: default}`,
      'spec:', `  host: api-${i}.example.com`, '  trafficPolicy:', '    tls: {mode: BOGUS}',
    ].join('\n'));
    fs.writeFileSync(path.join(big, 'drs.yaml'), docs.join('\n---\n') + '\n');
  });

  test.each([['text'], ['json'], ['sarif']])('validate --format %s exits 1 quietly', (format) => {
    const r = headPipe([VALIDATE, 'validate', '--format', format, big]);
    expect(r.seen.stdout).toBe('EPIPE');
    expectQuiet(r.stderr);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
  });

  // --rules is 21 KB, less than a pipe holds: whether head is gone before the last write depends on timing
  // (it was in the bug report); the closed-pipe case above is the deterministic one
  test('--rules | head -c1 exits 0 quietly', () => {
    const r = headPipe([VALIDATE, '--rules']);
    expectQuiet(r.stderr);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
