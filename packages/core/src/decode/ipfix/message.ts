// IPFIX (RFC 7011) message walker: header, then sets — templates (2), options templates (3),
// data (>= 256); template withdrawals (field count 0); enterprise-specific field specifiers.

import { allZero, u16, u32 } from '../bytes.js';
import type { TemplateEngine } from '../templateengine.js';
import type { TemplateField } from '../template.js';

export const IPFIX_HEADER = 16;

/**
 * Decode the IPFIX message at b[start, start + its length field). Returns the message length, or 0
 * when the header is unusable (the problem is counted on the engine).
 */
export function decodeIpfixMessage(b: Uint8Array, start: number, eng: TemplateEngine): number {
  const avail = b.length - start;
  if (avail < IPFIX_HEADER) {
    eng.drop('truncated');
    return 0;
  }
  const mlen = u16(b, start + 2);
  if (mlen < IPFIX_HEADER) {
    eng.drop('bad_length');
    return 0;
  }
  if (mlen > avail) {
    eng.drop('truncated');
    return 0;
  }
  eng.startMessage(10, u32(b, start + 12), u32(b, start + 4) * 1e6, 0);
  const end = start + mlen;
  let p = start + IPFIX_HEADER;
  while (p < end) {
    if (end - p < 4) {
      if (!allZero(b, p, end)) eng.drop('bad_length');
      break;
    }
    const id = u16(b, p);
    const setLen = u16(b, p + 2);
    if (setLen < 4) {
      eng.drop('bad_length');
      break;
    }
    if (p + setLen > end) {
      eng.drop('truncated');
      break;
    }
    const body = p + 4;
    const setEnd = p + setLen;
    if (id === 2) templates(b, body, setEnd, false, eng);
    else if (id === 3) templates(b, body, setEnd, true, eng);
    else if (id >= 256) eng.dataSet(id, b, body, setEnd);
    else eng.drop('bad_set_id');
    p = setEnd;
  }
  return mlen;
}

function templates(b: Uint8Array, p: number, end: number, options: boolean, eng: TemplateEngine): void {
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (count === 0) {
      if (id === (options ? 3 : 2)) eng.withdrawAll(options);
      else if (id >= 256) eng.withdraw(id);
      else if (id === 0 && allZero(b, p, end)) return;
      else {
        eng.drop('bad_template');
        return;
      }
      p += 4;
      continue;
    }
    const head = options ? 6 : 4;
    if (id < 256 || end - p < head) {
      eng.drop('bad_template');
      return;
    }
    const scope = options ? u16(b, p + 4) : 0;
    if (options && (scope === 0 || scope > count)) {
      eng.drop('bad_template');
      return;
    }
    p += head;
    // Fields of a template refused whatever they are are walked (to find the next one) but not kept.
    const refused = count > eng.maxFields ? 'bad_template' : eng.refusal(id, count);
    const keep = refused === null;
    const fields: TemplateField[] = keep ? new Array<TemplateField>(count) : [];
    for (let k = 0; k < count; k++) {
      if (end - p < 4) {
        eng.drop('bad_template');
        return;
      }
      let ie = u16(b, p);
      const len = u16(b, p + 2);
      p += 4;
      let pen = 0;
      if (ie & 0x8000) {
        if (end - p < 4) {
          eng.drop('bad_template');
          return;
        }
        pen = u32(b, p);
        p += 4;
        ie &= 0x7fff;
      }
      if (keep) fields[k] = { id: ie, pen, len };
    }
    if (keep) eng.addTemplate(id, options, scope, fields);
    else eng.drop(refused);
  }
}
