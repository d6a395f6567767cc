using System.Text.Json.Nodes;
using Gatehouse.Gateway.Tests.Support;

namespace Gatehouse.Gateway.Tests;

/// <summary>The JWT authorizer through the whole data plane, with a local (in-process) issuer.</summary>
public sealed class JwtAuthorizerTests : IDisposable
{
    private const string Issuer = "http://127.0.0.1:4566/us-east-1_AbCdEf123";
    private const string ClientId = "57cbishk4j24pabc1234567890";

    private readonly GatewayHarness _gateway = new();
    private readonly TestIssuer _issuer = new(Issuer);

    public JwtAuthorizerTests()
    {
        _gateway.Issuers.Add(_issuer);
        _gateway.Lambda();
        _gateway.Jwt(Issuer, ClientId);
        _gateway.Route("GET /hello", authorization: "JWT", authorizerId: "auth01");
        _gateway.Route("GET /admin", authorization: "JWT", authorizerId: "auth01", scopes: ["admin", "pets/write"]);
        _gateway.Deploy();
    }

    private JsonObject Claims() => _issuer.AccessClaims(ClientId, _gateway.Time.Now);

    private Task<GatewayReply> GetWithToken(string path, string authorization) => _gateway.GetAsync(path, ("Authorization", authorization));

    private static void AssertUnauthorized(GatewayReply reply, string? description = null)
    {
        Assert.Equal(401, reply.Status);
        Assert.Equal("""{"message":"Unauthorized"}""", reply.Body);
        Assert.Equal("application/json", reply.Header("Content-Type"));
        Assert.NotEmpty(reply.Header("apigw-requestid"));
        var challenge = reply.Header("WWW-Authenticate");
        Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
        if (description is not null)
            Assert.Contains($"error_description=\"{description}\"", challenge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_ValidAccessToken_ReachesTheFunction()
    {
        var reply = await GetWithToken("/hello", "Bearer " + _issuer.Sign(Claims()));
        Assert.Equal(200, reply.Status);
        Assert.Equal("\"Hello from Lambda!\"", reply.Body);
        Assert.Single(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Authorize_TokenWithoutBearerPrefix_IsAccepted()
    {
        var reply = await GetWithToken("/hello", _issuer.Sign(Claims()));
        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task Authorize_IdTokenWithAudience_IsAccepted()
    {
        var claims = Claims();
        claims.Remove("client_id");
        claims["aud"] = ClientId;
        claims["token_use"] = "id";
        var reply = await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims));
        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task Authorize_AudienceArrayContainingClient_IsAccepted()
    {
        var claims = Claims();
        claims.Remove("client_id");
        claims["aud"] = new JsonArray("other", ClientId);
        Assert.Equal(200, (await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims))).Status);
    }

    [Fact]
    public async Task Authorize_MissingHeader_Is401WithBareChallenge()
    {
        var reply = await _gateway.GetAsync("/hello");
        AssertUnauthorized(reply);
        Assert.Equal("Bearer", reply.Header("WWW-Authenticate"));
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Authorize_WrongAudience_Is401WithAwsDescription()
    {
        var claims = Claims();
        claims["client_id"] = "someoneelse";
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims)), "the token does not have a valid audience");
    }

    [Fact]
    public async Task Authorize_WrongIssuer_Is401()
    {
        var claims = Claims();
        claims["iss"] = Issuer + "x";
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims)), "the token does not have a valid issuer");
    }

    [Fact]
    public async Task Authorize_ExpiredToken_Is401()
    {
        var claims = Claims();
        claims["exp"] = _gateway.Time.Now.AddSeconds(-1).ToUnixTimeSeconds();
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims)), "the token has expired");
    }

    [Fact]
    public async Task Authorize_TokenWithoutExpiry_Is401()
    {
        var claims = Claims();
        claims.Remove("exp");
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims)));
    }

    [Fact]
    public async Task Authorize_NotBeforeInTheFuture_Is401()
    {
        var claims = Claims();
        claims["nbf"] = _gateway.Time.Now.AddMinutes(5).ToUnixTimeSeconds();
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims)), "the token is not valid yet");
    }

    [Fact]
    public async Task Authorize_IssuedInTheFuture_Is401()
    {
        var claims = Claims();
        claims["iat"] = _gateway.Time.Now.AddMinutes(5).ToUnixTimeSeconds();
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims)));
    }

    [Fact]
    public async Task Authorize_AlgNone_Is401()
    {
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + TestIssuer.Unsigned(Claims(), _issuer.KeyId)), "signing method none is invalid");
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Authorize_Hs256SignedWithThePublicKey_Is401()
    {
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + _issuer.SignHs256WithPublicKey(Claims())), "signing method HS256 is invalid");
    }

    [Fact]
    public async Task Authorize_TamperedPayload_Is401()
    {
        var token = _issuer.Sign(Claims());
        var parts = token.Split('.');
        var forged = Claims();
        forged["username"] = "admin";
        var forgedPayload = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(forged.ToJsonString()));
        AssertUnauthorized(await GetWithToken("/hello", $"Bearer {parts[0]}.{forgedPayload}.{parts[2]}"), "the token signature is invalid");
    }

    [Fact]
    public async Task Authorize_SignedByAnotherKeyWithTheSameKid_Is401()
    {
        using var impostor = new TestIssuer(Issuer);
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + impostor.Sign(Claims())));
    }

    [Fact]
    public async Task Authorize_UnknownKid_Is401()
    {
        AssertUnauthorized(await GetWithToken("/hello", "Bearer " + _issuer.Sign(Claims(), keyId: "other-key")));
    }

    [Theory]
    [InlineData("Bearer ")]
    [InlineData("Bearer abc")]
    [InlineData("Bearer a.b")]
    [InlineData("Bearer a.b.c.d")]
    [InlineData("Bearer !!!.???.***")]
    public async Task Authorize_MalformedToken_Is401(string authorization)
    {
        AssertUnauthorized(await GetWithToken("/hello", authorization));
    }

    [Fact]
    public async Task Authorize_RequiredScopePresent_IsAccepted()
    {
        var reply = await GetWithToken("/admin", "Bearer " + _issuer.Sign(_issuer.AccessClaims(ClientId, _gateway.Time.Now, "openid pets/write")));
        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task Authorize_ScpArrayWithRequiredScope_IsAccepted()
    {
        var claims = Claims();
        claims.Remove("scope");
        claims["scp"] = new JsonArray("admin");
        Assert.Equal(200, (await GetWithToken("/admin", "Bearer " + _issuer.Sign(claims))).Status);
    }

    [Fact]
    public async Task Authorize_NoMatchingScope_Is403Forbidden()
    {
        var reply = await GetWithToken("/admin", "Bearer " + _issuer.Sign(Claims()));
        Assert.Equal(403, reply.Status);
        Assert.Equal("""{"message":"Forbidden"}""", reply.Body);
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task Authorize_IdTokenOnScopedRoute_Is403()
    {
        var claims = Claims();
        claims.Remove("scope");
        claims.Remove("client_id");
        claims["aud"] = ClientId;
        Assert.Equal(403, (await GetWithToken("/admin", "Bearer " + _issuer.Sign(claims))).Status);
    }

    [Fact]
    public async Task Authorize_SameTokenTwice_VerifiesOnceThenUsesTheCache()
    {
        var token = "Bearer " + _issuer.Sign(Claims());
        Assert.Equal(200, (await GetWithToken("/hello", token)).Status);
        var lookups = _gateway.Issuers.Lookups;
        Assert.Equal(200, (await GetWithToken("/hello", token)).Status);
        Assert.Equal(lookups, _gateway.Issuers.Lookups);
    }

    [Fact]
    public async Task Authorize_CachedTokenAfterExpiry_Is401()
    {
        var token = "Bearer " + _issuer.Sign(Claims());
        Assert.Equal(200, (await GetWithToken("/hello", token)).Status);
        _gateway.Time.Now = _gateway.Time.Now.AddHours(1).AddSeconds(1);
        AssertUnauthorized(await GetWithToken("/hello", token), "the token has expired");
    }

    [Fact]
    public async Task Authorize_ClaimsReachTheFunctionAsStrings()
    {
        var claims = Claims();
        claims["cognito:groups"] = new JsonArray("admin", "users");
        claims["email_verified"] = true;
        Assert.Equal(200, (await GetWithToken("/hello", "Bearer " + _issuer.Sign(claims))).Status);
        var jwt = JsonText.Parse(_gateway.Functions.LastEvent)["requestContext"]!["authorizer"]!["jwt"]!;
        Assert.Equal("janedoe", jwt["claims"]!["username"]!.GetValue<string>());
        Assert.Equal("[admin users]", jwt["claims"]!["cognito:groups"]!.GetValue<string>());
        Assert.Equal("true", jwt["claims"]!["email_verified"]!.GetValue<string>());
        Assert.Equal(claims["exp"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture), jwt["claims"]!["exp"]!.GetValue<string>());
        Assert.Null(jwt["scopes"]);
    }

    [Fact]
    public async Task Authorize_ScopedRoute_PassesTokenScopesToTheFunction()
    {
        await GetWithToken("/admin", "Bearer " + _issuer.Sign(_issuer.AccessClaims(ClientId, _gateway.Time.Now, "openid admin")));
        var scopes = JsonText.Parse(_gateway.Functions.LastEvent)["requestContext"]!["authorizer"]!["jwt"]!["scopes"]!.AsArray();
        Assert.Equal(["openid", "admin"], scopes.Select(s => s!.GetValue<string>()));
    }

    public void Dispose()
    {
        _gateway.Dispose();
        _issuer.Dispose();
    }
}
