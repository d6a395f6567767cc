namespace Gatehouse.Core.Security;

/// <summary>
/// The access keys Gatehouse itself hands out (IAM users' keys, STS temporary credentials), for the
/// strict SigV4 mode to consult for keys its credentials file does not hold. Implemented by the
/// IAM/STS service from its in-memory state: no store read on the request path.
/// </summary>
public interface ICredentialDirectory
{
    /// <summary>The issued credential of <paramref name="accessKeyId"/>, or null when Gatehouse never issued it (or it was deleted).</summary>
    IssuedCredential? Find(string accessKeyId);
}

/// <summary>
/// One issued key: its secret, and for temporary credentials the session token the request must
/// carry (<c>X-Amz-Security-Token</c>) and when it stops working.
/// </summary>
public sealed record IssuedCredential(string AccessKeyId, string SecretAccessKey, string? SessionToken, DateTimeOffset? Expiration)
{
    /// <summary>Whether the key is switched off (IAM <c>UpdateAccessKey</c> Status=Inactive).</summary>
    public bool Inactive { get; init; }
}
