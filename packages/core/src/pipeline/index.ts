// Public door of the ingest pipeline: export datagrams (NetFlow/IPFIX, sFlow, IPFIX over TCP) to enriched
// session records, transport-free — the server wires it to its sockets, the tests feed it captures.
export { IngestPipeline, type DatagramKind } from './ingestpipeline.js';
export { DEFAULT_PIPELINE_OPTIONS, resolvePipelineOptions, type IngestPipelineOptions, type ResolvedPipelineOptions } from './pipelineoptions.js';
export type { PipelineCounters } from './pipelinecounters.js';
export { PipelineError, type PipelineErrorCode } from './pipelineerror.js';
