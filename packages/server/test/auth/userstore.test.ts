// Tests of the users file: creation of the first administrator, the file format and its permissions,
// refusal of damaged files, verification, every user-management rule and error, concurrent changes.

import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuthError, UserStore, type AuthErrorCode, type UserStoreOptions } from '../../src/auth/index.js';

// Low scrypt cost keeps these tests fast; one test below uses the production parameters.
const FAST = { N: 16 } as const;

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentraq-users-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(dir: string, opts: UserStoreOptions = {}): UserStore {
  return UserStore.open(dir, { scrypt: FAST, initAdminPassword: 'admin-pw', ...opts }).store;
}

async function rejectsCode(t: Test, p: Promise<unknown> | (() => unknown), code: AuthErrorCode, status: number, what: string): Promise<AuthError | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    t.ok(e instanceof AuthError, `${what}: an AuthError`);
    const err = e as AuthError;
    t.equal(err.code, code, `${what}: code ${code}`);
    t.equal(err.status, status, `${what}: status ${status}`);
    return err;
  }
  t.fail(`${what}: expected ${code}, nothing was thrown`);
  return undefined;
}

function fileMode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

t.test('first open creates admin with a generated password, printed once', async (t) => {
  const parent = tempDir(t);
  const dir = path.join(parent, 'USERDATA');
  let clock = 1_700_000_000_000;
  const opened = UserStore.open(dir, { scrypt: FAST, now: () => clock });
  t.equal(opened.created, true);
  const pw = opened.initialAdminPassword;
  t.type(pw, 'string');
  t.ok(pw !== null && pw.length >= 20, 'at least 20 characters');
  t.match(pw, /^[A-Za-z0-9_-]+$/, 'URL-safe alphabet');
  t.equal(fileMode(dir), 0o700, 'directory created with mode 0700');
  const file = path.join(dir, 'users.json');
  t.equal(fileMode(file), 0o600, 'users.json has mode 0600');
  t.same(fs.readdirSync(dir), ['users.json'], 'no temporary file left behind');

  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  t.equal(doc.version, 1);
  t.equal(doc.users.length, 1);
  const u = doc.users[0];
  t.same({ name: u.name, admin: u.admin, created: u.created, lastLogin: u.lastLogin }, { name: 'admin', admin: true, created: 1_700_000_000_000, lastLogin: null });
  t.same({ alg: u.kdf.alg, N: u.kdf.N, r: u.kdf.r, p: u.kdf.p }, { alg: 'scrypt', N: 16, r: 8, p: 1 });
  t.equal(Buffer.from(u.kdf.salt, 'base64').length, 32, '32-byte salt');
  t.equal(Buffer.from(u.kdf.hash, 'base64').length, 64, '64-byte key');
  t.notOk(fs.readFileSync(file, 'utf8').includes(pw!), 'the password is not in the file');

  clock += 5_000;
  const info = await opened.store.verify('admin', pw!);
  t.same(info, { name: 'admin', admin: true, created: 1_700_000_000_000, lastLogin: 1_700_000_005_000 });
  t.equal(await opened.store.verify('admin', pw! + 'x'), null);

  const again = UserStore.open(dir, { scrypt: FAST });
  t.equal(again.initialAdminPassword, null, 'no password the second time');
  t.equal(again.created, false);
});

t.test('a given initial password is used and not echoed; production scrypt parameters', async (t) => {
  const dir = tempDir(t);
  const opened = UserStore.open(dir, { initAdminPassword: 'correct horse battery staple' });
  t.equal(opened.initialAdminPassword, null);
  t.equal(opened.created, true);
  const kdf = JSON.parse(fs.readFileSync(path.join(dir, 'users.json'), 'utf8')).users[0].kdf;
  t.same({ N: kdf.N, r: kdf.r, p: kdf.p }, { N: 32768, r: 8, p: 1 }, 'N = 2^15, r = 8, p = 1');
  t.equal((await opened.store.verify('admin', 'correct horse battery staple'))?.name, 'admin');
  t.equal(await opened.store.verify('admin', 'correct horse battery stapler'), null);
  t.equal(await opened.store.verify('nobody', 'correct horse battery staple'), null, 'unknown user, production cost');
  await opened.store.setPassword('admin', 'tr0ub4dor&3');
  t.equal((await opened.store.verify('admin', 'tr0ub4dor&3'))?.name, 'admin', 'async hashing with production cost');
  await opened.store.flush();

  await rejectsCode(t, () => UserStore.open(tempDir(t), { initAdminPassword: '' }), 'BAD_PASSWORD', 400, 'empty initial password');
  await rejectsCode(t, () => UserStore.open(tempDir(t), { scrypt: { N: 1000 } }), 'BAD_OPTION', 500, 'N not a power of two');
});

t.test('an existing file is read back, and the initial password option is then ignored', async (t) => {
  const dir = tempDir(t);
  const store = open(dir, { now: () => 1000 });
  await store.add('bob', 'bob-pw', false);
  await store.add('carol', 'carol-pw', true);
  const reopened = UserStore.open(dir, { scrypt: FAST, initAdminPassword: 'other' });
  t.equal(reopened.initialAdminPassword, null);
  t.equal(reopened.created, false);
  t.same(reopened.warnings, []);
  t.same(
    reopened.store.list().map((u) => [u.name, u.admin, u.created]),
    [
      ['admin', true, 1000],
      ['bob', false, 1000],
      ['carol', true, 1000],
    ],
  );
  t.ok(await reopened.store.verify('bob', 'bob-pw'));
  t.ok(await reopened.store.verify('admin', 'admin-pw'), 'the old admin password still works');
  t.equal(await reopened.store.verify('admin', 'other'), null, 'the option did not change it');
});

t.test('a users file readable by others is tightened to 0600 and reported', async (t) => {
  const dir = tempDir(t);
  open(dir);
  const file = path.join(dir, 'users.json');
  fs.chmodSync(file, 0o644);
  const opened = UserStore.open(dir, { scrypt: FAST });
  t.equal(fileMode(file), 0o600);
  t.equal(opened.warnings.length, 1);
  t.match(opened.warnings[0], /users\.json was open to other users \(mode 0644\); its mode is now 0600/);
});

t.test('damaged or unknown files are refused and never overwritten', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'users.json');
  open(dir);
  const good = JSON.parse(fs.readFileSync(file, 'utf8'));
  const admin = good.users[0];
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"version": 1, "users": [', /not valid JSON/],
    ['empty file', '', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['newer version', JSON.stringify({ ...good, version: 2 }), /version is 2; this server reads version 1 \(the file was written by a newer opentraq\)/],
    ['no version', JSON.stringify({ users: good.users }), /version is undefined/],
    ['users not an array', JSON.stringify({ version: 1, users: {} }), /"users" must be an array/],
    ['no users', JSON.stringify({ version: 1, users: [] }), /has no users/],
    ['no administrator', JSON.stringify({ version: 1, users: [{ ...admin, admin: false }] }), /no user is an administrator/],
    ['duplicate user', JSON.stringify({ version: 1, users: [admin, admin] }), /"admin" appears twice/],
    ['bad name', JSON.stringify({ version: 1, users: [{ ...admin, name: 'a b' }] }), /users\[0\]\.name: the user name "a b" contains " "/],
    ['missing kdf', JSON.stringify({ version: 1, users: [{ ...admin, kdf: undefined }] }), /users\[0\] \(user admin\): kdf must be an object/],
    ['unknown kdf', JSON.stringify({ version: 1, users: [{ ...admin, kdf: { ...admin.kdf, alg: 'md5' } }] }), /kdf\.alg is "md5"/],
    ['absurd N', JSON.stringify({ version: 1, users: [{ ...admin, kdf: { ...admin.kdf, N: 2 ** 40 } }] }), /scrypt N must be a power of two/],
    ['bad salt', JSON.stringify({ version: 1, users: [{ ...admin, kdf: { ...admin.kdf, salt: 'not base64!' } }] }), /kdf\.salt must be a base64 string/],
    ['bad created', JSON.stringify({ version: 1, users: [{ ...admin, created: 'yesterday' }] }), /users\[0\]\.created \(user admin\)/],
    ['bad lastLogin', JSON.stringify({ version: 1, users: [{ ...admin, lastLogin: '2024' }] }), /lastLogin \(user admin\) must be null or a time/],
  ];
  for (const [what, text, message] of cases) {
    fs.writeFileSync(file, text);
    const err = await rejectsCode(t, () => UserStore.open(dir, { scrypt: FAST, initAdminPassword: 'x' }), 'USERS_FILE', 500, what);
    t.match(err?.message, message, `${what}: says what is wrong`);
    t.ok(err?.message.includes(file), `${what}: names the file`);
    t.equal(err?.path, file);
    t.equal(fs.readFileSync(file, 'utf8'), text, `${what}: the file is untouched`);
  }
  fs.rmSync(file);
  fs.mkdirSync(file);
  const err = await rejectsCode(t, () => UserStore.open(dir, { scrypt: FAST }), 'USERS_FILE', 500, 'a directory in its place');
  t.match(err?.message, /cannot read .*users\.json: it is not a regular file/);
  t.ok(fs.statSync(file).isDirectory(), 'left as it was');
});

t.test('verify: good, wrong, unknown, and malformed input', async (t) => {
  const dir = tempDir(t);
  const store = open(dir);
  await store.add('bob', 'pässwörd', false);
  t.equal((await store.verify('bob', 'pässwörd'))?.name, 'bob');
  t.equal((await store.verify('bob', 'pa\u0308sswo\u0308rd'))?.name, 'bob', 'the decomposed form of the same password');
  t.equal(await store.verify('bob', 'passwörd'), null, 'wrong password');
  t.equal(await store.verify('Bob', 'pässwörd'), null, 'names are case-sensitive');
  t.equal(await store.verify('mallory', 'pässwörd'), null, 'unknown user');
  t.equal(await store.verify('bob', ''), null, 'empty password');
  t.equal(await store.verify('bob', 'x'.repeat(1025)), null, 'too long');
  t.equal(await store.verify(42 as unknown as string, 'x'), null, 'a number as name');
  t.equal(await store.verify('bob', null as unknown as string), null, 'null password');
  t.equal(await store.verify('', 'x'), null, 'empty name');
});

t.test('add, remove, setAdmin, setPassword and their errors', async (t) => {
  const dir = tempDir(t);
  let clock = 10;
  const store = open(dir, { now: () => clock });

  t.same(await store.add('a.b_c@d-e', 'p', false), { name: 'a.b_c@d-e', admin: false, created: 10, lastLogin: null }, 'every allowed character');
  t.ok(await store.add('x'.repeat(64), 'y'.repeat(1024), false), '64-character name, 1024-character password');
  t.ok(await store.add('emoji', '🔑'.repeat(1024), false), '1024 characters outside the BMP');
  for (const [name, why] of [
    ['', 'empty'],
    ['x'.repeat(65), '65 characters'],
    ['a b', 'a space'],
    ['josé', 'a non-ASCII letter'],
    ['a/b', 'a slash'],
  ] as const) {
    await rejectsCode(t, store.add(name, 'pw', false), 'BAD_NAME', 400, `name with ${why}`);
  }
  await rejectsCode(t, store.add(7 as unknown as string, 'pw', false), 'BAD_REQUEST', 400, 'name not a string');
  await rejectsCode(t, store.add('ok', '', false), 'BAD_PASSWORD', 400, 'empty password');
  await rejectsCode(t, store.add('ok', 'y'.repeat(1025), false), 'BAD_PASSWORD', 400, '1025 characters');
  await rejectsCode(t, store.add('ok', 'ab\ud800', false), 'BAD_PASSWORD', 400, 'lone surrogate');
  await rejectsCode(t, store.add('ok', 'pw', 'yes' as unknown as boolean), 'BAD_REQUEST', 400, 'admin flag not a boolean');
  const dup = await rejectsCode(t, store.add('admin', 'pw', false), 'USER_EXISTS', 409, 'duplicate');
  t.match(dup?.message, /a user called "admin" already exists/);
  t.equal(store.get('ok'), undefined, 'nothing was added by the failures');

  await rejectsCode(t, store.remove('ghost'), 'NO_SUCH_USER', 404, 'remove unknown');
  await rejectsCode(t, store.remove('bad name'), 'BAD_NAME', 400, 'remove bad name');
  const last = await rejectsCode(t, store.remove('admin'), 'LAST_ADMIN', 409, 'remove the last admin');
  t.match(last?.message, /admin is the last administrator and cannot be removed/);
  await rejectsCode(t, store.setAdmin('admin', false), 'LAST_ADMIN', 409, 'demote the last admin');
  await rejectsCode(t, store.setAdmin('ghost', true), 'NO_SUCH_USER', 404, 'setAdmin unknown');
  t.equal(store.get('admin')?.admin, true, 'still an administrator');

  clock = 20;
  t.same(await store.setAdmin('a.b_c@d-e', true), { name: 'a.b_c@d-e', admin: true, created: 10, lastLogin: null });
  t.same(await store.setAdmin('a.b_c@d-e', true), { name: 'a.b_c@d-e', admin: true, created: 10, lastLogin: null }, 'granting twice is harmless');
  t.same(await store.setAdmin('admin', false), { name: 'admin', admin: false, created: 10, lastLogin: null }, 'now admin may be demoted');
  await rejectsCode(t, store.remove('a.b_c@d-e'), 'LAST_ADMIN', 409, 'the new last admin is protected');
  await store.setAdmin('admin', true);
  await store.remove('a.b_c@d-e');
  t.equal(store.get('a.b_c@d-e'), undefined, 'removed');
  await store.remove('emoji');

  await rejectsCode(t, store.setPassword('ghost', 'pw'), 'NO_SUCH_USER', 404, 'setPassword unknown');
  await rejectsCode(t, store.setPassword('admin', ''), 'BAD_PASSWORD', 400, 'setPassword empty');
  await store.setPassword('admin', 'new-admin-pw');
  t.equal(await store.verify('admin', 'admin-pw'), null, 'the old password no longer works');
  t.ok(await store.verify('admin', 'new-admin-pw'));

  const reopened = UserStore.open(dir, { scrypt: FAST }).store;
  t.same(
    reopened.list().map((u) => [u.name, u.admin]),
    [
      ['admin', true],
      ['x'.repeat(64), false],
    ],
    'every change is in the file',
  );
  t.ok(await reopened.verify('admin', 'new-admin-pw'));
});

t.test('concurrent changes are serialised and none is lost', async (t) => {
  const dir = tempDir(t);
  const store = open(dir);
  const names = Array.from({ length: 25 }, (_, i) => `user${String(i).padStart(2, '0')}`);
  const results = await Promise.allSettled([
    ...names.map((n, i) => store.add(n, `pw${i}`, i % 5 === 0)),
    store.add('user03', 'dup', false),
  ]);
  const rejected = results.filter((r) => r.status === 'rejected');
  t.equal(rejected.length, 1, 'exactly one of the two user03 adds fails');
  t.equal(((rejected[0] as PromiseRejectedResult).reason as AuthError).code, 'USER_EXISTS');
  t.equal(store.list().length, 26);

  // two admins are demoted at the same time as the others: the last-admin rule holds under concurrency
  const admins = store.list().filter((u) => u.admin).map((u) => u.name);
  const demotions = await Promise.allSettled(admins.map((n) => store.setAdmin(n, false)));
  t.equal(demotions.filter((r) => r.status === 'rejected').length, 1, 'one administrator remains');
  t.equal(store.list().filter((u) => u.admin).length, 1);

  const remaining = store.list().find((u) => u.admin)!.name;
  const doomed = names.filter((n) => n !== remaining).slice(10);
  await Promise.all(doomed.map((n) => store.remove(n)));
  const onDisk = UserStore.open(dir, { scrypt: FAST }).store.list();
  t.same(onDisk.map((u) => u.name), ['admin', ...names].filter((n) => !doomed.includes(n)));
  t.equal(onDisk.length, 12, '26 users less 14 removed');
  t.equal(onDisk.filter((u) => u.admin).length, 1);
});

t.test('last login is recorded, written lazily, and flushed', async (t) => {
  const dir = tempDir(t);
  let clock = 1_000;
  const store = open(dir, { now: () => clock, lastLoginWriteMs: 60_000 });
  await store.add('bob', 'pw', false);
  clock = 2_000;
  t.equal((await store.verify('bob', 'pw'))?.lastLogin, 2_000);
  t.equal(store.get('bob')?.lastLogin, 2_000);
  t.equal(UserStore.open(dir, { scrypt: FAST }).store.get('bob')?.lastLogin, null, 'not yet in the file');
  clock = 3_000;
  store.recordLogin('bob');
  await store.add('carol', 'pw', false);
  t.equal(UserStore.open(dir, { scrypt: FAST }).store.get('bob')?.lastLogin, 3_000, 'written with the next change');
  clock = 4_000;
  await store.verify('carol', 'pw');
  await store.flush();
  const reread = UserStore.open(dir, { scrypt: FAST }).store;
  t.same(reread.list().map((u) => [u.name, u.lastLogin]), [
    ['admin', null],
    ['bob', 3_000],
    ['carol', 4_000],
  ]);
  t.equal(store.recordLogin('ghost'), undefined);
});

t.test('lazy last-login writes happen on their own', async (t) => {
  const dir = tempDir(t);
  const store = open(dir, { now: () => 5_000, lastLoginWriteMs: 10 });
  await store.verify('admin', 'admin-pw');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(UserStore.open(dir, { scrypt: FAST }).store.get('admin')?.lastLogin, 5_000);
});

t.test('a write that fails changes nothing and says why', async (t) => {
  const dir = tempDir(t);
  const errors: AuthError[] = [];
  const store = open(dir, { lastLoginWriteMs: 10, onError: (e) => errors.push(e) });
  await store.add('bob', 'pw', false);
  fs.rmSync(dir, { recursive: true });
  const err = await rejectsCode(t, store.add('carol', 'pw', false), 'WRITE_FAILED', 500, 'directory gone');
  t.match(err?.message, /cannot write .*users\.json: .*; the change was not made/);
  t.equal(store.get('carol'), undefined);
  await rejectsCode(t, store.remove('bob'), 'WRITE_FAILED', 500, 'remove');
  t.ok(store.get('bob'), 'bob is still there');
  await store.verify('bob', 'pw');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(errors.length, 1, 'the failed lazy write was reported');
  t.equal(errors[0]?.code, 'WRITE_FAILED');
  await rejectsCode(t, store.flush(), 'WRITE_FAILED', 500, 'flush retries and reports');
  fs.mkdirSync(dir);
  await store.flush();
  const back = UserStore.open(dir, { scrypt: FAST }).store;
  t.same(back.list().map((u) => u.name), ['admin', 'bob'], 'the retry wrote the whole state');
  t.type(back.get('bob')?.lastLogin, 'number');
});

t.test('change listeners hear each change after it is stored', async (t) => {
  const dir = tempDir(t);
  const store = open(dir);
  const heard: string[] = [];
  const stop = store.onChange((name, change) => heard.push(`${change} ${name} ${store.get(name) === undefined ? 'gone' : 'present'}`));
  await store.add('bob', 'pw', false);
  await store.setAdmin('bob', true);
  await store.setAdmin('bob', true);
  await store.setPassword('bob', 'pw2');
  await store.remove('bob');
  await rejectsCode(t, store.remove('bob'), 'NO_SUCH_USER', 404, 'a failed change');
  stop();
  await store.add('carol', 'pw', false);
  t.same(heard, ['added bob present', 'admin bob present', 'password bob present', 'removed bob gone']);
});

t.test('a password scrypt accepted is remembered for a while: the same one again is not hashed', async (t) => {
  const dir = tempDir(t);
  let clock = 1_700_000_000_000;
  const s = open(dir, { now: () => clock });
  await s.add('bob', 'bob-pw', false);
  const counts = (): string => `${s.verifications.hashed} hashed, ${s.verifications.remembered} remembered`;
  t.equal((await s.verify('bob', 'bob-pw'))?.name, 'bob', 'the first login is hashed');
  t.equal(counts(), '1 hashed, 0 remembered');
  t.equal((await s.verify('bob', 'bob-pw'))?.name, 'bob');
  t.equal(counts(), '1 hashed, 1 remembered', 'the second is not');
  t.equal(await s.verify('bob', 'wrong'), null, 'a wrong password is still refused');
  t.equal(counts(), '2 hashed, 1 remembered', '... after the full hash');
  t.equal(await s.verify('bob', 'bob-pw '), null, 'a password that differs by a space');
  t.equal(await s.verify('bob', 'bob-p'), null, 'or a prefix of it');
  t.equal(await s.verify('admin', 'bob-pw'), null, "another user's remembered password is not this user's");
  t.equal(counts(), '5 hashed, 1 remembered');
  // the same password in decomposed Unicode is the same password (NFC), hashed or remembered
  await s.setPassword('bob', 'caf\u00e9');
  t.equal((await s.verify('bob', 'cafe\u0301'))?.name, 'bob');
  t.equal((await s.verify('bob', 'caf\u00e9'))?.name, 'bob');
  t.equal(counts(), '6 hashed, 2 remembered');

  clock += 299_000;
  t.ok(await s.verify('bob', 'caf\u00e9'), 'within five minutes of the hash');
  t.equal(counts(), '6 hashed, 3 remembered');
  clock += 2_000;
  t.ok(await s.verify('bob', 'caf\u00e9'), 'five minutes after the hash: hashed again');
  t.equal(counts(), '7 hashed, 3 remembered', 'uses do not extend the time; the new hash starts it again');
});

t.test('a remembered password is forgotten when the user changes', async (t) => {
  const dir = tempDir(t);
  const s = open(dir);
  await s.add('bob', 'old-pw', false);
  await s.verify('bob', 'old-pw');
  await s.setPassword('bob', 'new-pw');
  t.equal(await s.verify('bob', 'old-pw'), null, 'the old password after a change: refused');
  t.equal(s.verifications.remembered, 0, '... by scrypt, not by the memory');
  t.ok(await s.verify('bob', 'new-pw'));
  await s.setAdmin('bob', true);
  t.ok(await s.verify('bob', 'new-pw'), 'after a change of rights');
  t.equal(s.verifications.remembered, 0, 'the password is hashed again');
  t.ok(await s.verify('bob', 'new-pw'));
  t.equal(s.verifications.remembered, 1);
  await s.remove('bob');
  await s.add('bob', 'new-pw', false);
  t.ok(await s.verify('bob', 'new-pw'), 'a new user of the same name');
  t.equal(s.verifications.remembered, 1, 'proves the password with scrypt');
  const none = open(tempDir(t), { verifiedLoginMs: 0 });
  await none.verify('admin', 'admin-pw');
  await none.verify('admin', 'admin-pw');
  t.same(none.verifications, { hashed: 2, remembered: 0 }, 'verifiedLoginMs 0: every login is hashed');
});
