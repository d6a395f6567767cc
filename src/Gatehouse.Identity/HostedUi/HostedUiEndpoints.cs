using System.Security.Cryptography;
using Gatehouse.Core;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gatehouse.Identity.HostedUi;

/// <summary>
/// Maps a domain's hosted pages and OAuth endpoints twice: Host-routed
/// (<c>http://{prefix}.auth.localhost:{port}/login</c>, what browsers are shown) and path-style
/// (<c>{public URL}/_aws/auth/{prefix}/login</c>, for clients that cannot resolve <c>*.localhost</c>).
/// </summary>
internal static class HostedUiEndpoints
{
    /// <summary>Keys the CSRF form tokens; per process, so a restart only expires open forms.</summary>
    private static readonly byte[] CsrfKey = RandomNumberGenerator.GetBytes(32);

    public static void Map(IEndpointRouteBuilder endpoints, IdentityState service, OAuthGrants grants)
    {
        string[] hosts = ["*.auth.localhost", "*.auth." + service.PublicHostForDomains];
        hosts = hosts.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

        void Route(string pattern, string[] methods, Func<HostedRequest, Task> handler)
        {
            endpoints.MapMethods(HostedUiPaths.PathPrefix + "{domain}" + pattern, methods,
                (HttpContext http, string domain) => RunAsync(http, service, grants, domain, HostedUiPaths.PathPrefix + domain, handler));
            endpoints.MapMethods(pattern, methods, (HttpContext http) =>
                HostedUiPaths.TryGetDomainFromHost(http.Request.Host.Host, out var domain)
                    ? RunAsync(http, service, grants, domain, "", handler)
                    : NotFoundAsync(http)).RequireHost(hosts);
        }

        string[] get = [HttpMethods.Get, HttpMethods.Head];
        string[] post = [HttpMethods.Post];
        Route("/oauth2/authorize", get, AuthorizeEndpoint.GetAsync);
        Route("/login", get, LoginPages.GetAsync);
        Route("/login", post, LoginPages.PostAsync);
        Route("/new-password", post, LoginPages.NewPasswordPostAsync);
        Route("/signup", get, AccountPages.SignUpGetAsync);
        Route("/signup", post, AccountPages.SignUpPostAsync);
        Route("/confirm", get, AccountPages.ConfirmGetAsync);
        Route("/confirm", post, AccountPages.ConfirmPostAsync);
        Route("/forgotPassword", get, AccountPages.ForgotGetAsync);
        Route("/forgotPassword", post, AccountPages.ForgotPostAsync);
        Route("/confirmForgotPassword", post, AccountPages.ResetPostAsync);
        Route("/oauth2/token", post, TokenEndpoint.PostAsync);
        Route("/oauth2/userInfo", [HttpMethods.Get, HttpMethods.Post], UserInfoEndpoint.HandleAsync);
        Route("/oauth2/revoke", post, RevokeEndpoint.PostAsync);
        Route("/logout", get, LogoutEndpoint.GetAsync);
        // Anything else on a domain: a friendly page rather than an AWS protocol error.
        Route("/{**rest}", [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post], r => NotFoundAsync(r.Http));
    }

    private static Task RunAsync(HttpContext http, IdentityState service, OAuthGrants grants, string domain, string basePath, Func<HostedRequest, Task> handler)
    {
        if (!service.TryGetDomain(domain, out var state))
            return NotFoundAsync(http);
        return handler(new HostedRequest(http, service, grants, state, domain, basePath, CsrfKey));
    }

    private static Task NotFoundAsync(HttpContext http) =>
        Pages.WriteAsync(http, Pages.Message("Page not found", "There is no sign-in page at this address. Check the link you followed."), StatusCodes.Status404NotFound);

    /// <summary>The OAuth endpoints a pool's discovery document lists once it has a domain (path-style: reachable by any client).</summary>
    public static void AddDiscovery(IdentityState service, PoolState state, Dictionary<string, object> document)
    {
        if (state.Domain is not { } domain)
            return;
        var baseUrl = service.HostedPathBaseUrl(domain.Domain);
        document["authorization_endpoint"] = baseUrl + "/oauth2/authorize";
        document["token_endpoint"] = baseUrl + "/oauth2/token";
        document["userinfo_endpoint"] = baseUrl + "/oauth2/userInfo";
        document["revocation_endpoint"] = baseUrl + "/oauth2/revoke";
        document["end_session_endpoint"] = baseUrl + "/logout";
        document["grant_types_supported"] = new[] { "authorization_code", "refresh_token", "client_credentials", "implicit" };
        document["code_challenge_methods_supported"] = new[] { "S256", "plain" };
        document["claims_supported"] = new[] { "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "email", "email_verified", "phone_number", "phone_number_verified", "cognito:username", "cognito:groups" };
        document["scopes_supported"] = new[] { "openid", "email", "phone", "profile", "aws.cognito.signin.user.admin" }
            .Concat(OAuthGrants.CustomScopes(state).Order(StringComparer.Ordinal)).ToArray();
    }

    /// <summary>The "View login page" URL of an app client: its first callback, code flow, all its scopes.</summary>
    public static string? LoginPageUrl(IdentityState service, PoolState state, AppClient client)
    {
        if (state.Domain is not { } domain)
            return null;
        var callback = OAuthClientSettings.Strings(client, "CallbackURLs").FirstOrDefault();
        if (callback is null)
            return null;
        var responseType = OAuthClientSettings.Strings(client, "AllowedOAuthFlows").Contains("implicit")
            && !OAuthClientSettings.Strings(client, "AllowedOAuthFlows").Contains("code") ? "token" : "code";
        var scopes = string.Join('+', OAuthClientSettings.Scopes(client).Select(Uri.EscapeDataString));
        return $"{service.HostedHostBaseUrl(domain.Domain)}/login?client_id={client.Id}&response_type={responseType}&scope={scopes}&redirect_uri={Uri.EscapeDataString(callback)}";
    }
}
