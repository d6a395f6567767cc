using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Protocol.Tests;

public sealed class AwsJsonProtocolTests
{
    private readonly ProtocolHarness _harness;

    public AwsJsonProtocolTests()
    {
        var cognito = new AwsServiceDefinition(CognitoIdentityProvider.ModelName) { ValidationErrorCode = "InvalidParameterException", InternalErrorCode = "InternalErrorException" };
        cognito.Map(CognitoIdentityProvider.Operations.DescribeUserPool, (request, _) =>
        {
            _harness!.LastRequest = request;
            if (request.Input.Req("UserPoolId") == "us-east-1_missing")
                throw new AwsException("ResourceNotFoundException", "User pool us-east-1_missing does not exist.");
            return ValueTask.FromResult<AwsResponse>(new JsonObject
            {
                ["UserPool"] = new JsonObject
                {
                    ["Id"] = request.Input.Req("UserPoolId"),
                    ["CreationDate"] = JsonValue.Create(DateTimeOffset.FromUnixTimeMilliseconds(1_732_590_000_123)),
                    ["EstimatedNumberOfUsers"] = 3,
                },
            });
        });
        cognito.Map(CognitoIdentityProvider.Operations.AdminGetUser, (_, _) => throw new InvalidOperationException("secret internals"));
        cognito.Map(CognitoIdentityProvider.Operations.InitiateAuth, (request, _) =>
        {
            _harness!.LastRequest = request;
            return ValueTask.FromResult(AwsResponse.Empty);
        });
        _harness = new ProtocolHarness(cognito);
    }

    [Fact]
    public async Task KnownOperation_ValidInput_HandlerAnswersWithAwsJson()
    {
        var reply = await _harness.CognitoAsync("DescribeUserPool", """{"UserPoolId":"us-east-1_abcDEF123"}""");

        Assert.Equal(200, reply.Status);
        Assert.Equal("application/x-amz-json-1.1", reply.Header("Content-Type"));
        Assert.True(Guid.TryParse(reply.Header("x-amzn-RequestId"), out _));
        Assert.Equal("us-east-1_abcDEF123", reply.Json["UserPool"]!["Id"]!.GetValue<string>());
        Assert.Equal(3, reply.Json["UserPool"]!["EstimatedNumberOfUsers"]!.GetValue<int>());
    }

    [Fact]
    public async Task Timestamp_InOutput_IsEpochSecondsWithMilliseconds()
    {
        var reply = await _harness.CognitoAsync("DescribeUserPool", """{"UserPoolId":"us-east-1_abcDEF123"}""");

        Assert.Equal(1_732_590_000.123, reply.Json["UserPool"]!["CreationDate"]!.GetValue<double>());
    }

    [Fact]
    public async Task RequiredMember_Missing_InvalidParameterExceptionInAwsWording()
    {
        var reply = await _harness.CognitoAsync("DescribeUserPool", "{}");

        Assert.Equal(400, reply.Status);
        Assert.Equal("InvalidParameterException", reply.Json["__type"]!.GetValue<string>());
        Assert.Equal("InvalidParameterException", reply.Header("x-amzn-ErrorType"));
        Assert.Equal("1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
            reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pattern_Violated_MessageNamesValueAndPattern()
    {
        var reply = await _harness.CognitoAsync("DescribeUserPool", """{"UserPoolId":"not a pool id!"}""");

        Assert.Equal(400, reply.Status);
        var message = reply.Json["message"]!.GetValue<string>();
        Assert.StartsWith("1 validation error detected: Value 'not a pool id!' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern:", message);
    }

    [Fact]
    public async Task SeveralViolations_AllReportedAndCounted()
    {
        var reply = await _harness.CognitoAsync("InitiateAuth", """{"AuthFlow":"MAGIC","ClientId":""}""");

        var message = reply.Json["message"]!.GetValue<string>();
        Assert.StartsWith("3 validation errors detected: ", message);
        Assert.Contains("Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern:", message);
        Assert.Contains("Value 'MAGIC' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [", message);
        Assert.Contains("at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1", message);
    }

    [Fact]
    public async Task SensitiveValue_Invalid_NotEchoedInMessage()
    {
        var reply = await _harness.CognitoAsync("InitiateAuth", """{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2hunter2"}""");

        Assert.Equal(400, reply.Status);
        Assert.DoesNotContain("hunter2", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Value at 'clientId'", reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task WrongJsonType_SerializationException()
    {
        var reply = await _harness.CognitoAsync("DescribeUserPool", """{"UserPoolId":42}""");

        Assert.Equal(400, reply.Status);
        Assert.Equal("SerializationException", reply.Json["__type"]!.GetValue<string>());
        Assert.Contains("'userPoolId'", reply.Json["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2,3]")]
    [InlineData("\"text\"")]
    [InlineData("{\"UserPoolId\":\"a\"")]
    public async Task MalformedBody_SerializationException(string body)
    {
        var reply = await _harness.CognitoAsync("DescribeUserPool", body);

        Assert.Equal(400, reply.Status);
        Assert.Equal("SerializationException", reply.Json["__type"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownMembers_Ignored()
    {
        var reply = await _harness.CognitoAsync("DescribeUserPool", """{"UserPoolId":"us-east-1_abcDEF123","Extra":{"a":[1]}}""");

        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task UnknownOperation_UnknownOperationException()
    {
        var reply = await _harness.CognitoAsync("MakeCoffee", "{}");

        Assert.Equal(400, reply.Status);
        Assert.Equal("UnknownOperationException", reply.Json["__type"]!.GetValue<string>());
    }

    [Fact]
    public async Task ModelOperationWithoutHandler_501NamingTheOperation()
    {
        var reply = await _harness.CognitoAsync("ListUserPools", """{"MaxResults":10}""");

        Assert.Equal(501, reply.Status);
        Assert.Equal("NotImplementedException", reply.Json["__type"]!.GetValue<string>());
        Assert.Contains("ListUserPools", reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServiceWithoutDefinition_StillAnswersEveryOperationCleanly()
    {
        var reply = await _harness.SendAsync("POST", "/", "{}", ("X-Amz-Target", "Logs_20140328.DescribeLogGroups"));

        Assert.Equal(501, reply.Status);
        Assert.Equal("NotImplementedException", reply.Json["__type"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownTargetPrefix_UnknownOperationException()
    {
        var reply = await _harness.SendAsync("POST", "/", "{}", ("X-Amz-Target", "DynamoDB_20120810.ListTables"));

        Assert.Equal(400, reply.Status);
        Assert.Equal("UnknownOperationException", reply.Json["__type"]!.GetValue<string>());
    }

    [Fact]
    public async Task HandlerThrowsAwsException_ErrorShapeFromModel()
    {
        var reply = await _harness.CognitoAsync("DescribeUserPool", """{"UserPoolId":"us-east-1_missing"}""");

        Assert.Equal(400, reply.Status);
        Assert.Equal("ResourceNotFoundException", reply.Json["__type"]!.GetValue<string>());
        Assert.Equal("User pool us-east-1_missing does not exist.", reply.Json["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task HandlerThrowsUnexpected_500WithServiceErrorNameAndNoInternals()
    {
        var reply = await _harness.CognitoAsync("AdminGetUser", """{"UserPoolId":"us-east-1_abcDEF123","Username":"bob"}""");

        Assert.Equal(500, reply.Status);
        Assert.Equal("InternalErrorException", reply.Json["__type"]!.GetValue<string>());
        Assert.DoesNotContain("secret internals", reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("at Gatehouse", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyOverServiceLimit_413()
    {
        var big = "{\"UserPoolId\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
        var reply = await _harness.CognitoAsync("DescribeUserPool", big);

        Assert.Equal(413, reply.Status);
        Assert.Equal("RequestEntityTooLargeException", reply.Json["__type"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetRequest_ToJsonService_UnknownOperationException()
    {
        var reply = await _harness.SendAsync("GET", "/", null, ("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool"));

        Assert.Equal(400, reply.Status);
        Assert.Equal("UnknownOperationException", reply.Json["__type"]!.GetValue<string>());
    }

    [Fact]
    public async Task SignedRequest_RegionFromCredentialScopeReachesHandler()
    {
        var reply = await _harness.SendAsync("POST", "/", """{"UserPoolId":"eu-west-1_abcDEF123"}""",
            ("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20241126/eu-west-1/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + new string('a', 64)));

        Assert.Equal(200, reply.Status);
        Assert.Equal("eu-west-1", _harness.LastRequest!.Context.Region);
        Assert.Equal("AKIDEXAMPLE", _harness.LastRequest.Context.AccessKeyId);
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20241126/us-east-1/cognito-idp, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20241126/not_a_region/cognito-idp/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task MalformedSignature_IncompleteSignatureException(string authorization)
    {
        var reply = await _harness.SendAsync("POST", "/", """{"UserPoolId":"us-east-1_abcDEF123"}""",
            ("X-Amz-Target", "AWSCognitoIdentityProviderService.DescribeUserPool"), ("Authorization", authorization));

        Assert.Equal(400, reply.Status);
        Assert.Equal("IncompleteSignatureException", reply.Json["__type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(new byte[] { 0x7B, 0x22, 0x50, 0x6F, 0x6F, 0x6C, 0x4E, 0x61, 0x6D, 0x65, 0x22, 0x3A, 0x22, 0x61, 0xFF, 0xFE, 0x22, 0x7D })] // {"PoolName":"a\xFF\xFE"}
    [InlineData(new byte[] { 0x7B, 0x22, 0x50, 0x6F, 0x6F, 0x6C, 0x4E, 0x61, 0x6D, 0x65, 0x22, 0x3A, 0x22, 0x5C, 0x75, 0x64, 0x38, 0x30, 0x30, 0x78, 0x22, 0x7D })] // {"PoolName":"\ud800x"}
    public async Task Body_InvalidUtf8OrLoneSurrogate_SerializationException(byte[] body)
    {
        var harness = new ProtocolHarness(new AwsServiceDefinition("cognito-idp") { ValidationErrorCode = "InvalidParameterException" }
            .Map("CreateUserPool", (_, _) => throw new InvalidOperationException("the handler must not run")));

        var reply = await harness.SendBytesAsync("POST", "/", body,
            ("X-Amz-Target", "AWSCognitoIdentityProviderService.CreateUserPool"), ("Content-Type", "application/x-amz-json-1.1"));

        Assert.Equal(400, reply.Status);
        Assert.Equal("SerializationException", reply.Json["__type"]!.GetValue<string>());
    }
}
