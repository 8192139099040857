// Public door of the capture reader: classic pcap files, frames down to UDP/TCP payloads, the packet
// header parser they share with the sFlow decoder, and in-order TCP stream reassembly.
export { readPcap, type PcapFile, type PcapPacket } from './readpcap.js';
export { parsePacket, LINKTYPE, type IpPacket, type TcpInfo } from './parsepacket.js';
export { PacketHeaders, HeaderLayer, HeaderStatus, type HeaderLayerCode, type HeaderStatusCode } from './packetheaders.js';
export { TcpReassembler } from './tcpreassembler.js';
export { PcapError, type PcapErrorCode } from './pcaperror.js';
