// Test helper: builds NetFlow v5/v7/v9 and IPFIX packets byte by byte, so unit tests can state
// exactly what is on the wire (templates, enterprise fields, variable lengths, padding, broken lengths).

export class Bytes {
  private readonly a: number[] = [];
  u8(v: number): this {
    this.a.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(Math.floor(v / 65536)).u16(v % 65536);
  }
  u64(v: number): this {
    return this.u32(Math.floor(v / 4294967296)).u32(v % 4294967296);
  }
  ip4(s: string): this {
    for (const p of s.split('.')) this.u8(Number(p));
    return this;
  }
  raw(b: Uint8Array | number[]): this {
    for (const x of b) this.a.push(x & 0xff);
    return this;
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.a.push(0);
    return this;
  }
  get length(): number {
    return this.a.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.a);
  }
}

export interface Field {
  id: number;
  len: number;
  pen?: number;
}

/** A set: id, 16-bit length (body + 4, unless `lengthOverride`), body. */
export function set(id: number, body: Uint8Array, lengthOverride?: number): Uint8Array {
  return new Bytes()
    .u16(id)
    .u16(lengthOverride ?? body.length + 4)
    .raw(body)
    .done();
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---- NetFlow v9

export function v9(h: { uptime: number; secs: number; srcId?: number; seq?: number }, ...sets: Uint8Array[]): Uint8Array {
  const head = new Bytes()
    .u16(9)
    .u16(sets.length)
    .u32(h.uptime)
    .u32(h.secs)
    .u32(h.seq ?? 0)
    .u32(h.srcId ?? 0)
    .done();
  return concat(head, ...sets);
}

export function v9Templates(...ts: { id: number; fields: Field[] }[]): Uint8Array {
  const b = new Bytes();
  for (const t of ts) {
    b.u16(t.id).u16(t.fields.length);
    for (const f of t.fields) b.u16(f.id).u16(f.len);
  }
  return set(0, b.done());
}

export function v9OptionsTemplate(id: number, scope: Field[], fields: Field[]): Uint8Array {
  const b = new Bytes().u16(id).u16(scope.length * 4).u16(fields.length * 4);
  for (const f of [...scope, ...fields]) b.u16(f.id).u16(f.len);
  return set(1, b.done());
}

// ---- IPFIX

export function ipfix(h: { exportTime: number; domain?: number; seq?: number; lengthOverride?: number }, ...sets: Uint8Array[]): Uint8Array {
  const body = concat(...sets);
  const head = new Bytes()
    .u16(10)
    .u16(h.lengthOverride ?? body.length + 16)
    .u32(h.exportTime)
    .u32(h.seq ?? 0)
    .u32(h.domain ?? 0)
    .done();
  return concat(head, body);
}

function fieldSpecs(b: Bytes, fields: Field[]): void {
  for (const f of fields) {
    if (f.pen !== undefined) b.u16(f.id | 0x8000).u16(f.len).u32(f.pen);
    else b.u16(f.id).u16(f.len);
  }
}

export function ipfixTemplates(...ts: { id: number; fields: Field[] }[]): Uint8Array {
  const b = new Bytes();
  for (const t of ts) {
    b.u16(t.id).u16(t.fields.length);
    fieldSpecs(b, t.fields);
  }
  return set(2, b.done());
}

export function ipfixOptionsTemplate(id: number, scope: Field[], fields: Field[]): Uint8Array {
  const b = new Bytes().u16(id).u16(scope.length + fields.length).u16(scope.length);
  fieldSpecs(b, [...scope, ...fields]);
  return set(3, b.done());
}

/** Template withdrawal records (field count 0) in a template set (2) or options template set (3). */
export function ipfixWithdraw(setId: 2 | 3, ...ids: number[]): Uint8Array {
  const b = new Bytes();
  for (const id of ids) b.u16(id).u16(0);
  return set(setId, b.done());
}

/** IPFIX variable-length value: 1-byte length, or 255 + 2-byte length when `long`. */
export function varlen(value: Uint8Array, long = false): Uint8Array {
  const b = new Bytes();
  if (long || value.length >= 255) b.u8(255).u16(value.length);
  else b.u8(value.length);
  return b.raw(value).done();
}

// ---- NetFlow v5 / v7

export interface FixedRecord {
  src: string;
  dst: string;
  nexthop?: string;
  input?: number;
  output?: number;
  packets: number;
  octets: number;
  first: number;
  last: number;
  srcPort: number;
  dstPort: number;
  tcpFlags?: number;
  proto: number;
  tos?: number;
  srcAs?: number;
  dstAs?: number;
}

export function v5(h: { uptime: number; secs: number; nsecs?: number; engine?: number; sampling?: number; count?: number }, ...recs: FixedRecord[]): Uint8Array {
  const b = new Bytes()
    .u16(5)
    .u16(h.count ?? recs.length)
    .u32(h.uptime)
    .u32(h.secs)
    .u32(h.nsecs ?? 0)
    .u32(0)
    .u16(h.engine ?? 0)
    .u16(h.sampling ?? 0);
  for (const r of recs) fixedRecord(b, r).u16(0);
  return b.done();
}

export function v7(h: { uptime: number; secs: number; nsecs?: number }, ...recs: FixedRecord[]): Uint8Array {
  const b = new Bytes().u16(7).u16(recs.length).u32(h.uptime).u32(h.secs).u32(h.nsecs ?? 0).u32(0).u32(0);
  for (const r of recs) fixedRecord(b, r).u16(0).ip4('10.9.9.9');
  return b.done();
}

function fixedRecord(b: Bytes, r: FixedRecord): Bytes {
  return b
    .ip4(r.src)
    .ip4(r.dst)
    .ip4(r.nexthop ?? '0.0.0.0')
    .u16(r.input ?? 0)
    .u16(r.output ?? 0)
    .u32(r.packets)
    .u32(r.octets)
    .u32(r.first)
    .u32(r.last)
    .u16(r.srcPort)
    .u16(r.dstPort)
    .u8(0)
    .u8(r.tcpFlags ?? 0)
    .u8(r.proto)
    .u8(r.tos ?? 0)
    .u16(r.srcAs ?? 0)
    .u16(r.dstAs ?? 0)
    .u8(24)
    .u8(24);
}
