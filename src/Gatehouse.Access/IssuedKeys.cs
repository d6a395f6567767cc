using Gatehouse.Access.Model;
using Gatehouse.Core.Security;

namespace Gatehouse.Access;

/// <summary>
/// The keys IAM and STS hand out, for the strict SigV4 mode: IAM users' access keys (refused when
/// inactive) and STS sessions with their token and expiration. Read from the published snapshot,
/// without a lock or a store read.
/// </summary>
internal sealed class IssuedKeys : ICredentialDirectory
{
    private readonly AccessState _state;

    public IssuedKeys(AccessState state) => _state = state;

    public IssuedCredential? Find(string accessKeyId)
    {
        var snapshot = _state.Current;
        if (snapshot.Sessions.TryGetValue(accessKeyId, out var session))
            return new IssuedCredential(session.AccessKeyId, session.SecretAccessKey, session.SessionToken, session.Expiration);
        if (snapshot.AccessKeys.TryGetValue(accessKeyId, out var key))
            return new IssuedCredential(key.AccessKeyId, key.SecretAccessKey, null, null) { Inactive = key.Status != "Active" };
        return null;
    }
}
