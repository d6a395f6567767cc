using System.Text;
using Gatehouse.Identity.Model;

namespace Gatehouse.Identity.Operations;

/// <summary>
/// ListUsers' Filter (https://docs.aws.amazon.com/cognitoidentityprovider/latest/APIReference/API_ListUsers.html): <c>attribute = "value"</c> (exact) or <c>attribute ^= "value"</c>
/// (prefix), one attribute, the value in double quotes with <c>\"</c> escapes.
/// </summary>
internal sealed record UserFilter(string Attribute, bool Prefix, string Value)
{
    private static readonly HashSet<string> Searchable =
    [
        "username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username", "cognito:user_status", "status", "sub",
    ];

    /// <summary>Null for an empty filter (all users); throws InvalidParameterException for a malformed one.</summary>
    public static UserFilter? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var i = 0;
        SkipSpace(text, ref i);
        var start = i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or ':'))
            i++;
        var attribute = text[start..i];
        if (attribute.Length == 0)
            throw IdentityErrors.BadFilter();
        SkipSpace(text, ref i);
        bool prefix;
        if (i < text.Length && text[i] == '=')
        {
            prefix = false;
            i++;
        }
        else if (i + 1 < text.Length && text[i] == '^' && text[i + 1] == '=')
        {
            prefix = true;
            i += 2;
        }
        else
        {
            throw IdentityErrors.BadFilter();
        }
        SkipSpace(text, ref i);
        if (i >= text.Length || text[i] != '"')
            throw IdentityErrors.BadFilter();
        i++;
        var value = new StringBuilder();
        var closed = false;
        while (i < text.Length)
        {
            var c = text[i++];
            if (c == '\\' && i < text.Length)
            {
                value.Append(text[i++]);
                continue;
            }
            if (c == '"')
            {
                closed = true;
                break;
            }
            value.Append(c);
        }
        SkipSpace(text, ref i);
        if (!closed || i != text.Length)
            throw IdentityErrors.BadFilter();
        if (!Searchable.Contains(attribute))
            throw IdentityErrors.UnsearchableAttribute(attribute);
        return new UserFilter(attribute, prefix, value.ToString());
    }

    private static void SkipSpace(string text, ref int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
            i++;
    }

    public bool Matches(User user)
    {
        // username and status compare case-sensitively; the other attributes (and the status word) do not.
        var (actual, comparison) = Attribute switch
        {
            "username" => (user.Username, StringComparison.Ordinal),
            "status" => (user.Enabled ? "Enabled" : "Disabled", StringComparison.Ordinal),
            "cognito:user_status" => (user.Status, StringComparison.OrdinalIgnoreCase),
            "sub" => (user.Sub, StringComparison.Ordinal),
            _ => (user.Attribute(Attribute), StringComparison.OrdinalIgnoreCase),
        };
        if (actual is null)
            return false;
        return Prefix ? actual.StartsWith(Value, comparison) : actual.Equals(Value, comparison);
    }
}
