using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Identity.Tests;

/// <summary>
/// The service in-process on an in-memory store with a clock the test moves: expiry of temporary
/// passwords, sessions, codes and tokens without sleeping; the local issuer directory; reset.
/// Input goes in as the protocol layer hands it over (parsed JSON by model member names).
/// </summary>
public sealed class InProcessTests : IAsyncLifetime
{
    private readonly ManualTime _time = new();
    private IDatabase _database = null!;
    private ServiceProvider _services = null!;
    private IdentityState _service = null!;
    private AwsServiceDefinition _api = null!;

    private GatehouseOptions Options { get; set; } = new() { InMemory = true, PublicUrl = "http://localhost:9229" };

    public async Task InitializeAsync()
    {
        _database = await SqliteDatabase.OpenInMemoryAsync(CancellationToken.None);
        _service = await StartAsync();
    }

    /// <summary>A fresh service over the same store, composed as the server composes it.</summary>
    private async Task<IdentityState> StartAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        _services = new ServiceCollection()
            .AddSingleton(_database)
            .AddSingleton(Options)
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddGatehouseIdentity()
            .BuildServiceProvider();
        await _services.GetRequiredService<IdentityService>().StartAsync(CancellationToken.None);
        _api = _services.GetServices<AwsServiceDefinition>().Single(d => d.ModelName == CognitoIdentityProvider.ModelName);
        return _services.GetRequiredService<IdentityState>();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<JsonObject> CallAsync(string operation, string json)
    {
        var input = (JsonObject)JsonNode.Parse(json)!;
        var request = new AwsRequest(new AwsRequestContext("000000000000", "us-east-1", "test"), operation, input, ReadOnlyMemory<byte>.Empty, new DefaultHttpContext());
        return (await _api.Handlers[operation](request, CancellationToken.None)).Output;
    }

    private async Task<AwsException> FailsAsync(string operation, string json) =>
        await Assert.ThrowsAsync<AwsException>(() => CallAsync(operation, json));

    private async Task<(string Pool, string Client)> PoolAsync(string extraClient = "")
    {
        var pool = (await CallAsync("CreateUserPool", """{"PoolName":"p","AutoVerifiedAttributes":["email"]}"""))["UserPool"]!["Id"]!.GetValue<string>();
        var client = (await CallAsync("CreateUserPoolClient",
            $$"""{"UserPoolId":"{{pool}}","ClientName":"c","ExplicitAuthFlows":["ALLOW_ADMIN_USER_PASSWORD_AUTH","ALLOW_USER_PASSWORD_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]{{extraClient}}}"""))["UserPoolClient"]!["ClientId"]!.GetValue<string>();
        return (pool, client);
    }

    private Task<JsonObject> SignInAsync(string pool, string client, string user, string password) =>
        CallAsync("AdminInitiateAuth", $$$"""{"UserPoolId":"{{{pool}}}","ClientId":"{{{client}}}","AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"{{{user}}}","PASSWORD":"{{{password}}}"}}""");

    [Fact]
    public async Task AdminInitiateAuth_TemporaryPasswordAfterValidityDays_Expired()
    {
        var (pool, client) = await PoolAsync();
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"tim","TemporaryPassword":"Temp-Passw0rd!","MessageAction":"SUPPRESS"}""");
        Assert.Equal("NEW_PASSWORD_REQUIRED", (await SignInAsync(pool, client, "tim", "Temp-Passw0rd!"))["ChallengeName"]!.GetValue<string>());

        _time.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        var error = await Assert.ThrowsAsync<AwsException>(() => SignInAsync(pool, client, "tim", "Temp-Passw0rd!"));
        Assert.Equal(("NotAuthorizedException", "Temporary password has expired and must be reset by an administrator."), (error.Code, error.Message));
    }

    [Fact]
    public async Task RespondToAuthChallenge_AfterAuthSessionValidity_InvalidSession()
    {
        var (pool, client) = await PoolAsync();
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"sam","TemporaryPassword":"Temp-Passw0rd!","MessageAction":"SUPPRESS"}""");
        var session = (await SignInAsync(pool, client, "sam", "Temp-Passw0rd!"))["Session"]!.GetValue<string>();
        _time.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        var error = await FailsAsync("AdminRespondToAuthChallenge",
            $$$"""{"UserPoolId":"{{{pool}}}","ClientId":"{{{client}}}","ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"{{{session}}}","ChallengeResponses":{"USERNAME":"sam","NEW_PASSWORD":"New-Passw0rd!"}}""");
        Assert.Equal("Invalid session for the user, session is expired.", error.Message);
    }

    [Fact]
    public async Task Tokens_AfterTheirValidity_ExpiredAnswers()
    {
        var (pool, client) = await PoolAsync(""","RefreshTokenValidity":60,"TokenValidityUnits":{"RefreshToken":"minutes"}""");
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"exp","MessageAction":"SUPPRESS"}""");
        await CallAsync("AdminSetUserPassword", $$"""{"UserPoolId":"{{pool}}","Username":"exp","Password":"Exp-Passw0rd!","Permanent":true}""");
        var result = (await SignInAsync(pool, client, "exp", "Exp-Passw0rd!"))["AuthenticationResult"]!;
        var access = result["AccessToken"]!.GetValue<string>();
        var refresh = result["RefreshToken"]!.GetValue<string>();

        _time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal("Access Token has expired", (await FailsAsync("GetUser", $$"""{"AccessToken":"{{access}}"}""")).Message);
        Assert.Equal("Refresh Token has expired", (await FailsAsync("InitiateAuth",
            $$$"""{"ClientId":"{{{client}}}","AuthFlow":"REFRESH_TOKEN_AUTH","AuthParameters":{"REFRESH_TOKEN":"{{{refresh}}}"}}""")).Message);
    }

    [Fact]
    public async Task ConfirmSignUp_CodeOlderThanADay_ExpiredCode()
    {
        var (pool, client) = await PoolAsync();
        await CallAsync("SignUp", $$"""{"ClientId":"{{client}}","Username":"late","Password":"Late-Passw0rd!","UserAttributes":[{"Name":"email","Value":"late@example.com"}]}""");
        var code = _service.Outbox(pool).Single(m => m.Purpose == "signup").Code!;
        _time.Advance(TimeSpan.FromHours(25));
        var error = await FailsAsync("ConfirmSignUp", $$"""{"ClientId":"{{client}}","Username":"late","ConfirmationCode":"{{code}}"}""");
        Assert.Equal(("ExpiredCodeException", "Invalid code provided, please request a code again."), (error.Code, error.Message));
    }

    [Fact]
    public async Task ConfirmSignUp_SixWrongCodes_TooManyFailedAttemptsEvenForRightCode()
    {
        var (pool, client) = await PoolAsync();
        await CallAsync("SignUp", $$"""{"ClientId":"{{client}}","Username":"guess","Password":"Guess-Passw0rd!","UserAttributes":[{"Name":"email","Value":"guess@example.com"}]}""");
        var code = _service.Outbox(pool).Single(m => m.Purpose == "signup").Code!;
        var wrong = code == "123456" ? "654321" : "123456";
        for (var i = 0; i < 5; i++)
            Assert.Equal("CodeMismatchException", (await FailsAsync("ConfirmSignUp", $$"""{"ClientId":"{{client}}","Username":"guess","ConfirmationCode":"{{wrong}}"}""")).Code);
        Assert.Equal("TooManyFailedAttemptsException", (await FailsAsync("ConfirmSignUp", $$"""{"ClientId":"{{client}}","Username":"guess","ConfirmationCode":"{{code}}"}""")).Code);
    }

    [Fact]
    public async Task SignInLockout_AfterLockoutPasses_CorrectPasswordWorks()
    {
        var (pool, client) = await PoolAsync();
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"lou","MessageAction":"SUPPRESS"}""");
        await CallAsync("AdminSetUserPassword", $$"""{"UserPoolId":"{{pool}}","Username":"lou","Password":"Lou-Passw0rd!","Permanent":true}""");
        for (var i = 0; i < 6; i++)
            await Assert.ThrowsAsync<AwsException>(() => SignInAsync(pool, client, "lou", "Wrong-Passw0rd!"));
        Assert.Equal("Password attempts exceeded", (await Assert.ThrowsAsync<AwsException>(() => SignInAsync(pool, client, "lou", "Lou-Passw0rd!"))).Message);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.NotNull((await SignInAsync(pool, client, "lou", "Lou-Passw0rd!"))["AuthenticationResult"]);
    }

    [Fact]
    public async Task LocalIssuerDirectory_TokenOfLocalPool_GivesItsKey()
    {
        var (pool, client) = await PoolAsync();
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"ida","MessageAction":"SUPPRESS"}""");
        await CallAsync("AdminSetUserPassword", $$"""{"UserPoolId":"{{pool}}","Username":"ida","Password":"Ida-Passw0rd!","Permanent":true}""");
        var access = (await SignInAsync(pool, client, "ida", "Ida-Passw0rd!"))["AuthenticationResult"]!["AccessToken"]!.GetValue<string>();
        var issuer = Jwt.Payload(access)["iss"]!.GetValue<string>();
        var kid = Jwt.Header(access)["kid"]!.GetValue<string>();
        Assert.Equal("http://localhost:9229/" + pool, issuer);

        ILocalIssuerDirectory directory = new LocalIssuerDirectory(_service);
        Assert.True(directory.TryGetSigningKey(issuer, kid, out var key, out var isLocal));
        Assert.True(isLocal);
        Assert.True(TokenService.VerifySignature(access, key!));

        Assert.False(directory.TryGetSigningKey(issuer, "no-such-kid", out _, out isLocal));
        Assert.True(isLocal);
        Assert.False(directory.TryGetSigningKey($"https://cognito-idp.us-east-1.amazonaws.com/{pool}", kid, out _, out isLocal));
        Assert.False(isLocal);
        Assert.False(directory.TryGetSigningKey("https://login.example.com/realm", kid, out _, out isLocal));
        Assert.False(isLocal);
    }

    [Fact]
    public async Task LocalIssuerDirectory_AwsIssuers_MatchesAwsFormat()
    {
        Options = new GatehouseOptions { InMemory = true, AwsIssuers = true };
        _service = await StartAsync();
        var (pool, _) = await PoolAsync();
        ILocalIssuerDirectory directory = new LocalIssuerDirectory(_service);
        _service.TryGetPool(pool, out var state);
        Assert.True(directory.TryGetSigningKey($"https://cognito-idp.us-east-1.amazonaws.com/{pool}", state.Keys.AccessKey.Kid, out _, out var isLocal));
        Assert.True(isLocal);
    }

    [Fact]
    public async Task ResetAsync_Everything_GoneAlsoAfterReload()
    {
        var (pool, _) = await PoolAsync();
        await _services.GetRequiredService<IdentityService>().ResetAsync(CancellationToken.None);
        Assert.Equal("ResourceNotFoundException", (await FailsAsync("DescribeUserPool", $$"""{"UserPoolId":"{{pool}}"}""")).Code);
        _service = await StartAsync();
        Assert.Empty((await CallAsync("ListUserPools", """{"MaxResults":60}"""))["UserPools"]!.AsArray());
    }

    [Fact]
    public async Task StartAsync_ExistingFileStore_ReloadsPoolsUsersAndKeys()
    {
        var directory = Directory.CreateTempSubdirectory("gatehouse-identity-").FullName;
        await _database.DisposeAsync();
        _database = await SqliteDatabase.OpenFileAsync(directory, CancellationToken.None);
        Options = new GatehouseOptions { DataDirectory = directory, PublicUrl = "http://localhost:9229" };
        _service = await StartAsync();
        var (pool, client) = await PoolAsync();
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"rey","MessageAction":"SUPPRESS"}""");
        await CallAsync("AdminSetUserPassword", $$"""{"UserPoolId":"{{pool}}","Username":"rey","Password":"Rey-Passw0rd!","Permanent":true}""");
        _service.TryGetPool(pool, out var before);
        _service = await StartAsync();
        _service.TryGetPool(pool, out var after);
        Assert.Equal(before.Keys.Jwks, after.Keys.Jwks);
        Assert.NotNull((await SignInAsync(pool, client, "rey", "Rey-Passw0rd!"))["AuthenticationResult"]);
        Assert.True(File.Exists(Path.Combine(directory, "identity-secret.key")));

        // Without its secret key the store cannot be read: start-up says so instead of serving nothing.
        File.Delete(Path.Combine(directory, "identity-secret.key"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(StartAsync);
        Assert.Contains("identity-secret.key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateUserAttributes_ClientWriteAttributes_RefusesOthers()
    {
        var (pool, _) = await PoolAsync();
        var client = (await CallAsync("CreateUserPoolClient",
            $$$"""{"UserPoolId":"{{{pool}}}","ClientName":"w","ExplicitAuthFlows":["ALLOW_ADMIN_USER_PASSWORD_AUTH"],"WriteAttributes":["nickname"]}"""))["UserPoolClient"]!["ClientId"]!.GetValue<string>();
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"wes","MessageAction":"SUPPRESS"}""");
        await CallAsync("AdminSetUserPassword", $$"""{"UserPoolId":"{{pool}}","Username":"wes","Password":"Wes-Passw0rd!","Permanent":true}""");
        var access = (await SignInAsync(pool, client, "wes", "Wes-Passw0rd!"))["AuthenticationResult"]!["AccessToken"]!.GetValue<string>();

        await CallAsync("UpdateUserAttributes", $$$"""{"AccessToken":"{{{access}}}","UserAttributes":[{"Name":"nickname","Value":"W"}]}""");
        var error = await FailsAsync("UpdateUserAttributes", $$$"""{"AccessToken":"{{{access}}}","UserAttributes":[{"Name":"name","Value":"Wes"}]}""");
        Assert.Equal(("NotAuthorizedException", "A client attempted to write unauthorized attribute: name"), (error.Code, error.Message));
    }

    private async Task<string> UserPasswordFailureAsync(string client, string user, string password)
    {
        var error = await FailsAsync("InitiateAuth", $$$"""{"ClientId":"{{{client}}}","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"{{{user}}}","PASSWORD":"{{{password}}}"}}""");
        return error.Code + ": " + error.Message;
    }

    [Fact]
    public async Task InitiateAuth_ConcurrentWrongGuessesAfterFreeFailures_OnlyOneChecked()
    {
        var (pool, client) = await PoolAsync();
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"vic","MessageAction":"SUPPRESS"}""");
        await CallAsync("AdminSetUserPassword", $$"""{"UserPoolId":"{{pool}}","Username":"vic","Password":"Vic-Passw0rd!","Permanent":true}""");
        for (var i = 0; i < 5; i++)
            Assert.Equal("NotAuthorizedException: Incorrect username or password.", await UserPasswordFailureAsync(client, "vic", "guess-" + i));

        // The clock stands still, so the lockout the sixth attempt starts lasts for the whole burst.
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => UserPasswordFailureAsync(client, "vic", "burst-" + i))));
        Assert.Equal(1, answers.Count(a => a == "NotAuthorizedException: Incorrect username or password."));
        Assert.Equal(15, answers.Count(a => a == "NotAuthorizedException: Password attempts exceeded"));

        // The right password is refused during the lockout, and accepted once it is over.
        Assert.Equal("NotAuthorizedException: Password attempts exceeded", await UserPasswordFailureAsync(client, "vic", "Vic-Passw0rd!"));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.NotNull((await SignInAsync(pool, client, "vic", "Vic-Passw0rd!"))["AuthenticationResult"]);
    }

    [Fact]
    public async Task InitiateAuth_PreventUserExistenceErrors_UnknownAndExistingUsersAnsweredAlike()
    {
        var (pool, client) = await PoolAsync(""","PreventUserExistenceErrors":"ENABLED" """);
        await CallAsync("AdminCreateUser", $$"""{"UserPoolId":"{{pool}}","Username":"real","MessageAction":"SUPPRESS"}""");
        await CallAsync("AdminSetUserPassword", $$"""{"UserPoolId":"{{pool}}","Username":"real","Password":"Real-Passw0rd!","Permanent":true}""");
        var real = new List<string>();
        var ghost = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            real.Add(await UserPasswordFailureAsync(client, "real", "wrong-" + i));
            ghost.Add(await UserPasswordFailureAsync(client, "ghost", "wrong-" + i));
        }
        Assert.Equal(real, ghost);
        Assert.Equal("NotAuthorizedException: Password attempts exceeded", ghost[^1]);

        // Without the setting, an unknown user is named as such, as in Cognito.
        var (_, open) = await PoolAsync();
        Assert.Equal("UserNotFoundException: User does not exist.", await UserPasswordFailureAsync(open, "ghost", "wrong"));
    }

    [Fact]
    public async Task InitiateAuth_MoreConcurrentHashesThanTheServerTakes_ShedWithTooManyRequests()
    {
        var (_, client) = await PoolAsync(""","PreventUserExistenceErrors":"ENABLED" """);
        // Distinct unknown names: none is locked out, so every attempt needs a full (decoy) hash.
        // Each on its own thread, all released at once: as many callers as Kestrel would serve at a time.
        var answers = new string[64];
        using var start = new Barrier(answers.Length);
        var threads = Enumerable.Range(0, answers.Length).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            answers[i] = UserPasswordFailureAsync(client, "nobody-" + i, "wrong").GetAwaiter().GetResult();
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var shed = answers.Count(a => a.StartsWith("TooManyRequestsException:", StringComparison.Ordinal));
        var checkedCount = answers.Count(a => a == "NotAuthorizedException: Incorrect username or password.");
        Assert.True(shed > 0, "no attempt was shed");
        Assert.True(checkedCount >= Environment.ProcessorCount, $"only {checkedCount} attempts were checked");
        Assert.Equal(answers.Length, shed + checkedCount);
    }
}
