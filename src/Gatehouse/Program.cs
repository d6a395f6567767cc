using System.Diagnostics;
using Gatehouse;

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
        var started = Stopwatch.GetTimestamp();
        var options = OptionsLoader.Load(args, Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal));
        await using var server = await GatehouseServer.StartAsync(options, CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started) + (DateTime.Now - Process.GetCurrentProcess().StartTime - Stopwatch.GetElapsedTime(started));
        Console.WriteLine($"Gatehouse ready on {server.Address.ToString().TrimEnd('/')} ({(int)elapsed.TotalMilliseconds} ms, store: {(options.InMemory ? "memory" : Path.GetFullPath(options.DataDirectory))})");
        await server.WaitForShutdownAsync();
        return 0;
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
                   gatehouse logs FUNCTION [--follow] [--since 10m] [--port N | --endpoint-url URL]
                   gatehouse version

            Options (also GATEHOUSE_<NAME> variables and a gatehouse.json file):
              --port N           port to listen on (default 4566; 0 picks a free one)
              --host ADDRESS     address to listen on (default 127.0.0.1)
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
