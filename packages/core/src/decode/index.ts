// Public door of flow-export decoding: NetFlow v1/v5/v7/v9, IPFIX (UDP and TCP streams), Cisco ASA NSEL
// and sFlow v2/v4/v5 into FlowBatch columns, with per-exporter template state, clock skew and drop counters.
export {
  FlowBatch,
  FLOW_COLUMN_DEFS,
  SamplingOrigin,
  FlowDirection,
  FlowInitiator,
  type FlowColumnDef,
  type FlowColumnName,
  type FlowColumnType,
  type FlowColumnArray,
  type FlowRow,
  type SamplingOriginCode,
} from './flowbatch.js';
export { FlowDecoder, type ClockOptions, type DecodeContext, type DecodeResult, type ExporterMemory, type DecoderMemory, type DomainInfo } from './flowdecoder.js';
export { canonicalExporter } from './exporterkey.js';
export {
  DEFAULT_DECODER_CONFIG,
  DecoderConfigError,
  MIN_CLOCK_SKEW_THRESHOLD_MS,
  MIN_IGNORE_OLD_FLOWS_US,
  resolveDecoderConfig,
  type DecoderConfig,
} from './decoderconfig.js';
export { COUNTER_DEFS, COUNTER_NAMES, DROP_REASONS, type CounterDef, type CounterName, type DecodeCounters } from './counters.js';
export type { InterfaceInfo } from './exporterstate.js';
export { MAX_DECODER_EVENTS, type DecoderEvent, type DecoderEventType } from './decoderevents.js';
export type { ExporterClockInfo } from './exporterclock.js';
export { ABSOLUTE_CLOCK_MIN_MS } from './clockpolicy.js';
export type { InterfaceCounters } from './sflow/interfacecounters.js';
export { decodeNetflowV1 } from './netflow/v1.js';
export { decodeNetflowV5 } from './netflow/v5.js';
export { decodeNetflowV7 } from './netflow/v7.js';
export { IpfixStreamFramer, IpfixStreamError, type IpfixStreamErrorCode } from './ipfix/streamframer.js';
export {
  ELEMENTS as FLOW_ELEMENTS,
  REVERSE_PEN,
  type ElementDef as FlowElementDef,
  type ElementKind as FlowElementKind,
  type Slot as FlowSlot,
} from './elements.js';
