/**
 * The command line of the validator, `cdk8s-istio-egress` (package.json `bin`), also run by
 * `npm run validate` (scripts/validate.js) and by `node lib/src/validator/cli.js`:
 *
 *   cdk8s-istio-egress validate [PATH...] [--warn RULE[,RULE]]... [--format text|json|sarif]
 *   cdk8s-istio-egress --rules | --version | --help
 *
 * Exit codes: 0 no errors (warnings and notes allowed), 1 errors found, 2 usage error or unreadable input.
 * A closed pipe (`| head -1`) is not an error: the output the reader no longer takes is dropped, without a
 * message, and the exit status stays that of the command (see quietOnClosedPipe).
 */
import * as path from 'path';
import { formatFindings, validatePaths } from '.';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_YAML_NODES } from './read';
import { isKnownRulePattern } from './rules';
import { rulesListing } from './rules/reference';
import { packageVersion, toSarif } from './sarif';
import { escapeText } from './text';

const PROG = 'cdk8s-istio-egress';

const USAGE = `usage: ${PROG} validate [PATH...] [options]
       ${PROG} synth [--app FILE] [--out DIR] [options]   (see ${PROG} synth --help)
       ${PROG} --rules | --version | --help

Validates Kubernetes manifests offline, as a cluster with Istio 1.30.3 and cert-manager would, plus the
silent traps of egress TLS origination. Findings are errors, warnings (probable problems) and notes (what
could not be checked because it is not in the input, and information). PATH is a folder (its *.yaml, *.yml and *.json files, not
recursive, as kubectl apply -f reads them) or a file; several may be given. PATH defaults to dist.

options:
  -w, --warn RULE[,RULE]   report the errors of these rule ids (or prefixes such as wiring/, or *)
                           as warnings; repeatable
      --each-file          validate each file on its own (files that are alternatives, applied one at
                           a time) instead of all files as one set applied together
      --format FORMAT      text (default), json (the findings) or sarif (SARIF 2.1.0)
      --json               same as --format json
      --max-file-size N    largest file read, in bytes (default ${DEFAULT_MAX_FILE_BYTES})
      --max-yaml-nodes N   most YAML nodes per file, aliases expanded (default ${DEFAULT_MAX_YAML_NODES})
      --rules              list the rules (id, severity, description) and exit
      --version            print the version and exit
  -h, --help               print this help and exit

exit codes: 0 no errors (warnings and notes allowed), 1 errors, 2 usage error or unreadable input
`;

/** Where main() writes; the process's streams by default. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Folder relative paths and SARIF URIs are relative to. */
  readonly cwd?: string;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

let pipeGuarded = false;
/**
 * Makes a closed pipe on stdout or stderr quiet, for every command: when the reader goes away
 * (`cdk8s-istio-egress --rules | head -1`), Node reports EPIPE as an 'error' event on the stream, which
 * unhandled ends the process with a stack trace (Node ignores SIGPIPE, so git's and grep's silent death by
 * the signal does not happen). The rest of the output is dropped; the process does not exit early, so a
 * command finishes what it was doing (a synth still completes its writes) and keeps its exit status: 1 still
 * means that errors were found. Other stream errors are left as they were.
 */
export function quietOnClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
      throw e;
    });
  }
}

class UsageError extends Error {}

type Format = 'text' | 'json' | 'sarif';

interface Args {
  readonly command: 'validate' | 'help' | 'rules' | 'version';
  readonly paths: string[];
  readonly warn: string[];
  readonly eachFile: boolean;
  readonly format: Format;
  readonly maxFileBytes?: number;
  readonly maxYamlNodes?: number;
}

function parseArgs(argv: readonly string[]): Args {
  let command: Args['command'] | undefined;
  const paths: string[] = [];
  const warn: string[] = [];
  let eachFile = false;
  let format: Format = 'text';
  let maxFileBytes: number | undefined;
  let maxYamlNodes: number | undefined;
  let i = 0;
  // `validate` is the only command; scripts/validate.js passes its arguments without it
  if (argv[0] === 'validate') i = 1;
  const value = (name: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const v = argv[++i];
    if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
    return v;
  };
  const count = (name: string, v: string): number => {
    if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`${name} must be a positive integer (got ${JSON.stringify(v)})`);
    return Number(v);
  };
  let optionsDone = false;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (optionsDone || !a.startsWith('-') || a === '-') {
      paths.push(a);
      continue;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const inline = eq > 0 ? a.slice(eq + 1) : undefined;
    switch (name) {
      case '--':
        optionsDone = true;
        break;
      case '-w':
      case '--warn':
        warn.push(...value(name, inline).split(',').map((s) => s.trim()).filter(Boolean));
        break;
      case '--each-file':
        eachFile = true;
        break;
      case '--format': {
        const f = value(name, inline);
        if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`--format must be text, json or sarif (got ${JSON.stringify(f)})`);
        format = f;
        break;
      }
      case '--json':
        format = 'json';
        break;
      case '--max-file-size':
        maxFileBytes = count(name, value(name, inline));
        break;
      case '--max-yaml-nodes':
        maxYamlNodes = count(name, value(name, inline));
        break;
      case '--rules':
        command ??= 'rules';
        break;
      case '--version':
      case '-V':
        command ??= 'version';
        break;
      case '-h':
      case '--help':
        command = 'help';
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(a)}`);
    }
  }
  for (const w of warn) {
    if (!isKnownRulePattern(w)) throw new UsageError(`--warn: no rule ${JSON.stringify(w)} (see --rules; prefixes end in "/")`);
  }
  return { command: command ?? 'validate', paths, warn, eachFile, format, maxFileBytes, maxYamlNodes };
}

/** Runs the command line `argv` (without the node and script paths) and returns the exit code. */
export function main(argv: readonly string[], io: CliIo = processIo): number {
  if (io === processIo) quietOnClosedPipe();
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`${PROG}: ${escapeText(e.message)}\n${USAGE.split('\n')[0]}\ntry '${PROG} --help'\n`);
    return 2;
  }
  switch (args.command) {
    case 'help':
      io.stdout(USAGE);
      return 0;
    case 'version':
      io.stdout(`${packageVersion()}\n`);
      return 0;
    case 'rules':
      io.stdout(rulesListing());
      return 0;
    default:
      try {
        return validate(args, io);
      } catch (e) {
        // never a stack trace, never exit 1 ("errors found") for a failure of the tool itself
        const message = `internal error, nothing was validated: ${describeError(e)}`;
        io.stderr(`${PROG}: ${escapeText(message)}\n`);
        if (args.format === 'sarif') io.stdout(JSON.stringify(toSarif([], { baseDir: process.cwd(), notifications: [message] }), null, 2) + '\n');
        return 2;
      }
  }
}

/**
 * An unexpected exception in one line: its class and the first line of its message, cut at 200 characters,
 * with anything quoted in it left out (V8's messages quote the data they failed on, which may be a Secret's).
 */
export function describeError(e: unknown): string {
  const name = e instanceof Error ? e.constructor.name || 'Error' : typeof e;
  const raw = e instanceof Error ? e.message : '';
  const first = raw.split(/\r?\n/)[0].replace(/"[^"]*"?|'[^']*'?|`[^`]*`?/g, '"…"');
  return first ? `${name}: ${first.length > 200 ? `${first.slice(0, 200)}…` : first}` : name;
}

function validate(args: Args, io: CliIo): number {
  const cwd = io.cwd ?? process.cwd();
  // read absolute paths, show them as the user wrote them
  const given = (args.paths.length ? args.paths : ['dist']).map((p) => ({ user: p, abs: path.resolve(cwd, p) }));
  const report = validatePaths(given.map((g) => g.abs), {
    downgrade: args.warn,
    eachFile: args.eachFile,
    ...(args.maxFileBytes ? { maxFileBytes: args.maxFileBytes } : {}),
    ...(args.maxYamlNodes ? { maxYamlNodes: args.maxYamlNodes } : {}),
  });
  const longestFirst = [...given].sort((a, b) => b.abs.length - a.abs.length);
  const rel = (text: string) => longestFirst.reduce((t, g) => t.split(g.abs).join(g.user), text);
  const findings = report.findings.map((f) => (f.object.file ? { ...f, object: { ...f.object, file: rel(f.object.file) } } : f));
  for (const s of report.skipped) io.stderr(`${PROG}: note: skipped ${escapeText(rel(s))}\n`);
  for (const e of report.readErrors) io.stderr(`${PROG}: error: ${escapeText(rel(e))}\n`);
  if (args.format === 'json') io.stdout(JSON.stringify(findings, null, 2) + '\n');
  else if (args.format === 'sarif') io.stdout(JSON.stringify(toSarif(report.findings, { baseDir: cwd, notifications: report.readErrors.map(rel) }), null, 2) + '\n');
  else if (report.filesRead.length || !report.readErrors.length) io.stdout(formatFindings(findings));
  if (report.readErrors.length) return 2;
  return report.ok ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
