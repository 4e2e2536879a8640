/** Minimal nginx.conf reading: the file paths that directives name. */

export const NGINX_FILE_DIRECTIVES = ['ssl_certificate', 'ssl_certificate_key', 'ssl_client_certificate', 'ssl_trusted_certificate', 'ssl_crl', 'ssl_dhparam', 'include'];
/** nginx's default --conf-path prefix of the official image: relative paths resolve against it. */
export const NGINX_CONF_PREFIX = '/etc/nginx';

export interface NginxFileRef {
  readonly directive: string;
  readonly path: string;
  /** 1-based line in the config. */
  readonly line: number;
}

export function looksLikeNginxConf(key: string, text: string): boolean {
  if (typeof text !== 'string') return false;
  if (/nginx|\.conf$/i.test(key) && /(^|\s)(events|http|server|stream)\s*\{/.test(text)) return true;
  return /(^|[\s;{])ssl_certificate(_key)?\s+\S/.test(text) && /(^|\s)server\s*\{/.test(text);
}

function stripComments(text: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      out += c;
      if (c === '\\') { out += text[++i] ?? ''; continue; }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      out += c;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

export function nginxFileRefs(text: string): NginxFileRef[] {
  const clean = stripComments(text);
  const re = new RegExp(`(^|[\\s;{}])(${NGINX_FILE_DIRECTIVES.join('|')})\\s+("[^"]*"|'[^']*'|[^;\\s]+)\\s*;`, 'g');
  const out: NginxFileRef[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(clean))) {
    let p = m[3];
    if (p.startsWith('"') || p.startsWith("'")) p = p.slice(1, -1);
    if (!p || p.includes('$') || p.startsWith('data:') || p.startsWith('engine:')) continue;
    const abs = p.startsWith('/') ? p : `${NGINX_CONF_PREFIX}/${p}`;
    const line = clean.slice(0, m.index + m[1].length).split('\n').length;
    out.push({ directive: m[2], path: abs.replace(/\/+/g, '/'), line });
  }
  return out;
}
