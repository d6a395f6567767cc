using System.Text.Json;
using Gatehouse.Core;
using Gatehouse.Identity.Auth;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.OAuth;
using Gatehouse.Identity.Operations;
using Gatehouse.Identity.Tokens;
using Gatehouse.Protocol.Generated;
using Gatehouse.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Registers the user pools (Amazon Cognito) service with the server.</summary>
    public static IServiceCollection AddGatehouseIdentity(this IServiceCollection services)
    {
        services.TryAddSingleton<IdentityState>();
        services.TryAddSingleton<UserChanges>();
        services.TryAddSingleton<SignInChecks>();
        // Lambda triggers run through the functions service when it is registered (the server); without it a configured trigger fails as Cognito's would.
        services.TryAddSingleton(sp => new Triggers.UserPoolTriggers(sp.GetService<IFunctionInvoker>()));
        services.TryAddSingleton<Triggers.TokenGenerationTrigger>();
        services.TryAddSingleton<OAuthGrants>();
        services.TryAddSingleton<IdentityService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatehouseService, IdentityService>(sp => sp.GetRequiredService<IdentityService>()));
        services.TryAddSingleton<ILocalIssuerDirectory>(sp => new LocalIssuerDirectory(sp.GetRequiredService<IdentityState>()));

        services.AddAwsService(CognitoIdentityProvider.ModelName, () => new AwsServiceDefinition(CognitoIdentityProvider.ModelName)
        {
            ValidationErrorCode = CognitoIdentityProvider.Errors.InvalidParameterException,
            SerializationErrorCode = "SerializationException",
            InternalErrorCode = CognitoIdentityProvider.Errors.InternalErrorException,
        });
        services.AddAwsOperations<PoolOperations>(CognitoIdentityProvider.ModelName);
        services.AddAwsOperations<ClientOperations>(CognitoIdentityProvider.ModelName);
        services.AddAwsOperations<UserOperations>(CognitoIdentityProvider.ModelName);
        services.AddAwsOperations<SignInOperations>(CognitoIdentityProvider.ModelName);
        services.AddAwsOperations<GroupOperations>(CognitoIdentityProvider.ModelName);
        services.AddAwsOperations<SelfServiceOperations>(CognitoIdentityProvider.ModelName);
        services.AddAwsOperations<DomainOperations>(CognitoIdentityProvider.ModelName);
        services.AddAwsOperations<ResourceServerOperations>(CognitoIdentityProvider.ModelName);
        return services;
    }

    /// <summary>
    /// Maps the service's endpoints that are not AWS API calls: each pool's JWKS and OpenID
    /// discovery document under its issuer path (also under the plain /{poolId} path when the
    /// issuer is AWS-shaped or the public URL has a path), and the local outbox.
    /// </summary>
    public static IEndpointRouteBuilder MapGatehouseIdentity(this IEndpointRouteBuilder endpoints)
    {
        var service = endpoints.ServiceProvider.GetRequiredService<IdentityState>();
        var grants = endpoints.ServiceProvider.GetRequiredService<OAuthGrants>();
        var options = endpoints.ServiceProvider.GetRequiredService<GatehouseOptions>();
        var prefixes = new List<string> { "" };
        if (options.PublicUrl is not null && Uri.TryCreate(options.PublicUrl, UriKind.Absolute, out var publicUrl) && publicUrl.AbsolutePath.Trim('/') is { Length: > 0 } path)
            prefixes.Add("/" + path);
        foreach (var prefix in prefixes)
        {
            endpoints.MapGet(prefix + "/{poolId}/.well-known/jwks.json", (string poolId, HttpContext http) => WriteJwksAsync(service, poolId, http));
            endpoints.MapGet(prefix + "/{poolId}/.well-known/openid-configuration", (string poolId, HttpContext http) => WriteDiscoveryAsync(service, poolId, http));
        }
        endpoints.MapGet("/_gatehouse/outbox", (HttpContext http) => WriteOutboxAsync(service, http));
        endpoints.MapGet("/_gatehouse/login-page", (HttpContext http) => WriteLoginPageUrlAsync(service, http));
        HostedUi.HostedUiEndpoints.Map(endpoints, service, grants);
        return endpoints;
    }

    private static async Task WriteJwksAsync(IdentityState service, string poolId, HttpContext http)
    {
        if (!service.TryGetPool(poolId, out var state))
        {
            await NotFoundAsync(http, poolId).ConfigureAwait(false);
            return;
        }
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "max-age=3600";
        await http.Response.Body.WriteAsync(state.Keys.Jwks, http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteDiscoveryAsync(IdentityState service, string poolId, HttpContext http)
    {
        if (!service.TryGetPool(poolId, out var state))
        {
            await NotFoundAsync(http, poolId).ConfigureAwait(false);
            return;
        }
        var issuer = service.Tokens.Issuer(state.Pool.Id, state.Pool.Region);
        // The keys live on Gatehouse even when the issuer is AWS-shaped.
        var options = http.RequestServices.GetRequiredService<GatehouseOptions>();
        var jwks = $"{options.EffectivePublicUrl}/{poolId}/.well-known/jwks.json";
        http.Response.ContentType = "application/json";
        var document = new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["jwks_uri"] = options.AwsIssuers ? jwks : issuer + "/.well-known/jwks.json",
            ["response_types_supported"] = new[] { "code", "token" },
            ["scopes_supported"] = new[] { "openid", "email", "phone", "profile" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post" },
        };
        HostedUi.HostedUiEndpoints.AddDiscovery(service, state, document);
        await JsonSerializer.SerializeAsync(http.Response.Body, document, cancellationToken: http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteOutboxAsync(IdentityState service, HttpContext http)
    {
        var poolId = http.Request.Query["poolId"].ToString();
        var username = http.Request.Query["username"].ToString();
        var messages = service.Outbox(poolId.Length > 0 ? poolId : null)
            .Where(m => username.Length == 0 || m.Username == username || m.Destination == username);
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            messages = messages.Select(m => new
            {
                id = m.Id,
                userPoolId = m.PoolId,
                username = m.Username,
                destination = m.Destination,
                medium = m.Medium,
                purpose = m.Purpose,
                subject = m.Subject,
                body = m.Body,
                code = m.Code,
                created = m.Created,
            }),
        }, cancellationToken: http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>"View login page": the hosted login URL of an app client (?clientId=…), as the console and CLI print it.</summary>
    private static async Task WriteLoginPageUrlAsync(IdentityState service, HttpContext http)
    {
        var clientId = http.Request.Query["clientId"].ToString();
        var found = service.Pools.FirstOrDefault(p => p.Clients.ContainsKey(clientId));
        var url = found is null ? null : HostedUi.HostedUiEndpoints.LoginPageUrl(service, found, found.Clients[clientId]);
        http.Response.ContentType = "application/json";
        if (url is null)
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await JsonSerializer.SerializeAsync(http.Response.Body, new { message = found is null
                ? $"User pool client {clientId} does not exist."
                : "The app client has no login page: its user pool needs a domain and the client a callback URL." }, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            return;
        }
        await JsonSerializer.SerializeAsync(http.Response.Body, new { loginPageUrl = url }, cancellationToken: http.RequestAborted).ConfigureAwait(false);
    }

    private static async Task NotFoundAsync(HttpContext http, string poolId)
    {
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        http.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(http.Response.Body, new { message = $"User pool {poolId} does not exist." }, cancellationToken: http.RequestAborted).ConfigureAwait(false);
    }
}
