// Public door of the flow listeners: UDP sockets for NetFlow/IPFIX/sFlow, TCP for IPFIX streams.
export { UdpListener, type UdpKind, type UdpListenerOptions } from './udplistener.js';
export { TcpListener, type TcpListenerOptions } from './tcplistener.js';
