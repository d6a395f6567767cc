using System.Text;
using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Protocol.Tests;

public sealed class RestJsonProtocolTests
{
    private readonly ProtocolHarness _harness;

    public RestJsonProtocolTests()
    {
        var lambda = new AwsServiceDefinition(Lambda.ModelName)
        {
            ValidationErrorCode = "ValidationException",
            SerializationErrorCode = "InvalidRequestContentException",
            ErrorBodyHasType = true,
            TooLargeErrorCode = "RequestTooLargeException",
            MaxRequestBytes = 6 * 1024 * 1024,
        };
        lambda.Map(Lambda.Operations.GetFunctionConfiguration, (request, _) =>
        {
            _harness!.LastRequest = request;
            var name = request.Input.Req("FunctionName");
            if (name == "missing")
                throw new AwsException("ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing");
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["FunctionName"] = name, ["MemorySize"] = 128 });
        });
        lambda.Map(Lambda.Operations.Invoke, (request, _) =>
        {
            _harness!.LastRequest = request;
            return ValueTask.FromResult(new AwsResponse(new JsonObject
            {
                ["StatusCode"] = 200,
                ["FunctionError"] = "Unhandled",
                ["ExecutedVersion"] = "$LATEST",
            })
            { Payload = request.Payload.ToArray().Reverse().ToArray() });
        });
        lambda.Map(Lambda.Operations.CreateFunction, (request, _) =>
        {
            _harness!.LastRequest = request;
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["FunctionName"] = request.Input.Req("FunctionName") });
        });
        var gateway = new AwsServiceDefinition(ApiGatewayV2.ModelName) { ValidationErrorCode = "BadRequestException", SerializationErrorCode = "BadRequestException" };
        gateway.Map(ApiGatewayV2.Operations.CreateApi, (request, _) =>
        {
            _harness!.LastRequest = request;
            return ValueTask.FromResult<AwsResponse>(new JsonObject
            {
                ["ApiId"] = "a1b2c3d4e5",
                ["Name"] = request.Input.Req("Name"),
                ["ProtocolType"] = request.Input.Req("ProtocolType"),
                ["CreatedDate"] = JsonValue.Create(new DateTimeOffset(2024, 11, 26, 3, 23, 0, TimeSpan.Zero)),
                ["RouteSelectionExpression"] = "$request.method $request.path",
            });
        });
        gateway.Map(ApiGatewayV2.Operations.GetStage, (request, _) =>
        {
            _harness!.LastRequest = request;
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["StageName"] = request.Input.Req("StageName") });
        });
        gateway.Map(ApiGatewayV2.Operations.DeleteApi, (request, _) => ValueTask.FromResult(AwsResponse.Empty));
        _harness = new ProtocolHarness(lambda, gateway);
    }

    [Fact]
    public async Task UriLabel_PercentEncodedArn_ArrivesDecoded()
    {
        var reply = await _harness.SendAsync("GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ahello/configuration", null);

        Assert.Equal(200, reply.Status);
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:hello", _harness.LastRequest!.Input.Str("FunctionName"));
        Assert.Equal("hello", reply.Json["FunctionName"]!.GetValue<string>().Split(':')[^1]);
    }

    [Fact]
    public async Task QueryMember_ReadIntoInput()
    {
        await _harness.SendAsync("GET", "/2015-03-31/functions/hello/configuration?Qualifier=%24LATEST", null);

        Assert.Equal("$LATEST", _harness.LastRequest!.Input.Str("Qualifier"));
    }

    [Fact]
    public async Task Invoke_RawPayloadInAndOut_HeadersFromOutputMembers()
    {
        var reply = await _harness.SendBytesAsync("POST", "/2015-03-31/functions/hello/invocations", Encoding.UTF8.GetBytes("{\"a\":1}"),
            ("X-Amz-Invocation-Type", "RequestResponse"), ("X-Amz-Log-Type", "Tail"));

        Assert.Equal(200, reply.Status);
        Assert.Equal("}1:\"a\"{", reply.Text);
        Assert.Equal("Unhandled", reply.Header("X-Amz-Function-Error"));
        Assert.Equal("$LATEST", reply.Header("X-Amz-Executed-Version"));
        Assert.Equal("RequestResponse", _harness.LastRequest!.Input.Str("InvocationType"));
        Assert.Equal("Tail", _harness.LastRequest.Input.Str("LogType"));
    }

    [Fact]
    public async Task Invoke_PayloadNotJson_StillPassedThrough()
    {
        var reply = await _harness.SendBytesAsync("POST", "/2015-03-31/functions/hello/invocations", [0xff, 0x00, 0x01]);

        Assert.Equal(200, reply.Status);
        Assert.Equal(new byte[] { 0x01, 0x00, 0xff }, reply.Body);
    }

    [Fact]
    public async Task Invoke_OverSixMegabytes_RequestTooLargeException()
    {
        var reply = await _harness.SendBytesAsync("POST", "/2015-03-31/functions/hello/invocations", new byte[6 * 1024 * 1024 + 10]);

        Assert.Equal(413, reply.Status);
        Assert.Equal("RequestTooLargeException", reply.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task LambdaError_TypeUserAndCapitalMessageAsModelSays()
    {
        var reply = await _harness.SendAsync("GET", "/2015-03-31/functions/missing/configuration", null);

        Assert.Equal(404, reply.Status);
        Assert.Equal("ResourceNotFoundException", reply.Header("x-amzn-ErrorType"));
        Assert.Equal("application/json", reply.Header("Content-Type"));
        Assert.Equal("User", reply.Json["Type"]!.GetValue<string>());
        Assert.StartsWith("Function not found:", reply.Json["Message"]!.GetValue<string>());
    }

    [Fact]
    public async Task EnumViolation_ValidationExceptionWithEnumSet()
    {
        var body = """{"FunctionName":"f","Runtime":"python9.9","Role":"arn:aws:iam::000000000000:role/r","Code":{"ZipFile":"UEs="}}""";
        var reply = await _harness.SendAsync("POST", "/2015-03-31/functions", body, ("Content-Type", "application/json"));

        Assert.Equal(400, reply.Status);
        Assert.Equal("ValidationException", reply.Header("x-amzn-ErrorType"));
        Assert.Contains("Value 'python9.9' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [", reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task NestedBodyMember_ReadByMemberName()
    {
        var body = """{"FunctionName":"f","Runtime":"python3.13","Role":"arn:aws:iam::000000000000:role/r","Handler":"a.b","Code":{"ZipFile":"UEs="}}""";
        var reply = await _harness.SendAsync("POST", "/2015-03-31/functions", body, ("Content-Type", "application/json"));

        Assert.Equal(201, reply.Status);
        Assert.Equal("UEs=", _harness.LastRequest!.Input.Obj("Code")!.Str("ZipFile"));
    }

    [Fact]
    public async Task MalformedBody_InvalidRequestContentException()
    {
        var reply = await _harness.SendAsync("POST", "/2015-03-31/functions", "{oops", ("Content-Type", "application/json"));

        Assert.Equal(400, reply.Status);
        Assert.Equal("InvalidRequestContentException", reply.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task ApiGateway_CamelCaseWireNames_MappedBothWays_IsoTimestamps_201()
    {
        var reply = await _harness.SendAsync("POST", "/v2/apis", """{"name":"seed","protocolType":"HTTP"}""", ("Content-Type", "application/json"));

        Assert.Equal(201, reply.Status);
        Assert.Equal("seed", _harness.LastRequest!.Input.Str("Name"));
        Assert.Equal("a1b2c3d4e5", reply.Json["apiId"]!.GetValue<string>());
        Assert.Equal("2024-11-26T03:23:00Z", reply.Json["createdDate"]!.GetValue<string>());
        Assert.Null(reply.Json["ApiId"]);
    }

    [Fact]
    public async Task ApiGateway_DefaultStageEncoded_LabelDecoded()
    {
        var reply = await _harness.SendAsync("GET", "/v2/apis/a1b2c3d4e5/stages/%24default", null);

        Assert.Equal(200, reply.Status);
        Assert.Equal("$default", _harness.LastRequest!.Input.Str("StageName"));
        Assert.Equal("a1b2c3d4e5", _harness.LastRequest.Input.Str("ApiId"));
    }

    [Fact]
    public async Task ApiGateway_Delete_204WithoutBody()
    {
        var reply = await _harness.SendAsync("DELETE", "/v2/apis/a1b2c3d4e5", null);

        Assert.Equal(204, reply.Status);
        Assert.Empty(reply.Body);
    }

    [Fact]
    public async Task ApiGateway_MissingRequiredMember_BadRequestException()
    {
        var reply = await _harness.SendAsync("POST", "/v2/apis", """{"name":"seed"}""", ("Content-Type", "application/json"));

        Assert.Equal(400, reply.Status);
        Assert.Equal("BadRequestException", reply.Header("x-amzn-ErrorType"));
        Assert.Contains("'protocolType'", reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownPathUnderServicePrefix_404UnknownOperation()
    {
        var reply = await _harness.SendAsync("GET", "/2015-03-31/nothing/here", null);

        Assert.Equal(404, reply.Status);
        Assert.Equal("UnknownOperationException", reply.Header("x-amzn-ErrorType"));
    }

    [Fact]
    public async Task SignedForApigateway_RoutedToApiGatewayV2()
    {
        var reply = await _harness.SendAsync("DELETE", "/v2/apis/a1b2c3d4e5", null,
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20241126/us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + new string('0', 64)));

        Assert.Equal(204, reply.Status);
    }

    [Fact]
    public async Task SignedForUnknownService_Refused()
    {
        var reply = await _harness.SendAsync("GET", "/v2/apis", null,
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20241126/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + new string('0', 64)));

        Assert.Equal(400, reply.Status);
        Assert.Equal("UnrecognizedClientException", reply.Header("x-amzn-ErrorType"));
    }
}
