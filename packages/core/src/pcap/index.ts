// Public door of the capture reader: classic pcap files, frames down to UDP/TCP payloads, and
// in-order TCP stream reassembly — enough to replay recorded flow exports into the decoders.
export { readPcap, type PcapFile, type PcapPacket } from './readpcap.js';
export { parsePacket, LINKTYPE, type IpPacket, type TcpInfo } from './parsepacket.js';
export { TcpReassembler } from './tcpreassembler.js';
export { PcapError, type PcapErrorCode } from './pcaperror.js';
