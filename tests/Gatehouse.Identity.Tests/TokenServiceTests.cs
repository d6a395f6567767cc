using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.Tokens;

namespace Gatehouse.Identity.Tests;

/// <summary>Claim sets exactly as Cognito issues them: names, JSON types and value formats (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-with-identity-providers.html).</summary>
public sealed class TokenServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualTime _time = new();
    private readonly UserPool _pool = new("us-east-1_AbCdEf123", "000000000000", "us-east-1", "p", new JsonObject(), Now, Now);
    private readonly PoolKeys _keys = PoolKeys.Generate(Now);
    private readonly AppClient _client = new("57cbishk4j24pabc1234567890", "us-east-1_AbCdEf123", "app", null,
        new JsonObject { ["AccessTokenValidity"] = 30, ["TokenValidityUnits"] = new JsonObject { ["AccessToken"] = "minutes" } }, Now, Now);
    private readonly User _user = new()
    {
        PoolId = "us-east-1_AbCdEf123",
        Username = "janedoe",
        Sub = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        Status = UserStatus.Confirmed,
        CredentialStamp = "s",
        Attributes = [new("sub", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"), new("email", "jane@example.com"), new("email_verified", "true"), new("custom:team", "blue")],
        Created = Now,
        Modified = Now,
    };

    private TokenService Service(bool awsIssuers = false) =>
        new(new GatehouseOptions { PublicUrl = "http://localhost:9229", AwsIssuers = awsIssuers }, _time);

    [Fact]
    public void Issue_IdToken_HasCognitoClaimSet()
    {
        var groups = new[] { new Group(_pool.Id, "admin", null, "arn:aws:iam::000000000000:role/admin", 1, Now, Now) };
        var tokens = Service().Issue(_pool, _keys, _client, _user, groups, 1767225000, "6d2e0000-0000-7000-8000-000000000000", withRefreshToken: true);
        var id = Jwt.Payload(tokens.IdToken);
        var header = Jwt.Header(tokens.IdToken);

        Assert.Equal(["kid", "alg"], header.Select(p => p.Key));
        Assert.Equal("RS256", header["alg"]!.GetValue<string>());
        Assert.Equal(_keys.IdKey.Kid, header["kid"]!.GetValue<string>());
        Assert.Equal(44, _keys.IdKey.Kid.Length);
        Assert.Equal(_user.Sub, id["sub"]!.GetValue<string>());
        Assert.Equal(_client.Id, id["aud"]!.GetValue<string>());
        Assert.Equal("http://localhost:9229/us-east-1_AbCdEf123", id["iss"]!.GetValue<string>());
        Assert.Equal("id", id["token_use"]!.GetValue<string>());
        Assert.Equal("janedoe", id["cognito:username"]!.GetValue<string>());
        Assert.True(id["email_verified"]!.GetValue<bool>());
        Assert.Equal("jane@example.com", id["email"]!.GetValue<string>());
        Assert.Equal("blue", id["custom:team"]!.GetValue<string>());
        Assert.Equal(["admin"], id["cognito:groups"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Equal("arn:aws:iam::000000000000:role/admin", id["cognito:preferred_role"]!.GetValue<string>());
        Assert.Equal(1767225000, id["auth_time"]!.GetValue<long>());
        Assert.Equal(id["iat"]!.GetValue<long>() + 3600, id["exp"]!.GetValue<long>());
        Assert.Equal("6d2e0000-0000-7000-8000-000000000000", id["origin_jti"]!.GetValue<string>());
        Assert.True(Guid.TryParse(id["jti"]!.GetValue<string>(), out _));
        Assert.True(Guid.TryParse(id["event_id"]!.GetValue<string>(), out _));
    }

    [Fact]
    public void Issue_AccessToken_HasClientIdScopeAndNoAud()
    {
        var tokens = Service().Issue(_pool, _keys, _client, _user, [], 1767225000, "6d2e0000-0000-7000-8000-000000000000", withRefreshToken: false);
        var access = Jwt.Payload(tokens.AccessToken);

        Assert.Null(access["aud"]);
        Assert.Null(access["cognito:groups"]);
        Assert.Null(access["email"]);
        Assert.Equal(_client.Id, access["client_id"]!.GetValue<string>());
        Assert.Equal("access", access["token_use"]!.GetValue<string>());
        Assert.Equal("aws.cognito.signin.user.admin", access["scope"]!.GetValue<string>());
        Assert.Equal("janedoe", access["username"]!.GetValue<string>());
        Assert.Equal(access["iat"]!.GetValue<long>() + 1800, access["exp"]!.GetValue<long>());
        Assert.Equal(1800, tokens.ExpiresIn);
        Assert.Null(tokens.RefreshToken);
        Assert.Equal(_keys.AccessKey.Kid, Jwt.Header(tokens.AccessToken)["kid"]!.GetValue<string>());
        Assert.NotEqual(_keys.IdKey.Kid, _keys.AccessKey.Kid);
        Assert.True(TokenService.VerifySignature(tokens.AccessToken, _keys.AccessKey.PublicKey));
        Assert.False(TokenService.VerifySignature(tokens.AccessToken, _keys.IdKey.PublicKey));
    }

    [Fact]
    public void Issue_AwsIssuers_UsesCognitoIssuerFormat()
    {
        var tokens = Service(awsIssuers: true).Issue(_pool, _keys, _client, _user, [], 1, "x", withRefreshToken: false);
        Assert.Equal("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123", Jwt.Payload(tokens.AccessToken)["iss"]!.GetValue<string>());
    }

    [Fact]
    public void RefreshToken_SealedWithPoolKey_OpensOnlyWithIt()
    {
        var tokens = Service().Issue(_pool, _keys, _client, _user, [], 1767225000, "origin", withRefreshToken: true);
        Assert.Equal(5, tokens.RefreshToken!.Split('.').Length);
        Assert.Matches("^[A-Za-z0-9\\-_=.]+$", tokens.RefreshToken);

        var claims = TokenService.OpenRefresh(_keys, tokens.RefreshToken);
        Assert.NotNull(claims);
        Assert.Equal(("janedoe", "origin", 1767225000L), (claims.Username, claims.OriginJti, claims.AuthTime));
        Assert.Null(TokenService.OpenRefresh(PoolKeys.Generate(Now), tokens.RefreshToken));
        // Tamper with the first character of the last segment (a full 6 bits; the last character of
        // a segment may carry only padding bits, and replacing it with itself proved nothing).
        var parts = tokens.RefreshToken.Split('.');
        parts[^1] = (parts[^1][0] == 'A' ? "B" : "A") + parts[^1][1..];
        Assert.Null(TokenService.OpenRefresh(_keys, string.Join('.', parts)));
        Assert.Null(TokenService.OpenRefresh(_keys, "garbage"));
    }
}
