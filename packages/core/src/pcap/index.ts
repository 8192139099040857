// Public door of the capture reader and writer: classic pcap files, frames down to UDP/TCP payloads, the
// packet header parser they share with the sFlow decoder, in-order TCP stream reassembly, and pcap writing.
export { readPcap, type PcapFile, type PcapPacket } from './readpcap.js';
export { parsePacket, LINKTYPE, type IpPacket, type TcpInfo } from './parsepacket.js';
export { PacketHeaders, HeaderLayer, HeaderStatus, type HeaderLayerCode, type HeaderStatusCode } from './packetheaders.js';
export { TcpReassembler } from './tcpreassembler.js';
export { PcapWriter, type PcapWriterOptions } from './pcapwriter.js';
export { PcapError, type PcapErrorCode } from './pcaperror.js';
