#!/usr/bin/env node
/*
 * Generates the key material of Istio's Egress TLS Origination task (mutual
 * TLS section) and prints the seed's `kubectl create secret` commands.
 *
 *   node scripts/certs.js [--out DIR] [--host H] [--san X]... [--days N]
 *                         [--key-algorithm RSA-2048|RSA-3072|RSA-4096|ECDSA-P256|ECDSA-P384]
 *                         [--namespace NS] [--client-namespace NS] [--force]
 *
 * Files (seed names): example.com.crt/.key, <host>.crt/.key, client.example.com.crt/.key
 * in DIR (default .certs/, git-ignored); keys are written with mode 0600.
 *
 * Runs the package's `cdk8s-istio-egress/certificates` entry point (lib/, from `npm run build`); the logic
 * lives only there.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const USAGE = `usage: node scripts/certs.js [--out DIR] [--host H] [--san X]... [--days N]
                           [--key-algorithm ALG] [--namespace NS] [--client-namespace NS] [--force]
  --out DIR               output directory (default .certs)
  --host H                server host: CN and DNS SAN (default my-nginx.mesh-external.svc.cluster.local)
  --san X                 extra subject alternative name for the server certificate (repeatable)
  --days N                validity in days (default 365)
  --key-algorithm ALG     RSA-2048 (default), RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384
  --namespace NS          namespace of the nginx server secrets (default mesh-external)
  --client-namespace NS   namespace of the client-credential secret (default: none, i.e. default)
  --force                 overwrite existing files`;

function parseArgs(argv) {
  const opts = { out: '.certs', sans: [], force: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) { value = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--out': opts.out = next(); break;
      case '--host': opts.host = next(); break;
      case '--san': opts.sans.push(next()); break;
      case '--days': {
        const v = next();
        if (!/^[1-9][0-9]*$/.test(v)) throw new Error(`--days must be a positive integer, got '${v}'`);
        opts.days = Number(v);
        break;
      }
      case '--key-algorithm': opts.keyAlgorithm = next(); break;
      case '--namespace': opts.namespace = next(); break;
      case '--client-namespace': opts.clientNamespace = next(); break;
      case '--force': opts.force = true; break;
      case '-h': case '--help': opts.help = true; break;
      default: throw new Error(`unknown argument: ${argv[i]}`);
    }
  }
  return opts;
}

async function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`certs.js: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (opts.help) { process.stdout.write(`${USAGE}\n`); return 0; }

  require('./built').checkBuilt();
  const certs = require('cdk8s-istio-egress/certificates');
  if (!opts.force) {
    const bases = ['example.com', opts.host || certs.DEFAULT_SERVER_HOST, 'client.example.com'];
    const existing = bases.flatMap((b) => [`${b}.crt`, `${b}.key`]).filter((f) => fs.existsSync(path.join(opts.out, f)));
    if (existing.length) {
      process.stderr.write(`certs.js: refusing to overwrite ${existing.join(', ')} in ${opts.out} (use --force)\n`);
      return 1;
    }
  }
  const bundle = await certs.generateCertificates({
    serverHost: opts.host,
    extraSans: opts.sans,
    validityDays: opts.days,
    keyAlgorithm: opts.keyAlgorithm,
  });

  fs.mkdirSync(opts.out, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(bundle.files)) {
    const file = path.join(opts.out, name);
    const mode = name.endsWith('.key') ? 0o600 : 0o644;
    fs.writeFileSync(file, content, { mode });
    fs.chmodSync(file, mode); // writeFileSync's mode only applies to new files
  }
  process.stderr.write(`wrote ${Object.keys(bundle.files).map((f) => path.join(opts.out, f)).join(', ')}\n`);

  const dir = path.resolve(opts.out) === process.cwd() ? undefined : opts.out;
  const secretOpts = { namespace: opts.namespace, clientNamespace: opts.clientNamespace };
  const commands = certs.kubectlSecretCommands(bundle, secretOpts, dir);
  process.stdout.write(`${commands.join('\n')}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
    process.stderr.write(`certs.js: ${err && err.message ? err.message : err}\n`);
    process.exitCode = 1;
  });
}

module.exports = { main, parseArgs };
