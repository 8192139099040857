// `ftserver`: the command line of the collector. Runs the server (default), or one administrative
// command on its store: backup DEST, restore SRC [--yes], clear [--yes]. Exit codes are in docs/server.md.

import { readFileSync } from 'node:fs';
import { ConfigError, StoreError, configFromFlags, type ServerFlags } from '@opentraq/core';
import { AdminError, backupStore, clearStore, confirmClear, confirmRestore, restoreStore, type RestorePlan } from './admin/index.js';
import { AuthError } from './auth/index.js';
import { Logger } from './log/index.js';
import { FtServer } from './server/ftserver.js';
import { ConfigFileError, loadConfig } from './server/loadconfig.js';

/** 0 success; 1 runtime failure; 2 usage or configuration error. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

const USAGE = `Usage:
  ftserver [-c FILE] [--SETTING VALUE ...] [--init-admin-password PASS]   run the collector
  ftserver [-c FILE] backup DEST          copy the store and users to DEST (while running)
  ftserver [-c FILE] restore SRC [--yes]  replace the store and users with a verified backup
  ftserver [-c FILE] clear [--yes]        delete every stored session (users are kept)
  ftserver --help | --version

restore and clear ask for "yes" at a terminal; elsewhere they need --yes.
Every setting of ftserver.conf is also an option: --netflowport 2055 --databasepath DIR ...
(docs/config.md lists them). -c FILE defaults to ./ftserver.conf when it exists.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function fail(message: string, code: number): number {
  process.stderr.write(`ftserver: ${message}\n`);
  if (code === EXIT.USAGE) process.stderr.write(`Try 'ftserver --help'.\n`);
  return code;
}

/** node's "EEXIST: file already exists, mkdir '/x'" as "file already exists (EEXIST)", for messages that name the file themselves. */
function systemReason(err: NodeJS.ErrnoException): string {
  const m = /^(E[A-Z0-9]+): ([^,]+),/.exec(err.message);
  return m === null ? err.message : `${m[2]} (${m[1]})`;
}

/** Why ftserver stops on `e`, in words for the person who reads it, and the exit code it ends with. */
function describeFailure(e: unknown): { message: string; code: number } {
  if (e instanceof ConfigError || e instanceof ConfigFileError) return { message: e.message, code: EXIT.USAGE };
  if (e instanceof AdminError) return { message: e.message, code: e.exitCode };
  if (e instanceof AuthError) return { message: e.message, code: EXIT.FAILURE };
  // a StoreError of the storage thread arrives rebuilt, with its name and code but not its class
  if (e instanceof StoreError || (e instanceof Error && e.name === 'StoreError')) return { message: `cannot use the store: ${e.message}`, code: EXIT.FAILURE };
  const err = (typeof e === 'object' && e !== null ? e : { name: 'Error', message: String(e) }) as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
    if (err.syscall === 'listen' || err.syscall === 'bind') {
      return { message: `cannot listen: ${err.message} (another collector running? choose other ports with --netflowport / --listenport)`, code: EXIT.FAILURE };
    }
  }
  if (typeof err.code === 'string' && typeof err.syscall === 'string' && typeof err.path === 'string') {
    return { message: `cannot ${err.syscall} ${err.path}: ${systemReason(err)}`, code: EXIT.FAILURE };
  }
  return { message: `${err.name === 'Error' || err.name === undefined ? '' : `${err.name}: `}${err.message}`, code: EXIT.FAILURE };
}

/** Environment variable for tests: the idle time of auth tokens in seconds (default 900, docs/server.md). */
export const TOKEN_IDLE_ENV = 'OPENTRAQ_TOKEN_IDLE_SECONDS';
const MAX_TOKEN_IDLE_SECONDS = 10 * 365 * 86_400;

/** OPENTRAQ_TOKEN_IDLE_SECONDS, checked; undefined when it is not set. */
function tokenIdleSeconds(): { seconds: number | undefined; error?: string } {
  const text = process.env[TOKEN_IDLE_ENV];
  if (text === undefined || text === '') return { seconds: undefined };
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_TOKEN_IDLE_SECONDS)) {
    return { seconds: undefined, error: `${TOKEN_IDLE_ENV} must be a whole number of seconds from 1 to ${MAX_TOKEN_IDLE_SECONDS} (got ${JSON.stringify(text.slice(0, 40))})` };
  }
  return { seconds: n };
}

/** Take `--init-admin-password VALUE` (ours, not a setting) out of the arguments. */
function takeInitPassword(argv: string[]): { argv: string[]; password: string | undefined; error?: string } {
  const out: string[] = [];
  let password: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--init-admin-password') {
      const v = argv[i + 1];
      if (v === undefined) return { argv, password, error: '--init-admin-password needs a value' };
      password = v;
      i++;
    } else if (a.startsWith('--init-admin-password=')) {
      password = a.slice('--init-admin-password='.length);
    } else {
      out.push(a);
    }
  }
  if (password === '') return { argv, password, error: '--init-admin-password must not be empty' };
  return { argv: out, password };
}

async function runServer(flags: ServerFlags, initAdminPassword: string | undefined, tokenIdle: number | undefined): Promise<number> {
  const loaded = loadConfig(flags);
  let logger: Logger;
  try {
    logger = new Logger({ level: loaded.config.debuglevel, file: loaded.config.logfile });
  } catch (e) {
    return fail(`cannot open the log file ${loaded.config.logfile}: ${systemReason(e as NodeJS.ErrnoException)}`, EXIT.FAILURE);
  }
  for (const w of loaded.warnings) logger.log('HIGH', w.message);
  logger.log('MEDIUM', loaded.file === null ? 'no configuration file; using the defaults and the command line' : 'configuration read', { file: loaded.file ?? undefined });
  // tokenIdleSeconds: OPENTRAQ_TOKEN_IDLE_SECONDS, for tests (FtServerOptions.tokenIdleSeconds)
  const startOptions = {
    config: loaded.config,
    logger,
    ...(initAdminPassword === undefined ? {} : { initAdminPassword }),
    ...(tokenIdle === undefined ? {} : { tokenIdleSeconds: tokenIdle }),
    onInitialPassword: (p: string) => void process.stdout.write(`ftserver: created user admin with password ${p}\nftserver: this password is shown only once; change it through the API (PUT /api/v1/users/admin/password, docs/server.md)\n`),
  };
  let server: FtServer;
  try {
    server = await FtServer.start(startOptions);
  } catch (e) {
    // a service manager shows stderr, an operator reads the log: both get why the server is not running
    const failure = describeFailure(e);
    if (logger.writesToFile) logger.log('ALWAYS', 'ftserver did not start', { error: failure.message, exit: failure.code });
    logger.close();
    return fail(failure.message, failure.code);
  }
  const ports = server.ports();
  process.stdout.write(`ftserver: listening: API ${ports.api}, NetFlow/IPFIX ${ports.netflow.join(' ') || 'off'}, sFlow ${ports.sflow.join(' ') || 'off'}, IPFIX/TCP ${ports.ipfixtcp.join(' ') || 'off'}\n`);

  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      try {
        const next = loadConfig(flags);
        for (const w of next.warnings) logger.log('HIGH', w.message);
        await server.reload(next.config);
      } catch (e) {
        logger.log('CRITICAL', 'SIGHUP: the configuration has errors; nothing changed', { error: (e as Error).message });
      }
    });
  });
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      logger.log('ALWAYS', `${signal}: stopping`);
      server.stop().then(
        () => resolve(EXIT.OK),
        (e: unknown) => {
          logger.log('CRITICAL', 'stop failed', { error: e });
          resolve(EXIT.FAILURE);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

export async function main(argvIn: readonly string[]): Promise<number> {
  const taken = takeInitPassword([...argvIn]);
  if (taken.error !== undefined) return fail(taken.error, EXIT.USAGE);
  let flags: ServerFlags;
  try {
    flags = configFromFlags(taken.argv, { switches: ['--help', '-h', '--version', '-V', '--yes', '-y'] });
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message, EXIT.USAGE);
    throw e;
  }
  if (flags.switches.has('--help') || flags.switches.has('-h')) {
    process.stdout.write(USAGE);
    return EXIT.OK;
  }
  if (flags.switches.has('--version') || flags.switches.has('-V')) {
    process.stdout.write(`ftserver ${version()}\n`);
    return EXIT.OK;
  }
  const [command, ...operands] = flags.positionals;
  const yes = flags.switches.has('--yes') || flags.switches.has('-y');
  if (yes && command !== 'clear' && command !== 'restore') return fail('--yes confirms clear or restore only', EXIT.USAGE);
  try {
    if (command === undefined || command === 'run') {
      if (operands.length > 0) return fail(`unexpected arguments: ${operands.join(' ')}`, EXIT.USAGE);
      const idle = tokenIdleSeconds();
      if (idle.error !== undefined) return fail(idle.error, EXIT.USAGE);
      return await runServer(flags, taken.password, idle.seconds);
    }
    const { config } = loadConfig(flags);
    const paths = { databasePath: config.storage.databasepath, userdataPath: config.userdata.userdatapath };
    const progress = (m: string): void => void process.stderr.write(`ftserver: ${m}\n`);
    if (command === 'backup' || command === 'restore') {
      if (operands.length !== 1) return fail(`${command} needs exactly one directory: ftserver ${command} ${command === 'backup' ? 'DEST' : 'SRC'}`, EXIT.USAGE);
      if (command === 'backup') {
        const r = await backupStore({ ...paths, dest: operands[0]!, onProgress: progress });
        process.stdout.write(`${JSON.stringify(r)}\n`);
      } else {
        if (!yes && !process.stdin.isTTY) return fail('restore replaces the store and the users: confirm with --yes when not at a terminal', EXIT.USAGE);
        const confirm = (plan: RestorePlan): Promise<boolean> => confirmRestore(process.stdin, process.stdout, plan);
        const r = await restoreStore({ ...paths, src: operands[0]!, onProgress: progress, ...(yes ? {} : { confirm }) });
        process.stdout.write(`${JSON.stringify(r)}\n`);
      }
      return EXIT.OK;
    }
    if (command === 'clear') {
      if (operands.length > 0) return fail(`clear takes no arguments (got ${operands.join(' ')})`, EXIT.USAGE);
      if (!yes) {
        if (!process.stdin.isTTY) return fail('clear deletes every stored session: confirm with --yes when not at a terminal', EXIT.USAGE);
        if (!(await confirmClear(process.stdin, process.stdout, paths.databasePath))) {
          process.stderr.write('ftserver: nothing deleted\n');
          return EXIT.OK;
        }
      }
      const r = clearStore({ databasePath: paths.databasePath });
      process.stdout.write(`${JSON.stringify(r)}\n`);
      return EXIT.OK;
    }
    return fail(`unknown command ${JSON.stringify(command)}: use backup, restore or clear (or none to run the server)`, EXIT.USAGE);
  } catch (e) {
    const failure = describeFailure(e);
    return fail(failure.message, failure.code);
  }
}
