using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Functions.Logs;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static Gatehouse.Functions.Tests.TestFunctions;

namespace Gatehouse.Functions.Tests;

/// <summary>Log groups with the AWS CLI v2: created groups beside functions' groups, retention, tags, deletion, a restart.</summary>
public sealed class LogGroupCliTests : IClassFixture<PersistentGatehouse>
{
    private readonly PersistentGatehouse _server;

    public LogGroupCliTests(PersistentGatehouse server) => _server = server;

    private Task<CliResult> Logs(params string[] arguments) => _server.AwsAsync(["logs", .. arguments]);

    private async Task<JsonNode> DescribeAsync(string name) =>
        Assert.Single((await Logs("describe-log-groups", "--log-group-name-prefix", name)).EnsureSuccess().Json["logGroups"]!.AsArray(),
            g => g!.Str("logGroupName") == name)!;

    [Fact]
    public async Task CreateRetentionDescribeDelete_AsAws()
    {
        var name = "/cli/" + UniqueName("group");
        (await Logs("create-log-group", "--log-group-name", name, "--tags", "team=core")).EnsureSuccess();
        var again = await Logs("create-log-group", "--log-group-name", name);
        Assert.Contains("An error occurred (ResourceAlreadyExistsException) when calling the CreateLogGroup operation", again.StandardError, StringComparison.Ordinal);

        (await Logs("put-retention-policy", "--log-group-name", name, "--retention-in-days", "14")).EnsureSuccess();
        var invalid = await Logs("put-retention-policy", "--log-group-name", name, "--retention-in-days", "2");
        Assert.Contains("(InvalidParameterException)", invalid.StandardError, StringComparison.Ordinal);

        var group = await DescribeAsync(name);
        Assert.Equal(14, group["retentionInDays"]!.GetValue<int>());
        Assert.Equal($"arn:aws:logs:us-east-1:000000000000:log-group:{name}:*", group.Str("arn"));
        Assert.True(group["creationTime"]!.GetValue<long>() > 1_700_000_000_000);
        Assert.Equal(0, group["storedBytes"]!.GetValue<long>());

        (await Logs("delete-retention-policy", "--log-group-name", name)).EnsureSuccess();
        Assert.Null((await DescribeAsync(name))["retentionInDays"]);

        Assert.Empty((await Logs("describe-log-streams", "--log-group-name", name)).EnsureSuccess().Json["logStreams"]!.AsArray());
        (await Logs("delete-log-group", "--log-group-name", name)).EnsureSuccess();
        Assert.Empty((await Logs("describe-log-groups", "--log-group-name-prefix", name)).EnsureSuccess().Json["logGroups"]!.AsArray());
        var gone = await Logs("delete-log-group", "--log-group-name", name);
        Assert.Contains("An error occurred (ResourceNotFoundException) when calling the DeleteLogGroup operation", gone.StandardError, StringComparison.Ordinal);
        var noPolicy = await Logs("put-retention-policy", "--log-group-name", name, "--retention-in-days", "7");
        Assert.Contains("(ResourceNotFoundException)", noPolicy.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tags_ByNameAndByArn_Listed()
    {
        var name = "/cli/" + UniqueName("tagged");
        var arn = $"arn:aws:logs:us-east-1:000000000000:log-group:{name}";
        (await Logs("create-log-group", "--log-group-name", name, "--tags", "a=1")).EnsureSuccess();
        (await Logs("tag-log-group", "--log-group-name", name, "--tags", "b=2")).EnsureSuccess();
        (await Logs("tag-resource", "--resource-arn", arn, "--tags", "c=3")).EnsureSuccess();
        (await Logs("untag-resource", "--resource-arn", arn, "--tag-keys", "a")).EnsureSuccess();
        (await Logs("untag-log-group", "--log-group-name", name, "--tags", "b")).EnsureSuccess();

        var byName = (await Logs("list-tags-log-group", "--log-group-name", name)).EnsureSuccess().Json["tags"]!.AsObject();
        var byArn = (await Logs("list-tags-for-resource", "--resource-arn", arn)).EnsureSuccess().Json["tags"]!.AsObject();
        Assert.Equal(["c"], byName.Select(t => t.Key));
        Assert.Equal("3", byArn.Str("c"));
        var missing = await Logs("list-tags-for-resource", "--resource-arn", arn + "-none");
        Assert.Contains("(ResourceNotFoundException)", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FunctionGroup_RetentionAndDelete_LikeACreatedGroup()
    {
        var name = UniqueName("retained");
        var group = $"/aws/lambda/{name}";
        await CreateAsync(_server, name, "python3.13", "app.handler", Zip(("app.py", "def handler(e, c):\n    print('fresh line')\n    return 1\n")));
        await InvokeAsync(_server, name);

        (await Logs("put-retention-policy", "--log-group-name", group, "--retention-in-days", "1")).EnsureSuccess();
        var described = await DescribeAsync(group);
        Assert.Equal(1, described["retentionInDays"]!.GetValue<int>());
        Assert.True(described["storedBytes"]!.GetValue<long>() > 0);
        // Fresh lines are within a day: still there.
        var events = (await Logs("filter-log-events", "--log-group-name", group, "--filter-pattern", "\"fresh line\"")).EnsureSuccess().Json["events"]!.AsArray();
        Assert.Single(events);

        (await Logs("delete-log-group", "--log-group-name", group)).EnsureSuccess();
        var gone = await Logs("filter-log-events", "--log-group-name", group);
        Assert.Contains("(ResourceNotFoundException)", gone.StandardError, StringComparison.Ordinal);
        // As with Lambda, the function's next log line makes its group again.
        await InvokeAsync(_server, name);
        Assert.Single((await Logs("filter-log-events", "--log-group-name", group, "--filter-pattern", "\"fresh line\"")).EnsureSuccess().Json["events"]!.AsArray());
    }

    [Fact]
    public async Task Restart_CreatedGroupRetentionAndTags_StillThere()
    {
        var name = "/cli/" + UniqueName("kept");
        (await Logs("create-log-group", "--log-group-name", name, "--tags", "keep=yes")).EnsureSuccess();
        (await Logs("put-retention-policy", "--log-group-name", name, "--retention-in-days", "30")).EnsureSuccess();
        var created = (await DescribeAsync(name))["creationTime"]!.GetValue<long>();

        Assert.Equal(0, _server.Terminate(TimeSpan.FromSeconds(20)));
        _server.Start();

        var group = await DescribeAsync(name);
        Assert.Equal(30, group["retentionInDays"]!.GetValue<int>());
        Assert.Equal(created, group["creationTime"]!.GetValue<long>());
        Assert.Equal("yes", (await Logs("list-tags-log-group", "--log-group-name", name)).EnsureSuccess().Json["tags"]!.Str("keep"));
    }
}

/// <summary>Retention against a manual clock: expired events are not returned, and are purged from the store.</summary>
public sealed class LogRetentionTests : IAsyncLifetime
{
    private const string Account = "000000000000";
    private const string Region = "us-east-1";
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private SqliteDatabase _database = null!;
    private ServiceProvider _services = null!;
    private AwsServiceDefinition _logs = null!;
    private LogStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = await SqliteDatabase.OpenInMemoryAsync(CancellationToken.None);
        _services = new ServiceCollection()
            .AddSingleton<IDatabase>(_database)
            .AddSingleton(BlobStore.CreateTemporary())
            .AddSingleton(new GatehouseOptions { InMemory = true, Port = 1 })
            .AddSingleton(new FunctionsOptions { SandboxMode = "off" })
            .AddSingleton<TimeProvider>(_time)
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddGatehouseFunctions()
            .BuildServiceProvider();
        await _services.GetRequiredService<FunctionsService>().StartAsync(CancellationToken.None);
        _logs = _services.GetServices<AwsServiceDefinition>().Single(d => d.ModelName == CloudWatchLogs.ModelName);
        _store = _services.GetRequiredService<LogStore>();
    }

    private async Task<JsonObject> CallAsync(string operation, JsonObject input) =>
        (await _logs.Handlers[operation](new AwsRequest(new AwsRequestContext(Account, Region, AwsIds.NewRequestId()), operation, input,
            ReadOnlyMemory<byte>.Empty, new DefaultHttpContext()), CancellationToken.None)).Output;

    private async Task<List<string>> FilterAsync(string group) =>
        [.. (await CallAsync(CloudWatchLogs.Operations.FilterLogEvents, new JsonObject { ["logGroupName"] = group }))["events"]!.AsArray().Select(e => e!.Str("message"))];

    private async Task<List<string>> StoredAsync(string group) =>
        [.. (await _store.EventsAsync(Account, Region, group, null, null, null, null, 0, long.MaxValue, false, 100, CancellationToken.None)).Select(e => e.Message)];

    [Fact]
    public async Task PutRetentionPolicy_OlderEvents_HiddenThenPurged()
    {
        const string group = "/aws/lambda/old-and-new";
        var now = _time.GetUtcNow();
        _store.Append(new LogEvent(Account, Region, group, "s", now.AddDays(-20).ToUnixTimeMilliseconds(), "twenty days old"));
        _store.Append(new LogEvent(Account, Region, group, "s", now.AddDays(-2).ToUnixTimeMilliseconds(), "two days old"));
        _store.Append(new LogEvent(Account, Region, group, "s", now.ToUnixTimeMilliseconds(), "new"));
        Assert.Equal(3, (await FilterAsync(group)).Count);

        await CallAsync(CloudWatchLogs.Operations.PutRetentionPolicy, new JsonObject { ["logGroupName"] = group, ["retentionInDays"] = 7L });
        Assert.Equal(["two days old", "new"], await FilterAsync(group));
        Assert.Equal(["two days old", "new"], await StoredAsync(group));

        // Six days on, the two-day-old line is past seven days: not returned at once, purged by the service.
        _time.Advance(TimeSpan.FromDays(6));
        Assert.Equal(["new"], await FilterAsync(group));
        await _services.GetRequiredService<LogGroups>().PurgeExpiredAsync(_store, CancellationToken.None);
        Assert.Equal(["new"], await StoredAsync(group));

        var events = await CallAsync(CloudWatchLogs.Operations.GetLogEvents, new JsonObject { ["logGroupName"] = group, ["logStreamName"] = "s", ["startFromHead"] = true });
        Assert.Equal(["new"], events["events"]!.AsArray().Select(e => e!.Str("message")));
    }

    [Fact]
    public async Task DeleteRetentionPolicy_KeepsWhatIsLeftForever()
    {
        const string group = "/aws/lambda/forever";
        _store.Append(new LogEvent(Account, Region, group, "s", _time.GetUtcNow().ToUnixTimeMilliseconds(), "line"));
        await CallAsync(CloudWatchLogs.Operations.PutRetentionPolicy, new JsonObject { ["logGroupName"] = group, ["retentionInDays"] = 1L });
        await CallAsync(CloudWatchLogs.Operations.DeleteRetentionPolicy, new JsonObject { ["logGroupName"] = group });
        _time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(["line"], await FilterAsync(group));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _database.DisposeAsync();
    }
}
