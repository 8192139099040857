// Sends the scenario's traffic to a running ftserver: the history in one go (IPFIX over TCP), then the
// live traffic as a NetFlow v9 exporter would, each session once it has ended; the anomalies switch on at a given instant.
import { sendDatagrams } from '../lib/replay.js';
import { HistoryStream } from './historystream.js';
import { ScenarioExporter, minuteOf, sessionsOfMinute, type Anomalies, type Noise, type Session } from './rhythmtraffic.js';

export class Feeder {
  readonly anomalies: { fromMs: number | null } = { fromMs: null };
  private readonly exporter = new ScenarioExporter();
  private nextMinute = 0;
  private pending: Session[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  /** Sessions sent live. */
  sent = 0;

  constructor(private readonly ports: { readonly netflow: number; readonly ipfixtcp: number }) {}

  /**
   * The history of minutes [fromMinute, toMinute), normal unless `anomalies` say otherwise, with the
   * rhythm's exact counts and bytes unless `noise` is given; resolves with the number of sessions sent
   * once the collector has read them all.
   */
  async history(fromMinute: number, toMinute: number, anomalies: Anomalies = { fromMs: null }, noise?: Noise): Promise<number> {
    const stream = await HistoryStream.open(this.ports.ipfixtcp);
    let batch: Session[] = [];
    let n = 0;
    for (let m = fromMinute; m < toMinute; m++) {
      batch.push(...sessionsOfMinute(m, anomalies, noise));
      if (batch.length >= 4000 || m === toMinute - 1) {
        await stream.write(batch);
        n += batch.length;
        batch = [];
      }
    }
    await stream.end();
    return n;
  }

  /** Starts sending live traffic from minute `fromMinute` on, every second: each minute once it is over, each session after its end. */
  start(fromMinute: number): void {
    this.nextMinute = fromMinute;
    this.timer = setInterval(() => void this.tick(), 1000);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = Date.now();
      // a minute is made once it is over, so that anomalies switched on during it are in it
      while (this.nextMinute < minuteOf(now)) this.pending.push(...sessionsOfMinute(this.nextMinute++, this.anomalies));
      const due = this.pending.filter((s) => s.endMs <= now - 500);
      if (due.length === 0) return;
      this.pending = this.pending.filter((s) => s.endMs > now - 500);
      // a server that is down loses what is sent meanwhile, as it would from a real exporter
      await sendDatagrams(this.ports.netflow, this.exporter.encode(due)).catch(() => undefined);
      this.sent += due.length;
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
