using Gatehouse.Core;
using Gatehouse.Parameters.Model;
using Gatehouse.Parameters.Operations;

namespace Gatehouse.Parameters.Tests;

public sealed class UnitTests
{
    [Theory]
    [InlineData("/a", "a")]
    [InlineData("a", "a")]
    [InlineData("/a/b", "/a/b")]
    public void Normalize_SingleLevelDropsSlash(string given, string stored) => Assert.Equal(stored, ParameterNames.Normalize(given));

    [Fact]
    public void ParseReference_ArnAndSelector()
    {
        Assert.Equal(("/a/b", "3"), ParameterNames.ParseReference("arn:aws:ssm:us-east-1:000000000000:parameter/a/b:3", "000000000000", "us-east-1"));
        Assert.Equal(("a", (string?)null), ParameterNames.ParseReference("arn:aws:ssm:us-east-1:000000000000:parameter/a", "000000000000", "us-east-1"));
        Assert.Equal(("/x/y", "prod"), ParameterNames.ParseReference("/x/y:prod", "000000000000", "us-east-1"));
    }

    [Theory]
    [InlineData("prod", true)]
    [InlineData("Release-1.2_b", true)]
    [InlineData("1st", false)]
    [InlineData("awsLabel", false)]
    [InlineData("SSMlabel", false)]
    [InlineData("has space", false)]
    public void ValidLabel_AwsRules(string label, bool valid) => Assert.Equal(valid, ParameterLabelOperations.ValidLabel(label));

    [Theory]
    [InlineData("a", "/", false, true)]
    [InlineData("/a/b", "/", false, false)]
    [InlineData("/a/b", "/", true, true)]
    [InlineData("/a/b", "/a/", false, true)]
    [InlineData("/a/b/c", "/a/", false, false)]
    [InlineData("/ab", "/a/", true, false)]
    public void InPath_OneLevelOrRecursive(string name, string prefix, bool recursive, bool expected) =>
        Assert.Equal(expected, ParameterOperations.InPath(name, prefix, recursive));

    [Fact]
    public void SecureValues_SealedForOneParameterOnly()
    {
        var values = SecureValues.Ephemeral();
        var key = new ParameterKey("000000000000", "us-east-1", "/a");
        var sealedValue = values.Seal(key, "secret");
        Assert.Equal("secret", values.Open(key, sealedValue));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => values.Open(key with { Name = "/b" }, sealedValue));
    }

    [Fact]
    public void ValidateForPut_TooLong_ValidationException()
    {
        var error = Assert.Throws<AwsException>(() => ParameterNames.ValidateForPut("/" + new string('a', 1011)));
        Assert.Equal("ValidationException", error.Code);
    }
}
