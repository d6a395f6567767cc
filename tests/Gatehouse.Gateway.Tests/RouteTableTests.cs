using Gatehouse.Gateway.Model;
using Gatehouse.Gateway.Runtime;

namespace Gatehouse.Gateway.Tests;

public sealed class RouteTableTests
{
    private static RouteTable Table(params string[] keys) =>
        new(keys.Select(k => RouteKey.TryParse(k)!).Select(k => new RouteRuntime { Key = k, VariableCount = k.Segments.Count(s => s.IsVariable) }));

    // The documented example: GET /pets/dog/1, GET /pets/dog/{id}, GET /pets/{proxy+}, ANY /{proxy+}, $default.
    [Theory]
    [InlineData("GET", "/pets/dog/1", "GET /pets/dog/1")]
    [InlineData("GET", "/pets/dog/2", "GET /pets/dog/{id}")]
    [InlineData("GET", "/pets/cat/1", "GET /pets/{proxy+}")]
    [InlineData("POST", "/test/5", "ANY /{proxy+}")]
    [InlineData("POST", "/pets/dog/1", "ANY /{proxy+}")]
    [InlineData("GET", "/", "$default")]
    public void Match_DocumentedExample_PicksTheMostSpecificRoute(string method, string path, string expected)
    {
        var table = Table("ANY /{proxy+}", "$default", "GET /pets/{proxy+}", "GET /pets/dog/{id}", "GET /pets/dog/1");
        Assert.Equal(expected, table.Match(method, path)?.Route.Key.Text);
    }

    [Theory]
    [InlineData("GET", "/hello", "GET /hello")]
    [InlineData("POST", "/hello", "ANY /hello")]
    [InlineData("DELETE", "/hello", "ANY /hello")]
    [InlineData("GET", "/pets/7", "GET /pets/{id}")]
    [InlineData("GET", "/pets/dog", "ANY /pets/dog")]
    [InlineData("GET", "/pets/7/toys", "GET /pets/{id}/toys")]
    [InlineData("GET", "/pets/7/toys/ball", "ANY /pets/{proxy+}")]
    [InlineData("PUT", "/pets/7", "ANY /pets/{proxy+}")]
    [InlineData("GET", "/a/b/c", "GET /{proxy+}")]
    [InlineData("POST", "/a/b/c", "$default")]
    public void Match_MixedRoutes_FollowsAwsPrecedence(string method, string path, string expected)
    {
        var table = Table("$default", "GET /{proxy+}", "ANY /pets/{proxy+}", "GET /pets/{id}/toys", "ANY /pets/dog", "GET /pets/{id}", "ANY /hello", "GET /hello");
        Assert.Equal(expected, table.Match(method, path)?.Route.Key.Text);
    }

    [Theory]
    [InlineData("/pets")]
    [InlineData("/pets/")]
    [InlineData("/")]
    [InlineData("/other/1")]
    public void Match_GreedyVariable_NeedsAtLeastOneSegment(string path)
    {
        var table = Table("GET /pets/{proxy+}");
        Assert.Null(table.Match("GET", path));
    }

    [Fact]
    public void Match_AnyProxy_DoesNotMatchRoot()
    {
        Assert.Null(Table("ANY /{proxy+}").Match("GET", "/"));
    }

    [Fact]
    public void Match_NoRoute_ReturnsNull()
    {
        var table = Table("GET /hello");
        Assert.Null(table.Match("POST", "/hello"));
        Assert.Null(table.Match("GET", "/hello/there"));
        Assert.Null(table.Match("GET", "/Hello"));
    }

    [Fact]
    public void Match_PathVariables_AreDecodedAndGreedyKeepsSlashes()
    {
        var table = Table("GET /pets/{id}/{proxy+}");
        var match = table.Match("GET", "/pets/a%20b/toys/ball")!.Value;
        Assert.Equal([new("id", "a b"), new("proxy", "toys/ball")], match.PathParameters);
    }

    [Fact]
    public void Match_EmptySegment_DoesNotBindAVariable()
    {
        Assert.Null(Table("GET /pets/{id}").Match("GET", "/pets/"));
    }

    [Theory]
    [InlineData("GET /hello", true)]
    [InlineData("$default", true)]
    [InlineData("ANY /{proxy+}", true)]
    [InlineData("GET /", true)]
    [InlineData("get /hello", false)]
    [InlineData("GET hello", false)]
    [InlineData("GET /{proxy+}/more", false)]
    [InlineData("GET /a//b", false)]
    [InlineData("FETCH /a", false)]
    [InlineData("GET /{id}/{id}", false)]
    [InlineData("GET", false)]
    public void TryParse_RouteKeys_AcceptsOnlyAwsForms(string key, bool valid)
    {
        Assert.Equal(valid, RouteKey.TryParse(key) is not null);
    }
}
