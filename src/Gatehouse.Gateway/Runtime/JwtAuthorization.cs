namespace Gatehouse.Gateway.Runtime;

/// <summary>
/// The JWT authorizer step: the token from the route's identity source, verified by the authorizer's
/// <see cref="JwtValidator"/> (a token seen before is answered from its cache, probed once), then the
/// route's scopes. A refusal carries the <c>WWW-Authenticate</c> challenge API Gateway sends.
/// </summary>
internal static class JwtAuthorization
{
    public static async ValueTask<DataPlane.Refusal?> AuthorizeAsync(GatewayRequest request, RouteRuntime route)
    {
        var jwt = route.Jwt!;
        var token = TokenText(jwt.Source.Read(request));
        if (token.IsEmpty)
        {
            request.AuthorizerError = "Unauthorized";
            return new(GatewayResponse.Unauthorized, GatewayResponses.Challenge(JwtFailure.Missing, null));
        }
        // A token seen before is answered from the cache without copying it out of the header.
        var result = jwt.Validator.TryGetVerified(token, out var cached)
            ? cached
            : await jwt.Validator.ValidateFirstSeenAsync(token.ToString(), request.Http.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            request.AuthorizerError = result.Failure.ToString();
            return new(GatewayResponse.Unauthorized, GatewayResponses.Challenge(result.Failure, result.Algorithm));
        }
        var principal = result.Principal!;
        if (route.Scopes.Length > 0 && !route.Scopes.Any(s => principal.Scopes.Contains(s, StringComparer.Ordinal)))
        {
            request.AuthorizerError = "Forbidden";
            return new(GatewayResponse.Forbidden);
        }
        request.Jwt = principal;
        return null;
    }

    /// <summary>The token in an identity-source value: with or without "Bearer ", surrounding spaces ignored.</summary>
    private static ReadOnlyMemory<char> TokenText(string? value)
    {
        if (value is null)
            return ReadOnlyMemory<char>.Empty;
        var token = value.AsMemory().Trim();
        if (token.Span.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = token[7..].Trim();
        return token;
    }
}
