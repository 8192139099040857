// @opentraq/server: the ftserver process — listeners, pipeline wiring, storage with durability,
// the HTTP query API, users and authentication, metrics, administration.
export { main, EXIT } from './main.js';
export { FtServer, type FtServerOptions } from './server/ftserver.js';
export { loadConfig, ConfigFileError, type LoadedConfig } from './server/loadconfig.js';
export { Logger } from './log/index.js';
export { SessionStore, readCheckpoint, CHECKPOINT_DIR } from './storage/index.js';
