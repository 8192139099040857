// What a RowEncoder is made from, as plain data: built by the session writer, sent to an encoder
// thread with each batch, and turned back into an encoder there (encoders are cached by it).

import type { DisplayFormat } from '@opentraq/core';
import type { OutputSyntax } from './fieldformat.js';
import { RowEncoder } from './rowencoder.js';
import { ZoneOffsets } from './zoneoffsets.js';

export interface EncoderSpec {
  readonly formats: readonly DisplayFormat[];
  /** What comes before each field: a comma, or `,"NAME":`. */
  readonly prefixes: readonly string[];
  readonly rowStart: string;
  readonly rowEnd: string;
  readonly syntax: OutputSyntax;
  /** The zone of CSV times: an IANA name, or 'local' for the server's TZ. */
  readonly zone: string;
}

/** The encoder a spec describes. */
export function encoderFor(spec: EncoderSpec): RowEncoder {
  const zone = spec.zone === 'local' ? ZoneOffsets.local() : ZoneOffsets.named(spec.zone);
  return new RowEncoder(spec.formats, spec.prefixes, spec.rowStart, spec.rowEnd, spec.syntax, zone);
}
