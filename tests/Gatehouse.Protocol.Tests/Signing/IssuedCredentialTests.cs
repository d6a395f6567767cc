using System.Text;
using Gatehouse.Core;
using Gatehouse.Core.Security;
using Gatehouse.Protocol.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Protocol.Tests;

/// <summary>
/// The strict verifier with keys Gatehouse issued (IAM users' keys, STS sessions): the session
/// token must come along, and a session stops at its expiration with AWS's ExpiredToken.
/// </summary>
public sealed class IssuedCredentialTests : IDisposable
{
    private const string SessionKey = "ASIAEXAMPLEEXAMPLE00";
    private const string UserKey = "AKIAEXAMPLEEXAMPLE00";
    private const string Secret = "temporary/secret/EXAMPLEKEYEXAMPLEKEY0";
    private const string Token = "session-token-EXAMPLE";
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-keys-").FullName;
    private readonly ManualTime _time = new(Start);
    private readonly FakeDirectory _issued = new();
    private readonly SigV4Verifier _verifier;

    public IssuedCredentialTests()
    {
        var path = Path.Combine(_directory, "credentials");
        File.WriteAllText(path, "[root]\naws_access_key_id = AKIDROOT\naws_secret_access_key = root-secret\n");
        _verifier = new SigV4Verifier(AccessKeys.Load(path), _time, _issued);
        _issued.Keys[SessionKey] = new IssuedCredential(SessionKey, Secret, Token, Start.AddMinutes(5));
        _issued.Keys[UserKey] = new IssuedCredential(UserKey, Secret, null, null);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Session_WithItsToken_Accepted()
    {
        var http = Signed(SessionKey, Token);

        await _verifier.VerifyAsync(http, Parse(http), "Action=GetCallerIdentity&Version=2011-06-15"u8.ToArray());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("another-token")]
    public async Task Session_WrongOrNoToken_Unrecognized(string? token)
    {
        var http = Signed(SessionKey, token);

        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(http, Parse(http), "Action=GetCallerIdentity&Version=2011-06-15"u8.ToArray()));

        Assert.Equal("UnrecognizedClientException", error.Code);
    }

    [Fact]
    public async Task Session_AfterExpiration_ExpiredToken()
    {
        _time.Advance(TimeSpan.FromMinutes(6));
        var http = Signed(SessionKey, Token);

        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(http, Parse(http), "Action=GetCallerIdentity&Version=2011-06-15"u8.ToArray()));

        Assert.Equal("ExpiredTokenException", error.Code);
        Assert.Equal(403, error.StatusCode);
    }

    [Fact]
    public async Task UserKey_Accepted_UntilInactive()
    {
        var http = Signed(UserKey, null);
        await _verifier.VerifyAsync(http, Parse(http), "Action=GetCallerIdentity&Version=2011-06-15"u8.ToArray());

        _issued.Keys[UserKey] = _issued.Keys[UserKey] with { Inactive = true };
        var again = Signed(UserKey, null);
        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(again, Parse(again), "Action=GetCallerIdentity&Version=2011-06-15"u8.ToArray()));

        Assert.Equal("UnrecognizedClientException", error.Code);
    }

    private DefaultHttpContext Signed(string keyId, string? token)
    {
        var body = "Action=GetCallerIdentity&Version=2011-06-15"u8.ToArray();
        using var message = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/") { Content = new ByteArrayContent(body) };
        if (token is not null)
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", token);
        SigV4Signer.Sign(message, body, keyId, Secret, "us-east-1", "sts", _time.GetUtcNow());
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.Host = new HostString("127.0.0.1:4566");
        http.Request.Path = "/";
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = "/";
        foreach (var (name, values) in message.Headers)
            http.Request.Headers[name] = values.ToArray();
        return http;
    }

    private static SigV4Authorization Parse(HttpContext http) => SigV4Authorization.Parse(http.Request.Headers.Authorization)!;

    private sealed class FakeDirectory : ICredentialDirectory
    {
        public Dictionary<string, IssuedCredential> Keys { get; } = new(StringComparer.Ordinal);

        public IssuedCredential? Find(string accessKeyId) => Keys.GetValueOrDefault(accessKeyId);
    }
}
