using System.Text.Json.Nodes;

namespace Gatehouse.Stacks.Resources.CDK;

/// <summary>
/// AWS::CDK::Metadata: the CDK's version-reporting resource
/// (https://docs.aws.amazon.com/cdk/v2/guide/cli.html#version-reporting). Nothing to make; a no-op
/// so CDK templates deploy unchanged.
/// </summary>
internal sealed class MetadataProvider : IResourceProvider
{
    public string Type => "AWS::CDK::Metadata";

    public ValueTask<ProvisionedResource> CreateAsync(ResourceRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ProvisionedResource(request.Stack.GeneratedName(request.LogicalId), new JsonObject()));

    public ValueTask<ProvisionedResource> UpdateAsync(ResourceRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ProvisionedResource(request.PhysicalId!, new JsonObject()));

    public ValueTask DeleteAsync(ResourceRequest request, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
