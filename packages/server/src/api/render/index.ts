// Public door of the query API's answers: rankings as JSON or CSV, raw sessions streamed as JSON,
// NDJSON or CSV (formatted on encoder threads), the columns a session answer needs, and time zones.
export type { RowExtras } from './rowextras.js';
export { renderStatJson } from './renderstatjson.js';
export { renderStatCsv } from './renderstatcsv.js';
export { createSessionWriter, type SessionFormat, type SessionWriter } from './sessionwriter.js';
export { columnsForFields } from './columnsforfields.js';
export { ZoneOffsets, UnknownTimeZoneError } from './zoneoffsets.js';
export { EncoderPool, EncoderFailure } from './encoderpool.js';
