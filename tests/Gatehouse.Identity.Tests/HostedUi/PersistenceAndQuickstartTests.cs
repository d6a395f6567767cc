using System.Net;
using System.Text.RegularExpressions;
using Gatehouse.Testing;

namespace Gatehouse.Identity.Tests.HostedUi;

/// <summary>Domains and resource servers survive a restart; the quickstart's printed login page answers.</summary>
public sealed class PersistenceAndQuickstartTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("gatehouse-hostedui-").FullName;

    [Fact]
    public async Task CreateUserPoolDomain_ServerRestarted_DomainAndResourceServerStillServed()
    {
        using var server = new DataServer(_data);
        var poolId = (await server.AwsAsync("cognito-idp", "create-user-pool", "--pool-name", "durable")).EnsureSuccess().Json.Str("UserPool.Id");
        (await server.AwsAsync("cognito-idp", "create-user-pool-domain", "--user-pool-id", poolId, "--domain", "durable-login")).EnsureSuccess();
        (await server.AwsAsync("cognito-idp", "create-resource-server", "--user-pool-id", poolId, "--identifier", "orders", "--name", "Orders",
            "--scopes", "ScopeName=read,ScopeDescription=Read")).EnsureSuccess();

        server.Terminate(TimeSpan.FromSeconds(15));
        server.Start();

        var domain = (await server.AwsAsync("cognito-idp", "describe-user-pool-domain", "--domain", "durable-login")).EnsureSuccess().Json;
        Assert.Equal(poolId, domain.Str("DomainDescription.UserPoolId"));
        var resourceServer = (await server.AwsAsync("cognito-idp", "describe-resource-server", "--user-pool-id", poolId, "--identifier", "orders")).EnsureSuccess().Json;
        Assert.Equal("Orders", resourceServer.Str("ResourceServer.Name"));
        using var http = server.CreateClient();
        var discovery = await http.GetStringAsync($"/{poolId}/.well-known/openid-configuration");
        Assert.Contains("/_aws/auth/durable-login/oauth2/token", discovery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quickstart_PrintedLoginPage_AnswersWithTheSignInForm()
    {
        using var server = new QuickstartServer(_data);
        for (var i = 0; i < 600 && !server.Output.Contains("# -> \"Hello from Lambda!\"", StringComparison.Ordinal); i++)
            await Task.Delay(100);
        var match = Regex.Match(server.Output, @"^  Login page\s{2,}(\S+)\s*$", RegexOptions.Multiline);
        Assert.True(match.Success, "no login page in the report:\n" + server.Output);
        var url = new Uri(match.Groups[1].Value);
        Assert.EndsWith(".auth.localhost", url.Host, StringComparison.Ordinal);
        Assert.Equal(server.Port, url.Port);

        // Chromium and curl resolve *.localhost to loopback; .NET is given the address and the Host.
        using var http = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url.PathAndQuery);
        request.Headers.Host = url.Authority;
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Sign in</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"f-username\">Email address</label>", html, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private sealed class DataServer(string data) : GatehouseProcess(["--data", data], verb: "serve");

    private sealed class QuickstartServer(string data) : GatehouseProcess(["--data", data], verb: "quickstart");
}
