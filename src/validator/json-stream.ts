/**
 * A strict scan of one JSON value of a stream, before JSON.parse builds it: where it ends, how many nodes it
 * has, and what is wrong with it, in one linear pass with an explicit stack (no recursion, so no nesting
 * depth can overflow the call stack). It refuses what JSON.parse would accept silently but the project
 * refuses in YAML too: a key written twice in one object. Its messages say where and what, never the text
 * there (V8's JSON.parse messages quote the input, a Secret's included).
 */

/** A problem at an offset of the text; the caller turns the offset into a line and column. */
export class JsonScanError extends Error {
  /** `syntax`: the text is not JSON (else valid JSON that is refused: too deep, a duplicate key). */
  constructor(readonly offset: number, message: string, readonly syntax = true) {
    super(message);
  }
}

/** A key shown in a message: only a short name-like key is quoted, any other is described. */
export function showKey(key: string): string {
  return /^[A-Za-z0-9._/-]{1,63}$/.test(key) ? JSON.stringify(key) : `a key of ${key.length} characters`;
}

/** The result of scanning one value. */
export interface ScannedValue {
  /** Offset just past the value. */
  readonly end: number;
  /** Values and keys in it. */
  readonly nodes: number;
}

const enum C {
  TAB = 9, LF = 10, CR = 13, SPACE = 32, QUOTE = 34, PLUS = 43, COMMA = 44, MINUS = 45, DOT = 46, ZERO = 48, NINE = 57,
  COLON = 58, E = 69, LBRACKET = 91, BACKSLASH = 92, RBRACKET = 93, e = 101, LBRACE = 123, RBRACE = 125,
}

function skipWs(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === C.SPACE || c === C.LF || c === C.CR || c === C.TAB) i++;
    else return i;
  }
}

/** Offset past the string starting at `i` (a `"`); throws on a bad escape, a control character or no end. */
function scanString(text: string, i: number): number {
  const start = i;
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === C.QUOTE) return i + 1;
    if (c < 0x20) throw new JsonScanError(i, 'a control character in a string (escape it)');
    if (c === C.BACKSLASH) {
      const d = text[i + 1];
      if (d === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new JsonScanError(i, 'a \\u escape without 4 hex digits');
        i += 5;
      } else if (d !== undefined && '"\\/bfnrt'.includes(d)) {
        i++;
      } else {
        throw new JsonScanError(i, 'an invalid escape sequence in a string');
      }
    }
  }
  throw new JsonScanError(start, 'a string that is not closed');
}

function isDigit(c: number): boolean {
  return c >= C.ZERO && c <= C.NINE;
}

/** Offset past the number starting at `i`; throws when it is not a JSON number. */
function scanNumber(text: string, i: number): number {
  const start = i;
  if (text.charCodeAt(i) === C.MINUS) i++;
  if (text.charCodeAt(i) === C.ZERO) i++;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
  else throw new JsonScanError(start, 'an invalid number');
  if (text.charCodeAt(i) === C.DOT) {
    i++;
    if (!isDigit(text.charCodeAt(i))) throw new JsonScanError(start, 'an invalid number');
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === C.e || e === C.E) {
    i++;
    const s = text.charCodeAt(i);
    if (s === C.PLUS || s === C.MINUS) i++;
    if (!isDigit(text.charCodeAt(i))) throw new JsonScanError(start, 'an invalid number');
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/**
 * Scans the JSON value at `start` (no whitespace before it). Throws JsonScanError on a syntax error, on a
 * key written twice in an object, and on nesting deeper than `maxDepth` objects and arrays.
 */
export function scanJsonValue(text: string, start: number, maxDepth: number): ScannedValue {
  // per open container: the keys of an object so far, or null for an array
  const stack: Array<Set<string> | null> = [];
  let nodes = 0;
  let i = start;
  for (;;) {
    // a value
    i = skipWs(text, i);
    const c = text.charCodeAt(i);
    nodes++;
    if (c === C.LBRACE || c === C.LBRACKET) {
      if (stack.length >= maxDepth) throw new JsonScanError(i, `nested more than ${maxDepth} levels deep (objects and arrays)`, false);
      const obj = c === C.LBRACE;
      stack.push(obj ? new Set() : null);
      i = skipWs(text, i + 1);
      const close = text.charCodeAt(i);
      if (close === (obj ? C.RBRACE : C.RBRACKET)) {
        stack.pop();
        i++;
      } else {
        if (obj) {
          i = scanKey(text, i, stack[stack.length - 1]!);
          nodes++;
        }
        continue;
      }
    } else if (c === C.QUOTE) {
      i = scanString(text, i);
    } else if (c === C.MINUS || isDigit(c)) {
      i = scanNumber(text, i);
    } else if (text.startsWith('true', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else if (text.startsWith('null', i)) {
      i += 4;
    } else {
      throw new JsonScanError(i, i >= text.length ? 'the input ends where a value belongs' : 'an unexpected character where a value belongs');
    }
    // after a value: close containers, or go on with the next member
    for (;;) {
      if (stack.length === 0) return { end: i, nodes };
      i = skipWs(text, i);
      const top = stack[stack.length - 1];
      const d = text.charCodeAt(i);
      if (d === C.COMMA) {
        i++;
        if (top) {
          i = scanKey(text, skipWs(text, i), top);
          nodes++;
        }
        break;
      }
      if (d === (top ? C.RBRACE : C.RBRACKET)) {
        stack.pop();
        i++;
        continue;
      }
      throw new JsonScanError(i, i >= text.length
        ? `the input ends inside ${top ? 'an object' : 'an array'} (${stack.length} not closed)`
        : `an unexpected character where , or ${top ? '}' : ']'} belongs`);
    }
  }
}

/** Scans `"key" :` at `i`, records the key, returns the offset after the colon. */
function scanKey(text: string, i: number, keys: Set<string>): number {
  if (text.charCodeAt(i) !== C.QUOTE) throw new JsonScanError(i, i >= text.length ? 'the input ends where a key belongs' : 'an unexpected character where a key (a string) belongs');
  const end = scanString(text, i);
  const raw = text.slice(i + 1, end - 1);
  const key = raw.indexOf('\\') >= 0 ? (JSON.parse(text.slice(i, end)) as string) : raw;
  if (keys.has(key)) throw new JsonScanError(i, `duplicate key ${showKey(key)} (written twice in one object; the same content in YAML is refused too)`, false);
  keys.add(key);
  const colon = skipWs(text, end);
  if (text.charCodeAt(colon) !== C.COLON) throw new JsonScanError(colon, 'an unexpected character where : belongs');
  return colon + 1;
}
