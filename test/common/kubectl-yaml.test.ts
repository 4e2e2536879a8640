import { Yaml } from 'cdk8s';
import { goYamlResolve, kubectlMisreading, mayMisread } from '../../src/common/kubectl-yaml';

// go-yaml v2's own cases (sigs.k8s.io/yaml goyaml.v2/decode_test.go, unmarshalTests decoded into an
// interface{}): the plain scalar, the tag and the value it resolves to
const GO_YAML_V2_CASES: ReadonlyArray<readonly [string, string, string]> = [
  ['hi', 'str', 'hi'], ['true', 'bool', 'true'], ['10', 'int', '10'], ['0b10', 'int', '2'], ['0xA', 'int', '10'],
  ['4294967296', 'int', '4294967296'], ['0.1', 'float', '0.1'], ['.1', 'float', '0.1'], ['.Inf', 'float', 'Infinity'],
  ['-.Inf', 'float', '-Infinity'], ['-10', 'int', '-10'], ['-.1', 'float', '-0.1'],
  ['6.8523e+5', 'float', '685230'], ['685.230_15e+03', 'float', '685230.15'], ['685_230.15', 'float', '685230.15'],
  ['-.inf', 'float', '-Infinity'], ['y', 'bool', 'true'], ['NO', 'bool', 'false'], ['True', 'bool', 'true'], ['on', 'bool', 'true'],
  ['685230', 'int', '685230'], ['+685_230', 'int', '685230'], ['02472256', 'int', '685230'], ['0x_0A_74_AE', 'int', '685230'],
  ['0b1010_0111_0100_1010_1110', 'int', '685230'], ['-0b101010', 'int', '-42'],
  [`-0b1${'0'.repeat(63)}`, 'int', '-9223372036854775808'], ['9223372036854775807', 'int', '9223372036854775807'],
  [`0b${'1'.repeat(63)}`, 'int', '9223372036854775807'], ['-9223372036854775808', 'int', '-9223372036854775808'],
  [`-0b${'1'.repeat(63)}`, 'int', '-9223372036854775807'], ['18446744073709551615', 'int', '18446744073709551615'],
  [`0b${'1'.repeat(64)}`, 'int', '18446744073709551615'], ['18446744073709551616', 'float', '18446744073709552000'],
  ['', 'null', 'null'], ['~', 'null', 'null'], ['null', 'null', 'null'],
  ['-b_c', 'str', '-b_c'], ['+b_c', 'str', '+b_c'], ['50cent_of_dollar', 'str', '50cent_of_dollar'], ['1:1', 'str', '1:1'],
  ['1.2.3.4', 'str', '1.2.3.4'], ['2015-01-01', 'str', '2015-01-01'], ['2015-02-24T18:19:39Z', 'str', '2015-02-24T18:19:39Z'],
  ['3s', 'str', '3s'], ['<foo>', 'str', '<foo>'], ['123456e1', 'float', '1234560'], ['123456E1', 'float', '1234560'],
];

describe('goYamlResolve: go-yaml v2 resolve() ported as data', () => {
  test.each(GO_YAML_V2_CASES)('resolves %j as go-yaml v2 does (%s %s)', (plain, tag, value) => {
    expect(goYamlResolve(plain)).toEqual({ tag, value });
  });

  test.each([
    // Go's strconv.ParseInt(s, 0, 64) after '_' is removed: every base prefix in either case, underscores anywhere
    ['0o17', 'int', '15'], ['0O17', 'int', '15'], ['0X1F', 'int', '31'], ['0B101', 'int', '5'], ['-0o17', 'int', '-15'],
    ['+0X1F', 'int', '31'], ['0o_17', 'int', '15'], ['0_o17', 'int', '15'], ['0_x1', 'int', '1'], ['+_1', 'int', '1'], ['1_', 'int', '1'],
    // a lone leading 0 is octal; 08 is not, and is then a float by go-yaml's float pattern
    ['017', 'int', '15'], ['08', 'float', '8'], ['0', 'int', '0'],
    // go-yaml's retry of 0b with ParseInt(rest, 2) takes a sign
    ['0b-1', 'int', '-1'], ['0b+1', 'int', '1'],
    // floats after '_' is removed; out of float64's range is not a float (ParseFloat fails) and stays a string
    ['1e1_0', 'float', '10000000000'], ['1e_3', 'float', '1000'], ['+_.5', 'float', '0.5'], ['1e999', 'str', '1e999'],
    // '.' first: strconv.ParseFloat of the scalar as it is (no '_', no sign after it)
    ['.5_0', 'str', '.5_0'], ['.', 'str', '.'], ['.e3', 'str', '.e3'], ['.nan', 'float', 'NaN'],
    // too large for uint64: big.Int, for a positive number with a base prefix; a negative one stays a string
    ['0x10000000000000000', 'int', '18446744073709551616'], ['-0x8000000000000001', 'str', '-0x8000000000000001'],
    // prefixes without digits, hex floats, words the table does not hold, first characters without a hint
    ['0x', 'str', '0x'], ['0xG', 'str', '0xG'], ['0x1p-2', 'str', '0x1p-2'], ['nan', 'str', 'nan'], ['Inf', 'str', 'Inf'],
    ['yES', 'str', 'yES'], ['_1', 'str', '_1'], ['<<', 'str', '<<'], ['=', 'str', '='], ['+', 'str', '+'], ['1.2.3', 'str', '1.2.3'],
  ])('resolves %j as %s %s', (plain, tag, value) => {
    expect(goYamlResolve(plain)).toEqual({ tag, value });
  });
});

// What cdk8s's writer (the `yaml` package, YAML 1.1 schema) emits for a string, and what kubectl then reads.
// Quoted: kubectl reads the string whatever it would make of it plain. Plain and misread: the library must quote it (synth) or refuse it (props).
const WRITER_TABLE: ReadonlyArray<readonly [string, 'quoted' | 'plain', string | 'the string']> = [
  ['0o17', 'plain', 'the integer 15'], ['0O17', 'plain', 'the integer 15'], ['0X1F', 'plain', 'the integer 31'],
  ['0B101', 'plain', 'the integer 5'], ['-0o17', 'plain', 'the integer -15'], ['+0X1F', 'plain', 'the integer 31'],
  ['0o_17', 'plain', 'the integer 15'], ['0_x1', 'plain', 'the integer 1'], ['0X1_F', 'plain', 'the integer 31'],
  ['1e1_0', 'plain', 'the number 10000000000'], ['1e_3', 'plain', 'the number 1000'], ['+_1', 'plain', 'the integer 1'],
  ['0b-1', 'plain', 'the integer -1'],
  // quoted by the writer: kubectl reads them as strings
  ['0x1f', 'quoted', 'the integer 31'], ['0b101', 'quoted', 'the integer 5'], ['017', 'quoted', 'the integer 15'],
  ['08', 'quoted', 'the number 8'], ['1_000', 'quoted', 'the integer 1000'], ['1e3', 'quoted', 'the number 1000'],
  ['.5', 'quoted', 'the number 0.5'], ['yes', 'quoted', 'the boolean true'], ['on', 'quoted', 'the boolean true'],
  ['n', 'quoted', 'the boolean false'], ['true', 'quoted', 'the boolean true'], ['~', 'quoted', 'null'], ['null', 'quoted', 'null'],
  ['', 'quoted', 'null'], ['.inf', 'quoted', 'the number Infinity'], ['2001-12-14', 'quoted', 'the string'],
  // plain and read as strings by both
  ['0x', 'plain', 'the string'], ['0xG', 'plain', 'the string'], ['1.2.3', 'plain', 'the string'], ['1e999', 'quoted', 'the string'],
  ['_1', 'plain', 'the string'], ['0x1p-2', 'plain', 'the string'], ['edition.cnn.com', 'plain', 'the string'], ['my-app', 'plain', 'the string'],
];

describe('what cdk8s writes and what kubectl reads', () => {
  test.each(WRITER_TABLE)('%j: cdk8s writes it %s, kubectl reads %s', (value, written, reading) => {
    const out = Yaml.stringify({ v: value });
    expect(out === `v: ${value}\n` ? 'plain' : 'quoted').toBe(written);
    expect(kubectlMisreading(value) ?? 'the string').toBe(reading);
  });

  test('a plain << key merges a map in kubectl, while a << value is the string', () => {
    expect(kubectlMisreading('<<', { key: true })).toMatch(/^a merge key/);
    expect(kubectlMisreading('<<')).toBeUndefined();
  });
});

describe('mayMisread, the cheap test before kubectlMisreading', () => {
  // every table above, every printable ASCII character alone and after each character
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
  const words = [
    ...GO_YAML_V2_CASES.map(([w]) => w), ...WRITER_TABLE.map(([w]) => w), '<<', '',
    ...printable, ...printable.flatMap((c) => [`${c}1`, `${c}0x1F`, `${c}rue`, `${c}inf`, `${c}n`]),
  ];

  test.each([false, true])('never false where kubectlMisreading has an answer (key: %s)', (key) => {
    // GIVEN every word of the tables and of the generated set
    // WHEN both tests run; THEN a word mayMisread turns away is one kubectlMisreading reads as the string
    const wrong = words.filter((w) => !mayMisread(w, { key }) && kubectlMisreading(w, { key }) !== undefined);
    expect(wrong).toEqual([]);
  });

  test('turns away the words of hosts and names, which start with no hint of go-yaml v2', () => {
    // GIVEN words synth scans in every manifest; THEN none needs the full test
    for (const w of ['api.example.com', 'host-12.example.com', 'ServiceEntry', 'DestinationRule', 'SIMPLE', 'metadata', 'spec']) {
      expect(mayMisread(w, { key: true })).toBe(false);
    }
    // and the ones that might be numbers, booleans or a merge key go on to it
    for (const w of ['0o17', '1e1_0', 'yes', 'on', '.inf', '~', '-1', '+1']) expect(mayMisread(w)).toBe(true);
    expect(mayMisread('<<', { key: true })).toBe(true);
    expect(mayMisread('<<')).toBe(false);
  });
});
