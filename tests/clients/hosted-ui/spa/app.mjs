// A single-page app served from its own origin that talks to Gatehouse as it would to Cognito:
// amazon-cognito-identity-js for SRP sign-in, user attributes, refresh and global sign-out (the
// unsigned Cognito API, called cross-origin), jose for checking the ID token against the pool's JWKS,
// and oauth4webapi for the authorization code flow with PKCE (discovery, token, userInfo, revoke).
// Everything here runs in the browser; the page reports what it saw in #result.
import * as oauth from '/lib/oauth4webapi.js';
import * as jose from '/lib/jose/index.js';

const config = await (await fetch('/config.json')).json();
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = window.AmazonCognitoIdentity;

const attempt = async (action) => {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return { ok: false, name: error?.name ?? null, code: error?.code ?? null, message: String(error?.message ?? error) };
  }
};
const callback = (fn) => new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));

async function sdkFlow() {
  const pool = new CognitoUserPool({ UserPoolId: config.poolId, ClientId: config.clientId, endpoint: config.endpoint });
  const user = new CognitoUser({ Username: config.email, Pool: pool });
  const wrong = await attempt(() => new Promise((resolve, reject) => user.authenticateUser(
    new AuthenticationDetails({ Username: config.email, Password: 'Not-The-Passw0rd!' }), { onSuccess: resolve, onFailure: reject })));
  const session = await new Promise((resolve, reject) => user.authenticateUser(
    new AuthenticationDetails({ Username: config.email, Password: config.password }),
    { onSuccess: resolve, onFailure: reject, newPasswordRequired: () => reject(new Error('unexpected new-password challenge')) }));
  const attributes = await callback((cb) => user.getUserAttributes(cb));
  const refreshed = await callback((cb) => user.refreshSession(session.getRefreshToken(), cb));

  // The ID token checked in the browser against the keys the pool's discovery document names.
  const discovery = await (await fetch(config.issuer + '/.well-known/openid-configuration')).json();
  const keys = jose.createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload } = await jose.jwtVerify(refreshed.getIdToken().getJwtToken(), keys, { issuer: config.issuer, audience: config.clientId });

  await new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));
  const afterSignOut = await attempt(() => callback((cb) => user.getUserAttributes(cb)));
  return {
    wrongPassword: wrong,
    accessTokenUse: session.getAccessToken().decodePayload().token_use,
    attributes: Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()])),
    refreshedSameSubject: refreshed.getIdToken().decodePayload().sub === session.getIdToken().decodePayload().sub,
    verifiedIdToken: { iss: payload.iss, aud: payload.aud, email: payload.email, token_use: payload.token_use },
    afterSignOut,
  };
}

// What a hostile page could try against the same server: none of these may succeed or be readable.
async function driveBy() {
  const json = 'application/x-amz-json-1.1';
  return {
    createFunction: await attempt(async () => (await fetch(config.endpoint + '2015-03-31/functions', {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(config.driveByFunction),
    })).status),
    listUserPools: await attempt(async () => (await fetch(config.endpoint, {
      method: 'POST', headers: { 'content-type': json, 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools' }, body: '{"MaxResults":10}',
    })).status),
    outbox: await attempt(async () => (await fetch(config.endpoint + '_gatehouse/outbox')).status),
  };
}

const client = { client_id: config.clientId, token_endpoint_auth_method: 'none' };
const insecure = { [oauth.allowInsecureRequests]: true };
const server = async () => oauth.processDiscoveryResponse(new URL(config.issuer), await oauth.discoveryRequest(new URL(config.issuer), insecure));

async function startLogin() {
  const as = await server();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem('login', JSON.stringify({ verifier, state, nonce }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: config.clientId, redirect_uri: config.redirectUri, response_type: 'code', scope: 'openid email',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce,
  }).toString();
  location.assign(url.href);
}

async function finishLogin() {
  const { verifier, state, nonce } = JSON.parse(sessionStorage.getItem('login'));
  const as = await server();
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, config.redirectUri, verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true });
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  const userInfo = await oauth.processUserInfoResponse(as, client, claims.sub, await oauth.userInfoRequest(as, client, tokens.access_token, insecure));
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.refresh_token, insecure));
  const refreshAfterRevoke = await attempt(async () => oauth.processRefreshTokenResponse(as, client,
    await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token, insecure)));
  return {
    tokenEndpoint: as.token_endpoint,
    claims: { iss: claims.iss, aud: claims.aud, email: claims.email, nonce: claims.nonce },
    tokenType: tokens.token_type,
    userInfo,
    refreshAfterRevoke: { ok: refreshAfterRevoke.ok, message: refreshAfterRevoke.message ?? null },
  };
}

const show = (value) => {
  const result = document.getElementById('result');
  result.textContent = JSON.stringify(value);
  result.dataset.done = 'true';
};

window.spa = { sdkFlow, driveBy };
if (location.pathname === '/callback') {
  attempt(finishLogin).then(show);
} else {
  const button = document.getElementById('login');
  button.addEventListener('click', () => attempt(startLogin).then((r) => { if (!r.ok) show(r); }));
  button.disabled = false;
}
