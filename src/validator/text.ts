/**
 * Text a terminal shows as it is: control characters (C0, DEL, C1: ESC of ANSI sequences, newlines,
 * carriage returns) and the bidirectional overrides of "Trojan source" are written as `\uXXXX`
 * (`\n`, `\r`, `\t` as such), so a name in a manifest can neither recolour the terminal nor forge
 * lines of the report.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

export function escapeText(s: string): string {
  return String(s).replace(UNSAFE, (c) => {
    switch (c) {
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}
