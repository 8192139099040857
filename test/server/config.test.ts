// ftserver's configuration end to end: a file setting every key of server.md §4, bad values and unknown
// keys with their line numbers, flags over the file, SIGHUP reloads, and the command line's exit codes.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { readSegmentInfo } from '../../packages/core/src/index.js';
import { ADMIN_PASSWORD, apiRequest, freePort, launchServer, queryString, runFtserver, type ApiAnswer, type ApiTarget, type ServerPorts } from '../lib/ftserver.js';
import { sendDatagrams } from '../lib/replay.js';
import { metricSum, storedDifferences, storedQuery, sumByKey, until, wholeFrame, type StoredTotals } from '../lib/serverchecks.js';
import { v9Traffic } from '../lib/v9traffic.js';

function tempDir(t: Test): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftserver-config-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function login(api: ApiTarget, extra: Record<string, unknown> = {}): Promise<ApiAnswer> {
  return apiRequest(api, 'POST', '/api/v1/auth', { body: { username: 'admin', password: ADMIN_PASSWORD, ...extra } });
}

async function token(api: ApiTarget): Promise<string> {
  const r = await login(api);
  if (r.status !== 200) throw new Error(`login: ${r.status} ${r.text}`);
  return r.json!.auth_token as string;
}

/** metricSum over the server's /metrics now (over HTTPS when the API is). */
async function metric(api: ApiTarget, name: string, labels: Record<string, string | number> = {}): Promise<number> {
  return metricSum((await apiRequest(api, 'GET', '/metrics')).text, name, labels);
}

/** Sessions of one exporter, summed per key over their records. */
async function stored(api: ApiTarget, tok: string, exporter: string): Promise<Map<string, StoredTotals>> {
  const r = await apiRequest(api, 'GET', `/api/v1/sessions?${queryString(storedQuery({ exporter }))}`, { token: tok });
  if (r.status !== 200) throw new Error(`sessions: ${r.status} ${r.text}`);
  return sumByKey(r.text);
}

/** Can a TCP connection be made to host:port? */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Can we bind this UDP port on 127.0.0.1 (nobody holds it)? */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const u = dgram.createSocket('udp4');
    u.once('error', () => resolve(false));
    u.bind(port, '127.0.0.1', () => u.close(() => resolve(true)));
  });
}

/** A self-signed certificate for 127.0.0.1, or null when openssl is not installed. */
function makeCertificate(dir: string): { cert: string; key: string } | null {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return { cert, key };
}

async function ports(): Promise<ServerPorts & { netflow2: number }> {
  return { api: await freePort(), netflow: await freePort(), netflow2: await freePort(), sflow: await freePort(), ipfixtcp: await freePort() };
}

const INIT = ['--init-admin-password', ADMIN_PASSWORD];

t.test('a file that sets every key', async (t) => {
  const dir = tempDir(t);
  const p = await ports();
  const tls = makeCertificate(dir);
  if (tls === null) t.comment('openssl is not installed: the tls section is left empty and HTTPS is not tested');
  // every IPv4 address is in New Zealand and AS 64999 (reserved blocks stay unknown whatever the file says)
  fs.writeFileSync(path.join(dir, 'country.csv'), '0.0.0.0,255.255.255.255,NZ\n');
  fs.writeFileSync(path.join(dir, 'asn.csv'), '0.0.0.0,255.255.255.255,64999,"OPENTRAQ-E2E"\n');
  fs.writeFileSync(path.join(dir, 'services'), 'e2e-https 443/tcp\ne2e-web 80/tcp\ne2e-dns 53/udp\n');
  const conf = path.join(dir, 'full.conf');
  fs.writeFileSync(
    conf,
    `# every setting of server.md §4, none at its default
querythreads 2
logfile ${dir}/custom.log
debuglevel LOW
listenport ${p.api}
ip2cfile ${dir}/country.csv ${dir}/asn.csv
servicesfile ${dir}/services
maxclientlatency 30
<sessiontables>
conntracksize 200
memcachesize 5000
timeout 3
toolong 10
</sessiontables>
<netflow>
netflowport ${p.netflow} ${p.netflow2}
ipfixtcpport ${p.ipfixtcp}
ignoreoldnetflows yes
listenaddress 127.0.0.1
samplingrate 127.0.0.7=10
</netflow>
<sflow>
sflowport ${p.sflow}
</sflow>
<storage>
storageinterval 2
databasepath ${dir}/db
segmentcount 40
segmentsize 500
computecrc no
</storage>
<userdata>
userdatapath ${dir}/users
maxsessionkeyage 120
</userdata>
<tls>
cert ${tls?.cert ?? ''}
key ${tls?.key ?? ''}
</tls>
`,
  );
  const s = await launchServer(['-c', conf, ...INIT], { dir, ports: p });
  t.teardown(() => s.stop());
  const api: ApiTarget = tls === null ? { port: p.api } : { port: p.api, ca: fs.readFileSync(tls.cert, 'utf8') };

  t.match(s.stdout, `API ${p.api}, NetFlow/IPFIX ${p.netflow} ${p.netflow2}, sFlow ${p.sflow}, IPFIX/TCP ${p.ipfixtcp}`, 'listening on the ports of the file');
  t.match((await apiRequest(api, 'GET', '/healthz')).json, { status: 'ok' }, `the API on listenport ${p.api}${tls === null ? '' : ' over HTTPS'}`);
  if (tls !== null) {
    const plain = await apiRequest({ port: p.api }, 'GET', '/healthz').then(
      (a) => `HTTP ${a.status}`,
      (e: Error) => e.message,
    );
    t.notMatch(plain, /^HTTP 200/, `plain HTTP is not served (${plain})`);
  }
  t.ok(fs.existsSync(path.join(dir, 'users', 'users.json')), 'users in userdatapath');
  t.ok(fs.existsSync(path.join(dir, 'db')), 'the store in databasepath');
  t.notOk(fs.existsSync(path.join(dir, 'data')), 'nothing in the default ./data');
  t.notOk(fs.existsSync(path.join(dir, 'ftserver.log')), 'no default ./ftserver.log');
  t.ok(await connects('127.0.0.1', p.ipfixtcp), 'IPFIX/TCP port listening on 127.0.0.1');
  t.notOk(await connects('127.0.0.2', p.ipfixtcp), 'and only there (listenaddress 127.0.0.1)');

  const keyed = await login(api, { want_session_key: true });
  t.equal(keyed.status, 200, keyed.text.trim());
  t.type(keyed.json?.session_key, 'string', 'maxsessionkeyage 120: session keys are issued');
  const log = (): string => fs.readFileSync(path.join(dir, 'custom.log'), 'utf8');
  t.match(log(), /ALWAYS\s+ftserver started/, 'the log goes to logfile');
  t.match(log(), /LOW\s+login user=admin/, 'debuglevel LOW: LOW lines are written');
  t.match(log(), /configuration read file=/, 'the log names the file read');

  // traffic: an ordinary exporter on the first port, a sampling one (rate 10) on the second
  const seed = 4242;
  const plain = v9Traffic(1200, seed);
  const sampled = v9Traffic(300, seed + 1);
  await sendDatagrams(p.netflow, plain.datagrams, { bind: '127.0.0.1', ratePerSecond: 3000 });
  await sendDatagrams(p.netflow2, sampled.datagrams, { bind: '127.0.0.7', ratePerSecond: 3000 });
  await sendDatagrams(p.sflow, [new Uint8Array([0, 0, 0, 5])], { bind: '127.0.0.1' });
  t.ok(
    await until(
      async () =>
        (await metric(api, 'opentraq_datagrams_received_total', { port: p.netflow })) === plain.datagrams.length &&
        (await metric(api, 'opentraq_datagrams_received_total', { port: p.netflow2 })) === sampled.datagrams.length &&
        (await metric(api, 'opentraq_datagrams_received_total', { port: p.sflow })) === 1,
    ),
    'both netflow ports and the sflow port receive',
  );
  const tok = await token(api);
  let plainDiff: string[] = [];
  let sampledDiff: string[] = [];
  await until(async () => {
    // a small tracker splits sessions: any number of records each
    plainDiff = storedDifferences(plain.sessions, await stored(api, tok, '127.0.0.1'), { oneRecord: false });
    sampledDiff = storedDifferences(sampled.sessions, await stored(api, tok, '127.0.0.7'), { scale: 10, oneRecord: false });
    return plainDiff.length === 0 && sampledDiff.length === 0;
  });
  t.same(plainDiff.slice(0, 5), [], 'every session of the unsampled exporter stored as sent');
  t.same(sampledDiff.slice(0, 5), [], 'samplingrate 127.0.0.7=10: its packets and bytes are scaled by 10');

  // the session tables: 200 slots overflow, 3 s idle times out, 10 s splits long sessions
  t.ok(await until(async () => (await metric(api, 'opentraq_sessions_emitted_total', { reason: 'timeout' })) > 0), 'timeout 3: idle sessions leave the tracker');
  t.ok((await metric(api, 'opentraq_sessions_emitted_total', { reason: 'evicted' })) > 0, 'conntracksize 200: a full tracker evicts');
  t.ok((await metric(api, 'opentraq_sessions_emitted_total', { reason: 'toolong' })) > 0, 'toolong 10: long sessions are split');
  const records = [...(await stored(api, tok, '127.0.0.1')).values()].reduce((n, x) => n + x.records, 0);
  t.ok(records > plain.sessions.length, `${records} records for ${plain.sessions.length} sessions`);

  // enrichment and service names from the files named
  const q = (params: Record<string, string>): string => `?${queryString({ ...wholeFrame(), count_by: 'BYTES', rows: 1000, ...params })}`;
  const byIp = await apiRequest(api, 'GET', `/api/v1/stat${q({ group_by: 'IP' })}`, { token: tok });
  t.equal(byIp.status, 200, byIp.text.slice(0, 200));
  const cols = byIp.json!.columns as string[];
  const rows = byIp.json!.data as unknown[][];
  const col = (name: string): number => cols.indexOf(name);
  const countries = new Set(rows.filter((r) => net.isIPv4(r[col('IP')] as string)).map((r) => r[col('country')]));
  const asns = new Set(rows.filter((r) => net.isIPv4(r[col('IP')] as string)).map((r) => r[col('asn')]));
  t.ok(countries.has('NZ'), 'ip2cfile: IPv4 addresses are in NZ');
  t.same([...countries].filter((c) => c !== 'NZ' && c !== null), [], 'and in no other country');
  t.same([...asns].filter((a) => a !== 64999 && a !== null), [], 'ip2cfile: in AS 64999 only');
  t.ok(rows.some((r) => r[col('as_name')] === 'OPENTRAQ-E2E'), 'with the AS name of the file');
  const byPort = await apiRequest(api, 'GET', `/api/v1/stat${q({ group_by: 'PORTPROTO' })}`, { token: tok });
  const pcols = byPort.json!.columns as string[];
  const services = new Map((byPort.json!.data as unknown[][]).map((r) => [`${r[pcols.indexOf('PORT')]}/${r[pcols.indexOf('PROTO')]}`, r[pcols.indexOf('service')]]));
  t.equal(services.get('443/6'), 'e2e-https', 'servicesfile: 443/tcp is named by the file');
  t.same([...services.values()].filter((v) => v !== null && !String(v).startsWith('e2e-')), [], 'no name from anywhere else');

  // ignoreoldnetflows yes: once the store holds sessions, day-old flows are dropped, not corrected
  t.ok(await until(async () => (await metric(api, 'opentraq_store_sessions')) > 0), 'sessions reached the store');
  // the retention window is set at the start of each storage cycle: wait for two, kept busy (a cycle
  // with nothing to write is not counted) by fresh flows from another exporter
  const cycles = await metric(api, 'opentraq_storage_cycles_total');
  const busy = v9Traffic(20, seed + 3);
  t.ok(
    await until(async () => {
      await sendDatagrams(p.netflow, busy.datagrams, { bind: '127.0.0.6' });
      return (await metric(api, 'opentraq_storage_cycles_total')) >= cycles + 2;
    }),
    'two more storage cycles',
  );
  const old = v9Traffic(40, seed + 2, 8, Date.now() - 86_400_000);
  await sendDatagrams(p.netflow, old.datagrams, { bind: '127.0.0.8' });
  t.ok(await until(async () => (await metric(api, 'opentraq_dropped_total', { exporter: '127.0.0.8', reason: 'too_old' })) > 0), 'day-old flows are dropped as too_old');
  t.equal((await stored(api, tok, '127.0.0.8')).size, 0, 'none of them stored');

  const stop = await s.stop();
  t.equal(stop.code, 0, 'a clean stop');
  const segs = fs.readdirSync(path.join(dir, 'db')).filter((f) => /^seg-\d+\.otq$/.test(f));
  const infos = segs.map((f) => readSegmentInfo(path.join(dir, 'db', f)));
  t.ok(infos.length >= 2, `${infos.length} segments`);
  t.same(infos.filter((i) => i.rows > 500).map((i) => i.rows), [], 'segmentsize 500: no segment holds more');
  t.same(infos.filter((i) => i.columnCrc), [], 'computecrc no: no column checksums');
});

t.test('bad files, unknown keys, flags over the file', async (t) => {
  const dir = tempDir(t);
  const bad = path.join(dir, 'bad.conf');
  fs.writeFileSync(
    bad,
    [
      '# a file with four bad values', // 1
      'querythreads many', // 2
      'listenport 9640', // 3
      'debuglevel LOUD', // 4
      '<netflow>', // 5
      'netflowport 70000', // 6
      'ignoreoldnetflows perhaps', // 7
      '</netflow>', // 8
    ].join('\n'),
  );
  const [r, missing] = await Promise.all([runFtserver(['-c', bad, ...INIT], { cwd: dir }), runFtserver(['-c', path.join(dir, 'missing.conf'), ...INIT], { cwd: dir })]);
  t.equal(r.code, 2, `bad values: exit 2 (stderr: ${r.stderr.trim()})`);
  for (const line of [2, 4, 6, 7]) t.match(r.stderr, `${bad}:${line}:`, `stderr names line ${line}`);
  t.notMatch(r.stderr, `${bad}:3:`, 'and not the good line 3');
  t.match(r.stderr, /querythreads 'many'/, 'with the setting and its value');
  t.equal(r.stdout, '', 'nothing on stdout');

  t.equal(missing.code, 2, '-c missing.conf: exit 2');
  t.match(missing.stderr, /missing\.conf.*no such file/, `the message names the file (${missing.stderr.trim()})`);

  const p = await ports();
  const conf = path.join(dir, 'ok.conf');
  fs.writeFileSync(
    conf,
    [
      `# good, except an unknown key on line 3`,
      `logfile ${dir}/ok.log`,
      'colour blue',
      'debuglevel ALWAYS',
      `listenport ${p.api}`,
      '<netflow>',
      `netflowport ${p.netflow}`,
      'listenaddress 127.0.0.1',
      '</netflow>',
      '<sflow>',
      `sflowport ${p.sflow}`,
      '</sflow>',
      '<storage>',
      `databasepath ${dir}/db`,
      '</storage>',
      '<userdata>',
      `userdatapath ${dir}/users`,
      'maxsessionkeyage 0',
      '</userdata>',
    ].join('\n'),
  );
  const s = await launchServer(['-c', conf, '--debuglevel', 'LOW', '--maxsessionkeyage', '30', ...INIT], { dir, ports: p });
  t.teardown(() => s.stop());
  const log = fs.readFileSync(path.join(dir, 'ok.log'), 'utf8');
  t.match(log, new RegExp(`HIGH\\s+${conf.replace(/[.]/g, '\\.')}:3: unknown setting colour`), 'the unknown key is warned about with its line number');
  t.match(log, /ftserver started/, 'and the server starts');
  const api = { port: p.api };
  const keyed = await login(api, { want_session_key: true });
  t.type(keyed.json?.session_key, 'string', '--maxsessionkeyage 30 beats the file’s 0');
  t.ok(await until(() => fs.readFileSync(path.join(dir, 'ok.log'), 'utf8').includes('login user=admin')), '--debuglevel LOW beats the file’s ALWAYS');
});

t.test('SIGHUP applies a changed file', async (t) => {
  const dir = tempDir(t);
  const p = await ports();
  const conf = path.join(dir, 'ftserver.conf');
  const write = (o: { debuglevel: string; netflowport: number; maxsessionkeyage: number; databasepath?: string; extra?: string }): void =>
    fs.writeFileSync(
      conf,
      `logfile ${dir}/ftserver.log
debuglevel ${o.debuglevel}
listenport ${p.api}
${o.extra ?? ''}
<netflow>
netflowport ${o.netflowport}
listenaddress 127.0.0.1
</netflow>
<sflow>
sflowport ${p.sflow}
</sflow>
<storage>
storageinterval 1
databasepath ${o.databasepath ?? `${dir}/db`}
</storage>
<userdata>
userdatapath ${dir}/users
maxsessionkeyage ${o.maxsessionkeyage}
</userdata>
`,
    );
  write({ debuglevel: 'MEDIUM', netflowport: p.netflow, maxsessionkeyage: 0 });
  // the default file, ./ftserver.conf, with no -c
  const s = await launchServer(INIT, { dir, ports: p });
  t.teardown(() => s.stop());
  const api = { port: p.api };
  const reloads = (): number => s.log.split('\n').filter((l) => l.includes('configuration reloaded')).length;
  const hup = async (what: string, done: () => boolean): Promise<void> => {
    s.proc.kill('SIGHUP');
    t.ok(await until(done), `SIGHUP handled: ${what}`);
  };

  const before = await login(api, { want_session_key: true });
  t.equal(before.json?.code, 'SESSION_KEYS_DISABLED', 'session keys are off at first');
  t.equal((await login(api)).status, 200);
  t.notMatch(s.log, /LOW\s+login/, 'debuglevel MEDIUM: no LOW lines');
  const first = v9Traffic(100, 98);
  const v9 = v9Traffic(200, 99);
  await sendDatagrams(p.netflow, first.datagrams, { bind: '127.0.0.1' });
  t.ok(await until(async () => (await metric(api, 'opentraq_datagrams_received_total', { port: p.netflow })) === first.datagrams.length), `the first port ${p.netflow} receives`);

  const newPort = await freePort();
  write({ debuglevel: 'LOW', netflowport: newPort, maxsessionkeyage: 60 });
  await hup('debuglevel, netflowport, maxsessionkeyage', () => reloads() === 1);
  t.match(s.log, /configuration reloaded changed=[^\n]*debuglevel/, 'the log lists debuglevel as changed');
  t.match(s.log, /configuration reloaded changed=[^\n]*netflow\.netflowport/, 'and netflowport');
  t.match(s.log, /configuration reloaded changed=[^\n]*userdata\.maxsessionkeyage/, 'and maxsessionkeyage');
  const after = await login(api, { want_session_key: true });
  t.type(after.json?.session_key, 'string', 'session keys are now issued');
  t.ok(await until(() => /LOW\s+login/.test(s.log)), 'LOW lines are now written');
  t.ok(await udpFree(p.netflow), `the old port ${p.netflow} is closed`);
  await sendDatagrams(newPort, v9.datagrams, { bind: '127.0.0.3' });
  t.ok(await until(async () => (await metric(api, 'opentraq_datagrams_received_total', { port: newPort })) === v9.datagrams.length), `the new port ${newPort} receives`);
  const tok = await token(api);
  let diff: string[] = [];
  await until(async () => (diff = [...storedDifferences(first.sessions, await stored(api, tok, '127.0.0.1'), { oneRecord: false }), ...storedDifferences(v9.sessions, await stored(api, tok, '127.0.0.3'), { oneRecord: false })]).length === 0);
  t.same(diff.slice(0, 5), [], 'what either port received is stored');

  // a broken file: nothing changes, the log says so with the line, the server runs on
  write({ debuglevel: 'CRITICAL', netflowport: p.netflow, maxsessionkeyage: 0, extra: 'querythreads lots' });
  await hup('a broken file', () => s.log.includes('SIGHUP: the configuration has errors; nothing changed'));
  t.match(s.log, /nothing changed error=.*ftserver\.conf:4: querythreads 'lots'/, 'the log names the bad line');
  t.equal(reloads(), 1, 'no reload happened');
  t.type((await login(api, { want_session_key: true })).json?.session_key, 'string', 'session keys still on');
  t.notOk(await udpFree(newPort), 'the new port is still held');
  t.ok(await udpFree(p.netflow), 'the old one still closed');
  t.match((await apiRequest(api, 'GET', '/healthz')).json, { status: 'ok' }, 'the server keeps running');

  // databasepath cannot change while running: reported and kept
  write({ debuglevel: 'LOW', netflowport: newPort, maxsessionkeyage: 60, databasepath: `${dir}/otherdb` });
  await hup('a new databasepath', () => reloads() === 2);
  t.match(s.log, /storage\.databasepath cannot change while ftserver runs: keeping/, 'the log says databasepath is kept');
  t.match(s.log, /configuration reloaded changed=nothing kept=storage\.databasepath/, 'and the reload changed nothing else');
  t.notOk(fs.existsSync(path.join(dir, 'otherdb')), 'no store at the new path');
  t.equal((await stored(api, tok, '127.0.0.3')).size, v9.sessions.length, 'the sessions are still there');
  t.equal(s.proc.exitCode, null, 'still running');
  t.equal((await s.stop()).code, 0, 'and stops cleanly');
});

t.test('the command line', async (t) => {
  const dir = tempDir(t);
  const [help, bogus, noValue, unknown, yesBackup] = await Promise.all([
    runFtserver(['--help'], { cwd: dir }),
    runFtserver(['bogus'], { cwd: dir }),
    runFtserver(['--netflowport'], { cwd: dir }),
    runFtserver(['--netflowprot', '2055'], { cwd: dir }),
    runFtserver(['backup', path.join(dir, 'b'), '--yes'], { cwd: dir }),
  ]);
  t.equal(help.code, 0, '--help: exit 0');
  t.match(help.stdout, /^Usage:/, 'usage on stdout');
  t.match(help.stdout, /-c FILE/);
  t.equal(bogus.code, 2, 'an unknown command: exit 2');
  t.match(bogus.stderr, /unknown command "bogus"/, bogus.stderr.trim());
  t.equal(noValue.code, 2, '--netflowport without a value: exit 2');
  t.match(noValue.stderr, /--netflowport needs a value/, noValue.stderr.trim());
  t.equal(unknown.code, 2, 'a misspelt option: exit 2');
  t.match(unknown.stderr, /did you mean --netflowport/, unknown.stderr.trim());
  t.equal(yesBackup.code, 2, '--yes with backup: exit 2');
  t.match(yesBackup.stderr, /--yes confirms clear or restore only/, yesBackup.stderr.trim());
  t.notOk(fs.existsSync(path.join(dir, 'data')), 'none of these created a store');

  // a netflow port already taken
  const taken = dgram.createSocket('udp4');
  const port = await new Promise<number>((resolve) => taken.bind(0, '127.0.0.1', () => resolve(taken.address().port)));
  t.teardown(() => taken.close());
  const api = await freePort();
  const busy = await runFtserver(
    ['--netflowport', String(port), '--listenaddress', '127.0.0.1', '--sflowport', '', '--listenport', String(api), '--databasepath', `${dir}/db`, '--userdatapath', `${dir}/users`, '--logfile', `${dir}/log`, ...INIT],
    { cwd: dir },
  );
  t.equal(busy.code, 1, `a port in use: exit 1 (${busy.stderr.trim()})`);
  t.match(busy.stderr, /cannot listen: .*EADDRINUSE.*another collector running\?/, 'a clear message');
  t.match(busy.stderr, String(port), 'naming the port');
  const lastLine = fs.readFileSync(`${dir}/log`, 'utf8').trim().split('\n').at(-1) ?? '';
  t.match(lastLine, new RegExp(`ALWAYS\\s+ftserver did not start error="cannot listen: .*EADDRINUSE.*${port}.*" exit=1$`), `and in the log file: ${lastLine}`);
});
