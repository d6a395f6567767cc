// The seed's first sign-in, in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// open the login page, try a wrong password, sign in with the temporary password, set a new one on
// the forced new-password form, land on the app's callback. A tiny callback page is served here.
// Input (environment): LOGIN_URL, EMAIL, TEMP_PASSWORD, NEW_PASSWORD, CALLBACK_PORT, SCREENSHOT_DIR.
// Output (stdout): JSON of what the user saw on each page.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { launch, serveLoopback } = require('./chromium.cjs');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function visible(page, name) {
  const shot = path.join(env('SCREENSHOT_DIR'), name + '.png');
  await page.screenshot({ path: shot, fullPage: true });
  return {
    name,
    screenshot: shot,
    url: page.url(),
    title: await page.title(),
    heading: (await page.locator('h1').first().textContent())?.trim() ?? null,
    alert: (await page.locator('[role=alert]').count()) > 0 ? (await page.locator('[role=alert]').first().textContent()).trim() : null,
    listItems: await page.locator('li').allTextContents(),
    focused: await page.evaluate(() => document.activeElement?.getAttribute('name') ?? null),
  };
}

(async () => {
  fs.mkdirSync(env('SCREENSHOT_DIR'), { recursive: true });
  const stopCallback = serveLoopback(Number(env('CALLBACK_PORT')), (req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html lang="en"><title>Callback</title><h1>Callback received</h1></html>');
  });
  const browser = await launch({ viewport: { width: 800, height: 720 } });
  const pages = [];
  try {
    const page = browser.page;
    await page.goto(env('LOGIN_URL'));
    pages.push(await visible(page, '01-login'));

    await page.getByLabel('Email address').fill(env('EMAIL'));
    await page.getByLabel('Password', { exact: true }).fill('Wrong-Passw0rd!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[role=alert]').waitFor();
    pages.push(await visible(page, '02-login-wrong-password'));

    await page.getByLabel('Password', { exact: true }).fill(env('TEMP_PASSWORD'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    pages.push(await visible(page, '03-new-password'));

    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('[role=alert]').waitFor();
    pages.push(await visible(page, '04-new-password-rejected'));

    await page.getByLabel('New password', { exact: true }).fill(env('NEW_PASSWORD'));
    await page.getByLabel('Confirm new password').fill(env('NEW_PASSWORD'));
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(/\/callback\?/);
    await page.getByRole('heading', { name: 'Callback received' }).waitFor();
    pages.push(await visible(page, '05-callback'));

    process.stdout.write(JSON.stringify({ pages, callbackUrl: page.url() }));
  } finally {
    await browser.close();
    stopCallback();
  }
})().catch((error) => {
  process.stderr.write(String(error && error.stack || error));
  process.exit(1);
});
