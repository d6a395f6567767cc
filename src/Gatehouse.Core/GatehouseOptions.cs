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

    /// <summary>
    /// Listen on an address other machines can reach even though any access key works: every
    /// signed operation (creating and invoking functions among them) is then open to the network.
    /// </summary>
    public bool AllowRemote { get; set; }

    /// <summary>How signed requests are checked: any signature (the default), or recomputed SigV4.</summary>
    public AuthMode Auth { get; set; } = AuthMode.Any;

    /// <summary>The shared-credentials file of the keys strict mode accepts; null generates one in the data directory.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>A PEM certificate (chain) to serve HTTPS with; <see cref="TlsKey"/> names its private key.</summary>
    public string? TlsCertificate { get; set; }

    /// <summary>The PEM private key of <see cref="TlsCertificate"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>Serve HTTPS with a certificate Gatehouse generates for the local names (kept in the data directory).</summary>
    public bool TlsSelfSigned { get; set; }

    /// <summary>Whether the port speaks HTTPS (and the URLs handed out start with https://).</summary>
    public bool UsesTls => TlsSelfSigned || TlsCertificate is not null;

    public bool ResetAllowed => EnableReset ?? InMemory;

    /// <summary>Whether <see cref="Host"/> is reachable from this machine only.</summary>
    public bool IsLoopback => Host == "localhost" || (System.Net.IPAddress.TryParse(Host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));

    public string EffectivePublicUrl => (PublicUrl ?? $"{(UsesTls ? "https" : "http")}://{DisplayHost}:{Port}").TrimEnd('/');

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
        if (Host != "localhost" && !System.Net.IPAddress.TryParse(Host.Trim('[', ']'), out _))
            throw new ArgumentException($"Host '{Host}' is not an IP address or localhost.");
        if (CredentialsFile is not null && Auth != AuthMode.SigV4)
            throw new ArgumentException("--credentials names the keys of --auth sigv4; pass --auth sigv4 too.");
        if ((TlsCertificate is null) != (TlsKey is null))
            throw new ArgumentException("--tls-certificate and --tls-key go together: name both PEM files.");
        if (TlsSelfSigned && TlsCertificate is not null)
            throw new ArgumentException("--tls self-signed and --tls-certificate exclude each other: pass one.");
        if (!IsLoopback && !AllowRemote)
            throw new ArgumentException($"Refusing to listen on {Host}: other machines could call every operation with any access key. Use --host 127.0.0.1, or pass --allow-remote to accept that.");
    }
}

/// <summary>The <c>--auth</c> setting.</summary>
public enum AuthMode
{
    /// <summary>Any well-formed signature is accepted, as a local emulator usually does.</summary>
    Any,

    /// <summary>Signatures are recomputed with the keys of the credentials file, as AWS does.</summary>
    SigV4,
}
