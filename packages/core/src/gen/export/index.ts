// Public door of the export encoders: flow records (from generated sessions or any FlowBatch) as real
// NetFlow v9, IPFIX and sFlow v5 datagrams, to feed ftserver, nfcapd and our decoder the same traffic.

export { sessionsToFlows } from './sessionstoflows.js';
export { NetflowV9Encoder, type NetflowV9EncoderOptions } from './netflowv9encoder.js';
export { IpfixEncoder, type IpfixEncoderOptions } from './ipfixencoder.js';
export { SflowV5Encoder, type SflowV5EncoderOptions, type SflowEncoding } from './sflowv5encoder.js';
export { flowTemplateFields, flowRecordBytes, type FlowTimeEncoding, type ExportTemplateField } from './flowrecordwriter.js';
export { ExportEncoderError, type ExportEncoderErrorCode } from './exportencodererror.js';
