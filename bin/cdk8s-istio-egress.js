#!/usr/bin/env node
'use strict';
// `cdk8s-istio-egress validate [PATH...]`: the offline validator of this package (lib/src/validator/cli.ts).
// `cdk8s-istio-egress synth [--app FILE] [--out DIR]`: runs a cdk8s app, validates, writes safely (lib/src/synth/command.ts).
// Exit codes: 0 no errors, 1 errors, 2 usage error or unreadable input.
const argv = process.argv.slice(2);
if (argv[0] === 'synth') {
  // Node 22.1+: V8 code caches of every module loaded (cdk8s, cdk8s-plus, the validator, the app) in Node's
  // default folder (os.tmpdir()/node-compile-cache): about half the wall time of a small app's run
  require('module').enableCompileCache?.();
  require('../lib/src/synth/command.js').synthMain(argv.slice(1)).then((code) => {
    // exit once the output has flushed: a timer or socket the app left open must not keep synth alive
    process.exitCode = code;
    const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
    let left = pending.length;
    if (left === 0) process.exit(code);
    for (const s of pending) s.once('drain', () => --left === 0 && process.exit(code));
  });
} else {
  process.exitCode = require('../lib/src/validator/cli.js').main(argv);
}
