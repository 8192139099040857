import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { BUNDLED_SERVICES, EnrichError, ServiceNames, SYSTEM_SERVICES_FILE } from '../../src/enrich/index.js';

const FIXTURE = `# Network services, Internet style
#
tcpmux		1/tcp				# TCP port service multiplexer
ssh		22/tcp				# SSH Remote Login Protocol
domain		53/tcp				# Domain Name Server
domain		53/udp
http		80/tcp		www		# WorldWideWeb HTTP
www-alt		80/tcp
https		443/tcp
https		443/udp
rtmp		1/ddp				# Routing Table Maintenance Protocol
nfs		2049/tcp
nfs		2049/udp
sip   5060/sctp
dccp-thing 5004/dccp
webcache	8080/tcp	http-alt	# WWW caching service
   spaced	9999/UDP    # upper-case protocol, leading blanks
`;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'opentraq-services-'));
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));
const fixtureFile = path.join(work, 'services');
fs.writeFileSync(fixtureFile, FIXTURE);

t.test('parsing services(5) text', async (t) => {
  const s = ServiceNames.parse(FIXTURE, 'fixture');
  t.equal(s.source, 'fixture');
  t.equal(s.name(22, 6), 'ssh');
  t.equal(s.name(22, 17), undefined, 'listed for TCP only');
  t.equal(s.name(53, 17), 'domain');
  t.equal(s.name(80, 6), 'http', 'the first name for a port wins, aliases are not names');
  t.equal(s.name(8080, 6), 'webcache');
  t.equal(s.name(5060, 132), 'sip');
  t.equal(s.name(5004, 33), 'dccp-thing');
  t.equal(s.name(9999, 17), 'spaced');
  t.equal(s.name(1, 6), 'tcpmux');
  t.equal(s.name(1, 17), undefined, 'ddp lines are skipped');
  t.equal(s.name(443, 1), undefined, 'ICMP has no ports');
  t.equal(s.name(70000, 6), undefined);

  t.equal(s.isServicePort(22, 6), true);
  t.equal(s.isServicePort(1023, 6), true, 'well-known even when unnamed');
  t.equal(s.isServicePort(1023, 17), true);
  t.equal(s.isServicePort(0, 6), false, 'port 0 is no service');
  t.equal(s.isServicePort(1024, 6), false);
  t.equal(s.isServicePort(2049, 17), true, 'listed above 1023');
  t.equal(s.isServicePort(8080, 6), true);
  t.equal(s.isServicePort(8080, 17), false);
  t.equal(s.isServicePort(50000, 6), false);
  t.equal(s.isServicePort(53, 1), false, 'protocols without ports have no service ports');
  t.equal(s.isServicePort(53, 47), false);

  t.equal(s.format(443, 6), 'https/TCP');
  t.equal(s.format(53, 17), 'domain/UDP');
  t.equal(s.format(8123, 6), '8123/TCP');
  t.equal(s.format(5060, 132), 'sip/SCTP');
  t.equal(s.format(2048, 1), '2048/ICMP');
  t.equal(s.format(0, 47), '0/GRE');
  t.equal(s.format(0, 99), '0/99');
});

t.test('bad services text and files', async (t) => {
  t.throws(() => ServiceNames.parse('ssh 22/tcp\nbroken line here\n', 'mine'), {
    name: 'EnrichError',
    code: 'FORMAT',
    message: /^mine: line 2: expected "name port\/protocol \[aliases\] \[# comment\]", found "broken line here"/,
  });
  t.throws(() => ServiceNames.parse('big 70000/tcp\n', 'mine'), { code: 'FORMAT', message: /line 1/ });
  t.throws(() => ServiceNames.parse('noport\n', 'mine'), { code: 'FORMAT' });
  const missing = path.join(work, 'missing');
  try {
    ServiceNames.open(missing);
    t.fail('a missing configured file is accepted');
  } catch (e) {
    t.ok(e instanceof EnrichError);
    t.equal((e as EnrichError).code, 'IO');
    t.match((e as Error).message, /missing: cannot read the services file: no such file/);
  }
});

t.test('choosing the source: servicesfile setting, system file, bundled list', async (t) => {
  t.equal(ServiceNames.open(fixtureFile).source, fixtureFile, 'a configured path');
  t.equal(ServiceNames.open(fixtureFile).name(8080, 6), 'webcache');
  t.equal(ServiceNames.open('', fixtureFile).source, fixtureFile, 'empty: the system file');
  const none = ServiceNames.open('', path.join(work, 'no-such-services'));
  t.equal(none.source, 'bundled', 'empty and no system file: the bundled list');
  t.equal(none.format(443, 6), 'https/TCP');
  t.equal(none.format(53, 17), 'domain/UDP');
  t.equal(none.format(22, 6), 'ssh/TCP');
  t.equal(none.name(514, 17), 'syslog');
  t.equal(none.name(514, 6), 'shell');
  t.equal(none.isServicePort(3306, 6), true);
  t.equal(none.isServicePort(3306, 1), false);
  t.equal(none.isServicePort(40000, 17), false);
  if (fs.existsSync(SYSTEM_SERVICES_FILE)) {
    const system = ServiceNames.open();
    t.equal(system.source, SYSTEM_SERVICES_FILE, 'this machine has a system file, which is read');
    t.equal(system.name(22, 6), 'ssh');
  } else {
    t.equal(ServiceNames.open().source, 'bundled', 'this machine has no system file: bundled list');
  }
});

t.test('the bundled list is well formed', async (t) => {
  t.ok(BUNDLED_SERVICES.length >= 200, `${BUNDLED_SERVICES.length} entries`);
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const [name, port, protos] of BUNDLED_SERVICES) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(name) || name.length > 15) problems.push(`bad name ${name}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`bad port ${port}`);
    for (const p of protos.split(' ')) {
      if (!['tcp', 'udp', 'sctp', 'dccp'].includes(p)) problems.push(`bad protocol ${p} for ${name}`);
      if (seen.has(`${port}/${p}`)) problems.push(`${port}/${p} listed twice`);
      seen.add(`${port}/${p}`);
    }
  }
  t.same(problems, []);
  // Where this machine's services file names a port too, it mostly agrees with IANA's name.
  if (fs.existsSync(SYSTEM_SERVICES_FILE)) {
    const system = ServiceNames.fromFile(SYSTEM_SERVICES_FILE);
    const bundled = ServiceNames.bundled();
    let both = 0;
    let same = 0;
    for (const [, port, protos] of BUNDLED_SERVICES) {
      for (const p of protos.split(' ')) {
        const proto = { tcp: 6, udp: 17, sctp: 132, dccp: 33 }[p]!;
        const s = system.name(port, proto);
        if (s === undefined) continue;
        both++;
        if (s === bundled.name(port, proto)) same++;
      }
    }
    t.comment(`bundled vs ${SYSTEM_SERVICES_FILE}: ${same} of ${both} shared port/protocol pairs have the same name`);
    t.ok(both < 50 || same / both > 0.8, 'the bundled names are the usual ones');
  }
});
