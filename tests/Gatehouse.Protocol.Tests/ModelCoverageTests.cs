using System.Text.RegularExpressions;

namespace Gatehouse.Protocol.Tests;

/// <summary>Every operation of every model is reachable on the wire and answers in AWS's shape.</summary>
public sealed partial class ModelCoverageTests
{
    public static TheoryData<string> Models => new(AwsProtocolDispatcher.ModelNames);

    [Theory]
    [MemberData(nameof(Models))]
    public async Task EveryOperation_Routed_AnswersAwsShapedError(string modelName)
    {
        var harness = new ProtocolHarness();
        var model = harness.Dispatcher.Model(modelName);
        Assert.NotEmpty(model.Operations);
        foreach (var operation in model.Operations.Values)
        {
            Reply reply;
            if (model.Protocol == Model.WireProtocol.AwsJson11)
            {
                reply = await harness.SendAsync("POST", "/", "{}", ("X-Amz-Target", model.TargetPrefix + "." + operation.Name));
            }
            else
            {
                // Fill every label with a plain value; literal query parts stay as the model writes them.
                var uri = Label().Replace(operation.RequestUri, "x1");
                reply = await harness.SendAsync(operation.HttpMethod, uri, "{}");
            }
            Assert.True(reply.Status is 400 or 501, $"{modelName} {operation.Name}: {reply.Status} {reply.Text}");
            Assert.False(string.IsNullOrEmpty(reply.Header("x-amzn-ErrorType")), $"{operation.Name} has no error type");
            if (reply.Status == 501)
                Assert.Contains(operation.Name, reply.Text, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Label();
}

public sealed class ModelPatternTests
{
    [Theory]
    [MemberData(nameof(ModelCoverageTests.Models), MemberType = typeof(ModelCoverageTests))]
    public void EveryPattern_CompilesForDotNet(string modelName)
    {
        var harness = new ProtocolHarness();
        var shapes = harness.Dispatcher.Model(modelName).Shapes.Values.Where(s => s.Pattern is not null).ToList();
        var broken = shapes.Where(s => s.PatternRegex is null).Select(s => $"{s.Name}: {s.Pattern}").ToList();

        Assert.True(broken.Count == 0, string.Join('\n', broken));
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("provided-b7dd5e66")]
    [InlineData("arn:aws:lambda:us-east-1:000000000000:function:seed_hello")]
    [InlineData("arn:aws:lambda:us-east-1:000000000000:function:seed-hello:$LATEST")]
    public void LambdaFunctionName_ValidNames_MatchPattern(string name)
    {
        var shape = new ProtocolHarness().Dispatcher.Model("lambda").Shapes["FunctionName"];
        Assert.Matches(shape.PatternRegex!, name);
    }

    [Theory]
    [InlineData("my function")]
    [InlineData("hello/world")]
    [InlineData("hello\n")]
    public void LambdaFunctionName_InvalidNames_WholeValueMustMatch(string name)
    {
        var shape = new ProtocolHarness().Dispatcher.Model("lambda").Shapes["FunctionName"];
        Assert.DoesNotMatch(shape.PatternRegex!, name.Replace("\\n", "\n", StringComparison.Ordinal));
    }
}
