/**
 * Errors that say where they were thrown: the construct path or the factory.
 *
 * @internal
 */

const LOCATED = Symbol.for('cdk8s-istio-egress.locatedError');

/**
 * Says where an error was thrown: prefixes its message with `where` (a construct's path, `shop-egress/stripe`,
 * or a factory's name, `TlsCredential.fromPem`), once. Every construct's constructor and every static
 * factory rethrows what it throws through this, so a bad prop in an app of forty constructs names the one
 * that has it: `shop-egress/stripe: 'host' must be a host name, not a URL ...`. An error that already names
 * a construct (thrown by a nested construct, which is more precise) is returned as it is; a factory called
 * inside a constructor gets both: `shop/mtls: TlsCredential.fromPem: ...`.
 *
 * @param where a construct (its `node.path` is used) or a factory's name
 */
export function located(where: { readonly node: { readonly path: string } } | string, error: unknown): unknown {
  if (!(error instanceof Error) || (error as any)[LOCATED]) return error;
  const prefix = typeof where === 'string' ? where : where.node.path;
  const message = error.message;
  if (prefix !== '' && !message.startsWith(`${prefix}: `)) {
    error.message = `${prefix}: ${message}`;
    // Node prints an uncaught error by its stack, which begins with the message it had when it was made
    const head = `${error.name}: ${message}`;
    if (typeof error.stack === 'string' && error.stack.startsWith(head)) {
      error.stack = `${error.name}: ${error.message}${error.stack.slice(head.length)}`;
    }
  }
  if (typeof where !== 'string') Object.defineProperty(error, LOCATED, { value: true, enumerable: false });
  return error;
}
