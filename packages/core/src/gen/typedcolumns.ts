// The generator's output buffers: checked once per fill, then held with their concrete array types
// so the row loop writes without lookups by column name.

import { COLUMN_DEFS, type ColumnArray, type Columns } from '../fields/columns.js';
import { GeneratorError } from './generatorerror.js';

/** The columns of one batch with their concrete array types. */
export class TypedColumns {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly clnip: Uint32Array;
  readonly srvip: Uint32Array;
  readonly clnport: Uint16Array;
  readonly srvport: Uint16Array;
  readonly proto: Uint8Array;
  readonly clnpkts: Float64Array;
  readonly srvpkts: Float64Array;
  readonly clnbyts: Float64Array;
  readonly srvbyts: Float64Array;
  readonly flags: Uint8Array;
  readonly tos: Uint8Array;
  readonly inif: Uint32Array;
  readonly outif: Uint32Array;
  readonly invlan: Uint16Array;
  readonly outvlan: Uint16Array;
  readonly clnas: Uint32Array;
  readonly srvas: Uint32Array;
  readonly clncc: Uint16Array;
  readonly srvcc: Uint16Array;
  readonly clnmac: Float64Array;
  readonly srvmac: Float64Array;
  readonly expip: Uint32Array;
  readonly srcid: Uint32Array;
  readonly expv: Uint8Array;
  readonly asaevt: Uint16Array;
  readonly asaextevt: Uint16Array;
  readonly clnxip: Uint32Array;
  readonly srvxip: Uint32Array;
  readonly clnxport: Uint16Array;
  readonly srvxport: Uint16Array;
  readonly mpls: Uint32Array;
  readonly samplerate: Uint32Array;
  readonly sampleorigin: Uint8Array;
  readonly flows: Uint32Array;

  /** @param c columns already checked by checkColumns() */
  constructor(c: Columns) {
    this.start = c.start as Float64Array;
    this.end = c.end as Float64Array;
    this.clnip = c.clnip as Uint32Array;
    this.srvip = c.srvip as Uint32Array;
    this.clnport = c.clnport as Uint16Array;
    this.srvport = c.srvport as Uint16Array;
    this.proto = c.proto as Uint8Array;
    this.clnpkts = c.clnpkts as Float64Array;
    this.srvpkts = c.srvpkts as Float64Array;
    this.clnbyts = c.clnbyts as Float64Array;
    this.srvbyts = c.srvbyts as Float64Array;
    this.flags = c.flags as Uint8Array;
    this.tos = c.tos as Uint8Array;
    this.inif = c.inif as Uint32Array;
    this.outif = c.outif as Uint32Array;
    this.invlan = c.invlan as Uint16Array;
    this.outvlan = c.outvlan as Uint16Array;
    this.clnas = c.clnas as Uint32Array;
    this.srvas = c.srvas as Uint32Array;
    this.clncc = c.clncc as Uint16Array;
    this.srvcc = c.srvcc as Uint16Array;
    this.clnmac = c.clnmac as Float64Array;
    this.srvmac = c.srvmac as Float64Array;
    this.expip = c.expip as Uint32Array;
    this.srcid = c.srcid as Uint32Array;
    this.expv = c.expv as Uint8Array;
    this.asaevt = c.asaevt as Uint16Array;
    this.asaextevt = c.asaextevt as Uint16Array;
    this.clnxip = c.clnxip as Uint32Array;
    this.srvxip = c.srvxip as Uint32Array;
    this.clnxport = c.clnxport as Uint16Array;
    this.srvxport = c.srvxport as Uint16Array;
    this.mpls = c.mpls as Uint32Array;
    this.samplerate = c.samplerate as Uint32Array;
    this.sampleorigin = c.sampleorigin as Uint8Array;
    this.flows = c.flows as Uint32Array;
  }
}

/** Every column present with the right array type; returns the capacity in rows. */
export function checkColumns(cols: Columns): number {
  if (cols === null || typeof cols !== 'object' || !(cols.start instanceof Float64Array)) throw new GeneratorError('ERR_GEN_BUFFER', 'output columns must come from allocColumns() with every column');
  const rows = cols.start.length;
  for (const d of COLUMN_DEFS) {
    const a: ColumnArray | undefined = cols[d.name];
    const want = d.type === 'f64' ? Float64Array : d.type === 'u16' ? Uint16Array : d.type === 'u8' ? Uint8Array : Uint32Array;
    const len = d.type === 'ip' ? rows * 4 : rows;
    if (!(a instanceof want) || a.length !== len) {
      throw new GeneratorError('ERR_GEN_BUFFER', `output column ${d.name} must be a ${want.name} of ${len} elements (${rows} rows), got ${a ? `${a.constructor.name}(${a.length})` : 'nothing'}`);
    }
  }
  return rows;
}

/** Views of the first `rows` rows of every column. */
export function sliceColumns(cols: Columns, rows: number): Columns {
  const out = {} as Record<string, ColumnArray>;
  for (const d of COLUMN_DEFS) out[d.name] = cols[d.name].subarray(0, d.type === 'ip' ? rows * 4 : rows);
  return out as Columns;
}
