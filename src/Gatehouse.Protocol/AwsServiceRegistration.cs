using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Protocol;

/// <summary>
/// The one way a service puts its AWS operations behind the protocol layer: its definition (the
/// model it speaks and its error names) and the <see cref="IAwsOperations"/> classes of its
/// resources, keyed by the model name. The dispatcher receives every definition, each filled by the
/// operation classes registered under its model.
/// </summary>
public static class AwsServiceRegistration
{
    /// <summary>Registers a service's definition; <paramref name="create"/> sets its model name and error names.</summary>
    public static IServiceCollection AddAwsService(this IServiceCollection services, string modelName, Func<AwsServiceDefinition> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton(sp =>
        {
            var definition = create();
            if (definition.ModelName != modelName)
                throw new InvalidOperationException($"The definition registered for {modelName} names model {definition.ModelName}.");
            foreach (var operations in sp.GetKeyedServices<IAwsOperations>(modelName))
                operations.Map(definition);
            return definition;
        });
        return services;
    }

    /// <summary>Registers one resource's operation class under its service's model name.</summary>
    public static IServiceCollection AddAwsOperations<TOperations>(this IServiceCollection services, string modelName)
        where TOperations : class, IAwsOperations
    {
        // The class itself too, so a service's other endpoints (hosted pages, data plane) can share it.
        services.TryAddSingleton<TOperations>();
        services.TryAddEnumerable(ServiceDescriptor.KeyedSingleton<IAwsOperations, TOperations>(modelName,
            (sp, _) => sp.GetRequiredService<TOperations>()));
        return services;
    }
}
