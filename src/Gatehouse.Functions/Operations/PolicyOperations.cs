using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using static Gatehouse.Functions.Operations.FunctionCatalog;

namespace Gatehouse.Functions.Operations;

/// <summary>A function's resource-based policy: AddPermission, RemovePermission, GetPolicy.</summary>
internal sealed class PolicyOperations : IAwsOperations
{
    private readonly FunctionCatalog _functions;

    public PolicyOperations(FunctionCatalog functions)
    {
        _functions = functions;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Lambda.Operations.AddPermission, AddPermissionAsync)
        .Map(Lambda.Operations.RemovePermission, RemovePermissionAsync)
        .Map(Lambda.Operations.GetPolicy, GetPolicyAsync);

    private ValueTask<AwsResponse> AddPermissionAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var (entry, qualifier) = _functions.Find(request);
        var input = request.Input;
        var sid = input.Req("StatementId");
        if (entry.Policy.Any(s => (string?)s["Sid"] == sid))
            throw FunctionErrors.StatementExists(sid);
        if (input.Str("RevisionId") is { } revision && revision != entry.PolicyRevisionId)
            throw FunctionErrors.RevisionMismatch();
        var principal = input.Req("Principal");
        var statement = new JsonObject
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Principal"] = principal.Contains('.', StringComparison.Ordinal) ? new JsonObject { ["Service"] = principal } : new JsonObject { ["AWS"] = principal == "*" ? "*" : $"arn:aws:iam::{principal}:root" },
            ["Action"] = input.Req("Action"),
            ["Resource"] = qualifier is null ? entry.Latest.Config.FunctionArn : AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, qualifier),
        };
        var condition = new JsonObject();
        if (input.Str("SourceArn") is { } sourceArn)
            condition["ArnLike"] = new JsonObject { ["AWS:SourceArn"] = sourceArn };
        if (input.Str("SourceAccount") is { } sourceAccount)
            condition["StringEquals"] = new JsonObject { ["AWS:SourceAccount"] = sourceAccount };
        if (condition.Count > 0)
            statement["Condition"] = condition;
        var policy = entry.Policy.Add(statement);
        var newRevision = AwsIds.NewUuid();
        await _functions.SaveAsync(entry, entry.ReservedConcurrency, entry.Tags, policy, newRevision, cancellationToken).ConfigureAwait(false);
        entry.Policy = policy;
        entry.PolicyRevisionId = newRevision;
        return new JsonObject { ["Statement"] = statement.ToJsonString() };
    }, cancellationToken);

    private ValueTask<AwsResponse> RemovePermissionAsync(AwsRequest request, CancellationToken cancellationToken) => _functions.LockedAsync(async () =>
    {
        var (entry, _) = _functions.Find(request);
        var sid = request.Input.Req("StatementId");
        var statement = entry.Policy.FirstOrDefault(s => (string?)s["Sid"] == sid) ?? throw FunctionErrors.StatementNotFound(sid);
        if (request.Input.Str("RevisionId") is { } revision && revision != entry.PolicyRevisionId)
            throw FunctionErrors.RevisionMismatch();
        var policy = entry.Policy.Remove(statement);
        var newRevision = AwsIds.NewUuid();
        await _functions.SaveAsync(entry, entry.ReservedConcurrency, entry.Tags, policy, newRevision, cancellationToken).ConfigureAwait(false);
        entry.Policy = policy;
        entry.PolicyRevisionId = newRevision;
        return new JsonObject();
    }, cancellationToken);

    private ValueTask<AwsResponse> GetPolicyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, _) = _functions.Find(request);
        if (entry.Policy.IsEmpty)
            throw FunctionErrors.NoPolicy(entry.Latest.Config.FunctionArn);
        var policy = new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Id"] = "default",
            ["Statement"] = new JsonArray([.. entry.Policy.Select(s => (JsonNode)s.DeepClone())]),
        };
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["Policy"] = policy.ToJsonString(), ["RevisionId"] = entry.PolicyRevisionId });
    }
}
