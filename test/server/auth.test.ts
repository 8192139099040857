// Authentication and the API's handling of bad requests, through real HTTP against a running ftserver:
// credentials, tokens, user rights, session keys bound to an address, throttling, malformed requests.
import fs from 'node:fs';
import net from 'node:net';
import t, { type Test } from 'tap';
import { ADMIN_PASSWORD, apiRequest, startServer, type ApiAnswer, type ApiRequestOptions, type RunningServer } from '../lib/ftserver.js';

/** One API request to `s` (node:http: fetch cannot choose its local address). */
const call = (s: RunningServer, method: string, path: string, opts?: ApiRequestOptions): Promise<ApiAnswer> => apiRequest({ port: s.ports.api }, method, path, opts);

async function stopAndRemove(s: RunningServer): Promise<void> {
  await s.stop();
  fs.rmSync(s.dir, { recursive: true, force: true });
}

const login = (s: RunningServer, body: unknown, from?: string): Promise<ApiAnswer> => call(s, 'POST', '/api/v1/auth', { body, ...(from === undefined ? {} : { from }) });

/** A query every user may run. */
const STAT = '/api/v1/stat?group_by=IP&count_by=BYTES&after_time=0&before_time=4102444800&rows=5&format=json';
const SESSIONS = '/api/v1/sessions?after_time=0&before_time=4102444800&format=json';

/** Asserts a JSON error answer: status, code, and a message a person can act on. */
function isError(t: Test, a: ApiAnswer, status: number, code: string, what: string): void {
  t.equal(a.status, status, `${what}: HTTP ${status} (got ${a.status}: ${a.text.trim()})`);
  t.equal(a.json?.code, code, `${what}: code ${code}`);
  t.ok(typeof a.json?.error === 'string' && (a.json.error as string).length > 10, `${what}: a message (${String(a.json?.error)})`);
}

t.test('an ftserver with session keys enabled', async (t) => {
  const s = await startServer({ args: ['--maxsessionkeyage', '60'] });
  t.teardown(() => stopAndRemove(s));

  t.test('wrong password and unknown user get the same 401', async (t) => {
    const wrong = await login(s, { username: 'admin', password: 'not-the-password' });
    isError(t, wrong, 401, 'BAD_CREDENTIALS', 'wrong password');
    t.notOk(wrong.json?.auth_token, 'no token');
    const unknown = await login(s, { username: 'nobody', password: ADMIN_PASSWORD });
    isError(t, unknown, 401, 'BAD_CREDENTIALS', 'unknown user');
    t.equal(unknown.json?.error, wrong.json?.error, 'the same message: user names cannot be probed');
    const right = await login(s, { username: 'admin', password: ADMIN_PASSWORD });
    t.equal(right.status, 200, 'the right password logs in');
    t.match(right.json, { auth_token: String, username: 'admin', admin: true });
    t.notOk('session_key' in (right.json ?? {}), 'no session key unless asked for');
  });

  t.test('calls without a valid token are refused', async (t) => {
    const none = await call(s, 'GET', STAT);
    isError(t, none, 401, 'NO_TOKEN', 'no token');
    t.match(none.headers['www-authenticate'], /^Bearer/, 'WWW-Authenticate: Bearer');
    isError(t, await call(s, 'GET', STAT, { token: 'made-up-token-0123456789abcdef' }), 401, 'BAD_TOKEN', 'a made-up token');
    isError(t, await call(s, 'GET', `${STAT}&auth_token=also-made-up`), 401, 'BAD_TOKEN', 'a made-up auth_token parameter');
    isError(t, await call(s, 'GET', STAT, { headers: { authorization: 'Basic YWRtaW46eA==' } }), 401, 'BAD_AUTHORIZATION', 'a Basic Authorization header');
    isError(t, await call(s, 'GET', '/api/v1/users'), 401, 'NO_TOKEN', 'users without a token');
    const token = await s.login();
    t.equal((await call(s, 'GET', `${STAT}&auth_token=${encodeURIComponent(token)}`)).status, 200, 'a real token as auth_token parameter works');
    t.equal((await call(s, 'GET', STAT, { token })).status, 200, 'and as a Bearer header');
  });

  t.test('a non-administrator queries but cannot manage users', async (t) => {
    const admin = await s.login();
    const added = await call(s, 'POST', '/api/v1/users', { token: admin, body: { username: 'alice', password: 'alice-pw-1' } });
    t.equal(added.status, 201, `admin adds alice: ${added.text.trim()}`);
    t.same(added.json, { username: 'alice', admin: false });
    isError(t, await call(s, 'POST', '/api/v1/users', { token: admin, body: { username: 'alice', password: 'x-other' } }), 409, 'USER_EXISTS', 'adding alice twice');
    isError(t, await call(s, 'POST', '/api/v1/users', { token: admin, body: { username: 'bad name/..', password: 'x' } }), 400, 'BAD_NAME', 'a user name with / and a space');

    const alice = await s.login('alice', 'alice-pw-1');
    isError(t, await call(s, 'GET', '/api/v1/users', { token: alice }), 403, 'NOT_ADMIN', 'alice lists users');
    isError(t, await call(s, 'POST', '/api/v1/users', { token: alice, body: { username: 'mallory', password: 'm-pw', admin: true } }), 403, 'NOT_ADMIN', 'alice adds a user');
    isError(t, await call(s, 'DELETE', '/api/v1/users/admin', { token: alice }), 403, 'NOT_ADMIN', 'alice deletes admin');
    isError(t, await call(s, 'PUT', '/api/v1/users/alice/admin', { token: alice, body: { admin: true } }), 403, 'NOT_ADMIN', 'alice makes herself an administrator');
    isError(t, await call(s, 'PUT', '/api/v1/users/admin/password', { token: alice, body: { password: 'taken-over' } }), 403, 'NOT_ADMIN', "alice changes admin's password");
    isError(t, await call(s, 'GET', '/api/v1/users/admin', { token: alice }), 403, 'NOT_ADMIN', 'alice reads admin');

    const list = await call(s, 'GET', '/api/v1/users', { token: admin });
    t.equal(list.status, 200);
    const users = (list.json?.users ?? []) as { username: string; admin: boolean }[];
    t.same(users.map((u) => [u.username, u.admin]).sort(), [['admin', true], ['alice', false]], 'nothing changed: no mallory, alice no administrator');
    t.equal((await login(s, { username: 'admin', password: 'taken-over' })).status, 401, "admin's password is unchanged");

    const stat = await call(s, 'GET', STAT, { token: alice });
    t.equal(stat.status, 200, `alice ranks: ${stat.text.slice(0, 200)}`);
    t.match(stat.json, { columns: Array, data: Array, summary: Object });
    const sessions = await call(s, 'GET', SESSIONS, { token: alice });
    t.equal(sessions.status, 200, 'alice lists sessions');
    t.match(sessions.json, { columns: Array, data: Array });
    const self = await call(s, 'GET', '/api/v1/users/alice', { token: alice });
    t.match(self, { status: 200, json: { username: 'alice', admin: false } }, 'alice reads herself');

    const changed = await call(s, 'PUT', '/api/v1/users/alice/password', { token: alice, body: { password: 'alice-pw-2' } });
    t.equal(changed.status, 200, `alice changes her own password: ${changed.text.trim()}`);
    isError(t, await call(s, 'GET', STAT, { token: alice }), 401, 'BAD_TOKEN', 'the token of the old password');
    isError(t, await login(s, { username: 'alice', password: 'alice-pw-1' }), 401, 'BAD_CREDENTIALS', 'the old password');
    const again = await s.login('alice', 'alice-pw-2');
    t.equal((await call(s, 'GET', STAT, { token: again })).status, 200, 'the new password works');
  });

  t.test('the last administrator stays', async (t) => {
    const admin = await s.login();
    isError(t, await call(s, 'DELETE', '/api/v1/users/admin', { token: admin }), 409, 'LAST_ADMIN', 'deleting the last administrator');
    isError(t, await call(s, 'PUT', '/api/v1/users/admin/admin', { token: admin, body: { admin: false } }), 409, 'LAST_ADMIN', 'demoting the last administrator');
    t.equal((await call(s, 'GET', '/api/v1/users', { token: admin })).status, 200, 'admin is still an administrator');
    isError(t, await call(s, 'PUT', '/api/v1/users/admin/admin', { token: admin, body: { admin: 'no' } }), 400, 'BAD_FIELD', 'admin: "no"');
    isError(t, await call(s, 'DELETE', '/api/v1/users/ghost', { token: admin }), 404, 'NO_SUCH_USER', 'deleting a user that does not exist');
    // with a second administrator the first may go down to a plain user, and the second then is the last
    await s.login();
    t.equal((await call(s, 'POST', '/api/v1/users', { token: admin, body: { username: 'root2', password: 'root2-pw', admin: true } })).status, 201, 'a second administrator');
    const root2 = await s.login('root2', 'root2-pw');
    t.equal((await call(s, 'PUT', '/api/v1/users/admin/admin', { token: root2, body: { admin: false } })).status, 200, 'root2 demotes admin');
    isError(t, await call(s, 'PUT', '/api/v1/users/root2/admin', { token: root2, body: { admin: false } }), 409, 'LAST_ADMIN', 'root2, now the last, demotes itself');
    isError(t, await call(s, 'GET', '/api/v1/users', { token: admin }), 403, 'NOT_ADMIN', 'demoted admin lists users');
    t.equal((await call(s, 'PUT', '/api/v1/users/admin/admin', { token: root2, body: { admin: true } })).status, 200, 'admin is an administrator again');
    t.equal((await call(s, 'DELETE', '/api/v1/users/root2', { token: admin })).status, 200, 'root2 removed');
  });

  t.test("a deleted user's token stops working", async (t) => {
    const admin = await s.login();
    t.equal((await call(s, 'POST', '/api/v1/users', { token: admin, body: { username: 'carol', password: 'carol-pw' } })).status, 201);
    const carol = await s.login('carol', 'carol-pw');
    t.equal((await call(s, 'GET', STAT, { token: carol })).status, 200, 'carol queries');
    const del = await call(s, 'DELETE', '/api/v1/users/carol', { token: admin });
    t.match(del, { status: 200, json: { deleted: 'carol' } });
    isError(t, await call(s, 'GET', STAT, { token: carol }), 401, 'BAD_TOKEN', "deleted carol's token");
    isError(t, await login(s, { username: 'carol', password: 'carol-pw' }), 401, 'BAD_CREDENTIALS', 'deleted carol logs in');
    // a new carol is another user: the old token must not come back to life
    t.equal((await call(s, 'POST', '/api/v1/users', { token: admin, body: { username: 'carol', password: 'carol-pw' } })).status, 201, 'a new carol');
    isError(t, await call(s, 'GET', STAT, { token: carol }), 401, 'BAD_TOKEN', "the old carol's token for the new carol");
  });

  t.test('session keys are bound to the address that asked for them', async (t) => {
    const r = await login(s, { username: 'admin', password: ADMIN_PASSWORD, want_session_key: true });
    t.equal(r.status, 200, r.text.trim());
    const key = r.json?.session_key;
    t.type(key, 'string', 'a session key');
    t.type(r.json?.auth_token, 'string', 'and a token');
    const withKey = await login(s, { session_key: key });
    t.equal(withKey.status, 200, `the key logs in from 127.0.0.1: ${withKey.text.trim()}`);
    t.equal((await call(s, 'GET', STAT, { token: withKey.json?.auth_token as string })).status, 200, "the key's token queries");
    isError(t, await login(s, { session_key: key }, '127.0.0.2'), 403, 'WRONG_ADDRESS', 'the key from 127.0.0.2');
    t.equal((await login(s, { session_key: key })).status, 200, 'still good from 127.0.0.1');
    isError(t, await login(s, { session_key: 'not-a-key-at-all' }), 401, 'BAD_SESSION_KEY', 'a made-up key');
    isError(t, await login(s, { session_key: key, username: 'admin', password: ADMIN_PASSWORD }), 400, 'BAD_LOGIN', 'a key and a password together');
    isError(t, await login(s, { session_key: 42 }), 400, 'BAD_FIELD', 'a key that is a number');
  });

  t.test('brute force from one address is throttled, not others', async (t) => {
    const attacker = '127.0.0.4';
    for (let i = 1; i <= 5; i++) {
      isError(t, await login(s, { username: 'admin', password: `guess-${i}` }, attacker), 401, 'BAD_CREDENTIALS', `guess ${i}`);
    }
    // at once, while the lock holds: another guess, the right password from the attacker, and another client
    const [guess, right, other] = await Promise.all([
      login(s, { username: 'admin', password: 'guess-6' }, attacker),
      login(s, { username: 'admin', password: ADMIN_PASSWORD }, attacker),
      login(s, { username: 'admin', password: ADMIN_PASSWORD }, '127.0.0.3'),
    ]);
    isError(t, guess, 429, 'THROTTLED', 'a sixth guess');
    const retry = Number(guess.headers['retry-after']);
    t.ok(Number.isInteger(retry) && retry >= 1, `Retry-After: ${String(guess.headers['retry-after'])}`);
    t.equal(guess.json?.retry_after, retry, 'retry_after in the body too');
    isError(t, right, 429, 'THROTTLED', 'even the right password from the locked address');
    t.equal(other.status, 200, `127.0.0.3 logs in meanwhile: ${other.text.trim()}`);
    t.equal((await login(s, { username: 'admin', password: ADMIN_PASSWORD })).status, 200, '127.0.0.1 too');
  });

  t.test("a success forgives only its own account's failures", async (t) => {
    const guesser = '127.0.0.5';
    const admin = await s.login();
    t.equal((await call(s, 'POST', '/api/v1/users', { token: admin, body: { username: 'dave', password: 'dave-pw-1' } })).status, 201, 'dave, a user of the guessing address');
    for (let i = 1; i <= 4; i++) isError(t, await login(s, { username: 'admin', password: `guess-${i}` }, guesser), 401, 'BAD_CREDENTIALS', `guess ${i} at admin`);
    t.equal((await login(s, { username: 'dave', password: 'dave-pw-1' }, guesser)).status, 200, 'dave logs in from the guessing address');
    isError(t, await login(s, { username: 'admin', password: 'guess-5' }, guesser), 401, 'BAD_CREDENTIALS', 'guess 5 at admin');
    isError(t, await login(s, { username: 'dave', password: 'dave-pw-1' }, guesser), 429, 'THROTTLED', "five guesses lock the address: dave's login did not reset them");
  });

  t.test('malformed login bodies get 4xx JSON errors', async (t) => {
    isError(t, await login(s, 'username=admin&password=x'), 400, 'BAD_JSON', 'a form body');
    isError(t, await login(s, '{"username": "admin", "password": '), 400, 'BAD_JSON', 'cut-off JSON');
    isError(t, await login(s, '[]'), 400, 'BAD_JSON', 'an array');
    isError(t, await login(s, '"admin"'), 400, 'BAD_JSON', 'a string');
    isError(t, await login(s, 'null'), 400, 'BAD_JSON', 'null');
    isError(t, await call(s, 'POST', '/api/v1/auth'), 400, 'BAD_JSON', 'no body');
    isError(t, await login(s, { username: 5, password: 'x' }), 400, 'BAD_FIELD', 'a numeric user name');
    isError(t, await login(s, { username: 'admin', password: ['x'] }), 400, 'BAD_FIELD', 'a password array');
    isError(t, await login(s, { username: 'admin' }), 400, 'MISSING_FIELD', 'no password');
    isError(t, await login(s, { password: 'x' }), 400, 'MISSING_FIELD', 'no user name');
    isError(t, await login(s, { username: 'admin', password: ADMIN_PASSWORD, want_session_key: 'yes' }), 400, 'BAD_FIELD', 'want_session_key: "yes"');
    isError(t, await login(s, { username: 'admin', password: 'p'.repeat(5000) }), 401, 'BAD_CREDENTIALS', 'a 5000-character password');
    isError(t, await call(s, 'POST', '/api/v1/auth', { body: '--x\r\n\r\n--x--', headers: { 'content-type': 'multipart/form-data; boundary=x' } }), 415, 'UNSUPPORTED_MEDIA_TYPE', 'multipart');
    const huge = Buffer.from(JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD, padding: 'x'.repeat(300 * 1024) }));
    isError(t, await call(s, 'POST', '/api/v1/auth', { body: huge }), 413, 'BODY_TOO_LARGE', 'a 300 KiB body');
    // the same without Content-Length: the limit holds while the body streams in
    isError(t, await call(s, 'POST', '/api/v1/auth', { body: huge, headers: { 'transfer-encoding': 'chunked' } }), 413, 'BODY_TOO_LARGE', 'a 300 KiB chunked body');
    const token = await s.login();
    isError(t, await call(s, 'POST', '/api/v1/users', { token, body: huge }), 413, 'BODY_TOO_LARGE', 'a 300 KiB users body');
    t.equal((await call(s, 'GET', '/healthz')).status, 200, 'the server is fine');
  });

  t.test('unknown endpoints, wrong methods and HTTP garbage', async (t) => {
    const token = await s.login();
    isError(t, await call(s, 'GET', '/api/v1/nothing-here', { token }), 404, 'NOT_FOUND', 'an unknown API endpoint');
    isError(t, await call(s, 'GET', '/index.html'), 404, 'NOT_FOUND', 'a path outside the API');
    isError(t, await call(s, 'GET', '/api/v1/auth'), 405, 'METHOD_NOT_ALLOWED', 'GET /api/v1/auth');
    isError(t, await call(s, 'DELETE', '/api/v1/stat', { token }), 405, 'METHOD_NOT_ALLOWED', 'DELETE /api/v1/stat');
    isError(t, await call(s, 'POST', '/healthz', { body: {} }), 405, 'METHOD_NOT_ALLOWED', 'POST /healthz');
    isError(t, await call(s, 'PATCH', '/api/v1/users/admin', { token, body: {} }), 405, 'METHOD_NOT_ALLOWED', 'PATCH a user');

    const raw = (bytes: Buffer): Promise<string> =>
      new Promise((resolve, reject) => {
        const sock = net.connect(s.ports.api, '127.0.0.1');
        const chunks: Buffer[] = [];
        sock.on('data', (c: Buffer) => chunks.push(c));
        sock.on('error', reject);
        sock.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
        sock.on('connect', () => sock.write(bytes));
      });
    const garbage = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x0d, 0x0a, 0x0d, 0x0a, 0xff, 0x00]);
    t.match(await raw(garbage), /^HTTP\/1\.1 400 /, 'binary bytes (a TLS hello) get 400');
    t.match(await raw(Buffer.from('HELLO THERE\r\n\r\n')), /^HTTP\/1\.1 400 /, 'a line that is not HTTP gets 400');
    t.match(await raw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n')), /^HTTP\/1\.1 400 /, 'a broken header line gets 400');
    const answer = await raw(Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    t.match(answer, /^HTTP\/1\.1 (431|400) /, 'a 20 kB header is refused');
    t.match((await call(s, 'GET', '/healthz')).json, { status: 'ok' }, 'the server keeps serving');
    t.equal((await call(s, 'GET', STAT, { token })).status, 200, 'and answering queries');
  });
});

t.test('session keys disabled (maxsessionkeyage 0, the default)', async (t) => {
  const s = await startServer();
  t.teardown(() => stopAndRemove(s));
  const r = await login(s, { username: 'admin', password: ADMIN_PASSWORD, want_session_key: true });
  isError(t, r, 401, 'SESSION_KEYS_DISABLED', 'asking for a key');
  t.match(r.json?.error, /maxsessionkeyage/, 'the message names the setting');
  t.notOk(r.json?.auth_token, 'and no token is handed out without the key that was asked for');
  isError(t, await login(s, { session_key: 'anything' }), 401, 'SESSION_KEYS_DISABLED', 'logging in with a key');
  t.equal((await login(s, { username: 'admin', password: ADMIN_PASSWORD })).status, 200, 'a password login works');
});
