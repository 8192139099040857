// Public door of the filter language: parse once (parseFilter), compile per back end
// (compileToJs), plus the helpers the query engine and the tools need around them.
export type { BinaryType, FilterNode, FilterValue, Span } from './ast.js';
export { parseFilter, MAX_FILTER_DEPTH } from './parser.js';
export { FilterError, formatFilterError, type FilterErrorCode } from './filtererror.js';
export { compileToJs, type CompiledFilter } from './compilejs.js';
export { filterToString } from './tostring.js';
export { restrictToSide, mentionsField } from './sides.js';
export { evaluateReference, rowAt, type SessionRow } from './reference.js';
export { alternatives, editDistance } from './suggest.js';
