// What the browser tests share: Debian's Chromium, headless, in a throwaway profile (playwright-core
// drives /usr/bin/chromium; it never downloads a browser), and a small page server on loopback.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { chromium } = require('playwright-core');

/** Starts Chromium; `close()` ends it and removes its profile. */
async function launch(options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ...options,
  });
  const page = context.pages()[0] ?? await context.newPage();
  return {
    page,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Serves `handler` on `port` of both loopback addresses ("localhost" may resolve to either); returns a closer. */
function serveLoopback(port, handler) {
  const servers = ['127.0.0.1', '::1'].map((host) => {
    const server = http.createServer(handler);
    server.on('error', () => {}); // no IPv6 loopback here: the IPv4 one is enough
    server.listen(port, host);
    return server;
  });
  return () => servers.forEach((server) => server.close());
}

module.exports = { launch, serveLoopback };
