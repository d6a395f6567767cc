using Gatehouse.Core;
using Gatehouse.Functions.Executors;
using Gatehouse.Functions.Invocation;
using Gatehouse.Functions.Logs;
using Gatehouse.Functions.Model;
using Gatehouse.Functions.Operations;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Functions;

public static class FunctionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the functions (AWS Lambda) service, its logs (CloudWatch Logs subset) and
    /// <see cref="IFunctionInvoker"/>. Needs <see cref="IDatabase"/>, <see cref="BlobStore"/>,
    /// <see cref="GatehouseOptions"/>, <see cref="TimeProvider"/> and logging from the host.
    /// </summary>
    public static IServiceCollection AddGatehouseFunctions(this IServiceCollection services)
    {
        // The host registers the settings it loaded; without them, the defaults.
        services.TryAddSingleton(_ => new FunctionsOptions());
        services.TryAddSingleton(sp =>
        {
            var server = sp.GetRequiredService<GatehouseOptions>();
            var blobs = sp.GetRequiredService<BlobStore>();
            return server.InMemory
                ? new CodeCache(blobs, Path.Combine(Path.GetTempPath(), "gatehouse-code-" + Guid.NewGuid().ToString("N")), temporary: true)
                : new CodeCache(blobs, Path.Combine(Path.GetFullPath(server.DataDirectory), "functions", "code"), temporary: false);
        });
        services.TryAddSingleton(sp => new LogStore(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LogStore>>(), sp.GetRequiredService<FunctionsOptions>().LogEventsPerGroup));
        services.TryAddSingleton(sp => new LogGroups(sp.GetRequiredService<IDatabase>()));
        services.TryAddSingleton<RuntimeCatalog>();
        services.TryAddSingleton<IRuntimeExecutor>(sp => new LocalProcessExecutor(CreateSandbox(sp)));
        services.TryAddSingleton(sp => new EnvironmentServices(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<LogStore>(),
            sp.GetRequiredService<RuntimeCatalog>(), sp.GetRequiredService<ILogger<FunctionsService>>(),
            sp.GetRequiredService<GatehouseOptions>().EffectivePublicUrl, sp.GetRequiredService<IRuntimeExecutor>())
        {
            WarmFirstThreshold = sp.GetRequiredService<FunctionsOptions>().WarmFirstThreshold,
        });
        services.TryAddSingleton(sp => new FunctionRegistry(sp.GetRequiredService<CodeCache>(), sp.GetRequiredService<EnvironmentServices>(),
            new ConcurrencyCounter { Limit = sp.GetRequiredService<FunctionsOptions>().MaxConcurrency }));
        services.TryAddSingleton<FunctionInvoker>();
        services.TryAddSingleton<IFunctionInvoker>(sp => sp.GetRequiredService<FunctionInvoker>());
        services.TryAddSingleton<EventQueue>();
        services.TryAddSingleton<FunctionCatalog>();
        services.TryAddSingleton<FunctionsService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatehouseService, FunctionsService>(sp => sp.GetRequiredService<FunctionsService>()));

        services.AddAwsService(Lambda.ModelName, () => new AwsServiceDefinition(Lambda.ModelName)
        {
            ValidationErrorCode = "ValidationException",
            SerializationErrorCode = Lambda.Errors.InvalidRequestContentException,
            InternalErrorCode = Lambda.Errors.ServiceException,
            ErrorBodyHasType = true,
            TooLargeErrorCode = Lambda.Errors.RequestTooLargeException,
            MaxRequestBytes = 70L * 1024 * 1024,
        });
        services.AddAwsOperations<FunctionOperations>(Lambda.ModelName);
        services.AddAwsOperations<InvokeOperations>(Lambda.ModelName);
        services.AddAwsOperations<VersionOperations>(Lambda.ModelName);
        services.AddAwsOperations<AliasOperations>(Lambda.ModelName);
        services.AddAwsOperations<ConcurrencyOperations>(Lambda.ModelName);
        services.AddAwsOperations<PolicyOperations>(Lambda.ModelName);
        services.AddAwsOperations<TagOperations>(Lambda.ModelName);
        services.AddAwsOperations<AccountSettingsOperations>(Lambda.ModelName);

        services.AddAwsService(CloudWatchLogs.ModelName, () => new AwsServiceDefinition(CloudWatchLogs.ModelName)
        {
            ValidationErrorCode = CloudWatchLogs.Errors.InvalidParameterException,
            InternalErrorCode = CloudWatchLogs.Errors.ServiceUnavailableException,
        });
        services.AddAwsOperations<LogGroupOperations>(CloudWatchLogs.ModelName);
        services.AddAwsOperations<LogStreamOperations>(CloudWatchLogs.ModelName);
        services.AddAwsOperations<LogEventOperations>(CloudWatchLogs.ModelName);
        services.AddAwsOperations<LogTagOperations>(CloudWatchLogs.ModelName);
        return services;
    }

    private static Sandbox? CreateSandbox(IServiceProvider services)
    {
        var mode = services.GetRequiredService<FunctionsOptions>().SandboxMode;
        if (mode == "off")
            return null;
        var server = services.GetRequiredService<GatehouseOptions>();
        var hidden = new List<string> { Path.GetTempPath() };
        if (!server.InMemory)
            hidden.Add(server.DataDirectory);
        // Credentials in home folders (a developer's ~/.aws, ~/.ssh, …). Homes themselves stay
        // visible: a checkout a function's code refers to may live there.
        var homes = new List<string> { "/root", Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) };
        if (Directory.Exists("/home"))
            homes.AddRange(Directory.EnumerateDirectories("/home"));
        foreach (var home in homes.Where(h => h.Length > 0).Distinct(StringComparer.Ordinal))
        {
            foreach (var secret in new[] { ".aws", ".ssh", ".gnupg", ".docker", ".kube", ".config", ".azure", ".git-credentials", ".netrc", ".npmrc", ".pypirc" })
                hidden.Add(Path.Combine(home, secret));
        }
        var sandbox = Sandbox.TryCreate(hidden, out var unavailable);
        if (sandbox is null)
        {
            if (mode == "required")
                throw new ArgumentException($"GATEHOUSE_SANDBOX=required, but {unavailable}.");
            services.GetRequiredService<ILogger<FunctionsService>>().LogWarning(
                "Functions run WITHOUT a sandbox ({Reason}): a function can read and change everything this user can, Gatehouse's data included. Install bubblewrap, or set --sandbox off (GATEHOUSE_SANDBOX=off) to accept this.", unavailable);
        }
        return sandbox;
    }

    /// <summary>Maps the service's endpoints that are not AWS API calls: the code download behind GetFunction's Code.Location.</summary>
    public static IEndpointRouteBuilder MapGatehouseFunctions(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_gatehouse/functions/code/{hash}.zip", (string hash, BlobStore blobs) =>
        {
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower) || !blobs.Exists(hash))
                return Results.NotFound();
            return Results.File(blobs.PathOf(hash), "application/zip", hash + ".zip");
        });
        return endpoints;
    }
}
