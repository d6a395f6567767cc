namespace Gatehouse.Gateway.Runtime;

internal enum MappingAction
{
    Overwrite,
    Append,
    Remove,
}

internal enum MappingLocation
{
    Header,
    QueryString,
    Path,
}

/// <summary>
/// An integration request parameter mapping key such as <c>overwrite:header.x-user</c>,
/// <c>append:querystring.tag</c>, <c>remove:header.cookie</c> or <c>overwrite:path</c>.
/// </summary>
internal sealed record RequestParameterMapping(MappingAction Action, MappingLocation Location, string Name)
{
    public static RequestParameterMapping? TryParseTarget(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
            return null;
        MappingAction? action = key[..colon] switch
        {
            "overwrite" => MappingAction.Overwrite,
            "append" => MappingAction.Append,
            "remove" => MappingAction.Remove,
            _ => null,
        };
        if (action is null)
            return null;
        var target = key[(colon + 1)..];
        if (target == "path")
            return action == MappingAction.Overwrite ? new RequestParameterMapping(action.Value, MappingLocation.Path, "") : null;
        if (target.StartsWith("header.", StringComparison.Ordinal) && target.Length > 7)
            return new RequestParameterMapping(action.Value, MappingLocation.Header, target[7..]);
        if (target.StartsWith("querystring.", StringComparison.Ordinal) && target.Length > 12)
            return new RequestParameterMapping(action.Value, MappingLocation.QueryString, target[12..]);
        return null;
    }
}
