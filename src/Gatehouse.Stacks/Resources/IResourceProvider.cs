using System.Text.Json.Nodes;
using Gatehouse.Core;

namespace Gatehouse.Stacks.Resources;

/// <summary>
/// One CloudFormation resource type made real through the service that owns it, shaped like
/// CloudFormation's resource handler contract (create, update, delete;
/// https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-test-contract.html).
/// A provider calls the owning service's public operations through <see cref="IAwsCaller"/> and
/// never touches another service's state. One sealed class per type, in
/// <c>Resources/&lt;Service&gt;/&lt;Type&gt;Provider.cs</c>, registered with
/// <see cref="StacksServiceCollectionExtensions.AddResourceProvider{TProvider}"/>.
/// </summary>
internal interface IResourceProvider
{
    /// <summary>The type as templates name it, e.g. <c>AWS::Cognito::UserPool</c>.</summary>
    string Type { get; }

    /// <summary>
    /// Creates the resource. Its <see cref="ProvisionedResource.PhysicalId"/> is what <c>Ref</c>
    /// returns. Throws <see cref="AwsException"/> with the service's error when it cannot, having
    /// left nothing behind.
    /// </summary>
    ValueTask<ProvisionedResource> CreateAsync(ResourceRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Updates the resource in place (the engine replaces it instead — create the new, then delete
    /// the old — when a create-only property changed). <see cref="ResourceRequest.PhysicalId"/>,
    /// <see cref="ResourceRequest.PreviousProperties"/> and <see cref="ResourceRequest.PreviousAttributes"/> are set.
    /// </summary>
    ValueTask<ProvisionedResource> UpdateAsync(ResourceRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes the resource; one that is already gone counts as deleted.</summary>
    ValueTask DeleteAsync(ResourceRequest request, CancellationToken cancellationToken);
}

/// <param name="LogicalId">The resource's name in the template.</param>
/// <param name="Properties">
/// Its properties with every intrinsic function resolved and <c>AWS::NoValue</c> removed, as the
/// template wrote them: numbers and booleans may arrive as strings (parameters are strings), so read
/// them with <see cref="PropertyValues"/>.
/// </param>
internal sealed record ResourceRequest(string LogicalId, JsonObject Properties, StackScope Stack)
{
    /// <summary>Update and delete: the id the resource was created with.</summary>
    public string? PhysicalId { get; init; }

    /// <summary>Update: the properties it was last created or updated with.</summary>
    public JsonObject? PreviousProperties { get; init; }

    /// <summary>Update and delete: the attributes it was last created or updated with.</summary>
    public JsonObject? PreviousAttributes { get; init; }
}

/// <summary>The stack a resource belongs to, and the account and region its calls are made in.</summary>
internal sealed record StackScope(string StackName, string StackId, AwsRequestContext Aws)
{
    /// <summary>
    /// The name CloudFormation gives a resource whose template names none: stack name, logical id
    /// and a random suffix, cut to <paramref name="maxLength"/>
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html).
    /// </summary>
    public string GeneratedName(string logicalId, int maxLength = 255, bool lowerCase = false)
    {
        var suffix = AwsIds.NewApiGatewayId(12).ToUpperInvariant();
        var head = $"{StackName}-{logicalId}";
        var room = Math.Max(1, maxLength - suffix.Length - 1);
        var name = (head.Length > room ? head[..room] : head) + "-" + suffix;
        return lowerCase ? name.ToLowerInvariant() : name;
    }
}

/// <param name="PhysicalId">What <c>Ref</c> returns and the id shown in the stack's resources.</param>
/// <param name="Attributes">What <c>Fn::GetAtt</c> returns, by attribute name (e.g. <c>Arn</c>, <c>ProviderURL</c>).</param>
internal sealed record ProvisionedResource(string PhysicalId, JsonObject Attributes);
