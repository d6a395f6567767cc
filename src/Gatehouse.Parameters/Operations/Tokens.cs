using System.Text;

namespace Gatehouse.Parameters.Operations;

/// <summary>
/// Page tokens: the position of the last item handed out (a name or a version), base64 so clients
/// treat it as opaque. A token that does not decode is AWS's InvalidNextToken.
/// </summary>
internal static class Tokens
{
    public static string Encode(string position) => Convert.ToBase64String(Encoding.UTF8.GetBytes(position));

    public static string Decode(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw ParametersErrors.InvalidNextToken();
        }
    }
}
