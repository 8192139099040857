// Public door of ftserver's query scheduling.
export { QueryQueue, QueryQueueFullError } from './queryqueue.js';
