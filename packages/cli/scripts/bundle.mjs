// Bundles each tool into one ES module under dist/bundle/ (bin/ftstat, bin/ftsq load these): one file
// to read instead of hundreds, and only the parts of @opentraq/core a tool uses, for a fast start.
// What a run may not need (undici, chalk, ora) stays in chunks loaded on first use.
//
// Usage: node packages/cli/scripts/bundle.mjs   (run by `npm run build` after tsc)

import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(pkg, 'dist', 'bundle');

/**
 * core's modules only define things (tables, functions, classes), and of yargs the tools use only its
 * parser (yargs/helpers, whose other exports pull in cliui, y18n and more): telling esbuild so lets it
 * leave out every module a tool does not reach — decoders, store and enrichment dominate core's load time.
 */
const PURE = [path.resolve(pkg, '../core/dist'), path.join(pkg, 'node_modules/yargs'), path.join(pkg, 'node_modules/yargs-parser')].map((d) => d + path.sep);
const isPure = (file) => PURE.some((d) => file.startsWith(d));
const pureModules = {
  name: 'pure-modules',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner' || !(args.path === '@opentraq/core' || args.path.startsWith('yargs') || isPure(args.importer))) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'inner' });
      if (r.errors.length > 0 || !isPure(r.path)) return r;
      return { ...r, sideEffects: false };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { ftstat: path.join(pkg, 'src/ftstat/main.ts'), ftsq: path.join(pkg, 'src/ftsq/main.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies (undici, cli-table3) call require(): give the ES module one
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  plugins: [pureModules],
  metafile: true,
  logLevel: 'warning',
});
const sizes = Object.entries(result.metafile.outputs).map(([file, o]) => `${path.relative(pkg, file)} ${(o.bytes / 1024).toFixed(0)} KiB`);
process.stdout.write(`bundled: ${sizes.join(', ')}\n`);
