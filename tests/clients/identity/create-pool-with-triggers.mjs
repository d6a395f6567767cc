// Creates a user pool with a LambdaConfig through the AWS SDK for JavaScript v3, whose model has the
// newer members (PreTokenGenerationConfig) the Debian AWS CLI v2 lacks.
// Usage: node identity/create-pool-with-triggers.mjs <endpoint> <poolName> <lambdaConfigJson>. Prints {"poolId": …}.
import { CognitoIdentityProviderClient, CreateUserPoolCommand, DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';

const [endpoint, poolName, lambdaConfig] = process.argv.slice(2);
const client = new CognitoIdentityProviderClient({
  endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1,
});
const created = await client.send(new CreateUserPoolCommand({ PoolName: poolName, LambdaConfig: JSON.parse(lambdaConfig) }));
const described = await client.send(new DescribeUserPoolCommand({ UserPoolId: created.UserPool.Id }));
console.log(JSON.stringify({ poolId: created.UserPool.Id, lambdaConfig: described.UserPool.LambdaConfig }));
