using System.Text;
using System.Text.Encodings.Web;
using Gatehouse.Identity.Model;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Identity.HostedUi;

/// <summary>A form field: label, name, type, autocomplete hint and current value.</summary>
internal sealed record Field(string Label, string Name, string Type = "text", string? Autocomplete = null, string? Value = null, bool Required = true);

/// <summary>
/// The hosted pages: server-rendered HTML with one inline stylesheet (no scripts, no external
/// assets), every input labelled, the first field (or the error) focused, and a CSRF token in
/// every form. All text from requests or users is HTML-encoded.
/// </summary>
internal static class Pages
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    private const string Style = """
        *{box-sizing:border-box}
        body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f6;
          font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#111827}
        main{width:100%;max-width:380px;margin:24px;padding:32px;background:#fff;border:1px solid #e5e7eb;border-radius:12px;
          box-shadow:0 1px 3px rgba(0,0,0,.06)}
        .brand{margin:0 0 8px;font-size:13px;letter-spacing:.06em;text-transform:uppercase;color:#6b7280}
        h1{margin:0 0 20px;font-size:22px;line-height:1.3}
        p{margin:0 0 16px}
        label{display:block;margin:0 0 4px;font-weight:600;font-size:14px}
        input{display:block;width:100%;margin:0 0 16px;padding:10px 12px;font:inherit;border:1px solid #9ca3af;border-radius:8px;background:#fff;color:inherit}
        input:focus,button:focus,a:focus{outline:3px solid #2563eb;outline-offset:2px}
        button{display:block;width:100%;padding:11px 12px;font:inherit;font-weight:600;color:#fff;background:#1d4ed8;border:0;border-radius:8px;cursor:pointer}
        button:hover{background:#1e40af}
        a{color:#1d4ed8}
        .error{margin:0 0 16px;padding:10px 12px;border-radius:8px;background:#fef2f2;border:1px solid #fecaca;color:#991b1b}
        .notice{margin:0 0 16px;padding:10px 12px;border-radius:8px;background:#eff6ff;border:1px solid #bfdbfe;color:#1e3a8a}
        .policy{margin:0 0 16px;padding:0 0 0 20px;font-size:14px;color:#374151}
        .links{margin:20px 0 0;font-size:14px;display:flex;flex-wrap:wrap;gap:4px 16px}
        """;

    public static string E(string? text) => Html.Encode(text ?? "");

    /// <summary>The shared frame of every page.</summary>
    public static string Layout(string title, string content) => $$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{E(title)}}</title>
        <style>{{Style}}</style>
        </head>
        <body>
        <main>
        <p class="brand">Gatehouse</p>
        {{content}}
        </main>
        </body>
        </html>
        """;

    /// <summary>A form page: heading, optional error/notice, fields, submit button, links.</summary>
    public static string Form(string title, string action, string csrf, IReadOnlyList<Field> fields, string submit,
        string? error = null, string? notice = null, string? intro = null, IReadOnlyList<(string Text, string Href)>? links = null,
        IReadOnlyList<(string Name, string Value)>? hidden = null, string? extraHtml = null)
    {
        var body = new StringBuilder();
        body.Append("<h1>").Append(E(title)).Append("</h1>\n");
        if (error is not null)
            body.Append("<p class=\"error\" role=\"alert\" id=\"error\">").Append(E(error)).Append("</p>\n");
        if (notice is not null)
            body.Append("<p class=\"notice\" role=\"status\">").Append(E(notice)).Append("</p>\n");
        if (intro is not null)
            body.Append("<p>").Append(E(intro)).Append("</p>\n");
        if (extraHtml is not null)
            body.Append(extraHtml);
        body.Append("<form method=\"post\" action=\"").Append(E(action)).Append("\" novalidate>\n");
        body.Append("<input type=\"hidden\" name=\"_csrf\" value=\"").Append(E(csrf)).Append("\">\n");
        foreach (var (name, value) in hidden ?? [])
            body.Append("<input type=\"hidden\" name=\"").Append(E(name)).Append("\" value=\"").Append(E(value)).Append("\">\n");
        var first = true;
        foreach (var field in fields)
        {
            var id = "f-" + field.Name.Replace(':', '-').Replace('.', '-');
            body.Append("<label for=\"").Append(id).Append("\">").Append(E(field.Label)).Append("</label>\n");
            body.Append("<input id=\"").Append(id).Append("\" name=\"").Append(E(field.Name)).Append("\" type=\"").Append(field.Type).Append('"');
            if (field.Autocomplete is not null)
                body.Append(" autocomplete=\"").Append(field.Autocomplete).Append('"');
            if (field.Value is not null && field.Type != "password")
                body.Append(" value=\"").Append(E(field.Value)).Append('"');
            if (field.Required)
                body.Append(" required");
            if (error is not null)
                body.Append(" aria-describedby=\"error\"");
            // The first empty field gets focus, so keyboard users start where they type.
            if (first && (field.Value is null || field.Type == "password"))
            {
                body.Append(" autofocus");
                first = false;
            }
            body.Append(">\n");
        }
        body.Append("<button type=\"submit\">").Append(E(submit)).Append("</button>\n</form>\n");
        if (links is { Count: > 0 })
        {
            body.Append("<nav class=\"links\" aria-label=\"Other options\">");
            foreach (var (text, href) in links)
                body.Append("<a href=\"").Append(E(href)).Append("\">").Append(E(text)).Append("</a>");
            body.Append("</nav>\n");
        }
        return Layout(title, body.ToString());
    }

    public static string Message(string title, string message, IReadOnlyList<(string Text, string Href)>? links = null)
    {
        var body = new StringBuilder();
        body.Append("<h1>").Append(E(title)).Append("</h1>\n<p>").Append(E(message)).Append("</p>\n");
        if (links is { Count: > 0 })
        {
            body.Append("<nav class=\"links\" aria-label=\"Other options\">");
            foreach (var (text, href) in links)
                body.Append("<a href=\"").Append(E(href)).Append("\">").Append(E(text)).Append("</a>");
            body.Append("</nav>\n");
        }
        return Layout(title, body.ToString());
    }

    /// <summary>The pool's password policy as a list, shown wherever a new password is chosen.</summary>
    public static string PolicyList(PasswordPolicy policy)
    {
        var rules = new List<string> { $"At least {policy.MinimumLength} characters" };
        if (policy.RequireLowercase)
            rules.Add("A lowercase letter");
        if (policy.RequireUppercase)
            rules.Add("An uppercase letter");
        if (policy.RequireNumbers)
            rules.Add("A number");
        if (policy.RequireSymbols)
            rules.Add("A symbol, such as ! @ # $ % ^ & *");
        var html = new StringBuilder("<p id=\"policy-heading\">Your password must contain:</p>\n<ul class=\"policy\" aria-labelledby=\"policy-heading\">");
        foreach (var rule in rules)
            html.Append("<li>").Append(E(rule)).Append("</li>");
        return html.Append("</ul>\n").ToString();
    }

    /// <summary>Writes a page with the headers every hosted page carries.</summary>
    public static Task WriteAsync(HttpContext http, string html, int status = StatusCodes.Status200OK)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/html; charset=utf-8";
        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        // No scripts at all; only the inline stylesheet; never framed (clickjacking of the login form).
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'";
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return http.Response.WriteAsync(html, http.RequestAborted);
    }
}
