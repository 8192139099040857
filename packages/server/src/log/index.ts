// Public door of ftserver's log.
export { Logger, formatLogLine, type LogFields, type LoggerOptions } from './logger.js';
