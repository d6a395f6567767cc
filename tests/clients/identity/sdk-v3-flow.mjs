// The AWS SDK for JavaScript v3 against Gatehouse: password sign-in, GetUser, refresh, and a modeled error.
// Usage: node identity/sdk-v3-flow.mjs <endpoint> <clientId> <username> <password>
import {
  CognitoIdentityProviderClient, InitiateAuthCommand, GetUserCommand, NotAuthorizedException,
} from '@aws-sdk/client-cognito-identity-provider';

const [endpoint, clientId, username, password] = process.argv.slice(2);
const client = new CognitoIdentityProviderClient({
  endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1,
});

const signIn = await client.send(new InitiateAuthCommand({
  ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password },
}));
const user = await client.send(new GetUserCommand({ AccessToken: signIn.AuthenticationResult.AccessToken }));
const refreshed = await client.send(new InitiateAuthCommand({
  ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: signIn.AuthenticationResult.RefreshToken },
}));
let wrong;
try {
  await client.send(new InitiateAuthCommand({
    ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password + 'x' },
  }));
} catch (error) {
  wrong = { name: error.name, message: error.message, modeled: error instanceof NotAuthorizedException, status: error.$metadata?.httpStatusCode };
}
console.log(JSON.stringify({
  expiresIn: signIn.AuthenticationResult.ExpiresIn,
  username: user.Username,
  attributes: user.UserAttributes,
  refreshedHasAccessToken: typeof refreshed.AuthenticationResult.AccessToken === 'string',
  refreshedRefreshToken: refreshed.AuthenticationResult.RefreshToken ?? null,
  wrong,
}));
