// USER_SRP_AUTH sign-ins with the client SPAs actually use (amazon-cognito-identity-js), in a closed
// loop for a bounded time; prints one "BENCHJSON {...}" line shaped like the wrk script's summary.
// Each sign-in is the whole flow: InitiateAuth (SRP_A) -> PASSWORD_VERIFIER -> tokens.
//
// Usage: node srp.cjs <endpoint> <userPoolId> <clientId> <password> <seconds> <concurrency> <user>...
// Resolved from bench/.cache/peers (NODE_PATH), where bench/run installs the pinned package.
'use strict';
const crypto = require('node:crypto');
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require('amazon-cognito-identity-js');
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

// The library does its 3072-bit modular exponentiations in pure JavaScript (jsbn), about 250 ms
// each here: three per sign-in would make this client, not the server, the bottleneck. The protocol
// stays the library's own; only base^e mod m is done by OpenSSL, through a Diffie-Hellman object
// for the modulus (computeSecret(base) with private key e is exactly base^e mod m). Any case it
// cannot take falls back to the library's code.
const jsModPow = BigInteger.prototype.modPow;
const groups = new Map();
const toBuffer = (n) => {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
};
BigInteger.prototype.modPow = function modPow(e, m, callback) {
  let result;
  try {
    const key = m.toString(16);
    let dh = groups.get(key);
    if (!dh) {
      dh = crypto.createDiffieHellman(toBuffer(m), Buffer.from([2]));
      groups.set(key, dh);
    }
    dh.setPrivateKey(toBuffer(e));
    // the library passes bases larger than the modulus (B - k.g^x): reduce them first
    result = new BigInteger(dh.computeSecret(toBuffer(this.mod(m))).toString('hex'), 16);
  } catch (err) {
    if (process.env.SRP_DEBUG) console.error('modPow fallback:', err.message, this.toString(16).length, e.toString(16).length);
    return jsModPow.call(this, e, m, callback);
  }
  if (callback) callback(null, result);
  return result;
};

const [endpoint, userPoolId, clientId, password, secondsArg, concurrencyArg, ...users] = process.argv.slice(2);
const seconds = Number(secondsArg);
const concurrency = Number(concurrencyArg);
const percentiles = (process.env.BENCH_PERCENTILES || '50,90,99,100').split(',').map(Number);

const pool = new CognitoUserPool({ UserPoolId: userPoolId, ClientId: clientId, endpoint });

function signIn(username) {
  return new Promise((resolve, reject) => {
    const user = new CognitoUser({ Username: username, Pool: pool });
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (session) => (session.getAccessToken().getJwtToken() ? resolve() : reject(new Error('no access token'))),
      onFailure: (err) => reject(err),
      newPasswordRequired: () => reject(new Error('NEW_PASSWORD_REQUIRED challenge')),
      mfaRequired: () => reject(new Error('MFA challenge')),
      customChallenge: () => reject(new Error('custom challenge')),
    });
  });
}

async function main() {
  const latencies = [];
  let failures = 0;
  let firstError = null;
  let next = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  async function worker() {
    while (process.hrtime.bigint() < deadline) {
      const username = users[next++ % users.length];
      const t0 = process.hrtime.bigint();
      try {
        await signIn(username);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
      } catch (err) {
        failures++;
        firstError = firstError || `${err.code || err.name}: ${err.message}`;
        if (failures > 50 && latencies.length === 0) return; // it does not work at all: stop early
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const durationUs = Number(process.hrtime.bigint() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p) => {
    if (latencies.length === 0) return 0;
    if (p <= 0) return latencies[0];
    if (p >= 100) return latencies[latencies.length - 1];
    return latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
  };
  const cpu = process.cpuUsage();
  const summary = {
    duration_us: Math.round(durationUs),
    requests: latencies.length + failures,
    bytes: 0,
    errors: { connect: 0, read: 0, write: 0, status: failures, timeout: 0 },
    percentiles_us: percentiles.map((p) => Math.round(at(p))),
    client_cpu_s: (cpu.user + cpu.system) / 1e6,
    first_error: firstError,
  };
  process.stdout.write('BENCHJSON ' + JSON.stringify(summary) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
