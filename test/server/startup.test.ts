// Starts that must fail, through the real binary: a store written by a newer format or schema version,
// a store path that is a file, a damaged users file, a store another server holds, a log file that
// cannot be opened. Each ends with its documented exit code and a message on stderr and in the log file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import t, { type Test } from 'tap';
import { FORMAT_VERSION, SCHEMA_VERSION, SessionGenerator, allocColumns, writeSegment } from '../../packages/core/src/index.js';
import { ADMIN_PASSWORD, freePort, runFtserver, startServer, type FtserverRun } from '../lib/ftserver.js';

/** Offsets of the segment header fields patched here (docs/storage-format.md; core store/format.ts HEADER). */
const FORMAT_VERSION_AT = 8;
const SCHEMA_VERSION_AT = 10;
const HEADER_CRC_AT = 76;

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftserver-startup-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Start ftserver on `dir`'s store, users and log (or the paths given) and wait for it to exit. */
async function start(dir: string, paths: { databasepath?: string; userdatapath?: string; logfile?: string } = {}): Promise<FtserverRun & { log: string }> {
  const logfile = paths.logfile ?? path.join(dir, 'ftserver.log');
  const r = await runFtserver(
    [
      '--databasepath', paths.databasepath ?? path.join(dir, 'SESSIONDB'),
      '--userdatapath', paths.userdatapath ?? path.join(dir, 'USERDATA'),
      '--logfile', logfile,
      '--listenport', String(await freePort()),
      '--netflowport', String(await freePort()),
      '--sflowport', '',
      '--listenaddress', '127.0.0.1',
      '--init-admin-password', ADMIN_PASSWORD,
    ],
    { cwd: dir },
  );
  let log = '';
  try {
    log = fs.readFileSync(logfile, 'utf8');
  } catch {
    // no log file: the caller checks
  }
  return { ...r, log };
}

/** The failure is on stderr and, the same, in the log file's last line, with the exit code. */
function failedWith(t: Test, r: FtserverRun & { log: string }, code: number, message: RegExp, what: string): void {
  t.equal(r.code, code, `${what}: exit ${code} (${r.stderr.trim()})`);
  t.match(r.stderr, new RegExp(`^ftserver: ${message.source}`, 'm'), `${what}: said on stderr`);
  const last = r.log.trim().split('\n').at(-1) ?? '';
  t.match(last, /ALWAYS\s+ftserver did not start error=/, `${what}: the log file's last line says the server did not start`);
  t.match(last, message, `${what}: with the same reason`);
  t.match(last, new RegExp(`exit=${code}$`), `${what}: and the exit code`);
}

/** One real segment file (60 generated sessions) written by the store's own writer into `databasePath`. */
function realSegment(databasePath: string): string {
  fs.mkdirSync(databasePath, { recursive: true });
  const cols = allocColumns(60);
  const rows = new SessionGenerator({ seed: 3, sessions: 60 }).fill(cols);
  writeSegment(databasePath, 1, cols, rows);
  return path.join(databasePath, 'seg-0000000001.otq');
}

/** `bytes` with the u16 at `at` set to `value` and the header checksum made right again. */
function patchedHeader(bytes: Buffer, at: number, value: number): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt16LE(value, at);
  out.writeUInt32LE(crc32(out.subarray(0, HEADER_CRC_AT)), HEADER_CRC_AT);
  return out;
}

t.test('a store with a segment newer than this server reads: refused at start, the segment left alone', async (t) => {
  const dir = tempDir(t);
  const db = path.join(dir, 'SESSIONDB');
  const file = realSegment(db);
  const original = fs.readFileSync(file);
  t.equal(original.readUInt16LE(FORMAT_VERSION_AT), FORMAT_VERSION, 'the writer wrote the current format version');

  const cases = [
    { what: 'a newer format version', at: FORMAT_VERSION_AT, value: FORMAT_VERSION + 1, message: `segment format version ${FORMAT_VERSION + 1} is newer than this opentraq reads \\(up to ${FORMAT_VERSION}\\)` },
    { what: 'a newer schema version', at: SCHEMA_VERSION_AT, value: SCHEMA_VERSION + 1, message: `segment schema version ${SCHEMA_VERSION + 1} is newer than this opentraq knows \\(up to ${SCHEMA_VERSION}\\)` },
  ];
  for (const c of cases) {
    const newer = patchedHeader(original, c.at, c.value);
    fs.writeFileSync(file, newer);
    const r = await start(dir);
    failedWith(t, r, 1, new RegExp(`cannot use the store: .*seg-0000000001\\.otq: ${c.message}; upgrade opentraq to read this store`), c.what);
    t.same(fs.readdirSync(db).filter((n) => n.startsWith('seg-')), ['seg-0000000001.otq'], `${c.what}: the segment is not set aside as corrupt`);
    t.ok(fs.readFileSync(file).equals(newer), `${c.what}: nor changed`);
  }

  fs.writeFileSync(file, original);
  const s = await startServer({ dir });
  t.teardown(() => s.stop());
  const answer = await s.getJson<{ summary: { sessions: number } }>('/api/v1/stat', await s.login(), { group_by: 'IP', count_by: 'SESSIONS', after_time: 0, before_time: 4102444800 });
  t.equal(answer.summary.sessions, 60, 'the same segment at the current version is served');
  t.equal((await s.stop()).code, 0);
});

t.test('other fatal starts: exit code, stderr and the log file', async (t) => {
  const dir = tempDir(t);

  const notADir = path.join(dir, 'store-file');
  fs.writeFileSync(notADir, 'not a store\n');
  failedWith(t, await start(dir, { databasepath: notADir }), 1, new RegExp(`cannot mkdir ${notADir}: file already exists \\(EEXIST\\)`), 'a store path that is a file');

  const users = path.join(dir, 'damaged-users');
  fs.mkdirSync(users);
  fs.writeFileSync(path.join(users, 'users.json'), '{"version": 1, "users": [');
  const damaged = await start(dir, { userdatapath: users });
  failedWith(t, damaged, 1, new RegExp(`${path.join(users, 'users.json')}: not valid JSON`), 'a damaged users.json');
  t.equal(fs.readFileSync(path.join(users, 'users.json'), 'utf8'), '{"version": 1, "users": [', 'the damaged file is left as it was');

  const running = await startServer({ dir: fs.mkdtempSync(path.join(dir, 'held-')) });
  t.teardown(() => running.stop());
  const second = await start(dir, { databasepath: running.databasePath, logfile: path.join(dir, 'second.log') });
  failedWith(t, second, 1, new RegExp(`.*in use by ftserver process ${running.proc.pid}`), 'a store another server holds');
  t.equal((await running.stop()).code, 0, 'the first server was not disturbed');

  const logDir = path.join(dir, 'log-is-a-directory');
  fs.mkdirSync(logDir);
  const noLog = await start(dir, { logfile: logDir });
  t.equal(noLog.code, 1, `a log file that cannot be opened: exit 1 (${noLog.stderr.trim()})`);
  t.match(noLog.stderr, new RegExp(`^ftserver: cannot open the log file ${logDir}: illegal operation on a directory \\(EISDIR\\)`), 'said on stderr, the only place left');
});
