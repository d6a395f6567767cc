namespace Gatehouse.Core;

/// <summary>Server-wide settings, bound from the command line, GATEHOUSE_* variables and gatehouse.json.</summary>
public sealed class GatehouseOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 4566;
    public string DataDirectory { get; set; } = ".gatehouse";
    public bool InMemory { get; set; }
    public string Region { get; set; } = "us-east-1";
    public string Account { get; set; } = "000000000000";

    /// <summary>The base URL Gatehouse hands out (issuers, API endpoints, code locations).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Whether POST /_gatehouse/reset is allowed; null means "only for the in-memory store".</summary>
    public bool? EnableReset { get; set; }

    /// <summary>Issue tokens with AWS-format issuers (https://cognito-idp.REGION.amazonaws.com/POOL).</summary>
    public bool AwsIssuers { get; set; }

    public bool ResetAllowed => EnableReset ?? InMemory;

    public string EffectivePublicUrl => (PublicUrl ?? $"http://{DisplayHost}:{Port}").TrimEnd('/');

    private string DisplayHost => Host is "0.0.0.0" or "::" or "[::]" ? "127.0.0.1" : Host;

    public void Validate()
    {
        if (Port is < 0 or > 65535)
            throw new ArgumentException($"Port {Port} is out of range (0-65535).");
        if (!AwsIds.IsRegion(Region))
            throw new ArgumentException($"'{Region}' is not a region name such as us-east-1.");
        if (Account.Length != 12 || !Account.All(char.IsAsciiDigit))
            throw new ArgumentException($"Account '{Account}' must be 12 digits.");
        if (PublicUrl is not null && !Uri.TryCreate(PublicUrl, UriKind.Absolute, out _))
            throw new ArgumentException($"Public URL '{PublicUrl}' is not an absolute URL.");
    }
}
