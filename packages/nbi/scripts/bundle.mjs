// Bundles each detector into one ES module under dist/bundle/ (bin/ftdos, bin/fttcv load these): one
// file to read instead of hundreds, and only the parts of @opentraq/core and @opentraq/cli a detector
// uses. What a run may not need (undici until the login, ora) stays in chunks loaded on first use.
//
// Usage: node packages/nbi/scripts/bundle.mjs   (after tsc has built core, cli and nbi)

import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { pureModulesPlugin } from '../../../scripts/puremodulesplugin.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(pkg, 'dist', 'bundle');
const cli = path.resolve(pkg, '../cli');

/**
 * core's and cli's modules only define things (tables, functions, classes; cli's index also exports
 * ftstat and ftsq, which a detector never calls), and of yargs the parameter parser is all that is
 * used: telling esbuild so lets it leave out every module a detector does not reach.
 */
const pureModules = pureModulesPlugin(
  [path.resolve(pkg, '../core/dist'), path.join(cli, 'dist'), path.join(cli, 'node_modules/yargs'), path.join(cli, 'node_modules/yargs-parser')],
  (spec) => spec === '@opentraq/core' || spec === '@opentraq/cli' || spec.startsWith('yargs'),
);

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { ftdos: path.join(pkg, 'src/ftdos/main.ts'), fttcv: path.join(pkg, 'src/fttcv/main.ts'), ftscan: path.join(pkg, 'src/ftscan/main.ts'), ftbfg: path.join(pkg, 'src/ftbfg/main.ts'), ftth: path.join(pkg, 'src/ftth/main.ts'), ftbl: path.join(pkg, 'src/ftbl/main.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies (undici) call require(): give the ES module one
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  // the query tools' charts use this native module; detectors draw no charts, so it is never loaded
  external: ['@resvg/resvg-js'],
  plugins: [pureModules],
  metafile: true,
  logLevel: 'warning',
});
const sizes = Object.entries(result.metafile.outputs).map(([file, o]) => `${path.relative(pkg, file)} ${(o.bytes / 1024).toFixed(0)} KiB`);
process.stdout.write(`bundled: ${sizes.join(', ')}\n`);
