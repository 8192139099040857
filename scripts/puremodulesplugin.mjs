// The esbuild plugin both bundle scripts (packages/cli, packages/nbi) use to mark modules that only
// define things as free of side effects, so that a bundle leaves out every one of them it does not reach.

import path from 'node:path';

/**
 * `dirs`: the folders whose modules only define things (tables, functions, classes);
 * `entries(spec)`: whether an import specifier leads into them (`@opentraq/core`, `yargs`...).
 * An import from or into those folders resolves as usual and is then marked `sideEffects: false`.
 */
export function pureModulesPlugin(dirs, entries) {
  const pure = dirs.map((d) => d + path.sep);
  const isPure = (file) => pure.some((d) => file.startsWith(d));
  return {
    name: 'pure-modules',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'inner' || !(entries(args.path) || isPure(args.importer))) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'inner' });
        if (r.errors.length > 0 || !isPure(r.path)) return r;
        return { ...r, sideEffects: false };
      });
    },
  };
}
