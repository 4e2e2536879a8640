// No finding and no read error quotes a value under a Secret's data / stringData (src/validator/redact.ts).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { formatFindings, toSarif, validateManifests } from '../../src/validator';
import { main } from '../../src/validator/cli';
import { describeSecretValue } from '../../src/validator/redact';

// 32 bytes of an EC private key, base64 (made invalid by the trailing "!")
const EC_KEY = 'MHcCAQEEIDxR9mPq2nVb7Lk4Jt1sXw0aYcUeH3oZfG8iNrTqBvKdoAoGCCqGSM49AwEHoUQDQgAE5r8x';
const NESTED = 'deep-secret-value-4f9a';
const LISTED = 'listed-secret-value-77c1';
const PIN = 918273645;
const MODE = 'TopSecretMode-31337';

function secretObjects(): any[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ec-key', namespace: 'default' }, type: 'Opaque',
      data: { 'tls.key': `${EC_KEY}!`, 'nested': { inner: NESTED } }, stringData: { pin: PIN, mode: MODE } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'listed', namespace: 'default' }, data: [LISTED] },
    // another object whose own value is the same text as a Secret's (the enum message of tls.mode quotes it)
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'default' },
      spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: MODE } } } },
  ];
}

/** Every run of 8 characters of the secret values (MODE is also the DestinationRule's own value: see below). */
function leaks(text: string, values = [EC_KEY, NESTED, LISTED, String(PIN)]): string[] {
  const found: string[] = [];
  for (const v of values) {
    for (let i = 0; i + 8 <= v.length; i++) if (text.includes(v.slice(i, i + 8))) found.push(v.slice(i, i + 8));
  }
  return found;
}

describe('Secret values in findings', () => {
  test('bad types and formats under data / stringData are reported without their values', () => {
    // GIVEN Secrets whose data / stringData values have the wrong type or format
    // WHEN validated
    const r = validateManifests(secretObjects());
    // THEN each problem is found, its value described by type, length and (for a long string) a fingerprint
    const byField = Object.fromEntries(r.errors.map((f) => [`${f.object.name} ${f.field}`, f.message]));
    const sha = createHash('sha256').update(`${EC_KEY}!`).digest('hex').slice(0, 8);
    expect(byField).toMatchObject({
      'ec-key data["tls.key"]': `(redacted: a string of 81 characters, sha256 ${sha}) is not a valid byte`,
      'ec-key data.nested': 'expected string, got object (redacted: an object with 1 key)',
      'ec-key stringData.pin': 'expected string, got integer (redacted: an integer)',
      'listed data': 'expected object, got array (redacted: an array of 1 item)',
      // the DestinationRule's own value, shown as it is: before issue 14 it came back "(redacted)" because a
      // Secret holds the same text, which told whoever wrote the DestinationRule what the Secret contains
      'dr spec.trafficPolicy.tls.mode': expect.stringMatching(/^unsupported value "TopSecretMode-31337"; supported values: "DISABLE"/),
    });
    // and no output quotes any 8 characters of a secret value
    expect(leaks(formatFindings(r.findings))).toEqual([]);
    expect(leaks(JSON.stringify(r.findings))).toEqual([]);
    expect(leaks(JSON.stringify(toSarif(r.findings)))).toEqual([]);
  });

  test('the CLI output holds none of the values, in text, json and sarif', () => {
    // GIVEN the Secrets in a file
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-redact-'));
    try {
      fs.writeFileSync(path.join(dir, 'secrets.yaml'), secretObjects().map((o) => YAML.stringify(o)).join('---\n'));
      for (const format of ['text', 'json', 'sarif']) {
        // WHEN validated by the CLI
        let out = '';
        const code = main(['validate', dir, '--format', format], { stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
        // THEN the findings are printed without the values
        expect(code).toBe(1);
        expect(out).toContain('(redacted: a string of 81 characters, sha256 ');
        expect(leaks(out)).toEqual([]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no oracle: a guess written into another object comes back the same whether or not a Secret holds it', () => {
    // GIVEN a Secret holding a private key, and ConfigMaps whose bad values are 6-character guesses, one that
    // occurs in the key and one that does not (before issue 14 the first came back "(redacted)")
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k', namespace: 'default' }, stringData: { 'tls.key': `-----BEGIN EC PRIVATE KEY-----\n${EC_KEY}\n-----END EC PRIVATE KEY-----\n` } };
    const guess = (name: string, value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { x: [value] } });
    const hit = EC_KEY.slice(10, 16);
    const miss = 'zzzzzz';
    // WHEN validated together
    const r = validateManifests([secret, guess('hit', hit), guess('miss', miss)]);
    // THEN both guesses are quoted as written, in the same words
    const message = (name: string) => r.errors.find((f) => f.object.name === name)!.message;
    expect(message('hit')).toBe(`expected string, got array ["${hit}"]`);
    expect(message('miss')).toBe(`expected string, got array ["${miss}"]`);
  });

  test('the word "string" in a Secret value does not change field names or other text', () => {
    // GIVEN a Secret whose value is "string" and a bad stringData entry (before issue 14: "(redacted)Data")
    const r = validateManifests([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { a: 'string', b: 7 } }]);
    // THEN the field and message keep their words
    expect(r.errors.map((f) => [f.field, f.message])).toEqual([['stringData.b', 'expected string, got integer (redacted: an integer)']]);
  });

  test('describeSecretValue: type and length, a fingerprint only for 32 characters or more', () => {
    const long = 'x'.repeat(40);
    expect(describeSecretValue(long)).toBe(`(redacted: a string of 40 characters, sha256 ${createHash('sha256').update(long).digest('hex').slice(0, 8)})`);
    expect(describeSecretValue('hunter2')).toBe('(redacted: a string of 7 characters)');
    expect(describeSecretValue('😀')).toBe('(redacted: a string of 1 character)');
    expect(describeSecretValue(1.5)).toBe('(redacted: a number)');
    expect(describeSecretValue(true)).toBe('(redacted: a boolean)');
    expect(describeSecretValue(null)).toBe('(redacted: null)');
    expect(describeSecretValue({ a: 1, b: 2 })).toBe('(redacted: an object with 2 keys)');
  });
});

describe('Secret content in read errors', () => {
  const PEM_LINES = ['-----BEGIN EC PRIVATE KEY-----', EC_KEY.slice(0, 64), EC_KEY.slice(64), '-----END EC PRIVATE KEY-----'];
  /** Runs the CLI on `files` in every format; returns the outputs (stdout and stderr together) by format. */
  function outputs(files: { [name: string]: string }): { [format: string]: { code: number; out: string } } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-redact-read-'));
    try {
      for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
      const result: { [format: string]: { code: number; out: string } } = {};
      for (const format of ['text', 'json', 'sarif']) {
        let out = '';
        const code = main(['validate', dir, '--format', format], { stdout: (t) => { out += t; }, stderr: (t) => { out += t; }, cwd: dir });
        result[format] = { code, out };
      }
      return result;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const keyLeaks = (text: string) => PEM_LINES.slice(1, 3).flatMap((l) => leaks(text, [l]));

  test('a duplicate key in a Secret\'s stringData is reported by position, without a line of the key (text, json, sarif)', () => {
    // GIVEN a Secret whose stringData has tls.key twice, each a PEM private key (issue 14: two full lines printed)
    const block = PEM_LINES.map((l) => `    ${l}`).join('\n');
    const yaml = `apiVersion: v1\nkind: Secret\nmetadata: {name: k}\nstringData:\n  tls.key: |\n${block}\n  tls.key: |\n${block}\n`;
    // WHEN validated in each format
    for (const [format, { code, out }] of Object.entries(outputs({ 'secret.yaml': yaml }))) {
      // THEN the error names the file, the line and column and the key, exit 2, and no line of the key is printed
      expect([format, code]).toEqual([format, 2]);
      expect(out).toMatch(/secret\.yaml: line 10, column 3: duplicate key \\?"tls\.key\\?"/);
      expect(keyLeaks(out)).toEqual([]);
      expect(out).not.toContain('BEGIN EC PRIVATE KEY');
    }
  });

  test('a syntax error in a Secret prints no code frame and no text of the file, in every format', () => {
    // GIVEN a Secret that does not parse (a bad indentation under the key), and one with a bad escape inside the key
    const broken = `apiVersion: v1\nkind: Secret\nmetadata: {name: k}\nstringData:\n  tls.key: "${PEM_LINES.join('\\n')}"\n   bad: x\n`;
    const escape = `apiVersion: v1\nkind: Secret\nmetadata: {name: k}\nstringData:\n  tls.key: "${PEM_LINES[1]}\\q${PEM_LINES[2]}"\n`;
    const cases: Array<{ [name: string]: string }> = [{ 'broken.yaml': broken }, { 'escape.yaml': escape }, { 'secret.json': `{"kind": "Secret", "stringData": {"tls.key": "${PEM_LINES[1]}\\q${PEM_LINES[2]}"}}` }];
    for (const files of cases) {
      for (const [format, { code, out }] of Object.entries(outputs(files))) {
        expect([format, code]).toEqual([format, 2]);
        expect(out).toMatch(/line \d+, column \d+/);
        expect(keyLeaks(out)).toEqual([]);
      }
    }
  });
});
