// No finding quotes a value under a Secret's data / stringData (src/validator/redact.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { formatFindings, toSarif, validateManifests } from '../../src/validator';
import { main } from '../../src/validator/cli';
import { SecretValues } from '../../src/validator/redact';

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
    // a value of a Secret that another object quotes (the enum message of tls.mode)
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'default' },
      spec: { host: 'api.example.com', trafficPolicy: { tls: { mode: MODE } } } },
  ];
}

/** Every run of 8 characters of the secret values. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const v of [EC_KEY, NESTED, LISTED, String(PIN), MODE]) {
    for (let i = 0; i + 8 <= v.length; i++) if (text.includes(v.slice(i, i + 8))) found.push(v.slice(i, i + 8));
  }
  return found;
}

describe('Secret values in findings', () => {
  test('bad types and formats under data / stringData are reported without their values', () => {
    // GIVEN Secrets whose data / stringData values have the wrong type or format
    // WHEN validated
    const r = validateManifests(secretObjects());
    // THEN each problem is found, its value replaced by (redacted)
    const byField = Object.fromEntries(r.errors.map((f) => [`${f.object.name} ${f.field}`, f.message]));
    expect(byField).toMatchObject({
      'ec-key data["tls.key"]': '(redacted) is not a valid byte',
      'ec-key data.nested': 'expected string, got object (redacted)',
      'ec-key stringData.pin': 'expected string, got integer (redacted)',
      'listed data': 'expected object, got array (redacted)',
      'dr spec.trafficPolicy.tls.mode': expect.stringMatching(/^unsupported value "\(redacted\)"; supported values: "DISABLE"/),
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
        expect(out).toContain('(redacted)');
        expect(leaks(out)).toEqual([]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('scrub replaces any run of 6+ characters of a value, raw or JSON-escaped, and nothing else', () => {
    const s = new SecretValues([{ kind: 'Secret', data: { a: 'line1\nline2-abcdef' } }, { kind: 'ConfigMap', data: { b: 'not-a-secret' } }]);
    expect(s.scrub('got "line1\\nline2-abcdef" and line2-abc')).toBe('got "(redacted)" and (redacted)');
    expect(s.scrub('not-a-secret; line')).toBe('not-a-secret; line');
    expect(new SecretValues([{ kind: 'ConfigMap', data: { b: 'x' } }]).empty).toBe(true);
  });
});
