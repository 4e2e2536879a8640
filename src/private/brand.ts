/**
 * Brands: what the constructs check instead of `instanceof`, so that a value made by another copy of the
 * package (two versions in node_modules) is still recognised. Each branded class marks its instances with
 * `Symbol.for('cdk8s-istio-egress.<Class>')`, a symbol every copy shares through the global registry, and
 * offers `static is<Class>(x)` (like cdk8s's `Chart.isChart`, aws-cdk's `Stack.isStack`).
 *
 * @internal
 */

/** The shared symbol of a branded class. */
export function brandSymbol(className: string): symbol {
  return Symbol.for(`cdk8s-istio-egress.${className}`);
}

/** Marks `instance` with `brand`: not enumerable, so keys, spreads and JSON of the instance do not change. */
export function setBrand(instance: object, brand: symbol): void {
  Object.defineProperty(instance, brand, { value: true });
}

/** Whether `x` carries `brand`; false for primitives, and for a Proxy whose traps throw. */
export function hasBrand(x: unknown, brand: symbol): boolean {
  if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return false;
  try {
    return brand in (x as object);
  } catch {
    return false;
  }
}
