using System.Text.Json.Nodes;
using Gatehouse.Access.Model;
using Gatehouse.Core;
using Gatehouse.Protocol;
using static Gatehouse.Access.Operations.Shapes;
using Ops = Gatehouse.Protocol.Generated.Sts.Operations;

namespace Gatehouse.Access.Operations;

/// <summary>
/// STS: who the caller is, and temporary credentials — a role's (AssumeRole) or the caller's own
/// (GetSessionToken). The credentials are kept in the state, so the strict SigV4 mode accepts them
/// with their session token until they expire, across restarts too.
/// </summary>
internal sealed class CredentialOperations : IAwsOperations
{
    /// <summary>How long expired sessions are kept, so their keys answer ExpiredToken rather than "invalid".</summary>
    private static readonly TimeSpan ExpiredKept = TimeSpan.FromDays(1);

    private readonly AccessState _state;
    private readonly GatehouseOptions _options;
    private readonly TimeProvider _time;

    public CredentialOperations(AccessState state, GatehouseOptions options, TimeProvider time)
    {
        _state = state;
        _options = options;
        _time = time;
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Ops.GetCallerIdentity, GetCallerIdentityAsync)
        .Map(Ops.AssumeRole, AssumeRoleAsync)
        .Map(Ops.GetSessionToken, GetSessionTokenAsync);

    private ValueTask<AwsResponse> GetCallerIdentityAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(_state.Current, request.Context.AccessKeyId, _options.Account);
        return ValueTask.FromResult<AwsResponse>(new JsonObject
        {
            ["UserId"] = caller.UserId,
            ["Account"] = _options.Account,
            ["Arn"] = caller.Arn,
        });
    }

    private ValueTask<AwsResponse> AssumeRoleAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var roleArn = input.Req("RoleArn");
        var sessionName = input.Req("RoleSessionName");
        var duration = input.Int("DurationSeconds") ?? 3600;
        var now = _time.GetUtcNow();
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var caller = Caller.Of(s, request.Context.AccessKeyId, _options.Account);
            // AWS answers AccessDenied for a role it cannot find as for one that does not trust the
            // caller (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html); trust
            // policies are stored, not evaluated.
            var name = roleArn[(roleArn.LastIndexOf('/') + 1)..];
            if (!s.Roles.TryGetValue(name, out var role) || role.Arn != roleArn)
                throw AccessErrors.NotAuthorizedToAssume(caller.Arn, roleArn);
            if (duration > role.MaxSessionDuration)
                throw AccessErrors.DurationAboveRoleMaximum(role.MaxSessionDuration);
            var session = NewSession(now.AddSeconds(duration),
                $"arn:aws:sts::{_options.Account}:assumed-role/{role.RoleName}/{sessionName}", $"{role.RoleId}:{sessionName}");
            var output = new JsonObject
            {
                ["Credentials"] = CredentialsOutput(session),
                ["AssumedRoleUser"] = new JsonObject { ["AssumedRoleId"] = session.UserId, ["Arn"] = session.Arn },
            };
            if (input.Str("Policy") is { } policy)
                output["PackedPolicySize"] = Math.Min(100, policy.Length * 100 / 2048);
            if (input.Str("SourceIdentity") is { } sourceIdentity)
                output["SourceIdentity"] = sourceIdentity;
            return (WithSession(s, session, now), output);
        }, cancellationToken));
    }

    private ValueTask<AwsResponse> GetSessionTokenAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        return RespondAsync(_state.UpdateAsync(s =>
        {
            var caller = Caller.Of(s, request.Context.AccessKeyId, _options.Account);
            if (caller.Session is not null)
                throw AccessErrors.SessionTokenFromSession();
            // 12 hours unless asked; the root user's sessions last at most one hour
            // (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html).
            var duration = request.Input.Int("DurationSeconds") ?? 43200;
            if (caller.User is null)
                duration = Math.Min(duration, 3600);
            var session = NewSession(now.AddSeconds(duration), caller.Arn, caller.UserId);
            return (WithSession(s, session, now), new JsonObject { ["Credentials"] = CredentialsOutput(session) });
        }, cancellationToken));
    }

    private static Session NewSession(DateTimeOffset expiration, string arn, string userId) => new()
    {
        AccessKeyId = NewAccessKeyId(temporary: true),
        SecretAccessKey = NewSecret(),
        // AWS's tokens are opaque base64 of a few hundred characters; nothing reads inside them.
        SessionToken = AwsIds.Random("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 320),
        // Whole seconds, as AWS hands out (the CLI and SDKs compare it with their clock).
        Expiration = DateTimeOffset.FromUnixTimeSeconds(expiration.ToUnixTimeSeconds()),
        Arn = arn,
        UserId = userId,
    };

    /// <summary>Adds the session, dropping sessions that expired more than a day ago.</summary>
    private static AccessSnapshot WithSession(AccessSnapshot snapshot, Session session, DateTimeOffset now)
    {
        var sessions = snapshot.Sessions;
        foreach (var (id, old) in sessions)
        {
            if (old.Expiration + ExpiredKept < now)
                sessions = sessions.Remove(id);
        }
        return snapshot with { Sessions = sessions.Add(session.AccessKeyId, session) };
    }

    private static JsonObject CredentialsOutput(Session session) => new()
    {
        ["AccessKeyId"] = session.AccessKeyId,
        ["SecretAccessKey"] = session.SecretAccessKey,
        ["SessionToken"] = session.SessionToken,
        ["Expiration"] = JsonValue.Create(session.Expiration),
    };
}
