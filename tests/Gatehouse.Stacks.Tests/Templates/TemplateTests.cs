using System.Text.Json.Nodes;
using Gatehouse.Stacks.Templates;

namespace Gatehouse.Stacks.Tests.Templates;

/// <summary>The template reader, intrinsic functions, parameters and dependency waves, without a server.</summary>
public sealed class TemplateTests
{
    private static TemplateScope Scope(Dictionary<string, JsonNode?>? parameters = null, JsonObject? mappings = null) => new()
    {
        Account = "000000000000",
        Region = "us-east-1",
        StackName = "s",
        StackId = "arn:aws:cloudformation:us-east-1:000000000000:stack/s/1",
        Parameters = parameters ?? new(StringComparer.Ordinal) { ["Env"] = "dev" },
        Mappings = mappings ?? [],
        ResourceRef = r => r == "Role" ? "role-physical" : null,
        ResourceAttribute = (r, a) => r == "Role" && a == "Arn" ? "arn:aws:iam::000000000000:role/role-physical" : throw new TemplateException($"Template error: resource {r} has no attribute {a}."),
        IsResource = r => r == "Role",
    };

    private static JsonNode? Resolve(string yaml, TemplateScope? scope = null) =>
        Intrinsics.Resolve(TemplateReader.Parse("V: " + yaml)["V"], scope ?? Scope());

    [Fact]
    public void Reader_YamlShortForms_WrittenInLongForm()
    {
        var t = TemplateReader.Parse("""
            A: !GetAtt Role.Arn
            B: !Sub "${AWS::Region}-x"
            C: !Sub ["${X}-y", {X: !Ref Env}]
            D: !If [IsProd, a, b]
            E: !Ref Env
            """);
        Assert.Equal("""{"Fn::GetAtt":["Role","Arn"]}""", t["A"]!.ToJsonString());
        Assert.Equal("""{"Fn::Sub":"${AWS::Region}-x"}""", t["B"]!.ToJsonString());
        Assert.Equal("""{"Fn::Sub":["${X}-y",{"X":{"Ref":"Env"}}]}""", t["C"]!.ToJsonString());
        Assert.Equal("""{"Fn::If":["IsProd","a","b"]}""", t["D"]!.ToJsonString());
        Assert.Equal("""{"Ref":"Env"}""", t["E"]!.ToJsonString());
    }

    [Fact]
    public void Reader_Json_Parsed()
    {
        var t = TemplateReader.Parse("""{"Resources":{"R":{"Type":"AWS::IAM::Role"}}}""");
        Assert.Equal("AWS::IAM::Role", t["Resources"]!["R"]!["Type"]!.GetValue<string>());
    }

    [Fact]
    public void Reader_BadYaml_TemplateFormatError() =>
        Assert.StartsWith("Template format error", Assert.Throws<TemplateException>(() => TemplateReader.Parse("a: [b")).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("!Ref Env", "dev")]
    [InlineData("!Ref AWS::Region", "us-east-1")]
    [InlineData("!Ref AWS::AccountId", "000000000000")]
    [InlineData("!Ref AWS::StackName", "s")]
    [InlineData("!Ref Role", "role-physical")]
    [InlineData("!GetAtt Role.Arn", "arn:aws:iam::000000000000:role/role-physical")]
    [InlineData("!Sub '${AWS::Region}-${Role.Arn}-${Env}'", "us-east-1-arn:aws:iam::000000000000:role/role-physical-dev")]
    [InlineData("!Sub ['${X}/${AWS::AccountId}', {X: !Ref Env}]", "dev/000000000000")]
    [InlineData("!Join ['-', [a, !Ref Env, c]]", "a-dev-c")]
    [InlineData("!Select [1, [a, b, c]]", "b")]
    [InlineData("!Select [2, !Split [',', 'x,y,z']]", "z")]
    [InlineData("!If [IsDev, yes, no]", "yes")]
    [InlineData("!If [NotDev, yes, no]", "no")]
    [InlineData("!FindInMap [Sizes, !Ref Env, Memory]", "128")]
    public void Intrinsics_Resolve(string yaml, string expected)
    {
        var scope = Scope(mappings: JsonNode.Parse("""{"Sizes":{"dev":{"Memory":"128"}}}""")!.AsObject());
        Intrinsics.EvaluateConditions(TemplateReader.Parse("""
            IsDev: !Equals [!Ref Env, dev]
            NotDev: !Not [!Condition IsDev]
            """), scope);
        Assert.Equal(expected, Intrinsics.Text(Resolve(yaml, scope), "test"));
    }

    [Fact]
    public void Intrinsics_NoValue_RemovesTheKey()
    {
        var scope = Scope();
        Intrinsics.EvaluateConditions(TemplateReader.Parse("IsProd: !Equals [!Ref Env, prod]"), scope);
        var resolved = Intrinsics.Resolve(TemplateReader.Parse("""
            Keep: a
            Drop: !If [IsProd, b, !Ref AWS::NoValue]
            List: [x, !Ref AWS::NoValue]
            """), scope)!.AsObject();
        Assert.False(resolved.ContainsKey("Drop"));
        Assert.Equal("a", resolved["Keep"]!.GetValue<string>());
        Assert.Single(resolved["List"]!.AsArray());
    }

    [Fact]
    public async Task Parameters_DefaultAndSupplied()
    {
        var t = TemplateReader.Parse("""
            Parameters:
              Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}
              Size: {Type: Number}
            """);
        var (values, given) = await TemplateParameters.ResolveAsync(t, new Dictionary<string, string> { ["Size"] = "3" }, _ => Task.FromResult(""));
        Assert.Equal("dev", values["Env"]!.GetValue<string>());
        Assert.Equal("3", given["Size"]);
    }

    [Fact]
    public async Task Parameters_NotAllowedValue_ValidationMessage()
    {
        var t = TemplateReader.Parse("Parameters:\n  Env: {Type: String, AllowedValues: [dev, prod]}\n");
        var e = await Assert.ThrowsAsync<TemplateException>(() => TemplateParameters.ResolveAsync(t, new Dictionary<string, string> { ["Env"] = "qa" }, _ => Task.FromResult("")));
        Assert.Equal("Parameter 'Env' must be one of AllowedValues", e.Message);
    }

    [Fact]
    public async Task Parameters_Missing_MustHaveValues()
    {
        var t = TemplateReader.Parse("Parameters:\n  Env: {Type: String}\n");
        var e = await Assert.ThrowsAsync<TemplateException>(() => TemplateParameters.ResolveAsync(t, new Dictionary<string, string>(), _ => Task.FromResult("")));
        Assert.Equal("Parameters: [Env] must have values", e.Message);
    }

    [Fact]
    public void Dependencies_Waves_FollowRefGetAttSubDependsOn()
    {
        var resources = TemplateReader.Parse("""
            A: {Type: T}
            B: {Type: T, Properties: {X: !Ref A}}
            C: {Type: T, Properties: {X: !GetAtt B.Arn}}
            D: {Type: T, Properties: {X: !Sub '${C}'}}
            E: {Type: T, DependsOn: A}
            """);
        var waves = Dependencies.Waves(Dependencies.Of(resources));
        Assert.Equal([["A"], ["B", "E"], ["C"], ["D"]], waves);
    }

    [Fact]
    public void Dependencies_Cycle_CircularDependencyError()
    {
        var resources = TemplateReader.Parse("""
            A: {Type: T, Properties: {X: !Ref B}}
            B: {Type: T, Properties: {X: !Ref A}}
            C: {Type: T}
            """);
        var e = Assert.Throws<TemplateException>(() => Dependencies.Waves(Dependencies.Of(resources)));
        Assert.Equal("Circular dependency between resources: [A, B]", e.Message);
    }
}
