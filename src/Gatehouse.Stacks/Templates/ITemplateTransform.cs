using System.Text.Json.Nodes;

namespace Gatehouse.Stacks.Templates;

/// <summary>
/// A macro a template names in its <c>Transform</c> section, run on the server before the template
/// is processed, as CloudFormation runs <c>AWS::Serverless-2016-10-31</c>
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/transform-aws-serverless.html).
/// Registered in the container; the engine finds it by <see cref="Name"/>.
/// </summary>
internal interface ITemplateTransform
{
    /// <summary>The name templates use, e.g. <c>AWS::Serverless-2016-10-31</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The processed template: plain CloudFormation, <c>Transform</c> removed. <paramref name="template"/>
    /// is the parsed template (YAML short forms already written as <c>{"Ref": …}</c> / <c>{"Fn::GetAtt": […]}</c>).
    /// Throws <see cref="TemplateException"/> naming what is wrong.
    /// </summary>
    JsonObject Apply(JsonObject template, TransformContext context);
}

/// <param name="Parameters">The stack's parameter values, by name (SAM resolves some of them).</param>
internal sealed record TransformContext(string StackName, string Region, string Account, IReadOnlyDictionary<string, string> Parameters);

/// <summary>A template CloudFormation refuses; answered as a <c>ValidationError</c> with this message.</summary>
internal sealed class TemplateException(string message) : Exception(message);
