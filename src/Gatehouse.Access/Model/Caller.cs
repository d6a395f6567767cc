namespace Gatehouse.Access.Model;

/// <summary>Who signed a request, as GetCallerIdentity and GetUser (without a name) answer it.</summary>
internal sealed record Caller(string Arn, string UserId, User? User, Session? Session)
{
    /// <summary>
    /// The identity of an access key: a session of STS, a key of an IAM user, or else the account's
    /// root — every key of the credentials file, and any key at all outside the strict mode.
    /// </summary>
    public static Caller Of(AccessSnapshot snapshot, string? accessKeyId, string account)
    {
        if (accessKeyId is not null)
        {
            if (snapshot.Sessions.TryGetValue(accessKeyId, out var session))
                return new Caller(session.Arn, session.UserId, null, session);
            if (snapshot.AccessKeys.TryGetValue(accessKeyId, out var key) && snapshot.Users.TryGetValue(key.UserName, out var user))
                return new Caller(user.Arn, user.UserId, user, null);
        }
        return new Caller($"arn:aws:iam::{account}:root", account, null, null);
    }
}
