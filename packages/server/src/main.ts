// `ftserver`: the command line of the collector. Runs the server (default), or one administrative
// command on its store: backup DEST, restore SRC, clear [--yes]. Exit codes are in docs/server.md.

import { readFileSync } from 'node:fs';
import { ConfigError, configFromFlags, type ServerFlags } from '@opentraq/core';
import { AdminError, backupStore, clearStore, confirmClear, restoreStore } from './admin/index.js';
import { AuthError } from './auth/index.js';
import { Logger } from './log/index.js';
import { FtServer } from './server/ftserver.js';
import { ConfigFileError, loadConfig } from './server/loadconfig.js';

/** 0 success; 1 runtime failure; 2 usage or configuration error. */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

const USAGE = `Usage:
  ftserver [-c FILE] [--SETTING VALUE ...] [--init-admin-password PASS]   run the collector
  ftserver [-c FILE] backup DEST        copy the store and users to DEST (while running)
  ftserver [-c FILE] restore SRC        replace the store and users with a verified backup
  ftserver [-c FILE] clear [--yes]      delete every stored session (users are kept)
  ftserver --help | --version

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

async function runServer(flags: ServerFlags, initAdminPassword: string | undefined): Promise<number> {
  const loaded = loadConfig(flags);
  const logger = new Logger({ level: loaded.config.debuglevel, file: loaded.config.logfile });
  for (const w of loaded.warnings) logger.log('HIGH', w.message);
  logger.log('MEDIUM', loaded.file === null ? 'no configuration file; using the defaults and the command line' : 'configuration read', { file: loaded.file ?? undefined });
  const server = await FtServer.start({
    config: loaded.config,
    logger,
    ...(initAdminPassword === undefined ? {} : { initAdminPassword }),
    onInitialPassword: (p) => process.stdout.write(`ftserver: created user admin with password ${p}\nftserver: this password is shown only once; change it through the API (PUT /api/v1/users/admin/password, docs/server.md)\n`),
  });
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
  try {
    if (command === undefined || command === 'run') {
      if (operands.length > 0) return fail(`unexpected arguments: ${operands.join(' ')}`, EXIT.USAGE);
      return await runServer(flags, taken.password);
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
        const r = await restoreStore({ ...paths, src: operands[0]!, onProgress: progress });
        process.stdout.write(`${JSON.stringify(r)}\n`);
      }
      return EXIT.OK;
    }
    if (command === 'clear') {
      if (operands.length > 0) return fail(`clear takes no arguments (got ${operands.join(' ')})`, EXIT.USAGE);
      if (!flags.switches.has('--yes') && !flags.switches.has('-y')) {
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
    if (e instanceof ConfigError || e instanceof ConfigFileError) return fail(e.message, EXIT.USAGE);
    if (e instanceof AdminError) return fail(e.message, e.exitCode);
    if (e instanceof AuthError) return fail(e.message, EXIT.FAILURE);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') {
      return fail(`cannot listen: ${err.message} (another collector running? choose other ports with --netflowport / --listenport)`, EXIT.FAILURE);
    }
    return fail(`${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`, EXIT.FAILURE);
  }
}
