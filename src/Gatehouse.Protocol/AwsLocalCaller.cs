using System.Text.Json.Nodes;
using Gatehouse.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Protocol;

/// <summary>
/// <see cref="IAwsCaller"/> over the dispatcher. The dispatcher is resolved at the first call, not
/// at construction: it is built from every service's operations, and CloudFormation's are among them.
/// </summary>
public sealed class AwsLocalCaller(IServiceProvider services) : IAwsCaller
{
    private AwsProtocolDispatcher? _dispatcher;

    public ValueTask<JsonObject> CallAsync(string model, string operation, JsonObject input, AwsRequestContext context, CancellationToken cancellationToken) =>
        (_dispatcher ??= services.GetRequiredService<AwsProtocolDispatcher>()).CallAsync(model, operation, input, context, cancellationToken);
}
