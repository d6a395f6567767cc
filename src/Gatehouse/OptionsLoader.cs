using System.Globalization;
using System.Text.Json;
using Gatehouse.Core;
using Gatehouse.Functions;

namespace Gatehouse;

/// <summary>
/// Reads <see cref="GatehouseOptions"/> from, in rising precedence: a config file
/// (<c>gatehouse.json</c> in the working directory or <c>--config FILE</c>), <c>GATEHOUSE_*</c>
/// environment variables, and command-line options. Every setting has the same name in all three:
/// <c>--public-url</c>, <c>GATEHOUSE_PUBLIC_URL</c>, <c>"public-url"</c>.
/// </summary>
internal static class OptionsLoader
{
    /// <summary>Settings that take a value; flags (no value) are listed in <see cref="Flags"/>.</summary>
    private static readonly string[] Valued =
    [
        "port", "host", "data", "region", "account", "public-url", "config", "auth", "credentials",
        "functions-concurrency", "functions-idle-seconds", "functions-retry-seconds", "functions-log-events-per-group",
        "sandbox", "runtime-directory", "tls", "tls-certificate", "tls-key",
    ];

    /// <summary>Interpreter settings: <c>GATEHOUSE_RUNTIME_PYTHON3_13=/path</c>, or <c>"runtimes": {"python3.13": "/path"}</c> in the file.</summary>
    private const string RuntimeVariablePrefix = "GATEHOUSE_RUNTIME_";
    private static readonly string[] Flags = ["in-memory", "enable-reset", "aws-issuers", "allow-remote"];

    public static GatehouseOptions Load(IReadOnlyList<string> args, IDictionary<string, string?> environment) => LoadAll(args, environment).Server;

    /// <summary>The server's settings and the functions service's, from the same three sources.</summary>
    public static (GatehouseOptions Server, FunctionsOptions Functions) LoadAll(IReadOnlyList<string> args, IDictionary<string, string?> environment)
    {
        var functions = new FunctionsOptions();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var cli = ParseArguments(args);
        var configFile = cli.GetValueOrDefault("config") ?? (environment.TryGetValue("GATEHOUSE_CONFIG", out var c) ? c : null);
        string? file = configFile ?? (File.Exists("gatehouse.json") ? "gatehouse.json" : null);
        if (file is not null)
        {
            if (!File.Exists(file))
                throw new ArgumentException($"Config file '{file}' does not exist.");
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "runtimes" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var runtime in property.Value.EnumerateObject())
                        functions.Interpreters[runtime.Name] = runtime.Value.GetString() ?? throw new ArgumentException($"Runtime '{runtime.Name}' in {file} needs an interpreter path.");
                    continue;
                }
                if (!Valued.Contains(property.Name) && !Flags.Contains(property.Name))
                    throw new ArgumentException($"Unknown setting '{property.Name}' in {file}.");
                settings[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }
        foreach (var name in Valued.Concat(Flags))
        {
            var variable = "GATEHOUSE_" + name.Replace('-', '_').ToUpperInvariant();
            if (environment.TryGetValue(variable, out var value) && !string.IsNullOrEmpty(value))
                settings[name] = value;
        }
        foreach (var (name, value) in cli)
            settings[name] = value;
        foreach (var (variable, value) in environment)
        {
            if (variable.StartsWith(RuntimeVariablePrefix, StringComparison.Ordinal) && variable != "GATEHOUSE_RUNTIME_DIRECTORY" && !string.IsNullOrEmpty(value))
                functions.Interpreters[FunctionsOptions.RuntimeName(variable[RuntimeVariablePrefix.Length..])] = value;
        }

        var options = new GatehouseOptions();
        foreach (var (name, value) in settings)
        {
            switch (name)
            {
                case "port": options.Port = ParseInt(name, value); break;
                case "host": options.Host = value; break;
                case "data": options.DataDirectory = value; break;
                case "region": options.Region = value; break;
                case "account": options.Account = value; break;
                case "public-url": options.PublicUrl = value; break;
                case "auth": options.Auth = ParseAuth(value); break;
                case "credentials": options.CredentialsFile = value; break;
                case "in-memory": options.InMemory = ParseBool(name, value); break;
                case "enable-reset": options.EnableReset = ParseBool(name, value); break;
                case "aws-issuers": options.AwsIssuers = ParseBool(name, value); break;
                case "allow-remote": options.AllowRemote = ParseBool(name, value); break;
                case "functions-concurrency": functions.MaxConcurrency = ParseRange(name, value, 1, 10_000); break;
                case "functions-idle-seconds": functions.IdleTimeout = TimeSpan.FromSeconds(ParseSeconds(name, value, 0.1)); break;
                case "functions-retry-seconds": functions.EventRetryDelay = TimeSpan.FromSeconds(ParseSeconds(name, value, 0)); break;
                case "functions-log-events-per-group": functions.LogEventsPerGroup = ParseRange(name, value, 100, 100_000_000); break;
                case "sandbox": functions.SandboxMode = ParseSandbox(value); break;
                case "runtime-directory": functions.RuntimeDirectory = value; break;
                case "tls": options.TlsSelfSigned = ParseTls(value); break;
                case "tls-certificate": options.TlsCertificate = value; break;
                case "tls-key": options.TlsKey = value; break;
            }
        }
        options.Validate();
        return (options, functions);
    }

    private static int ParseRange(string name, string value, int min, int max)
    {
        var number = ParseInt(name, value);
        return number >= min && number <= max
            ? number
            : throw new ArgumentException($"Setting '{name}' must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}, not {value}.");
    }

    private static double ParseSeconds(string name, string value, double min) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= min && double.IsFinite(seconds)
            ? seconds
            : throw new ArgumentException($"Setting '{name}' must be a number of seconds, at least {min.ToString(CultureInfo.InvariantCulture)}, not '{value}'.");

    private static string ParseSandbox(string value) => value.ToLowerInvariant() is "auto" or "off" or "required"
        ? value.ToLowerInvariant()
        : throw new ArgumentException($"Setting 'sandbox' must be auto, off or required, not '{value}'.");

    private static bool ParseTls(string value) => value.ToLowerInvariant() switch
    {
        "self-signed" => true,
        "off" => false,
        _ => throw new ArgumentException($"Setting 'tls' must be self-signed or off, not '{value}' (a certificate of your own: --tls-certificate FILE --tls-key FILE)."),
    };

    private static Dictionary<string, string> ParseArguments(IReadOnlyList<string> args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (Flags.Contains(name))
            {
                result[name] = value ?? "true";
            }
            else if (Valued.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                        throw new ArgumentException($"Option --{name} needs a value.");
                    value = args[++i];
                }
                result[name] = value;
            }
            else
            {
                throw new ArgumentException($"Unknown option --{name}.");
            }
        }
        return result;
    }

    private static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"Setting '{name}' must be a whole number, not '{value}'.");

    private static AuthMode ParseAuth(string value) => value.ToLowerInvariant() switch
    {
        "any" => AuthMode.Any,
        "sigv4" => AuthMode.SigV4,
        _ => throw new ArgumentException($"Setting 'auth' must be any or sigv4, not '{value}'."),
    };

    private static bool ParseBool(string name, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new ArgumentException($"Setting '{name}' must be true or false, not '{value}'."),
    };
}
