// USER_SRP_AUTH with the real amazon-cognito-identity-js client against Gatehouse.
// Usage: node identity/srp-sign-in.cjs <endpoint> <poolId> <clientId> <username> <password> [newPassword] [clientSecret-unused]
// Prints {"result":"tokens",idToken,accessToken,refreshToken} or {"result":"newPasswordRequired",...}
// or {"result":"failure",code,message}. With newPassword, answers NEW_PASSWORD_REQUIRED and prints the final tokens.
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require('amazon-cognito-identity-js');

const [endpoint, poolId, clientId, username, password, newPassword] = process.argv.slice(2);
const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint });
const user = new CognitoUser({ Username: username, Pool: pool });
user.setAuthenticationFlowType('USER_SRP_AUTH');

const done = (value) => { console.log(JSON.stringify(value)); process.exit(0); };
const callbacks = {
  onSuccess: (session) => done({
    result: 'tokens',
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
  }),
  onFailure: (error) => done({ result: 'failure', code: error.code ?? error.name, message: error.message }),
  newPasswordRequired: (userAttributes, requiredAttributes) => {
    if (!newPassword) {
      done({ result: 'newPasswordRequired', userAttributes, requiredAttributes });
      return;
    }
    delete userAttributes.email_verified;
    delete userAttributes.email;
    user.completeNewPasswordChallenge(newPassword, userAttributes, callbacks);
  },
};
user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), callbacks);
