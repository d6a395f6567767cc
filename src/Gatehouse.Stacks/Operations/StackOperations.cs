using System.Text.Json.Nodes;
using Gatehouse.Protocol;
using Gatehouse.Stacks.Engine;
using Gatehouse.Stacks.Model;
using Ops = Gatehouse.Protocol.Generated.CloudFormation.Operations;

namespace Gatehouse.Stacks.Operations;

/// <summary>Stacks: describe and delete (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html).</summary>
internal sealed class StackOperations(StackInputs inputs, StackEngine engine) : IAwsOperations
{
    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.DescribeStacks, DescribeStacksAsync)
        .Map(Ops.DeleteStack, DeleteStackAsync);

    private ValueTask<AwsResponse> DescribeStacksAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Str("StackName");
        var stacks = name is null
            ? inputs.State.Stacks.Where(s => !s.Deleted && s.Account == request.Context.Account && s.Region == request.Context.Region).ToList()
            : [inputs.Find(request.Context, name)];
        JsonArray list;
        lock (inputs.State.Lock)
            list = [.. stacks.Select(StackOutput)];
        return ValueTask.FromResult<AwsResponse>(new JsonObject { ["Stacks"] = list });
    }

    private ValueTask<AwsResponse> DeleteStackAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        // Deleting a stack that does not exist succeeds (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeleteStack.html).
        var stack = inputs.State.Find(request.Context.Account, request.Context.Region, request.Input.Req("StackName"));
        if (stack is null || stack.Deleted || stack.Status == StackStatus.DeleteInProgress)
            return ValueTask.FromResult(AwsResponse.Empty);
        if (StackStatus.InProgress(stack.Status))
            throw StacksErrors.InProgress(stack.StackId, stack.Status);
        engine.StartDelete(stack);
        return ValueTask.FromResult(AwsResponse.Empty);
    }

    private static JsonObject StackOutput(Stack s)
    {
        var o = new JsonObject
        {
            ["StackId"] = s.StackId,
            ["StackName"] = s.StackName,
            ["CreationTime"] = JsonValue.Create(s.CreationTime),
            ["StackStatus"] = s.Status,
            ["DisableRollback"] = s.DisableRollback,
            ["Parameters"] = new JsonArray([.. s.Parameters.Select(p => (JsonNode)new JsonObject { ["ParameterKey"] = p.Key, ["ParameterValue"] = p.Value })]),
            ["Capabilities"] = new JsonArray([.. s.Capabilities.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["Tags"] = new JsonArray([.. s.Tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })]),
            ["Outputs"] = new JsonArray([.. s.Outputs.Select(Output)]),
        };
        if (s.StatusReason is not null)
            o["StackStatusReason"] = s.StatusReason;
        if (s.Description is not null)
            o["Description"] = s.Description;
        if (s.LastUpdatedTime is { } updated)
            o["LastUpdatedTime"] = JsonValue.Create(updated);
        if (s.DeletionTime is { } deleted)
            o["DeletionTime"] = JsonValue.Create(deleted);
        return o;
    }

    private static JsonNode Output(Model.StackOutput output)
    {
        var o = new JsonObject { ["OutputKey"] = output.OutputKey, ["OutputValue"] = output.OutputValue };
        if (output.Description is not null)
            o["Description"] = output.Description;
        if (output.ExportName is not null)
            o["ExportName"] = output.ExportName;
        return o;
    }
}
