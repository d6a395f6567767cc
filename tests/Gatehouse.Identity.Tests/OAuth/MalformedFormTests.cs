using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using static Gatehouse.Identity.Tests.OAuth.OAuthTestKit;

namespace Gatehouse.Identity.Tests.OAuth;

/// <summary>
/// Form bodies the framework cannot read — a NUL, too many fields, a name or value over the limits,
/// broken multipart — on the OAuth endpoints (400 invalid_request, RFC 6749 §5.2) and on the hosted
/// pages (a 400 page), never a 500 with a stack trace in the server log.
/// </summary>
public sealed class MalformedFormTests : IClassFixture<OAuthServer>
{
    private const string UrlEncoded = "application/x-www-form-urlencoded";

    private readonly OAuthServer _server;

    public MalformedFormTests(OAuthServer server) => _server = server;

    /// <summary>Bodies by name, so test names stay short: (content type, body).</summary>
    private static (string ContentType, byte[] Body) Malformed(string kind) => kind switch
    {
        "nul-value" => (UrlEncoded, Ascii("grant_type=client%00credentials&client_id=x")),
        "nul-name" => (UrlEncoded, Ascii("grant%00type=refresh_token")),
        "bad-escape-nul" => (UrlEncoded, Ascii("token=%00%00")),
        "1025-fields" => (UrlEncoded, Ascii(string.Join('&', Enumerable.Range(0, 1025).Select(i => $"f{i}=1")))),
        "long-name" => (UrlEncoded, Ascii(new string('n', 2049) + "=1")),
        "huge-value" => (UrlEncoded, Ascii("token=" + new string('v', 4 * 1024 * 1024 + 1))),
        "multipart-truncated" => ("multipart/form-data; boundary=xx", Ascii("--xx\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc")),
        "multipart-no-boundary" => ("multipart/form-data", Ascii("token=abc")),
        "multipart-garbage" => ("multipart/form-data; boundary=xx", Ascii("not multipart at all")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static TheoryData<string, string> OAuthCases()
    {
        var data = new TheoryData<string, string>();
        string[] kinds = ["nul-value", "nul-name", "bad-escape-nul", "1025-fields", "long-name", "huge-value", "multipart-truncated", "multipart-no-boundary", "multipart-garbage"];
        foreach (var endpoint in new[] { "/oauth2/token", "/oauth2/revoke" })
        {
            foreach (var kind in kinds)
                data.Add(endpoint, kind);
        }
        return data;
    }

    private async Task<(HttpStatusCode Status, string ContentType, string Body)> PostAsync(string url, string contentType, byte[] body)
    {
        using var http = Browser();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.PostAsync(url, content);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsStringAsync());
    }

    private void AssertNoStackTrace()
    {
        var log = _server.Output;
        Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
        Assert.DoesNotContain(" fail: ", log, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OAuthCases))]
    public async Task OAuthEndpoint_UnreadableForm_InvalidRequest(string endpoint, string kind)
    {
        var setup = await _server.DefaultAsync();
        var (contentType, body) = Malformed(kind);

        var (status, type, text) = await PostAsync(Base(_server, setup.Domain) + endpoint, contentType, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/json", type);
        var json = JsonNode.Parse(text)!;
        Assert.Equal("invalid_request", json["error"]!.GetValue<string>());
        Assert.Equal("The request body could not be read as a form.", json["error_description"]!.GetValue<string>());
        AssertNoStackTrace();
    }

    [Fact]
    public async Task Token_1024Fields_IsReadAsAForm()
    {
        // The limit is the framework's 1,024 fields: a form at the limit is read, and answered for what it says.
        var setup = await _server.DefaultAsync();
        var fields = string.Join('&', Enumerable.Range(0, 1023).Select(i => $"f{i}=1")) + "&grant_type=password";

        var (status, _, text) = await PostAsync(Base(_server, setup.Domain) + "/oauth2/token", UrlEncoded, Ascii(fields));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The request is missing client_id.", JsonNode.Parse(text)!["error_description"]!.GetValue<string>());
        AssertNoStackTrace();
    }

    [Theory]
    [InlineData("/login", "nul-value")]
    [InlineData("/login", "1025-fields")]
    [InlineData("/login", "long-name")]
    [InlineData("/login", "huge-value")]
    [InlineData("/login", "multipart-truncated")]
    [InlineData("/signup", "nul-name")]
    [InlineData("/confirm", "multipart-no-boundary")]
    [InlineData("/forgotPassword", "bad-escape-nul")]
    [InlineData("/confirmForgotPassword", "multipart-garbage")]
    [InlineData("/new-password", "long-name")]
    public async Task HostedPage_UnreadableForm_400Page(string page, string kind)
    {
        var setup = await _server.DefaultAsync();
        var (contentType, body) = Malformed(kind);

        var (status, type, html) = await PostAsync($"{Base(_server, setup.Domain)}{page}?{AuthorizeQuery(setup)}", contentType, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("text/html", type);
        Assert.Contains("<h1>The form could not be read</h1>", html, StringComparison.Ordinal);
        Assert.Contains("/login?client_id=" + setup.ClientId, html, StringComparison.Ordinal);
        AssertNoStackTrace();
    }
}
