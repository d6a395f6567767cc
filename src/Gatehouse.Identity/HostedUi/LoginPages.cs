using Gatehouse.Identity.Model;
using Gatehouse.Identity.OAuth;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.HostedUi;

/// <summary>
/// /login and the new-password form, then the end of every successful sign-in: a hosted session
/// cookie and the redirect back to the client with a code (or implicit tokens).
/// </summary>
internal static class LoginPages
{
    public static async Task GetAsync(HostedRequest r)
    {
        var validation = AuthorizeRequestValidator.Validate(r.State, r.Http.Request.Query);
        if (validation.Request is not { } request)
        {
            await AuthorizeEndpoint.RejectAsync(r, validation).ConfigureAwait(false);
            return;
        }
        await Pages.WriteAsync(r.Http, LoginForm(r, request, null, null)).ConfigureAwait(false);
    }

    public static async Task PostAsync(HostedRequest r)
    {
        var (request, form) = await ContinueAsync(r).ConfigureAwait(false);
        if (request is null || form is null)
            return;
        var name = form["username"].ToString().Trim();
        var result = r.Grants.HostedPasswordSignIn(r.State, request.Client, name, form["password"].ToString());
        if (result.Message is { } message)
        {
            await Pages.WriteAsync(r.Http, LoginForm(r, request, name, message), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        if (result.ChallengeSession is { } session)
        {
            await Pages.WriteAsync(r.Http, NewPasswordForm(r, request, session, result.MissingAttributes, null)).ConfigureAwait(false);
            return;
        }
        await CompleteAsync(r, request, result.UserKey!, result.User!, r.Identity.Now.ToUnixTimeSeconds(), newSession: true).ConfigureAwait(false);
    }

    public static async Task NewPasswordPostAsync(HostedRequest r)
    {
        var (request, form) = await ContinueAsync(r).ConfigureAwait(false);
        if (request is null || form is null)
            return;
        var session = form["session"].ToString();
        var password = form["password"].ToString();
        var missing = r.Grants.PendingRequiredAttributes(r.State, session);
        if (password != form["confirm"].ToString())
        {
            await Pages.WriteAsync(r.Http, NewPasswordForm(r, request, session, missing, "The passwords do not match."), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        var attributes = form.Keys.Where(k => k.StartsWith("userAttributes.", StringComparison.Ordinal))
            .Select(k => new KeyValuePair<string, string>(k["userAttributes.".Length..], form[k].ToString().Trim()))
            .Where(a => a.Value.Length > 0).ToList();
        var result = await r.Grants.HostedCompleteNewPasswordAsync(r.State, request.Client, session, password, attributes, r.Http.RequestAborted).ConfigureAwait(false);
        if (result.Message is { } message)
        {
            // An expired or used session cannot be retried on this form: start again at the login page.
            var page = message == IdentityErrors.InvalidSession().Message
                ? LoginForm(r, request, null, "Your session has expired. Sign in again.")
                : NewPasswordForm(r, request, session, missing, message);
            await Pages.WriteAsync(r.Http, page, StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        r.Grants.LogHosted("temporary password replaced", r.State.Pool.Id, request.Client.Id);
        await CompleteAsync(r, request, result.UserKey!, result.User!, r.Identity.Now.ToUnixTimeSeconds(), newSession: true).ConfigureAwait(false);
    }

    /// <summary>The common start of every form post: a form, a valid CSRF token, a valid authorization request.</summary>
    public static async Task<(AuthorizeRequest? Request, IFormCollection? Form)> ContinueAsync(HostedRequest r)
    {
        var (form, unreadable) = await r.ReadFormAsync().ConfigureAwait(false);
        var retry = r.Path("/login") + r.Http.Request.QueryString.Value;
        if (unreadable)
        {
            await Pages.WriteAsync(r.Http, Pages.Message("The form could not be read",
                "The form you sent could not be read. Go back to the sign-in page and try again.",
                [("Back to sign in", retry)]), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return (null, null);
        }
        if (form is null || !r.CsrfValid(form))
        {
            await Pages.WriteAsync(r.Http, Pages.Message("Please try again",
                "This form has expired or was not sent from this site. Go back to the sign-in page and try again.",
                [("Back to sign in", retry)]), StatusCodes.Status403Forbidden).ConfigureAwait(false);
            return (null, null);
        }
        var validation = AuthorizeRequestValidator.Validate(r.State, r.Http.Request.Query);
        if (validation.Request is null)
        {
            await AuthorizeEndpoint.RejectAsync(r, validation).ConfigureAwait(false);
            return (null, null);
        }
        return (validation.Request, form);
    }

    /// <summary>Signed in: remember the browser for an hour, then answer the authorization request.</summary>
    public static Task CompleteAsync(HostedRequest r, AuthorizeRequest request, string key, User user, long authTime, bool newSession)
    {
        if (newSession)
        {
            r.Identity.HostedSessions.Remove(r.SessionId);
            var id = r.Identity.HostedSessions.Add(new HostedSession(r.State.Pool.Id, key, user.Sub, user.CredentialStamp, authTime,
                r.Identity.Now + HostedSessions.Lifetime));
            r.SetSession(id);
        }
        return AuthorizeEndpoint.AnswerAsync(r, request, key, user, authTime);
    }

    private static Field IdentifierField(UserPool pool, string? value)
    {
        if (pool.EmailIsUsername && pool.UsernameAttributes.Contains("phone_number"))
            return new Field("Email address or phone number", "username", "text", "username", value);
        if (pool.EmailIsUsername)
            return new Field("Email address", "username", "email", "username", value);
        if (pool.UsernameAttributes.Contains("phone_number"))
            return new Field("Phone number", "username", "tel", "username", value);
        return pool.AliasAttributes.Contains("email")
            ? new Field("Username or email address", "username", "text", "username", value)
            : new Field("Username", "username", "text", "username", value);
    }

    public static string LoginForm(HostedRequest r, AuthorizeRequest request, string? username, string? error, string? notice = null)
    {
        var query = "?" + request.ToQuery();
        var links = new List<(string, string)> { ("Forgot your password?", r.Path("/forgotPassword") + query) };
        if (!r.State.Pool.AllowAdminCreateUserOnly)
            links.Add(("Need an account? Sign up", r.Path("/signup") + query));
        return Pages.Form("Sign in", r.Path("/login") + query, r.CsrfToken(),
            [IdentifierField(r.State.Pool, username), new Field("Password", "password", "password", "current-password")],
            "Sign in", error, notice, links: links);
    }

    public static string NewPasswordForm(HostedRequest r, AuthorizeRequest request, string session, IReadOnlyList<string> missing, string? error)
    {
        var fields = new List<Field>
        {
            new("New password", "password", "password", "new-password"),
            new("Confirm new password", "confirm", "password", "new-password"),
        };
        foreach (var attribute in missing)
            fields.Add(new Field(AttributeLabel(attribute), "userAttributes." + attribute, attribute == "email" ? "email" : "text", null));
        return Pages.Form("Change your password", r.Path("/new-password") + "?" + request.ToQuery(), r.CsrfToken(), fields, "Change password",
            error, intro: "You signed in with a temporary password. Choose a new password to continue.",
            hidden: [("session", session)], extraHtml: Pages.PolicyList(r.State.Pool.PasswordPolicy));
    }

    public static string AttributeLabel(string attribute) => attribute switch
    {
        "email" => "Email address",
        "phone_number" => "Phone number",
        "given_name" => "Given name",
        "family_name" => "Family name",
        "name" => "Name",
        "preferred_username" => "Preferred username",
        _ => attribute.Replace('_', ' '),
    };
}
