using System.Text.Json.Nodes;
using Gatehouse.Identity.Model;

namespace Gatehouse.Identity.OAuth;

/// <summary>An app client's OAuth settings (UserPoolClientType members), read from its configuration snapshot.</summary>
internal static class OAuthClientSettings
{
    public static IReadOnlyList<string> Strings(AppClient client, string member) =>
        (client.Settings[member] as JsonArray ?? []).Select(n => n?.GetValue<string>()).OfType<string>().ToList();

    /// <summary>AllowedOAuthFlowsUserPoolClient and COGNITO among the identity providers: the hosted flows may run at all.</summary>
    public static bool OAuthEnabled(AppClient client) =>
        client.Settings["AllowedOAuthFlowsUserPoolClient"]?.GetValue<bool>() == true
        && Strings(client, "SupportedIdentityProviders").Contains("COGNITO");

    public static bool AllowsFlow(AppClient client, string flow) => OAuthEnabled(client) && Strings(client, "AllowedOAuthFlows").Contains(flow);

    public static IReadOnlyList<string> Scopes(AppClient client) => Strings(client, "AllowedOAuthScopes");

    /// <summary>Exact, case-sensitive match against CallbackURLs: the only places a code or token is ever sent.</summary>
    public static bool IsCallback(AppClient client, string uri) => Strings(client, "CallbackURLs").Contains(uri, StringComparer.Ordinal);

    public static bool IsLogoutUrl(AppClient client, string uri) => Strings(client, "LogoutURLs").Contains(uri, StringComparer.Ordinal);
}
