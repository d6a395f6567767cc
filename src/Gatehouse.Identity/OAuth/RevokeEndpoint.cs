using Gatehouse.Identity.HostedUi;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.OAuth;

/// <summary>
/// POST /oauth2/revoke (RFC 7009): ReadForm → AuthenticateClient (401 for bad Basic credentials)
/// → revoke the refresh token and everything minted from it. 200 with an empty body also for
/// unknown tokens, so the endpoint cannot be used to probe them.
/// </summary>
internal static class RevokeEndpoint
{
    public static async Task PostAsync(HostedRequest r)
    {
        var (form, error) = await TokenEndpoint.ReadFormAsync(r).ConfigureAwait(false);
        AuthenticatedClient? client = null;
        if (error is null)
            (client, error) = TokenEndpoint.AuthenticateClient(r, form!, basicStatus: 401);
        if (error is null && TokenEndpoint.Value(form!, "token") is not { } token)
            error = OAuthErrors.InvalidRequest("The request is missing token.");
        else if (error is null)
            error = await r.Grants.RevokeHostedAsync(r.State, client!.Client, TokenEndpoint.Value(form!, "token")!, r.Http.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            await TokenEndpoint.WriteErrorAsync(r.Http, error).ConfigureAwait(false);
            return;
        }
        r.Http.Response.StatusCode = StatusCodes.Status200OK;
        r.Http.Response.Headers.CacheControl = "no-store";
    }
}
