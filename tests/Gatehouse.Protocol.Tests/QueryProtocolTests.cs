using System.Text.Json.Nodes;
using System.Xml.Linq;
using Gatehouse.Core;
using Gatehouse.Protocol.Generated;

namespace Gatehouse.Protocol.Tests;

public sealed class QueryProtocolTests
{
    private static readonly XNamespace IamNs = "https://iam.amazonaws.com/doc/2010-05-08/";
    private static readonly XNamespace StsNs = "https://sts.amazonaws.com/doc/2011-06-15/";
    private readonly ProtocolHarness _harness;

    public QueryProtocolTests()
    {
        var iam = AwsProtocolDispatcher.QueryDefinition(Iam.ModelName);
        iam.Map(Iam.Operations.CreateRole, (request, _) =>
        {
            _harness!.LastRequest = request;
            return ValueTask.FromResult<AwsResponse>(new JsonObject
            {
                ["Role"] = new JsonObject
                {
                    ["Path"] = "/",
                    ["RoleName"] = request.Input.Req("RoleName"),
                    ["RoleId"] = "AROAEXAMPLE000000000",
                    ["Arn"] = "arn:aws:iam::000000000000:role/" + request.Input.Req("RoleName"),
                    ["CreateDate"] = JsonValue.Create(new DateTimeOffset(2026, 12, 7, 11, 0, 0, TimeSpan.Zero)),
                    ["Tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "core" }),
                },
            });
        });
        iam.Map(Iam.Operations.GetRole, (request, _) =>
            throw new AwsException("NoSuchEntityException", $"The role with name {request.Input.Req("RoleName")} cannot be found."));
        iam.Map(Iam.Operations.DeleteRole, (_, _) => ValueTask.FromResult(AwsResponse.Empty));
        iam.Map(Iam.Operations.SetSecurityTokenServicePreferences, (request, _) =>
        {
            _harness!.LastRequest = request;
            return ValueTask.FromResult(AwsResponse.Empty);
        });
        var sts = AwsProtocolDispatcher.QueryDefinition(Sts.ModelName);
        sts.Map(Sts.Operations.AssumeRole, (request, _) =>
        {
            _harness!.LastRequest = request;
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["PackedPolicySize"] = 6 });
        });
        _harness = new ProtocolHarness(iam, sts);
    }

    private Task<Reply> QueryAsync(string service, string form) =>
        _harness.SendAsync("POST", "/", form,
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ("Authorization", $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}"));

    [Fact]
    public async Task CreateRole_FlattenedTagsAndXmlResult_AsAwsWritesThem()
    {
        var reply = await QueryAsync("iam",
            "Action=CreateRole&Version=2010-05-08&RoleName=app&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D" +
            "&MaxSessionDuration=7200&Tags.member.1.Key=team&Tags.member.1.Value=core&Tags.member.2.Key=env&Tags.member.2.Value=");

        Assert.Equal(200, reply.Status);
        Assert.StartsWith("text/xml", reply.Header("Content-Type"));
        var input = _harness.LastRequest!.Input;
        Assert.Equal("{\"Version\":\"2012-10-17\"}", input.Str("AssumeRolePolicyDocument"));
        Assert.Equal(7200, input["MaxSessionDuration"]!.GetValue<long>());
        var tags = input["Tags"]!.AsArray();
        Assert.Equal(2, tags.Count);
        Assert.Equal("env", tags[1]!["Key"]!.GetValue<string>());
        Assert.Equal("", tags[1]!["Value"]!.GetValue<string>());

        var xml = XDocument.Parse(reply.Text).Root!;
        Assert.Equal(IamNs + "CreateRoleResponse", xml.Name);
        var role = xml.Element(IamNs + "CreateRoleResult")!.Element(IamNs + "Role")!;
        Assert.Equal("app", role.Element(IamNs + "RoleName")!.Value);
        Assert.Equal("2026-12-07T11:00:00Z", role.Element(IamNs + "CreateDate")!.Value);
        Assert.Equal("core", role.Element(IamNs + "Tags")!.Element(IamNs + "member")!.Element(IamNs + "Value")!.Value);
        Assert.Equal(reply.Header("x-amzn-RequestId"), xml.Element(IamNs + "ResponseMetadata")!.Element(IamNs + "RequestId")!.Value);
    }

    [Fact]
    public async Task ModelledError_WrittenWithItsErrorCodeAndStatus()
    {
        var reply = await QueryAsync("iam", "Action=GetRole&Version=2010-05-08&RoleName=nobody");

        Assert.Equal(404, reply.Status);
        var error = XDocument.Parse(reply.Text).Root!;
        Assert.Equal(IamNs + "ErrorResponse", error.Name);
        Assert.Equal("Sender", error.Element(IamNs + "Error")!.Element(IamNs + "Type")!.Value);
        Assert.Equal("NoSuchEntity", error.Element(IamNs + "Error")!.Element(IamNs + "Code")!.Value);
        Assert.Equal("The role with name nobody cannot be found.", error.Element(IamNs + "Error")!.Element(IamNs + "Message")!.Value);
        Assert.Equal(reply.Header("x-amzn-RequestId"), error.Element(IamNs + "RequestId")!.Value);
    }

    [Fact]
    public async Task NoOutputShape_AnswersResponseMetadataOnly()
    {
        var reply = await QueryAsync("iam", "Action=DeleteRole&Version=2010-05-08&RoleName=app");

        Assert.Equal(200, reply.Status);
        var xml = XDocument.Parse(reply.Text).Root!;
        Assert.Equal(IamNs + "DeleteRoleResponse", xml.Name);
        Assert.Single(xml.Elements());
    }

    [Theory]
    [InlineData("Version=2010-05-08&RoleName=app", "MissingAction")]
    [InlineData("Action=GetRole&RoleName=app", "MissingParameter")]
    [InlineData("Action=GetRoles&Version=2010-05-08", "InvalidAction")]
    [InlineData("Action=GetRole&Version=2011-06-15&RoleName=app", "InvalidAction")]
    [InlineData("Action=GetRole&Version=2010-05-08", "ValidationError")]
    [InlineData("Action=CreateRole&Version=2010-05-08&RoleName=app&AssumeRolePolicyDocument=x&MaxSessionDuration=long", "ValidationError")]
    public async Task BadRequest_AnswersQueryErrorShape(string form, string code)
    {
        var reply = await QueryAsync("iam", form);

        Assert.Equal(400, reply.Status);
        var error = XDocument.Parse(reply.Text).Root!.Element(IamNs + "Error")!;
        Assert.Equal(code, error.Element(IamNs + "Code")!.Value);
        Assert.Equal("Sender", error.Element(IamNs + "Type")!.Value);
    }

    [Fact]
    public async Task ConstraintViolation_NamesTheMemberAsAwsDoes()
    {
        var reply = await QueryAsync("iam", "Action=GetRole&Version=2010-05-08&RoleName=");

        var message = XDocument.Parse(reply.Text).Root!.Element(IamNs + "Error")!.Element(IamNs + "Message")!.Value;
        Assert.Contains("at 'roleName' failed to satisfy constraint: Member must have length greater than or equal to 1", message);
    }

    [Fact]
    public async Task Sts_ChosenByCredentialScope_ListsAndBooleansTyped()
    {
        var reply = await QueryAsync("sts",
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fapp&RoleSessionName=s1" +
            "&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess&TransitiveTagKeys.member.1=team&DurationSeconds=900");

        Assert.Equal(200, reply.Status);
        var input = _harness.LastRequest!.Input;
        Assert.Equal("arn:aws:iam::aws:policy/ReadOnlyAccess", input["PolicyArns"]![0]!["arn"]!.GetValue<string>());
        Assert.Equal("team", input["TransitiveTagKeys"]![0]!.GetValue<string>());
        var xml = XDocument.Parse(reply.Text).Root!;
        Assert.Equal("6", xml.Element(StsNs + "AssumeRoleResult")!.Element(StsNs + "PackedPolicySize")!.Value);
    }

    [Fact]
    public async Task QueryString_ReadLikeTheBody()
    {
        var reply = await _harness.SendAsync("GET", "/?Action=DeleteRole&Version=2010-05-08&RoleName=app", null,
            ("Authorization", $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}"));

        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task NotUtf8Body_AnswersValidationError()
    {
        var reply = await _harness.SendBytesAsync("POST", "/", [0x41, 0x63, 0xff, 0xfe],
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}"));

        Assert.Equal(400, reply.Status);
        Assert.Equal("ValidationError", XDocument.Parse(reply.Text).Root!.Element(IamNs + "Error")!.Element(IamNs + "Code")!.Value);
    }

    [Fact]
    public async Task Map_ReadFromEntryKeyValue()
    {
        // CloudFormation and SNS use maps; IAM's model has none on input, so check the reader on a shape made for it.
        var model = Model.ServiceModel.Parse("t", System.Text.Json.JsonDocument.Parse("""
            {"metadata":{"protocol":"query","endpointPrefix":"t","serviceId":"T","apiVersion":"1"},
             "operations":{},
             "shapes":{
               "In":{"type":"structure","members":{"Attributes":{"shape":"Attrs"},"Flat":{"shape":"FlatList"}}},
               "Attrs":{"type":"map","key":{"shape":"S","locationName":"Name"},"value":{"shape":"S","locationName":"Value"}},
               "FlatList":{"type":"list","member":{"shape":"S"},"flattened":true},
               "S":{"type":"string"}}}
            """).RootElement);
        var form = new Dictionary<string, string>
        {
            ["Attributes.entry.1.Name"] = "a",
            ["Attributes.entry.1.Value"] = "1",
            ["Attributes.entry.2.Name"] = "b",
            ["Attributes.entry.2.Value"] = "2",
            ["Flat.1"] = "x",
            ["Flat.2"] = "y",
        };

        var input = Serialization.Query.QueryInputReader.Read(form, model.Shapes["In"], "ValidationError");

        Assert.Equal("2", input["Attributes"]!["b"]!.GetValue<string>());
        Assert.Equal("y", input["Flat"]![1]!.GetValue<string>());
    }
}
