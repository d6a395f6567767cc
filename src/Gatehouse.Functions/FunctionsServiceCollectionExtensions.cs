using System.Collections;
using Gatehouse.Core;
using Gatehouse.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Functions;

public static class FunctionsServiceCollectionExtensions
{
    /// <summary>Registers the functions (AWS Lambda) service, its logs (CloudWatch Logs subset) and <see cref="IFunctionInvoker"/>.</summary>
    public static IServiceCollection AddGatehouseFunctions(this IServiceCollection services)
    {
        services.AddSingleton(_ => FunctionsOptions.FromEnvironment(Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal)));
        services.AddSingleton<FunctionsService>();
        services.AddSingleton<IGatehouseService>(sp => sp.GetRequiredService<FunctionsService>());
        services.AddSingleton<AwsServiceDefinition>(sp => sp.GetRequiredService<FunctionsService>().Definition);
        services.AddSingleton<AwsServiceDefinition>(sp => sp.GetRequiredService<FunctionsService>().LogsDefinition);
        services.AddSingleton<IFunctionInvoker>(sp => sp.GetRequiredService<FunctionsService>().Invoker);
        return services;
    }

    /// <summary>Maps the service's endpoints that are not AWS API calls: the code download behind GetFunction's Code.Location.</summary>
    public static IEndpointRouteBuilder MapGatehouseFunctions(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_gatehouse/functions/code/{hash}.zip", (string hash, FunctionsService service) =>
        {
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower) || !service.Blobs.Exists(hash))
                return Results.NotFound();
            return Results.File(service.Blobs.PathOf(hash), "application/zip", hash + ".zip");
        });
        return endpoints;
    }
}
