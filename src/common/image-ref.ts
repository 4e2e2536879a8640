/**
 * Container image references as the kubelet parses them (github.com/distribution/reference,
 * ParseNormalizedNamed): `[domain[:port]/]path[:tag][@digest]`, with
 *
 * - a path of lowercase components `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`, separated by `/`;
 * - a domain: the first component when it has a `.` or a `:`, is `localhost` or has an upper-case letter;
 * - a tag `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`;
 * - a digest `algorithm:hex` of a known algorithm with its length (sha256: 64 hex digits, sha384: 96, sha512: 128);
 * - a name (domain and path) of at most 255 characters.
 *
 * The kubelet refuses anything else before it pulls (InvalidImageName), so `nginx:1.a;b` is no pinned image.
 */

/** A parsed reference, or why it is not one. */
export type ImageReference =
  | { readonly valid: true; readonly domain?: string; readonly path: string; readonly tag?: string; readonly digest?: string }
  | { readonly valid: false; readonly reason: string };

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DIGEST_LENGTHS: { readonly [algorithm: string]: number } = { sha256: 64, sha384: 96, sha512: 128 };

/** Parses an image reference as the kubelet does. */
export function parseImageReference(image: string): ImageReference {
  if (image.length === 0) return { valid: false, reason: 'it is empty' };
  if (image.length > 4096) return { valid: false, reason: 'it is too long' };
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { valid: false, reason: 'the digest is not algorithm:hex' };
    const [algorithm, hex] = digest.split(':');
    const want = DIGEST_LENGTHS[algorithm];
    if (want === undefined) return { valid: false, reason: `the digest algorithm is not one of ${Object.keys(DIGEST_LENGTHS).join(', ')}` };
    if (hex.length !== want) return { valid: false, reason: `a ${algorithm} digest has ${want} hex digits (this one ${hex.length})` };
  }
  // the tag: after the last ':' that is not part of the domain's port
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { valid: false, reason: 'the tag may hold only letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")' };
  }
  if (rest.length > 255) return { valid: false, reason: 'the name is longer than 255 characters' };
  const first = rest.indexOf('/');
  let domain: string | undefined;
  let path = rest;
  if (first >= 0) {
    const head = rest.slice(0, first);
    if (/[.:]/.test(head) || head === 'localhost' || head !== head.toLowerCase()) {
      domain = head;
      path = rest.slice(first + 1);
      if (!DOMAIN_RE.test(domain)) return { valid: false, reason: 'the registry is not a host name or address with an optional port' };
    }
  }
  if (!PATH.test(path)) {
    return { valid: false, reason: /[A-Z]/.test(path) ? 'the repository name must be lowercase' : 'the repository name may hold only lowercase letters, digits and single separators (".", "_", "__", "-") between them, in "/"-separated parts' };
  }
  return { valid: true, ...(domain !== undefined ? { domain } : {}), path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}
