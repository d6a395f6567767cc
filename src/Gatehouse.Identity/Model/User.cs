namespace Gatehouse.Identity.Model;

internal static class UserStatus
{
    public const string Unconfirmed = "UNCONFIRMED";
    public const string Confirmed = "CONFIRMED";
    public const string ForceChangePassword = "FORCE_CHANGE_PASSWORD";
    public const string ResetRequired = "RESET_REQUIRED";
}

/// <summary>A one-time code the user was sent (sign-up confirmation or password reset), kept as a keyed hash.</summary>
internal sealed record PendingCode(string Purpose, string Hash, DateTimeOffset ExpiresAt, int Attempts);

/// <summary>
/// An immutable snapshot of a user; every change makes a new one (after the store accepted it), so
/// readers on the sign-in path never see a half-updated user.
/// </summary>
internal sealed record User
{
    public required string PoolId { get; init; }
    public required string Username { get; init; }
    public required string Sub { get; init; }
    public required string Status { get; init; }
    public bool Enabled { get; init; } = true;

    /// <summary>PBKDF2 hash in <see cref="Auth.PasswordHasher"/>'s format; null before a password is set.</summary>
    public string? PasswordHash { get; init; }

    public byte[]? SrpSalt { get; init; }

    /// <summary>The SRP verifier, sealed with the service's secret key.</summary>
    public byte[]? SrpVerifier { get; init; }

    /// <summary>Changes with every password change: invalidates cached credential checks.</summary>
    public required string CredentialStamp { get; init; }

    public DateTimeOffset? TemporaryPasswordExpiresAt { get; init; }

    /// <summary>Set by global sign-out: tokens issued before it are revoked.</summary>
    public DateTimeOffset? TokensValidAfter { get; init; }

    public PendingCode? Code { get; init; }

    /// <summary>Attributes in the order they were first set (as Cognito returns them).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Attributes { get; init; }

    public required DateTimeOffset Created { get; init; }
    public required DateTimeOffset Modified { get; init; }

    public string? Attribute(string name)
    {
        foreach (var (key, value) in Attributes)
        {
            if (key == name)
                return value;
        }
        return null;
    }
}

internal sealed record Group(string PoolId, string Name, string? Description, string? RoleArn, int? Precedence, DateTimeOffset Created, DateTimeOffset Modified);

/// <summary>A message Gatehouse would have delivered (e-mail or SMS), kept in the local outbox.</summary>
internal sealed record OutboxMessage(string Id, string PoolId, string Username, string Destination, string Medium, string Purpose, string Subject, string Body, string? Code, DateTimeOffset Created);
