// Turns the text of one value item into a FilterValue, checked against the field
// table (value kind, bounds, mnemonics), or a FilterError pointing at the bad characters.

import { packCountry } from '../fields/columns.js';
import type { Comparator, FieldDef, FilterSpec } from '../fields/fields.js';
import { isV4Words, makeCidr, parseIp, parseMac } from '../fields/ipcodec.js';
import type { FilterValue } from './ast.js';
import { FilterError } from './filtererror.js';
import type { ValueItem } from './scanner.js';
import { alternatives, nearest } from './suggest.js';

/** A part of an item: its text and where it is in the filter. */
export interface Part {
  readonly text: string;
  readonly pos: number;
  readonly len: number;
}

function part(item: ValueItem, from: number, to: number): Part {
  if (from >= to) {
    const pos = from < item.at.length ? item.at[from]! : item.at.length > 0 ? item.at[item.at.length - 1]! + 1 : item.pos;
    return { text: '', pos, len: 1 };
  }
  const pos = item.at[from]!;
  return { text: item.text.slice(from, to), pos, len: item.at[to - 1]! + 1 - pos };
}

function boundsText(spec: FilterSpec): string {
  return `${spec.min}-${spec.max}`;
}

function mnemonicHelp(spec: FilterSpec): string {
  const names = Object.keys(spec.mnemonics ?? {}).join(' ');
  return spec.value === 'int' ? `valid: ${names}, or a number ${boundsText(spec)}` : `valid: ${names}`;
}

function unknownMnemonic(def: FieldDef, p: Part): FilterError {
  const spec = def.filter!;
  const close = nearest(p.text, Object.keys(spec.mnemonics ?? {}));
  const guess = close.length > 0 ? `did you mean ${alternatives(close)}? ` : '';
  return new FilterError('UNKNOWN_MNEMONIC', `unknown ${def.name} value '${p.text}'`, p.pos, p.len, guess + mnemonicHelp(spec));
}

function parseInteger(def: FieldDef, p: Part): number {
  const spec = def.filter!;
  const mn = spec.mnemonics;
  if (mn !== undefined && /^[a-z]/i.test(p.text)) {
    const v = mn[p.text.toUpperCase()];
    if (v === undefined) throw unknownMnemonic(def, p);
    return v;
  }
  if (/^-\d+$/.test(p.text)) {
    throw new FilterError('OUT_OF_RANGE', `${def.name} value ${p.text} is out of range (${boundsText(spec)})`, p.pos, p.len);
  }
  if (!/^\d+$/.test(p.text)) {
    const what = mn !== undefined ? 'a number or a name' : 'a whole number';
    const hint = mn !== undefined ? mnemonicHelp(spec) : `${def.name} takes ${boundsText(spec)}`;
    throw new FilterError('BAD_VALUE', `${def.name} needs ${what}, not '${p.text}'`, p.pos, p.len, hint);
  }
  const n = Number(p.text);
  if (n < spec.min! || n > spec.max!) {
    throw new FilterError('OUT_OF_RANGE', `${def.name} value ${p.text} is out of range (${boundsText(spec)})`, p.pos, p.len);
  }
  return n;
}

function parseIntValue(def: FieldDef, item: ValueItem, op: Comparator, cmp: Part): FilterValue {
  const dash = item.text.indexOf('-', 1);
  if (dash < 0) {
    const v = parseInteger(def, part(item, 0, item.text.length));
    return { kind: 'int', lo: v, hi: v };
  }
  const whole = part(item, 0, item.text.length);
  if (item.text.indexOf('-', dash + 1) >= 0) {
    throw new FilterError('BAD_RANGE', `'${whole.text}' is not a range`, whole.pos, whole.len, 'write a range as LOW-HIGH, e.g. 1000-2000');
  }
  if (op !== '=' && op !== '!=') {
    throw new FilterError('BAD_COMPARATOR', `a range needs = or !=, not '${op}'`, cmp.pos, cmp.len);
  }
  const loPart = part(item, 0, dash);
  const hiPart = part(item, dash + 1, item.text.length);
  if (hiPart.text === '') {
    throw new FilterError('MISSING_VALUE', `range '${whole.text}' has no upper end`, hiPart.pos, 1);
  }
  const lo = parseInteger(def, loPart);
  const hi = parseInteger(def, hiPart);
  if (lo > hi) {
    throw new FilterError('BAD_RANGE', `range '${whole.text}' is empty`, whole.pos, whole.len, `the low end comes first: ${hi}-${lo}`);
  }
  return { kind: 'int', lo, hi };
}

/** Plain decimal notation, with an optional exponent (filterToString may print 1e-7). */
const DECIMAL = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseDecimalValue(def: FieldDef, p: Part): FilterValue {
  const spec = def.filter!;
  if (p.text.startsWith('-') && DECIMAL.test(p.text.slice(1))) {
    throw new FilterError('OUT_OF_RANGE', `${def.name} value ${p.text} is out of range (${boundsText(spec)})`, p.pos, p.len);
  }
  if (!DECIMAL.test(p.text)) {
    if (/^[\d.]+-[\d.]+$/.test(p.text)) {
      throw new FilterError('BAD_RANGE', `${def.name} takes no dash ranges`, p.pos, p.len, `write ${def.name}>=LOW && ${def.name}<=HIGH`);
    }
    throw new FilterError('BAD_VALUE', `${def.name} needs a number such as 1.5, not '${p.text}'`, p.pos, p.len);
  }
  const v = Number(p.text);
  if (v < spec.min! || v > spec.max!) {
    throw new FilterError('OUT_OF_RANGE', `${def.name} value ${p.text} is out of range (${boundsText(spec)})`, p.pos, p.len);
  }
  return { kind: 'decimal', value: v };
}

function parseIpValue(item: ValueItem): FilterValue {
  const slash = item.text.indexOf('/');
  const addr = part(item, 0, slash < 0 ? item.text.length : slash);
  const words = parseIp(addr.text);
  if (words === null) {
    const hint = addr.text.includes('-') ? 'address ranges are not supported; use a CIDR block such as 10.0.0.0/24' : undefined;
    throw new FilterError('BAD_ADDRESS', `'${addr.text}' is not an IPv4 or IPv6 address`, addr.pos, addr.len, hint);
  }
  let v4 = !addr.text.includes(':');
  let prefix = v4 ? 32 : 128;
  if (slash >= 0) {
    const pfx = part(item, slash + 1, item.text.length);
    const slashPart = part(item, slash, slash + 1);
    if (pfx.text === '') throw new FilterError('BAD_PREFIX', `missing prefix length after '/'`, slashPart.pos, 1);
    if (!/^\d+$/.test(pfx.text)) throw new FilterError('BAD_PREFIX', `'/${pfx.text}' is not a prefix length`, pfx.pos, pfx.len);
    const n = Number(pfx.text);
    if (n > prefix) {
      throw new FilterError('BAD_PREFIX', `prefix length /${pfx.text} is too long for an ${v4 ? 'IPv4' : 'IPv6'} address`, pfx.pos, pfx.len, `at most /${prefix}`);
    }
    prefix = n;
  }
  // ::ffff:a.b.c.d/n (n >= 96) is how IPv4 is stored: treat it as the IPv4 block it is.
  if (!v4 && prefix >= 96 && isV4Words(words[0], words[1], words[2])) {
    v4 = true;
    prefix -= 96;
  }
  return { kind: 'ip', cidr: makeCidr(words, prefix, v4) };
}

function parseFlagValue(def: FieldDef, p: Part): FilterValue {
  const mask = def.filter!.mnemonics![p.text.toUpperCase()];
  if (mask === undefined) throw unknownMnemonic(def, p);
  return { kind: 'flag', mask };
}

/**
 * Parses one value item for `def` with comparator `op` (`cmp` locates the
 * comparator, for errors that are best fixed there).
 */
export function parseValue(def: FieldDef, item: ValueItem, op: Comparator, cmp: Part): FilterValue {
  const spec = def.filter!;
  const whole = part(item, 0, item.text.length);
  switch (spec.value) {
    case 'int':
      return parseIntValue(def, item, op, cmp);
    case 'decimal':
      return parseDecimalValue(def, whole);
    case 'ip':
      return parseIpValue(item);
    case 'cc':
      if (whole.text === '--') return { kind: 'cc', value: 0 };
      if (!/^[a-z]{2}$/i.test(whole.text)) {
        throw new FilterError('BAD_VALUE', `${def.name} needs a two-letter country code, not '${whole.text}'`, whole.pos, whole.len, 'e.g. US or NL; -- for unknown');
      }
      return { kind: 'cc', value: packCountry(whole.text) };
    case 'mac': {
      const v = parseMac(whole.text);
      if (v < 0) throw new FilterError('BAD_VALUE', `'${whole.text}' is not a MAC address`, whole.pos, whole.len, 'write aa:bb:cc:dd:ee:ff');
      return { kind: 'mac', value: v };
    }
    case 'flag':
      return parseFlagValue(def, whole);
  }
}
