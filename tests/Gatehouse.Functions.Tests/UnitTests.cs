using System.Text;
using Gatehouse.Functions.Logs;
using Gatehouse.Functions.Model;
using Gatehouse.Functions.RuntimeApi;

namespace Gatehouse.Functions.Tests;

public sealed class FunctionNameTests
{
    [Theory]
    [InlineData("hello", "hello", null, null, null)]
    [InlineData("hello:live", "hello", "live", null, null)]
    [InlineData("123456789012:function:hello", "hello", null, "123456789012", null)]
    [InlineData("123456789012:function:hello:7", "hello", "7", "123456789012", null)]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:hello", "hello", null, "123456789012", "eu-west-1")]
    [InlineData("arn:aws:lambda:eu-west-1:123456789012:function:hello:$LATEST", "hello", "$LATEST", "123456789012", "eu-west-1")]
    [InlineData("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:hello:live/invocations", "hello", "live", "123456789012", "eu-west-1")]
    public void TryParse_AcceptedForms_YieldNameQualifierAccountRegion(string text, string name, string? qualifier, string? account, string? region)
    {
        Assert.True(FunctionName.TryParse(text, out var parsed));
        Assert.Equal(new FunctionName(name, qualifier, account, region), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:b:c:d:e")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData(":x")]
    [InlineData("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/hello/invocations")]
    public void TryParse_Malformed_Fails(string text) => Assert.False(FunctionName.TryParse(text, out _));
}

public sealed class LogFilterTests
{
    [Theory]
    [InlineData(null, "anything", true)]
    [InlineData("ERROR", "[ERROR] boom", true)]
    [InlineData("ERROR", "all fine", false)]
    [InlineData("ERROR timeout", "ERROR: timeout reached", true)]
    [InlineData("ERROR timeout", "ERROR: disk", false)]
    [InlineData("\"Task timed out\"", "x Task timed out after 3.00 seconds", true)]
    [InlineData("?START ?END", "END RequestId: 1", true)]
    [InlineData("?START ?END", "REPORT RequestId: 1", false)]
    [InlineData("RequestId -REPORT", "REPORT RequestId: 1", false)]
    public void Matches_PlainPatterns_FollowCloudWatchTermRules(string? pattern, string message, bool expected) =>
        Assert.Equal(expected, LogFilter.Parse(pattern).Matches(message));
}

public sealed class RuntimeApiRequestHeadTests
{
    private const string Secret = "s3cr3t-Secret_0123456789abcdefghijklmnopqrstu";

    private static RequestHead Parse(string head)
    {
        var result = new RequestHead();
        Assert.Equal(HeadStatus.Ok, RequestHead.TryParse(Encoding.ASCII.GetBytes(head.Replace(" /2018-06-01/", " /" + Secret + "/2018-06-01/", StringComparison.Ordinal)), Encoding.ASCII.GetBytes(Secret), ref result));
        return result;
    }

    [Fact]
    public void TryParse_Next_IsNextRoute() =>
        Assert.Equal(Route.Next, Parse("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x").Route);

    [Fact]
    public void TryParse_ErrorPost_ReadsIdLengthAndErrorType()
    {
        var head = Parse("POST /2018-06-01/runtime/invocation/abc-123/error HTTP/1.1\r\ncontent-length: 42\r\nLambda-Runtime-Function-Error-Type: Runtime.Oops\r\nExpect: 100-continue");
        Assert.Equal(Route.Error, head.Route);
        Assert.Equal("abc-123", head.RequestId);
        Assert.Equal(42, head.ContentLength);
        Assert.Equal("Runtime.Oops", head.ErrorType);
        Assert.True(head.ExpectContinue);
    }

    [Fact]
    public void TryParse_ChunkedInitError_IsChunkedInitErrorRoute()
    {
        var head = Parse("POST /2018-06-01/runtime/init/error HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close");
        Assert.Equal(Route.InitError, head.Route);
        Assert.True(head.Chunked);
        Assert.True(head.Close);
    }

    [Theory]
    [InlineData("GET /2018-06-01/runtime/invocation/abc/response HTTP/1.1")]
    [InlineData("POST /2018-06-01/runtime/invocation/next HTTP/1.1")]
    [InlineData("GET /" + Secret + "/other HTTP/1.1")]
    public void TryParse_UnknownEndpoint_IsUnknownRoute(string line) =>
        Assert.Equal(Route.Unknown, Parse(line).Route);

    [Theory]
    [InlineData("GET /2018-06-01/runtime/invocation/next HTTP/1.1")]
    [InlineData("GET /S3cr3t-Secret_0123456789abcdefghijklmnopqrstu/2018-06-01/runtime/invocation/next HTTP/1.1")]
    [InlineData("GET /other HTTP/1.1")]
    [InlineData("GET /" + Secret + " HTTP/1.1")]
    [InlineData("GET /" + Secret + "x/2018-06-01/runtime/invocation/next HTTP/1.1")]
    public void TryParse_TargetWithoutTheSecretSegment_IsForbidden(string line)
    {
        var result = new RequestHead();
        Assert.Equal(HeadStatus.Ok, RequestHead.TryParse(Encoding.ASCII.GetBytes(line), Encoding.ASCII.GetBytes(Secret), ref result));
        Assert.Equal(Route.Forbidden, result.Route);
    }
}
