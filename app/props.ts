// The prop check of the task app's charts and of buildApp(), for JavaScript callers: the library checks the
// props of its own constructs, but its helper is internal, and this app uses the package as any user's app
// does (through its public entry points), so it has its own small one.

/** The keys of a props interface, each listed once: a missing or extra key does not compile. */
export type KnownKeys<T> = { readonly [K in keyof Required<T>]: true };

/** The key list of `keys`. */
export function knownKeys<T>(keys: KnownKeys<T>): readonly string[] {
  return Object.keys(keys);
}

/** A value for an error message, described rather than serialised (strings quoted, cut after 40 characters). */
function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `string of ${value.length} characters` : `string ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return `an array of ${value.length} item(s)`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value;
}

/** Levenshtein distance between two strings (case-insensitive). */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/**
 * Throws unless `props` is a plain object (`undefined` becomes `{}`) whose keys are all in `known`, naming
 * `owner`, the bad key and the closest known one.
 */
export function checkProps<T>(owner: string, props: T, known: readonly string[], _options: { optional: true }): T {
  if (props === undefined) return {} as T;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw new Error(`${owner}: props must be an object (got ${props === null ? 'null' : describe(props)})`);
  }
  for (const key of Object.keys(props as object)) {
    if (known.includes(key)) continue;
    let best = '';
    let distance = Infinity;
    for (const k of known) {
      const d = editDistance(key, k);
      if (d < distance) [best, distance] = [k, d];
    }
    const close = distance <= Math.max(2, Math.floor(key.length / 3));
    throw new Error(`${owner}: unknown prop '${key}' ${close ? `(did you mean '${best}'?)` : `(known props: ${known.map((k) => `'${k}'`).join(', ')})`}`);
  }
  return props;
}
