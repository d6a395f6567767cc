using System.Text.Json.Nodes;
using Gatehouse.Access.Model;
using Gatehouse.Core;
using Gatehouse.Protocol;
using static Gatehouse.Access.Operations.Shapes;
using Ops = Gatehouse.Protocol.Generated.Iam.Operations;

namespace Gatehouse.Access.Operations;

/// <summary>
/// IAM users' access keys. The strict SigV4 mode accepts them (through <see cref="IssuedKeys"/>)
/// as soon as they are created, and refuses them once deleted or made inactive.
/// </summary>
internal sealed class AccessKeyOperations : IAwsOperations
{
    private const int MaxKeysPerUser = 2;

    private readonly AccessState _state;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;

    public AccessKeyOperations(AccessState state, GatehouseOptions options, TimeProvider time)
    {
        _state = state;
        _options = options;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateAccessKey, CreateAccessKeyAsync)
        .Map(Ops.ListAccessKeys, ListAccessKeysAsync)
        .Map(Ops.UpdateAccessKey, UpdateAccessKeyAsync)
        .Map(Ops.DeleteAccessKey, DeleteAccessKeyAsync);

    private ValueTask<AwsResponse> CreateAccessKeyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var user = UserOf(s, request);
            if (s.AccessKeys.Values.Count(k => k.UserName == user.UserName) >= MaxKeysPerUser)
                throw AccessErrors.TooManyKeys(user.UserName);
            var key = new AccessKey { AccessKeyId = NewAccessKeyId(temporary: false), SecretAccessKey = NewSecret(), UserName = user.UserName, CreateDate = now };
            return (s with { AccessKeys = s.AccessKeys.Add(key.AccessKeyId, key) }, new JsonObject
            {
                ["AccessKey"] = new JsonObject
                {
                    ["UserName"] = key.UserName,
                    ["AccessKeyId"] = key.AccessKeyId,
                    ["Status"] = key.Status,
                    ["SecretAccessKey"] = key.SecretAccessKey,
                    ["CreateDate"] = JsonValue.Create(key.CreateDate),
                },
            });
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> ListAccessKeysAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        var user = UserOf(snapshot, request);
        var output = new JsonObject();
        output["AccessKeyMetadata"] = Page(request.Input,
            snapshot.AccessKeys.Values.Where(k => k.UserName == user.UserName).OrderBy(k => k.CreateDate),
            k => new JsonObject { ["UserName"] = k.UserName, ["AccessKeyId"] = k.AccessKeyId, ["Status"] = k.Status, ["CreateDate"] = JsonValue.Create(k.CreateDate) },
            output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> UpdateAccessKeyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Input.Req("AccessKeyId");
        var status = request.Input.Req("Status");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var key = KeyOf(s, request, id);
            key = key with { Status = status };
            return (s with { AccessKeys = s.AccessKeys.SetItem(id, key) }, new JsonObject());
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> DeleteAccessKeyAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var id = request.Input.Req("AccessKeyId");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            KeyOf(s, request, id);
            return (s with { AccessKeys = s.AccessKeys.Remove(id) }, new JsonObject());
        }, cancellationToken));
    }

    /// <summary>The user named in the input, else the calling user (IAM's rule for the key operations).</summary>
    private User UserOf(AccessSnapshot snapshot, AwsRequest request)
    {
        if (request.Input.Str("UserName") is { } name)
            return UserOperations.Find(snapshot, name);
        return Caller.Of(snapshot, request.Context.AccessKeyId, _options.Account).User ?? throw AccessErrors.NoUserForCaller();
    }

    private AccessKey KeyOf(AccessSnapshot snapshot, AwsRequest request, string id)
    {
        var user = UserOf(snapshot, request);
        if (!snapshot.AccessKeys.TryGetValue(id, out var key) || !string.Equals(key.UserName, user.UserName, StringComparison.OrdinalIgnoreCase))
            throw AccessErrors.AccessKeyNotFound(id);
        return key;
    }
}
