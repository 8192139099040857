// The detectors on noisy normal traffic: a real ftserver fed three weeks and more of the scenario's rhythm
// (rhythmtraffic.ts) with its noise on — each non-steady client's sessions a minute a Poisson count, each
// session's bytes ± 30 % — and the detectors on shifted clocks (libfaketime, shiftedclock.ts) twenty times
// as fast over 25 windows of a normal Wednesday morning: fttcv at its defaults (-bk 3, DAY) on bytes
// sent, the same with -bdow, fttcv on sessions opened, and ftdos. None reports anything
// but client 10's backup, which plain DAY (without -bdow) may report, the backup being on one weekday in
// seven. The alert rule widens a standard deviation estimated from n observations to the Student t
// prediction bound (judge.ts deviationWidening: ×1.17 at n = 21, ×7.39 at n = 3, ×96 at n = 2); the
// rule before it, which took the sample deviation for the true one, reported on this very traffic 13
// normal windows of fttcv -bdow in its 600 checks (k 3.00–6.70, n 2–3: a slot of the weekday has 3
// observations in three weeks, the slot before 09:00 only 2 within -tn 3w), where -bk 3 on values with a
// known deviation lets 0.81 a side through (600 × 0.00135); plain DAY (n 20–21) reported nothing but the
// backup (k 3.05), ftdos nothing (measured with deviationWidening at 1 throughout). ftscan and ftbfg are
// not run here: each client talks to its one server whatever the noise, so the hosts, ports and
// client–service pairs they count are those of the exact traffic, which weekly.test.ts judges.
// Every run judges the same traffic: the morning is a Wednesday of even day number (so the rhythm's
// day parities are the same too) and the noise is drawn relative to its first minute.
import t from 'tap';
import { ADMIN_PASSWORD, startServer } from '../lib/ftserver.js';
import { DetectorProcess } from './detectorprocess.js';
import { Feeder } from './feeder.js';
import { storedHistory } from './storedhistory.js';
import { CLIENTS, SCENARIO_TZ, backupClientOf, clientIp, localDayStartMs, localSlotAndDay, minuteOf, weekdayOf } from './rhythmtraffic.js';
import { libfaketimePath, shiftedClockEnv } from './shiftedclock.js';
import { printedInstant, everyWindowOnce } from './printedtime.js';

t.setTimeout(10 * 60_000);

const SETTLE_S = 15;
const DAY_STEP_MS = 120_000;
/** The morning's clocks run this many times as fast as the real one: a 2-minute step every 6 s. */
const SPEED = 20;
/** Windows each detector judges (50 minutes of the morning). */
const MORNING_WINDOWS = 25;
const WEDNESDAY = 3;
/**
 * How long the four may take to train on three weeks and judge their windows, all at once on a loaded
 * machine (with ftscan and ftbfg besides, ftscan's training took over 5 minutes once on 2 cores shared
 * with other tests); the test's 10 minutes less the server's start and the history's sending and
 * storing (10–20 s).
 */
const DETECTORS_WITHIN_MS = 9 * 60_000;
/** The history before the morning: -tn 3w, and an hour more so that its first slots are whole. */
const HISTORY_BEFORE_MIN = 21 * 1440 + 60;
/** The history after 09:00: the morning until 11:00, beyond the last window any detector judges. */
const HISTORY_AFTER_MIN = 120;
/**
 * The share of normal checks the default -bk 3 lets through on each side if values were normal and the
 * deviation known: the normal tail beyond 3 deviations, 1 − Φ(3) = 0.0013499.
 */
const NORMAL_TAIL_BK3 = 0.00135;

/**
 * 09:00 local on the latest Wednesday of even local day number (local day ≡ 6 mod 14) whose morning
 * (until 11:00) ended half an hour before `nowMs` or earlier: up to 15 days back, and the rhythm's
 * daily alternations ((h + σ + D) mod 2, (h + D) mod 2) are the same each run as the weekdays are.
 */
function evenWednesdayMorning(nowMs: number): number {
  for (let day = localSlotAndDay(minuteOf(nowMs)).day; ; day--) {
    const at = localDayStartMs(day) + 9 * 3_600_000;
    if (weekdayOf(day) === WEDNESDAY && day % 2 === 0 && at + 2 * 3_600_000 <= nowMs - 1_800_000) return at;
  }
}

t.test('on noisy normal traffic no detector reports anything at -bk 3 but plain DAY the backup day', async (t) => {
  t.ok(libfaketimePath(), 'libfaketime is installed (Debian package faketime)');
  const server = await startServer({ args: ['--sessiontimeout', '0'] });
  t.teardown(() => server.stop());
  const feeder = new Feeder(server.ports);
  const started = Date.now();
  const morning = evenWednesdayMorning(started);
  const backupClient = backupClientOf(weekdayOf(localSlotAndDay(minuteOf(morning)).day))!;
  const backup = clientIp(backupClient);
  const noise = { referenceMinute: minuteOf(morning) };
  const from = minuteOf(morning) - HISTORY_BEFORE_MIN;
  const end = minuteOf(morning) + HISTORY_AFTER_MIN;
  const historySessions = await feeder.history(from, end, { fromMs: null }, noise);
  const token = await server.login();
  const stored = await storedHistory(server, token, from, end, historySessions);
  t.equal(stored, historySessions, `${historySessions} sessions of noisy history stored`);
  t.comment(`history: ${historySessions} noisy sessions over ${((end - from) / 1440).toFixed(2)} days sent and stored in ${((Date.now() - started) / 1000).toFixed(1)} s; morning ${new Date(morning).toISOString()} (backup ${backup})`);

  const login = ['-s', '127.0.0.1', '-p', String(server.ports.api), '-un', 'admin', '-up', ADMIN_PASSWORD, '-tn', '3w', '-bd', String(SETTLE_S), '-j', '-v', '-ls', '-nr'];
  const bytesSent = ['-grp', 'IP', '-cnt', 'BYTES', '-snd', '-q', 'ADDR=10.1.0.0/16'];
  const sessionsSent = ['-grp', 'IP', '-cnt', 'SESSIONS', '-snd'];
  const env = { TZ: SCENARIO_TZ, ...shiftedClockEnv(morning, SPEED) };
  // dayOnly: a baseline of the slot of the day over every weekday, which the backup day may pass
  const runs = [
    { d: new DetectorProcess('fttcv', [...login, ...bytesSent], env), name: 'fttcv', entities: CLIENTS, dayOnly: true, tcv: true },
    { d: new DetectorProcess('fttcv', [...login, '-bdow', ...bytesSent], env), name: 'fttcv -bdow', entities: CLIENTS, dayOnly: false, tcv: true },
    { d: new DetectorProcess('fttcv', [...login, ...sessionsSent], env), name: 'fttcv -cnt SESSIONS', entities: CLIENTS, dayOnly: true, tcv: true },
    { d: new DetectorProcess('ftdos', login, env), name: 'ftdos', entities: 6, dayOnly: false, tcv: false },
  ];
  for (const { d } of runs) t.teardown(() => d.stop('SIGKILL'));

  // each stopped once it has judged its windows, so that the others share the cores with fewer
  const exits = await Promise.all(
    runs.map(async ({ d, name }) => {
      await d.waitFor(`${MORNING_WINDOWS} windows of ${name}`, () => d.windowEnds().length >= MORNING_WINDOWS, DETECTORS_WITHIN_MS);
      return d.stop('SIGTERM');
    }),
  );
  const summary: string[] = [];
  for (const [i, { d, name, entities, dayOnly, tcv }] of runs.entries()) {
    t.equal(exits[i]!.code, 0, `${name} exits 0 on SIGTERM`);
    const text = d.stderr.map((l) => l.line).join('\n');
    t.match(text, new RegExp(`^Training complete, tracking ${entities} entities\\.\\.\\.$`, 'm'), `${name}: tracking ${entities}`);
    t.notMatch(text, /stored nothing|not learnt|at most 1 observation/, `${name}: every slot of the history learnt`);
    const all = d.windowEnds().map(printedInstant);
    t.ok(everyWindowOnce(all, DAY_STEP_MS), `${name}: every window once, in order, none skipped (${all.length} windows)`);
    // the same number of windows judged by each, whichever it had begun when stopped
    const ends = all.slice(0, MORNING_WINDOWS);
    const lastEndS = ends[ends.length - 1]! / 1000;
    t.ok(ends[0]! >= morning - DAY_STEP_MS - SETTLE_S * 1000 && ends[ends.length - 1]! <= morning + 2 * 3_600_000, `${name}: windows of the morning`);
    const alerts = d.alerts().filter((a) => (a.window_end_utc as number) <= lastEndS);
    const isBackup = (a: Record<string, unknown>): boolean => dayOnly && a.alert_type === 'volume_high' && a.target_ip === backup;
    const falsePositives = alerts.filter((a) => !isBackup(a));
    for (const a of alerts) t.comment(`${name}${isBackup(a) ? ' (backup)' : ''}: ${String(a.message)}`);
    const checks = entities * ends.length;
    t.equal(falsePositives.length, 0, `${name}: false positives ${falsePositives.length} in ${checks} checks (${entities} × ${ends.length} windows)`);
    const ks = alerts.map((a) => Number((a.detail as { k?: string }).k)).filter((k) => Number.isFinite(k));
    const backups = alerts.length - falsePositives.length;
    const printed = d.windowEnds();
    const span = `${printed[0]!.slice(11, 16)}–${printed[ends.length - 1]!.slice(11, 16)}`;
    summary.push(
      `${name}: ${ends.length} windows (ending ${span}), ${checks} checks, false positives ${falsePositives.length}` +
        (tcv ? ` (-bk 3 on normal values with known deviations: ${(checks * NORMAL_TAIL_BK3).toFixed(2)} a side)` : '') +
        (dayOnly ? `, backup ${backup} in ${backups}` : '') +
        (ks.length > 0 ? `, largest k ${Math.max(...ks).toFixed(2)}` : ''),
    );
  }
  t.comment(`noisy morning at ${SPEED} × speed: ${summary.join('; ')}; test took ${((Date.now() - started) / 1000).toFixed(0)} s`);
});
