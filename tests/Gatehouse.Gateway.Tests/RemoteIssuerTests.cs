using Gatehouse.Gateway.Tests.Support;

namespace Gatehouse.Gateway.Tests;

/// <summary>
/// The JWT authorizer with an independent OIDC issuer reached over HTTP (discovery → JWKS): the
/// authorizer is not tied to Gatehouse's own user pools.
/// </summary>
public sealed class RemoteIssuerTests : IAsyncLifetime
{
    private const string Audience = "my-spa";

    private TestWebServer _server = null!;
    private readonly GatewayHarness _gateway = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        _server = await TestWebServer.StartAsync();
        _gateway.Lambda();
        _gateway.Jwt(_server.Issuer, Audience);
        _gateway.Route("GET /hello", authorization: "JWT", authorizerId: "auth01");
        _gateway.Deploy();
    }

    private TestIssuer AddKey(string keyId)
    {
        var key = new TestIssuer(_server.Issuer, keyId);
        lock (_server.Keys)
            _server.Keys.Add(key);
        return key;
    }

    private Task<GatewayReply> Call(TestIssuer key, string? keyId = null) =>
        _gateway.GetAsync("/hello", ("Authorization", "Bearer " + key.Sign(key.AccessClaims(Audience, _gateway.Time.Now), keyId)));

    [Fact]
    public async Task Authorize_TokenFromRemoteIssuer_IsVerifiedWithItsJwks()
    {
        var key = AddKey("remote-1");
        var reply = await Call(key);
        Assert.True(200 == reply.Status, reply.Header("WWW-Authenticate"));
        Assert.Equal(1, _server.DiscoveryFetches);
        Assert.Equal(1, _server.JwksFetches);
    }

    [Fact]
    public async Task Authorize_SecondTokenSameKey_UsesTheCachedKeySet()
    {
        var key = AddKey("remote-1");
        Assert.Equal(200, (await Call(key)).Status);
        _gateway.Time.Now = _gateway.Time.Now.AddSeconds(1);
        Assert.Equal(200, (await Call(key)).Status);
        Assert.Equal(1, _server.JwksFetches);
    }

    [Fact]
    public async Task Authorize_RotatedKey_RefreshesTheKeySet()
    {
        var first = AddKey("remote-1");
        Assert.Equal(200, (await Call(first)).Status);
        var second = AddKey("remote-2");
        _gateway.Time.Now = _gateway.Time.Now.AddSeconds(10);
        Assert.Equal(200, (await Call(second)).Status);
        Assert.Equal(2, _server.JwksFetches);
    }

    [Fact]
    public async Task Authorize_UnknownKidsInQuickSuccession_DoNotHammerTheIssuer()
    {
        var key = AddKey("remote-1");
        Assert.Equal(200, (await Call(key)).Status);
        for (var i = 0; i < 5; i++)
            Assert.Equal(401, (await Call(key, keyId: "nope-" + i)).Status);
        Assert.Equal(1, _server.JwksFetches);
    }

    [Fact]
    public async Task Authorize_UnreachableIssuer_Is401()
    {
        using var gateway = new GatewayHarness(DateTimeOffset.UtcNow);
        using var key = new TestIssuer(_server.Issuer + "/nowhere");
        gateway.Lambda();
        gateway.Jwt(key.Issuer, Audience);
        gateway.Route("GET /hello", authorization: "JWT", authorizerId: "auth01");
        gateway.Deploy();
        var reply = await gateway.GetAsync("/hello", ("Authorization", "Bearer " + key.Sign(key.AccessClaims(Audience, gateway.Time.Now))));
        Assert.Equal(401, reply.Status);
        Assert.Equal("""{"message":"Unauthorized"}""", reply.Body);
    }

    public async Task DisposeAsync()
    {
        _gateway.Dispose();
        foreach (var key in _server.Keys)
            key.Dispose();
        await _server.DisposeAsync();
    }
}
