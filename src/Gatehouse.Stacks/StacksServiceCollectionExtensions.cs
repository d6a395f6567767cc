using Gatehouse.Core;
using Gatehouse.Protocol;
using Gatehouse.Protocol.Generated;
using Gatehouse.Stacks.Engine;
using Gatehouse.Stacks.Model;
using Gatehouse.Stacks.Operations;
using Gatehouse.Stacks.Resources;
using Gatehouse.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Stacks;

public static class StacksServiceCollectionExtensions
{
    /// <summary>Registers CloudFormation with the server: its state, engine, operations and resource providers.</summary>
    public static IServiceCollection AddGatehouseStacks(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new StackState(sp.GetRequiredService<IDatabase>()));
        services.TryAddSingleton<StackEngine>();
        services.TryAddSingleton<StackInputs>();
        services.TryAddSingleton<StacksService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatehouseService, StacksService>(sp => sp.GetRequiredService<StacksService>()));

        services.AddAwsService(CloudFormation.ModelName, () => AwsProtocolDispatcher.QueryDefinition(CloudFormation.ModelName));
        services.AddAwsOperations<StackOperations>(CloudFormation.ModelName);
        services.AddAwsOperations<ChangeSetOperations>(CloudFormation.ModelName);
        services.AddAwsOperations<TemplateOperations>(CloudFormation.ModelName);

        // Providers: one line per resource type (Resources/<Service>/<Type>Provider.cs).
        services.AddResourceProvider<Resources.IAM.RoleProvider>();
        services.AddResourceProvider<Resources.IAM.PolicyProvider>();
        services.AddResourceProvider<Resources.SSM.ParameterProvider>();
        services.AddResourceProvider<Resources.CDK.MetadataProvider>();
        // Transforms a template may name (Transforms/).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Templates.ITemplateTransform, Transforms.Serverless.ServerlessTransform>());
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
