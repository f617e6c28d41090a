import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBCONTAINER_SPEC, renderWebContainerPage } from './webcontainer-page.js';

function scriptJson(html: string, opening: string): unknown {
  const start = html.indexOf(opening) + opening.length;
  return JSON.parse(html.slice(start, html.indexOf('</script>', start)));
}

describe('renderWebContainerPage', () => {
  it('serves the page cross-origin isolated (COOP same-origin, COEP require-corp)', () => {
    const { status, headers } = renderWebContainerPage({ fake: true });
    expect(status).toBe(200);
    expect(headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
  });

  it.each([
    [true, '/assets/bootstrap/webcontainer/fake-webcontainer-api.js'],
    [false, '/assets/webcontainer-api/index.js'],
  ])('maps the three bare names in its import map (fake: %s)', (fake, api) => {
    const html = String(renderWebContainerPage({ fake }).body);
    expect(scriptJson(html, '<script type="importmap">')).toEqual({
      imports: {
        '@sbx/timing/browser': '/assets/timing/browser.js',
        '@sbx/bootstrap/webcontainer': '/assets/bootstrap/webcontainer/index.js',
        '@webcontainer/api': api,
      },
    });
  });

  it('embeds the spec, ingest URL and bounds, escaped so nothing closes the script element', () => {
    const spec = { files: { 'x.html': { file: { contents: '</script><script>alert(1)</script>' } } } };
    const html = String(
      renderWebContainerPage({
        fake: true,
        spec,
        ingestUrl: '/ingest',
        bootTimeoutMs: 1_000,
        assetBase: '/a',
      }).body,
    );
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(scriptJson(html, '<script type="application/json" id="sbx-config">')).toEqual({
      spec,
      ingestUrl: '/ingest',
      bootTimeoutMs: 1_000,
    });
    expect(html).toContain('"@sbx/timing/browser":"/a/timing/browser.js"');
  });

  it('defaults to a one-file server with npm install, npm start and port 3000, posted to /v1/provisions', () => {
    const html = String(renderWebContainerPage({ fake: false }).body);
    expect(scriptJson(html, '<script type="application/json" id="sbx-config">')).toEqual({
      spec: JSON.parse(JSON.stringify(DEFAULT_WEBCONTAINER_SPEC)),
      ingestUrl: '/v1/provisions',
    });
    expect(DEFAULT_WEBCONTAINER_SPEC).toMatchObject({ install: ['npm', 'install'], ready: { port: 3000 } });
  });
});
