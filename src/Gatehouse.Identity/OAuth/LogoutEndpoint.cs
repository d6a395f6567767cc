using Gatehouse.Identity.HostedUi;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.OAuth;

/// <summary>
/// GET /logout: ends the browser's hosted session, then goes to a registered logout_uri, or back
/// to the login page for a new authorization request (redirect_uri + response_type).
/// </summary>
internal static class LogoutEndpoint
{
    public static async Task GetAsync(HostedRequest r)
    {
        var query = r.Http.Request.Query;
        var clientId = query["client_id"].ToString();
        if (clientId.Length == 0 || !r.State.Clients.TryGetValue(clientId, out var client))
        {
            await Pages.WriteAsync(r.Http, Pages.Message("Something went wrong", "This sign-out link names no app client of this user pool."), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }

        var logoutUri = query["logout_uri"].ToString();
        if (logoutUri.Length > 0)
        {
            // Only a registered address: otherwise /logout would be an open redirector.
            if (!OAuthClientSettings.IsLogoutUrl(client, logoutUri))
            {
                await Pages.WriteAsync(r.Http, Pages.Message("Something went wrong", "logout_uri does not match any of the app client's sign-out URLs."), StatusCodes.Status400BadRequest).ConfigureAwait(false);
                return;
            }
            EndSession(r);
            r.Redirect(logoutUri);
            return;
        }

        if (query.ContainsKey("redirect_uri"))
        {
            var validation = AuthorizeRequestValidator.Validate(r.State, query);
            if (validation.Request is not { } request)
            {
                await AuthorizeEndpoint.RejectAsync(r, validation).ConfigureAwait(false);
                return;
            }
            EndSession(r);
            r.Redirect(r.Path("/login") + "?" + request.ToQuery());
            return;
        }

        EndSession(r);
        await Pages.WriteAsync(r.Http, Pages.Message("Signed out", "You have been signed out.")).ConfigureAwait(false);
    }

    private static void EndSession(HostedRequest r)
    {
        r.Identity.HostedSessions.Remove(r.SessionId);
        r.ClearSession();
    }
}
