using System.Diagnostics;
using System.Text.RegularExpressions;
using Gatehouse.Testing;

namespace Gatehouse.Tests.EndToEnd;

/// <summary>The README's first command: the seed's stack in one command, idempotent across restarts.</summary>
public sealed partial class QuickstartTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("gatehouse-quickstart-").FullName;

    [Fact]
    public async Task Quickstart_TwoRuns_SameStackAndTheSeedCommandsWork()
    {
        string first, second;
        using (var server = new QuickstartServer(_data))
        {
            first = await server.WaitForReportAsync();
            server.Terminate(TimeSpan.FromSeconds(15));
        }
        using (var server = new QuickstartServer(_data))
        {
            second = await server.WaitForReportAsync();

            Assert.Equal(Value(first, "User pool ID"), Value(second, "User pool ID"));
            Assert.Equal(Value(first, "Client ID"), Value(second, "Client ID"));
            // The same API (its host names the API id); the port is the new server's.
            Assert.Equal(new Uri(Value(first, "API endpoint")).Host, new Uri(Value(second, "API endpoint")).Host);
            Assert.Equal(server.Port, new Uri(Value(second, "API endpoint")).Port);

            // The printed commands, as a user would paste them (first sign-in, then the call).
            var pool = Value(first, "User pool ID");
            var client = Value(first, "Client ID");
            var email = Value(first, "User").Split(' ')[0];
            var temporary = Value(first, "Temporary password");
            var challenge = (await server.AwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", pool, "--client-id", client,
                "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={email},PASSWORD={temporary}")).EnsureSuccess().Json;
            await server.AwsAsync("cognito-idp", "admin-respond-to-auth-challenge", "--user-pool-id", pool, "--client-id", client,
                "--challenge-name", "NEW_PASSWORD_REQUIRED", "--challenge-responses", $"USERNAME={email},NEW_PASSWORD=Quick-start-Passw0rd!",
                "--session", challenge.Str("Session"));
            var token = (await server.AwsAsync("cognito-idp", "admin-initiate-auth", "--user-pool-id", pool, "--client-id", client,
                "--auth-flow", "ADMIN_USER_PASSWORD_AUTH", "--auth-parameters", $"USERNAME={email},PASSWORD=Quick-start-Passw0rd!")).EnsureSuccess().Json.Str("AuthenticationResult.AccessToken");
            var curl = new ProcessStartInfo("curl");
            foreach (var argument in new[] { "-s", Value(second, "API endpoint") + "/hello", "-H", "Authorization: Bearer " + token })
                curl.ArgumentList.Add(argument);
            var hello = await ProcessRunner.RunAsync(curl, TimeSpan.FromSeconds(60));
            Assert.Equal("\"Hello from Lambda!\"", hello.StandardOutput);
        }
    }

    private static string Value(string report, string name)
    {
        var match = Regex.Match(report, "^  " + Regex.Escape(name) + @"\s{2,}(.+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"'{name}' is not in the quickstart report:\n{report}");
        return match.Groups[1].Value.Trim();
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private sealed class QuickstartServer(string data) : GatehouseProcess(["--data", data], verb: "quickstart")
    {
        public async Task<string> WaitForReportAsync()
        {
            for (var i = 0; i < 600 && !Output.Contains("# -> \"Hello from Lambda!\"", StringComparison.Ordinal); i++)
                await Task.Delay(100);
            Assert.Contains("The seed's stack is ready", Output, StringComparison.Ordinal);
            return Output[Output.LastIndexOf("The seed's stack is ready", StringComparison.Ordinal)..];
        }
    }
}
