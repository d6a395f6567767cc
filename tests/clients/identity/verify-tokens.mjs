// Verifies Cognito-style tokens with jose against the JWKS a Gatehouse pool serves, the way an
// application's JWT library would. Usage: node identity/verify-tokens.mjs <issuer> <jwksUrl> <token>...
// Prints [{header, payload}] as JSON; exits 1 with the reason when any token fails verification.
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [issuer, jwksUrl, ...tokens] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUrl));
const results = [];
try {
  for (const token of tokens) {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, algorithms: ['RS256'] });
    results.push({ header: protectedHeader, payload });
  }
  console.log(JSON.stringify(results));
} catch (error) {
  console.error(`${error.code ?? 'ERROR'}: ${error.message}`);
  process.exit(1);
}
