using System.Text.Json.Nodes;
using Gatehouse.Stacks.Templates;
using Gatehouse.Stacks.Transforms.Serverless;
using Gatehouse.Testing;

namespace Gatehouse.Stacks.Tests.Transforms;

/// <summary>
/// The SAM transform against the AWS SAM translator's own output for the same templates
/// (fixtures/*.expected.json, made by make-fixtures.py): the same logical ids, types, resource
/// attributes and properties — whole documents compared, member order aside.
/// </summary>
public sealed class ServerlessTransformTests
{
    private static readonly TransformContext Context = new("sam-stack", "us-east-1", "000000000000",
        new Dictionary<string, string> { ["CodeBucket"] = "code-bucket", ["CodeKey"] = "hello.zip" });

    private static string Fixture(string name) => Path.Combine(Repository.Root, "tests", "Gatehouse.Stacks.Tests", "Transforms", "fixtures", name);

    private static JsonObject Apply(JsonObject template) => new ServerlessTransform().Apply(template, Context);

    [Theory]
    [InlineData("seed-stack")]
    [InlineData("globals-inline-policies")]
    [InlineData("explicit-api-alias")]
    public void Apply_MatchesTheSamTranslator(string name)
    {
        var template = JsonNode.Parse(File.ReadAllText(Fixture(name + ".template.json")))!.AsObject();
        var expected = JsonNode.Parse(File.ReadAllText(Fixture(name + ".expected.json")))!.AsObject();

        var actual = Apply(template);

        Assert.Null(actual["Transform"]);
        var expectedResources = expected["Resources"]!.AsObject();
        var actualResources = actual["Resources"]!.AsObject();
        Assert.Equal(expectedResources.Select(r => r.Key).Order(StringComparer.Ordinal), actualResources.Select(r => r.Key).Order(StringComparer.Ordinal));
        foreach (var (logicalId, resource) in expectedResources)
        {
            var mine = actualResources[logicalId]!;
            Assert.True(JsonNode.DeepEquals(resource, mine),
                $"{logicalId} differs.\nSAM:      {resource!.ToJsonString()}\nGatehouse: {mine.ToJsonString()}");
        }
        Assert.True(JsonNode.DeepEquals(expected["Outputs"], actual["Outputs"]));
    }

    [Fact]
    public void Apply_LeavesTheInputUntouched()
    {
        var template = JsonNode.Parse(File.ReadAllText(Fixture("seed-stack.template.json")))!.AsObject();
        var before = template.ToJsonString();

        Apply(template);

        Assert.Equal(before, template.ToJsonString());
    }

    [Theory]
    [InlineData("""{"Type":"AWS::Serverless::Function","Properties":{"CodeUri":"./src","Handler":"a.b","Runtime":"python3.13"}}""", "is a local path")]
    [InlineData("""{"Type":"AWS::Serverless::Function","Properties":{"InlineCode":"x","Handler":"a.b","Runtime":"python3.13","Events":{"Q":{"Type":"SQS","Properties":{}}}}}""", "event type 'SQS' is not supported")]
    [InlineData("""{"Type":"AWS::Serverless::Function","Properties":{"InlineCode":"x","Handler":"a.b","Runtime":"python3.13","Policies":[{"KinesisCrudPolicy":{"StreamName":"s"}}]}}""", "policy template 'KinesisCrudPolicy' is not supported")]
    [InlineData("""{"Type":"AWS::Serverless::Function","Properties":{"InlineCode":"x","Handler":"a.b","Runtime":"python3.13","Bogus":1}}""", "'Bogus' is not a property")]
    [InlineData("""{"Type":"AWS::Serverless::Api","Properties":{"StageName":"prod"}}""", "AWS::Serverless::Api is not supported")]
    [InlineData("""{"Type":"AWS::Serverless::Function","Properties":{"InlineCode":"x","Handler":"a.b","Runtime":"python3.13","Events":{"E":{"Type":"HttpApi","Properties":{"ApiId":{"Ref":"Nope"},"Path":"/a","Method":"get"}}}}}""", "must be a Ref to an AWS::Serverless::HttpApi")]
    public void Apply_WhatGatehouseCannotMake_RefusedByName(string resource, string message)
    {
        var template = new JsonObject
        {
            ["Transform"] = ServerlessTransform.TransformName,
            ["Resources"] = new JsonObject { ["It"] = JsonNode.Parse(resource) },
        };

        var error = Assert.Throws<TemplateException>(() => Apply(template));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Resource It", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_UnsetAuthorizer_IsAnError_AndNoneOverridesTheDefault()
    {
        var api = JsonNode.Parse("""
            {"Type":"AWS::Serverless::HttpApi","Properties":{"Auth":{"DefaultAuthorizer":"Jwt","Authorizers":{"Jwt":{"JwtConfiguration":{"issuer":"https://issuer.example","audience":["a"]}}}}}}
            """)!;
        JsonObject Template(string authorizer) => new()
        {
            ["Resources"] = new JsonObject
            {
                ["Api"] = api.DeepClone(),
                ["Fn"] = JsonNode.Parse("""
                    {"Type":"AWS::Serverless::Function","Properties":{"InlineCode":"x","Handler":"index.h","Runtime":"python3.13",
                     "Events":{"Open":{"Type":"HttpApi","Properties":{"ApiId":{"Ref":"Api"},"Path":"/open","Method":"get","Auth":{"Authorizer":"AUTHORIZER"}}}}}}
                    """.Replace("AUTHORIZER", authorizer, StringComparison.Ordinal)),
            },
        };

        var open = Apply(Template("NONE"));
        var error = Assert.Throws<TemplateException>(() => Apply(Template("Missing")));

        var operation = open["Resources"]!["Api"]!["Properties"]!["Body"]!["paths"]!["/open"]!["get"]!;
        Assert.Null(operation["security"]);
        Assert.NotNull(open["Resources"]!["Api"]!["Properties"]!["Body"]!["components"]!["securitySchemes"]!["Jwt"]);
        Assert.Contains("names the authorizer 'Missing'", error.Message, StringComparison.Ordinal);
    }
}
