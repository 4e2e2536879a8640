/**
 * Runs `fn` with a fresh module registry (whatever it requires, the library, the app and cdk8s included, is
 * loaded anew, as in a fresh Node process) and answers whether that required cdk8s-plus-28.
 */
export function loadsCdk8sPlus(fn: () => void): boolean {
  let loaded = false;
  try {
    jest.isolateModules(() => {
      jest.doMock('cdk8s-plus-28', () => {
        loaded = true;
        return jest.requireActual('cdk8s-plus-28');
      });
      fn();
    });
  } finally {
    jest.dontMock('cdk8s-plus-28');
  }
  return loaded;
}
