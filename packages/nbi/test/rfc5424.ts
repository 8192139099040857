// A strict RFC 5424 parser for the tests, written from the RFC's ABNF (section 6) and independent
// of the code under test: it throws, naming the rule, on anything the grammar does not allow.
// Also reads RFC 6587 octet-counted frames from a TCP byte stream.

export interface SdElement {
  readonly id: string;
  readonly params: readonly (readonly [string, string])[];
}

export interface ParsedSyslog {
  readonly pri: number;
  readonly facility: number;
  readonly severity: number;
  readonly version: number;
  readonly timestamp: string;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  readonly sd: readonly SdElement[];
  /** MSG without a BOM; undefined when absent. */
  readonly msg: string | undefined;
  readonly bom: boolean;
}

const isPrintUsAscii = (c: number): boolean => c >= 33 && c <= 126;

class Cursor {
  i = 0;
  constructor(readonly b: Buffer) {}
  peek(): number {
    return this.i < this.b.length ? this.b[this.i]! : -1;
  }
  expect(ch: string, rule: string): void {
    if (this.peek() !== ch.charCodeAt(0)) throw new Error(`RFC 5424 ${rule}: expected '${ch}' at byte ${this.i}, found ${this.peek() < 0 ? 'the end' : `'${String.fromCharCode(this.peek())}'`}`);
    this.i++;
  }
  digits(min: number, max: number, rule: string): string {
    const start = this.i;
    while (this.i - start < max && this.peek() >= 48 && this.peek() <= 57) this.i++;
    if (this.i - start < min) throw new Error(`RFC 5424 ${rule}: expected ${min}–${max} digits at byte ${start}`);
    return this.b.toString('latin1', start, this.i);
  }
  /** NILVALUE or 1*max PRINTUSASCII, ended by SP (not consumed). */
  field(max: number, rule: string): string {
    const start = this.i;
    while (isPrintUsAscii(this.peek())) this.i++;
    const len = this.i - start;
    if (len === 0) throw new Error(`RFC 5424 ${rule}: empty at byte ${start} (NILVALUE is '-')`);
    if (len > max) throw new Error(`RFC 5424 ${rule}: ${len} characters, at most ${max}`);
    return this.b.toString('latin1', start, this.i);
  }
}

function checkRange(v: string, lo: number, hi: number, rule: string): number {
  const n = Number(v);
  if (n < lo || n > hi) throw new Error(`RFC 5424 ${rule}: ${v} is outside ${lo}–${hi}`);
  return n;
}

function timestamp(c: Cursor): string {
  if (c.peek() === 45 /* - */ && c.b[c.i + 1] === 32) {
    c.i++;
    return '-';
  }
  const start = c.i;
  c.digits(4, 4, 'DATE-FULLYEAR');
  c.expect('-', 'FULL-DATE');
  checkRange(c.digits(2, 2, 'DATE-MONTH'), 1, 12, 'DATE-MONTH');
  c.expect('-', 'FULL-DATE');
  checkRange(c.digits(2, 2, 'DATE-MDAY'), 1, 31, 'DATE-MDAY');
  c.expect('T', 'TIMESTAMP');
  checkRange(c.digits(2, 2, 'TIME-HOUR'), 0, 23, 'TIME-HOUR');
  c.expect(':', 'PARTIAL-TIME');
  checkRange(c.digits(2, 2, 'TIME-MINUTE'), 0, 59, 'TIME-MINUTE');
  c.expect(':', 'PARTIAL-TIME');
  checkRange(c.digits(2, 2, 'TIME-SECOND'), 0, 59, 'TIME-SECOND');
  if (c.peek() === 46 /* . */) {
    c.i++;
    c.digits(1, 6, 'TIME-SECFRAC');
  }
  if (c.peek() === 90 /* Z */) c.i++;
  else {
    if (c.peek() !== 43 && c.peek() !== 45) throw new Error(`RFC 5424 TIME-OFFSET: expected Z, + or - at byte ${c.i}`);
    c.i++;
    checkRange(c.digits(2, 2, 'TIME-HOUR'), 0, 23, 'TIME-NUMOFFSET');
    c.expect(':', 'TIME-NUMOFFSET');
    checkRange(c.digits(2, 2, 'TIME-MINUTE'), 0, 59, 'TIME-NUMOFFSET');
  }
  return c.b.toString('latin1', start, c.i);
}

/** SD-NAME: 1*32 PRINTUSASCII except '=', SP, ']', '"'. */
function sdName(c: Cursor, rule: string): string {
  const start = c.i;
  for (;;) {
    const ch = c.peek();
    if (!isPrintUsAscii(ch) || ch === 61 || ch === 93 || ch === 34) break;
    c.i++;
  }
  const len = c.i - start;
  if (len < 1 || len > 32) throw new Error(`RFC 5424 ${rule}: ${len} characters at byte ${start}, must be 1–32`);
  return c.b.toString('latin1', start, c.i);
}

function paramValue(c: Cursor): string {
  const bytes: number[] = [];
  for (;;) {
    const ch = c.peek();
    if (ch < 0) throw new Error('RFC 5424 PARAM-VALUE: unterminated value');
    if (ch === 34) break;
    if (ch === 93) throw new Error(`RFC 5424 PARAM-VALUE: unescaped ']' at byte ${c.i}`);
    if (ch === 92) {
      const next = c.b[c.i + 1];
      if (next === 34 || next === 92 || next === 93) {
        bytes.push(next);
        c.i += 2;
        continue;
      }
      throw new Error(`RFC 5424 PARAM-VALUE: a backslash at byte ${c.i} escapes nothing (only " \\ ] are escaped)`);
    }
    bytes.push(ch);
    c.i++;
  }
  const buf = Buffer.from(bytes);
  const text = buf.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(buf)) throw new Error('RFC 5424 PARAM-VALUE: not valid UTF-8');
  return text;
}

function structuredData(c: Cursor): SdElement[] {
  if (c.peek() === 45) {
    c.i++;
    return [];
  }
  const out: SdElement[] = [];
  const ids = new Set<string>();
  while (c.peek() === 91 /* [ */) {
    c.i++;
    const id = sdName(c, 'SD-ID');
    if (id.includes('@') && !/^[^@]+@\d+(\.\d+)*$/.test(id)) throw new Error(`RFC 5424 SD-ID: '${id}' is not name@<private enterprise number>`);
    if (ids.has(id)) throw new Error(`RFC 5424 SD-ID: '${id}' appears twice`);
    ids.add(id);
    const params: [string, string][] = [];
    while (c.peek() === 32) {
      c.i++;
      const name = sdName(c, 'PARAM-NAME');
      c.expect('=', 'SD-PARAM');
      c.expect('"', 'SD-PARAM');
      params.push([name, paramValue(c)]);
      c.expect('"', 'SD-PARAM');
    }
    c.expect(']', 'SD-ELEMENT');
    out.push({ id, params });
  }
  if (out.length === 0) throw new Error(`RFC 5424 STRUCTURED-DATA: expected '-' or '[' at byte ${c.i}`);
  return out;
}

/** Parses one message (the bytes of one UDP datagram or one octet-counted frame). */
export function parseRfc5424(message: Buffer | string): ParsedSyslog {
  const c = new Cursor(typeof message === 'string' ? Buffer.from(message, 'utf8') : message);
  c.expect('<', 'PRI');
  const prival = c.digits(1, 3, 'PRIVAL');
  if (prival.length > 1 && prival.startsWith('0')) throw new Error(`RFC 5424 PRIVAL: '${prival}' has a leading zero`);
  const pri = checkRange(prival, 0, 191, 'PRIVAL');
  c.expect('>', 'PRI');
  if (c.peek() < 49 || c.peek() > 57) throw new Error('RFC 5424 VERSION: must start with a non-zero digit');
  const version = Number(c.digits(1, 3, 'VERSION'));
  c.expect(' ', 'HEADER');
  const ts = timestamp(c);
  c.expect(' ', 'HEADER');
  const hostname = c.field(255, 'HOSTNAME');
  c.expect(' ', 'HEADER');
  const appName = c.field(48, 'APP-NAME');
  c.expect(' ', 'HEADER');
  const procId = c.field(128, 'PROCID');
  c.expect(' ', 'HEADER');
  const msgId = c.field(32, 'MSGID');
  c.expect(' ', 'SYSLOG-MSG');
  const sd = structuredData(c);
  let msg: string | undefined;
  let bom = false;
  if (c.i < c.b.length) {
    c.expect(' ', 'SYSLOG-MSG');
    let rest = c.b.subarray(c.i);
    if (rest[0] === 0xef && rest[1] === 0xbb && rest[2] === 0xbf) {
      bom = true;
      rest = rest.subarray(3);
      const text = rest.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(rest)) throw new Error('RFC 5424 MSG-UTF8: not valid UTF-8 after the BOM');
    } else if (rest.some((b) => b > 127)) {
      throw new Error('RFC 5424 MSG: non-ASCII text without the BOM of MSG-UTF8');
    }
    msg = rest.toString('utf8');
  }
  return { pri, facility: pri >> 3, severity: pri & 7, version, timestamp: ts, hostname, appName, procId, msgId, sd, msg, bom };
}

/**
 * Splits an RFC 6587 octet-counted stream (`MSG-LEN SP SYSLOG-MSG`...) into messages; `rest` is an
 * incomplete frame at the end. Throws on anything that is not a frame.
 */
export function splitOctetCounted(stream: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let i = 0;
  for (;;) {
    let j = i;
    while (j < stream.length && stream[j]! >= 48 && stream[j]! <= 57) j++;
    if (j === stream.length) return { messages, rest: stream.subarray(i) };
    if (j === i || stream[i] === 48) throw new Error(`RFC 6587 MSG-LEN: expected a non-zero length at byte ${i}`);
    if (stream[j] !== 32) throw new Error(`RFC 6587: expected SP after MSG-LEN at byte ${j}`);
    const len = Number(stream.toString('latin1', i, j));
    if (j + 1 + len > stream.length) return { messages, rest: stream.subarray(i) };
    messages.push(stream.subarray(j + 1, j + 1 + len));
    i = j + 1 + len;
  }
}

/** The SD-PARAMs of the element `id` as an object. */
export function sdParams(p: ParsedSyslog, id: string): Record<string, string> {
  const el = p.sd.find((e) => e.id === id);
  if (el === undefined) throw new Error(`no SD-ELEMENT ${id} in the message`);
  return Object.fromEntries(el.params);
}
