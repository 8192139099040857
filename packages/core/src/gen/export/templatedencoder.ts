// What NetFlow v9 and IPFIX export have in common: cutting a run of flow records into datagrams of at
// most N bytes, template sets at the start and every N datagrams, one data set per run of one family.

import type { FlowBatch } from '../../decode/flowbatch.js';
import { checkExportTime, checkRows, intOption } from './encoderchecks.js';
import { ExportEncoderError } from './exportencodererror.js';
import { flowRecordBytes, flowTemplateFields, FlowRecordWriter, type ExportTemplateField } from './flowrecordwriter.js';

/** Options both encoders take (each names the domain field its own way). */
export interface TemplatedOptions {
  readonly domain: number;
  readonly templateId: number;
  readonly templateEvery: number;
  readonly maxBytes: number;
  readonly sequence: number;
  readonly bootTimeMs: number | undefined;
}

/** The wire differences between the two formats. */
interface Format {
  readonly version: 9 | 10;
  readonly name: string;
  readonly headerBytes: number;
  readonly templateSetId: number;
}

const V9: Format = { version: 9, name: 'NetflowV9Encoder', headerBytes: 20, templateSetId: 0 };
const IPFIX: Format = { version: 10, name: 'IpfixEncoder', headerBytes: 16, templateSetId: 2 };

/** Default boot time: this long before the first export (under 2^31 ms, so older flows need no wrap). */
const DEFAULT_UPTIME_MS = 20 * 86_400_000;

const pad4 = (n: number): number => (4 - (n & 3)) & 3;

/** Check the options every templated encoder shares; `who` names the encoder in messages. */
export function templatedOptions(
  who: string,
  o: { domain: unknown; domainName: string; templateId: unknown; templateEvery: unknown; maxBytes: unknown; sequence: unknown; bootTimeMs: unknown },
  maxBytesLimit: number,
): TemplatedOptions {
  const domain = intOption(who, o.domainName, o.domain, 0, 0, 4294967295);
  const templateId = intOption(who, 'templateId', o.templateId, 256, 256, 65534);
  const templateEvery = intOption(who, 'templateEvery', o.templateEvery, 20, 0, 4294967295);
  const maxBytes = intOption(who, 'maxDatagramBytes', o.maxBytes, 1400, 1, maxBytesLimit);
  const sequence = intOption(who, 'sequence', o.sequence, 0, 0, 4294967295);
  const bootTimeMs = o.bootTimeMs === undefined ? undefined : intOption(who, 'bootTimeMs', o.bootTimeMs, 0, 0, Number.MAX_SAFE_INTEGER);
  return { domain, templateId, templateEvery, maxBytes, sequence, bootTimeMs };
}

/** One data set of a planned datagram: rows [from, to) of one family. */
interface PlannedSet {
  v6: boolean;
  from: number;
  to: number;
}

export class TemplatedEncoder {
  readonly options: TemplatedOptions;
  private readonly fmt: Format;
  private readonly writer: FlowRecordWriter;
  private readonly templateSet: Uint8Array;
  private readonly recBytes4: number;
  private readonly recBytes6: number;
  private bootMs: number;
  private seq: number;
  private sent = 0;
  private readonly sets: PlannedSet[] = [];
  private readonly families: boolean[] = [];

  constructor(version: 9 | 10, options: TemplatedOptions) {
    this.fmt = version === 9 ? V9 : IPFIX;
    this.options = options;
    const time = version === 9 ? 'sysUptime' : 'milliseconds';
    this.writer = new FlowRecordWriter(time);
    this.recBytes4 = flowRecordBytes(false, time);
    this.recBytes6 = flowRecordBytes(true, time);
    this.templateSet = buildTemplateSet(this.fmt.templateSetId, [
      [options.templateId, flowTemplateFields(false, time)],
      [options.templateId + 1, flowTemplateFields(true, time)],
    ]);
    const least = this.fmt.headerBytes + this.templateSet.length + 4 + this.recBytes6 + pad4(this.recBytes6);
    if (options.maxBytes < least) {
      throw new ExportEncoderError(
        'ERR_EXPORT_OPTION',
        `${this.fmt.name} option maxDatagramBytes must be at least ${least} (header, both templates and one IPv6 record), got ${options.maxBytes}`,
      );
    }
    this.bootMs = options.bootTimeMs ?? Number.NaN;
    this.seq = options.sequence;
  }

  /** Sequence number the next datagram will carry. */
  get sequence(): number {
    return this.seq;
  }

  /** Datagrams encoded so far. */
  get datagrams(): number {
    return this.sent;
  }

  /** Exporter boot time in ms since the epoch (NaN until the first encode when not given). */
  get bootTimeMs(): number {
    return this.bootMs;
  }

  encode(batch: FlowBatch, from: number, to: number, exportTimeMs: number): Uint8Array[] {
    const who = `${this.fmt.name}.encode`;
    checkRows(who, batch, from, to);
    checkExportTime(who, exportTimeMs);
    const exportSecs = Math.floor(exportTimeMs / 1000);
    if (Number.isNaN(this.bootMs)) this.bootMs = exportSecs * 1000 - DEFAULT_UPTIME_MS;
    const w = this.writer;
    w.bootMs = this.bootMs;
    w.exportSecMs = exportSecs * 1000;
    // Check every row first: a bad row throws before any datagram (or sequence number) is used.
    const fam = this.families;
    fam.length = to - from;
    for (let r = from; r < to; r++) fam[r - from] = w.checkRow(batch, r, who);
    const out: Uint8Array[] = [];
    let r = from;
    while (r < to) {
      const withTemplates = this.sent === 0 || (this.options.templateEvery > 0 && this.sent % this.options.templateEvery === 0);
      const size = this.plan(r, to, from, withTemplates);
      out.push(this.write(batch, size, withTemplates, exportSecs));
      r = this.sets[this.sets.length - 1]!.to;
    }
    return out;
  }

  /** Plan the datagram starting at row `r` into `sets`; returns its size in bytes. */
  private plan(r: number, to: number, base: number, withTemplates: boolean): number {
    const sets = this.sets;
    sets.length = 0;
    const max = this.options.maxBytes;
    let size = this.fmt.headerBytes + (withTemplates ? this.templateSet.length : 0);
    let open: PlannedSet | null = null;
    let openLen = 0;
    for (; r < to; r++) {
      const v6 = this.families[r - base]!;
      const rec = v6 ? this.recBytes6 : this.recBytes4;
      if (open !== null && open.v6 === v6) {
        if (size + rec + pad4(openLen + rec) > max) break;
        size += rec;
        openLen += rec;
        open.to = r + 1;
      } else {
        const closePad = open === null ? 0 : pad4(openLen);
        if (size + closePad + 4 + rec + pad4(4 + rec) > max) break;
        size += closePad + 4 + rec;
        openLen = 4 + rec;
        open = { v6, from: r, to: r + 1 };
        sets.push(open);
      }
    }
    return size + pad4(openLen);
  }

  private write(batch: FlowBatch, size: number, withTemplates: boolean, exportSecs: number): Uint8Array {
    const buf = new Uint8Array(size);
    const w = this.writer;
    w.bytes = buf;
    w.at = this.fmt.headerBytes;
    let records = 0;
    if (withTemplates) {
      buf.set(this.templateSet, w.at);
      w.at += this.templateSet.length;
    }
    for (const s of this.sets) {
      const start = w.at;
      w.at += 4;
      for (let r = s.from; r < s.to; r++) w.write(batch, r, s.v6);
      w.at += pad4(w.at - start);
      const id = this.options.templateId + (s.v6 ? 1 : 0);
      putU16(buf, start, id);
      putU16(buf, start + 2, w.at - start);
      records += s.to - s.from;
    }
    if (this.fmt.version === 9) {
      putU16(buf, 0, 9);
      putU16(buf, 2, records + (withTemplates ? 2 : 0));
      putU32(buf, 4, (((exportSecs * 1000 - this.bootMs) % 4294967296) + 4294967296) % 4294967296);
      putU32(buf, 8, exportSecs);
      putU32(buf, 12, this.seq);
      putU32(buf, 16, this.options.domain);
      this.seq = (this.seq + 1) % 4294967296;
    } else {
      putU16(buf, 0, 10);
      putU16(buf, 2, size);
      putU32(buf, 4, exportSecs);
      putU32(buf, 8, this.seq);
      putU32(buf, 12, this.options.domain);
      this.seq = (this.seq + records) % 4294967296;
    }
    this.sent++;
    return buf;
  }
}

function putU16(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 8;
  b[p + 1] = v;
}

function putU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

/** A template set (v9 flowset id 0, IPFIX set id 2) holding the given templates; no enterprise fields. */
function buildTemplateSet(setId: number, templates: readonly [number, readonly ExportTemplateField[]][]): Uint8Array {
  const len = 4 + templates.reduce((n, [, f]) => n + 4 + 4 * f.length, 0);
  const b = new Uint8Array(len);
  putU16(b, 0, setId);
  putU16(b, 2, len);
  let p = 4;
  for (const [id, fields] of templates) {
    putU16(b, p, id);
    putU16(b, p + 2, fields.length);
    p += 4;
    for (const f of fields) {
      putU16(b, p, f.ie);
      putU16(b, p + 2, f.length);
      p += 4;
    }
  }
  return b;
}
