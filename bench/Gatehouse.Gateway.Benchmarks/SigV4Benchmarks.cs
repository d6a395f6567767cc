using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Gatehouse.Core.Security;
using Gatehouse.Protocol.Signing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gatehouse.Gateway.Benchmarks;

/// <summary>
/// The strict mode's per-request cost (<c>--auth sigv4</c>): verifying the SigV4 signature of a
/// signed Cognito call with a 200-byte body, the derived signing key cached. Goal: at most 5 µs.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class SigV4Benchmarks : IDisposable
{
    private string _directory = null!;
    private SigV4Verifier _verifier = null!;
    private DefaultHttpContext _http = null!;
    private SigV4Authorization _authorization = null!;
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("gatehouse-bench-").FullName;
        var path = Path.Combine(_directory, "credentials");
        File.WriteAllText(path, "[default]\naws_access_key_id = AKIABENCHMARK0000000\naws_secret_access_key = bench-secret\n");
        _verifier = new SigV4Verifier(AccessKeys.Load(path), TimeProvider.System);
        _body = Encoding.UTF8.GetBytes("{\"UserPoolId\":\"us-east-1_AbCdEf123\",\"Username\":\"ada\",\"UserAttributes\":[{\"Name\":\"email\",\"Value\":\"ada@example.com\"}]," + new string(' ', 80) + "}");

        using var message = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:4566/") { Content = new ByteArrayContent(_body) };
        message.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        message.Headers.Add("X-Amz-Target", "AWSCognitoIdentityProviderService.AdminUpdateUserAttributes");
        SigV4Signer.Sign(message, _body, "AKIABENCHMARK0000000", "bench-secret", "us-east-1", "cognito-idp", DateTimeOffset.UtcNow);
        _http = new DefaultHttpContext();
        _http.Request.Method = "POST";
        _http.Request.Host = new HostString("127.0.0.1:4566");
        _http.Request.Path = "/";
        _http.Features.Get<IHttpRequestFeature>()!.RawTarget = "/";
        foreach (var (name, values) in message.Headers)
            _http.Request.Headers[name] = values.ToArray();
        _http.Request.Headers.ContentType = "application/x-amz-json-1.1";
        _authorization = SigV4Authorization.Parse(_http.Request.Headers.Authorization)!;
    }

    [Benchmark]
    public ValueTask VerifyAsync() => _verifier.VerifyAsync(_http, _authorization, _body);

    [GlobalCleanup]
    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
