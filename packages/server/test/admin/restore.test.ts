// Restore refuses every damaged, tampered or too new backup, and a store a server holds, with the
// target store and user files exactly as they were.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { ColumnStore, SCHEMA_VERSION } from '@opentraq/core';
import { PassThrough } from 'node:stream';
import { AdminError, backupStore, confirmRestore, restoreQuestion, restoreStore, verifyBackup, type RestorePlan } from '../../src/admin/index.js';
import { writeCheckpoint } from '../../src/storage/index.js';
import { batch, liveLock, segmentFiles, sha256, snapshot, tmpDir } from './fixture.js';

interface Fixture {
  root: string;
  /** A good backup; tests damage copies of it. */
  backup: string;
  target: string;
  targetUd: string;
}

/** A backup of a small store with a checkpoint and users, and a different target store with its users. */
async function fixture(t: { teardown(fn: () => void): void }): Promise<Fixture> {
  const root = tmpDir(t, 'restore-');
  const db = path.join(root, 'db');
  const store = ColumnStore.open(db, { segmentCount: 100, segmentSize: 40 });
  store.append(batch(0, 100), 100);
  store.flush();
  writeCheckpoint(db, 1, store.nextSegmentId, null, { cols: batch(100, 3), rows: 3 }, true);
  store.close();
  const ud = path.join(root, 'ud');
  fs.mkdirSync(ud);
  fs.writeFileSync(path.join(ud, 'users.json'), '{"backup":true}\n');
  const backup = path.join(root, 'backup');
  await backupStore({ databasePath: db, userdataPath: ud, dest: backup });
  const target = path.join(root, 'target');
  const other = ColumnStore.open(target, { segmentCount: 100, segmentSize: 40 });
  other.append(batch(5000, 50), 50);
  other.close();
  const targetUd = path.join(root, 'target-ud');
  fs.mkdirSync(targetUd);
  fs.writeFileSync(path.join(targetUd, 'users.json'), '{"target":true}\n');
  fs.writeFileSync(path.join(targetUd, 'sessionkeys.json'), '{"keys":[]}\n');
  return { root, backup, target, targetUd };
}

/** A copy of the good backup, changed by `damage`. */
function damaged(f: Fixture, name: string, damage: (dir: string) => void): string {
  const dir = path.join(f.root, `bad-${name}`);
  fs.cpSync(f.backup, dir, { recursive: true });
  damage(dir);
  return dir;
}

function readManifest(dir: string): { files: { path: string; bytes: number; sha256: string }[]; [k: string]: unknown } {
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

function writeManifest(dir: string, m: unknown): void {
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
}

function flipByte(file: string, fromEnd: number): void {
  const b = fs.readFileSync(file);
  b[b.length - fromEnd]! ^= 0x01;
  fs.writeFileSync(file, b);
}

/** Restore must fail with `code` and a message matching `message`, leaving target, users and their parent as they were. */
async function refused(t: Test, f: Fixture, src: string, code: string, message: RegExp, what: string): Promise<void> {
  const before = [snapshot(f.target), snapshot(f.targetUd), fs.readdirSync(f.root).sort()];
  const e = await restoreStore({ src, databasePath: f.target, userdataPath: f.targetUd }).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.ok(e instanceof AdminError, `${what}: an AdminError`);
  t.match(e, { code, message }, `${what}: ${code}`);
  t.same([snapshot(f.target), snapshot(f.targetUd), fs.readdirSync(f.root).sort()], before, `${what}: nothing changed`);
}

t.test('a damaged or tampered backup is refused, naming the file and why, with nothing changed', async (t) => {
  const f = await fixture(t);
  const segs = segmentFiles(path.join(f.backup, 'store'));
  t.ok(segs.length >= 3, 'precondition: several segments');
  const seg = `store/${segs[1]}`;

  await refused(t, f, damaged(f, 'flip', (d) => flipByte(path.join(d, seg), 5)), 'CORRUPT_BACKUP', new RegExp(`${segs[1]} does not match its sha256`), 'one byte flipped in a segment');

  // the same damage with a manifest made to agree: the segment's own column checksum catches it
  const crc = damaged(f, 'flip-crc', (d) => {
    flipByte(path.join(d, seg), 5);
    const m = readManifest(d);
    const e = m.files.find((x) => x.path === seg)!;
    e.sha256 = sha256(path.join(d, seg));
    writeManifest(d, m);
  });
  await refused(t, f, crc, 'CORRUPT_BACKUP', new RegExp(`${segs[1]} is not a sound segment: column \\w+: checksum mismatch`), 'a flipped byte the manifest agrees with');

  await refused(t, f, damaged(f, 'missing', (d) => fs.rmSync(path.join(d, seg))), 'CORRUPT_BACKUP', /is listed in manifest\.json but missing/, 'a segment deleted');
  await refused(
    t,
    f,
    damaged(f, 'missing-ck', (d) => fs.rmSync(path.join(d, 'store', 'checkpoint', 'checkpoint.json'))),
    'CORRUPT_BACKUP',
    /checkpoint\.json is listed in manifest\.json but missing/,
    'the checkpoint record deleted',
  );
  await refused(
    t,
    f,
    damaged(f, 'stray', (d) => fs.copyFileSync(path.join(d, seg), path.join(d, 'store', 'seg-0000009999.otq'))),
    'CORRUPT_BACKUP',
    /seg-0000009999\.otq is not listed in manifest\.json/,
    'a stray segment added',
  );
  await refused(
    t,
    f,
    damaged(f, 'stray-user', (d) => fs.writeFileSync(path.join(d, 'userdata', 'sessionkeys.json'), '{}')),
    'CORRUPT_BACKUP',
    /sessionkeys\.json is not listed/,
    'a stray user file added',
  );
  await refused(t, f, damaged(f, 'truncated-manifest', (d) => fs.truncateSync(path.join(d, 'manifest.json'), 40)), 'CORRUPT_BACKUP', /manifest\.json is not valid JSON/, 'a truncated manifest');
  await refused(t, f, damaged(f, 'no-manifest', (d) => fs.rmSync(path.join(d, 'manifest.json'))), 'CORRUPT_BACKUP', /manifest\.json does not exist: the backup is incomplete/, 'no manifest');
  await refused(
    t,
    f,
    damaged(f, 'foreign', (d) => writeManifest(d, { ...readManifest(d), format: 'tarball' })),
    'CORRUPT_BACKUP',
    /is not an opentraq backup manifest/,
    'a manifest of another format',
  );
  await refused(
    t,
    f,
    damaged(f, 'escape', (d) => {
      const m = readManifest(d);
      m.files[0]!.path = '../../etc/passwd';
      writeManifest(d, m);
    }),
    'CORRUPT_BACKUP',
    /lists "\.\.\/\.\.\/etc\/passwd", which is no file a backup holds/,
    'a manifest naming a file outside the backup',
  );
  await refused(
    t,
    f,
    damaged(f, 'size', (d) => {
      const m = readManifest(d);
      m.files.find((x) => x.path === seg)!.bytes += 1;
      writeManifest(d, m);
    }),
    'CORRUPT_BACKUP',
    /has \d+ bytes, the manifest says \d+/,
    'a size that does not match',
  );
  await refused(t, f, damaged(f, 'rows', (d) => writeManifest(d, { ...readManifest(d), rows: 99 })), 'CORRUPT_BACKUP', /says \d+ segment\(s\) with 99 session\(s\), the files hold \d+ with 100/, 'a row count that does not match');
  await refused(
    t,
    f,
    damaged(f, 'entry', (d) => {
      const m = readManifest(d);
      (m.files[0] as unknown as Record<string, unknown>).sha256 = 'xyz';
      writeManifest(d, m);
    }),
    'CORRUPT_BACKUP',
    /malformed entry 1/,
    'a malformed file entry',
  );

  // the good backup still restores
  const rr = await restoreStore({ src: f.backup, databasePath: f.target, userdataPath: f.targetUd });
  t.equal(rr.rows, 100);
});

t.test('a backup of a newer version is refused', async (t) => {
  const f = await fixture(t);
  await refused(
    t,
    f,
    damaged(f, 'schema', (d) => writeManifest(d, { ...readManifest(d), schemaVersion: SCHEMA_VERSION + 1 })),
    'VERSION',
    new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this opentraq's ${SCHEMA_VERSION}`),
    'a newer schema',
  );
  await refused(t, f, damaged(f, 'format', (d) => writeManifest(d, { ...readManifest(d), version: 2 })), 'VERSION', /backup format version 2, written by a newer opentraq/, 'a newer backup format');
  const v = await verifyBackup(f.backup);
  t.equal(v.manifest.rows, 100, 'verifyBackup accepts the good one');
});

t.test('a store held by a running server is not restored over; a missing backup is NOT_FOUND', async (t) => {
  const f = await fixture(t);
  const live = liveLock(t);
  fs.writeFileSync(path.join(f.target, 'ftserver.lock'), JSON.stringify(live));
  await refused(t, f, f.backup, 'LOCKED', new RegExp(`in use by ftserver process ${live.pid} .*stop that server first`), 'a live lock');
  fs.writeFileSync(path.join(f.target, 'ftserver.lock'), JSON.stringify({ pid: 1, startedAt: '2026-01-01T00:00:00.000Z', hostname: 'elsewhere.example' }));
  await refused(t, f, f.backup, 'LOCKED', /on host elsewhere\.example, which cannot be checked from here/, 'a lock of another host');
  fs.rmSync(path.join(f.target, 'ftserver.lock'));
  const e = await restoreStore({ src: path.join(f.root, 'nope'), databasePath: f.target, userdataPath: f.targetUd }).catch((err: unknown) => err);
  t.match(e, { code: 'NOT_FOUND', exitCode: 2 });
  const inside = await restoreStore({ src: f.backup, databasePath: path.join(f.backup, 'store'), userdataPath: f.targetUd }).catch((err: unknown) => err);
  t.match(inside, { code: 'USAGE', message: /overlap/ }, 'a restore onto the backup itself');
});

t.test('a restore into a path that does not exist creates it; a failed one leaves no trace', async (t) => {
  const f = await fixture(t);
  const fresh = path.join(f.root, 'fresh', 'db');
  const bad = damaged(f, 'late', (d) => flipByte(path.join(d, 'store', segmentFiles(path.join(d, 'store'))[0]!), 3));
  const e = await restoreStore({ src: bad, databasePath: fresh, userdataPath: path.join(f.root, 'fresh', 'ud') }).catch((err: unknown) => err);
  t.match(e, { code: 'CORRUPT_BACKUP', exitCode: 1 });
  t.notOk(fs.existsSync(path.join(f.root, 'fresh')), 'nothing created');
  const rr = await restoreStore({ src: f.backup, databasePath: fresh, userdataPath: path.join(f.root, 'fresh', 'ud') });
  t.equal(rr.rows, 100);
  t.same(fs.readdirSync(path.join(f.root, 'fresh')).sort(), ['db', 'ud']);
});

t.test('a backup changed after its verification is caught while copying; the store stays locked meanwhile', async (t) => {
  const f = await fixture(t);
  const src = damaged(f, 'toctou', () => undefined);
  const before = [snapshot(f.target), snapshot(f.targetUd)];
  let lockDuringCopy: unknown;
  const e = await restoreStore({
    src,
    databasePath: f.target,
    userdataPath: f.targetUd,
    onProgress: (m) => {
      if (!m.startsWith('copying the backup')) return;
      lockDuringCopy = JSON.parse(fs.readFileSync(path.join(f.target, 'ftserver.lock'), 'utf8'));
      flipByte(path.join(src, 'store', segmentFiles(path.join(src, 'store')).at(-1)!), 2);
    },
  }).catch((err: unknown) => err);
  t.match(lockDuringCopy, { pid: process.pid, hostname: os.hostname() }, 'the restore holds the store lock');
  t.match(e, { code: 'CORRUPT_BACKUP', message: /changed after it was verified/ });
  t.same([snapshot(f.target), snapshot(f.targetUd)], before, 'nothing changed, lock released');
  t.notOk(fs.readdirSync(f.root).some((n) => n.startsWith('target.')), 'no restore or old directory left');
});

t.test('confirm is asked after the verification, with what is replaced by what; no means nothing changes', async (t) => {
  const f = await fixture(t);
  const before = [snapshot(f.target), snapshot(f.targetUd), fs.readdirSync(f.root).sort()];
  const plans: RestorePlan[] = [];
  const declined = await restoreStore({
    src: f.backup,
    databasePath: f.target,
    userdataPath: f.targetUd,
    confirm: async (plan) => {
      plans.push(plan);
      return false;
    },
  }).catch((err: unknown) => err);
  t.ok(declined instanceof AdminError, 'declined: an AdminError');
  t.match(declined, { code: 'DECLINED', exitCode: 0, message: /nothing restored/ });
  t.same([snapshot(f.target), snapshot(f.targetUd), fs.readdirSync(f.root).sort()], before, 'nothing changed');
  // the fixture's target holds 50 sessions, its backup 100 sessions and users.json
  t.same(plans, [{ src: f.backup, databasePath: f.target, storedRows: 50, userdataPath: f.targetUd, userFiles: ['users.json'], backupRows: 100, backupSegments: plans[0]?.backupSegments }]);
  t.ok((plans[0]?.backupSegments ?? 0) >= 3, 'with the segment count of the backup');

  // a damaged backup is refused before anyone is asked
  const bad = damaged(f, 'unasked', (d) => flipByte(path.join(d, 'store', segmentFiles(path.join(d, 'store'))[0]!), 3));
  let asked = false;
  const e = await restoreStore({ src: bad, databasePath: f.target, userdataPath: f.targetUd, confirm: async () => (asked = true) }).catch((err: unknown) => err);
  t.match(e, { code: 'CORRUPT_BACKUP' });
  t.notOk(asked, 'no question for a backup that cannot be restored');

  const fresh = path.join(f.root, 'fresh', 'db');
  let freshPlan: RestorePlan | undefined;
  const rr = await restoreStore({ src: f.backup, databasePath: fresh, userdataPath: f.targetUd, confirm: async (plan) => ((freshPlan = plan), true) });
  t.equal(rr.rows, 100, 'yes restores');
  t.equal(freshPlan?.storedRows, 0, 'a store that does not exist yet holds no session');
});

t.test('confirmRestore asks one line and takes only "yes"', async (t) => {
  const plan: RestorePlan = { src: '/b', databasePath: '/db', storedRows: 120, userdataPath: '/ud', userFiles: ['users.json', 'alerts.ndjson'], backupRows: 100, backupSegments: 2 };
  t.equal(restoreQuestion(plan), 'Replace the 120 sessions in /db and users.json, alerts.ndjson in /ud with the backup /b (100 sessions)? Type "yes" to confirm: ');
  t.equal(restoreQuestion({ ...plan, userFiles: [] }), 'Replace the 120 sessions in /db with the backup /b (100 sessions)? Type "yes" to confirm: ', 'no user files, none named');
  const ask = async (input: string | null): Promise<{ answer: boolean; prompt: string }> => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let prompt = '';
    stdout.on('data', (d: Buffer) => (prompt += d.toString()));
    const p = confirmRestore(stdin, stdout, plan);
    if (input === null) stdin.end();
    else stdin.end(input);
    return { answer: await p, prompt };
  };
  const yes = await ask(' yes \n');
  t.same(yes, { answer: true, prompt: restoreQuestion(plan) });
  for (const input of ['no\n', 'YES\n', 'y\n', '\n', null]) t.equal((await ask(input)).answer, false, JSON.stringify(input));
});
