using System.Text;
using System.Text.Json;
using System.Xml;
using Observe.Collectors.Aws;

namespace Observe.Collectors.Sns;

/// <summary>Publishes to an SNS topic (the alert channel of that kind).</summary>
internal interface ISnsClient
{
    /// <summary>Publishes one message and returns SNS's message id.</summary>
    /// <exception cref="AwsServiceException">The call failed after the shared pipeline's retries.</exception>
    Task<string> PublishAsync(string topicArn, string? subject, string message, CancellationToken cancellationToken);
}

/// <summary>
/// SNS over its Query protocol (a form body, answers in XML, or JSON when the service honours the JSON Accept header
/// the shared pipeline sends), through the same caller as the collectors' clients: credentials, SigV4, retries, meter.
/// </summary>
internal sealed class SnsClient : AwsClientBase, ISnsClient
{
    private const string ApiVersion = "2010-03-31";

    // The base keeps its caller private and speaks JSON only; the Query protocol's form body goes to the caller directly.
    private readonly AwsCaller _caller;

    public SnsClient(AwsCaller caller, AwsAccountOptions account, string region)
        : base(caller, account, region, AwsService.Sns) => _caller = caller;

    public async Task<string> PublishAsync(string topicArn, string? subject, string message, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("Action", "Publish"),
            new("Version", ApiVersion),
            new("TopicArn", topicArn),
            new("Message", message),
        };
        if (subject is not null)
        {
            form.Add(new("Subject", subject));
        }

        var body = Encoding.UTF8.GetBytes(FormEncode(form));
        var response = await _caller.SendAsync(
            new AwsCallTarget(Account, Region, AwsService.Sns, "Publish"),
            new AwsRequest(HttpMethod.Post, "", body, "application/x-www-form-urlencoded; charset=utf-8", null),
            cancellationToken).ConfigureAwait(false);
        return ReadMessageId(response) ?? throw Malformed("Publish", "no MessageId in the answer");
    }

    /// <summary><c>application/x-www-form-urlencoded</c> with RFC 3986 escaping, as SigV4 and the Query protocol expect.</summary>
    internal static string FormEncode(IEnumerable<KeyValuePair<string, string>> fields) =>
        string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));

    private string? ReadMessageId(byte[] body)
    {
        try
        {
            return body.Length > 0 && body[0] == (byte)'{' ? FromJson(body) : FromXml(body);
        }
        catch (Exception e) when (e is JsonException or XmlException)
        {
            throw Malformed("Publish", e.Message, e);
        }
    }

    // {"PublishResponse":{"PublishResult":{"MessageId":"..."}}}; searched by name so either nesting reads.
    private static string? FromJson(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return Find(document.RootElement);

        static string? Find(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (property.NameEquals("MessageId") && property.Value.ValueKind == JsonValueKind.String)
                {
                    return property.Value.GetString();
                }

                if (Find(property.Value) is { } found)
                {
                    return found;
                }
            }

            return null;
        }
    }

    private static string? FromXml(byte[] body)
    {
        // DTDs are refused (the default), so an answer cannot pull in external entities.
        using var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "MessageId")
            {
                return reader.ReadElementContentAsString();
            }
        }

        return null;
    }
}
