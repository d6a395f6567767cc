using System.Text.Json.Nodes;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.OAuth;
using Gatehouse.Identity.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Identity.Tests.OAuth;

/// <summary>The authorization request's validation steps and PKCE, without a server.</summary>
public sealed class AuthorizeRequestTests
{
    private static readonly PoolState Pool = CreatePool();

    private static PoolState CreatePool()
    {
        var now = DateTimeOffset.UnixEpoch;
        var state = new PoolState(new UserPool("us-east-1_Test12345", "000000000000", "us-east-1", "p", new JsonObject(), now, now), PoolKeys.Generate(now));
        state.Clients["web"] = new AppClient("web", state.Pool.Id, "web", null, new JsonObject
        {
            ["AllowedOAuthFlowsUserPoolClient"] = true,
            ["SupportedIdentityProviders"] = new JsonArray("COGNITO"),
            ["AllowedOAuthFlows"] = new JsonArray("code"),
            ["AllowedOAuthScopes"] = new JsonArray("openid", "email"),
            ["CallbackURLs"] = new JsonArray("https://app.example/callback"),
        }, now, now);
        return state;
    }

    private static AuthorizeValidation Validate(params (string Name, string Value)[] parameters) =>
        AuthorizeRequestValidator.Validate(Pool, new QueryCollection(parameters.ToDictionary(p => p.Name, p => new StringValues(p.Value))));

    private static readonly (string, string)[] Good =
        [("client_id", "web"), ("response_type", "code"), ("redirect_uri", "https://app.example/callback"), ("state", "s")];

    [Fact]
    public void Validate_GoodRequestWithoutScope_GrantsAllClientScopes()
    {
        var result = Validate(Good);
        Assert.Null(result.Error);
        Assert.Equal("openid email", result.Request!.Scope);
    }

    [Theory]
    [InlineData("https://app.example/callback/")]
    [InlineData("https://APP.example/callback")]
    [InlineData("https://app.example/callback?x=1")]
    [InlineData("https://evil.example/callback")]
    public void Validate_RedirectUriNotExactlyRegistered_ErrorForThePageOnly(string redirectUri)
    {
        var result = Validate(("client_id", "web"), ("response_type", "code"), ("redirect_uri", redirectUri), ("state", "s"));
        Assert.Equal("invalid_request", result.Error!.Error);
        Assert.Null(result.RedirectUri);
    }

    [Fact]
    public void Validate_UnknownClient_ErrorForThePageOnly()
    {
        var result = Validate(("client_id", "nope"), ("response_type", "code"), ("redirect_uri", "https://app.example/callback"));
        Assert.Null(result.RedirectUri);
    }

    [Theory]
    [InlineData("response_type", "token", "unauthorized_client")]
    [InlineData("response_type", "id_token", "unsupported_response_type")]
    [InlineData("scope", "openid phone", "invalid_scope")]
    [InlineData("scope", "email", "invalid_scope")]
    [InlineData("code_challenge_method", "S256", "invalid_request")]
    [InlineData("code_challenge", "too-short", "invalid_request")]
    [InlineData("identity_provider", "Google", "invalid_request")]
    public void Validate_BadParameterWithGoodCallback_ErrorGoesToCallbackWithState(string name, string value, string error)
    {
        var parameters = Good.Where(p => p.Item1 != name).Append((name, value)).ToArray();
        var result = Validate(parameters);
        Assert.Equal(error, result.Error!.Error);
        Assert.Equal("https://app.example/callback", result.RedirectUri);
        Assert.Equal("s", result.State);
    }

    [Fact]
    public void Pkce_Rfc7636AppendixB_S256VerifierMatches()
    {
        const string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        Assert.True(Pkce.Verify("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", verifier));
        Assert.False(Pkce.Verify("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256", verifier[..^1] + "l"));
        Assert.True(Pkce.Verify(verifier, "plain", verifier));
        Assert.False(Pkce.Verify(verifier, "plain", "short"));
    }

    [Fact]
    public void AuthorizeRequest_ToQuery_RoundTripsThroughValidation()
    {
        var first = Validate([.. Good, ("nonce", "n 1&2"), ("code_challenge", new string('a', 43)), ("code_challenge_method", "plain")]).Request!;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(first.ToQuery());
        var again = AuthorizeRequestValidator.Validate(Pool, new QueryCollection(query)).Request!;
        Assert.Equal(first.ToQuery(), again.ToQuery());
        Assert.Equal("n 1&2", again.Nonce);
    }
}
