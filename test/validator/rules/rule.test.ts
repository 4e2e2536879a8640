// One rule, one definition (src/validator/rules/rule.ts), and how the reporter uses it (src/validator/context.ts).
import { makeObj, Reporter } from '../../../src/validator/context';
import { DEFAULT_RELEASE, defineRule, isRule, REGISTRY, ruleById, isKnownRulePattern } from '../../../src/validator/rules';
import { DR_HOST } from '../../../src/validator/rules/istio/destination-rule';

const base = { id: 'istio/example', family: 'istio' as const, severity: 'error' as const, description: 'One line.', source: 'this project' };
const obj = makeObj({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'shop' } }, 0, {});

describe('defineRule', () => {
  test('makes a branded, frozen rule that the registry finds by id', () => {
    const r = defineRule(base);
    expect(isRule(r)).toBe(true);
    expect(isRule({ ...base })).toBe(false);
    expect(Object.isFrozen(r)).toBe(true);
    expect(ruleById('istio/dr-host')).toBe(DR_HOST);
    expect(ruleById('istio/dr-hots')).toBeUndefined();
    expect(REGISTRY).toContain(DR_HOST);
  });

  test('fails when the id is not <family>/<kebab-case-name> of its family', () => {
    expect(() => defineRule({ ...base, id: 'istio/Example' })).toThrow(/rule "istio\/Example" must be <family>\/<kebab-case-name>/);
    expect(() => defineRule({ ...base, id: 'wiring/example' })).toThrow(/rule "wiring\/example" must start with its family "istio\/"/);
  });

  test('fails without a one-line description or a source', () => {
    expect(() => defineRule({ ...base, description: 'two\nlines' })).toThrow(/rule "istio\/example" needs a one-line description/);
    expect(() => defineRule({ ...base, source: '' })).toThrow(/rule "istio\/example" needs a source/);
  });

  test('fails when releases names an Istio release the validator does not know', () => {
    expect(() => defineRule({ ...base, releases: { ['1.29' as '1.30']: { severity: 'warning' } } })).toThrow(/rule "istio\/example" names an unknown Istio release "1.29"/);
  });
});

describe('the reporter', () => {
  test('follows Istio 1.30 by default', () => {
    expect(DEFAULT_RELEASE).toBe('1.30');
    expect(new Reporter({}).release).toBe('1.30');
  });

  test('gives a finding the rule\'s id and default severity, or the severity the check gives', () => {
    const rep = new Reporter({});
    rep.add(obj, DR_HOST, 'spec.host', 'bad host', 'Fix it.');
    rep.add(obj, DR_HOST, 'spec.host', 'odd host', 'Check it.', 'warning');
    expect(rep.findings.map((f) => [f.ruleId, f.severity])).toEqual([['istio/dr-host', 'error'], ['istio/dr-host', 'warning']]);
  });

  test('uses the severity of the rule in the context\'s release, and drops rules the release does not have', () => {
    const softer = defineRule({ ...base, id: 'istio/softer', releases: { '1.30': { severity: 'warning', note: 'a warning in 1.30' } } });
    const gone = defineRule({ ...base, id: 'istio/gone', releases: { '1.30': { enabled: false } } });
    const rep = new Reporter({}, '1.30');
    rep.add(obj, softer, 'spec', 'm', 'f');
    rep.add(obj, gone, 'spec', 'm', 'f');
    expect(rep.findings.map((f) => [f.ruleId, f.severity])).toEqual([['istio/softer', 'warning']]);
  });

  test('downgrades errors of the rules named by id or prefix', () => {
    const rep = new Reporter({ downgrade: ['istio/'] });
    rep.add(obj, DR_HOST, 'spec.host', 'bad host', 'Fix it.');
    expect(rep.findings[0].severity).toBe('warning');
  });
});

describe('rule patterns (--warn, the plugin\'s warn)', () => {
  test('are ids, prefixes ending in "/" or "/*" that some rule has, or "*"', () => {
    expect(['istio/dr-host', 'istio/', 'wiring/*', '*'].map(isKnownRulePattern)).toEqual([true, true, true, true]);
  });

  test('fail when no rule matches', () => {
    expect(['istio/dr-hots', 'istio/dr-', 'nope/', 'istio'].map(isKnownRulePattern)).toEqual([false, false, false, false]);
  });
});
