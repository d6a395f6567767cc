using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gatehouse.Core;
using Gatehouse.Functions.Executors;
using Gatehouse.Functions.Invocation;
using Gatehouse.Functions.Model;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using static Gatehouse.Functions.Operations.FunctionCatalog;

namespace Gatehouse.Functions.Operations;

/// <summary>A function and its $LATEST version: create, read, list, update code and configuration, delete.</summary>
internal sealed partial class FunctionOperations : IAwsOperations
{
    private static readonly HashSet<string> ReservedVariables = new(StringComparer.Ordinal)
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    };

    private readonly FunctionCatalog _functions;
    private readonly IDatabase _database;
    private readonly BlobStore _blobs;
    private readonly FunctionRegistry _registry;
    private readonly EventQueue _events;
    private readonly FunctionsOptions _options;
    private readonly GatehouseOptions _server;
    private readonly TimeProvider _time;
    private readonly IObjectReader? _objects;

    public FunctionOperations(FunctionCatalog functions, IDatabase database, BlobStore blobs, FunctionRegistry registry, EventQueue events, FunctionsOptions options, GatehouseOptions server, TimeProvider time, IObjectReader? objects = null)
    {
        _objects = objects;
        _functions = functions;
        _database = database;
        _blobs = blobs;
        _registry = registry;
        _events = events;
        _options = options;
        _server = server;
        _time = time;
    }

    /// <summary>
    /// The zip of <c>Code</c> (CreateFunction) or of the UpdateFunctionCode input: <c>ZipFile</c>, or
    /// <c>S3Bucket</c>/<c>S3Key</c>/<c>S3ObjectVersion</c> read from Gatehouse's own S3.
    /// </summary>
    private async Task<byte[]> ReadCodeAsync(System.Text.Json.Nodes.JsonObject source, CancellationToken cancellationToken)
    {
        if (source.Str("ImageUri") is not null)
            throw FunctionErrors.UnsupportedCodeSource();
        if (source.Str("S3Bucket") is { } bucket)
        {
            if (_objects is null || source.Str("S3Key") is not { } key)
                throw FunctionErrors.UnsupportedCodeSource();
            var read = await _objects.ReadAsync(bucket, key, source.Str("S3ObjectVersion"), cancellationToken).ConfigureAwait(false);
            return read.Content ?? throw FunctionErrors.CodeFromS3Failed(read.ErrorCode!, read.ErrorMessage!);
        }
        return source.Blob("ZipFile") ?? throw FunctionErrors.CodeMissing();
    }

    public void Map(AwsServiceDefinition definition) => definition
        .Map(Lambda.Operations.CreateFunction, CreateFunctionAsync)
        .Map(Lambda.Operations.GetFunction, GetFunctionAsync)
        .Map(Lambda.Operations.GetFunctionConfiguration, GetFunctionConfigurationAsync)
        .Map(Lambda.Operations.ListFunctions, ListFunctionsAsync)
        .Map(Lambda.Operations.DeleteFunction, DeleteFunctionAsync)
        .Map(Lambda.Operations.UpdateFunctionCode, UpdateFunctionCodeAsync)
        .Map(Lambda.Operations.UpdateFunctionConfiguration, UpdateFunctionConfigurationAsync);

    private async ValueTask<AwsResponse> CreateFunctionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var nameText = input.Req("FunctionName");
        if (!FunctionName.TryParse(nameText, out var name) || name.Qualifier is not null || !NamePattern().IsMatch(name.Name))
            throw FunctionErrors.FunctionNameInvalid(nameText);
        if (input.Str("PackageType") is "Image")
            throw FunctionErrors.UnsupportedCodeSource();
        var runtime = input.Str("Runtime") ?? throw FunctionErrors.RuntimeAndHandlerRequired();
        var handler = input.Str("Handler") ?? throw FunctionErrors.RuntimeAndHandlerRequired();
        if (!RuntimeCatalog.TryGetFamily(runtime, out _))
            throw FunctionErrors.UnsupportedRuntime(runtime);
        var code = input.Obj("Code") ?? throw FunctionErrors.CodeMissing();
        var zip = await ReadCodeAsync(code, cancellationToken).ConfigureAwait(false);
        var environment = ReadEnvironment(input);
        // Timeout and MemorySize ranges are checked by the protocol layer (specs/patches/lambda.json).
        var timeout = input.Int("Timeout") ?? 3;
        var memory = input.Int("MemorySize") ?? 128;
        CodeCache.Validate(zip);

        var account = name.Account ?? request.Context.Account;
        var region = name.Region ?? request.Context.Region;
        var hash = await _blobs.PutAsync(zip, cancellationToken).ConfigureAwait(false);
        var config = new FunctionVersionConfig
        {
            Account = account,
            Region = region,
            Name = name.Name,
            Version = "$LATEST",
            Runtime = runtime,
            Handler = handler,
            Role = input.Req("Role"),
            Description = input.Str("Description") ?? "",
            Timeout = timeout,
            MemorySize = memory,
            Environment = environment ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Architectures = input.Strings("Architectures").ToList() is { Count: > 0 } architectures ? architectures : ["x86_64"],
            EphemeralStorage = input.Obj("EphemeralStorage")?.Int("Size") ?? 512,
            CodeHash = hash,
            CodeSize = zip.Length,
            LastModified = _time.GetUtcNow(),
            RevisionId = AwsIds.NewUuid(),
        };
        var tags = input.StringMap("Tags");
        var publish = input.Bool("Publish") == true;

        using var held = await _functions.LockAsync(cancellationToken).ConfigureAwait(false);
        if (_registry.Find(account, region, name.Name) is not null)
            throw FunctionErrors.FunctionExists(name.Name);
        // Unpack before answering: once the function is reported, its first invoke only starts a process.
        var counter = new ConcurrencyCounter();
        var latest = _registry.CreateHandle(config, counter);
        var version1 = publish ? _registry.CreateHandle(config with { Version = "1", RevisionId = AwsIds.NewUuid() }, counter) : null;
        var entry = new FunctionEntry(latest, counter) { Tags = tags.ToImmutableDictionary(StringComparer.Ordinal) };
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await FunctionStore.InsertFunctionAsync(connection, transaction, config, tags, entry.PolicyRevisionId).ConfigureAwait(false);
            await FunctionStore.UpsertVersionAsync(connection, transaction, config).ConfigureAwait(false);
            if (version1 is not null)
            {
                await FunctionStore.UpsertVersionAsync(connection, transaction, version1.Config).ConfigureAwait(false);
                await FunctionStore.UpdateFunctionAsync(connection, transaction, entry, null, 1, tags, [], entry.PolicyRevisionId).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        if (version1 is not null)
        {
            entry.Versions = entry.Versions.SetItem("1", version1);
            entry.LastVersion = 1;
        }
        _registry.Add(entry);
        // Reported as Pending, as Lambda does right after creation, so waiters see the transition.
        return FunctionConfigurationJson.Write(version1?.Config ?? config, state: "Pending");
    }

    private ValueTask<AwsResponse> GetFunctionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, qualifier) = _functions.Find(request);
        var handle = Version(entry, qualifier);
        var output = new JsonObject
        {
            ["Configuration"] = FunctionConfigurationJson.Write(handle.Config),
            ["Code"] = new JsonObject
            {
                ["RepositoryType"] = "S3",
                ["Location"] = $"{_server.EffectivePublicUrl}/_gatehouse/functions/code/{handle.Config.CodeHash}.zip",
            },
        };
        if (!entry.Tags.IsEmpty)
            output["Tags"] = TagsJson(entry.Tags);
        if (entry.ReservedConcurrency is { } reserved)
            output["Concurrency"] = new JsonObject { ["ReservedConcurrentExecutions"] = reserved };
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private ValueTask<AwsResponse> GetFunctionConfigurationAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var (entry, qualifier) = _functions.Find(request);
        return ValueTask.FromResult<AwsResponse>(FunctionConfigurationJson.Write(Version(entry, qualifier).Config));
    }

    private ValueTask<AwsResponse> ListFunctionsAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var all = _registry.All.Where(f => f.Account == request.Context.Account && f.Region == request.Context.Region)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .SelectMany(f => request.Input.Str("FunctionVersion") == "ALL"
                ? f.Versions.Values.Select(v => v.Config).OrderBy(c => int.Parse(c.Version, System.Globalization.CultureInfo.InvariantCulture)).Prepend(f.Latest.Config)
                : [f.Latest.Config])
            .ToList();
        var (page, next) = Page(all, request.Input.Str("Marker"), request.Input.Int("MaxItems"));
        var output = new JsonObject { ["Functions"] = new JsonArray([.. page.Select(c => (JsonNode)FunctionConfigurationJson.Write(c))]) };
        if (next is not null)
            output["NextMarker"] = next;
        return ValueTask.FromResult<AwsResponse>(output);
    }

    private async ValueTask<AwsResponse> DeleteFunctionAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        using var held = await _functions.LockAsync(cancellationToken).ConfigureAwait(false);
        var (entry, qualifier) = _functions.Find(request);
        if (qualifier is "$LATEST")
            throw FunctionErrors.CannotDeleteLatest();
        if (qualifier is not null)
        {
            var handle = entry.Versions.GetValueOrDefault(qualifier)
                ?? throw FunctionErrors.FunctionNotFound(AwsIds.LambdaFunctionArn(entry.Region, entry.Account, entry.Name, qualifier));
            if (entry.Aliases.Values.FirstOrDefault(a => a.FunctionVersion == qualifier) is { } alias)
                throw FunctionErrors.VersionInUseByAlias(alias.Name);
            await _database.WriteAsync(async (c, t) => { await FunctionStore.DeleteVersionAsync(c, t, handle.Config).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
            entry.Versions = entry.Versions.Remove(qualifier);
            handle.Pool.Retire();
            return new JsonObject();
        }
        await _database.WriteAsync(async (c, t) => { await FunctionStore.DeleteFunctionAsync(c, t, entry.Account, entry.Region, entry.Name).ConfigureAwait(false); return 0; }, cancellationToken).ConfigureAwait(false);
        _registry.Remove(entry);
        entry.Latest.Pool.Retire();
        foreach (var version in entry.Versions.Values)
            version.Pool.Retire();
        // 200 with an empty body, as the current model declares (a 204 could not carry the JSON body the protocol layer writes).
        return new JsonObject();
    }

    private async ValueTask<AwsResponse> UpdateFunctionCodeAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var zip = await ReadCodeAsync(input, cancellationToken).ConfigureAwait(false);
        CodeCache.Validate(zip);
        var hash = await _blobs.PutAsync(zip, cancellationToken).ConfigureAwait(false);
        var architectures = input.Strings("Architectures").ToList();
        return await UpdateLatestAsync(request, c => c with
        {
            CodeHash = hash,
            CodeSize = zip.Length,
            Architectures = architectures.Count > 0 ? architectures : c.Architectures,
        }, input.Bool("DryRun") == true, input.Bool("Publish") == true, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<AwsResponse> UpdateFunctionConfigurationAsync(AwsRequest request, CancellationToken cancellationToken)
    {
        var input = request.Input;
        var runtime = input.Str("Runtime");
        if (runtime is not null && !RuntimeCatalog.TryGetFamily(runtime, out _))
            throw FunctionErrors.UnsupportedRuntime(runtime);
        var environment = ReadEnvironment(input);
        var timeout = input.Int("Timeout");
        var memory = input.Int("MemorySize");
        return await UpdateLatestAsync(request, c => c with
        {
            Runtime = runtime ?? c.Runtime,
            Handler = input.Str("Handler") ?? c.Handler,
            Role = input.Str("Role") ?? c.Role,
            Description = input.Str("Description") ?? c.Description,
            Timeout = timeout ?? c.Timeout,
            MemorySize = memory ?? c.MemorySize,
            Environment = environment ?? c.Environment,
            EphemeralStorage = input.Obj("EphemeralStorage")?.Int("Size") ?? c.EphemeralStorage,
        }, dryRun: false, publish: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces $LATEST with a changed copy: a new configuration and a new pool; the old pool is
    /// retired, so no invocation after this point runs the old code or settings.
    /// </summary>
    private async ValueTask<AwsResponse> UpdateLatestAsync(AwsRequest request, Func<FunctionVersionConfig, FunctionVersionConfig> change, bool dryRun, bool publish, CancellationToken cancellationToken)
    {
        using var held = await _functions.LockAsync(cancellationToken).ConfigureAwait(false);
        var (entry, _) = _functions.Find(request, qualifierMember: null);
        var current = entry.Latest.Config;
        if (request.Input.Str("RevisionId") is { } revision && revision != current.RevisionId)
            throw FunctionErrors.RevisionMismatch();
        var updated = change(current) with { LastModified = _time.GetUtcNow(), RevisionId = AwsIds.NewUuid() };
        if (dryRun)
            return FunctionConfigurationJson.Write(updated);
        var handle = _registry.CreateHandle(updated, entry.Concurrency);
        FunctionVersionHandle? published = publish ? _registry.CreateHandle(updated with { Version = (entry.LastVersion + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), RevisionId = AwsIds.NewUuid() }, entry.Concurrency) : null;
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await FunctionStore.UpsertVersionAsync(connection, transaction, updated).ConfigureAwait(false);
            if (published is not null)
            {
                await FunctionStore.UpsertVersionAsync(connection, transaction, published.Config).ConfigureAwait(false);
                await FunctionStore.UpdateFunctionAsync(connection, transaction, entry, entry.ReservedConcurrency, entry.LastVersion + 1, entry.Tags, entry.Policy, entry.PolicyRevisionId).ConfigureAwait(false);
            }
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        var old = entry.Latest;
        entry.Latest = handle;
        if (published is not null)
        {
            entry.Versions = entry.Versions.SetItem(published.Config.Version, published);
            entry.LastVersion++;
        }
        old.Pool.Retire();
        // Reported as InProgress, as Lambda does, so function-updated waiters see the transition.
        return FunctionConfigurationJson.Write(published?.Config ?? updated, lastUpdateStatus: "InProgress");
    }

    private static Dictionary<string, string>? ReadEnvironment(JsonObject input)
    {
        if (input.Obj("Environment") is not { } environment)
            return null;
        var variables = environment.StringMap("Variables");
        foreach (var key in variables.Keys)
        {
            if (ReservedVariables.Contains(key))
                throw FunctionErrors.ReservedEnvironmentVariable(key);
            if (!VariablePattern().IsMatch(key))
                throw FunctionErrors.EnvironmentVariableNameInvalid();
        }
        if (variables.Sum(p => p.Key.Length + p.Value.Length) > 4096)
            throw FunctionErrors.EnvironmentTooLarge();
        return variables;
    }


    [GeneratedRegex("^[a-zA-Z0-9-_]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-zA-Z]([a-zA-Z0-9_])+$")]
    private static partial Regex VariablePattern();
}
