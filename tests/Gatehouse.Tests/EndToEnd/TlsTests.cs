using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Gatehouse.Testing;

namespace Gatehouse.Tests.EndToEnd;

/// <summary>A server with a persistent store serving HTTPS with the certificate it generates (<c>--tls self-signed</c>).</summary>
public sealed class TlsServer : GatehouseProcess
{
    public TlsServer() : base("--data", Directory.CreateTempSubdirectory("gatehouse-tls-").FullName, "--tls", "self-signed")
    {
    }

    public string DataDirectory => Arguments[1];

    public string CertificateFile => Path.Combine(DataDirectory, "tls-certificate.pem");

    public Task<CliResult> TrustingAwsAsync(params string[] arguments) => AwsAsync(["--ca-bundle", CertificateFile, .. arguments]);

    /// <summary>An HTTP client that trusts the generated certificate as its only root, as a client given the file would.</summary>
    public HttpClient TrustingClient()
    {
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(CertificateFile));
        var handler = new SocketsHttpHandler();
        handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            CustomTrustStore = { root },
            RevocationMode = X509RevocationMode.NoCheck,
        };
        return new HttpClient(handler) { BaseAddress = Endpoint, Timeout = TimeSpan.FromSeconds(30) };
    }
}

/// <summary>
/// HTTPS on Gatehouse's one port, driven by the AWS CLI (<c>--ca-bundle</c>), npm jose (with
/// <c>NODE_EXTRA_CA_CERTS</c>) and .NET's HTTP client: the generated certificate is trusted once and
/// kept across restarts, nothing is answered in plain HTTP, and every URL handed out is https.
/// </summary>
public sealed class TlsTests : IClassFixture<TlsServer>
{
    private readonly TlsServer _server;

    public TlsTests(TlsServer server) => _server = server;

    [Fact]
    public async Task AwsCli_WithCaBundle_Works_WithoutItRefusesTheCertificate()
    {
        Assert.Equal("https", _server.Endpoint.Scheme);

        var trusted = await _server.TrustingAwsAsync("cognito-idp", "list-user-pools", "--max-results", "5");
        var untrusted = await _server.AwsAsync("cognito-idp", "list-user-pools", "--max-results", "5");

        Assert.NotNull(trusted.EnsureSuccess().Json["UserPools"]);
        Assert.NotEqual(0, untrusted.ExitCode);
        Assert.Contains("CERTIFICATE_VERIFY_FAILED", untrusted.StandardError, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_server.DataDirectory, "tls-key.pem")));
    }

    [Fact]
    public async Task PlainHttp_ToTheTlsPort_GetsNoAnswer()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://127.0.0.1:{_server.Port}/_gatehouse/health")));
    }

    [Fact]
    public async Task Certificate_CoversTheNamesHandedOut()
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(_server.CertificateFile));
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();

        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Contains("*.execute-api.localhost", names.EnumerateDnsNames());
        Assert.Contains("*.auth.localhost", names.EnumerateDnsNames());
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
        using var http = _server.TrustingClient();
        using var health = await http.GetAsync(new Uri($"https://localhost:{_server.Port}/_gatehouse/health"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task SignIn_TokensCarryTheHttpsIssuer_VerifiedByJoseOverHttps()
    {
        const string password = "Final-Passw0rd!";
        var poolId = (await _server.TrustingAwsAsync("cognito-idp", "create-user-pool", "--pool-name", "tls")).EnsureSuccess().Json.Str("UserPool.Id");
        var clientId = (await _server.TrustingAwsAsync("cognito-idp", "create-user-pool-client", "--user-pool-id", poolId, "--client-name", "app",
            "--explicit-auth-flows", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")).EnsureSuccess().Json.Str("UserPoolClient.ClientId");
        (await _server.TrustingAwsAsync("cognito-idp", "admin-create-user", "--user-pool-id", poolId, "--username", "jane")).EnsureSuccess();
        (await _server.TrustingAwsAsync("cognito-idp", "admin-set-user-password", "--user-pool-id", poolId, "--username", "jane",
            "--password", password, "--permanent")).EnsureSuccess();

        var signIn = (await _server.TrustingAwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", poolId, "--client-id", clientId,
            "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME=jane,PASSWORD={password}")).EnsureSuccess().Json;
        var issuer = $"https://127.0.0.1:{_server.Port}/{poolId}";
        using var http = _server.TrustingClient();
        var discovery = JsonNode.Parse(await http.GetStringAsync(new Uri($"{issuer}/.well-known/openid-configuration")))!;
        var verified = await ProcessRunner.NodeAsync("identity/verify-tokens.mjs",
            new Dictionary<string, string> { ["NODE_EXTRA_CA_CERTS"] = _server.CertificateFile },
            issuer, discovery.Str("jwks_uri"), signIn.Str("AuthenticationResult.IdToken"));

        Assert.Equal(issuer, discovery.Str("issuer"));
        Assert.StartsWith("https://", discovery.Str("jwks_uri"), StringComparison.Ordinal);
        Assert.Equal(issuer, verified.EnsureSuccess().Json[0]!["payload"]!.Str("iss"));
    }

    [Fact]
    public async Task HttpApi_EndpointIsHttps_AndAnswersOverTls()
    {
        var api = (await _server.TrustingAwsAsync("apigatewayv2", "create-api", "--name", "tls", "--protocol-type", "HTTP")).EnsureSuccess().Json;
        var endpoint = new Uri(api.Str("ApiEndpoint"));

        Assert.Equal("https", endpoint.Scheme);
        Assert.Equal(_server.Port, endpoint.Port);
        using var http = _server.TrustingClient();
        // No route: the data plane's own 404 body, over HTTPS, by Host (a *.localhost name).
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://127.0.0.1:{_server.Port}/hello"));
        request.Headers.Host = endpoint.Authority;
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Not Found", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_KeepsTheCertificateClientsTrust()
    {
        var before = await File.ReadAllTextAsync(_server.CertificateFile);

        _server.Start();
        var listed = await _server.TrustingAwsAsync("lambda", "list-functions");

        Assert.Equal(before, await File.ReadAllTextAsync(_server.CertificateFile));
        listed.EnsureSuccess();
        Assert.Contains("Gatehouse serves HTTPS with a self-signed certificate", _server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OwnCertificate_FromOpenssl_IsServed_AndAMismatchedKeyStopsTheStart()
    {
        var folder = Directory.CreateTempSubdirectory("gatehouse-owncert-").FullName;
        string Openssl(params string[] arguments)
        {
            var info = new System.Diagnostics.ProcessStartInfo("openssl") { WorkingDirectory = folder };
            foreach (var argument in arguments)
                info.ArgumentList.Add(argument);
            return ProcessRunner.RunAsync(info, TimeSpan.FromSeconds(60)).GetAwaiter().GetResult().EnsureSuccess().StandardOutput;
        }
        Openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        Openssl("genrsa", "-out", "other-key.pem", "2048");

        await using (var server = new OwnCertificateServer("--in-memory", "--tls-certificate", Path.Combine(folder, "cert.pem"), "--tls-key", Path.Combine(folder, "key.pem")))
        {
            var listed = await server.AwsAsync("--ca-bundle", Path.Combine(folder, "cert.pem"), "ssm", "describe-parameters");

            Assert.Equal("https", server.Endpoint.Scheme);
            listed.EnsureSuccess();
        }
        var refused = Assert.ThrowsAny<Exception>(() =>
            new OwnCertificateServer("--in-memory", "--tls-certificate", Path.Combine(folder, "cert.pem"), "--tls-key", Path.Combine(folder, "other-key.pem")));
        Assert.Contains("cannot be used", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Message, StringComparison.Ordinal);
    }

    private sealed class OwnCertificateServer(params string[] arguments) : GatehouseProcess(arguments);
}
