using Gatehouse.Stacks.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Stacks;

public static class StacksServiceCollectionExtensions
{
    /// <summary>Registers CloudFormation with the server: so far its resource providers (the engine and operations come next).</summary>
    public static IServiceCollection AddGatehouseStacks(this IServiceCollection services)
    {
        // Providers: one line per resource type (Resources/<Service>/<Type>Provider.cs).
        services.AddResourceProvider<Resources.IAM.RoleProvider>();
        services.AddResourceProvider<Resources.IAM.PolicyProvider>();
        services.AddResourceProvider<Resources.SSM.ParameterProvider>();
        services.AddResourceProvider<Resources.CDK.MetadataProvider>();
        return services;
    }

    /// <summary>Registers the provider of one resource type.</summary>
    internal static IServiceCollection AddResourceProvider<TProvider>(this IServiceCollection services)
        where TProvider : class, IResourceProvider
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResourceProvider, TProvider>());
        return services;
    }
}
