import { compact } from '../../src/core/istio';

describe('compact', () => {
  test('removes undefined, empty arrays and empty objects at every depth, keeping key order', () => {
    // GIVEN a spec with unset props, empty collections and nested empties
    const spec = {
      hosts: ['api.example.com'],
      exportTo: [],
      location: undefined,
      trafficPolicy: { tls: { mode: 'SIMPLE', sni: undefined }, loadBalancer: { simple: undefined } },
      subsets: [{ name: 'a', labels: {} }],
      zero: 0,
      empty: '',
      no: false,
      nil: null,
    };
    // WHEN it is compacted
    const out = compact(spec);
    // THEN only what is set remains, in the order written; falsy values that are set stay
    expect(out).toEqual({
      hosts: ['api.example.com'],
      trafficPolicy: { tls: { mode: 'SIMPLE' } },
      subsets: [{ name: 'a' }],
      zero: 0, empty: '', no: false, nil: null,
    });
    expect(Object.keys(out)).toEqual(['hosts', 'trafficPolicy', 'subsets', 'zero', 'empty', 'no', 'nil']);
  });

  test('inside an array only undefined goes; empty items stay and holes close', () => {
    // GIVEN an array with undefined, an empty object, an empty array and a hole
    // eslint-disable-next-line no-sparse-arrays
    const arr = [1, undefined, {}, [], , 'x'];
    // WHEN it is compacted
    // THEN undefined and the hole are gone, the empties kept (they are items, not unset props)
    expect(compact(arr)).toEqual([1, {}, [], 'x']);
  });

  test('an object that holds only empties is removed from its parent, and the input is not changed', () => {
    // GIVEN nested objects that hold nothing once compacted
    const spec = { a: { b: { c: undefined, d: [] } }, e: 1 };
    const before = JSON.stringify(spec);
    // WHEN it is compacted
    // THEN the whole empty branch goes; the input is left as it was
    expect(compact(spec)).toEqual({ e: 1 });
    expect(JSON.stringify(spec)).toBe(before);
  });
});
