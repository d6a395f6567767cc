using Gatehouse.Gateway.Tests.Support;

namespace Gatehouse.Gateway.Tests;

/// <summary>
/// Lambda's 6 MB invocation payload quota (6,291,456 bytes) applies to the event the gateway builds,
/// not to the body: a body under the gateway's 10 MB limit whose event is larger is 413 and the
/// function is never invoked; an event under the quota is.
/// </summary>
public sealed class LambdaPayloadLimitTests : IDisposable
{
    private const int Quota = 6_291_456;

    private readonly GatewayHarness _gateway = new();

    public LambdaPayloadLimitTests() =>
        _gateway.Functions.Handler = (_, _) => Task.FromResult(FakeFunctionInvoker.Ok("""{"statusCode":200,"body":"ok"}"""));

    private void Api(string payloadFormatVersion)
    {
        _gateway.Lambda(payloadFormatVersion: payloadFormatVersion);
        _gateway.Route("POST /upload");
        _gateway.Deploy();
    }

    [Theory]
    [InlineData("2.0")]
    [InlineData("1.0")]
    public async Task TextBodyOfSixMegabytes_EventOverQuota_413WithoutInvoking(string payloadFormatVersion)
    {
        Api(payloadFormatVersion);

        // The body alone is exactly the quota; the event around it is more.
        var reply = await _gateway.SendAsync("POST", "/upload", new string('x', Quota), "text/plain");

        Assert.Equal(413, reply.Status);
        Assert.Equal("""{"message":"Request Entity Too Large"}""", reply.Body);
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task BinaryBodyOfFiveMegabytes_Base64EventOverQuota_413WithoutInvoking()
    {
        Api("2.0");

        // 5 MB of bytes that are not text: base64 in the event makes it about 6.7 MB.
        var reply = await _gateway.SendAsync("POST", "/upload", new string('b', 5 * 1024 * 1024), "application/octet-stream");

        Assert.Equal(413, reply.Status);
        Assert.Empty(_gateway.Functions.Calls);
    }

    [Fact]
    public async Task TextBodyOfFiveMegabytes_EventUnderQuota_Invoked()
    {
        Api("2.0");

        var reply = await _gateway.SendAsync("POST", "/upload", new string('t', 5 * 1024 * 1024), "text/plain");

        Assert.Equal(200, reply.Status);
        Assert.Equal("ok", reply.Body);
        var call = Assert.Single(_gateway.Functions.Calls);
        Assert.InRange(call.Payload.Length, 5 * 1024 * 1024, Quota);
    }

    public void Dispose() => _gateway.Dispose();
}
