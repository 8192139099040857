// @opentraq/core: everything that is pure logic — fields, time and filter languages,
// the columnar store and the query engine.
export * from './fields/index.js';
export * from './time/index.js';
export * from './store/index.js';
export * from './filter/index.js';
export * from './query/index.js';
export * from './gen/index.js';
export * from './decode/index.js';
export * from './pcap/index.js';
export * from './session/index.js';
export * from './enrich/index.js';
export * from './pipeline/index.js';
export * from './config/index.js';
export * from './alert/index.js';
