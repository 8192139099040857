// Public door of the session generator: deterministic, realistic sessions in column batches
// for benchmarks, demos and randomized tests.

export { generateSessions, SessionGenerator } from './sessiongenerator.js';
export { busiestHost, busiestHosts } from './busiesthost.js';
export type { BusyHost } from './model.js';
export { GeneratorError, type GeneratorErrorCode } from './generatorerror.js';
export { GEN_DEFAULT_SPAN_US, GEN_DEFAULT_START_US, GEN_MAX_HOSTS, GEN_MIN_HOSTS, type GeneratorOptions, type ResolvedGeneratorOptions } from './options.js';
export { dailyRhythm } from './dailyrhythm.js';
export { GEN_AS_TABLE, type GenAsKind, type GenAs } from './astable.js';
export { GEN_EXPORTERS, type GenExporter } from './exporters.js';
export { GEN_SERVICES, type GenService, type GenPortSpec, type GenPoolMix, type GenServiceKind } from './services.js';
export type { GenPoolName } from './pools.js';

export * from './export/index.js';
