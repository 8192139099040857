// Tests of logins: tokens and their idle expiry, session keys (address binding, sliding expiry,
// persistence, disabling), throttling of failed attempts, and address normalisation.

import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AUTH_ERROR_CODES, AuthError, Authenticator, UserStore, normaliseAddress, type AuthenticatorOptions, type AuthErrorCode } from '../../src/auth/index.js';

const FAST = { N: 16 } as const;
const T0 = 1_800_000_000_000;

interface Setup {
  dir: string;
  users: UserStore;
  auth: Authenticator;
  clock: { now: number };
  reopen: (opts?: Partial<AuthenticatorOptions>) => Authenticator;
}

function setup(t: Test, opts: Partial<AuthenticatorOptions> = {}): Setup {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentraq-auth-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const clock = { now: T0 };
  const users = UserStore.open(dir, { scrypt: FAST, initAdminPassword: 'admin-pw', now: () => clock.now }).store;
  const make = (more: Partial<AuthenticatorOptions> = {}): Authenticator => {
    const a = new Authenticator(users, { userdataDir: dir, maxSessionKeyAge: 3600, now: () => clock.now, ...opts, ...more });
    t.teardown(() => a.close());
    return a;
  };
  return { dir, users, auth: make(), clock, reopen: make };
}

async function throwsCode(t: Test, f: () => unknown, code: AuthErrorCode, what: string): Promise<AuthError | undefined> {
  try {
    await f();
  } catch (e) {
    t.ok(e instanceof AuthError, `${what}: an AuthError`);
    t.equal((e as AuthError).code, code, `${what}: ${code}`);
    t.equal((e as AuthError).status, AUTH_ERROR_CODES[code].status, `${what}: status`);
    return e as AuthError;
  }
  t.fail(`${what}: expected ${code}, nothing was thrown`);
  return undefined;
}

t.test('error codes carry the HTTP statuses the API uses', async (t) => {
  const expected: Partial<Record<AuthErrorCode, number>> = {
    BAD_CREDENTIALS: 401,
    BAD_SESSION_KEY: 401,
    SESSION_KEYS_DISABLED: 401,
    WRONG_ADDRESS: 403,
    NOT_ADMIN: 403,
    THROTTLED: 429,
    BAD_NAME: 400,
    BAD_PASSWORD: 400,
    USER_EXISTS: 409,
    LAST_ADMIN: 409,
    NO_SUCH_USER: 404,
    USERS_FILE: 500,
  };
  for (const [code, status] of Object.entries(expected)) t.equal(new AuthError(code as AuthErrorCode, 'm').status, status, code);
  const e = new AuthError('THROTTLED', 'wait', { retryAfterSeconds: 3 });
  t.equal(e.retryAfterSeconds, 3);
  t.equal(e.name, 'AuthError');
  t.ok(e instanceof Error);
});

t.test('login gives a token; bad credentials look the same for unknown users and wrong passwords', async (t) => {
  const { users, auth } = setup(t);
  await users.add('bob', 'bob-pw', false);
  const r = await auth.login('bob', 'bob-pw', '10.0.0.1', false);
  t.match(r.token, /^[A-Za-z0-9_-]{43}$/);
  t.equal(r.sessionKey, undefined);
  t.same(r.user, { name: 'bob', admin: false, created: T0, lastLogin: T0 });
  t.same(auth.check(r.token), { name: 'bob', admin: false, created: T0, lastLogin: T0 });
  const other = await auth.login('bob', 'bob-pw', '10.0.0.1', false);
  t.not(other.token, r.token, 'each login has its own token');

  const wrong = await throwsCode(t, () => auth.login('bob', 'nope', '10.0.0.1', false), 'BAD_CREDENTIALS', 'wrong password');
  const unknown = await throwsCode(t, () => auth.login('mallory', 'nope', '10.0.0.1', false), 'BAD_CREDENTIALS', 'unknown user');
  t.equal(wrong?.message, unknown?.message, 'one message for both');
  await throwsCode(t, () => auth.login('', '', '10.0.0.1', false), 'BAD_CREDENTIALS', 'empty');
  await throwsCode(t, () => auth.login('bob', 'bob-pw', '', false), 'BAD_REQUEST', 'no client address');

  t.equal(auth.check('not-a-token'), null);
  t.equal(auth.check(''), null);
  t.equal(auth.check(undefined as unknown as string), null);
});

t.test('tokens expire after the idle time without use; each use restarts it', async (t) => {
  const { users, auth, clock } = setup(t, { tokenIdleSeconds: 900 });
  await users.add('bob', 'bob-pw', false);
  const { token } = await auth.login('bob', 'bob-pw', '10.0.0.1', false);
  clock.now += 899_000;
  t.ok(auth.check(token), 'alive after 899 s');
  clock.now += 900_000;
  t.ok(auth.check(token), 'alive 900 s after the last use, 1799 s after login');
  clock.now += 900_001;
  t.equal(auth.check(token), null, 'dead 900.001 s after the last use');
  clock.now += 1;
  t.equal(auth.check(token), null, 'and stays dead');
  await throwsCode(t, () => new Authenticator(users, { userdataDir: '/nonexistent', maxSessionKeyAge: 0, tokenIdleSeconds: 0 }), 'BAD_OPTION', 'idle time 0');
  await throwsCode(t, () => new Authenticator(users, { userdataDir: '/nonexistent', maxSessionKeyAge: -1 }), 'BAD_OPTION', 'negative key age');
});

t.test('tokens die with their user, rights are read at each check, a new password logs out', async (t) => {
  const { users, auth } = setup(t);
  await users.add('bob', 'bob-pw', true);
  const { token } = await auth.login('bob', 'bob-pw', '10.0.0.1', false);
  t.equal(auth.check(token)?.admin, true);
  await users.setAdmin('bob', false);
  t.equal(auth.check(token)?.admin, false, 'revoking admin takes effect at once');
  await users.remove('bob');
  t.equal(auth.check(token), null, 'dead when the user is removed');
  await users.add('bob', 'bob-pw', true);
  t.equal(auth.check(token), null, 'a new user of the same name does not inherit it');

  const second = await auth.login('bob', 'bob-pw', '10.0.0.1', true);
  await users.setPassword('bob', 'new-pw');
  t.equal(auth.check(second.token), null, 'a new password ends the sessions');
  await throwsCode(t, () => auth.loginWithSessionKey(second.sessionKey!, '10.0.0.1'), 'BAD_SESSION_KEY', 'and revokes the keys');
  t.ok(auth.check((await auth.login('bob', 'new-pw', '10.0.0.1', false)).token));
});

t.test('session keys: bound to the requesting address, in either spelling', async (t) => {
  const { users, auth } = setup(t);
  await users.add('alice', 'alice-pw', false);
  const r = await auth.login('alice', 'alice-pw', '127.0.0.1', true);
  t.match(r.sessionKey, /^[A-Za-z0-9_-]{43}$/);
  t.ok(auth.check(r.token), 'the login also gave a token');
  const k = auth.loginWithSessionKey(r.sessionKey!, '127.0.0.1');
  t.equal(k.user.name, 'alice');
  t.not(k.token, r.token);
  t.equal(auth.check(k.token)?.name, 'alice');
  t.ok(auth.loginWithSessionKey(r.sessionKey!, '::ffff:127.0.0.1'), 'the IPv4-mapped form of the same address');
  const wrong = await throwsCode(t, () => auth.loginWithSessionKey(r.sessionKey!, '127.0.0.2'), 'WRONG_ADDRESS', 'another address');
  t.notOk(wrong?.message.includes('127.0.0.1'), 'does not reveal the bound address');
  t.match(wrong?.message, /bound to the address that requested it/);
  await throwsCode(t, () => auth.loginWithSessionKey(r.sessionKey!, '::ffff:127.0.0.2'), 'WRONG_ADDRESS', 'another address, mapped form');

  const v6 = await auth.login('alice', 'alice-pw', '::ffff:127.0.0.2', true);
  t.ok(auth.loginWithSessionKey(v6.sessionKey!, '127.0.0.2'), 'requested over IPv6-mapped, used over IPv4');
  const v6b = await auth.login('alice', 'alice-pw', '2001:DB8:0:0:0:0:0:1', true);
  t.ok(auth.loginWithSessionKey(v6b.sessionKey!, '2001:db8::1'), 'IPv6 compared by value');

  await throwsCode(t, () => auth.loginWithSessionKey('x'.repeat(43), '127.0.0.1'), 'BAD_SESSION_KEY', 'unknown key');
  await throwsCode(t, () => auth.loginWithSessionKey('short', '127.0.0.1'), 'BAD_SESSION_KEY', 'malformed key');
  await throwsCode(t, () => auth.loginWithSessionKey(r.token, '127.0.0.1'), 'BAD_SESSION_KEY', 'a token is not a key');
});

t.test('session keys expire maxsessionkeyage seconds after their last use', async (t) => {
  const { users, auth, clock } = setup(t, { maxSessionKeyAge: 3600 });
  const { sessionKey } = await auth.login('admin', 'admin-pw', '10.1.1.1', true);
  clock.now += 3000_000;
  t.ok(auth.loginWithSessionKey(sessionKey!, '10.1.1.1'), 'used after 3000 s');
  clock.now += 3600_000;
  t.ok(auth.loginWithSessionKey(sessionKey!, '10.1.1.1'), 'used 3600 s after the last use (6600 s after issue)');
  t.equal(users.get('admin')?.lastLogin, clock.now, 'a key login is a login');
  clock.now += 3600_001;
  const err = await throwsCode(t, () => auth.loginWithSessionKey(sessionKey!, '10.1.1.1'), 'BAD_SESSION_KEY', 'unused for 3600.001 s');
  t.match(err?.message, /unknown or has expired; log in with -un\/-up and -us/);
});

t.test('session keys survive a restart, are stored hashed with mode 0600, and can be disabled', async (t) => {
  const { dir, users, auth, clock, reopen } = setup(t);
  const { sessionKey } = await auth.login('admin', 'admin-pw', '192.0.2.7', true);
  const file = path.join(dir, 'sessionkeys.json');
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'sessionkeys.json has mode 0600');
  const text = fs.readFileSync(file, 'utf8');
  t.notOk(text.includes(sessionKey!), 'the key itself is not stored');
  const doc = JSON.parse(text);
  t.equal(doc.version, 1);
  t.equal(doc.keys.length, 1);
  t.match(doc.keys[0], { user: 'admin', address: '192.0.2.7', lastUse: T0, sha256: /^[0-9a-f]{64}$/ });

  clock.now += 1000_000;
  auth.loginWithSessionKey(sessionKey!, '192.0.2.7');
  await auth.close();
  t.equal(JSON.parse(fs.readFileSync(file, 'utf8')).keys[0].lastUse, T0 + 1000_000, 'the last use is written at close');

  clock.now += 3000_000;
  const restarted = reopen();
  t.ok(restarted.loginWithSessionKey(sessionKey!, '192.0.2.7'), 'works after a restart (sliding from the last use)');
  await restarted.flush();

  // a full restart: the users file and the keys file read again
  const users2 = UserStore.open(dir, { scrypt: FAST }).store;
  const auth2 = new Authenticator(users2, { userdataDir: dir, maxSessionKeyAge: 3600, now: () => clock.now });
  t.teardown(() => auth2.close());
  t.equal(auth2.loginWithSessionKey(sessionKey!, '192.0.2.7').user.name, 'admin');

  auth2.setMaxSessionKeyAge(0);
  await throwsCode(t, () => auth2.loginWithSessionKey(sessionKey!, '192.0.2.7'), 'SESSION_KEYS_DISABLED', 'disabled by a reload');
  await throwsCode(t, () => auth2.login('admin', 'admin-pw', '192.0.2.7', true), 'SESSION_KEYS_DISABLED', 'none issued');
  t.ok((await auth2.login('admin', 'admin-pw', '192.0.2.7', false)).token, 'password logins still work');
  auth2.setMaxSessionKeyAge(3600);
  await throwsCode(t, () => auth2.loginWithSessionKey(sessionKey!, '192.0.2.7'), 'BAD_SESSION_KEY', 'old keys stay revoked when re-enabled');
  await auth2.flush();
  t.same(JSON.parse(fs.readFileSync(file, 'utf8')).keys, [], 'and are gone from the file');
  t.same(users.list().map((u) => u.name), ['admin']);
});

t.test('with maxsessionkeyage 0 no key is issued and stored keys are dropped at start', async (t) => {
  const { dir, users, auth, clock, reopen } = setup(t);
  const { sessionKey } = await auth.login('admin', 'admin-pw', '10.0.0.9', true);
  await auth.close();
  const disabled = reopen({ maxSessionKeyAge: 0 });
  const err = await throwsCode(t, () => disabled.login('admin', 'admin-pw', '10.0.0.9', true), 'SESSION_KEYS_DISABLED', 'asked for');
  t.match(err?.message, /session keys are disabled on this server \(userdata\.maxsessionkeyage is 0\)/);
  await throwsCode(t, () => disabled.loginWithSessionKey(sessionKey!, '10.0.0.9'), 'SESSION_KEYS_DISABLED', 'used');
  await disabled.close();
  t.same(JSON.parse(fs.readFileSync(path.join(dir, 'sessionkeys.json'), 'utf8')).keys, []);
  clock.now += 1;
  await throwsCode(t, () => reopen().loginWithSessionKey(sessionKey!, '10.0.0.9'), 'BAD_SESSION_KEY', 'not back after re-enabling');
  t.equal(users.get('admin')?.name, 'admin');
});

t.test('keys of removed users die, also across a restart', async (t) => {
  const { dir, users, auth, clock } = setup(t);
  await users.add('bob', 'bob-pw', false);
  const { sessionKey } = await auth.login('bob', 'bob-pw', '10.0.0.5', true);
  await users.remove('bob');
  await users.add('bob', 'bob-pw', false);
  await throwsCode(t, () => auth.loginWithSessionKey(sessionKey!, '10.0.0.5'), 'BAD_SESSION_KEY', 'removed user');
  // a key file that still lists a key of a removed user (a crash before the lazy write) is cleaned at start
  const second = await auth.login('bob', 'bob-pw', '10.0.0.5', true);
  const saved = fs.readFileSync(path.join(dir, 'sessionkeys.json'), 'utf8');
  await users.remove('bob');
  await auth.close();
  fs.writeFileSync(path.join(dir, 'sessionkeys.json'), saved);
  clock.now += 1;
  await users.add('bob', 'bob-pw', false);
  const restarted = new Authenticator(users, { userdataDir: dir, maxSessionKeyAge: 3600, now: () => clock.now });
  t.teardown(() => restarted.close());
  await throwsCode(t, () => restarted.loginWithSessionKey(second.sessionKey!, '10.0.0.5'), 'BAD_SESSION_KEY', 're-added user after restart');
});

t.test('tokens and keys are bounded; a key that cannot be stored is not handed out', async (t) => {
  const errors: AuthError[] = [];
  const { dir, users, auth, clock } = setup(t, { maxTokens: 3, sessionKeys: { maxKeysPerUser: 2, maxKeys: 3, lazyWriteMs: 10 }, onError: (e) => errors.push(e) });
  await users.add('bob', 'bob-pw', false);
  const tokens: string[] = [];
  for (let i = 0; i < 5; i++) {
    clock.now += 1;
    tokens.push((await auth.login('admin', 'admin-pw', '10.0.0.1', false)).token);
  }
  t.same(tokens.map((x) => auth.check(x) !== null), [false, false, true, true, true], 'the least recently used tokens went first');

  const keys: string[] = [];
  for (let i = 0; i < 3; i++) keys.push((await auth.login('admin', 'admin-pw', '10.0.0.1', true)).sessionKey!);
  const bobKey = (await auth.login('bob', 'bob-pw', '10.0.0.1', true)).sessionKey!;
  const works = (k: string): boolean => {
    try {
      auth.loginWithSessionKey(k, '10.0.0.1');
      return true;
    } catch {
      return false;
    }
  };
  t.same(keys.map(works), [false, true, true], 'at most 2 keys per user');
  t.ok(works(bobKey));
  t.equal(auth.counts().sessionKeys, 3);

  clock.now += 5_000;
  t.ok(works(bobKey));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const stored = JSON.parse(fs.readFileSync(path.join(dir, 'sessionkeys.json'), 'utf8')).keys as { user: string; lastUse: number }[];
  t.equal(stored.find((k) => k.user === 'bob')?.lastUse, clock.now, 'last use written lazily on its own');

  fs.rmSync(dir, { recursive: true });
  const err = await throwsCode(t, () => auth.login('bob', 'bob-pw', '10.0.0.1', true), 'WRITE_FAILED', 'key file not writable');
  t.match(err?.message, /cannot write .*sessionkeys\.json/);
  t.equal(auth.counts().sessionKeys, 3, 'the unsaved key was dropped');
  t.ok(works(bobKey));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.ok(errors.length >= 1 && errors.every((e) => e.code === 'WRITE_FAILED'), 'background write failures are reported');
  fs.mkdirSync(dir);
  await auth.flush();
  t.equal(JSON.parse(fs.readFileSync(path.join(dir, 'sessionkeys.json'), 'utf8')).keys.length, 3, 'flush writes them once it can');
});

t.test('a damaged sessionkeys.json stops the start and is left alone', async (t) => {
  const { dir, users, auth } = setup(t);
  await auth.close();
  const file = path.join(dir, 'sessionkeys.json');
  for (const text of ['{', JSON.stringify({ version: 9, keys: [] }), JSON.stringify({ version: 1, keys: [{ sha256: 'zz' }] })]) {
    fs.writeFileSync(file, text, { mode: 0o600 });
    const err = await throwsCode(t, () => new Authenticator(users, { userdataDir: dir, maxSessionKeyAge: 60 }), 'SESSION_KEYS_FILE', text);
    t.ok(err?.message.includes(file), 'names the file');
    t.match(err?.message, /fix the file or delete it/);
    t.equal(fs.readFileSync(file, 'utf8'), text, 'untouched');
  }
});

t.test('throttling: 5 failures in 60 s lock the address for 1 s, then 2 s, 4 s …; success resets', async (t) => {
  const { users, auth, clock } = setup(t);
  await users.add('bob', 'bob-pw', false);
  const ip = '203.0.113.9';
  for (let i = 0; i < 5; i++) {
    clock.now += 10_000;
    await throwsCode(t, () => auth.login('bob', 'wrong', ip, false), 'BAD_CREDENTIALS', `failure ${i + 1}`);
  }
  const locked = await throwsCode(t, () => auth.login('bob', 'bob-pw', ip, false), 'THROTTLED', 'the right password while locked');
  t.equal(locked?.retryAfterSeconds, 1);
  t.match(locked?.message, /too many failed logins from this address; try again in 1 s/);
  t.same({ locked: auth.throttleStats().lockedAddresses, failures: auth.throttleStats().failures }, { locked: 1, failures: 5 });
  await throwsCode(t, () => auth.loginWithSessionKey('x'.repeat(43), ip), 'THROTTLED', 'key logins are refused too');
  t.ok(await auth.login('bob', 'bob-pw', '203.0.113.10', false), 'another address is not affected');

  const lockLengths: number[] = [];
  for (let i = 0; i < 10; i++) {
    clock.now += 300_000; // past any lock, but the failures keep coming within the window
    const before = clock.now;
    await throwsCode(t, () => auth.login('bob', 'wrong', ip, false), 'BAD_CREDENTIALS', `failure after lock ${i + 1}`);
    const e = await throwsCode(t, () => auth.login('bob', 'wrong', ip, false), 'THROTTLED', `locked again ${i + 1}`);
    lockLengths.push(e?.retryAfterSeconds ?? -1);
    t.equal(clock.now, before);
  }
  t.same(lockLengths, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300], 'doubling, capped at 300 s');

  clock.now += 299_000;
  await throwsCode(t, () => auth.login('bob', 'bob-pw', ip, false), 'THROTTLED', 'still locked 1 s before the end');
  clock.now += 1_000;
  t.ok(await auth.login('bob', 'bob-pw', ip, false), 'the right password after the lock');
  for (let i = 0; i < 4; i++) await throwsCode(t, () => auth.login('bob', 'wrong', ip, false), 'BAD_CREDENTIALS', `fresh failure ${i + 1}`);
  t.ok(await auth.login('bob', 'bob-pw', ip, false), 'after a success, four failures do not lock');
  t.equal(auth.throttleStats().lockedAddresses, 0);
});

t.test('throttling: failures spread over more than 60 s do not lock; key failures count', async (t) => {
  const { auth, clock } = setup(t);
  const ip = '198.51.100.1';
  for (let i = 0; i < 8; i++) {
    clock.now += 15_001;
    await throwsCode(t, () => auth.login('admin', 'wrong', ip, false), 'BAD_CREDENTIALS', `slow failure ${i + 1}`);
  }
  t.ok(await auth.login('admin', 'admin-pw', ip, false), 'never locked');
  const { sessionKey } = await auth.login('admin', 'admin-pw', ip, true);
  await throwsCode(t, () => auth.loginWithSessionKey(sessionKey!, '198.51.100.2'), 'WRONG_ADDRESS', 'wrong address from .2');
  for (let i = 0; i < 4; i++) await throwsCode(t, () => auth.loginWithSessionKey('y'.repeat(43), '198.51.100.2'), 'BAD_SESSION_KEY', `bad key ${i + 1}`);
  await throwsCode(t, () => auth.loginWithSessionKey(sessionKey!, '198.51.100.2'), 'THROTTLED', 'five key failures lock');
  t.ok(auth.loginWithSessionKey(sessionKey!, ip), 'the owner is not locked out');
});

t.test("throttling: a success forgives only its own account's failures", async (t) => {
  const { users, auth, clock } = setup(t);
  await users.add('bob', 'bob-pw', false);

  // guessing admin, with a login to one's own account in between: the guesses still add up to a lock
  const guesser = '203.0.113.20';
  for (let i = 1; i <= 4; i++) await throwsCode(t, () => auth.login('admin', `guess-${i}`, guesser, false), 'BAD_CREDENTIALS', `guess ${i} at admin`);
  t.ok(await auth.login('bob', 'bob-pw', guesser, false), 'bob logs in from the same address');
  await throwsCode(t, () => auth.login('admin', 'guess-5', guesser, false), 'BAD_CREDENTIALS', 'guess 5 at admin');
  const locked = await throwsCode(t, () => auth.login('bob', 'bob-pw', guesser, false), 'THROTTLED', "bob's success did not reset the count: five guesses lock");
  t.equal(locked?.retryAfterSeconds, 1);

  // one's own typos are forgiven by one's own success: a shared address is not locked by fixed mistakes
  const office = '203.0.113.21';
  for (let i = 1; i <= 4; i++) await throwsCode(t, () => auth.login('bob', `typo-${i}`, office, false), 'BAD_CREDENTIALS', `bob's typo ${i}`);
  t.ok(await auth.login('bob', 'bob-pw', office, false), 'then bob gets it right');
  for (let i = 1; i <= 4; i++) await throwsCode(t, () => auth.login('admin', `typo-${i}`, office, false), 'BAD_CREDENTIALS', `admin's typo ${i}`);
  t.ok(await auth.login('admin', 'admin-pw', office, false), "four failures count, not eight: bob's were forgiven");
  t.equal(auth.throttleStats().lockedAddresses, 1, 'only the guessing address is locked');

  // failures for one's own account cannot push the guesses at another out of the record and then be forgiven
  const pusher = '203.0.113.22';
  for (let i = 1; i <= 5; i++) await throwsCode(t, () => auth.login('admin', `guess-${i}`, pusher, false), 'BAD_CREDENTIALS', `pusher's guess ${i}`);
  const locks: number[] = [];
  for (let i = 1; i <= 5; i++) {
    clock.now += 60_000;
    await throwsCode(t, () => auth.login('bob', 'wrong', pusher, false), 'BAD_CREDENTIALS', `bob fails ${i}`);
    locks.push((await throwsCode(t, () => auth.login('bob', 'bob-pw', pusher, false), 'THROTTLED', `locked after bob's failure ${i}`))?.retryAfterSeconds ?? -1);
  }
  t.same(locks, [2, 4, 8, 16, 32], 'each failure doubles the lock');
  clock.now += 60_000;
  t.ok(await auth.login('bob', 'bob-pw', pusher, false), 'bob logs in');
  await throwsCode(t, () => auth.login('admin', 'guess-6', pusher, false), 'BAD_CREDENTIALS', 'the next guess at admin');
  const after = await throwsCode(t, () => auth.login('admin', 'admin-pw', pusher, false), 'THROTTLED', 'locks at once: the lock history stayed');
  t.equal(after?.retryAfterSeconds, 64, 'and the doubling went on where it was');
});

t.test('throttling: parallel guesses from one address meet the lock', async (t) => {
  const { auth } = setup(t);
  const results = await Promise.allSettled(Array.from({ length: 12 }, () => auth.login('admin', 'guess', '192.0.2.66', false)));
  const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as AuthError).code : 'OK'));
  t.same(codes, [...Array(5).fill('BAD_CREDENTIALS'), ...Array(7).fill('THROTTLED')]);
});

t.test('throttling: IPv6 counts per /64; the address table stays bounded', async (t) => {
  const { auth } = setup(t, { throttle: { maxAddresses: 50 } });
  for (let i = 1; i <= 5; i++) await throwsCode(t, () => auth.login('admin', 'wrong', `2001:db8:1:2::${i.toString(16)}`, false), 'BAD_CREDENTIALS', `v6 failure ${i}`);
  await throwsCode(t, () => auth.login('admin', 'admin-pw', '2001:db8:1:2:ffff::1', false), 'THROTTLED', 'same /64');
  t.ok(await auth.login('admin', 'admin-pw', '2001:db8:1:3::1', false), 'another /64');

  for (let i = 0; i < 500; i++) await throwsCode(t, () => auth.login('admin', 'wrong', `10.9.${i >> 8}.${i & 255}`, false), 'BAD_CREDENTIALS', `spray ${i}`);
  const stats = auth.throttleStats();
  t.ok(stats.trackedAddresses <= 50, `at most 50 addresses remembered (${stats.trackedAddresses})`);
  t.equal(stats.failures, 505);
});

t.test('addresses are compared in one canonical form', async (t) => {
  const cases: [string, string][] = [
    ['127.0.0.2', '127.0.0.2'],
    ['::ffff:127.0.0.2', '127.0.0.2'],
    ['::FFFF:127.0.0.2', '127.0.0.2'],
    ['::ffff:7f00:2', '127.0.0.2'],
    ['0:0:0:0:0:ffff:7f00:0002', '127.0.0.2'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    [' 10.0.0.1 ', '10.0.0.1'],
  ];
  for (const [input, canonical] of cases) t.equal(normaliseAddress(input), canonical, input);
  await throwsCode(t, () => normaliseAddress(''), 'BAD_REQUEST', 'empty');
});

t.test('a remembered password skips the hash, but wrong passwords are hashed and throttled as ever', async (t) => {
  const { users, auth, clock } = setup(t);
  const ok = await auth.login('admin', 'admin-pw', '192.0.2.7', false);
  t.equal(ok.user.name, 'admin');
  await auth.login('admin', 'admin-pw', '192.0.2.7', false);
  t.same(users.verifications, { hashed: 1, remembered: 1 }, 'the second login with the same password is not hashed');
  for (let i = 1; i <= 4; i++) await throwsCode(t, () => auth.login('admin', `guess-${i}`, '192.0.2.7', false), 'BAD_CREDENTIALS', `wrong password ${i}`);
  t.equal(users.verifications.hashed, 5, 'every wrong password was hashed');
  t.equal(auth.throttleStats().failures, 4, 'and counted');
  await throwsCode(t, () => auth.login('admin', 'guess-5', '192.0.2.7', false), 'BAD_CREDENTIALS', 'the fifth wrong password');
  await throwsCode(t, () => auth.login('admin', 'admin-pw', '192.0.2.7', false), 'THROTTLED', 'the right password from a locked address');
  t.equal(users.verifications.remembered, 1, 'a locked address gets no answer from the memory either');
  clock.now += 1_001;
  t.ok(await auth.login('admin', 'admin-pw', '192.0.2.7', false), 'the lock over: the remembered password logs in');
  t.same(users.verifications, { hashed: 6, remembered: 2 });
  await users.setPassword('admin', 'changed-pw');
  await throwsCode(t, () => auth.login('admin', 'admin-pw', '192.0.2.8', false), 'BAD_CREDENTIALS', 'the old password after a change');
  t.equal(users.verifications.hashed, 7, 'hashed, not remembered');
});
