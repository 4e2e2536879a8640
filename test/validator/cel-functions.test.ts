// The Kubernetes CEL library functions the kept CRDs call (src/validator/cel-functions.ts), as the API server reads them.
import { isCidr, isIp, isUrl, schemeOf } from '../../src/validator/cel-functions';

describe('Kubernetes CEL library functions', () => {
  test.each([
    ['http://a.com/x', true], ['/abs/path', true], ['HTTPS://a', true], ['', false], ['a b', false], ['path', false], ['1http://a', false],
  ])('isURL(%j) is %s', (s, expected) => {
    expect(isUrl(s)).toBe(expected);
  });

  test.each([['HTTPS://a', 'https'], ['unix:///x', 'unix'], ['/path', '']])('url(%j).getScheme() is %j', (s, scheme) => {
    expect(schemeOf(s)).toBe(scheme);
  });

  test.each([
    ['1.2.3.4', true], ['::1', true], ['::ffff:1.2.3.4', true], ['fe80::1%eth0', false], ['01.2.3.4', false], ['a.com', false],
  ])('isIP(%j) is %s', (s, expected) => {
    expect(isIp(s)).toBe(expected);
  });

  test.each([
    ['10.0.0.0/8', true], ['1.2.3.4/32', true], ['1.2.3.4/33', false], ['::/0', true], ['::/129', false], ['10.0.0.0', false], ['10.0.0.0/08', false],
  ])('isCIDR(%j) is %s', (s, expected) => {
    expect(isCidr(s)).toBe(expected);
  });
});
