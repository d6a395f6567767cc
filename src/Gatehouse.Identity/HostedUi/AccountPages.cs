using System.Text.Json.Nodes;
using Gatehouse.Identity.Model;
using Gatehouse.Identity.OAuth;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.HostedUi;

/// <summary>
/// Sign-up with its confirmation code, and the forgotten-password pages. Each runs the same
/// operation an app would call (SignUp, ConfirmSignUp, ForgotPassword, ConfirmForgotPassword), so
/// codes go to the local outbox and every rule and message is the API's. Every page keeps the
/// authorization request, so the user ends on the login page of the same app.
/// </summary>
internal static class AccountPages
{
    public static async Task SignUpGetAsync(HostedRequest r)
    {
        if (await StartAsync(r).ConfigureAwait(false) is { } request)
            await Pages.WriteAsync(r.Http, SignUpForm(r, request, null, null)).ConfigureAwait(false);
    }

    public static async Task SignUpPostAsync(HostedRequest r)
    {
        var (request, form) = await LoginPages.ContinueAsync(r).ConfigureAwait(false);
        if (request is null || form is null)
            return;
        if (r.State.Pool.AllowAdminCreateUserOnly)
        {
            await SignUpClosedAsync(r).ConfigureAwait(false);
            return;
        }
        var username = form["username"].ToString().Trim();
        var attributes = new JsonArray();
        foreach (var key in form.Keys.Where(k => k.StartsWith("userAttributes.", StringComparison.Ordinal)))
        {
            if (form[key].ToString().Trim() is { Length: > 0 } value)
                attributes.Add(new JsonObject { ["Name"] = key["userAttributes.".Length..], ["Value"] = value });
        }
        if (r.State.Pool.EmailIsUsername && !attributes.Any(a => a!["Name"]!.GetValue<string>() == "email"))
            attributes.Add(new JsonObject { ["Name"] = "email", ["Value"] = username });
        var values = attributes.ToDictionary(a => a!["Name"]!.GetValue<string>(), a => a!["Value"]!.GetValue<string>());
        string? error = null;
        if (username.Length == 0)
            error = "Enter a " + (r.State.Pool.EmailIsUsername ? "email address." : "username.");
        else if (form["password"].ToString() != form["confirm"].ToString())
            error = "The passwords do not match.";
        if (error is not null)
        {
            await Pages.WriteAsync(r.Http, SignUpForm(r, request, username, error, values), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        var (output, failure) = await r.Grants.HostedCallAsync(r.State, request.Client, "SignUp",
            new JsonObject { ["Username"] = username, ["Password"] = form["password"].ToString(), ["UserAttributes"] = attributes }, r.Http).ConfigureAwait(false);
        if (failure is not null)
        {
            await Pages.WriteAsync(r.Http, SignUpForm(r, request, username, failure, values), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        if (output!["CodeDeliveryDetails"]?["Destination"]?.GetValue<string>() is { } destination)
        {
            await Pages.WriteAsync(r.Http, ConfirmForm(r, request, username, null, $"We sent a code to {destination}. Enter it below to confirm your account.")).ConfigureAwait(false);
            return;
        }
        await Pages.WriteAsync(r.Http, Pages.Message("Account created",
            "Your account was created. An administrator must confirm it before you can sign in.",
            [("Back to sign in", r.Path("/login") + "?" + request.ToQuery())])).ConfigureAwait(false);
    }

    public static async Task ConfirmGetAsync(HostedRequest r)
    {
        if (await StartAsync(r).ConfigureAwait(false) is { } request)
            await Pages.WriteAsync(r.Http, ConfirmForm(r, request, r.Http.Request.Query["username"].ToString(), null, null)).ConfigureAwait(false);
    }

    public static async Task ConfirmPostAsync(HostedRequest r)
    {
        var (request, form) = await LoginPages.ContinueAsync(r).ConfigureAwait(false);
        if (request is null || form is null)
            return;
        var username = form["username"].ToString().Trim();
        if (form["resend"].Count > 0)
        {
            var (sent, resendError) = await r.Grants.HostedCallAsync(r.State, request.Client, "ResendConfirmationCode", new JsonObject { ["Username"] = username }, r.Http).ConfigureAwait(false);
            await Pages.WriteAsync(r.Http, ConfirmForm(r, request, username, resendError,
                resendError is null ? $"We sent a new code to {sent!["CodeDeliveryDetails"]?["Destination"]?.GetValue<string>()}." : null)).ConfigureAwait(false);
            return;
        }
        var (_, failure) = await r.Grants.HostedCallAsync(r.State, request.Client, "ConfirmSignUp",
            new JsonObject { ["Username"] = username, ["ConfirmationCode"] = form["code"].ToString().Trim() }, r.Http).ConfigureAwait(false);
        if (failure is not null)
        {
            await Pages.WriteAsync(r.Http, ConfirmForm(r, request, username, failure, null), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        await Pages.WriteAsync(r.Http, LoginPages.LoginForm(r, request, username, null, "Your account is confirmed. Sign in to continue.")).ConfigureAwait(false);
    }

    public static async Task ForgotGetAsync(HostedRequest r)
    {
        if (await StartAsync(r).ConfigureAwait(false) is { } request)
            await Pages.WriteAsync(r.Http, ForgotForm(r, request, null)).ConfigureAwait(false);
    }

    public static async Task ForgotPostAsync(HostedRequest r)
    {
        var (request, form) = await LoginPages.ContinueAsync(r).ConfigureAwait(false);
        if (request is null || form is null)
            return;
        var username = form["username"].ToString().Trim();
        var (output, failure) = username.Length == 0
            ? (null, "Enter your username.")
            : await r.Grants.HostedCallAsync(r.State, request.Client, "ForgotPassword", new JsonObject { ["Username"] = username }, r.Http).ConfigureAwait(false);
        if (failure is not null)
        {
            await Pages.WriteAsync(r.Http, ForgotForm(r, request, failure), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        var destination = output!["CodeDeliveryDetails"]?["Destination"]?.GetValue<string>();
        await Pages.WriteAsync(r.Http, ResetForm(r, request, username, null, $"We sent a code to {destination}. Enter it with your new password.")).ConfigureAwait(false);
    }

    public static async Task ResetPostAsync(HostedRequest r)
    {
        var (request, form) = await LoginPages.ContinueAsync(r).ConfigureAwait(false);
        if (request is null || form is null)
            return;
        var username = form["username"].ToString().Trim();
        if (form["password"].ToString() != form["confirm"].ToString())
        {
            await Pages.WriteAsync(r.Http, ResetForm(r, request, username, "The passwords do not match.", null), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        var (_, failure) = await r.Grants.HostedCallAsync(r.State, request.Client, "ConfirmForgotPassword", new JsonObject
        {
            ["Username"] = username,
            ["ConfirmationCode"] = form["code"].ToString().Trim(),
            ["Password"] = form["password"].ToString(),
        }, r.Http).ConfigureAwait(false);
        if (failure is not null)
        {
            await Pages.WriteAsync(r.Http, ResetForm(r, request, username, failure, null), StatusCodes.Status400BadRequest).ConfigureAwait(false);
            return;
        }
        await Pages.WriteAsync(r.Http, LoginPages.LoginForm(r, request, username, null, "Your password was changed. Sign in with your new password.")).ConfigureAwait(false);
    }

    /// <summary>GET pages need a valid authorization request too: it is where the user returns.</summary>
    private static async Task<AuthorizeRequest?> StartAsync(HostedRequest r)
    {
        var validation = AuthorizeRequestValidator.Validate(r.State, r.Http.Request.Query);
        if (validation.Request is null)
        {
            await AuthorizeEndpoint.RejectAsync(r, validation).ConfigureAwait(false);
            return null;
        }
        return validation.Request;
    }

    private static Task SignUpClosedAsync(HostedRequest r) =>
        Pages.WriteAsync(r.Http, Pages.Message("Sign-up is not available", "Accounts for this application are created by an administrator."), StatusCodes.Status403Forbidden);

    private static string SignUpForm(HostedRequest r, AuthorizeRequest request, string? username, string? error, IReadOnlyDictionary<string, string>? values = null)
    {
        if (r.State.Pool.AllowAdminCreateUserOnly)
            return Pages.Message("Sign-up is not available", "Accounts for this application are created by an administrator.");
        var pool = r.State.Pool;
        var fields = new List<Field>
        {
            pool.EmailIsUsername ? new Field("Email address", "username", "email", "username", username) : new Field("Username", "username", "text", "username", username),
        };
        var asked = new HashSet<string>(StringComparer.Ordinal) { "sub" };
        if (pool.EmailIsUsername)
            asked.Add("email");
        // Email is asked for when it carries the confirmation code or is required.
        foreach (var attribute in pool.Schema.Values.Where(a => a.Required || (a.Name == "email" && pool.AutoVerifiedAttributes.Contains("email"))).Select(a => a.Name))
        {
            if (asked.Add(attribute))
                fields.Add(new Field(LoginPages.AttributeLabel(attribute), "userAttributes." + attribute, attribute == "email" ? "email" : "text", null, values?.GetValueOrDefault(attribute)));
        }
        fields.Add(new Field("Password", "password", "password", "new-password"));
        fields.Add(new Field("Confirm password", "confirm", "password", "new-password"));
        return Pages.Form("Create an account", r.Path("/signup") + "?" + request.ToQuery(), r.CsrfToken(), fields, "Sign up", error,
            extraHtml: Pages.PolicyList(pool.PasswordPolicy), links: [("Already have an account? Sign in", r.Path("/login") + "?" + request.ToQuery())]);
    }

    private static string ConfirmForm(HostedRequest r, AuthorizeRequest request, string username, string? error, string? notice) =>
        Pages.Form("Confirm your account", r.Path("/confirm") + "?" + request.ToQuery(), r.CsrfToken(),
            [new Field(r.State.Pool.EmailIsUsername ? "Email address" : "Username", "username", "text", "username", username),
             new Field("Confirmation code", "code", "text", "one-time-code")],
            "Confirm account", error, notice,
            extraHtml: null,
            links: [("Back to sign in", r.Path("/login") + "?" + request.ToQuery())]) +
        "";

    private static string ForgotForm(HostedRequest r, AuthorizeRequest request, string? error) =>
        Pages.Form("Reset your password", r.Path("/forgotPassword") + "?" + request.ToQuery(), r.CsrfToken(),
            [new Field(r.State.Pool.EmailIsUsername ? "Email address" : "Username", "username", "text", "username")],
            "Send code", error, intro: "We will send a code to the email address or phone number of your account.",
            links: [("Back to sign in", r.Path("/login") + "?" + request.ToQuery())]);

    private static string ResetForm(HostedRequest r, AuthorizeRequest request, string username, string? error, string? notice) =>
        Pages.Form("Choose a new password", r.Path("/confirmForgotPassword") + "?" + request.ToQuery(), r.CsrfToken(),
            [new Field("Code", "code", "text", "one-time-code"),
             new Field("New password", "password", "password", "new-password"),
             new Field("Confirm new password", "confirm", "password", "new-password")],
            "Change password", error, notice, hidden: [("username", username)], extraHtml: Pages.PolicyList(r.State.Pool.PasswordPolicy),
            links: [("Back to sign in", r.Path("/login") + "?" + request.ToQuery())]);
}
