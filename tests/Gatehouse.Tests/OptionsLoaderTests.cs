using Gatehouse.Core;

namespace Gatehouse.Tests;

public sealed class OptionsLoaderTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = new();

    [Fact]
    public void Load_Nothing_AwsLikeDefaults()
    {
        var options = OptionsLoader.Load([], NoEnvironment);

        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(4566, options.Port);
        Assert.Equal(".gatehouse", options.DataDirectory);
        Assert.Equal("us-east-1", options.Region);
        Assert.Equal("000000000000", options.Account);
        Assert.False(options.InMemory);
        Assert.False(options.ResetAllowed);
        Assert.Equal("http://127.0.0.1:4566", options.EffectivePublicUrl);
    }

    [Fact]
    public void Load_CommandLine_OverridesEnvironment()
    {
        var environment = new Dictionary<string, string?> { ["GATEHOUSE_PORT"] = "5000", ["GATEHOUSE_REGION"] = "eu-west-1" };

        var options = OptionsLoader.Load(["--port", "6000", "--in-memory", "--public-url=http://gh.test:6000"], environment);

        Assert.Equal(6000, options.Port);
        Assert.Equal("eu-west-1", options.Region);
        Assert.True(options.InMemory);
        Assert.True(options.ResetAllowed);
        Assert.Equal("http://gh.test:6000", options.EffectivePublicUrl);
    }

    [Fact]
    public void Load_ConfigFile_LowestPrecedence()
    {
        var file = Path.Combine(Path.GetTempPath(), "gatehouse-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(file, """{"port": 7000, "account": "123456789012", "data": "/tmp/x"}""");
        try
        {
            var options = OptionsLoader.Load(["--config", file], new Dictionary<string, string?> { ["GATEHOUSE_DATA"] = "/tmp/y" });

            Assert.Equal(7000, options.Port);
            Assert.Equal("123456789012", options.Account);
            Assert.Equal("/tmp/y", options.DataDirectory);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--port", "seventy")]
    [InlineData("--port", "70000")]
    [InlineData("--region", "mars")]
    [InlineData("--account", "12")]
    [InlineData("--public-url", "not a url")]
    [InlineData("--auth", "hmac")]
    [InlineData("--credentials", "/tmp/keys")]
    public void Load_BadValue_ClearError(string option, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => OptionsLoader.Load([option, value], NoEnvironment));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("stray")]
    [InlineData("--port")]
    public void Load_BadArguments_ClearError(string argument)
    {
        Assert.Throws<ArgumentException>(() => OptionsLoader.Load([argument], NoEnvironment));
    }

    [Fact]
    public void Load_AuthFromEnvironmentAndFile_StrictWithCredentials()
    {
        var environment = new Dictionary<string, string?> { ["GATEHOUSE_AUTH"] = "SigV4", ["GATEHOUSE_CREDENTIALS"] = "/etc/gatehouse/keys" };

        var options = OptionsLoader.Load([], environment);

        Assert.Equal(AuthMode.SigV4, options.Auth);
        Assert.Equal("/etc/gatehouse/keys", options.CredentialsFile);
        Assert.Equal(AuthMode.Any, OptionsLoader.Load([], NoEnvironment).Auth);
    }

    [Fact]
    public void ResetAllowed_PersistentStoreWithFlag_True()
    {
        var options = OptionsLoader.Load(["--enable-reset"], NoEnvironment);
        Assert.True(options.ResetAllowed);
    }

    [Fact]
    public void LoadAll_FunctionsSettings_FromVariablesFlagsAndFile()
    {
        var environment = new Dictionary<string, string?>
        {
            ["GATEHOUSE_RUNTIME_PYTHON3_13"] = "/opt/py313/bin/python3",
            ["GATEHOUSE_RUNTIME_NODEJS20_X"] = "/opt/node20/bin/node",
            ["GATEHOUSE_RUNTIME_NODE"] = "/usr/local/bin/node",
            ["GATEHOUSE_FUNCTIONS_CONCURRENCY"] = "12",
            ["GATEHOUSE_FUNCTIONS_IDLE_SECONDS"] = "1.5",
            ["GATEHOUSE_SANDBOX"] = "required",
        };
        var (_, functions) = OptionsLoader.LoadAll(["--functions-retry-seconds", "0.25", "--functions-concurrency=20"], environment);

        Assert.Equal("/opt/py313/bin/python3", functions.Interpreters["python3.13"]);
        Assert.Equal("/opt/node20/bin/node", functions.Interpreters["nodejs20.x"]);
        Assert.Equal("/usr/local/bin/node", functions.Interpreters["node"]);
        Assert.Equal(20, functions.MaxConcurrency);
        Assert.Equal(TimeSpan.FromSeconds(1.5), functions.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(0.25), functions.EventRetryDelay);
        Assert.Equal("required", functions.SandboxMode);

        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"sandbox": "off", "functions-log-events-per-group": 500, "runtimes": {"python3.12": "/opt/py312/bin/python3"}}""");
            var (_, fromFile) = OptionsLoader.LoadAll(["--config", file], new Dictionary<string, string?>());
            Assert.Equal("off", fromFile.SandboxMode);
            Assert.Equal(500, fromFile.LogEventsPerGroup);
            Assert.Equal("/opt/py312/bin/python3", fromFile.Interpreters["python3.12"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--functions-concurrency", "0", "between 1 and 10000")]
    [InlineData("--functions-idle-seconds", "soon", "number of seconds")]
    [InlineData("--functions-retry-seconds", "-1", "number of seconds")]
    [InlineData("--sandbox", "maybe", "auto, off or required")]
    public void LoadAll_BadFunctionsSetting_SaysWhichAndWhy(string option, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => OptionsLoader.LoadAll([option, value], new Dictionary<string, string?>()));
        Assert.Contains(option[2..], error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TlsSelfSigned_HandsOutHttpsUrls()
    {
        var options = OptionsLoader.Load(["--tls", "self-signed", "--port", "4567"], NoEnvironment);

        Assert.True(options.UsesTls);
        Assert.Equal("https://127.0.0.1:4567", options.EffectivePublicUrl);
    }

    [Theory]
    [InlineData(new[] { "--tls-key", "key.pem" }, "--tls-certificate and --tls-key go together")]
    [InlineData(new[] { "--tls", "self-signed", "--tls-certificate", "c.pem", "--tls-key", "k.pem" }, "exclude each other")]
    [InlineData(new[] { "--tls", "yes" }, "must be self-signed or off")]
    public void Load_TlsMisconfigured_ClearError(string[] args, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => OptionsLoader.Load(args, NoEnvironment));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
