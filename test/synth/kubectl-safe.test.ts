import { Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { goYamlResolve } from '../../src/common/kubectl-yaml';
import { kubectlSafeFile, kubectlSafeText, quoteForKubectl, stringIn11 } from '../../src/synth/kubectl-safe';

/** Every plain scalar of `text` as kubectl resolves it (go-yaml v2), with its position: [source, tag]. */
function kubectlPlainScalars(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const doc of parseAllDocuments(text, { version: '1.1' }) as any[]) {
    const walk = (n: any): void => {
      if (n === null || typeof n !== 'object') return;
      if (n.range && n.type === 'PLAIN') out.push([text.slice(n.range[0], n.range[1]), goYamlResolve(text.slice(n.range[0], n.range[1])).tag]);
      for (const item of n.items ?? []) { walk(item.key ?? item); if (item.key !== undefined) walk(item.value); }
    };
    walk(doc.contents);
  }
  return out;
}

const CONFIG_MAP = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'numbers', namespace: '0o17', labels: { '0X1F': '0B101', inject: 'true' } },
  data: { '-0o17': '1e1_0', hex: '0x1f', port: '8080', list: '[0o17]' },
  ports: [443, '0O7', { name: '+0X1F' }],
  empty: [],
};

describe('quoteForKubectl', () => {
  test('quotes exactly the scalars cdk8s writes plain and kubectl reads as numbers, keys included', () => {
    // GIVEN what cdk8s writes for two objects
    const text = Yaml.stringify(CONFIG_MAP, { kind: 'Namespace', metadata: { name: '0O17' } });
    // WHEN
    const { text: safe, quoted } = quoteForKubectl(text);
    // THEN those scalars, and only they, are double-quoted: every other byte is as cdk8s wrote it
    expect(quoted.map((q) => [q.value, q.reading, q.key])).toEqual([
      ['0o17', 'the integer 15', false], ['0X1F', 'the integer 31', true], ['0B101', 'the integer 5', false],
      ['-0o17', 'the integer -15', true], ['1e1_0', 'the number 10000000000', false], ['0O7', 'the integer 7', false],
      ['+0X1F', 'the integer 31', false], ['0O17', 'the integer 15', false],
    ]);
    const expected = text.replace('namespace: 0o17', 'namespace: "0o17"').replace('0X1F: 0B101', '"0X1F": "0B101"')
      .replace('-0o17: 1e1_0', '"-0o17": "1e1_0"').replace('- 0O7', '- "0O7"').replace('name: +0X1F', 'name: "+0X1F"')
      .replace('name: 0O17', 'name: "0O17"');
    expect(safe).toBe(expected);
    expect(safe).not.toBe(text);
    // AND cdk8s's `yaml` reads the same objects back, and kubectl reads no plain scalar as a number but 443
    expect(parseAllDocuments(safe, { version: '1.1' }).map((d) => d.toJS())).toEqual([CONFIG_MAP, { kind: 'Namespace', metadata: { name: '0O17' } }]);
    expect(kubectlPlainScalars(safe).filter(([, tag]) => tag !== 'str')).toEqual([['443', 'int']]);
    expect(kubectlPlainScalars(text).filter(([, tag]) => tag !== 'str').map(([s]) => s)).toEqual(['0o17', '0X1F', '0B101', '-0o17', '1e1_0', '443', '0O7', '+0X1F', '0O17']);
  });

  test('quotes a plain << key (a merge key to go-yaml and to the yaml package) but not a << value', () => {
    const text = Yaml.stringify({ metadata: { annotations: { '<<': 'x', 'v': '<<' } } });
    expect(text).toBe('metadata:\n  annotations:\n    <<: x\n    v: <<\n');
    expect(kubectlSafeText(text)).toBe('metadata:\n  annotations:\n    "<<": x\n    v: <<\n');
  });

  test('leaves a text without such scalars the same string, and a file the same Buffer', () => {
    const text = Yaml.stringify({ metadata: { name: 'edition-cnn-com', labels: { 'sidecar.istio.io/inject': 'true' } }, spec: { ports: [{ number: 443, name: 'tls-0x1f' }], v: '0x1f', w: '1.2.3', y: 'yes' } });
    expect(quoteForKubectl(text)).toEqual({ text, quoted: [] });
    const file = Buffer.from(text);
    expect(kubectlSafeFile(file)).toBe(file);
    const changed = Buffer.from('a: 0o17\n');
    expect(kubectlSafeFile(changed).toString()).toBe('a: "0o17"\n');
  });

  test('a suspect word inside a quoted or block scalar changes nothing', () => {
    const text = Yaml.stringify({ a: 'x 0o17', b: "'0o17'", c: 'line\n0o17\n', d: '0o17: 1' });
    expect(text).toMatch(/0o17/);
    expect(kubectlSafeText(text)).toBe(text);
  });

  test('quotes document by document: offsets stay right, and a --- inside a block scalar is no document boundary', () => {
    // GIVEN three documents, the first with a block scalar holding a --- line, the others with misread scalars
    const text = Yaml.stringify({ data: { 'nginx.conf': 'a\n---\nb 0o17\n' } }, { metadata: { namespace: '0o17' } }, { metadata: { name: '0X1F' }, n: 1 });
    expect(text).toMatch(/^ {4}---$/m);
    // WHEN / THEN
    expect(kubectlSafeText(text)).toBe(text.replace('namespace: 0o17', 'namespace: "0o17"').replace('name: 0X1F', 'name: "0X1F"'));
  });

  test('a --- line at the start of a line ends a document in YAML, so splitting there parses as the whole text does', () => {
    expect(kubectlSafeText('a: |\n---\nb: 0o17\n')).toBe('a: |\n---\nb: "0o17"\n');
    expect(kubectlSafeText('a: 0o17\n---\nb: 0O1\n')).toBe('a: "0o17"\n---\nb: "0O1"\n');
    // a document that needs quoting and does not parse leaves the whole text unchanged
    const broken = 'a: 0o17\n---\nb: 0o17\n  c: [\n';
    expect(kubectlSafeText(broken)).toBe(broken);
  });

  test('returns a text that does not parse unchanged (the validator reports it)', () => {
    const text = 'a: 0o17\n  b: [\n';
    expect(quoteForKubectl(text)).toEqual({ text, quoted: [] });
  });
});

describe('stringIn11', () => {
  // GIVEN plain scalars of every shape kubectl misreads, with the ints, bools and nulls answered without the yaml package
  const words = ['0', '1', '80', '443', '15008', '-1', '+7', '007', '0755', '08', '99999999999999999999', 'true', 'True', 'TRUE', 'false', 'False',
    'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'y', 'Y', 'n', 'N', 'null', 'Null', 'NULL', '~',
    'tRue', 'oN', 'nULL', '0o17', '0X1F', '0B101', '1e1_0', '1_000', '0x1f', '1.5', '.inf', '-.Inf', '.nan', '1e3', '0b1', '+0X1F', '<<', 'yES'];
  test('answers for each word what the yaml package YAML 1.1 schema reads: a string or not', () => {
    // WHEN each is asked; THEN the answer is the package's own reading of the word as a one-line document
    for (const word of words) {
      const doc = parseAllDocuments(`${word}\n`, { version: '1.1' }) as any[];
      const expected = doc.length === 1 && doc[0].errors.length === 0 && doc[0].contents?.type === 'PLAIN' && typeof doc[0].contents.value === 'string';
      expect([word, stringIn11(word)]).toEqual([word, expected]);
    }
  });
});
