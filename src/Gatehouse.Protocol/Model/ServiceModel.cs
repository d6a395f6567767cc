using System.Collections.Frozen;
using System.Text.Json;

namespace Gatehouse.Protocol.Model;

public enum WireProtocol
{
    AwsJson11,
    RestJson1,
    /// <summary>Form-encoded POST with <c>Action</c> and <c>Version</c>, XML answers (STS, IAM, CloudFormation).</summary>
    AwsQuery,
    /// <summary>HTTP bindings with XML bodies (S3).</summary>
    RestXml,
}

/// <summary>A parsed AWS service model: metadata, shapes and operations with their HTTP bindings.</summary>
public sealed class ServiceModel
{
    private ServiceModel(string name, JsonElement metadata)
    {
        Name = name;
        var protocol = metadata.GetProperty("protocol").GetString();
        Protocol = protocol switch
        {
            "json" => WireProtocol.AwsJson11,
            "rest-json" => WireProtocol.RestJson1,
            "query" => WireProtocol.AwsQuery,
            "rest-xml" => WireProtocol.RestXml,
            _ => throw new NotSupportedException($"Protocol '{protocol}' of {name} is not supported."),
        };
        TargetPrefix = metadata.TryGetProperty("targetPrefix", out var t) ? t.GetString() : null;
        EndpointPrefix = metadata.GetProperty("endpointPrefix").GetString()!;
        SigningName = metadata.TryGetProperty("signingName", out var s) ? s.GetString()! : EndpointPrefix;
        ServiceId = metadata.GetProperty("serviceId").GetString()!;
        ApiVersion = metadata.GetProperty("apiVersion").GetString()!;
        XmlNamespace = metadata.TryGetProperty("xmlNamespace", out var ns) && ns.ValueKind == JsonValueKind.String ? ns.GetString() : null;
    }

    /// <summary>The model's folder name, e.g. <c>cognito-idp</c>.</summary>
    public string Name { get; }
    public WireProtocol Protocol { get; }
    public string? TargetPrefix { get; }
    public string EndpointPrefix { get; }
    public string SigningName { get; }
    public string ServiceId { get; }
    public string ApiVersion { get; }

    /// <summary>The namespace of XML answers (awsQuery, restXml), e.g. <c>https://sts.amazonaws.com/doc/2011-06-15/</c>.</summary>
    public string? XmlNamespace { get; }
    public FrozenDictionary<string, Shape> Shapes { get; private set; } = FrozenDictionary<string, Shape>.Empty;
    public FrozenDictionary<string, OperationModel> Operations { get; private set; } = FrozenDictionary<string, OperationModel>.Empty;

    public string ContentType => Protocol == WireProtocol.AwsJson11 ? "application/x-amz-json-1.1" : "application/json";

    /// <summary>Loads a model embedded by the generator (<c>{name}.model.json</c>).</summary>
    public static ServiceModel LoadEmbedded(string name)
    {
        using var stream = typeof(ServiceModel).Assembly.GetManifestResourceStream(name + ".model.json")
            ?? throw new InvalidOperationException($"No embedded model named {name}.");
        using var document = JsonDocument.Parse(stream);
        return Parse(name, document.RootElement);
    }

    public static ServiceModel Parse(string name, JsonElement root)
    {
        var model = new ServiceModel(name, root.GetProperty("metadata"));
        var shapes = new Dictionary<string, Shape>(StringComparer.Ordinal);
        foreach (var property in root.GetProperty("shapes").EnumerateObject())
            shapes[property.Name] = new Shape(property.Name, property.Value);
        foreach (var shape in shapes.Values)
            shape.Resolve(shapes);
        model.Shapes = shapes.ToFrozenDictionary(StringComparer.Ordinal);

        var operations = new Dictionary<string, OperationModel>(StringComparer.Ordinal);
        foreach (var property in root.GetProperty("operations").EnumerateObject())
            operations[property.Name] = new OperationModel(property.Name, property.Value, shapes);
        model.Operations = operations.ToFrozenDictionary(StringComparer.Ordinal);
        return model;
    }

    /// <summary>The error shape named <paramref name="code"/>, if the model has it.</summary>
    public Shape? ErrorShape(string code)
    {
        if (Shapes.TryGetValue(code, out var shape) && shape.IsException)
            return shape;
        // awsQuery services name errors on the wire by their error code (NoSuchEntityException → NoSuchEntity).
        if (Protocol == WireProtocol.AwsQuery)
        {
            foreach (var candidate in Shapes.Values)
            {
                if (candidate.IsException && candidate.ErrorCode == code)
                    return candidate;
            }
        }
        return null;
    }
}

/// <summary>One operation: name, HTTP binding, input/output shapes.</summary>
public sealed class OperationModel
{
    internal OperationModel(string name, JsonElement json, IReadOnlyDictionary<string, Shape> shapes)
    {
        Name = name;
        var http = json.GetProperty("http");
        HttpMethod = http.GetProperty("method").GetString()!;
        RequestUri = http.GetProperty("requestUri").GetString()!;
        ResponseCode = http.TryGetProperty("responseCode", out var code) ? code.GetInt32() : 200;
        if (json.TryGetProperty("input", out var input))
            Input = shapes[input.GetProperty("shape").GetString()!];
        if (json.TryGetProperty("output", out var output))
        {
            Output = shapes[output.GetProperty("shape").GetString()!];
            if (output.TryGetProperty("resultWrapper", out var wrapper))
                ResultWrapper = wrapper.GetString();
        }
        Deprecated = json.TryGetProperty("deprecated", out var deprecated) && deprecated.GetBoolean();
        // AWS marks the operations it serves without a signature (Cognito's sign-in and
        // self-service calls, made from browsers and apps with no AWS credentials).
        Unsigned = (json.TryGetProperty("authtype", out var authtype) && authtype.GetString() == "none")
            || (json.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Array
                && auth.EnumerateArray().Any(a => a.GetString() == "smithy.api#noAuth"));
    }

    public string Name { get; }
    public string HttpMethod { get; }
    public string RequestUri { get; }
    public int ResponseCode { get; }
    public Shape? Input { get; }
    public Shape? Output { get; }

    /// <summary>The awsQuery element the output sits in, e.g. <c>GetRoleResult</c>.</summary>
    public string? ResultWrapper { get; }
    /// <summary>Superseded by another operation on the same URI (S3's GetBucketLifecycle); the newer one is routed to.</summary>
    public bool Deprecated { get; }

    /// <summary>Whether AWS serves the operation without a SigV4 signature (<c>"authtype": "none"</c>).</summary>
    public bool Unsigned { get; }
}
