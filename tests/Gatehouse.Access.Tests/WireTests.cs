using System.Net;
using System.Text;
using System.Xml.Linq;

namespace Gatehouse.Access.Tests;

/// <summary>Requests no SDK would send, answered in the query protocol's XML error shape.</summary>
public sealed class WireTests : IClassFixture<AccountServer>
{
    private static readonly XNamespace Iam = "https://iam.amazonaws.com/doc/2010-05-08/";
    private readonly AccountServer _server;

    public WireTests(AccountServer server) => _server = server;

    private async Task<(HttpStatusCode Status, XElement Error)> PostAsync(byte[] body, string service = "iam")
    {
        using var http = new HttpClient { BaseAddress = _server.Endpoint };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}");
        using var response = await http.SendAsync(request);
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        Assert.Equal("ErrorResponse", xml.Name.LocalName);
        Assert.Equal(response.Headers.GetValues("x-amzn-RequestId").Single(), xml.Element(xml.Name.Namespace + "RequestId")!.Value);
        return (response.StatusCode, xml.Element(xml.Name.Namespace + "Error")!);
    }

    [Theory]
    [InlineData("Action=ListRoles", "MissingParameter")]
    [InlineData("Version=2010-05-08", "MissingAction")]
    [InlineData("Action=ListRolez&Version=2010-05-08", "InvalidAction")]
    [InlineData("Action=GetRole&Version=2010-05-08&RoleName=a%2Fb", "ValidationError")]
    [InlineData("Action=ListRoles&Version=2010-05-08&MaxItems=many", "ValidationError")]
    [InlineData("%%%&&&===", "MissingAction")]
    public async Task BadForm_AnswersSenderErrorInXml(string form, string code)
    {
        var (status, error) = await PostAsync(Encoding.UTF8.GetBytes(form));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(code, error.Element(Iam + "Code")?.Value ?? error.Elements().Single(e => e.Name.LocalName == "Code").Value);
        Assert.Equal("Sender", error.Elements().Single(e => e.Name.LocalName == "Type").Value);
    }

    [Fact]
    public async Task AssumeRole_DurationBelowModelMinimum_ValidationError()
    {
        // The CLI and boto3 check this range themselves; the server checks it from the model too.
        var (status, error) = await PostAsync(Encoding.UTF8.GetBytes(
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fany&RoleSessionName=xx&DurationSeconds=60"), "sts");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ValidationError", error.Elements().Single(e => e.Name.LocalName == "Code").Value);
        Assert.Contains("Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
            error.Elements().Single(e => e.Name.LocalName == "Message").Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotUtf8_AnswersValidationError()
    {
        var (status, error) = await PostAsync([0x41, 0x63, 0x74, 0xc3, 0x28]);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ValidationError", error.Elements().Single(e => e.Name.LocalName == "Code").Value);
    }

    [Fact]
    public async Task UnknownRole_404NoSuchEntity()
    {
        var (status, error) = await PostAsync(Encoding.UTF8.GetBytes("Action=GetRole&Version=2010-05-08&RoleName=missing"));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("NoSuchEntity", error.Element(Iam + "Code")!.Value);
    }
}
