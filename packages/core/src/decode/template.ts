// A NetFlow v9 / IPFIX template as learnt from the wire, with what the decoder derived from it
// (record lengths, and for data templates the compiled flow plan). Kept packed: templates are most of the decoder's memory.

import type { FlowPlan } from './compileflowplan.js';

/** Field length that marks an IPFIX variable-length field (RFC 7011 §7); also accepted in v9. */
export const VARLEN = 65535;

/** A field specifier as read from the wire (transient: a stored template keeps them packed in `layout`). */
export interface TemplateField {
  /** Field type / information element number, without the IPFIX enterprise bit. */
  readonly id: number;
  /** Private enterprise number (IPFIX enterprise bit set), else 0. */
  readonly pen: number;
  /** Length in bytes, or VARLEN. */
  readonly len: number;
}

export interface Template {
  readonly id: number;
  readonly version: 9 | 10;
  readonly isOptions: boolean;
  /** Leading fields that are scope fields (options templates; 0 for data templates). */
  readonly scopeCount: number;
  /** The fields, two words each: `id << 16 | len`, then the enterprise number (see packLayout). */
  readonly layout: Uint32Array;
  /** Smallest possible record: fixed lengths plus one length byte per variable-length field. */
  readonly minLen: number;
  /** Data templates: the generated decoder; options templates: null. */
  readonly plan: FlowPlan | null;
  /** Bytes charged to the decoder's template budget for this template (templateCost). */
  readonly cost: number;
  /** layoutHash of the layout this template replaced, 0 when it replaced none: a change back to it is a flap. */
  readonly previous: number;
  /** Last time (decoder clock, ms) the exporter sent this template. */
  lastSeenMs: number;
}

/**
 * Estimated heap cost of a stored template besides its fields: the Template object, its typed-array
 * layout (object and backing store header), its map entry. Measured on Node 20: about 340 (test/decode/budget.test.ts checks the heap stays within the charge).
 */
export const TEMPLATE_OVERHEAD_BYTES = 384;

/** Bytes charged to the template budget for a template of `fieldCount` fields. */
export function templateCost(fieldCount: number): number {
  return TEMPLATE_OVERHEAD_BYTES + 8 * fieldCount;
}

export function packLayout(fields: readonly TemplateField[]): Uint32Array {
  const a = new Uint32Array(fields.length * 2);
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    a[2 * k] = ((f.id << 16) | f.len) >>> 0;
    a[2 * k + 1] = f.pen;
  }
  return a;
}

/** Same version, kind, scope and fields: a refresh rather than a change. */
export function sameLayout(t: Template, version: 9 | 10, isOptions: boolean, scopeCount: number, layout: Uint32Array): boolean {
  if (t.version !== version || t.isOptions !== isOptions || t.scopeCount !== scopeCount || t.layout.length !== layout.length) return false;
  const a = t.layout;
  for (let i = 0; i < a.length; i++) if (a[i] !== layout[i]) return false;
  return true;
}

/** A non-zero 32-bit hash (FNV-1a) of a template's kind, scope and fields, to recognise a layout seen before. */
export function layoutHash(isOptions: boolean, scopeCount: number, layout: Uint32Array): number {
  let h = Math.imul(0x811c9dc5 ^ (isOptions ? 0x10000 + scopeCount : 0), 0x01000193);
  for (let i = 0; i < layout.length; i++) h = Math.imul(h ^ layout[i]!, 0x01000193);
  return h >>> 0 || 1;
}

/** Layout identity of a data template: equal signatures decode identically (the flow-plan cache key). */
export function templateSignature(version: 9 | 10, isOptions: boolean, scopeCount: number, fields: readonly TemplateField[]): string {
  const parts: string[] = new Array<string>(fields.length + 1);
  parts[0] = `${version}${isOptions ? 'o' + scopeCount : 'd'}`;
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k]!;
    parts[k + 1] = f.pen === 0 ? `${f.id}:${f.len}` : `${f.id}.${f.pen}:${f.len}`;
  }
  // join gives one flat string: a `+=` chain would be kept as a rope of one node per field.
  return parts.join(',');
}

export function minRecordLength(fields: readonly TemplateField[]): number {
  let n = 0;
  for (const f of fields) n += f.len === VARLEN ? 1 : f.len;
  return n;
}
