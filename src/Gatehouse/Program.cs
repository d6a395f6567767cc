using System.Diagnostics;
using Gatehouse;
using Gatehouse.Core;
using Gatehouse.Quickstart;
using Microsoft.Extensions.DependencyInjection;

// gatehouse <verb> [options]
//   serve       run the server (the default verb)
//   version     print the version
var verb = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "serve";
var rest = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[1..] : args;

try
{
    return verb switch
    {
        "serve" => await Cli.ServeAsync(rest),
        "quickstart" => await Cli.QuickstartAsync(rest),
        "coverage" => await Cli.CoverageAsync(rest),
        "version" or "--version" => Cli.PrintVersion(),
        "logs" => await Gatehouse.Functions.Logs.LogsCommand.RunAsync(rest, Console.Out, Console.Error, Cli.CancelOnCtrlC()),
        "help" or "--help" or "-h" => Cli.PrintHelp(),
        _ => Cli.Fail($"Unknown command '{verb}'. Run 'gatehouse help'."),
    };
}
catch (ArgumentException error)
{
    return Cli.Fail(error.Message);
}
catch (StoreUnavailableException error) when (error.Condition == StoreCondition.ReadOnly)
{
    // The store could not be opened or migrated: say why, without a stack trace.
    return Cli.Fail("the data directory is read-only and its store cannot be opened or brought up to date (a read-only directory needs a store written by this version). Make it writable, or pass another --data directory.");
}
catch (StoreUnavailableException error)
{
    return Cli.Fail("the data store cannot be written at start: " + error.Message);
}

internal static class Cli
{
    public static async Task<int> ServeAsync(string[] args)
    {
        var (options, functions) = LoadOptions(args);
        await using var server = await StartAsync(options, functions);
        await server.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Starts the server and creates (or reuses) the seed's stack, then prints how to use it.</summary>
    public static async Task<int> QuickstartAsync(string[] args)
    {
        var (options, functions) = LoadOptions(args);
        await using var server = await StartAsync(options, functions);
        // Strict mode: signed with the server's own first key; otherwise any key does.
        var (keyId, secret) = server.Keys is { } keys && keys.TryGetSecret(keys.FirstAccessKeyId, out var first)
            ? (keys.FirstAccessKeyId, first)
            : ("gatehouse-quickstart", "gatehouse-quickstart");
        using var client = new LocalAwsClient(server.Address, options.Region, keyId, secret, TimeSpan.FromSeconds(60),
            handler: server.TlsCertificatePath is { } certificate ? TlsCertificates.TrustingOnly(certificate) : null);
        SeedStack.Result stack;
        try
        {
            stack = await new SeedStack(client, options).EnsureAsync();
        }
        catch (LocalAwsException error)
        {
            Console.Error.WriteLine("gatehouse: the quickstart stack could not be created: " + error.Message);
            return 1;
        }
        Console.WriteLine(QuickstartReport.Render(stack, server.Address.ToString().TrimEnd('/'), options.Region));
        await server.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Prints, as Markdown, which operations of each AWS model Gatehouse implements.</summary>
    public static async Task<int> CoverageAsync(string[] args)
    {
        var (options, functions) = LoadOptions(args);
        options.InMemory = true;
        options.Port = 0;
        await using var server = await GatehouseServer.StartAsync(options, functions, CancellationToken.None, quiet: true);
        Console.Write(CoverageReport.Render(server.Services.GetRequiredService<Gatehouse.Protocol.AwsProtocolDispatcher>()));
        return 0;
    }

    private static (GatehouseOptions Server, Gatehouse.Functions.FunctionsOptions Functions) LoadOptions(string[] args) =>
        OptionsLoader.LoadAll(args, Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal));

    private static async Task<GatehouseServer> StartAsync(GatehouseOptions options, Gatehouse.Functions.FunctionsOptions functions)
    {
        var server = await GatehouseServer.StartAsync(options, functions, CancellationToken.None);
        if (server.Keys is { } keys)
        {
            // The secret stays in the file: never in a log.
            Console.WriteLine(keys.Generated
                ? $"Gatehouse checks SigV4 signatures: new root access key {keys.FirstAccessKeyId}, its secret is in {keys.Path}"
                : $"Gatehouse checks SigV4 signatures: {keys.Count} access key(s) from {keys.Path} (first: {keys.FirstAccessKeyId})");
        }
        if (server.TlsCertificatePath is { } certificate)
            Console.WriteLine(options.TlsSelfSigned
                ? $"Gatehouse serves HTTPS with a self-signed certificate: trust {certificate} (aws --ca-bundle, AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS)"
                : $"Gatehouse serves HTTPS with the certificate in {certificate}");
        // Process.StartTime is a local wall-clock time, so the start-up time is measured against the same clock.
#pragma warning disable RS0030 // the ambient clock is banned in src/
        var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
#pragma warning restore RS0030
        Console.WriteLine($"Gatehouse ready on {server.Address.ToString().TrimEnd('/')} ({(int)elapsed.TotalMilliseconds} ms, store: {(options.InMemory ? "memory" : Path.GetFullPath(options.DataDirectory))})");
        return server;
    }

    public static CancellationToken CancelOnCtrlC()
    {
        var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return cancel.Token;
    }

    public static int PrintVersion()
    {
        Console.WriteLine("gatehouse " + GatehouseServer.Version);
        return 0;
    }

    public static int PrintHelp()
    {
        Console.WriteLine("""
            gatehouse — Cognito user pools, HTTP APIs and Lambda functions on one local server.

            Usage: gatehouse [serve] [options]
                   gatehouse quickstart [options]   serve, and create the seed's stack (idempotent)
                   gatehouse logs FUNCTION [--follow] [--since 10m] [--port N | --endpoint-url URL]
                   gatehouse coverage               print which AWS operations are implemented (Markdown)
                   gatehouse version

            Options (also GATEHOUSE_<NAME> variables and a gatehouse.json file):
              --port N           port to listen on (default 4566; 0 picks a free one)
              --host ADDRESS     address to listen on (default 127.0.0.1)
              --allow-remote     allow a non-loopback --host (any access key works: see docs/security.md)
              --data DIR         data directory for the embedded store (default ./.gatehouse)
              --in-memory        keep everything in memory; nothing is written to disk
              --region NAME      default region (default us-east-1)
              --account ID       account id (default 000000000000)
              --public-url URL   base URL handed out in issuers and endpoints
              --enable-reset     allow POST /_gatehouse/reset on a persistent store
              --aws-issuers      issue tokens with https://cognito-idp.REGION.amazonaws.com/POOL issuers
              --auth any|sigv4   any: any signature works (default); sigv4: signatures are checked as AWS does
              --credentials FILE the access keys --auth sigv4 accepts (AWS credentials-file form;
                                 default: a root key generated in DATA/credentials)
              --tls self-signed  serve HTTPS on the same port with a certificate made for the local
                                 names (kept in DATA/tls-certificate.pem: give it to clients to trust)
              --tls-certificate FILE --tls-key FILE
                                 serve HTTPS with your own PEM certificate and private key
              --config FILE      read settings from FILE instead of ./gatehouse.json
            """);
        return 0;
    }

    public static int Fail(string message)
    {
        Console.Error.WriteLine("gatehouse: " + message);
        return 2;
    }
}
