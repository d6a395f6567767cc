namespace Gatehouse.Functions.Model;

/// <summary>
/// Everything about one version of a function ($LATEST or a published number) that is fixed until
/// the next update: the code (by blob hash) and its configuration. Immutable: an update makes a new
/// one, so an execution environment always runs exactly the configuration it was started with.
/// </summary>
internal sealed record FunctionVersionConfig
{
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Runtime { get; init; }
    public required string Handler { get; init; }
    public required string Role { get; init; }
    public string Description { get; init; } = "";
    public int Timeout { get; init; } = 3;
    public int MemorySize { get; init; } = 128;
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public IReadOnlyList<string> Architectures { get; init; } = ["x86_64"];
    public int EphemeralStorage { get; init; } = 512;

    /// <summary>Lowercase hex SHA-256 naming the zip in the blob store.</summary>
    public required string CodeHash { get; init; }
    public required long CodeSize { get; init; }
    public required DateTimeOffset LastModified { get; init; }
    public required string RevisionId { get; init; }

    public string FunctionArn => Gatehouse.Core.AwsIds.LambdaFunctionArn(Region, Account, Name);

    /// <summary>The ARN the Runtime API hands to the runtime: qualified for published versions.</summary>
    public string VersionArn => Version == "$LATEST" ? FunctionArn : Gatehouse.Core.AwsIds.LambdaFunctionArn(Region, Account, Name, Version);

    /// <summary>AWS reports the code hash as base64 of the raw SHA-256.</summary>
    public string CodeSha256 => Convert.ToBase64String(Convert.FromHexString(CodeHash));

    public string LogGroup => "/aws/lambda/" + Name;
}
