// The external networks the generator places hosts in: real AS numbers with their holders, countries
// and address blocks they announce, so generated rankings by ASN and COUNTRY look like real ones.
// The blocks are plausible, not authoritative; generated AS/country columns never come from a lookup.

/** What kind of network: popular servers come from content and cloud networks, clients from access networks. */
export type GenAsKind = 'content' | 'cloud' | 'access' | 'transit';

export interface GenAs {
  readonly asn: number;
  readonly name: string;
  /** ISO 3166 alpha-2 country of registration. */
  readonly country: string;
  readonly kind: GenAsKind;
  /** Relative number of hosts the generator puts in this network. */
  readonly weight: number;
  /** IPv4 blocks, CIDR text; hosts are spread over them. */
  readonly v4: readonly string[];
  /** One IPv6 block, CIDR text (prefix length 16–48). */
  readonly v6: string;
}

export const GEN_AS_TABLE: readonly GenAs[] = [
  { asn: 15169, name: 'Google LLC', country: 'US', kind: 'content', weight: 9, v4: ['142.250.0.0/15', '172.217.0.0/16', '216.58.192.0/19'], v6: '2607:f8b0::/32' },
  { asn: 13335, name: 'Cloudflare, Inc.', country: 'US', kind: 'content', weight: 7, v4: ['104.16.0.0/13', '172.64.0.0/13', '162.158.0.0/15'], v6: '2606:4700::/32' },
  { asn: 16509, name: 'Amazon.com, Inc.', country: 'US', kind: 'cloud', weight: 10, v4: ['52.0.0.0/11', '54.64.0.0/11', '3.0.0.0/9'], v6: '2600:1f00::/24' },
  { asn: 8075, name: 'Microsoft Corporation', country: 'US', kind: 'cloud', weight: 8, v4: ['20.0.0.0/11', '13.64.0.0/11', '40.64.0.0/10'], v6: '2603:1000::/24' },
  { asn: 32934, name: 'Meta Platforms, Inc.', country: 'US', kind: 'content', weight: 3, v4: ['157.240.0.0/16', '31.13.64.0/18'], v6: '2a03:2880::/32' },
  { asn: 16625, name: 'Akamai Technologies, Inc.', country: 'US', kind: 'content', weight: 5, v4: ['23.192.0.0/11'], v6: '2600:1400::/24' },
  { asn: 20940, name: 'Akamai International B.V.', country: 'NL', kind: 'content', weight: 3, v4: ['2.16.0.0/13'], v6: '2a02:26f0::/29' },
  { asn: 714, name: 'Apple Inc.', country: 'US', kind: 'content', weight: 2, v4: ['17.0.0.0/8'], v6: '2620:149::/32' },
  { asn: 2906, name: 'Netflix Streaming Services Inc.', country: 'US', kind: 'content', weight: 1, v4: ['198.38.96.0/19', '45.57.0.0/17'], v6: '2a00:86c0::/32' },
  { asn: 54113, name: 'Fastly, Inc.', country: 'US', kind: 'content', weight: 2, v4: ['151.101.0.0/16', '146.75.0.0/16'], v6: '2a04:4e40::/32' },
  { asn: 396982, name: 'Google LLC (Cloud)', country: 'US', kind: 'cloud', weight: 3, v4: ['34.64.0.0/10', '35.184.0.0/13'], v6: '2600:1900::/28' },
  { asn: 14061, name: 'DigitalOcean, LLC', country: 'US', kind: 'cloud', weight: 2, v4: ['104.131.0.0/16', '159.203.0.0/16', '167.99.0.0/16'], v6: '2604:a880::/32' },
  { asn: 24940, name: 'Hetzner Online GmbH', country: 'DE', kind: 'cloud', weight: 2, v4: ['88.198.0.0/16', '136.243.0.0/16', '5.9.0.0/16'], v6: '2a01:4f8::/29' },
  { asn: 16276, name: 'OVH SAS', country: 'FR', kind: 'cloud', weight: 2, v4: ['51.38.0.0/16', '137.74.0.0/16', '145.239.0.0/16'], v6: '2001:41d0::/32' },
  { asn: 63949, name: 'Akamai Connected Cloud (Linode)', country: 'US', kind: 'cloud', weight: 1, v4: ['139.162.0.0/16', '172.104.0.0/15'], v6: '2600:3c00::/28' },
  { asn: 7922, name: 'Comcast Cable Communications, LLC', country: 'US', kind: 'access', weight: 5, v4: ['73.0.0.0/8'], v6: '2601::/20' },
  { asn: 7018, name: 'AT&T Services, Inc.', country: 'US', kind: 'access', weight: 3, v4: ['12.0.0.0/8'], v6: '2600:1700::/24' },
  { asn: 812, name: 'Rogers Communications Canada Inc.', country: 'CA', kind: 'access', weight: 1, v4: ['99.224.0.0/11'], v6: '2607:fea8::/32' },
  { asn: 174, name: 'Cogent Communications', country: 'US', kind: 'transit', weight: 1, v4: ['38.0.0.0/8'], v6: '2001:550::/32' },
  { asn: 3356, name: 'Level 3 Parent, LLC', country: 'US', kind: 'transit', weight: 1, v4: ['4.0.0.0/9'], v6: '2001:1900::/32' },
  { asn: 6939, name: 'Hurricane Electric LLC', country: 'US', kind: 'transit', weight: 1, v4: ['216.218.128.0/17', '184.104.0.0/15'], v6: '2001:470::/32' },
  { asn: 3320, name: 'Deutsche Telekom AG', country: 'DE', kind: 'access', weight: 3, v4: ['79.192.0.0/10', '84.128.0.0/10', '91.0.0.0/10'], v6: '2003::/19' },
  { asn: 3215, name: 'Orange S.A.', country: 'FR', kind: 'access', weight: 2, v4: ['90.0.0.0/9'], v6: '2a01:c000::/19' },
  { asn: 12322, name: 'Free SAS', country: 'FR', kind: 'access', weight: 1, v4: ['78.192.0.0/10', '82.224.0.0/11'], v6: '2a01:e00::/26' },
  { asn: 2856, name: 'British Telecommunications PLC', country: 'GB', kind: 'access', weight: 2, v4: ['86.128.0.0/10'], v6: '2a00:23c0::/27' },
  { asn: 3352, name: 'Telefonica de Espana S.A.U.', country: 'ES', kind: 'access', weight: 1, v4: ['83.32.0.0/11'], v6: '2a02:9000::/23' },
  { asn: 1136, name: 'KPN B.V.', country: 'NL', kind: 'access', weight: 1, v4: ['77.160.0.0/12'], v6: '2a02:a400::/26' },
  { asn: 3303, name: 'Swisscom (Schweiz) AG', country: 'CH', kind: 'access', weight: 1, v4: ['178.192.0.0/11'], v6: '2a02:1200::/27' },
  { asn: 13238, name: 'YANDEX LLC', country: 'RU', kind: 'content', weight: 1, v4: ['77.88.0.0/18', '87.250.224.0/19', '5.255.192.0/18'], v6: '2a02:6b8::/32' },
  { asn: 12389, name: 'PJSC Rostelecom', country: 'RU', kind: 'access', weight: 1, v4: ['95.167.0.0/16', '178.64.0.0/12'], v6: '2a01:620::/32' },
  { asn: 4134, name: 'CHINANET-BACKBONE', country: 'CN', kind: 'access', weight: 3, v4: ['116.224.0.0/12', '180.96.0.0/11'], v6: '240e::/20' },
  { asn: 4837, name: 'CHINA UNICOM China169 Backbone', country: 'CN', kind: 'access', weight: 2, v4: ['123.112.0.0/12', '221.192.0.0/14'], v6: '2408:8000::/20' },
  { asn: 37963, name: 'Hangzhou Alibaba Advertising Co.,Ltd.', country: 'CN', kind: 'cloud', weight: 1, v4: ['47.96.0.0/11'], v6: '2408:4000::/22' },
  { asn: 4766, name: 'Korea Telecom', country: 'KR', kind: 'access', weight: 1, v4: ['121.128.0.0/10'], v6: '2001:e60::/20' },
  { asn: 17676, name: 'SoftBank Corp.', country: 'JP', kind: 'access', weight: 1, v4: ['126.0.0.0/8'], v6: '2400:2000::/20' },
  { asn: 4713, name: 'NTT Communications Corporation', country: 'JP', kind: 'access', weight: 1, v4: ['153.128.0.0/9'], v6: '2400:4000::/21' },
  { asn: 9498, name: 'Bharti Airtel Ltd.', country: 'IN', kind: 'access', weight: 1, v4: ['122.160.0.0/12'], v6: '2401:4900::/27' },
  { asn: 55836, name: 'Reliance Jio Infocomm Limited', country: 'IN', kind: 'access', weight: 1, v4: ['49.32.0.0/11'], v6: '2405:200::/27' },
  { asn: 1221, name: 'Telstra Limited', country: 'AU', kind: 'access', weight: 1, v4: ['1.128.0.0/11'], v6: '2001:8000::/20' },
  { asn: 28573, name: 'Claro NXT Telecomunicacoes Ltda', country: 'BR', kind: 'access', weight: 1, v4: ['177.0.0.0/12'], v6: '2804:14c::/31' },
  { asn: 8151, name: 'UNINET (Telmex)', country: 'MX', kind: 'access', weight: 1, v4: ['187.128.0.0/10'], v6: '2806:2f0::/32' },
];
