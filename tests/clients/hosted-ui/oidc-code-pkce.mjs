// A standard OIDC relying party (npm openid-client) against Gatehouse: discovery from the pool's
// issuer, authorization code + PKCE (S256), state and nonce checked by the library, userInfo.
// The login form is filled over plain HTTP (no JavaScript needed), as a browser without scripts would.
// Input (environment): ISSUER, CLIENT_ID, REDIRECT_URI, EMAIL, PASSWORD. Output: JSON on stdout.
import * as oidc from 'openid-client';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const config = await oidc.discovery(new URL(env('ISSUER')), env('CLIENT_ID'), undefined, oidc.None(),
  { execute: [oidc.allowInsecureRequests] });
const metadata = config.serverMetadata();

const verifier = oidc.randomPKCECodeVerifier();
const state = oidc.randomState();
const nonce = oidc.randomNonce();
const authorizationUrl = oidc.buildAuthorizationUrl(config, {
  redirect_uri: env('REDIRECT_URI'),
  scope: 'openid email',
  code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state,
  nonce,
});

// The user's part: authorize sends the browser to the login page; the form posts back with its CSRF token.
const cookies = new Map();
const remember = (response) => {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const index = pair.indexOf('=');
    cookies.set(pair.slice(0, index), pair.slice(index + 1));
  }
};
const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');

const authorize = await fetch(authorizationUrl, { redirect: 'manual' });
if (authorize.status !== 302) throw new Error(`authorize answered ${authorize.status}`);
const loginUrl = new URL(authorize.headers.get('location'), authorizationUrl);
const loginPage = await fetch(loginUrl, { headers: { cookie: cookieHeader() } });
remember(loginPage);
const html = await loginPage.text();
const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
if (!csrf) throw new Error('no CSRF token on the login page');
const signIn = await fetch(loginUrl, {
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader() },
  body: new URLSearchParams({ _csrf: csrf, username: env('EMAIL'), password: env('PASSWORD') }),
});
if (signIn.status !== 302) throw new Error(`login answered ${signIn.status}: ${await signIn.text()}`);
const callback = new URL(signIn.headers.get('location'));

// Back in the app: the library checks state, exchanges the code with the verifier, validates the ID token (nonce, iss, aud).
const tokens = await oidc.authorizationCodeGrant(config, callback, {
  pkceCodeVerifier: verifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
});
const claims = tokens.claims();
const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);

process.stdout.write(JSON.stringify({
  authorizationEndpoint: metadata.authorization_endpoint,
  tokenEndpoint: metadata.token_endpoint,
  callback: callback.origin + callback.pathname,
  claims,
  tokenType: tokens.token_type,
  hasRefreshToken: typeof tokens.refresh_token === 'string',
  userinfo,
}));
