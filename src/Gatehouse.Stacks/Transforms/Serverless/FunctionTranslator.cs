using System.Text.Json;
using System.Text.Json.Nodes;
using Gatehouse.Stacks.Templates;

namespace Gatehouse.Stacks.Transforms.Serverless;

/// <summary>
/// One <c>AWS::Serverless::Function</c>
/// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html)
/// as SAM writes it out: the <c>AWS::Lambda::Function</c> under the same logical id; <c>{Id}Role</c>
/// (an execution role with AWSLambdaBasicExecutionRole and the <c>Policies</c>) unless a Role is given;
/// <c>{Id}Version{hash}</c> and <c>{Id}Alias{Name}</c> for <c>AutoPublishAlias</c>; and for each
/// HttpApi event <c>{Id}{Event}Permission</c> plus a route on its API.
/// </summary>
internal sealed class FunctionTranslator
{
    /// <summary>Properties that mean the same on AWS::Lambda::Function, copied as they are.</summary>
    private static readonly string[] PassThrough =
    [
        "Handler", "Runtime", "Description", "MemorySize", "Timeout", "Environment", "Architectures", "Layers",
        "ReservedConcurrentExecutions", "FunctionName", "VpcConfig", "KmsKeyArn", "EphemeralStorage", "PackageType",
        "ImageConfig", "LoggingConfig", "RuntimeManagementConfig", "SnapStart", "FileSystemConfigs", "CodeSigningConfigArn",
    ];

    /// <summary>Resource attributes SAM carries over to the function it makes (and its role).</summary>
    private static readonly string[] Attributes = ["Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"];

    private static readonly string[] Known =
    [
        .. PassThrough, "CodeUri", "InlineCode", "ImageUri", "Role", "Policies", "Events", "Tags", "AutoPublishAlias",
        "AutoPublishCodeSha256", "VersionDescription", "Tracing", "PermissionsBoundary", "RolePath", "AssumeRolePolicyDocument",
        "DeploymentPreference", "ProvisionedConcurrencyConfig", "PropagateTags", "FunctionUrlConfig", "DeadLetterQueue",
        "EventInvokeConfig", "AutoPublishAliasAllProperties", "VersionDeletionPolicy",
    ];

    private readonly string _id;
    private readonly JsonObject _resource;
    private readonly JsonObject _properties;
    private readonly HttpApiBuilder _apis;
    private readonly TransformContext _context;

    public FunctionTranslator(string logicalId, JsonObject resource, JsonObject? globals, HttpApiBuilder apis, TransformContext context)
    {
        _id = logicalId;
        _resource = resource;
        _properties = ServerlessTransform.Merge(globals, resource["Properties"] as JsonObject);
        _apis = apis;
        _context = context;
    }

    public IEnumerable<(string LogicalId, JsonObject Resource)> Translate()
    {
        foreach (var (name, _) in _properties)
        {
            if (!Known.Contains(name))
                throw Invalid($"property '{name}' is not a property of AWS::Serverless::Function.");
        }
        foreach (var unsupported in new[] { "DeploymentPreference", "FunctionUrlConfig", "DeadLetterQueue", "EventInvokeConfig", "ProvisionedConcurrencyConfig" })
        {
            if (_properties.ContainsKey(unsupported))
                throw Invalid($"{unsupported} is not supported by Gatehouse yet.");
        }

        var made = new List<(string, JsonObject)>();
        var code = Code();
        var function = new JsonObject { ["Code"] = code };
        foreach (var name in PassThrough)
        {
            if (_properties[name] is { } value)
                function[name] = value.DeepClone();
        }
        if (_properties["Tracing"] is JsonNode tracing)
            function["TracingConfig"] = new JsonObject { ["Mode"] = tracing.DeepClone() };
        var tags = Tags();
        if (_properties["Role"] is { } role)
        {
            function["Role"] = role.DeepClone();
        }
        else
        {
            var roleId = _id + "Role";
            function["Role"] = new JsonObject { ["Fn::GetAtt"] = new JsonArray(roleId, "Arn") };
            made.Add((roleId, WithAttributes(new JsonObject { ["Type"] = "AWS::IAM::Role", ["Properties"] = RoleProperties(roleId, tags) }, forRole: true)));
        }
        function["Tags"] = tags.DeepClone();
        made.Insert(0, (_id, WithAttributes(new JsonObject { ["Type"] = "AWS::Lambda::Function", ["Properties"] = Sorted(function) }, forRole: false)));

        // What events invoke: the alias when one is published, else the function.
        var invoked = _id;
        if (_properties["AutoPublishAlias"] is { } aliasNode)
        {
            var alias = Resolve(aliasNode) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
                : throw Invalid("AutoPublishAlias must be a string (or a Ref to a parameter).");
            var versionId = VersionId(code);
            var version = new JsonObject { ["FunctionName"] = Ref(_id) };
            if (_properties["VersionDescription"] is { } description)
                version["Description"] = description.DeepClone();
            if (_properties["AutoPublishCodeSha256"] is { } sha)
                version["CodeSha256"] = sha.DeepClone();
            made.Add((versionId, new JsonObject
            {
                ["Type"] = "AWS::Lambda::Version",
                ["DeletionPolicy"] = (_properties["VersionDeletionPolicy"] as JsonValue)?.GetValue<string>() ?? "Retain",
                ["Properties"] = version,
            }));
            var aliasId = _id + "Alias" + alias;
            made.Add((aliasId, new JsonObject
            {
                ["Type"] = "AWS::Lambda::Alias",
                ["Properties"] = new JsonObject
                {
                    ["FunctionName"] = Ref(_id),
                    ["FunctionVersion"] = new JsonObject { ["Fn::GetAtt"] = new JsonArray(versionId, "Version") },
                    ["Name"] = alias,
                },
            }));
            invoked = aliasId;
        }

        foreach (var (eventId, eventNode) in _properties["Events"] as JsonObject ?? [])
        {
            if (eventNode is not JsonObject evt || evt["Type"]?.GetValue<string>() is not { } eventType)
                throw Invalid($"event {eventId} needs a Type.");
            if (eventType != "HttpApi")
                throw Invalid($"event {eventId}: event type '{eventType}' is not supported by Gatehouse (HttpApi is).");
            var route = _apis.AddRoute(_id, eventId, evt["Properties"] as JsonObject ?? [], invoked);
            made.Add((_id + eventId + "Permission", new JsonObject
            {
                ["Type"] = "AWS::Lambda::Permission",
                ["Properties"] = new JsonObject
                {
                    ["Action"] = "lambda:InvokeFunction",
                    ["FunctionName"] = Ref(invoked),
                    ["Principal"] = "apigateway.amazonaws.com",
                    ["SourceArn"] = new JsonObject
                    {
                        ["Fn::Sub"] = new JsonArray(
                            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}" + route.PermissionPath,
                            new JsonObject { ["__ApiId__"] = Ref(route.ApiId), ["__Stage__"] = "*" }),
                    },
                },
            }));
        }
        return made;
    }

    private JsonObject Code()
    {
        if (_properties["InlineCode"] is { } inline)
        {
            if (_properties.ContainsKey("CodeUri"))
                throw Invalid("give CodeUri or InlineCode, not both.");
            return new JsonObject { ["ZipFile"] = inline.DeepClone() };
        }
        if (_properties["ImageUri"] is { } image)
            return new JsonObject { ["ImageUri"] = image.DeepClone() };
        switch (_properties["CodeUri"])
        {
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var uri = value.GetValue<string>();
                if (!uri.StartsWith("s3://", StringComparison.Ordinal))
                    throw Invalid($"CodeUri '{uri}' is a local path: upload the code first (sam package, or aws cloudformation package) so it is an s3:// location.");
                var location = uri["s3://".Length..];
                var slash = location.IndexOf('/', StringComparison.Ordinal);
                if (slash <= 0 || slash == location.Length - 1)
                    throw Invalid($"CodeUri '{uri}' must be s3://bucket/key.");
                var key = location[(slash + 1)..];
                string? versionId = null;
                var query = key.IndexOf("?versionId=", StringComparison.Ordinal);
                if (query >= 0)
                {
                    versionId = key[(query + "?versionId=".Length)..];
                    key = key[..query];
                }
                var code = new JsonObject { ["S3Bucket"] = location[..slash], ["S3Key"] = key };
                if (versionId is not null)
                    code["S3ObjectVersion"] = versionId;
                return code;
            case JsonObject s3 when !ServerlessTransform.IsIntrinsic(s3):
                var fromObject = new JsonObject
                {
                    ["S3Bucket"] = s3["Bucket"]?.DeepClone() ?? throw Invalid("CodeUri needs a Bucket."),
                    ["S3Key"] = s3["Key"]?.DeepClone() ?? throw Invalid("CodeUri needs a Key."),
                };
                if (s3["Version"] is { } version)
                    fromObject["S3ObjectVersion"] = version.DeepClone();
                return fromObject;
            case null:
                throw Invalid("it needs CodeUri, InlineCode or ImageUri.");
            default:
                throw Invalid("CodeUri must be s3://bucket/key or {Bucket, Key[, Version]}.");
        }
    }

    /// <summary>SAM's tags as Lambda's list: <c>lambda:createdBy=SAM</c> first, then the function's own.</summary>
    private JsonArray Tags()
    {
        var tags = new JsonArray(new JsonObject { ["Key"] = "lambda:createdBy", ["Value"] = "SAM" });
        if (_properties["Tags"] is JsonObject own)
        {
            foreach (var (key, value) in own)
            {
                if (key == "lambda:createdBy")
                    throw Invalid("the tag lambda:createdBy is SAM's own.");
                tags.Add(new JsonObject { ["Key"] = key, ["Value"] = value?.DeepClone() });
            }
        }
        return tags;
    }

    private JsonObject RoleProperties(string roleId, JsonArray tags)
    {
        var managed = new JsonArray(SamPolicies.ManagedArn("AWSLambdaBasicExecutionRole"));
        var inline = new JsonArray();
        var policies = _properties["Policies"] switch
        {
            null => new JsonArray(),
            JsonArray list => list,
            var single => new JsonArray(single.DeepClone()),
        };
        for (var index = 0; index < policies.Count; index++)
        {
            switch (policies[index])
            {
                case JsonValue name when name.GetValueKind() == JsonValueKind.String:
                    AddOnce(managed, SamPolicies.ManagedArn(name.GetValue<string>()));
                    break;
                case JsonObject intrinsic when ServerlessTransform.IsIntrinsic(intrinsic):
                    managed.Add(intrinsic.DeepClone());
                    break;
                case JsonObject document when document.ContainsKey("Statement"):
                    inline.Add(new JsonObject { ["PolicyDocument"] = document.DeepClone(), ["PolicyName"] = $"{roleId}Policy{index}" });
                    break;
                case JsonObject template when template.Count == 1:
                    var (templateName, parameters) = template.First();
                    var statements = SamPolicies.Template(templateName, parameters as JsonObject ?? [])
                        ?? throw Invalid($"policy template '{templateName}' is not supported by Gatehouse.");
                    inline.Add(new JsonObject { ["PolicyDocument"] = new JsonObject { ["Statement"] = statements }, ["PolicyName"] = $"{roleId}Policy{index}" });
                    break;
                default:
                    throw Invalid($"Policies entry {index} is not a managed policy name, a policy document or a policy template.");
            }
        }
        if (_properties["Tracing"] is JsonValue mode && mode.GetValueKind() == JsonValueKind.String && mode.GetValue<string>() == "Active")
            AddOnce(managed, SamPolicies.ManagedArn("AWSXrayWriteOnlyAccess"));
        if (_properties.ContainsKey("VpcConfig"))
            AddOnce(managed, SamPolicies.ManagedArn("AWSLambdaVPCAccessExecutionRole"));
        var role = new JsonObject
        {
            ["AssumeRolePolicyDocument"] = _properties["AssumeRolePolicyDocument"]?.DeepClone() ?? new JsonObject
            {
                ["Statement"] = new JsonArray(new JsonObject
                {
                    ["Action"] = new JsonArray("sts:AssumeRole"),
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["Service"] = new JsonArray("lambda.amazonaws.com") },
                }),
                ["Version"] = "2012-10-17",
            },
            ["ManagedPolicyArns"] = managed,
        };
        if (inline.Count > 0)
            role["Policies"] = inline;
        if (_properties["PermissionsBoundary"] is { } boundary)
            role["PermissionsBoundary"] = boundary.DeepClone();
        if (_properties["RolePath"] is { } path)
            role["Path"] = path.DeepClone();
        role["Tags"] = tags.DeepClone();
        return role;
    }

    /// <summary>
    /// <c>{Id}Version</c> and a hash of what makes a new version: the code location (template
    /// parameters resolved), the environment and the memory size, as SAM computes it.
    /// </summary>
    private string VersionId(JsonObject code)
    {
        var data = (JsonObject)Resolve(code)!;
        if (_properties["Environment"] is JsonObject environment)
        {
            foreach (var (key, value) in environment)
                data[key] = value?.DeepClone();
        }
        if (_properties["MemorySize"] is { } memory)
            data["MemorySize"] = memory.DeepClone();
        if (_properties["AutoPublishCodeSha256"] is JsonValue sha && sha.GetValueKind() == JsonValueKind.String)
            return _id + "Version" + sha.GetValue<string>()[..Math.Min(10, sha.GetValue<string>().Length)];
        return SamLogicalIds.WithHash(_id + "Version", data);
    }

    /// <summary>A copy with <c>Ref</c>s to the stack's parameters replaced by their values.</summary>
    private JsonNode? Resolve(JsonNode? node) => node switch
    {
        JsonObject { Count: 1 } r when r["Ref"] is JsonValue name && name.GetValueKind() == JsonValueKind.String
            && _context.Parameters.TryGetValue(name.GetValue<string>(), out var value) => JsonValue.Create(value),
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Resolve(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Resolve)]),
        _ => node?.DeepClone(),
    };

    private JsonObject WithAttributes(JsonObject made, bool forRole)
    {
        foreach (var attribute in Attributes)
        {
            if (_resource[attribute] is { } value && (!forRole || attribute is "Condition"))
                made[attribute] = value.DeepClone();
        }
        return made;
    }

    /// <summary>A managed policy is attached once, however many times it is named.</summary>
    private static void AddOnce(JsonArray managed, string arn)
    {
        if (!managed.Any(m => m is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == arn))
            managed.Add(arn);
    }

    private static JsonObject Sorted(JsonObject properties) =>
        new(properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

    private static JsonObject Ref(string logicalId) => new() { ["Ref"] = logicalId };

    private TemplateException Invalid(string message) => new($"Resource {_id} (AWS::Serverless::Function): {message}");
}
