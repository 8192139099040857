// Bundles each tool into one ES module under dist/bundle/ (bin/ftstat, bin/ftsq, bin/ftum, bin/ftnbi
// load these): one file to read instead of hundreds, and only the parts of @opentraq/core a tool uses,
// for a fast start. What a run may not need (undici, chalk, ora, charts) stays in chunks loaded on first use.
//
// Usage: node packages/cli/scripts/bundle.mjs   (run by `npm run build` after tsc)

import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { pureModulesPlugin } from '../../../scripts/puremodulesplugin.mjs';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(pkg, 'dist', 'bundle');

/**
 * core's modules only define things (tables, functions, classes), and of yargs the tools use only its
 * parser (yargs/helpers, whose other exports pull in cliui, y18n and more): telling esbuild so lets it
 * leave out every module a tool does not reach — decoders, store and enrichment dominate core's load time.
 */
const pureModules = pureModulesPlugin(
  [path.resolve(pkg, '../core/dist'), path.join(pkg, 'node_modules/yargs'), path.join(pkg, 'node_modules/yargs-parser')],
  (spec) => spec === '@opentraq/core' || spec.startsWith('yargs'),
);

/**
 * Files undici requires only inside functions: the llhttp WebAssembly (a 72 KB base64 string, twice: with
 * and without SIMD, of which one is used) and fetch's body handling (for FormData bodies, which the tools
 * never send). Left in the package and required when called, they cost no parsing at every start.
 */
const LAZY_UNDICI = /^\.\.\/(llhttp\/llhttp(_simd)?-wasm|web\/fetch\/body)\.js$/;
const lazyUndiciFiles = {
  name: 'lazy-undici-files',
  setup(b) {
    b.onResolve({ filter: LAZY_UNDICI }, (args) =>
      args.importer.includes(`${path.sep}undici${path.sep}lib${path.sep}`) ? { path: `undici/lib/${args.path.slice(3)}`, external: true } : undefined,
    );
  },
};

/**
 * Each bundle's entry: the tool's main module, after tuneForShortRun() (src/common/shortrun.ts) has set
 * what a process that lives for one command wants; the tool's modules themselves stay free of it, so
 * that importing @opentraq/cli as a library changes nothing in the importing process.
 */
const TOOLS = ['ftstat', 'ftsq', 'ftum', 'ftnbi'];
const toolEntries = {
  name: 'tool-entries',
  setup(b) {
    b.onResolve({ filter: /^tool-entry:/ }, (args) => ({ path: args.path.slice('tool-entry:'.length), namespace: 'tool-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'tool-entry' }, (args) => ({
      contents:
        `import { tuneForShortRun } from ${JSON.stringify(path.join(pkg, 'src/common/shortrun.ts'))};\n` +
        'tuneForShortRun();\n' +
        `export { main, exitWhenFlushed } from ${JSON.stringify(path.join(pkg, `src/${args.path}/main.ts`))};\n`,
      resolveDir: pkg,
      loader: 'ts',
    }));
  },
};

/**
 * undici's HTTP/2 half (client-h2.js) loads node:http2 — and with it node:tls — as it is required, at
 * every start (~15 ms), though a Client speaks HTTP/2 only when created with allowH2, which the tools
 * never do. In the bundles it is a stand-in that requires the real module from the package on its first call.
 */
const lazyHttp2 = {
  name: 'lazy-undici-http2',
  setup(b) {
    b.onResolve({ filter: /^\.\/client-h2\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}undici${path.sep}lib${path.sep}dispatcher${path.sep}`) ? { path: 'client-h2', namespace: 'lazy-undici-http2' } : undefined,
    );
    b.onResolve({ filter: /^undici\/lib\/dispatcher\/client-h2\.js$/ }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-undici-http2' }, () => ({
      contents: "module.exports = function connectH2(...args) { return require('undici/lib/dispatcher/client-h2.js')(...args); };\n",
      loader: 'js',
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: Object.fromEntries(TOOLS.map((tool) => [tool, `tool-entry:${tool}`])),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies (undici, cli-table3) call require(): give the ES module one
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  // resvg is a native module (its .node binary is loaded by its own require): it stays a package, loaded with the first chart
  external: ['@resvg/resvg-js'],
  plugins: [toolEntries, lazyUndiciFiles, lazyHttp2, pureModules],
  metafile: true,
  logLevel: 'warning',
});
const sizes = Object.entries(result.metafile.outputs).map(([file, o]) => `${path.relative(pkg, file)} ${(o.bytes / 1024).toFixed(0)} KiB`);
process.stdout.write(`bundled: ${sizes.join(', ')}\n`);
