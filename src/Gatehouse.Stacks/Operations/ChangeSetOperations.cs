using System.Text.Json.Nodes;
using Gatehouse.Protocol;
using Gatehouse.Stacks.Engine;
using Gatehouse.Stacks.Model;
using Ops = Gatehouse.Protocol.Generated.CloudFormation.Operations;

namespace Gatehouse.Stacks.Operations;

/// <summary>Change sets: create (CREATE or UPDATE), describe, execute
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets.html).</summary>
internal sealed class ChangeSetOperations(StackInputs inputs, StackEngine engine, TimeProvider time) : IAwsOperations
{
    private readonly Dictionary<string, PreparedTemplate> _prepared = new(StringComparer.Ordinal);

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateChangeSet, CreateChangeSetAsync)
        .Map(Ops.DescribeChangeSet, DescribeChangeSetAsync)
        .Map(Ops.ExecuteChangeSet, ExecuteChangeSetAsync);

    private async ValueTask<AwsResponse> CreateChangeSetAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var aws = request.Context;
        var stackName = input.Req("StackName");
        var changeSetName = input.Req("ChangeSetName");
        var type = input.Str("ChangeSetType") ?? "UPDATE";
        var existing = inputs.State.Find(aws.Account, aws.Region, stackName);
        if (type == "CREATE" && existing is not null && existing.Status != StackStatus.ReviewInProgress)
            throw StacksErrors.StackExists(stackName);
        if (type != "CREATE" && (existing is null || existing.Status == StackStatus.ReviewInProgress))
            throw StacksErrors.StackNotFound(stackName);
        if (existing is not null && StackStatus.InProgress(existing.Status))
            throw StacksErrors.InProgress(existing.StackId, existing.Status);
        var prepared = await inputs.PrepareAsync(input, stackName, existing, aws, cancellationToken).ConfigureAwait(false);
        var capabilities = StackInputs.Capabilities(input);
        StackInputs.CheckCapabilities(prepared, capabilities);
        var stack = existing;
        if (stack is null)
        {
            stack = new Stack { StackId = StackInputs.NewStackId(aws, stackName), StackName = stackName, Account = aws.Account, Region = aws.Region, CreationTime = time.GetUtcNow() };
            inputs.State.Add(stack);
            await inputs.State.SaveAsync(stack, cancellationToken).ConfigureAwait(false);
            await inputs.State.AddEventAsync(new StackEvent(Guid.NewGuid().ToString(), stack.StackId, stackName, stackName, stack.StackId, "AWS::CloudFormation::Stack", StackStatus.ReviewInProgress, "User Initiated", time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        if (inputs.State.FindChangeSet(changeSetName, stack) is not null)
            throw StacksErrors.ChangeSetExists(changeSetName);
        var changes = engine.Plan(stack, prepared);
        var changeSet = new ChangeSet
        {
            ChangeSetId = $"arn:aws:cloudformation:{aws.Region}:{aws.Account}:changeSet/{changeSetName}/{Guid.NewGuid()}",
            ChangeSetName = changeSetName, StackId = stack.StackId, StackName = stack.StackName, ChangeSetType = type, CreationTime = time.GetUtcNow(),
            Description = input.Str("Description"), TemplateBody = prepared.Body, Parameters = prepared.Given, Capabilities = capabilities,
            Tags = StackInputs.Tags(input), Changes = changes,
        };
        bool same;
        lock (inputs.State.Lock)
            same = type != "CREATE" && changes.Count == 0 && stack.TemplateBody == prepared.Body &&
                   stack.Parameters.Count == prepared.Given.Count && stack.Parameters.All(p => prepared.Given.GetValueOrDefault(p.Key) == p.Value);
        if (same)
        {
            changeSet.Status = "FAILED";
            changeSet.ExecutionStatus = "UNAVAILABLE";
            changeSet.StatusReason = StacksErrors.NoChanges;
        }
        lock (_prepared)
            _prepared[changeSet.ChangeSetId] = prepared;
        await inputs.State.SaveChangeSetAsync(changeSet, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["Id"] = changeSet.ChangeSetId, ["StackId"] = stack.StackId };
    }

    private (Stack? Stack, ChangeSet ChangeSet) Find(AwsRequest request)
    {
        var name = request.Input.Req("ChangeSetName");
        var stackName = request.Input.Str("StackName");
        var stack = stackName is null ? null : inputs.State.Find(request.Context.Account, request.Context.Region, stackName);
        var changeSet = inputs.State.FindChangeSet(name, stack) ?? throw StacksErrors.ChangeSetNotFound(name);
        return (stack ?? inputs.State.Find(request.Context.Account, request.Context.Region, changeSet.StackId), changeSet);
    }

    private ValueTask<AwsResponse> DescribeChangeSetAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (_, c) = Find(request);
        var o = new JsonObject
        {
            ["ChangeSetName"] = c.ChangeSetName, ["ChangeSetId"] = c.ChangeSetId, ["StackId"] = c.StackId, ["StackName"] = c.StackName,
            ["CreationTime"] = JsonValue.Create(c.CreationTime), ["ExecutionStatus"] = c.ExecutionStatus, ["Status"] = c.Status,
            ["Parameters"] = new JsonArray([.. c.Parameters.Select(p => (JsonNode)new JsonObject { ["ParameterKey"] = p.Key, ["ParameterValue"] = p.Value })]),
            ["Capabilities"] = new JsonArray([.. c.Capabilities.Select(x => (JsonNode)JsonValue.Create(x))]),
            ["Changes"] = c.Changes.DeepClone(),
        };
        if (c.StatusReason is not null)
            o["StatusReason"] = c.StatusReason;
        if (c.Description is not null)
            o["Description"] = c.Description;
        return ValueTask.FromResult<AwsResponse>(o);
    }

    private async ValueTask<AwsResponse> ExecuteChangeSetAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (stack, c) = Find(request);
        if (c.ExecutionStatus != "AVAILABLE" || stack is null)
            throw StacksErrors.ChangeSetNotExecutable(c.ChangeSetId, c.ExecutionStatus);
        if (StackStatus.InProgress(stack.Status))
            throw StacksErrors.InProgress(stack.StackId, stack.Status);
        PreparedTemplate? prepared;
        lock (_prepared)
            _prepared.Remove(c.ChangeSetId, out prepared);
        // After a restart the prepared template is gone: read it again from the change set.
        prepared ??= await PreparedTemplate.PrepareAsync(c.TemplateBody, c.Parameters, [], stack.StackName, request.Context, _ => Task.FromResult("")).ConfigureAwait(false);
        lock (inputs.State.Lock)
        {
            stack.Capabilities = c.Capabilities;
            stack.Tags = c.Tags;
            stack.DisableRollback = request.Input.Bool("DisableRollback") == true;
        }
        await inputs.State.DeleteChangeSetsAsync(null, stack.StackId, cancellationToken).ConfigureAwait(false);
        engine.StartDeploy(stack, prepared, create: c.ChangeSetType == "CREATE");
        return AwsResponse.Empty;
    }
}
