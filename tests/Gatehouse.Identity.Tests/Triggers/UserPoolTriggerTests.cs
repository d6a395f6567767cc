using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Testing;
using static Gatehouse.Identity.Tests.OAuth.OAuthTestKit;

namespace Gatehouse.Identity.Tests.Triggers;

/// <summary>
/// A pool's Lambda triggers run as real Python functions in a started server, configured and
/// exercised with the AWS CLI v2 exactly as against Cognito: pre sign-up auto-confirmation and
/// refusal, post confirmation seeing the confirmed user, pre/post authentication, pre token
/// generation (versions 1 and 2) changing the tokens, and a trigger that times out or answers
/// nonsense failing the sign-in with Cognito's exceptions.
/// </summary>
public sealed class UserPoolTriggerTests : IClassFixture<GatehouseProcess>
{
    private const string Password = "Trigger-Passw0rd!";
    private readonly GatehouseProcess _server;
    private readonly string _work = Directory.CreateTempSubdirectory("gatehouse-triggers-").FullName;

    public UserPoolTriggerTests(GatehouseProcess server) => _server = server;

    private async Task<JsonNode> Aws(params string[] arguments) => (await _server.AwsAsync(arguments)).EnsureSuccess().Json;

    /// <summary>A python3.13 function whose handler is <paramref name="body"/> (indented under <c>def handler(event, context):</c>); returns its ARN.</summary>
    private async Task<string> FunctionAsync(string name, string body, int timeout = 3)
    {
        var zip = Path.Combine(_work, name + ".zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("trigger.py").Open());
            await writer.WriteAsync("import json, time\n\ndef handler(event, context):\n    print(json.dumps(event))\n"
                + string.Join('\n', body.Split('\n').Select(l => "    " + l)) + "\n");
        }
        var arn = (await Aws("lambda", "create-function", "--function-name", name, "--runtime", "python3.13", "--handler", "trigger.handler",
            "--role", "arn:aws:iam::000000000000:role/trigger", "--timeout", timeout.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--zip-file", "fileb://" + zip)).Str("FunctionArn");
        (await _server.AwsAsync("lambda", "wait", "function-active-v2", "--function-name", name)).EnsureSuccess();
        return arn;
    }

    private async Task<(string PoolId, string ClientId)> PoolAsync(string name, string lambdaConfig)
    {
        var poolId = (await Aws("cognito-idp", "create-user-pool", "--pool-name", name, "--auto-verified-attributes", "email",
            "--lambda-config", lambdaConfig)).Str("UserPool.Id");
        var clientId = (await Aws("cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "app",
            "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")).Str("UserPoolClient.ClientId");
        return (poolId, clientId);
    }

    private async Task UserAsync(string poolId, string username)
    {
        await Aws("cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", username, "--message-action", "SUPPRESS");
        (await _server.AwsAsync("cognito-idp", "admin-set-user-password", "--user-pool-id", poolId, "--username", username, "--password", Password, "--permanent")).EnsureSuccess();
    }

    private Task<CliResult> SignIn(string poolId, string clientId, string username) =>
        _server.AwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={username},PASSWORD={Password}");

    private static JsonNode Payload(string jwt)
    {
        var part = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(part.PadRight(part.Length + (4 - part.Length % 4) % 4, '='))))!;
    }

    private async Task<JsonNode> LastEventAsync(string function)
    {
        for (var attempt = 0; ; attempt++)
        {
            var events = (await Aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/" + function))["events"]!.AsArray();
            var printed = events.Select(e => e!.Str("message").Trim()).LastOrDefault(m => m.StartsWith('{'));
            if (printed is not null)
                return JsonNode.Parse(printed)!;
            if (attempt > 20)
                throw new InvalidOperationException("the function printed no event");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task PreSignUp_AutoConfirmsAndVerifies_OrRefusesWithTheFunctionsMessage()
    {
        var arn = await FunctionAsync("pre-sign-up", """
            if event['request']['userAttributes']['email'].endswith('@closed.example'):
                raise Exception('Sign-ups from closed.example are closed')
            event['response']['autoConfirmUser'] = True
            event['response']['autoVerifyEmail'] = True
            return event
            """);
        var (poolId, clientId) = await PoolAsync("pre-sign-up", $"PreSignUp={arn}");

        var accepted = await Aws("cognito-idp", "sign-up", "--client-id", clientId, "--username", "ann", "--password", Password,
            "--user-attributes", "Name=email,Value=ann@open.example", "--validation-data", "Name=invite,Value=abc");
        var refused = await _server.AwsAsync("cognito-idp", "sign-up", "--client-id", clientId, "--username", "bob", "--password", Password,
            "--user-attributes", "Name=email,Value=bob@closed.example");
        var user = await Aws("cognito-idp", "admin-get-user", "--user-pool-id", poolId, "--username", "ann");
        var evt = await LastEventAsync("pre-sign-up");

        Assert.True(accepted["UserConfirmed"]!.GetValue<bool>());
        Assert.Null(accepted["CodeDeliveryDetails"]);
        Assert.Equal("CONFIRMED", user.Str("UserStatus"));
        Assert.Contains(user["UserAttributes"]!.AsArray(), a => a!.Str("Name") == "email_verified" && a!.Str("Value") == "true");
        Assert.Contains("UserLambdaValidationException", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("PreSignUp failed with error Sign-ups from closed.example are closed.", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("UserNotFoundException", (await _server.AwsAsync("cognito-idp", "admin-get-user", "--user-pool-id", poolId, "--username", "bob")).StandardError, StringComparison.Ordinal);
        // The last event is bob's (refused); both carry Cognito's shape.
        Assert.Equal("PreSignUp_SignUp", evt.Str("triggerSource"));
        Assert.Equal(poolId, evt.Str("userPoolId"));
        Assert.Equal("us-east-1", evt.Str("region"));
        Assert.Equal("1", evt.Str("version"));
        Assert.Equal(clientId, evt.Str("callerContext.clientId"));
        Assert.Equal("bob", evt.Str("userName"));
    }

    [Fact]
    public async Task PreSignUp_OnAdminCreateUser_CanRefuse_WithItsOwnTriggerSource()
    {
        var arn = await FunctionAsync("pre-sign-up-admin", """
            if event['triggerSource'] != 'PreSignUp_AdminCreateUser':
                raise Exception('unexpected source ' + event['triggerSource'])
            if event['userName'] == 'mallory':
                raise Exception('No thanks')
            event['response']['autoVerifyEmail'] = True
            return event
            """);
        var (poolId, _) = await PoolAsync("pre-sign-up-admin", $"PreSignUp={arn}");

        var created = await Aws("cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", "jo", "--message-action", "SUPPRESS",
            "--user-attributes", "Name=email,Value=jo@example.com");
        var refused = await _server.AwsAsync("cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", "mallory", "--message-action", "SUPPRESS");

        Assert.Equal("FORCE_CHANGE_PASSWORD", created.Str("User.UserStatus"));
        Assert.Contains(created["User"]!["Attributes"]!.AsArray(), a => a!.Str("Name") == "email_verified" && a!.Str("Value") == "true");
        Assert.Contains("PreSignUp failed with error No thanks.", refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("UserNotFoundException", (await _server.AwsAsync("cognito-idp", "admin-get-user", "--user-pool-id", poolId, "--username", "mallory")).StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostConfirmation_SeesTheConfirmedUser_AndItsErrorReachesTheCaller()
    {
        var arn = await FunctionAsync("post-confirmation", """
            if event['userName'].startswith('fails'):
                raise Exception('welcome mail could not be sent')
            return event
            """);
        var (poolId, _) = await PoolAsync("post-confirmation", $"PostConfirmation={arn}");
        var signUpPool = await Aws("cognito-idp", "describe-user-pool", "--user-pool-id", poolId);
        Assert.Equal(arn, signUpPool.Str("UserPool.LambdaConfig.PostConfirmation"));
        var clientId = (await Aws("cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "self")).Str("UserPoolClient.ClientId");
        await Aws("cognito-idp", "sign-up", "--client-id", clientId, "--username", "dave", "--password", Password, "--user-attributes", "Name=email,Value=dave@example.com");
        await Aws("cognito-idp", "sign-up", "--client-id", clientId, "--username", "fails2", "--password", Password, "--user-attributes", "Name=email,Value=f@example.com");

        (await _server.AwsAsync("cognito-idp", "admin-confirm-sign-up", "--user-pool-id", poolId, "--username", "dave")).EnsureSuccess();
        var evt = await LastEventAsync("post-confirmation");
        var failed = await _server.AwsAsync("cognito-idp", "admin-confirm-sign-up", "--user-pool-id", poolId, "--username", "fails2");

        Assert.Equal("PostConfirmation_ConfirmSignUp", evt.Str("triggerSource"));
        Assert.Equal("dave", evt.Str("userName"));
        Assert.Equal("dave@example.com", evt.Str("request.userAttributes.email"));
        Assert.Equal("CONFIRMED", evt.Str("request.userAttributes.cognito:user_status"));
        Assert.Contains("UserLambdaValidationException", failed.StandardError, StringComparison.Ordinal);
        Assert.Contains("PostConfirmation failed with error welcome mail could not be sent.", failed.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreTokenGenerationV2_ChangesClaimsAndScopes_InBothTokens()
    {
        var arn = await FunctionAsync("pre-token-v2", """
            event['response']['claimsAndScopeOverrideDetails'] = {
                'idTokenGeneration': {'claimsToAddOrOverride': {'tenant': 'acme', 'email': 'masked@example.com'}, 'claimsToSuppress': ['email_verified']},
                'accessTokenGeneration': {'claimsToAddOrOverride': {'tenant': 'acme', 'sub': 'ignored'}, 'scopesToAdd': ['orders/read'], 'scopesToSuppress': []},
                'groupOverrideDetails': {'groupsToOverride': ['admins']}
            }
            return event
            """);
        // The Debian CLI's model predates PreTokenGenerationConfig: the pool is made with the JS SDK v3.
        var made = (await ProcessRunner.NodeAsync("identity/create-pool-with-triggers.mjs", null, _server.Endpoint.ToString().TrimEnd('/'), "pre-token-v2",
            new JsonObject { ["PreTokenGenerationConfig"] = new JsonObject { ["LambdaArn"] = arn, ["LambdaVersion"] = "V2_0" } }.ToJsonString())).EnsureSuccess().Json;
        var poolId = made.Str("poolId");
        Assert.Equal("V2_0", made.Str("lambdaConfig.PreTokenGenerationConfig.LambdaVersion"));
        var clientId = (await Aws("cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "app",
            "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")).Str("UserPoolClient.ClientId");
        await UserAsync(poolId, "erin");

        var result = (await SignIn(poolId, clientId, "erin")).EnsureSuccess().Json;
        var id = Payload(result.Str("AuthenticationResult.IdToken"));
        var access = Payload(result.Str("AuthenticationResult.AccessToken"));
        var refreshed = (await _server.AwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "REFRESH_TOKEN_AUTH", "--auth-parameters", "REFRESH_TOKEN=" + result.Str("AuthenticationResult.RefreshToken"))).EnsureSuccess().Json;
        var evt = await LastEventAsync("pre-token-v2");

        Assert.Equal("acme", id.Str("tenant"));
        Assert.Equal("masked@example.com", id.Str("email"));
        Assert.Null(id["email_verified"]);
        Assert.Equal("admins", id["cognito:groups"]![0]!.GetValue<string>());
        Assert.Equal("acme", access.Str("tenant"));
        Assert.NotEqual("ignored", access.Str("sub"));
        Assert.Equal("aws.cognito.signin.user.admin orders/read", access.Str("scope"));
        Assert.Equal("acme", Payload(refreshed.Str("AuthenticationResult.IdToken")).Str("tenant"));
        Assert.Equal("TokenGeneration_RefreshTokens", evt.Str("triggerSource"));
        Assert.Equal("2", evt.Str("version"));
        Assert.Equal("aws.cognito.signin.user.admin", evt["request"]!["scopes"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task PreTokenGenerationV1_AddsIdTokenClaims_OnlyThere()
    {
        var arn = await FunctionAsync("pre-token-v1", """
            event['response']['claimsOverrideDetails'] = {'claimsToAddOrOverride': {'plan': 'gold'}}
            return event
            """);
        var (poolId, clientId) = await PoolAsync("pre-token-v1", $"PreTokenGeneration={arn}");
        await UserAsync(poolId, "frank");

        var result = (await SignIn(poolId, clientId, "frank")).EnsureSuccess().Json;
        var evt = await LastEventAsync("pre-token-v1");

        Assert.Equal("gold", Payload(result.Str("AuthenticationResult.IdToken")).Str("plan"));
        Assert.Null(Payload(result.Str("AuthenticationResult.AccessToken"))["plan"]);
        Assert.Equal("TokenGeneration_Authentication", evt.Str("triggerSource"));
    }

    [Fact]
    public async Task PreAndPostAuthentication_RunAroundThePasswordCheck()
    {
        var pre = await FunctionAsync("pre-auth", """
            if event['userName'] == 'blocked':
                raise Exception('This account is on hold')
            return event
            """);
        var post = await FunctionAsync("post-auth", "return event");
        var (poolId, clientId) = await PoolAsync("auth-triggers", $"PreAuthentication={pre},PostAuthentication={post}");
        await UserAsync(poolId, "gina");
        await UserAsync(poolId, "blocked");

        var ok = await SignIn(poolId, clientId, "gina");
        var blocked = await SignIn(poolId, clientId, "blocked");
        var preEvent = await LastEventAsync("pre-auth");
        var postEvent = await LastEventAsync("post-auth");

        ok.EnsureSuccess();
        Assert.Contains("UserLambdaValidationException", blocked.StandardError, StringComparison.Ordinal);
        Assert.Contains("PreAuthentication failed with error This account is on hold.", blocked.StandardError, StringComparison.Ordinal);
        Assert.Equal("PreAuthentication_Authentication", preEvent.Str("triggerSource"));
        Assert.Equal("PostAuthentication_Authentication", postEvent.Str("triggerSource"));
        Assert.Equal("gina", postEvent.Str("userName"));
    }

    [Fact]
    public async Task Trigger_TimesOutOrAnswersNonsense_SignInFailsWithCognitosErrors()
    {
        var slow = await FunctionAsync("slow-trigger", "time.sleep(8)\nreturn event", timeout: 10);
        var nonsense = await FunctionAsync("nonsense-trigger", "return 'not an event'");
        var (slowPool, slowClient) = await PoolAsync("slow", $"PreAuthentication={slow}");
        var (nonsensePool, nonsenseClient) = await PoolAsync("nonsense", $"PreTokenGeneration={nonsense}");
        await UserAsync(slowPool, "hank");
        await UserAsync(nonsensePool, "iris");

        var timedOut = await SignIn(slowPool, slowClient, "hank");
        var invalid = await SignIn(nonsensePool, nonsenseClient, "iris");

        Assert.Contains("UnexpectedLambdaException", timedOut.StandardError, StringComparison.Ordinal);
        Assert.Contains("InvalidLambdaResponseException", invalid.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreTokenGeneration_OnTheHostedLogin_CodeExchangeAndRefresh()
    {
        var arn = await FunctionAsync("pre-token-hosted", """
            event['response']['claimsOverrideDetails'] = {'claimsToAddOrOverride': {'signed_in_via': event['triggerSource']}}
            return event
            """);
        var setup = await CreateAsync(_server);
        // The pool gains the trigger afterwards (UpdateUserPool, as the console's "Add Lambda trigger" does).
        (await _server.AwsAsync("cognito-idp", "update-user-pool", "--user-pool-id", setup.PoolId, "--lambda-config", $"PreTokenGeneration={arn}")).EnsureSuccess();
        var baseUrl = Base(_server, setup.Domain);
        var (verifier, challenge) = NewPkce();
        using var browser = Browser();

        var code = Code(await SignInAsync(browser, baseUrl, AuthorizeQuery(setup, "openid email", challenge: challenge), setup.Email, setup.Password));
        var (status, tokens) = await TokenAsync(baseUrl, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = setup.ClientId, ["code"] = code,
            ["redirect_uri"] = setup.Callback, ["code_verifier"] = verifier,
        });
        var (refreshStatus, refreshed) = await TokenAsync(baseUrl, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = setup.ClientId, ["refresh_token"] = tokens.Str("refresh_token"),
        });

        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal("TokenGeneration_HostedAuth", Payload(tokens.Str("id_token")).Str("signed_in_via"));
        Assert.Equal(System.Net.HttpStatusCode.OK, refreshStatus);
        Assert.Equal("TokenGeneration_RefreshTokens", Payload(refreshed.Str("id_token")).Str("signed_in_via"));
    }
}
