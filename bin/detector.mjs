// What every detector launcher in bin/ runs (bin/ftdos, bin/fttcv, bin/ftscan, bin/ftbfg, bin/ftth,
// bin/ftbl): V8 settings for a small long-running process, set before the tool loads (docs/nbi.md,
// "Memory"): undici's HTTP parser compiled by Liftoff only (optimising it held 30 MB at start), a young
// generation that stays at 2 MB, the old one grown 10 % over what lives, and less inlining by the
// optimising compiler. Then the detector's bundle (packages/nbi/scripts/bundle.mjs) runs its main().
import v8 from 'node:v8';

export function launch(name) {
  v8.setFlagsFromString('--liftoff-only --semi-space-growth-factor=1 --heap-growing-percent=10 --max-inlined-bytecode-size-cumulative=200');
  return import(`../packages/nbi/dist/bundle/${name}.mjs`)
    .then(
      ({ main, exitWhenFlushed }) => main(process.argv.slice(2)).then(exitWhenFlushed),
      (e) => {
        process.stderr.write(`${name}: cannot load the tool (run npm run build first?): ${e?.stack ?? e}\n`);
        process.exitCode = 1;
      },
    )
    .catch((e) => {
      process.stderr.write(`${name}: internal error: ${e?.stack ?? e}\n`);
      process.exitCode = 1;
    });
}
