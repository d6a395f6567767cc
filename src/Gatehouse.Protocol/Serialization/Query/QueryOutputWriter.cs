using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using Gatehouse.Protocol.Model;
using Gatehouse.Protocol.Serialization.Xml;

namespace Gatehouse.Protocol.Serialization.Query;

/// <summary>
/// Writes awsQuery answers as AWS does
/// (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#response-serialization):
/// <c>&lt;OpResponse xmlns="…"&gt;&lt;OpResult&gt;…&lt;/OpResult&gt;&lt;ResponseMetadata&gt;&lt;RequestId&gt;</c>,
/// list items as <c>&lt;member&gt;</c>, map entries as <c>&lt;entry&gt;&lt;key/&gt;&lt;value/&gt;&lt;/entry&gt;</c>,
/// timestamps in ISO 8601; and errors as <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type&gt;Sender&lt;/Type&gt;&lt;Code&gt;…</c>.
/// </summary>
internal static class QueryOutputWriter
{
    public const string ContentType = "text/xml";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        OmitXmlDeclaration = true,
        Indent = false,
    };

    public static byte[] WriteResponse(ServiceModel model, OperationModel operation, JsonObject output, string requestId)
    {
        using var stream = new MemoryStream(512);
        using (var writer = XmlWriter.Create(stream, Settings))
        {
            writer.WriteStartElement(operation.Name + "Response", model.XmlNamespace ?? "");
            if (operation.Output is { } shape)
            {
                writer.WriteStartElement(operation.ResultWrapper ?? operation.Name + "Result");
                XmlOutputWriter.WriteMembers(writer, output, shape);
                writer.WriteEndElement();
            }
            writer.WriteStartElement("ResponseMetadata");
            writer.WriteElementString("RequestId", requestId);
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
        return stream.ToArray();
    }

    /// <param name="code">The code on the wire: the error shape's <c>error.code</c> when the model names one.</param>
    /// <param name="sender">Whether the caller is at fault (status below 500).</param>
    public static byte[] WriteError(ServiceModel? model, string code, string message, bool sender, string requestId)
    {
        using var stream = new MemoryStream(256);
        using (var writer = XmlWriter.Create(stream, Settings))
        {
            writer.WriteStartElement("ErrorResponse", model?.XmlNamespace ?? "");
            writer.WriteStartElement("Error");
            writer.WriteElementString("Type", sender ? "Sender" : "Receiver");
            writer.WriteElementString("Code", code);
            writer.WriteElementString("Message", message);
            writer.WriteEndElement();
            writer.WriteElementString("RequestId", requestId);
            writer.WriteEndElement();
        }
        return stream.ToArray();
    }

    /// <summary>
    /// The query services' names (and statuses) for the signing errors the protocol layer raises in
    /// the JSON services' words (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html).
    /// </summary>
    public static (string Code, int? Status)? CommonError(string code) => code switch
    {
        "UnrecognizedClientException" => ("InvalidClientTokenId", 403),
        "ExpiredTokenException" => ("ExpiredToken", 403),
        "InvalidSignatureException" => ("SignatureDoesNotMatch", 403),
        "IncompleteSignatureException" => ("IncompleteSignature", 400),
        "MissingAuthenticationTokenException" => ("MissingAuthenticationToken", 403),
        "AccessDeniedException" => ("AccessDenied", 403),
        _ => null,
    };
}
