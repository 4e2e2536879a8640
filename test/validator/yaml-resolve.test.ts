// Plain scalars resolved as kubectl reads them: go-yaml v2's resolve.go, then sigs.k8s.io/yaml's JSON
// conversion (src/validator/yaml-resolve.ts, through the reader src/validator/read.ts).
import { parseManifestText } from '../../src/validator';
import { formatFloat32G, parseGoInt, resolvePlain } from '../../src/validator/yaml-resolve';

/** The value kubectl reads for `v: TEXT`. */
const read = (text: string) => parseManifestText(`v: ${text}\n`, 't.yaml')[0].v;

/**
 * Ported as data from gopkg.in/yaml.v2 decode_test.go (unmarshalTests into interface{}, branch v2), with the
 * value that reaches kubectl as JSON: Go ints and floats are JSON numbers, timestamps stay the text (go-yaml
 * v2 decodes them into interface{} as strings), !!binary bytes become a string (json.Marshal replaces bytes
 * that are not UTF-8 with U+FFFD).
 */
const GO_YAML_V2: Array<[yaml: string, value: unknown]> = [
  ['v: hi', { v: 'hi' }],
  ['v: true', { v: true }],
  ['v: 10', { v: 10 }],
  ['v: 0b10', { v: 2 }],
  ['v: 0xA', { v: 10 }],
  ['v: 4294967296', { v: 4294967296 }],
  ['v: 0.1', { v: 0.1 }],
  ['v: .1', { v: 0.1 }],
  ['v: -10', { v: -10 }],
  ['v: -.1', { v: -0.1 }],
  ['canonical: 6.8523e+5', { canonical: 6.8523e+5 }],
  ['expo: 685.230_15e+03', { expo: 685.23015e+03 }],
  ['fixed: 685_230.15', { fixed: 685230.15 }],
  ['canonical: y', { canonical: true }],
  ['answer: NO', { answer: false }],
  ['logical: True', { logical: true }],
  ['option: on', { option: true }],
  ['canonical: 685230', { canonical: 685230 }],
  ['decimal: +685_230', { decimal: 685230 }],
  ['octal: 02472256', { octal: 685230 }],
  ['hexa: 0x_0A_74_AE', { hexa: 685230 }],
  ['bin: 0b1010_0111_0100_1010_1110', { bin: 685230 }],
  ['bin: -0b101010', { bin: -42 }],
  [`bin: -0b1${'0'.repeat(63)}`, { bin: -9223372036854775808 }],
  ['int64_max: 9223372036854775807', { int64_max: 2 ** 63 }], // JSON numbers in JavaScript: the nearest double
  ['uint64_max: 18446744073709551615', { uint64_max: 2 ** 64 }], // as JSON.parse reads it: the nearest double
  ['float64_maxuint64+1: 18446744073709551616', { 'float64_maxuint64+1': 2 ** 64 }],
  ['empty:', { empty: null }],
  ['canonical: ~', { canonical: null }],
  ['english: null', { english: null }],
  ['seq: [A,B]', { seq: ['A', 'B'] }],
  ['seq: [A,1,C]', { seq: ['A', 1, 'C'] }],
  ['seq:\n - A\n - 1\n - C', { seq: ['A', 1, 'C'] }],
  ['scalar: | # Comment\n\n literal\n\n \ttext\n\n', { scalar: '\nliteral\n\n\ttext\n' }],
  ['scalar: > # Comment\n\n folded\n line\n \n next\n line\n  * one\n  * two\n\n last\n line\n\n', { scalar: '\nfolded line\nnext line\n * one\n * two\n\nlast line\n' }],
  ['a: {b: c}', { a: { b: 'c' } }],
  ["'1': '\"2\"'", { 1: '"2"' }],
  ["v:\n- A\n- 'B\n\n  C'\n", { v: ['A', 'B\nC'] }],
  ["v: !!float '1.1'", { v: 1.1 }],
  ['v: !!float 0', { v: 0 }],
  ['v: !!float -1', { v: -1 }],
  ["v: !!null ''", { v: null }],
  ['v: ! test', { v: 'test' }],
  ['a: &x 1\nb: &y 2\nc: *x\nd: *y\n', { a: 1, b: 2, c: 1, d: 2 }],
  ["foo: ''", { foo: '' }],
  ['foo: null', { foo: null }],
  ['foo: ~', { foo: null }],
  ['a: -b_c', { a: '-b_c' }],
  ['a: +b_c', { a: '+b_c' }],
  ['a: 50cent_of_dollar', { a: '50cent_of_dollar' }],
  ['a: {b: https://github.com/go-yaml/yaml}', { a: { b: 'https://github.com/go-yaml/yaml' } }],
  ['a: [https://github.com/go-yaml/yaml]', { a: ['https://github.com/go-yaml/yaml'] }],
  ['a: 3s', { a: '3s' }],
  ['a: <foo>', { a: '<foo>' }],
  ['a: 1:1\n', { a: '1:1' }],
  ['a: !!binary gIGC\n', { a: '\ufffd\ufffd\ufffd' }],
  [`a: !!binary |\n  ${'kJCQ'.repeat(17)}kJ\n  CQ\n`, { a: '\ufffd'.repeat(54) }],
  ['a: 1.2.3.4\n', { a: '1.2.3.4' }],
  ['a: 2015-02-24T18:19:39Z\n', { a: '2015-02-24T18:19:39Z' }],
  ['a: !!str 2015-01-01', { a: '2015-01-01' }],
  ['a: !!timestamp "2015-01-01"', { a: '2015-01-01' }],
  ['a: "2015-01-01"', { a: '2015-01-01' }],
  ['a: 2015-01-01', { a: '2015-01-01' }],
  ['a: 123456e1\n', { a: 123456e1 }],
  ['a: 123456E1\n', { a: 123456E1 }],
  ['First occurrence: &anchor Foo\nSecond occurrence: *anchor\nOverride anchor: &anchor Bar\nReuse anchor: *anchor\n',
    { 'First occurrence': 'Foo', 'Second occurrence': 'Foo', 'Override anchor': 'Bar', 'Reuse anchor': 'Bar' }],
  ['a:\n  b\nb:\n  ? a\n  : a', { a: 'b', b: { a: 'a' } }],
];

describe('go-yaml v2 decode tests, as kubectl sees the values', () => {
  test.each(GO_YAML_V2)('%j', (yaml, value) => {
    expect(parseManifestText(yaml, 't.yaml')).toEqual([value]);
  });

  test('a single document with garbage after its end marker: the garbage is not read (go-yaml Unmarshal reads one document)', () => {
    expect(parseManifestText('---\nhello: x\n...\n}not yaml', 't.yaml')).toEqual([{ hello: 'x' }]);
  });
});

describe('plain scalars of issue 14', () => {
  test.each<[string, unknown]>([
    ['.', '.'], // was NaN: `exportTo: [.]` failed as a type error
    ['0o17', 15], ['0O17', 15], ['0x1F', 31], ['0X1F', 31], ['0b101', 5], ['0B101', 5], ['1_000', 1000], ['+1', 1], ['-0x10', -16],
    ['0755', 493], ['08', 8], ['1e3', 1000], ['1.', 1], ['+.5', 0.5], ['.5', 0.5],
    ['y', true], ['Y', true], ['yes', true], ['Yes', true], ['YES', true], ['on', true], ['On', true], ['ON', true], ['true', true], ['TRUE', true],
    ['n', false], ['N', false], ['no', false], ['No', false], ['NO', false], ['off', false], ['Off', false], ['OFF', false], ['False', false],
    ['~', null], ['null', null], ['Null', null], ['NULL', null], ['', null],
    // not in go-yaml's table, or not numbers for Go's ParseInt / ParseFloat
    ['yES', 'yES'], ['nULL', 'nULL'], ['oN', 'oN'], ['0x', '0x'], ['0o8', '0o8'], ['+', '+'], ['..', '..'], ['.e3', '.e3'],
    ['1e400', '1e400'], ['0x1F.8p1', '0x1F.8p1'], ['1:30', '1:30'], ['2001-12-14', '2001-12-14'], ['_1', '_1'], ['edition.cnn.com', 'edition.cnn.com'],
  ])('%j reads as %j', (text, value) => {
    expect(read(text)).toEqual(value);
  });

  test('quoted and block scalars are strings, an explicit tag resolves as go-yaml does', () => {
    expect(read('"0o17"')).toBe('0o17');
    expect(read("'yes'")).toBe('yes');
    expect(read('|\n  0x1F')).toBe('0x1F\n');
    expect(read('!!str 0o17')).toBe('0o17');
    expect(read('!!int "0o17"')).toBe(15);
    expect(read('!!bool "on"')).toBe(true);
    expect(read('!custom 0o17')).toBe('0o17');
  });

  test('fails when a tag does not fit the value, without quoting the value', () => {
    expect(() => read('!!int s3cr3t')).toThrow(/^t\.yaml: line 1, column 10: a !!int tag on a !!str value: kubectl refuses it \(go-yaml v2: "cannot decode !!str as a !!int"\)$/);
    expect(() => read('!!bool 1')).toThrow(/a !!bool tag on a !!int value/);
    expect(() => read('!!timestamp x')).toThrow(/a !!timestamp tag on a !!str value/);
    expect(() => read('!!binary "not base64!"')).toThrow(/a !!binary value that is not base64/);
  });

  test('fails on .inf and .nan values, which JSON cannot hold (kubectl: "json: unsupported value")', () => {
    expect(() => read('.inf')).toThrow(/^t\.yaml: line 1, column 4: a YAML float \.inf that JSON cannot hold: kubectl refuses the document \("json: unsupported value: \+Inf"\)/);
    expect(() => read('-.Inf')).toThrow(/-\.inf .*"json: unsupported value: -Inf"/);
    expect(() => read('[1, .NaN]')).toThrow(/line 1, column 8: a YAML float \.nan .*NaN/);
  });

  test('map keys become JSON keys as sigs.k8s.io/yaml converts them', () => {
    expect(parseManifestText('yes: a\n0x1F: b\n1.5: c\n1e6: d\n.inf: e\n123456789.0: f\n-0: g\n', 't.yaml')[0]).toEqual({
      true: 'a', 31: 'b', '1.5': 'c', '1e+06': 'd', '.inf': 'e', '1.2345679e+08': 'f', 0: 'g',
    });
    expect(() => parseManifestText('~: x\n', 't.yaml')).toThrow(/line 1, column 1: a null key: kubectl refuses it \("unsupported map key of type: <nil>"\)/);
    expect(() => parseManifestText('18446744073709551615: x\n', 't.yaml')).toThrow(/an integer key beyond the int64 range: kubectl refuses it \("unsupported map key of type: uint64"\)/);
  });

  test('fails when two keys resolve to the same JSON key (yes and true), naming the second', () => {
    expect(() => parseManifestText('yes: 1\ntrue: 2\n', 't.yaml')).toThrow(/^t\.yaml: line 2, column 1: duplicate key "true" \(written twice in one map\)$/);
    expect(() => parseManifestText('a: {1: x, 01: y}\n', 't.yaml')).toThrow(/line 1, column 11: duplicate key "1"/);
  });
});

describe('the Go functions ported', () => {
  test('parseGoInt is strconv.ParseInt(s, 0, 64) (and ParseUint)', () => {
    expect(parseGoInt('9223372036854775807')).toBe(9223372036854775807n);
    expect(parseGoInt('9223372036854775808')).toBeUndefined();
    expect(parseGoInt('9223372036854775808', true)).toBe(9223372036854775808n);
    expect(parseGoInt('+1', true)).toBeUndefined(); // ParseUint takes no sign
    expect(parseGoInt('0')).toBe(0n);
    expect(parseGoInt('-0o7')).toBe(-7n);
    expect(parseGoInt('09')).toBeUndefined();
  });

  test('formatFloat32G is strconv.FormatFloat(f, \'g\', -1, 32)', () => {
    expect([1.5, 1000, 1e6, 123456, 1234567, 0.0001, 0.00001, 3.14159265358979, -2.5, 1e21, 0.1].map(formatFloat32G))
      .toEqual(['1.5', '1000', '1e+06', '123456', '1.234567e+06', '0.0001', '1e-05', '3.1415927', '-2.5', '1e+21', '0.1']);
  });

  test('resolvePlain leaves strings that start with a letter outside yYnNtTfFoO~ untouched', () => {
    expect(resolvePlain('api.example.com')).toEqual({ kind: 'str', value: 'api.example.com' });
    expect(resolvePlain('true')).toEqual({ kind: 'bool', value: true });
  });
});
