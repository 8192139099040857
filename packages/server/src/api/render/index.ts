// Public door of the query API's answers: rankings as JSON or CSV, raw sessions streamed as
// JSON, NDJSON or CSV, and the columns a session answer needs from the store.
export type { RowExtras } from './rowextras.js';
export { renderStatJson } from './renderstatjson.js';
export { renderStatCsv } from './renderstatcsv.js';
export { createSessionWriter, type SessionFormat, type SessionWriter } from './sessionwriter.js';
export { columnsForFields } from './columnsforfields.js';
