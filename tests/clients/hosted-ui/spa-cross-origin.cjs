// A single-page app on its own origin (http://localhost:APP_PORT) signs in against Gatehouse (another
// origin) in headless Chromium, as a browser app does against Cognito: see spa/app.mjs for what the page
// does. This script serves the page and its libraries, drives the browser and prints what the page saw.
// Input (environment): ENDPOINT (Gatehouse, ends with /), POOL_ID, CLIENT_ID, ISSUER, EMAIL, PASSWORD,
// APP_PORT, DRIVE_BY_FUNCTION (a function name the hostile requests try to create).
// Output (stdout): JSON { sdk, driveBy, oidc, loginPageUrl }.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { launch, serveLoopback } = require('./chromium.cjs');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const appPort = Number(env('APP_PORT'));
const origin = `http://localhost:${appPort}`;
const modules = path.join(__dirname, '..', 'node_modules');
const files = {
  '/': [path.join(__dirname, 'spa', 'index.html'), 'text/html'],
  '/callback': [path.join(__dirname, 'spa', 'index.html'), 'text/html'],
  '/app.mjs': [path.join(__dirname, 'spa', 'app.mjs'), 'text/javascript'],
  '/lib/amazon-cognito-identity.min.js': [path.join(modules, 'amazon-cognito-identity-js', 'dist', 'amazon-cognito-identity.min.js'), 'text/javascript'],
  '/lib/oauth4webapi.js': [path.join(modules, 'oauth4webapi', 'build', 'index.js'), 'text/javascript'],
};
const joseRoot = path.join(modules, 'jose', 'dist', 'browser');
const config = JSON.stringify({
  endpoint: env('ENDPOINT'), poolId: env('POOL_ID'), clientId: env('CLIENT_ID'), issuer: env('ISSUER'),
  email: env('EMAIL'), password: env('PASSWORD'), redirectUri: `${origin}/callback`,
  driveByFunction: {
    FunctionName: env('DRIVE_BY_FUNCTION'), Runtime: 'python3.12', Handler: 'index.handler',
    Role: 'arn:aws:iam::000000000000:role/x', Code: { ZipFile: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==' },
  },
});

function serve(req, res) {
  const url = new URL(req.url, origin);
  if (url.pathname === '/config.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(config);
  }
  let file = files[url.pathname];
  if (!file && url.pathname.startsWith('/lib/jose/')) {
    const resolved = path.resolve(joseRoot, '.' + url.pathname.slice('/lib/jose'.length));
    if (resolved.startsWith(joseRoot + path.sep)) file = [resolved, 'text/javascript'];
  }
  if (!file || !fs.existsSync(file[0])) {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { 'content-type': `${file[1]}; charset=utf-8`, 'cache-control': 'no-store' });
  fs.createReadStream(file[0]).pipe(res);
}

(async () => {
  const stopApp = serveLoopback(appPort, serve);
  const browser = await launch();
  const consoleLines = [];
  try {
    const page = browser.page;
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
    await page.goto(origin + '/');
    await page.waitForFunction(() => window.spa !== undefined);
    const sdk = await page.evaluate(() => window.spa.sdkFlow());
    const driveBy = await page.evaluate(() => window.spa.driveBy());

    await page.getByRole('button', { name: 'Sign in with the hosted UI' }).click();
    await page.getByLabel('Email address').waitFor();
    const loginPageUrl = page.url();
    await page.getByLabel('Email address').fill(env('EMAIL'));
    await page.getByLabel('Password', { exact: true }).fill(env('PASSWORD'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/callback\?/);
    await page.locator('#result[data-done=true]').waitFor();
    const oidc = JSON.parse(await page.locator('#result').textContent());
    process.stdout.write(JSON.stringify({ sdk, driveBy, oidc, loginPageUrl }));
  } catch (error) {
    process.stderr.write(consoleLines.join('\n') + '\n');
    throw error;
  } finally {
    await browser.close();
    stopApp();
  }
})().catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
