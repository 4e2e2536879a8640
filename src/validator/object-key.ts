/**
 * The key that identifies an object of one synth: `kind/namespace/name`, the namespace empty when the
 * object sets none (`ServiceEntry/default/api`, `Namespace//mesh-external`). A ServiceEntry and a
 * DestinationRule of the same name have different keys, unlike the names that cdk8s's
 * construct-metadata.json is keyed by. Use it for maps of construct paths:
 *
 *   const paths = new Map(apiObjects.map(a => [objectKey(a.toJson()), a.node.path]));
 *   validateManifests(objects, { constructPaths: o => paths.get(objectKey(o)) });
 */
export function objectKey(o: any): string {
  const meta = o?.metadata;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return `${str(o?.kind)}/${str(meta?.namespace)}/${str(meta?.name)}`;
}
