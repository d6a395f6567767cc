using System.Globalization;
using System.Text.Json;
using Gatehouse.Core;

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
    private static readonly string[] Valued = ["port", "host", "data", "region", "account", "public-url", "config", "auth", "credentials"];
    private static readonly string[] Flags = ["in-memory", "enable-reset", "aws-issuers", "allow-remote"];

    public static GatehouseOptions Load(IReadOnlyList<string> args, IDictionary<string, string?> environment)
    {
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
            }
        }
        options.Validate();
        return options;
    }

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
