// Skips in the extension host, as in the integration tier: a package of test/system-packages.txt
// that is missing FAILS under npm test (which installed them: OOM_LENS_DEPS_REQUIRED=1), and
// skips loudly, with the reason, elsewhere. What no install can give (root) always skips loudly.

export function skipLoudly(ctx: Mocha.Context, reason: string): never {
  console.warn(`\n    ⚠ SKIPPED: ${ctx.test?.parent?.fullTitle() ?? ctx.test?.fullTitle() ?? 'a suite'}\n      reason: ${reason}\n`);
  ctx.skip();
}

export function missingDependency(ctx: Mocha.Context, reason: string): never {
  if (process.env.OOM_LENS_DEPS_REQUIRED === '1') {
    throw new Error(`missing dependency: ${reason}. npm test installs test/system-packages.txt before this tier: add the package there`);
  }
  skipLoudly(ctx, reason);
}
