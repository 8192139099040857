// ftserver backup / restore / clear through the real binary: a backup taken while traffic flows restores
// into a second server config as a consistent subset of the original, users included; a corrupted backup,
// a restore onto a running server and an unconfirmed restore or clear are refused with the store untouched;
// at a terminal both ask, and anything but "yes" changes nothing.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { SegmentFileReader, formatIpAt } from '../../packages/core/src/index.js';
import { spawn } from 'node:child_process';
import { FTSERVER, runFtserver, startServer, type FtserverRun, type RunningServer } from '../lib/ftserver.js';
import { netflowReceived, storedSessions, type StoredTotals } from '../lib/serverchecks.js';
import { sendTimed, sentWholeBefore, sessionKey, v9Traffic } from '../lib/v9traffic.js';

/** A second user, made on the original server: the restored one must know it too. */
const EXTRA_USER = { username: 'analyst', password: 'backup-test-analyst-pw', admin: false };

/** Run `ftserver ARGS` (an administrative command) to its end; stdin is not a terminal. */
const ftserver = (args: readonly string[], cwd: string): Promise<FtserverRun> => runFtserver(args, { cwd, timeoutMs: 60_000 });

/** The store and user data options of a server directory, as the harness lays it out. */
const pathsOf = (dir: string): string[] => ['--databasepath', path.join(dir, 'SESSIONDB'), '--userdatapath', path.join(dir, 'USERDATA')];

/**
 * Run `ftserver ARGS` at a terminal (`script` gives it a pseudo-terminal) and type `answer` at its
 * question; resolves with the exit code and everything the terminal showed (stdout and stderr).
 */
function atTerminal(args: readonly string[], answer: string, cwd: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'dumb' };
  // the test runner's loader hooks are not for the server, which runs the built JavaScript
  delete env.NODE_OPTIONS;
  const command = [process.execPath, FTSERVER, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const proc = spawn('script', ['-qec', command, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let answered = false;
  const onData = (d: Buffer): void => {
    output += d.toString();
    // type the answer once the question is there; the input stays open until ftserver exits
    if (!answered && output.includes('Type "yes" to confirm:')) {
      answered = true;
      proc.stdin.write(`${answer}\n`);
    }
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** Every session `s` stores, as the admin user sees them. */
async function stored(s: RunningServer): Promise<Map<string, StoredTotals>> {
  return storedSessions(s, await s.login());
}

/** Every segment file under `dir` (the store's and the checkpoint's), recursively. */
function segmentFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)seg-\d{10}\.otq$/.test(f)).map((f) => path.join(dir, f));
}

/**
 * The sessions a backup holds, read straight from its segment files (store and checkpoint) by key,
 * each with every distinct (bytes, packets) its files give it (one, unless the backup contradicts itself).
 */
function backupSessions(backup: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const file of segmentFiles(path.join(backup, 'store'))) {
    const r = SegmentFileReader.open(file);
    try {
      const c = r.read(['clnip', 'clnport', 'srvip', 'srvport', 'proto', 'clnbyts', 'srvbyts', 'clnpkts', 'srvpkts']);
      for (let i = 0; i < r.info.rows; i++) {
        const key = sessionKey(formatIpAt(c.clnip as Uint32Array, i), c.clnport![i]!, formatIpAt(c.srvip as Uint32Array, i), c.srvport![i]!, c.proto![i]!);
        const v = `${c.clnbyts![i]! + c.srvbyts![i]!} bytes ${c.clnpkts![i]! + c.srvpkts![i]!} packets`;
        out.set(key, (out.get(key) ?? new Set()).add(v));
      }
    } finally {
      r.close();
    }
  }
  return out;
}

/** Every file under `dir` (sibling directories of the store included) with the sha256 of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = path.join(dir, f);
    const st = fs.statSync(p);
    out[f] = st.isDirectory() ? 'dir' : createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  }
  return out;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'opentraq-backup-test-'));
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));

t.test('backup while ingesting, restore into a second config, refusals, clear', async (t) => {
  const seed = Number(process.env.BACKUP_SEED ?? Date.now() % 100_000);
  t.comment(`seed ${seed} (BACKUP_SEED=${seed} repeats this run)`);
  const traffic = v9Traffic(6000, seed);
  const dirA = fs.mkdtempSync(path.join(tmp, 'a-'));
  const dirB = fs.mkdtempSync(path.join(tmp, 'b-'));
  const backup = path.join(tmp, 'backup');

  // a small tracker (the least recently updated sessions move on to the store) and small segments:
  // the store has segment files beside the checkpoint while traffic flows
  const a = await startServer({ dir: dirA, storageInterval: 1, args: ['--segmentsize', '1000', '--conntracksize', '500'] });
  t.teardown(() => a.stop());
  const adminToken = await a.login();
  const add = await fetch(a.url('/api/v1/users'), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(EXTRA_USER),
  });
  t.equal(add.status, 201, `user ${EXTRA_USER.username} added: ${await add.text()}`);

  // twelve seconds of traffic; the backup starts 3.5 s in, and has time to finish before the end even
  // on a loaded machine (starting the backup process alone can take seconds there)
  const sending = sendTimed(a.ports.netflow, traffic, { ratePerSecond: traffic.datagrams.length / 12 });
  await new Promise((r) => setTimeout(r, 3500));
  const backupStarted = Date.now();
  const made = await ftserver([...pathsOf(dirA), 'backup', backup], tmp);
  const backupEnded = Date.now();
  const sentAt = await sending;
  t.ok(backupEnded < sentAt.at(-1)!, 'the backup ended while traffic was still being sent');
  t.equal(made.code, 0, `backup while the server ingests: exit 0 (${made.stderr.trim().split('\n').at(-1) ?? ''})`);
  const report = JSON.parse(made.stdout) as { segments: number; rows: number; checkpointFiles: number; userdataFiles: string[] };
  t.ok(report.segments > 0 && report.checkpointFiles > 0, `the backup has ${report.segments} store segments (${report.rows} sessions) and ${report.checkpointFiles} checkpoint files`);
  t.ok(fs.existsSync(path.join(backup, 'manifest.json')), 'the backup has its manifest');
  t.ok(report.userdataFiles.includes('users.json'), `the user file is in the backup (${report.userdataFiles.join(', ')})`);

  t.equal(await netflowReceived(a, traffic.datagrams.length), traffic.datagrams.length, 'the original server received every datagram');
  const original = await stored(a);
  t.equal(original.size, traffic.sessions.length, 'the original server has every session sent');
  t.equal((await a.stop()).code, 0, 'the original server stopped cleanly');

  const held = backupSessions(backup);
  t.ok(held.size > 0 && held.size < traffic.sessions.length, `the backup holds ${held.size} of the ${traffic.sessions.length} sessions (taken mid-stream)`);
  t.same([...held].filter(([, v]) => v.size > 1).map(([k, v]) => `${k}: ${[...v].join(' / ')}`), [], 'the backup gives each session one set of counters');

  // restore replaces a store: without a terminal to ask at, only with --yes
  const unconfirmedRestore = await ftserver([...pathsOf(dirB), 'restore', backup], tmp);
  t.equal(unconfirmedRestore.code, 2, 'restore without --yes and without a terminal: exit 2');
  t.match(unconfirmedRestore.stderr, /ftserver: restore replaces the store and the users: confirm with --yes when not at a terminal/, unconfirmedRestore.stderr.trim().split('\n')[0]);
  t.same(fs.readdirSync(dirB), [], 'nothing restored, nothing created');

  // restore into a fresh pair of directories (another server config), then run a server on them
  const restored = await ftserver([...pathsOf(dirB), 'restore', backup, '--yes'], tmp);
  t.equal(restored.code, 0, `restore into a new store: exit 0 (${restored.stderr.trim().split('\n').at(-1) ?? ''})`);
  t.match(JSON.parse(restored.stdout) as Record<string, unknown>, { rows: report.rows, segments: report.segments, userdataRestored: report.userdataFiles }, 'the restore report matches the backup report');
  // a different initial password: only the restored user file can let admin in with the original one
  const b = await startServer({ dir: dirB, args: ['--init-admin-password', 'not-the-original-password'] });
  t.teardown(() => b.stop());
  const back = await stored(b);
  t.pass('admin logs in to the restored server with the original password');
  await b.login(EXTRA_USER.username, EXTRA_USER.password);
  t.pass(`${EXTRA_USER.username} logs in to the restored server with its password`);

  const wrong: string[] = [];
  for (const [key, v] of held) {
    const g = back.get(key);
    const want = [...v][0];
    if (g === undefined || `${g.bytes} bytes ${g.packets} packets` !== want) wrong.push(`${key}: backup ${want}, restored ${g === undefined ? 'missing' : `${g.bytes} bytes ${g.packets} packets`}`);
  }
  t.same(wrong.slice(0, 10), [], `every session the backup holds is queryable with its counters (${wrong.length} not)`);
  t.same([...back.keys()].filter((k) => !held.has(k)).slice(0, 10), [], 'the restored server has no session the backup does not hold');
  t.same([...back].filter(([, g]) => g.records !== 1).map(([k]) => k).slice(0, 10), [], 'no session twice');
  const notOriginal = [...back].filter(([k, g]) => {
    const o = original.get(k);
    return o === undefined || g.bytes > o.bytes || g.packets > o.packets;
  });
  t.same(notOriginal.map(([k, g]) => `${k}: ${JSON.stringify(g)} vs ${JSON.stringify(original.get(k))}`).slice(0, 10), [], 'a subset of the original: no session it lacks, no more than it counted');
  // what arrived two storage intervals before the backup began was checkpointed: it is all there, whole
  const mustHave = sentWholeBefore(traffic, sentAt, backupStarted - 2000);
  t.ok(mustHave > 0, `${mustHave} sessions were sent whole more than 2 s before the backup began`);
  const lost = traffic.sessions.slice(0, mustHave).filter((s) => {
    const g = back.get(s.key);
    return g === undefined || g.bytes !== s.bytes || g.packets !== s.packets;
  });
  t.same(lost.map((s) => s.key).slice(0, 10), [], `each of them restored whole (${lost.length} not)`);

  // a running server holds its store: restore and clear are refused, the server goes on
  const onRunning = await ftserver([...pathsOf(dirB), 'restore', '--yes', backup], tmp);
  t.equal(onRunning.code, 1, 'restore onto a running server: exit 1');
  t.match(onRunning.stderr, /ftserver: .*(running|lock)/i, `it says why: ${onRunning.stderr.trim()}`);
  const clearRunning = await ftserver([...pathsOf(dirB), 'clear', '--yes'], tmp);
  t.equal(clearRunning.code, 1, `clear --yes on a running server: exit 1 (${clearRunning.stderr.trim()})`);
  t.equal((await stored(b)).size, back.size, 'the running server still has every restored session');
  t.equal((await b.stop()).code, 0, 'the restored server stopped cleanly');

  // one flipped byte in a segment file of a copy of the backup: refused, the target untouched
  const bad = path.join(tmp, 'backup-corrupt');
  fs.cpSync(backup, bad, { recursive: true });
  const victim = segmentFiles(path.join(bad, 'store')).filter((f) => path.basename(path.dirname(f)) === 'store').sort((x, y) => fs.statSync(y).size - fs.statSync(x).size)[0];
  if (victim === undefined) throw new Error(`the backup ${backup} has no store segment to damage`);
  const bytes = fs.readFileSync(victim);
  bytes[bytes.length >> 1] ^= 0x10;
  fs.writeFileSync(victim, bytes);
  const before = snapshot(dirB);
  const refused = await ftserver([...pathsOf(dirB), 'restore', bad, '-y'], tmp);
  t.equal(refused.code, 1, 'restore of a corrupted backup: exit 1');
  t.match(refused.stderr, new RegExp(`ftserver: .*${path.basename(victim)}.*nothing was restored`), `the message names the damaged file and says nothing was restored: ${refused.stderr.trim()}`);
  t.same(snapshot(dirB), before, 'the target store and user data are untouched');

  // at a terminal restore and clear ask, after the backup is verified; anything but "yes" changes nothing
  const dbB = path.join(dirB, 'SESSIONDB');
  const noRestore = await atTerminal([...pathsOf(dirB), 'restore', backup], 'no', tmp);
  t.equal(noRestore.code, 0, `restore answered "no": exit 0 (${noRestore.output.trim().split('\n').at(-1) ?? ''})`);
  const question = new RegExp(`Replace the \\d+ sessions in ${dbB} and users\\.json.* in ${path.join(dirB, 'USERDATA')} with the backup ${backup} \\(${report.rows} sessions\\)\\? Type "yes" to confirm:`);
  t.match(noRestore.output, question, 'it asks what is replaced by what');
  t.match(noRestore.output, /ftserver: nothing restored: replacing .* was not confirmed/, 'and says nothing was restored');
  t.same(snapshot(dirB), before, 'nothing changed');
  const noClear = await atTerminal([...pathsOf(dirB), 'clear'], 'y', tmp);
  t.equal(noClear.code, 0, 'clear answered "y": exit 0');
  t.match(noClear.output, new RegExp(`Delete all \\d+ sessions in ${dbB}\\? Type "yes" to confirm:`), 'clear asks too');
  t.match(noClear.output, /ftserver: nothing deleted/);
  t.same(snapshot(dirB), before, 'nothing deleted');
  const yesRestore = await atTerminal([...pathsOf(dirB), 'restore', backup], 'yes', tmp);
  t.equal(yesRestore.code, 0, `restore answered "yes": exit 0 (${yesRestore.output.trim().split('\n').at(-1) ?? ''})`);
  t.match(yesRestore.output, new RegExp(`"rows":${report.rows},`), 'and restores');
  const restoredAgain = snapshot(dirB);

  // clear: refused without --yes when not at a terminal; with --yes it empties the store, users stay
  const unconfirmed = await ftserver([...pathsOf(dirB), 'clear'], tmp);
  t.equal(unconfirmed.code, 2, 'clear without --yes and without a terminal: exit 2');
  t.match(unconfirmed.stderr, /--yes/, `it says how to confirm: ${unconfirmed.stderr.trim().split('\n')[0]}`);
  t.same(snapshot(dirB), restoredAgain, 'nothing deleted');
  const users = fs.readFileSync(path.join(dirB, 'USERDATA', 'users.json'), 'utf8');
  const cleared = await ftserver([...pathsOf(dirB), 'clear', '--yes'], tmp);
  t.equal(cleared.code, 0, `clear --yes: exit 0 (${cleared.stderr.trim()})`);
  t.same(segmentFiles(path.join(dirB, 'SESSIONDB')), [], 'no segment file left in the store');
  t.equal(fs.readFileSync(path.join(dirB, 'USERDATA', 'users.json'), 'utf8'), users, 'the user file is kept as it was');
  const c = await startServer({ dir: dirB, ports: b.ports, args: ['--init-admin-password', 'not-the-original-password'] });
  t.teardown(() => c.stop());
  t.equal((await stored(c)).size, 0, 'the server on the cleared store has no session');
  await c.login(EXTRA_USER.username, EXTRA_USER.password);
  t.pass('the users still log in after clear');
});
