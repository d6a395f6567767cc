using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Identity.Tests.OAuth;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests.HostedUi;

/// <summary>User pool domains and resource servers through the AWS CLI, and the two addresses of a domain.</summary>
public sealed class DomainTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public DomainTests(GatehouseProcess server) => _server = server;

    private async Task<string> PoolAsync() =>
        (await _server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "d-" + Guid.NewGuid().ToString("N")[..8])).EnsureSuccess().Json.Str("UserPool.Id");

    [Fact]
    public async Task CreateUserPoolDomain_Prefix_DescribedAndShownOnPoolThenDeleted()
    {
        var poolId = await PoolAsync();
        var domain = "login-" + Guid.NewGuid().ToString("N")[..8];
        (await _server.AwsAsync("cognito-idp", "create-user-pool-domain", "--user-pool-id", poolId, "--domain", domain)).EnsureSuccess();

        var described = (await _server.AwsAsync("cognito-idp", "describe-user-pool-domain", "--domain", domain)).EnsureSuccess().Json;
        Assert.Equal(poolId, described.Str("DomainDescription.UserPoolId"));
        Assert.Equal("ACTIVE", described.Str("DomainDescription.Status"));
        Assert.Equal($"{domain}.auth.localhost", described.Str("DomainDescription.CloudFrontDistribution"));
        var pool = (await _server.AwsAsync("cognito-idp", "describe-user-pool", "--user-pool-id", poolId)).EnsureSuccess().Json;
        Assert.Equal(domain, pool.Str("UserPool.Domain"));

        var second = await _server.AwsAsync("cognito-idp", "create-user-pool-domain", "--user-pool-id", await PoolAsync(), "--domain", domain);
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("InvalidParameterException", second.StandardError, StringComparison.Ordinal);

        (await _server.AwsAsync("cognito-idp", "delete-user-pool-domain", "--user-pool-id", poolId, "--domain", domain)).EnsureSuccess();
        var gone = (await _server.AwsAsync("cognito-idp", "describe-user-pool-domain", "--domain", domain)).EnsureSuccess().Json;
        Assert.Empty(gone["DomainDescription"]!.AsObject());
        using var http = _server.CreateClient();
        using var page = await http.GetAsync($"/_aws/auth/{domain}/login");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    [Fact]
    public async Task HostedLogin_HostHeaderOfDomain_ServesTheSamePageAsPathStyle()
    {
        var setup = await OAuthTestKit.CreateAsync(_server);
        var query = OAuthTestKit.AuthorizeQuery(setup);
        using var http = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/login?" + query);
        request.Headers.Host = $"{setup.Domain}.auth.localhost:{_server.Port}";
        using var hostRouted = await http.SendAsync(request);
        var html = await hostRouted.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, hostRouted.StatusCode);
        Assert.Contains("<h1>Sign in</h1>", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/login?", html, StringComparison.Ordinal);

        using var pathStyle = await http.GetAsync($"/_aws/auth/{setup.Domain}/login?" + query);
        Assert.Contains($"action=\"/_aws/auth/{setup.Domain}/login?", await pathStyle.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknown = new HttpRequestMessage(HttpMethod.Get, "/login?" + query);
        unknown.Headers.Host = $"nobody-here.auth.localhost:{_server.Port}";
        using var missing = await http.SendAsync(unknown);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Page not found", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginPageUrl_ClientWithDomainAndCallback_PrintsHostRoutedLoginUrl()
    {
        var setup = await OAuthTestKit.CreateAsync(_server);
        using var http = _server.CreateClient();
        var url = JsonNode.Parse(await http.GetStringAsync($"/_gatehouse/login-page?clientId={setup.ClientId}"))!.Str("loginPageUrl");
        Assert.Equal($"http://{setup.Domain}.auth.localhost:{_server.Port}/login?client_id={setup.ClientId}&response_type=code&scope=openid+email" +
            "&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback", url);
    }

    [Fact]
    public async Task CreateResourceServer_Scopes_ListedUpdatedAndDeleted()
    {
        var poolId = await PoolAsync();
        var created = (await _server.AwsAsync("cognito-idp", "create-resource-server", "--user-pool-id", poolId, "--identifier", "https://api.example.com",
            "--name", "API", "--scopes", "ScopeName=read,ScopeDescription=Read")).EnsureSuccess().Json;
        Assert.Equal("read", created["ResourceServer"]!["Scopes"]![0]!.Str("ScopeName"));
        Assert.Equal(poolId, created.Str("ResourceServer.UserPoolId"));

        (await _server.AwsAsync("cognito-idp", "update-resource-server", "--user-pool-id", poolId, "--identifier", "https://api.example.com",
            "--name", "API v2", "--scopes", "ScopeName=read,ScopeDescription=Read", "ScopeName=write,ScopeDescription=Write")).EnsureSuccess();
        var described = (await _server.AwsAsync("cognito-idp", "describe-resource-server", "--user-pool-id", poolId, "--identifier", "https://api.example.com")).EnsureSuccess().Json;
        Assert.Equal("API v2", described.Str("ResourceServer.Name"));
        Assert.Equal(2, described["ResourceServer"]!["Scopes"]!.AsArray().Count);

        var listed = (await _server.AwsAsync("cognito-idp", "list-resource-servers", "--user-pool-id", poolId, "--max-results", "10")).EnsureSuccess().Json;
        Assert.Equal("https://api.example.com", Assert.Single(listed["ResourceServers"]!.AsArray())!.Str("Identifier"));

        var duplicate = await _server.AwsAsync("cognito-idp", "create-resource-server", "--user-pool-id", poolId, "--identifier", "https://api.example.com", "--name", "again");
        Assert.Contains("InvalidParameterException", duplicate.StandardError, StringComparison.Ordinal);

        (await _server.AwsAsync("cognito-idp", "delete-resource-server", "--user-pool-id", poolId, "--identifier", "https://api.example.com")).EnsureSuccess();
        var missing = await _server.AwsAsync("cognito-idp", "describe-resource-server", "--user-pool-id", poolId, "--identifier", "https://api.example.com");
        Assert.Contains("ResourceNotFoundException", missing.StandardError, StringComparison.Ordinal);
    }
}
