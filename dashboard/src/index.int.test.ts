import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { buildDashboard } from './index.ts';

describe('buildDashboard', () => {
  it('returns the page, the script, the style sheet and the service worker by URL path', async () => {
    const assets = await buildDashboard();
    expect([...assets.keys()].sort()).toStrictEqual(['/', '/app.css', '/app.js', '/sw.js']);
    const sw = assets.get('/sw.js')?.body.toString('utf8') ?? '';
    expect(sw).toContain('"push"');
    expect(sw).toContain('"notificationclick"');
    expect(sw).not.toMatch(/^import /m);
    expect(assets.get('/')?.contentType).toBe('text/html; charset=utf-8');
    expect(assets.get('/app.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('/app.css')?.contentType).toBe('text/css; charset=utf-8');
    const html = assets.get('/')?.body.toString('utf8') ?? '';
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/app.css">');
  });

  it('bundles a script that parses as a module and imports nothing at run time', async () => {
    const js = (await buildDashboard()).get('/app.js')?.body.toString('utf8') ?? '';
    await expect(esbuild.transform(js, { loader: 'js', format: 'esm' })).resolves.toBeDefined();
    expect(js).not.toMatch(/^\s*import\s/m);
    expect(js).toContain('data-testid');
  });

  it("includes uPlot's style sheet in app.css", async () => {
    const css = (await buildDashboard()).get('/app.css')?.body.toString('utf8') ?? '';
    expect(css).toContain('.uplot');
    expect(css).toContain('.wall-grid');
  });

  it('minifies when asked', async () => {
    const [plain, minified] = await Promise.all([buildDashboard(), buildDashboard({ minify: true })]);
    expect(minified.get('/app.js')?.body.length).toBeLessThan(plain.get('/app.js')?.body.length ?? 0);
    await expect(
      esbuild.transform(minified.get('/app.js')?.body.toString('utf8') ?? '', { loader: 'js', format: 'esm' }),
    ).resolves.toBeDefined();
  });
});
