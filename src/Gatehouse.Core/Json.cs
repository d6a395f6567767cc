using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gatehouse.Core;

/// <summary>
/// The one set of JSON writer options Gatehouse writes with. Everything it writes (service responses,
/// Lambda events, tokens, JWKS) is read by programs, never embedded in HTML, so '+', quotes and non-ASCII
/// stay as themselves, as AWS writes them (https://learn.microsoft.com/dotnet/standard/serialization/system-text-json/character-encoding).
/// </summary>
public static class Json
{
    /// <summary>Writer options with relaxed escaping.</summary>
    public static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serializer options with the same relaxed escaping, for <see cref="JsonSerializer"/>.</summary>
    public static readonly JsonSerializerOptions RelaxedSerializer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
