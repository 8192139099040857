// The flow exporters of the generated network: which internal subnets each one sees, the export
// format it speaks (NetFlow v9 and v5, IPFIX, sFlow, ASA NSEL) and its interfaces and VLANs.

export interface GenExporter {
  readonly name: string;
  /** Exporter address (IPv4 or IPv6 text). */
  readonly address: string;
  /** Export format as stored in the expv column. */
  readonly expv: number;
  /** NetFlow v9 source id / IPFIX observation domain / sFlow sub-agent. */
  readonly srcid: number;
  /** Inclusive range of internal /24s (the X of 10.0.X.0) whose sessions this exporter reports. */
  readonly subnets: readonly [number, number];
  /** ifIndex of the interfaces towards the outside; an external peer's AS picks one. */
  readonly uplinks: readonly number[];
  /** ifIndex of the first inside interface, and how many there are. */
  readonly accessBase: number;
  readonly accessCount: number;
  /** Inside interfaces are per subnet (routers) or per host (switch ports). */
  readonly accessBy: 'subnet' | 'host';
  readonly reportsMac: boolean;
  readonly reportsVlan: boolean;
  /** Cisco ASA: NSEL event and NAT fields are filled. */
  readonly nsel: boolean;
  /** Sessions towards external networks carry an MPLS label. */
  readonly mpls: boolean;
  /** Index of the exporter that reports this one's IPv6 sessions (NetFlow v5 cannot carry IPv6). */
  readonly v6Via: number;
  readonly samplerate: number;
  /** Active timeout: a long session is reported as one flow record per direction per timeout. */
  readonly activeTimeoutS: number;
  /** MAC of the router interface: the MAC seen for every host beyond the exporter. */
  readonly gatewayMac: number;
  /** VLAN on the uplinks (0: untagged). */
  readonly uplinkVlan: number;
}

/** VLAN of an internal /24 on exporters that report VLANs: 100 + X for 10.0.X.0/24. */
export const SUBNET_VLAN_BASE = 100;

export const GEN_EXPORTERS: readonly GenExporter[] = [
  { name: 'core-rtr-1', address: '10.0.0.1', expv: 9, srcid: 0, subnets: [0, 111], uplinks: [1, 2], accessBase: 10, accessCount: 24, accessBy: 'subnet', reportsMac: true, reportsVlan: true, nsel: false, mpls: false, v6Via: 0, samplerate: 1, activeTimeoutS: 60, gatewayMac: 0x001b54c2a101, uplinkVlan: 0 },
  { name: 'core-rtr-2', address: '2001:db8:ffff::2', expv: 10, srcid: 256, subnets: [112, 175], uplinks: [513, 514, 515], accessBase: 520, accessCount: 16, accessBy: 'subnet', reportsMac: true, reportsVlan: true, nsel: false, mpls: true, v6Via: 1, samplerate: 1, activeTimeoutS: 60, gatewayMac: 0x3c61046e0b02, uplinkVlan: 0 },
  { name: 'asa-fw-1', address: '10.0.0.254', expv: 9, srcid: 0, subnets: [176, 191], uplinks: [3], accessBase: 4, accessCount: 3, accessBy: 'subnet', reportsMac: false, reportsVlan: false, nsel: true, mpls: false, v6Via: 2, samplerate: 1, activeTimeoutS: 0, gatewayMac: 0, uplinkVlan: 0 },
  { name: 'branch-rtr', address: '10.0.192.1', expv: 5, srcid: 0, subnets: [192, 231], uplinks: [1], accessBase: 2, accessCount: 4, accessBy: 'subnet', reportsMac: false, reportsVlan: false, nsel: false, mpls: false, v6Via: 0, samplerate: 1, activeTimeoutS: 1800, gatewayMac: 0, uplinkVlan: 0 },
  { name: 'dc-switch', address: '10.0.232.2', expv: 21, srcid: 0, subnets: [232, 255], uplinks: [49, 50], accessBase: 1, accessCount: 48, accessBy: 'host', reportsMac: true, reportsVlan: true, nsel: false, mpls: false, v6Via: 4, samplerate: 256, activeTimeoutS: 0, gatewayMac: 0x00005e000101, uplinkVlan: 3000 },
];

/** Public (translated) addresses of the ASA: 198.51.100.0/24 stands for the site's own public block. */
export const NAT_BLOCK_V4 = 0xc6336400;
