import * as fs from 'fs';
import * as path from 'path';
import { JsonEntries } from '../../src/validator/json-entries';

// The validator parses only the entries of crds-<release>.json and cel-<release>.json that it needs (src/validator/json-entries.ts):
// each must be what parsing the whole file gives.

const VALIDATION = path.resolve(__dirname, '../..', 'imports', 'validation');

describe('JsonEntries', () => {
  test.each([['crds-1.30.json', 'kinds'], ['cel-1.30.json', 'rules'], ['crds-1.31.json', 'kinds'], ['cel-1.31.json', 'rules']])('every entry of %s "%s" is what parsing the whole file gives', (file, section) => {
    // GIVEN the file as extract-schemas.js writes it
    const text = fs.readFileSync(path.join(VALIDATION, file), 'utf8');
    const whole = JSON.parse(text)[section];
    // WHEN each entry is read on its own
    const entries = new JsonEntries<unknown>(text, section);
    // THEN it equals the entry of the whole file, and a key it does not have is undefined
    for (const key of Object.keys(whole)) expect({ key, value: entries.get(key) }).toEqual({ key, value: whole[key] });
    expect(entries.get('apps/Deployment')).toBeUndefined();
    expect(entries.get('__proto__')).toBeUndefined();
  });

  test('reads entries of every JSON type, with keys and strings that hold the layout\'s own markers', () => {
    // GIVEN a file in the layout of JSON.stringify(value, null, 2)
    const value = {
      first: 1,
      kinds: {
        'a "quoted"\n key': { nested: { deep: ['\n    }', '\n  }'] }, s: '\n    "b": 1' },
        'b': 'a string\nwith a newline',
        'c': [1, { d: [] }, 'x'],
        'e': 3.5,
        'f': null,
        'g': {},
        'h': [],
        'j': { after: 'the empty ones' },
        'k': ['x'],
        'i': true,
      },
      last: { kinds: 'not this one' },
    };
    const text = JSON.stringify(value, null, 2);
    // WHEN / THEN each entry reads as it was written
    const entries = new JsonEntries<unknown>(text, 'kinds');
    for (const [k, v] of Object.entries(value.kinds)) expect({ k, v: entries.get(k) }).toEqual({ k, v });
    expect(entries.get('first')).toBeUndefined();
    expect(entries.get('last')).toBeUndefined();
  });

  test.each(['crds-1.30.json', 'cel-1.30.json', 'crds-1.31.json', 'cel-1.31.json', 'k8s.json'])('every top-level entry of %s is what parsing the whole file gives', (file) => {
    // GIVEN
    const text = fs.readFileSync(path.join(VALIDATION, file), 'utf8');
    const whole = JSON.parse(text);
    // WHEN / THEN
    const entries = new JsonEntries<unknown>(text);
    for (const key of Object.keys(whole)) expect({ key, value: entries.get(key) }).toEqual({ key, value: whole[key] });
    expect(entries.get('networking.istio.io/ServiceEntry')).toBeUndefined();
  });

  test.each(['1.30', '1.31'])('crds-%s.json holds kinds of its keptGroups only (the validator does not look for other groups in it)', (release) => {
    // GIVEN / WHEN
    const crds = JSON.parse(fs.readFileSync(path.join(VALIDATION, `crds-${release}.json`), 'utf8'));
    expect(crds.release).toBe(release);
    // THEN
    expect(Object.values<{ group: string }>(crds.kinds).filter((k) => !crds.keptGroups.includes(k.group))).toEqual([]);
  });

  test('a file in another layout is parsed whole, with the same results', () => {
    // GIVEN compact JSON and JSON indented with tabs
    const value = { kinds: { a: { x: 1 }, b: 'two' } };
    for (const text of [JSON.stringify(value), JSON.stringify(value, null, '\t')]) {
      // WHEN / THEN
      const entries = new JsonEntries<unknown>(text, 'kinds');
      expect(new JsonEntries<unknown>(text).get('kinds')).toEqual(value.kinds);
      expect(entries.get('a')).toEqual({ x: 1 });
      expect(entries.get('b')).toBe('two');
      expect(entries.get('c')).toBeUndefined();
      expect(entries.get('__proto__')).toBeUndefined();
    }
  });
});
