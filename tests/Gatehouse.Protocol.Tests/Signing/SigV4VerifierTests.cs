using System.Text;
using Gatehouse.Core;
using Gatehouse.Core.Security;
using Gatehouse.Protocol.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Protocol.Tests;

/// <summary>
/// The strict verifier against AWS's published SigV4 test suite (aws-sig-v4-test-suite: key
/// AKIDEXAMPLE, 2015-08-30 12:36:00, us-east-1, service "service") and the refusals AWS answers.
/// </summary>
public sealed class SigV4VerifierTests : IDisposable
{
    private const string KeyId = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Scope = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
    private static readonly DateTimeOffset SignedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("gatehouse-keys-").FullName;
    private readonly ManualTime _time = new(SignedAt);
    private readonly SigV4Verifier _verifier;

    public SigV4VerifierTests()
    {
        var path = Path.Combine(_directory, "credentials");
        File.WriteAllText(path, $"[test]\naws_access_key_id = {KeyId}\naws_secret_access_key = {Secret}\n");
        _verifier = new SigV4Verifier(AccessKeys.Load(path), _time);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("GET", "/", "", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")] // get-vanilla
    [InlineData("GET", "/", "Param2=value2&Param1=value1", "", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")] // get-vanilla-query-order-key-case
    [InlineData("POST", "/", "", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")] // post-vanilla
    [InlineData("GET", "/ሴ", "", "", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85")] // get-utf8
    public async Task VerifyAsync_AwsTestSuiteVector_Accepted(string method, string path, string query, string body, string signature)
    {
        var http = Request(method, path, query, signature);

        await _verifier.VerifyAsync(http, Parse(http), Encoding.UTF8.GetBytes(body));
    }

    [Fact]
    public async Task VerifyAsync_OneCharacterOfTheSignatureChanged_InvalidSignature()
    {
        var http = Request("GET", "/", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf30");

        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(http, Parse(http), ReadOnlyMemory<byte>.Empty));

        Assert.Equal("InvalidSignatureException", error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.StartsWith("The request signature we calculated does not match the signature you provided.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_UnsignedHeaderChanged_StillAccepted()
    {
        var http = Request("GET", "/", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        http.Request.Headers["User-Agent"] = "anything";

        await _verifier.VerifyAsync(http, Parse(http), ReadOnlyMemory<byte>.Empty);
    }

    [Fact]
    public async Task VerifyAsync_UnknownAccessKey_UnrecognizedClient()
    {
        var http = Request("GET", "/", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        http.Request.Headers.Authorization = http.Request.Headers.Authorization.ToString().Replace(KeyId, "AKIDOTHER", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(http, Parse(http), ReadOnlyMemory<byte>.Empty));

        Assert.Equal(("UnrecognizedClientException", 400, "The security token included in the request is invalid."), (error.Code, error.StatusCode, error.Message));
    }

    [Fact]
    public async Task VerifyAsync_SixteenMinutesLater_SignatureExpired()
    {
        _time.Advance(TimeSpan.FromMinutes(16));
        var http = Request("GET", "/", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(http, Parse(http), ReadOnlyMemory<byte>.Empty));

        Assert.Equal("InvalidSignatureException", error.Code);
        Assert.Equal("Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)", error.Message);
    }

    [Fact]
    public async Task VerifyAsync_FourteenMinutesLater_Accepted()
    {
        _time.Advance(TimeSpan.FromMinutes(14));
        var http = Request("GET", "/", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");

        await _verifier.VerifyAsync(http, Parse(http), ReadOnlyMemory<byte>.Empty);
    }

    [Fact]
    public async Task VerifyAsync_PresignedWithinExpiry_AcceptedAndExpiredRefused()
    {
        // A presigned URL made with this repository's canonical functions, UNSIGNED-PAYLOAD as botocore signs it.
        var query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + Uri.EscapeDataString(Scope)
            + "&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host";
        var canonical = SigV4Signer.CanonicalRequest("GET", "/", SigV4Signer.CanonicalQuery(query), [("host", "example.amazonaws.com")], "host", SigV4Signer.UnsignedPayload);
        var signature = SigV4Signer.Signature(SigV4Signer.SigningKey(Secret, "20150830", "us-east-1", "service"),
            SigV4Signer.StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical));
        var http = Bare("GET", "/", query + "&X-Amz-Signature=" + signature);
        _time.Advance(TimeSpan.FromSeconds(59));

        await _verifier.VerifyAsync(http, SigV4Authorization.ParseQuery(http.Request.Query)!, ReadOnlyMemory<byte>.Empty);

        _time.Advance(TimeSpan.FromSeconds(2));
        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(http, SigV4Authorization.ParseQuery(http.Request.Query)!, ReadOnlyMemory<byte>.Empty));
        Assert.Equal("InvalidSignatureException", error.Code);
        Assert.StartsWith("Signature expired: 20150830T123700Z is now earlier than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ContentShaHeaderNotTheBody_Refused()
    {
        var http = Request("POST", "/", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
        http.Request.Headers["X-Amz-Content-Sha256"] = new string('0', 64);

        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(http, Parse(http), ReadOnlyMemory<byte>.Empty));

        Assert.Equal("InvalidSignatureException", error.Code);
    }

    [Fact]
    public async Task VerifyAsync_StreamingHashOnABodyReadWhole_Refused()
    {
        // aws-chunked is for streamed uploads only: on a body the server reads whole, a STREAMING-*
        // hash would leave the body unsigned.
        var http = Request("POST", "/", "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
        http.Request.Headers["X-Amz-Content-Sha256"] = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

        var error = await Assert.ThrowsAsync<AwsException>(async () => await _verifier.VerifyAsync(http, Parse(http), "{\"FunctionName\":\"f\"}"u8.ToArray()));

        Assert.Equal("InvalidSignatureException", error.Code);
        Assert.Equal("The provided 'x-amz-content-sha256' header does not match what was computed.", error.Message);
    }

    [Fact]
    public void Sign_ThenVerify_RoundTrips()
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/invocations?Qualifier=%24LATEST")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        SigV4Signer.Sign(message, "{}"u8, KeyId, Secret, "us-east-1", "lambda", SignedAt);
        var http = Bare("POST", message.RequestUri!.AbsolutePath, message.RequestUri.Query.TrimStart('?'));
        http.Request.Host = new HostString("127.0.0.1:4566");
        foreach (var (name, values) in message.Headers)
            http.Request.Headers[name] = values.ToArray();
        http.Request.Headers.ContentType = message.Content.Headers.ContentType!.ToString();

        Assert.True(_verifier.VerifyAsync(http, Parse(http), "{}"u8.ToArray()).IsCompletedSuccessfully);
    }

    private static SigV4Authorization Parse(HttpContext http) => SigV4Authorization.Parse(http.Request.Headers.Authorization)!;

    private static DefaultHttpContext Request(string method, string path, string query, string signature)
    {
        var http = Bare(method, path, query);
        http.Request.Headers["X-Amz-Date"] = "20150830T123600Z";
        http.Request.Headers.Authorization = $"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders=host;x-amz-date, Signature={signature}";
        return http;
    }

    private static DefaultHttpContext Bare(string method, string path, string query)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Host = new HostString("example.amazonaws.com");
        http.Request.Path = path;
        http.Request.QueryString = query.Length > 0 ? new QueryString("?" + query) : QueryString.Empty;
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = path + (query.Length > 0 ? "?" + query : "");
        return http;
    }
}
