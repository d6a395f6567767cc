using System.Net;
using System.Reflection;
using System.Text.Json;
using Gatehouse.Access;
using Gatehouse.Core;
using Gatehouse.Core.Security;
using Gatehouse.Functions;
using Gatehouse.Gateway;
using Gatehouse.Identity;
using Gatehouse.Parameters;
using Gatehouse.Objects;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Signing;
using Gatehouse.Stacks;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Gatehouse;

/// <summary>
/// The composition root: one Kestrel server on one port, the store, and every service behind the
/// AWS protocol layer. Request routing, in order: the HTTP API data plane (by Host or path prefix),
/// Gatehouse's own endpoints and the services' non-AWS endpoints, then AWS API calls.
/// </summary>
internal sealed class GatehouseServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IDatabase _database;
    private readonly BlobStore _blobs;

    private GatehouseServer(WebApplication app, IDatabase database, BlobStore blobs, Uri address, AccessKeys? keys, string? tlsCertificate)
    {
        TlsCertificatePath = tlsCertificate;
        Keys = keys;
        _app = app;
        _database = database;
        _blobs = blobs;
        Address = address;
    }

    /// <summary>The address the server listens on (the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The keys of the strict SigV4 mode (<c>--auth sigv4</c>); null when any signature is accepted.</summary>
    public AccessKeys? Keys { get; }

    /// <summary>The PEM file of the certificate HTTPS is served with (what clients trust); null without TLS.</summary>
    public string? TlsCertificatePath { get; }

    public static string Version =>
        typeof(GatehouseServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <param name="quiet">Log warnings and errors only (verbs whose output is a document, such as coverage).</param>
    public static async Task<GatehouseServer> StartAsync(GatehouseOptions options, FunctionsOptions functions, CancellationToken cancellationToken, bool quiet = false)
    {
        var health = new StoreHealth();
        var sqlite = options.InMemory
            ? await SqliteDatabase.OpenInMemoryAsync(cancellationToken).ConfigureAwait(false)
            : await SqliteDatabase.OpenFileAsync(options.DataDirectory, cancellationToken, health).ConfigureAwait(false);
        health = sqlite.Health;
        IDatabase database = sqlite;
        var blobs = options.InMemory ? BlobStore.CreateTemporary() : new BlobStore(Path.Combine(options.DataDirectory, "blobs"), health: health);

        // HTTPS on the same port (--tls self-signed, or --tls-certificate/--tls-key): Kestrel's TLS,
        // with the certificate loaded before the host is built so a bad file stops the start.
        var tlsDirectory = options.InMemory ? Directory.CreateTempSubdirectory("gatehouse-tls-").FullName : options.DataDirectory;
        var certificate = TlsCertificates.Load(options, tlsDirectory, TimeProvider.System);
        var certificatePath = certificate is null ? null
            : options.TlsCertificate is { } own ? Path.GetFullPath(own) : Path.Combine(Path.GetFullPath(tlsDirectory), TlsCertificates.CertificateFile);

        // Gatehouse reads no appsettings files: root the host at its own folder and watch nothing,
        // or it would put file watchers on whatever directory it was started in (a repository with
        // node_modules costs hundreds of milliseconds at start).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(quiet ? LogLevel.Warning : LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // Kestrel logs each request it rejects (bad framing, a stalled body) with its exception:
        // client errors, answered on the wire, never a stack trace in the log (a rule more specific
        // than "Microsoft", so configuration that lowers "Microsoft" does not bring them back).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.BadRequests", LogLevel.None);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The largest AWS request Gatehouse accepts (a 50 MB function zip, base64-encoded);
            // each service enforces its own, smaller limit with its own AWS error.
            kestrel.Limits.MaxRequestBodySize = 70L * 1024 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            var address = options.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Host.Trim('[', ']'));
            if (certificate is null)
                kestrel.Listen(address, options.Port);
            else
                kestrel.Listen(address, options.Port, listen => listen.UseHttps(certificate));
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(functions);
        services.AddSingleton(database);
        services.AddSingleton(blobs);
        services.AddSingleton(health);
        services.AddSingleton(new StoreSpace(options.InMemory ? Path.GetTempPath() : options.DataDirectory));
        services.AddSingleton(TimeProvider.System);
        AccessKeys? keys = null;
        if (options.Auth == AuthMode.SigV4)
        {
            // No file named: one root key pair, kept in the data directory (a fresh temporary
            // directory for the in-memory store, which writes nothing where it was started).
            keys = options.CredentialsFile is { } file
                ? AccessKeys.Load(file)
                : AccessKeys.LoadOrCreate(options.InMemory ? Directory.CreateTempSubdirectory("gatehouse-keys-").FullName : options.DataDirectory);
            services.AddSingleton(keys);
            services.AddSingleton<ISignatureVerifier, SigV4Verifier>();
        }
        else
        {
            services.AddSingleton<ISignatureVerifier, AcceptAnySignature>();
        }
        services.AddSingleton<ServedHosts>();
        services.AddSingleton<AwsProtocolDispatcher>();
        services.AddGatehouseIdentity();
        services.AddGatehouseFunctions();
        services.AddGatehouseGateway();
        services.AddGatehouseParameters();
        services.AddGatehouseAccess();
        services.AddGatehouseObjects();
        services.AddGatehouseStacks();
        // In-process calls of every service's operations (CloudFormation's resource providers).
        services.AddSingleton<IAwsCaller, AwsLocalCaller>();
        services.AddRouting();

        var app = builder.Build();
        if (sqlite.ReadOnly)
            Log.ReadOnlyStore(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<GatehouseServer>());
        foreach (var service in app.Services.GetServices<IGatehouseService>())
            await service.StartAsync(cancellationToken).ConfigureAwait(false);

        var dispatcher = app.Services.GetRequiredService<AwsProtocolDispatcher>();
        app.UseMiddleware<HttpFraming>();
        app.UseMiddleware<RequestGuard>();
        app.UseGatehouseGateway();
        app.UseRouting();
        app.MapGet("/_gatehouse/health", (HttpContext http) => WriteHealthAsync(http, app.Services));
        app.MapPost("/_gatehouse/reset", (HttpContext http) => ResetAsync(http, app.Services));
        app.MapGatehouseIdentity();
        app.MapGatehouseFunctions();
        app.MapGatehouseGateway();
        // Any path, including ones that look like file names (S3 keys such as dir/index.html).
        app.MapFallback("/{**path}", dispatcher.HandleAsync);

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // The address really bound: 0.0.0.0 stays 0.0.0.0 (every interface), so the ready line never
        // suggests loopback-only when it is not.
        var uri = new Uri(bound);
        if (options.Port == 0)
            options.Port = uri.Port;
        // Load the service models after the server is ready, so start-up stays short.
        _ = Task.Run(dispatcher.Warm, CancellationToken.None);
        return new GatehouseServer(app, database, blobs, uri, keys, certificatePath);
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    private static async Task WriteHealthAsync(HttpContext http, IServiceProvider services)
    {
        var options = services.GetRequiredService<GatehouseOptions>();
        var database = services.GetRequiredService<IDatabase>();
        var coverage = services.GetRequiredService<AwsProtocolDispatcher>().Coverage().ToDictionary(c => c.Model);
        http.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(http.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("status", "running");
        writer.WriteString("version", Version);
        writer.WriteString("region", options.Region);
        writer.WriteString("account", options.Account);
        writer.WriteStartObject("store");
        writer.WriteString("provider", options.InMemory ? "memory" : database.Provider);
        writer.WriteString("location", database.Description);
        // A failed write names its condition (full, read-only); before any has failed, free space
        // under the threshold is reported as "low-space" so a monitor can act before writes fail.
        var condition = services.GetRequiredService<StoreHealth>().Condition;
        var (freeBytes, low) = services.GetRequiredService<StoreSpace>().Check();
        writer.WriteString("state", condition == StoreCondition.Ok && low ? "low-space" : StoreUnavailableException.NameOf(condition));
        if (freeBytes is { } free)
            writer.WriteNumber("freeBytes", free);
        writer.WriteEndObject();
        writer.WriteStartObject("services");
        foreach (var service in services.GetServices<IGatehouseService>())
        {
            writer.WriteStartObject(service.Name);
            writer.WriteString("state", service.State);
            if (coverage.TryGetValue(service.Name, out var c))
            {
                writer.WriteNumber("operations", c.Operations);
                writer.WriteNumber("implemented", c.Implemented);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static async Task ResetAsync(HttpContext http, IServiceProvider services)
    {
        var options = services.GetRequiredService<GatehouseOptions>();
        http.Response.ContentType = "application/json";
        if (!options.ResetAllowed)
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsync("{\"message\":\"Reset is disabled for a persistent store; start the server with --enable-reset to allow it.\"}").ConfigureAwait(false);
            return;
        }
        foreach (var service in services.GetServices<IGatehouseService>())
            await service.ResetAsync(http.RequestAborted).ConfigureAwait(false);
        await http.Response.WriteAsync("{\"reset\":true}").ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
        _blobs.Dispose();
    }
}

internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Warning, "The data directory is read-only: everything stored is served, and every change answers 503 ServiceUnavailableException until it is writable again.")]
    public static partial void ReadOnlyStore(ILogger logger);
}
