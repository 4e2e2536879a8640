/**
 * CLI: validate [DIR] [--warn RULE[,RULE]]... [--json]
 * Validates every *.yaml/*.yml in DIR (default: dist), prints the findings, exits 1 on errors.
 */
import { formatFindings, RULES, validateDirectory } from './index';

export function main(argv: string[]): number {
  const downgrade: string[] = [];
  let dir = 'dist';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--warn' || a === '-w') downgrade.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    else if (a.startsWith('--warn=')) downgrade.push(...a.slice(7).split(',').filter(Boolean));
    else if (a === '--json') json = true;
    else if (a === '--rules') {
      for (const r of RULES) process.stdout.write(`${r.id}\t${r.severity}\t${r.description}\n`);
      return 0;
    } else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: validate [DIR] [--warn RULE-ID[,RULE-ID]] [--json] [--rules]\n  DIR defaults to dist; exits 1 when there are errors\n');
      return 0;
    } else dir = a;
  }
  let report;
  try {
    report = validateDirectory(dir, { downgrade });
  } catch (e) {
    process.stderr.write(`validate: ${(e as Error).message}\n`);
    return 2;
  }
  if (json) process.stdout.write(JSON.stringify(report.findings, null, 2) + '\n');
  else process.stdout.write(formatFindings(report.findings));
  return report.ok ? 0 : 1;
}
