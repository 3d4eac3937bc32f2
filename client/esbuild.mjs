// Build: `node esbuild.mjs` bundles the extension into dist/extension.js (vscode is external).
// `node esbuild.mjs --tests` also bundles the tests into out/test/ (unit tests for plain node,
// the extension-host suite, and the end-to-end drivers).
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  external: ['vscode'],
  logLevel: 'warning',
};

await esbuild.build({
  ...common,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  minify: production,
  sourcemap: !production,
});

if (tests) {
  const unit = readdirSync('test/unit').filter((f) => f.endsWith('.ts')).map((f) => `test/unit/${f}`);
  const e2e = readdirSync('test/e2e').filter((f) => f.endsWith('.ts')).map((f) => `test/e2e/${f}`);
  await esbuild.build({
    ...common,
    entryPoints: [...unit, ...e2e],
    outdir: 'out/test',
    outbase: 'test',
    sourcemap: 'inline',
    // playwright-core is loaded from node_modules at run time (it is large and has optional parts)
    external: ['vscode', 'playwright-core'],
  });
}
