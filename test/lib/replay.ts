// Sends export traffic to a collector under test: UDP datagrams one by one (paced, each send
// confirmed, optionally from another loopback address), or one TCP connection carrying a byte stream.
import dgram from 'node:dgram';
import net from 'node:net';

export interface SendDatagramsOptions {
  /** Destination address (IPv4 or IPv6). Default 127.0.0.1. */
  host?: string;
  /** Datagrams per second, spread evenly; default: as fast as each send completes. */
  ratePerSecond?: number;
  /** Local address to send from (e.g. 127.0.0.2, to look like a second exporter). Default: any. */
  bind?: string;
}

export interface SendResult {
  /** Datagrams (or TCP writes) sent. */
  sent: number;
  bytes: number;
  ms: number;
}

function checkPort(who: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`${who}: port must be a whole number from 1 to 65535, got ${String(port)}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Send `payloads` in order to `host:port` over UDP, waiting for each send to complete; with
 * `ratePerSecond`, datagram i leaves no earlier than i / rate seconds after the first. Rejects on a
 * socket error (the message names the destination).
 */
export async function sendDatagrams(port: number, payloads: readonly Uint8Array[], opts: SendDatagramsOptions = {}): Promise<SendResult> {
  checkPort('sendDatagrams', port);
  const host = opts.host ?? '127.0.0.1';
  const rate = opts.ratePerSecond;
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw new RangeError(`sendDatagrams: ratePerSecond must be a positive number, got ${String(rate)}`);
  const v6 = host.includes(':') || (opts.bind ?? '').includes(':');
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', sendBufferSize: 4 << 20 });
  let failure: Error | null = null;
  socket.on('error', (e) => (failure = e));
  const where = `${host}:${port}${opts.bind === undefined ? '' : ` from ${opts.bind}`}`;
  try {
    if (opts.bind !== undefined) {
      const bindAddr = opts.bind;
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, bindAddr, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    }
    const started = Date.now();
    let bytes = 0;
    for (let i = 0; i < payloads.length; i++) {
      if (rate !== undefined) {
        const due = started + (i * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
      const p = payloads[i]!;
      await new Promise<void>((resolve, reject) => socket.send(p, port, host, (e) => (e ? reject(e) : resolve())));
      if (failure !== null) throw failure;
      bytes += p.length;
    }
    return { sent: payloads.length, bytes, ms: Date.now() - started };
  } catch (e) {
    throw new Error(`sendDatagrams to ${where}: ${(e as Error).message}`, { cause: e });
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

export interface SendTcpOptions {
  /** Destination address. Default 127.0.0.1. */
  host?: string;
  /** Local address to connect from. Default: any. */
  bind?: string;
  /** Write the stream in pieces of this many bytes (to exercise framing across reads). Default: one write. */
  chunkBytes?: number;
  /** How long to wait, after ending the stream, for the collector to close its side. Default 10,000 ms. */
  closeTimeoutMs?: number;
}

/**
 * Open one TCP connection to `host:port`, write `bytes` (in `chunkBytes` pieces), end it and wait until
 * the collector has closed its side too (it has then read everything). Rejects on a connection error,
 * or when the collector does not close within `closeTimeoutMs`.
 */
export async function sendTcpStream(port: number, bytes: Uint8Array, opts: SendTcpOptions = {}): Promise<SendResult> {
  checkPort('sendTcpStream', port);
  const host = opts.host ?? '127.0.0.1';
  const chunk = opts.chunkBytes ?? Math.max(1, bytes.length);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`sendTcpStream: chunkBytes must be a whole number of 1 or more, got ${String(opts.chunkBytes)}`);
  const closeTimeout = opts.closeTimeoutMs ?? 10_000;
  const started = Date.now();
  const where = `${host}:${port}`;
  return new Promise<SendResult>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const connectOpts: net.NetConnectOpts = opts.bind === undefined ? { port, host } : { port, host, localAddress: opts.bind };
    const sock = net.connect(connectOpts);
    let writes = 0;
    let failed = false;
    sock.on('error', (e) => {
      failed = true;
      clearTimeout(timer);
      reject(new Error(`sendTcpStream to ${where}: ${e.message}`, { cause: e }));
    });
    sock.on('finish', () => {
      timer = setTimeout(() => {
        failed = true;
        sock.destroy();
        reject(new Error(`sendTcpStream to ${where}: all ${bytes.length} bytes written, but the collector did not close the connection within ${closeTimeout} ms`));
      }, closeTimeout);
    });
    sock.on('connect', () => {
      const writeFrom = (p: number): void => {
        while (p < bytes.length) {
          const piece = bytes.subarray(p, Math.min(bytes.length, p + chunk));
          p += piece.length;
          writes++;
          if (!sock.write(piece)) {
            sock.once('drain', () => writeFrom(p));
            return;
          }
        }
        sock.end();
      };
      writeFrom(0);
    });
    // The collector reading to the end closes its side: our 'close' follows.
    sock.resume();
    sock.on('close', () => {
      clearTimeout(timer);
      if (!failed) resolve({ sent: writes, bytes: bytes.length, ms: Date.now() - started });
    });
  });
}
