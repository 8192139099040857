// A NetFlow v9 / IPFIX template as learnt from the wire, with what the decoder derived from it
// (record lengths, and for data templates the compiled flow plan).

import type { FlowPlan } from './compileflowplan.js';

/** Field length that marks an IPFIX variable-length field (RFC 7011 §7); also accepted in v9. */
export const VARLEN = 65535;

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
  readonly fields: readonly TemplateField[];
  /** Layout identity: equal signatures decode identically (refresh detection, compile cache key). */
  readonly sig: string;
  /** Smallest possible record: fixed lengths plus one length byte per variable-length field. */
  readonly minLen: number;
  /** Data templates: the generated decoder; options templates: null. */
  readonly plan: FlowPlan | null;
  /** Last time (decoder clock, ms) the exporter sent this template. */
  lastSeenMs: number;
}

export function templateSignature(version: 9 | 10, isOptions: boolean, scopeCount: number, fields: readonly TemplateField[]): string {
  let s = `${version}${isOptions ? 'o' + scopeCount : 'd'}`;
  for (const f of fields) s += f.pen === 0 ? `,${f.id}:${f.len}` : `,${f.id}.${f.pen}:${f.len}`;
  return s;
}

export function minRecordLength(fields: readonly TemplateField[]): number {
  let n = 0;
  for (const f of fields) n += f.len === VARLEN ? 1 : f.len;
  return n;
}
