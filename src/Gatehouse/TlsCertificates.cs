using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Core;

namespace Gatehouse;

/// <summary>
/// The certificate HTTPS is served with: the operator's PEM files (<c>--tls-certificate</c>,
/// <c>--tls-key</c>), or one Gatehouse makes for the names it hands out (<c>--tls self-signed</c>).
/// A generated certificate is kept in the data directory (<c>tls-certificate.pem</c>, and
/// <c>tls-key.pem</c> readable by its owner only), so a client told to trust it once
/// (<c>aws --ca-bundle DATA/tls-certificate.pem</c>, <c>NODE_EXTRA_CA_CERTS</c>) keeps trusting it
/// across restarts. All key and certificate work is the framework's (System.Security.Cryptography).
/// </summary>
internal static class TlsCertificates
{
    public const string CertificateFile = "tls-certificate.pem";
    public const string KeyFile = "tls-key.pem";

    /// <summary>Replaced this long before it expires.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>The certificate to serve, or null when TLS is off.</summary>
    /// <param name="directory">Where a generated certificate is kept.</param>
    public static X509Certificate2? Load(GatehouseOptions options, string directory, TimeProvider time)
    {
        if (options.TlsCertificate is { } certificateFile)
            return FromPem(certificateFile, options.TlsKey!);
        if (!options.TlsSelfSigned)
            return null;
        var names = Names(options);
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var existing = FromPem(certificatePath, keyPath);
            if (existing.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime > RenewBefore && Covers(existing, names))
                return existing;
            existing.Dispose();
        }
        Directory.CreateDirectory(directory);
        using var created = Create(names, time.GetUtcNow());
        WriteOwnerOnly(keyPath, created.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, created.ExportCertificatePem() + "\n");
        return FromPem(certificatePath, keyPath);
    }

    /// <summary>A connection handler that trusts exactly the certificate in <paramref name="certificateFile"/> (the quickstart calling its own server).</summary>
    public static HttpMessageHandler TrustingOnly(string certificateFile)
    {
        using var trusted = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile));
        var thumbprint = trusted.GetCertHashString(HashAlgorithmName.SHA256);
        return new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) =>
                    presented is not null && string.Equals(presented.GetCertHashString(HashAlgorithmName.SHA256), thumbprint, StringComparison.OrdinalIgnoreCase),
            },
        };
    }

    private static X509Certificate2 FromPem(string certificateFile, string keyFile)
    {
        if (!File.Exists(certificateFile))
            throw new ArgumentException($"TLS certificate '{certificateFile}' does not exist.");
        if (!File.Exists(keyFile))
            throw new ArgumentException($"TLS key '{keyFile}' does not exist.");
        try
        {
            return X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (CryptographicException error)
        {
            throw new ArgumentException($"TLS certificate '{certificateFile}' with key '{keyFile}' cannot be used: {error.Message}");
        }
    }

    /// <summary>
    /// The names a generated certificate covers: loopback addresses, <c>localhost</c> and the
    /// one-label wildcards under it that Gatehouse hands out (<c>{api}.execute-api.localhost</c>,
    /// <c>{prefix}.auth.localhost</c>), and the host of <c>--public-url</c> with the same two.
    /// </summary>
    internal static IReadOnlyList<string> Names(GatehouseOptions options)
    {
        var names = new List<string> { "localhost", "*.localhost", "*.execute-api.localhost", "*.auth.localhost", "127.0.0.1", "::1" };
        if (options.PublicUrl is not null && Uri.TryCreate(options.PublicUrl, UriKind.Absolute, out var publicUrl))
        {
            var host = publicUrl.Host.Trim('[', ']');
            names.Add(host);
            if (publicUrl.HostNameType == UriHostNameType.Dns)
            {
                names.Add("*.execute-api." + host);
                names.Add("*.auth." + host);
            }
        }
        if (!IPAddress.TryParse(options.Host.Trim('[', ']'), out var bound) || !IPAddress.Any.Equals(bound) && !IPAddress.IPv6Any.Equals(bound))
            names.Add(options.Host.Trim('[', ']'));
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static bool Covers(X509Certificate2 certificate, IReadOnlyList<string> names)
    {
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (extension is null)
            return false;
        var present = new HashSet<string>(extension.EnumerateDnsNames(), StringComparer.OrdinalIgnoreCase);
        foreach (var address in extension.EnumerateIPAddresses())
            present.Add(address.ToString());
        return names.All(present.Contains);
    }

    private static X509Certificate2 Create(IReadOnlyList<string> names, DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Gatehouse local TLS", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
                alternativeNames.AddIpAddress(address);
            else
                alternativeNames.AddDnsName(name);
        }
        request.CertificateExtensions.Add(alternativeNames.Build());
        // Self-signed and presented as its own trust anchor (clients are given this file as their
        // CA bundle), so it is marked as a CA that can sign only itself.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(397));
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(text + "\n");
        File.Move(temporary, path, overwrite: true);
    }
}
