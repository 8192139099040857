// Public door of the field table: columns, filter/output fields and ranking entities.
export * from './columns.js';
export * from './fields.js';
export * from './entities.js';
export * from './ipcodec.js';
export { renderFieldsDoc } from './fieldsdoc.js';
