using Gatehouse.Identity.Operations;
using Gatehouse.Core;
using Gatehouse.Identity.Model;

namespace Gatehouse.Identity.Tests;

public sealed class UserFilterTests
{
    private static User Jane => new()
    {
        PoolId = "us-east-1_x",
        Username = "Jane",
        Sub = "5e0f1c4a-0000-4000-8000-000000000001",
        Status = "CONFIRMED",
        CredentialStamp = "s",
        Attributes = [new("email", "Jane.Doe@Example.com"), new("given_name", "Jane \"JD\"")],
        Created = DateTimeOffset.UnixEpoch,
        Modified = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData("email = \"jane.doe@example.com\"", true)]
    [InlineData("email ^= \"jane\"", true)]
    [InlineData("email^=\"john\"", false)]
    [InlineData("username = \"Jane\"", true)]
    [InlineData("username = \"jane\"", false)]
    [InlineData("cognito:user_status = \"confirmed\"", true)]
    [InlineData("status = \"Enabled\"", true)]
    [InlineData("status = \"Disabled\"", false)]
    [InlineData("given_name = \"Jane \\\"JD\\\"\"", true)]
    [InlineData("family_name = \"Doe\"", false)]
    public void Parse_ValidFilter_MatchesAsCognitoDoes(string filter, bool matches) =>
        Assert.Equal(matches, UserFilter.Parse(filter)!.Matches(Jane));

    [Fact]
    public void Parse_EmptyFilter_IsNull() => Assert.Null(UserFilter.Parse("  "));

    [Theory]
    [InlineData("email")]
    [InlineData("email = jane")]
    [InlineData("email = \"jane")]
    [InlineData("email ~ \"jane\"")]
    [InlineData("email = \"jane\" extra")]
    [InlineData("= \"jane\"")]
    public void Parse_MalformedFilter_ThrowsInvalidParameter(string filter)
    {
        var error = Assert.Throws<AwsException>(() => UserFilter.Parse(filter));
        Assert.Equal("InvalidParameterException", error.Code);
    }

    [Fact]
    public void Parse_CustomAttribute_IsNotSearchable()
    {
        var error = Assert.Throws<AwsException>(() => UserFilter.Parse("custom:team = \"a\""));
        Assert.Equal("InvalidParameterException", error.Code);
    }
}
