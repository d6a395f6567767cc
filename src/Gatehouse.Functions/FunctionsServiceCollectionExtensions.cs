using Gatehouse.Core;
using Gatehouse.Protocol;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Functions;

public static class FunctionsServiceCollectionExtensions
{
    /// <summary>Registers the functions (AWS Lambda) service with the server.</summary>
    public static IServiceCollection AddGatehouseFunctions(this IServiceCollection services)
    {
        services.AddSingleton<FunctionsService>();
        services.AddSingleton<IGatehouseService>(sp => sp.GetRequiredService<FunctionsService>());
        services.AddSingleton<AwsServiceDefinition>(sp => sp.GetRequiredService<FunctionsService>().Definition);
        return services;
    }

    /// <summary>Maps the service's endpoints that are not AWS API calls.</summary>
    public static IEndpointRouteBuilder MapGatehouseFunctions(this IEndpointRouteBuilder endpoints) => endpoints;
}
