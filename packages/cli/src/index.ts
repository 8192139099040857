// @opentraq/cli: the query tools ftstat, ftsq, ftum and ftnbi (their main functions, which bin/
// launches) and the parameter parsing, API client and output helpers every opentraq command shares.
export * from './common/index.js';
export { main as ftstatMain } from './ftstat/main.js';
export { main as ftsqMain } from './ftsq/main.js';
export { main as ftumMain } from './ftum/main.js';
export { main as ftnbiMain } from './ftnbi/main.js';
