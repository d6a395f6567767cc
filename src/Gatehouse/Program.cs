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

internal static class Cli
{
    public static async Task<int> ServeAsync(string[] args)
    {
        var options = LoadOptions(args);
        await using var server = await StartAsync(options);
        await server.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Starts the server and creates (or reuses) the seed's stack, then prints how to use it.</summary>
    public static async Task<int> QuickstartAsync(string[] args)
    {
        var options = LoadOptions(args);
        await using var server = await StartAsync(options);
        using var client = new LocalAwsClient(server.Address, options.Region, "gatehouse-quickstart", TimeSpan.FromSeconds(60));
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
        var options = LoadOptions(args);
        options.InMemory = true;
        options.Port = 0;
        await using var server = await GatehouseServer.StartAsync(options, CancellationToken.None, quiet: true);
        Console.Write(CoverageReport.Render(server.Services.GetRequiredService<Gatehouse.Protocol.AwsProtocolDispatcher>()));
        return 0;
    }

    private static GatehouseOptions LoadOptions(string[] args) =>
        OptionsLoader.Load(args, Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal));

    private static async Task<GatehouseServer> StartAsync(GatehouseOptions options)
    {
        var server = await GatehouseServer.StartAsync(options, CancellationToken.None);
        var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
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
