using System.Text.Json.Nodes;
using Gatehouse.Testing;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>
/// Runs only when tests/clients-ric is installed (<c>cd tests/clients-ric &amp;&amp; npm ci</c>): its
/// native addon takes minutes to build, so it is not part of every checkout's setup.
/// </summary>
public sealed class RicFactAttribute : FactAttribute
{
    public RicFactAttribute()
    {
        if (!File.Exists(AwsLambdaRicTests.RicEntryPoint))
            Skip = "aws-lambda-ric is not installed: run npm ci in tests/clients-ric";
    }
}

/// <summary>Compatibility with a runtime client nobody here wrote: AWS's aws-lambda-ric 3.3.0 as a provided bootstrap.</summary>
public sealed class AwsLambdaRicTests : IClassFixture<GatehouseProcess>
{
    public static readonly string RicHome = Path.Combine(Repository.Root, "tests", "clients-ric");
    public static readonly string RicEntryPoint = Path.Combine(RicHome, "node_modules", "aws-lambda-ric", "bin", "index.mjs");

    private const string Bootstrap = """
        #!/bin/sh
        exec node "$RIC_HOME/node_modules/aws-lambda-ric/bin/index.mjs" "$_HANDLER"
        """;

    private readonly GatehouseProcess _server;

    public AwsLambdaRicTests(GatehouseProcess server) => _server = server;

    [RicFact]
    public async Task Invoke_AwsLambdaRicBootstrap_ResultAndErrorComeBackThroughInvoke()
    {
        var name = UniqueName("ric");
        await CreateAsync(_server, name, "provided.al2023", "index.handler", Zip(
            ("bootstrap", Bootstrap, true),
            ("index.js", """
                exports.handler = async (event, context) => {
                  if (event.fail) throw new RangeError('ric says no');
                  return { ric: true, got: event, id: context.awsRequestId, fn: context.functionName };
                };
                """, false)), "--environment", $"Variables={{RIC_HOME={RicHome}}}");

        var (ok, okPayload) = await InvokeAsync(_server, name, """{"a": 1}""");
        var (failed, failedPayload) = await InvokeAsync(_server, name, """{"fail": true}""");

        ok.EnsureSuccess();
        var body = JsonNode.Parse(okPayload)!;
        Assert.True((bool)body["ric"]!);
        Assert.Equal(1, (int)body["got"]!["a"]!);
        Assert.Equal(name, body.Str("fn"));
        Assert.Matches("^[0-9a-f-]{36}$", body.Str("id"));
        Assert.Equal("Unhandled", failed.Json.Str("FunctionError"));
        Assert.Equal("RangeError", JsonNode.Parse(failedPayload)!.Str("errorType"));
        Assert.Equal("ric says no", JsonNode.Parse(failedPayload)!.Str("errorMessage"));
    }
}
