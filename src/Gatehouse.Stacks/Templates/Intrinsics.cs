using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Gatehouse.Stacks.Templates;

/// <summary>
/// What intrinsic functions read while a template is resolved: pseudo parameters, parameter
/// values, mappings, conditions, and the stack's resources as made so far.
/// </summary>
internal sealed class TemplateScope
{
    public required string Account { get; init; }
    public required string Region { get; init; }
    public required string StackName { get; init; }
    public required string StackId { get; init; }

    /// <summary>Parameter values: a string, or an array for the list types.</summary>
    public Dictionary<string, JsonNode?> Parameters { get; init; } = new(StringComparer.Ordinal);

    public JsonObject Mappings { get; init; } = [];

    public Dictionary<string, bool> Conditions { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A resource's physical id, or null when the template has no such resource.</summary>
    public Func<string, string?> ResourceRef { get; init; } = _ => null;

    /// <summary>A resource's attribute; throws <see cref="TemplateException"/> when unknown.</summary>
    public Func<string, string, JsonNode?> ResourceAttribute { get; init; } = (r, a) => throw new TemplateException($"Template error: resource {r} has no attribute {a}.");

    /// <summary>An exported value by export name, or null.</summary>
    public Func<string, string?> Export { get; init; } = _ => null;

    /// <summary>Whether the template declares the logical id as a resource.</summary>
    public Func<string, bool> IsResource { get; init; } = _ => false;
}

/// <summary>
/// Resolves the intrinsic functions of a template fragment
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html)
/// and the pseudo parameters
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).
/// <c>AWS::NoValue</c> removes the member or item it stands for.
/// </summary>
internal static partial class Intrinsics
{
    /// <summary>The value that stands for <c>AWS::NoValue</c> until its container drops it.</summary>
    private static readonly JsonObject NoValue = new() { ["__gatehouse_novalue"] = true };

    public static JsonNode? Resolve(JsonNode? node, TemplateScope scope)
    {
        var value = ResolveNode(node, scope);
        return ReferenceEquals(value, NoValue) ? null : value;
    }

    public static string ResolveString(JsonNode? node, TemplateScope scope, string what) =>
        Text(Resolve(node, scope), what);

    private static JsonNode? ResolveNode(JsonNode? node, TemplateScope scope)
    {
        switch (node)
        {
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    var resolved = ResolveNode(item, scope);
                    if (!ReferenceEquals(resolved, NoValue))
                        items.Add(resolved?.DeepClone());
                }
                return items;
            case JsonObject obj when obj.Count == 1 && IsFunction(obj.First().Key):
                var (name, argument) = obj.First();
                return Function(name, argument, scope);
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    var resolved = ResolveNode(value, scope);
                    if (!ReferenceEquals(resolved, NoValue))
                        result[key] = resolved?.DeepClone();
                }
                return result;
            default:
                return node?.DeepClone();
        }
    }

    private static bool IsFunction(string key) => key == "Ref" || key == "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private static JsonNode? Function(string name, JsonNode? argument, TemplateScope scope)
    {
        switch (name)
        {
            case "Ref":
                return Ref(Text(argument, "Ref"), scope);
            case "Condition":
                return JsonValue.Create(Condition(Text(argument, "Condition"), scope));
            case "Fn::GetAtt":
            {
                var (resource, attribute) = GetAttArguments(argument, scope);
                if (!scope.IsResource(resource))
                    throw new TemplateException($"Template error: instance of Fn::GetAtt references undefined resource {resource}");
                return scope.ResourceAttribute(resource, attribute)?.DeepClone();
            }
            case "Fn::Sub":
                return JsonValue.Create(Sub(argument, scope));
            case "Fn::Join":
            {
                var args = Args(argument, name, 2);
                var separator = Text(ResolveNode(args[0], scope), name);
                var list = ResolveNode(args[1], scope) as JsonArray ?? throw new TemplateException("Template error: Fn::Join requires a list of values to join.");
                return JsonValue.Create(string.Join(separator, list.Select(i => Text(i, name))));
            }
            case "Fn::Select":
            {
                var args = Args(argument, name, 2);
                var index = int.Parse(Text(ResolveNode(args[0], scope), name), CultureInfo.InvariantCulture);
                var list = ResolveNode(args[1], scope) as JsonArray ?? throw new TemplateException("Template error: Fn::Select requires a list argument.");
                if (index < 0 || index >= list.Count)
                    throw new TemplateException("Template error: Fn::Select cannot select nonexistent value at index " + index);
                return list[index]?.DeepClone();
            }
            case "Fn::Split":
            {
                var args = Args(argument, name, 2);
                var separator = Text(ResolveNode(args[0], scope), name);
                var source = Text(ResolveNode(args[1], scope), name);
                return new JsonArray([.. source.Split(separator).Select(s => (JsonNode)JsonValue.Create(s))]);
            }
            case "Fn::If":
            {
                var args = Args(argument, name, 3);
                return ResolveNode(Condition(Text(args[0], name), scope) ? args[1] : args[2], scope);
            }
            case "Fn::Equals":
            case "Fn::And":
            case "Fn::Or":
            case "Fn::Not":
                return JsonValue.Create(EvaluateCondition(new JsonObject { [name] = argument?.DeepClone() }, scope));
            case "Fn::FindInMap":
            {
                var args = Args(argument, name, 3);
                var map = Text(ResolveNode(args[0], scope), name);
                var top = Text(ResolveNode(args[1], scope), name);
                var second = Text(ResolveNode(args[2], scope), name);
                var found = (scope.Mappings[map] as JsonObject)?[top]?[second];
                if (found is null)
                {
                    if (args.Count > 3 && args[3] is JsonObject fallback && fallback["DefaultValue"] is { } defaultValue)
                        return ResolveNode(defaultValue, scope);
                    throw new TemplateException($"Template error: Unable to get mapping for {map}::{top}::{second}");
                }
                return found.DeepClone();
            }
            case "Fn::Base64":
                return JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(Text(ResolveNode(argument, scope), name))));
            case "Fn::GetAZs":
            {
                var region = Text(ResolveNode(argument, scope), name);
                if (region.Length == 0)
                    region = scope.Region;
                return new JsonArray([.. "abc".Select(c => (JsonNode)JsonValue.Create(region + c))]);
            }
            case "Fn::ImportValue":
            {
                var export = Text(ResolveNode(argument, scope), name);
                return JsonValue.Create(scope.Export(export) ?? throw new TemplateException($"No export named {export} found."));
            }
            case "Fn::Cidr":
            {
                var args = Args(argument, name, 3);
                return Cidr(Text(ResolveNode(args[0], scope), name),
                    int.Parse(Text(ResolveNode(args[1], scope), name), CultureInfo.InvariantCulture),
                    int.Parse(Text(ResolveNode(args[2], scope), name), CultureInfo.InvariantCulture));
            }
            default:
                throw new TemplateException($"Template format error: Unrecognized function {name}.");
        }
    }

    private static JsonNode? Ref(string name, TemplateScope scope)
    {
        switch (name)
        {
            case "AWS::AccountId": return JsonValue.Create(scope.Account);
            case "AWS::Region": return JsonValue.Create(scope.Region);
            case "AWS::StackName": return JsonValue.Create(scope.StackName);
            case "AWS::StackId": return JsonValue.Create(scope.StackId);
            case "AWS::Partition": return JsonValue.Create("aws");
            case "AWS::URLSuffix": return JsonValue.Create("amazonaws.com");
            case "AWS::NotificationARNs": return new JsonArray();
            case "AWS::NoValue": return NoValue;
        }
        if (scope.Parameters.TryGetValue(name, out var parameter))
            return parameter?.DeepClone();
        if (scope.IsResource(name))
            return JsonValue.Create(scope.ResourceRef(name) ?? throw new TemplateException($"Resource {name} has not been created."));
        throw new TemplateException($"Template format error: Unresolved resource dependencies [{name}] in the Resources block of the template");
    }

    private static (string Resource, string Attribute) GetAttArguments(JsonNode? argument, TemplateScope scope)
    {
        if (argument is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var text = v.GetValue<string>();
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0)
                return (text[..dot], text[(dot + 1)..]);
        }
        if (argument is JsonArray { Count: 2 } pair)
            return (Text(pair[0], "Fn::GetAtt"), Text(ResolveNode(pair[1], scope), "Fn::GetAtt"));
        throw new TemplateException("Template error: every Fn::GetAtt object requires two non-empty parameters");
    }

    private static string Sub(JsonNode? argument, TemplateScope scope)
    {
        string template;
        var variables = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (argument is JsonArray { Count: 2 } pair)
        {
            template = Text(pair[0], "Fn::Sub");
            foreach (var (key, value) in pair[1] as JsonObject ?? [])
                variables[key] = ResolveNode(value, scope);
        }
        else
        {
            template = Text(argument, "Fn::Sub");
        }
        return SubPattern().Replace(template, match =>
        {
            var expression = match.Groups[1].Value;
            if (expression.StartsWith('!'))
                return "${" + expression[1..] + "}";
            expression = expression.Trim();
            if (variables.TryGetValue(expression, out var variable))
                return Text(variable, "Fn::Sub");
            var dot = expression.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && !expression.StartsWith("AWS::", StringComparison.Ordinal))
            {
                var resource = expression[..dot];
                if (!scope.IsResource(resource))
                    throw new TemplateException($"Template error: instance of Fn::Sub references undefined resource {resource}");
                return Text(scope.ResourceAttribute(resource, expression[(dot + 1)..]), "Fn::Sub");
            }
            var value = Ref(expression, scope);
            return value is JsonArray list ? string.Join(",", list.Select(i => Text(i, "Fn::Sub"))) : Text(value, "Fn::Sub");
        });
    }

    /// <summary>The value of a named condition of the template's <c>Conditions</c> section.</summary>
    public static bool Condition(string name, TemplateScope scope) =>
        scope.Conditions.TryGetValue(name, out var value) ? value : throw new TemplateException($"Template format error: Unresolved condition dependency {name}.");

    /// <summary>Evaluates a condition function (<c>Fn::Equals</c>, <c>Fn::And</c>, <c>Fn::Or</c>, <c>Fn::Not</c>, <c>Condition</c>).</summary>
    public static bool EvaluateCondition(JsonNode? node, TemplateScope scope)
    {
        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            return v.GetValue<bool>();
        if (node is not JsonObject { Count: 1 } obj)
            throw new TemplateException("Template error: a condition must be a condition function.");
        var (name, argument) = obj.First();
        switch (name)
        {
            case "Condition":
                return Condition(Text(argument, name), scope);
            case "Fn::Equals":
            {
                var args = Args(argument, name, 2);
                return Comparable(ResolveNode(args[0], scope)) == Comparable(ResolveNode(args[1], scope));
            }
            case "Fn::And":
                return Args(argument, name, 2).All(a => EvaluateCondition(a, scope));
            case "Fn::Or":
                return Args(argument, name, 2).Any(a => EvaluateCondition(a, scope));
            case "Fn::Not":
                return !EvaluateCondition(Args(argument, name, 1)[0], scope);
            default:
                throw new TemplateException($"Template error: {name} is not a condition function.");
        }
    }

    /// <summary>Evaluates the <c>Conditions</c> section in dependency order into <see cref="TemplateScope.Conditions"/>.</summary>
    public static void EvaluateConditions(JsonObject? conditions, TemplateScope scope)
    {
        if (conditions is null)
            return;
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string name)
        {
            if (scope.Conditions.ContainsKey(name))
                return;
            if (!conditions.ContainsKey(name))
                throw new TemplateException($"Template format error: Unresolved condition dependency {name} in Fn::If");
            if (!visiting.Add(name))
                throw new TemplateException($"Template error: Circular dependency between conditions: [{name}]");
            foreach (var dependency in ConditionReferences(conditions[name]))
                Visit(dependency);
            scope.Conditions[name] = EvaluateCondition(conditions[name], scope);
        }
        foreach (var (name, _) in conditions)
            Visit(name);
    }

    private static IEnumerable<string> ConditionReferences(JsonNode? node) => node switch
    {
        JsonObject { Count: 1 } o when o.First().Key == "Condition" && o.First().Value is JsonValue v => [v.GetValue<string>()],
        JsonObject o => o.SelectMany(p => ConditionReferences(p.Value)),
        JsonArray a => a.SelectMany(ConditionReferences),
        _ => [],
    };

    private static string Comparable(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static JsonArray Args(JsonNode? argument, string name, int count) =>
        argument is JsonArray array && array.Count >= count ? array : throw new TemplateException($"Template error: {name} takes {count} arguments.");

    /// <summary>A scalar as CloudFormation passes it to a string context.</summary>
    public static string Text(JsonNode? node, string what) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True => "true",
        JsonValue v when v.GetValueKind() is JsonValueKind.False => "false",
        JsonValue v => v.ToJsonString(),
        _ => throw new TemplateException($"Template error: {what} requires a string value; it has {node?.ToJsonString() ?? "null"}."),
    };

    private static JsonArray Cidr(string block, int count, int bits)
    {
        var slash = block.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(block[..slash], out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            throw new TemplateException($"Template error: Fn::Cidr requires an IPv4 CIDR block; it has {block}.");
        var prefix = int.Parse(block[(slash + 1)..], CultureInfo.InvariantCulture);
        var newPrefix = 32 - bits;
        if (newPrefix < prefix || count < 1 || (1L << (newPrefix - prefix)) < count)
            throw new TemplateException("Template error: Fn::Cidr cannot make that many subnets of that size.");
        var bytes = address.GetAddressBytes();
        var start = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]) & (prefix == 0 ? 0 : uint.MaxValue << (32 - prefix));
        var result = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var subnet = start + ((uint)i << bits);
            result.Add($"{subnet >> 24}.{(subnet >> 16) & 255}.{(subnet >> 8) & 255}.{subnet & 255}/{newPrefix}");
        }
        return result;
    }

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex SubPattern();
}
