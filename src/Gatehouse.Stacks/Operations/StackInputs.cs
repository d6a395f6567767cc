using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Stacks.Engine;
using Gatehouse.Stacks.Model;
using Gatehouse.Stacks.Templates;

namespace Gatehouse.Stacks.Operations;

/// <summary>What CreateStack, UpdateStack and CreateChangeSet share: the template and its parameters read from the input.</summary>
internal sealed class StackInputs(StackState state, IEnumerable<ITemplateTransform> transforms, IServiceProvider services, IAwsCaller caller)
{
    public StackState State => state;

    public Stack Find(AwsRequestContext aws, string nameOrId) =>
        state.Find(aws.Account, aws.Region, nameOrId) ?? throw StacksErrors.StackNotFound(nameOrId);

    /// <summary>
    /// The template (TemplateBody, TemplateURL on Gatehouse's S3, or UsePreviousTemplate) prepared with
    /// the parameters given (UsePreviousValue: the stack's last value).
    /// </summary>
    public async Task<PreparedTemplate> PrepareAsync(JsonObject input, string stackName, Stack? previous, AwsRequestContext aws, CancellationToken cancellationToken)
    {
        string body;
        if (input.Str("TemplateBody") is { } text)
            body = text;
        else if (input.Str("TemplateURL") is { } url)
            body = await ReadUrlAsync(url, cancellationToken).ConfigureAwait(false);
        else if (input.Bool("UsePreviousTemplate") == true && previous is not null)
            body = previous.TemplateBody;
        else
            throw StacksErrors.Validation("Either Template URL or Template Body must be specified.");
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in input.Arr("Parameters")?.OfType<JsonObject>() ?? [])
        {
            var key = p.Str("ParameterKey") ?? throw StacksErrors.Validation("ParameterKey must be specified.");
            if (p.Bool("UsePreviousValue") == true)
            {
                if (previous?.Parameters.TryGetValue(key, out var old) == true)
                    parameters[key] = old;
            }
            else
                parameters[key] = p.Str("ParameterValue") ?? "";
        }
        return await PreparedTemplate.PrepareAsync(body, parameters, transforms, stackName, aws, name => SsmParameterAsync(name, aws, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<string> SsmParameterAsync(string name, AwsRequestContext aws, CancellationToken cancellationToken)
    {
        try
        {
            var output = await caller.CallAsync("ssm", "GetParameter", new JsonObject { ["Name"] = name }, aws, cancellationToken).ConfigureAwait(false);
            return output["Parameter"]?["Value"]?.GetValue<string>() ?? "";
        }
        catch (AwsException)
        {
            throw new TemplateException($"Parameters [{name}] referenced by template have types not supported by CloudFormation.");
        }
    }

    /// <summary>
    /// A template URL names an object of Gatehouse's S3, path style (<c>http://host/bucket/key</c>) or
    /// virtual-hosted (<c>https://bucket.s3.amazonaws.com/key</c>)
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-using-console-create-stack-template.html).
    /// </summary>
    private async Task<string> ReadUrlAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw StacksErrors.Validation("TemplateURL must be a supported URL.");
        var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        string bucket, key;
        var host = uri.Host;
        var s3 = host.IndexOf(".s3", StringComparison.Ordinal);
        if (s3 > 0)
            (bucket, key) = (host[..s3], path);
        else
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0)
                throw StacksErrors.Validation("TemplateURL must be a supported URL.");
            (bucket, key) = (path[..slash], path[(slash + 1)..]);
        }
        if (services.GetService(typeof(IObjectReader)) is not IObjectReader reader)
            throw StacksErrors.Validation("TemplateURL must be a supported URL.");
        var read = await reader.ReadAsync(bucket, key, null, cancellationToken).ConfigureAwait(false);
        return read.Content is { } bytes
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : throw StacksErrors.Validation($"S3 error: {read.ErrorMessage ?? "Access Denied"}");
    }

    public static List<string> Capabilities(JsonObject input) => [.. input.Strings("Capabilities")];

    public static Dictionary<string, string> Tags(JsonObject input) =>
        input.Arr("Tags")?.OfType<JsonObject>().Where(t => t.Str("Key") is not null).ToDictionary(t => t.Str("Key")!, t => t.Str("Value") ?? "", StringComparer.Ordinal)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// IAM resources need the capability acknowledged
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html#using-iam-capabilities).
    /// </summary>
    public static void CheckCapabilities(PreparedTemplate template, List<string> capabilities)
    {
        var iam = template.Resources.Select(r => r.Value?["Type"]?.GetValue<string>() ?? "").Where(t => t.StartsWith("AWS::IAM::", StringComparison.Ordinal)).ToList();
        if (iam.Count == 0 || capabilities.Contains("CAPABILITY_IAM") || capabilities.Contains("CAPABILITY_NAMED_IAM"))
            return;
        throw new AwsException("InsufficientCapabilitiesException", $"Requires capabilities : [CAPABILITY_IAM]", 400);
    }

    public static string NewStackId(AwsRequestContext aws, string name) =>
        $"arn:aws:cloudformation:{aws.Region}:{aws.Account}:stack/{name}/{Guid.NewGuid()}";
}
