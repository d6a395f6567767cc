using System.Text.Json.Nodes;
using Gatehouse.Stacks.Resources;

namespace Gatehouse.Stacks.Tests.Resources;

public sealed class PropertyValuesTests
{
    [Fact]
    public void Integer_FromCodeFromTemplateAndFromText_AllRead()
    {
        var properties = new JsonObject
        {
            ["InCode"] = 30,
            ["FromTemplate"] = JsonNode.Parse("{\"v\": 128}")!["v"]!.DeepClone(),
            ["AsText"] = "900",
            ["Negative"] = -1,
        };

        Assert.Equal(30, PropertyValues.Integer(properties, "InCode"));
        Assert.Equal(128, PropertyValues.Integer(properties, "FromTemplate"));
        Assert.Equal(900, PropertyValues.Integer(properties, "AsText"));
        Assert.Equal(-1, PropertyValues.Integer(properties, "Negative"));
        Assert.Null(PropertyValues.Integer(properties, "Absent"));
    }

    [Fact]
    public void Integer_Fraction_Refused()
    {
        var properties = new JsonObject { ["Timeout"] = 1.5 };

        Assert.Throws<FormatException>(() => PropertyValues.Integer(properties, "Timeout"));
    }
}
