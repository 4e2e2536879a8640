// Sets, not lists (issue 15 item 6): an object present twice with the same content is one object, the same file given
// twice (by another path, a symlink) is read once, different content under one key stays wiring/duplicate-object.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validateManifests, validatePaths } from '../../src/validator';

const NET = 'networking.istio.io/v1';
const gateway = () => ({
  apiVersion: NET, kind: 'Gateway', metadata: { name: 'bookinfo-gateway', namespace: 'default' },
  spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
});
const ids = (fs: Array<{ severity: string; ruleId: string }>) => fs.map((f) => `${f.severity} ${f.ruleId}`);

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'validator-sets-')); });
afterEach(() => { fs.rmSync(work, { recursive: true, force: true }); });

describe('sets, not lists', () => {
  test('two identical copies of a Gateway are one Gateway: no IST0145 conflict with itself, no duplicate', () => {
    const once = validateManifests([gateway()]).findings;
    const twice = validateManifests([gateway(), gateway()]).findings;
    expect(ids(twice)).toEqual(ids(once));
    expect(twice.filter((f) => f.ruleId === 'analyzer/conflicting-gateways' || f.ruleId === 'wiring/duplicate-object')).toEqual([]);
  });

  test('the same content with its keys in another order is the same object', () => {
    const g = gateway();
    const reordered = { spec: g.spec, metadata: { namespace: 'default', name: 'bookinfo-gateway' }, kind: 'Gateway', apiVersion: NET };
    expect(ids(validateManifests([g, reordered]).findings)).toEqual(ids(validateManifests([g]).findings));
  });

  test('different content under one group/kind/namespace/name stays a duplicate-object error', () => {
    const other = gateway();
    other.spec.servers[0].hosts = ['bookinfo.example.com'];
    const r = validateManifests([gateway(), other]);
    expect(r.errors.map((f) => `${f.ruleId} ${f.object.kind}/${f.object.name}`)).toContain('wiring/duplicate-object Gateway/bookinfo-gateway');
  });

  test('the same file named twice, by another path or through a symlink, is read once', () => {
    const file = path.join(work, 'gateway.yaml');
    fs.writeFileSync(file, `apiVersion: ${NET}\nkind: Gateway\nmetadata: {name: bookinfo-gateway, namespace: default}\nspec:\n  selector: {istio: ingressgateway}\n  servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ['*']}]\n`);
    fs.symlinkSync(file, path.join(work, 'link.yaml'));
    const r = validatePaths([file, path.join(work, '.', 'gateway.yaml'), path.join(work, 'link.yaml'), file]);
    expect(r.filesRead).toEqual([file]);
    expect(r.skipped).toEqual([
      `${path.join(work, 'gateway.yaml')}: named more than once, read once`,
      `${path.join(work, 'link.yaml')}: the same file as ${file}, read once`,
      `${file}: named more than once, read once`,
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'analyzer/conflicting-gateways' || f.ruleId === 'wiring/duplicate-object')).toEqual([]);
    // a folder and a file of it: the file is read once
    expect(validatePaths([work, file]).filesRead).toEqual([file]);
  });
});
