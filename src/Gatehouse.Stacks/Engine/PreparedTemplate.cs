using System.Text.Json.Nodes;
using Gatehouse.Core;
using Gatehouse.Stacks.Templates;

namespace Gatehouse.Stacks.Engine;

/// <summary>A template read, transformed and given its parameter values, ready to plan or run.</summary>
internal sealed record PreparedTemplate(string Body, JsonObject Template, Dictionary<string, JsonNode?> Values, Dictionary<string, string> Given)
{
    public JsonObject Resources => Template["Resources"] as JsonObject ?? [];

    /// <summary>
    /// Reads <paramref name="body"/>, runs its <c>Transform</c> macros (those registered; any other is
    /// refused as AWS refuses an unknown macro) and resolves the parameters. Throws <see cref="AwsException"/> (ValidationError).
    /// </summary>
    public static async Task<PreparedTemplate> PrepareAsync(
        string body, IReadOnlyDictionary<string, string> parameters, IEnumerable<ITemplateTransform> transforms,
        string stackName, AwsRequestContext aws, Func<string, Task<string>> ssmParameter)
    {
        try
        {
            var template = TemplateReader.Parse(body);
            var names = template["Transform"] switch
            {
                JsonValue one => [one.GetValue<string>()],
                JsonArray many => many.Select(t => Intrinsics.Text(t, "Transform")).ToList(),
                _ => new List<string>(),
            };
            foreach (var name in names)
            {
                var transform = transforms.FirstOrDefault(t => t.Name == name)
                    ?? throw new TemplateException($"Template format error: Unrecognized macro {name}. Gatehouse supports no such transform.");
                template = transform.Apply(template, new TransformContext(stackName, aws.Region, aws.Account, parameters));
            }
            template.Remove("Transform");
            if (template["Resources"] is not JsonObject { Count: > 0 })
                throw new TemplateException("Template format error: At least one Resources member must be defined.");
            var (values, given) = await TemplateParameters.ResolveAsync(template, parameters, ssmParameter).ConfigureAwait(false);
            Dependencies.Waves(Dependencies.Of((JsonObject)template["Resources"]!));
            return new PreparedTemplate(body, template, values, given);
        }
        catch (TemplateException e)
        {
            throw StacksErrors.Validation(e.Message);
        }
    }
}
