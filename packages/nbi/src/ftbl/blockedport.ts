// The ports a download may not use: Node.js's fetch refuses them ("bad port") as the Fetch standard
// says (ports of other protocols, https://fetch.spec.whatwg.org/#port-blocking), so -bl names them at once.

/** The Fetch standard's blocked ports, as Node.js 20's fetch applies them (checked port by port to 11000). */
const BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135,
  137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719,
  1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** The port `url` is downloaded from (its scheme's default when it names none). */
export function urlPort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Whether fetch refuses to download from `port`. */
export function isBlockedPort(port: number): boolean {
  return BLOCKED_PORTS.has(port);
}

/** Why, for a message that has named the port: what the person can do about it. */
export const BLOCKED_PORT_REASON =
  "Node.js's fetch refuses the ports the Fetch standard blocks, those of other protocols (25 for mail, 6000 for X11 ...)";
