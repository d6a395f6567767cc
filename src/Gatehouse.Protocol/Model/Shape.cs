using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gatehouse.Protocol.Model;

/// <summary>A shape of the service model with the traits the protocol layer acts on.</summary>
public sealed class Shape
{
    private readonly JsonElement _json;
    private Regex? _pattern;
    private bool _patternTried;

    internal Shape(string name, JsonElement json)
    {
        Name = name;
        _json = json.Clone();
        Type = json.GetProperty("type").GetString()!;
        if (json.TryGetProperty("min", out var min)) Min = min.GetDouble();
        if (json.TryGetProperty("max", out var max)) Max = max.GetDouble();
        if (json.TryGetProperty("pattern", out var pattern)) Pattern = pattern.GetString();
        if (json.TryGetProperty("enum", out var values))
            Enum = values.EnumerateArray().Select(v => v.GetString()!).ToFrozenSet(StringComparer.Ordinal);
        Sensitive = json.TryGetProperty("sensitive", out var sensitive) && sensitive.GetBoolean();
        IsException = json.TryGetProperty("exception", out var exception) && exception.GetBoolean();
        IsFault = json.TryGetProperty("fault", out var fault) && fault.GetBoolean();
        IsDocument = json.TryGetProperty("document", out var document) && document.GetBoolean();
        Streaming = json.TryGetProperty("streaming", out var streaming) && streaming.GetBoolean();
        if (json.TryGetProperty("payload", out var payload)) PayloadMember = payload.GetString();
        Flattened = json.TryGetProperty("flattened", out var flattened) && flattened.GetBoolean();
        if (json.TryGetProperty("xmlNamespace", out var ns) && ns.TryGetProperty("uri", out var uri)) XmlNamespace = uri.GetString();
        if (json.TryGetProperty("timestampFormat", out var format)) TimestampFormat = format.GetString();
        if (json.TryGetProperty("error", out var error))
        {
            if (error.TryGetProperty("httpStatusCode", out var status)) ErrorStatus = status.GetInt32();
            if (error.TryGetProperty("code", out var errorCode)) ErrorCode = errorCode.GetString();
        }
        if (json.TryGetProperty("required", out var required))
            Required = required.EnumerateArray().Select(r => r.GetString()!).ToFrozenSet(StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>structure, list, map, string, integer, long, boolean, double, float, timestamp, blob.</summary>
    public string Type { get; }
    public double? Min { get; }
    public double? Max { get; }
    public string? Pattern { get; }
    public FrozenSet<string>? Enum { get; }
    public bool Sensitive { get; }
    public bool IsException { get; }
    public bool IsFault { get; }
    public bool IsDocument { get; }
    public bool Streaming { get; }

    public string? PayloadMember { get; }

    /// <summary>A list or map written as repeated elements with no wrapper (awsQuery: <c>Name.1</c>, not <c>Name.member.1</c>).</summary>
    public bool Flattened { get; }

    /// <summary>restXml: the namespace URI of the element (S3's <c>http://s3.amazonaws.com/doc/2006-03-01/</c>).</summary>
    public string? XmlNamespace { get; }
    public string? TimestampFormat { get; }
    public int? ErrorStatus { get; }
    public string? ErrorCode { get; }
    public FrozenSet<string> Required { get; } = FrozenSet<string>.Empty;

    /// <summary>Structure members in model order.</summary>
    public IReadOnlyList<Member> Members { get; private set; } = [];
    public FrozenDictionary<string, Member> MembersByName { get; private set; } = FrozenDictionary<string, Member>.Empty;

    /// <summary>Body members by their wire name (locationName or name).</summary>
    public FrozenDictionary<string, Member> BodyMembersByWireName { get; private set; } = FrozenDictionary<string, Member>.Empty;

    public Member? ListMember { get; private set; }
    public Member? MapKey { get; private set; }
    public Member? MapValue { get; private set; }

    /// <summary>The pattern compiled for .NET, or null when absent or not expressible in .NET's syntax.</summary>
    public Regex? PatternRegex
    {
        get
        {
            if (!_patternTried)
            {
                _patternTried = true;
                if (Pattern is not null)
                {
                    // AWS checks the whole value against the pattern (Coral's validation), so anchor it.
                    // Linear-time matching first: no timeout to hit on a busy machine, no ReDoS.
                    // Patterns with constructs it lacks fall back to the backtracking engine.
                    var anchored = @"\A(?:" + Pattern + @")\z";
                    try
                    {
                        _pattern = new Regex(anchored, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
                    }
                    catch (NotSupportedException)
                    {
                        _pattern = TryBacktracking(anchored);
                    }
                    catch (ArgumentException)
                    {
                        _pattern = null;
                    }
                }
            }
            return _pattern;
        }
    }

    private static Regex? TryBacktracking(string pattern)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    internal void Resolve(IReadOnlyDictionary<string, Shape> shapes)
    {
        if (_json.TryGetProperty("members", out var members))
        {
            var list = new List<Member>();
            foreach (var property in members.EnumerateObject())
                list.Add(new Member(property.Name, property.Value, shapes));
            Members = list;
            MembersByName = list.ToFrozenDictionary(m => m.Name, StringComparer.Ordinal);
            // S3's event streams name several members alike on the wire; the first one wins.
            var body = new Dictionary<string, Member>(StringComparer.Ordinal);
            foreach (var m in list.Where(m => m.Location is null))
                body.TryAdd(m.WireName, m);
            BodyMembersByWireName = body.ToFrozenDictionary(StringComparer.Ordinal);
        }
        if (_json.TryGetProperty("member", out var member))
            ListMember = new Member("member", member, shapes);
        if (_json.TryGetProperty("key", out var key))
            MapKey = new Member("key", key, shapes);
        if (_json.TryGetProperty("value", out var value))
            MapValue = new Member("value", value, shapes);
    }

    public override string ToString() => $"{Name} ({Type})";
}

/// <summary>A member of a structure (or a list's member, a map's key or value).</summary>
public sealed class Member
{
    internal Member(string name, JsonElement json, IReadOnlyDictionary<string, Shape> shapes)
    {
        Name = name;
        Shape = shapes[json.GetProperty("shape").GetString()!];
        if (json.TryGetProperty("location", out var location)) Location = location.GetString();
        if (json.TryGetProperty("locationName", out var locationName)) LocationName = locationName.GetString();
        if (json.TryGetProperty("timestampFormat", out var format)) TimestampFormat = format.GetString();
        IdempotencyToken = json.TryGetProperty("idempotencyToken", out var token) && token.GetBoolean();
        Flattened = Shape.Flattened || (json.TryGetProperty("flattened", out var flattened) && flattened.GetBoolean());
        XmlAttribute = json.TryGetProperty("xmlAttribute", out var attribute) && attribute.GetBoolean();
        if (json.TryGetProperty("xmlNamespace", out var ns) && ns.TryGetProperty("uri", out var uri)) XmlNamespace = uri.GetString();
        Streaming = Shape.Streaming || (json.TryGetProperty("streaming", out var streaming) && streaming.GetBoolean());
    }


    /// <summary>restXml: written as an attribute of the parent element.</summary>
    public bool XmlAttribute { get; }

    public string? XmlNamespace { get; }

    /// <summary>A streaming blob (S3's object bodies), never held in memory whole.</summary>
    public bool Streaming { get; }

    public string Name { get; }
    public Shape Shape { get; }

    /// <summary>null (body), uri, querystring, header, headers, statusCode.</summary>
    public string? Location { get; }
    public string? LocationName { get; }
    public string? TimestampFormat { get; }
    public bool IdempotencyToken { get; }

    /// <summary>Whether the member (or its list/map shape) is flattened in awsQuery and restXml.</summary>
    public bool Flattened { get; }

    /// <summary>
    /// The member's XML element / query key name: the model's <c>locationName</c> (the JSON form
    /// of Smithy's <c>xmlName</c>), else its name; a list item is <c>member</c>, a map's parts
    /// <c>key</c> and <c>value</c> unless renamed.
    /// </summary>
    public string XmlName => LocationName ?? Name;

    /// <summary>The member's name on the wire.</summary>
    public string WireName => LocationName ?? Name;

    public override string ToString() => $"{Name}: {Shape}";
}
