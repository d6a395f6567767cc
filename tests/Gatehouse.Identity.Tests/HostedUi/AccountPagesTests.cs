using System.Net;
using System.Text.Json.Nodes;
using Gatehouse.Testing;
using static Gatehouse.Identity.Tests.OAuth.OAuthTestKit;

namespace Gatehouse.Identity.Tests.HostedUi;

/// <summary>Sign-up with its confirmation code and the forgotten-password pages, over plain HTML forms; codes come from the local outbox.</summary>
public sealed class AccountPagesTests : IClassFixture<GatehouseProcess>
{
    private readonly GatehouseProcess _server;

    public AccountPagesTests(GatehouseProcess server) => _server = server;

    private async Task<string> OutboxCodeAsync(string poolId, string email, string purpose)
    {
        using var http = _server.CreateClient();
        var messages = JsonNode.Parse(await http.GetStringAsync($"/_gatehouse/outbox?poolId={poolId}"))!["messages"]!.AsArray();
        return messages.Last(m => m!.Str("destination") == email && m!.Str("purpose") == purpose)!.Str("code");
    }

    private static async Task<string> PostAsync(HttpClient browser, string url, string csrfFrom, Dictionary<string, string> fields, HttpStatusCode expected = HttpStatusCode.OK)
    {
        fields["_csrf"] = Csrf(csrfFrom);
        using var response = await browser.PostAsync(url, new FormUrlEncodedContent(fields));
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} from {url}:\n{html}");
        return html;
    }

    [Fact]
    public async Task SignUp_WithEmailCode_ConfirmedThenSignsInWithCode()
    {
        var setup = await CreateAsync(_server);
        (await _server.AwsAsync("cognito-idp", "update-user-pool", "--user-pool-id", setup.PoolId, "--auto-verified-attributes", "email")).EnsureSuccess();
        var baseUrl = Base(_server, setup.Domain);
        var query = AuthorizeQuery(setup);
        var email = $"new-{Guid.NewGuid():N}@example.com";
        using var browser = Browser();

        var form = await browser.GetStringAsync($"{baseUrl}/signup?{query}");
        Assert.Contains("<h1>Create an account</h1>", form, StringComparison.Ordinal);
        var weak = await PostAsync(browser, $"{baseUrl}/signup?{query}", form,
            new() { ["username"] = email, ["password"] = "weak", ["confirm"] = "weak" }, HttpStatusCode.BadRequest);
        Assert.Contains("Password did not conform with policy", weak, StringComparison.Ordinal);

        var confirm = await PostAsync(browser, $"{baseUrl}/signup?{query}", form,
            new() { ["username"] = email, ["password"] = "Signup-Passw0rd!", ["confirm"] = "Signup-Passw0rd!" });
        Assert.Contains("<h1>Confirm your account</h1>", confirm, StringComparison.Ordinal);

        var wrong = await PostAsync(browser, $"{baseUrl}/confirm?{query}", confirm,
            new() { ["username"] = email, ["code"] = "000000" }, HttpStatusCode.BadRequest);
        Assert.Contains("Invalid verification code provided", wrong, StringComparison.Ordinal);
        var login = await PostAsync(browser, $"{baseUrl}/confirm?{query}", confirm,
            new() { ["username"] = email, ["code"] = await OutboxCodeAsync(setup.PoolId, email, "signup") });
        Assert.Contains("Your account is confirmed", login, StringComparison.Ordinal);

        var status = (await _server.AwsAsync("cognito-idp", "admin-get-user", "--user-pool-id", setup.PoolId, "--username", email)).EnsureSuccess().Json;
        Assert.Equal("CONFIRMED", status.Str("UserStatus"));
        Code(await SignInAsync(browser, baseUrl, query, email, "Signup-Passw0rd!"));
    }

    [Fact]
    public async Task ForgotPassword_CodeFromOutbox_NewPasswordSignsIn()
    {
        var setup = await CreateAsync(_server);
        // AWS sends reset codes only to a verified email (an unverified one: see the next test).
        (await _server.AwsAsync("cognito-idp", "admin-update-user-attributes", "--user-pool-id", setup.PoolId, "--username", setup.Email,
            "--user-attributes", "Name=email_verified,Value=true")).EnsureSuccess();
        var baseUrl = Base(_server, setup.Domain);
        var query = AuthorizeQuery(setup);
        using var browser = Browser();

        var form = await browser.GetStringAsync($"{baseUrl}/forgotPassword?{query}");
        var reset = await PostAsync(browser, $"{baseUrl}/forgotPassword?{query}", form, new() { ["username"] = setup.Email });
        Assert.Contains("<h1>Choose a new password</h1>", reset, StringComparison.Ordinal);
        Assert.Equal(setup.Email, Hidden(reset, "username"));

        var login = await PostAsync(browser, $"{baseUrl}/confirmForgotPassword?{query}", reset, new()
        {
            ["username"] = setup.Email,
            ["code"] = await OutboxCodeAsync(setup.PoolId, setup.Email, "reset"),
            ["password"] = "Reset-Passw0rd!2",
            ["confirm"] = "Reset-Passw0rd!2",
        });
        Assert.Contains("Your password was changed", login, StringComparison.Ordinal);

        using var old = await SignInAsync(browser, baseUrl, query, setup.Email, setup.Password);
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        Code(await SignInAsync(browser, baseUrl, query, setup.Email, "Reset-Passw0rd!2"));
    }

    [Fact]
    public async Task ForgotPassword_UnverifiedEmail_FormShowsErrorAndNoCode()
    {
        var setup = await CreateAsync(_server);
        var baseUrl = Base(_server, setup.Domain);
        var query = AuthorizeQuery(setup);
        using var browser = Browser();

        var form = await browser.GetStringAsync($"{baseUrl}/forgotPassword?{query}");
        var refused = await PostAsync(browser, $"{baseUrl}/forgotPassword?{query}", form, new() { ["username"] = setup.Email }, HttpStatusCode.BadRequest);
        Assert.Contains("no registered/verified email or phone_number", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("<h1>Choose a new password</h1>", refused, StringComparison.Ordinal);
        using var http = _server.CreateClient();
        var messages = JsonNode.Parse(await http.GetStringAsync($"/_gatehouse/outbox?poolId={setup.PoolId}"))!["messages"]!.AsArray();
        Assert.DoesNotContain(messages, m => m!.Str("purpose") == "reset");
    }

    [Fact]
    public async Task SignUp_AdminCreateUserOnlyPool_NoSignUpLinkAndFormClosed()
    {
        var setup = await CreateAsync(_server);
        (await _server.AwsAsync("cognito-idp", "update-user-pool", "--user-pool-id", setup.PoolId,
            "--admin-create-user-config", "AllowAdminCreateUserOnly=true")).EnsureSuccess();
        var baseUrl = Base(_server, setup.Domain);
        using var browser = Browser();
        var login = await browser.GetStringAsync($"{baseUrl}/login?{AuthorizeQuery(setup)}");
        Assert.DoesNotContain("Sign up", login, StringComparison.Ordinal);
        var signup = await browser.GetStringAsync($"{baseUrl}/signup?{AuthorizeQuery(setup)}");
        Assert.Contains("Sign-up is not available", signup, StringComparison.Ordinal);
    }
}
