/**
 * The dashboard as the server serves it: the browser code bundled in memory with esbuild, once
 * at server start, and returned as assets by URL path (`/`, `/app.js`, `/app.css`). The app
 * routes with the hash (`#/`, `#/patients/{id}`), so no other path is needed.
 */
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export interface DashboardAsset {
  contentType: string;
  body: Buffer;
}

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));

const INDEX_HTML = `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>Vitals</title>
<link rel="stylesheet" href="/app.css">
<script type="module" src="/app.js"></script>
</head>
<body>
<div id="app"></div>
<noscript>This dashboard needs JavaScript. / このダッシュボードには JavaScript が必要です。</noscript>
</body>
</html>
`;

const CONTENT_TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'sw.js': 'text/javascript; charset=utf-8',
};

export async function buildDashboard(opts: { minify?: boolean } = {}): Promise<Map<string, DashboardAsset>> {
  let result: esbuild.BuildResult<{ write: false }>;
  try {
    result = await esbuild.build({
      absWorkingDir: PACKAGE_DIR,
      entryPoints: [
        { in: `${CLIENT_DIR}main.tsx`, out: 'app' },
        { in: `${CLIENT_DIR}app.css`, out: 'app' },
        { in: `${CLIENT_DIR}sw.ts`, out: 'sw' },
      ],
      outdir: 'out', // nothing is written: the outputs come back in memory
      write: false,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
      minify: opts.minify ?? false,
      charset: 'utf8',
      // Preact's automatic JSX runtime (the same settings as dashboard/tsconfig.json).
      jsx: 'automatic',
      jsxImportSource: 'preact',
      logLevel: 'silent',
    });
  } catch (err) {
    const failure = err as Partial<esbuild.BuildFailure>;
    const details = failure.errors?.length
      ? (await esbuild.formatMessages(failure.errors, { kind: 'error' })).join('\n')
      : String(err);
    throw new Error(
      `Building the dashboard failed; fix the errors below in dashboard/src/client and restart the server.\n${details}`,
    );
  }

  const assets = new Map<string, DashboardAsset>([
    ['/', { contentType: 'text/html; charset=utf-8', body: Buffer.from(INDEX_HTML) }],
  ]);
  for (const file of result.outputFiles) {
    const name = basename(file.path);
    const contentType = CONTENT_TYPES[name];
    if (contentType) assets.set(`/${name}`, { contentType, body: Buffer.from(file.contents) });
  }
  for (const path of ['/app.js', '/app.css', '/sw.js']) {
    if (!assets.has(path))
      throw new Error(`Building the dashboard produced no ${path}; check the esbuild entry points.`);
  }
  return assets;
}
