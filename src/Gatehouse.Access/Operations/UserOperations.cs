using System.Text.Json.Nodes;
using Gatehouse.Access.Model;
using Gatehouse.Core;
using Gatehouse.Protocol;
using static Gatehouse.Access.Operations.Shapes;
using Ops = Gatehouse.Protocol.Generated.Iam.Operations;

namespace Gatehouse.Access.Operations;

/// <summary>IAM users, as far as deploy tools need them: create, read (the caller's own without a name), list, delete.</summary>
internal sealed class UserOperations : IAwsOperations
{
    private readonly AccessState _state;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;

    public UserOperations(AccessState state, GatehouseOptions options, TimeProvider time)
    {
        _state = state;
        _options = options;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.CreateUser, CreateUserAsync)
        .Map(Ops.GetUser, GetUserAsync)
        .Map(Ops.ListUsers, ListUsersAsync)
        .Map(Ops.DeleteUser, DeleteUserAsync);

    private ValueTask<AwsResponse> CreateUserAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("UserName");
        var path = Path(request.Input);
        var user = new User
        {
            UserName = name,
            UserId = NewId("AIDA"),
            Path = path,
            Arn = IamArn(_options.Account, "user", path, name),
            CreateDate = _time.GetUtcNow(),
            Tags = MergeTags([], ReadTags(request.Input)),
        };
        return RespondAsync(_state.UpdateAsync(s =>
        {
            if (s.Users.ContainsKey(name))
                throw AccessErrors.UserExists(name);
            return (s with { Users = s.Users.Add(name, user) }, new JsonObject { ["User"] = UserOutput(user) });
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetUserAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var snapshot = _state.Current;
        if (request.Input.Str("UserName") is { } name)
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["User"] = UserOutput(Find(snapshot, name)) });
        // Without a name IAM answers the caller (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetUser.html):
        // the root user of the account for root keys, which has no name; role sessions have no user.
        var caller = Caller.Of(snapshot, request.Context.AccessKeyId, _options.Account);
        if (caller.User is { } user)
            return ValueTask.FromResult<AwsResponse>(new JsonObject { ["User"] = UserOutput(user) });
        if (caller.Session is not null)
            throw AccessErrors.NoUserForCaller();
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["User"] = new JsonObject
            {
                ["UserId"] = _options.Account,
                ["Arn"] = caller.Arn,
                ["CreateDate"] = JsonValue.Create(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            },
        });
    }

    private ValueTask<AwsResponse> ListUsersAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var output = new JsonObject();
        output["Users"] = Page(request.Input, _state.Current.Users.Values.Where(u => UnderPath(u.Path, request.Input)), u => UserOutput(u), output);
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> DeleteUserAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var name = request.Input.Req("UserName");
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var user = Find(s, name);
            if (s.AccessKeys.Values.Any(k => string.Equals(k.UserName, user.UserName, StringComparison.OrdinalIgnoreCase)))
                throw AccessErrors.UserHasKeys();
            return (s with { Users = s.Users.Remove(name) }, new JsonObject());
        }, cancellationToken));
    }

    public static User Find(AccessSnapshot snapshot, string name) =>
        snapshot.Users.GetValueOrDefault(name) ?? throw AccessErrors.UserNotFound(name);
}
