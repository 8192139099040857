// NetFlow v9 (RFC 3954) wire walker: header, then flowsets — templates (id 0), options templates
// (id 1), data (id >= 256). Everything stateful (templates, held sets, plans) is the TemplateEngine's.

import { allZero, u16, u32 } from '../bytes.js';
import type { TemplateEngine } from '../templateengine.js';
import type { TemplateField } from '../template.js';

const HEADER = 20;

/** Decode one NetFlow v9 export packet b[0, b.length); problems are counted on the engine. */
export function decodeNetflowV9(b: Uint8Array, eng: TemplateEngine): void {
  const len = b.length;
  if (len < HEADER) {
    eng.drop('truncated');
    return;
  }
  // The header's record count is not checked: many exporters fill it wrongly.
  eng.startMessage(9, u32(b, 16), u32(b, 8) * 1e6, u32(b, 4));
  let p = HEADER;
  while (p < len) {
    if (len - p < 4) {
      if (!allZero(b, p, len)) eng.drop('truncated');
      return;
    }
    const id = u16(b, p);
    const setLen = u16(b, p + 2);
    if (setLen < 4) {
      // Zero-filled datagram tails (Palo Alto pads to a fixed size) end the packet quietly.
      if (!allZero(b, p, len)) eng.drop('bad_length');
      return;
    }
    if (p + setLen > len) {
      eng.drop('truncated');
      return;
    }
    const body = p + 4;
    const end = p + setLen;
    if (id === 0) templates(b, body, end, eng);
    else if (id === 1) optionsTemplates(b, body, end, eng);
    else if (id >= 256) eng.dataSet(id, b, body, end);
    else eng.drop('bad_set_id');
    p = end;
  }
}

function templates(b: Uint8Array, p: number, end: number, eng: TemplateEngine): void {
  while (end - p >= 4) {
    const id = u16(b, p);
    const count = u16(b, p + 2);
    if (id === 0 && allZero(b, p, end)) return;
    if (id < 256 || count === 0 || p + 4 + count * 4 > end) {
      eng.drop('bad_template');
      return;
    }
    p += 4;
    const refused = count > eng.maxFields ? 'bad_template' : eng.refusal(id, count);
    if (refused !== null) {
      eng.drop(refused);
      p += count * 4;
      continue;
    }
    const fields: TemplateField[] = new Array<TemplateField>(count);
    for (let k = 0; k < count; k++, p += 4) fields[k] = { id: u16(b, p), pen: 0, len: u16(b, p + 2) };
    eng.addTemplate(id, false, 0, fields);
  }
}

function optionsTemplates(b: Uint8Array, p: number, end: number, eng: TemplateEngine): void {
  while (end - p >= 6) {
    const id = u16(b, p);
    const scopeLen = u16(b, p + 2);
    const optLen = u16(b, p + 4);
    if (id === 0 && allZero(b, p, end)) return;
    if (id < 256 || scopeLen % 4 !== 0 || optLen % 4 !== 0 || scopeLen + optLen === 0 || p + 6 + scopeLen + optLen > end) {
      eng.drop('bad_template');
      return;
    }
    p += 6;
    const count = (scopeLen + optLen) / 4;
    const refused = count > eng.maxFields ? 'bad_template' : eng.refusal(id, count);
    if (refused !== null) {
      eng.drop(refused);
      p += scopeLen + optLen;
      continue;
    }
    const fields: TemplateField[] = new Array<TemplateField>(count);
    for (let k = 0; k < count; k++, p += 4) fields[k] = { id: u16(b, p), pen: 0, len: u16(b, p + 2) };
    eng.addTemplate(id, true, scopeLen / 4, fields);
  }
}
