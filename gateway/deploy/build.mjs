#!/usr/bin/env node
/**
 * Bundles the gateway into one ESM file for running on a Pi without the TypeScript loader
 * (tsx's loader thread alone costs ~40 MB of resident memory). Native and runtime-required
 * packages (better-sqlite3, noble, serialport, mqtt, pino) stay external and are loaded from
 * gateway/node_modules, so the output must live below gateway/.
 *
 * usage: node gateway/deploy/build.mjs [OUTFILE]   (default gateway/dist/vitals-gateway.mjs)
 * esbuild is reached through tsx (a development dependency of the workspace).
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const gatewayDir = resolve(here, '..');
const outfile = resolve(process.argv[2] ?? join(gatewayDir, 'dist', 'vitals-gateway.mjs'));
const rootRequire = createRequire(join(gatewayDir, '..', 'package.json'));
const esbuild = createRequire(rootRequire.resolve('tsx'))('esbuild');

await esbuild.build({
  entryPoints: [join(gatewayDir, 'src', 'cli', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: [
    'better-sqlite3',
    '@abandonware/noble',
    '@abandonware/noble/*',
    'serialport',
    'mqtt',
    'pino',
    '@serialport/*',
    // The simulator is a development dependency: `--simulate` imports it only when asked, and a
    // Pi has no copy of it, so it must never be bundled (test/src/gateway-bundle.e2e.test.ts).
    '@vitals/firmware-sim',
    '@vitals/firmware-sim/*',
  ],
  // CommonJS dependencies inside an ESM bundle need require().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
process.stdout.write(`built ${outfile}\n`);
