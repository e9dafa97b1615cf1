using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Observe.Collectors.Aws;

/// <summary>An error response as AWS describes it.</summary>
internal readonly record struct AwsError(string Code, string? Message, string? RequestId);

/// <summary>What the retry loop does with an attempt's outcome.</summary>
internal enum AttemptClass
{
    Success,

    /// <summary>The account's quota for the API is spent: retry after the longer throttling backoff.</summary>
    Throttled,

    /// <summary>Server error, broken connection or attempt timeout: retry after the short backoff.</summary>
    Transient,

    /// <summary>A client error (bad request, not found, access denied, credentials): retrying cannot help.</summary>
    Final,
}

/// <summary>
/// Decodes AWS error responses of the JSON protocols (body <c>__type</c>/<c>code</c>, the <c>x-amzn-ErrorType</c> header,
/// the <c>x-amzn-query-error</c> header CloudWatch sends for its Query-compatible codes) and classifies them for retries.
/// </summary>
internal static class AwsErrorClassifier
{
    // Codes AWS services use for "slow down"; botocore's retry handler treats the same set as throttling.
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "RequestThrottled",
        "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    };

    private static readonly Dictionary<string, string> CredentialProblems = new(StringComparer.Ordinal)
    {
        ["ExpiredToken"] = "the security token is expired",
        ["ExpiredTokenException"] = "the security token is expired",
        ["InvalidClientTokenId"] = "the security token or access key is not valid",
        ["UnrecognizedClientException"] = "the security token or access key is not valid",
        ["InvalidAccessKeyId"] = "the security token or access key is not valid",
        ["AuthFailure"] = "the security token or access key is not valid",
        ["SignatureDoesNotMatch"] = "the request signature was rejected (is the secret access key right?)",
        ["InvalidSignatureException"] = "the request signature was rejected (is the secret access key right?)",
        ["IncompleteSignature"] = "the request signature was rejected (is the secret access key right?)",
        ["MissingAuthenticationToken"] = "the request carried no credentials",
    };

    public static bool IsThrottlingCode(string? code) => code is not null && ThrottlingCodes.Contains(code);

    /// <summary>The plain-words problem when <paramref name="code"/> says the credentials are bad, else null.</summary>
    public static string? CredentialProblem(string code) => CredentialProblems.GetValueOrDefault(code);

    public static AttemptClass Classify(HttpStatusCode status, string code)
    {
        var s = (int)status;
        if (s is >= 200 and < 300)
        {
            return AttemptClass.Success;
        }

        if (status == HttpStatusCode.TooManyRequests || IsThrottlingCode(code))
        {
            return AttemptClass.Throttled;
        }

        // 5xx and AWS's "try again" codes that arrive with a 4xx status in some services.
        if (s >= 500 || code is "RequestTimeout" or "RequestTimeoutException" or "InternalFailure" or "ServiceUnavailable" or "ServiceUnavailableException")
        {
            return AttemptClass.Transient;
        }

        return AttemptClass.Final;
    }

    /// <summary>Exceptions from the transport that mean "the connection broke" (retryable), not a bug or a cancellation.</summary>
    public static bool IsTransientTransportFailure(Exception exception) =>
        exception is not OperationCanceledException
        && (exception is HttpRequestException or IOException or SocketException
            || exception.InnerException is HttpRequestException or IOException or SocketException);

    public static AwsError Decode(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        string? code = null;
        string? message = null;
        if (TryGetHeader(response, "x-amzn-query-error", out var queryError))
        {
            code = queryError.Split(';')[0];
        }
        else if (TryGetHeader(response, "x-amzn-ErrorType", out var errorType))
        {
            code = errorType.Split(':')[0];
        }

        ReadJsonError(body, ref code, ref message);
        if (string.IsNullOrEmpty(code))
        {
            ReadXmlError(body, ref code, ref message);
        }

        if (string.IsNullOrEmpty(code))
        {
            code = response.StatusCode.ToString();
        }

        return new AwsError(code, message, RequestIdOf(response));
    }

    /// <summary>The request id AWS put in the response headers, if any.</summary>
    public static string? RequestIdOf(HttpResponseMessage response) =>
        TryGetHeader(response, "x-amzn-RequestId", out var id) || TryGetHeader(response, "x-amz-request-id", out id) ? id : null;

    private static void ReadJsonError(ReadOnlySpan<byte> body, ref string? code, ref string? message)
    {
        if (body.IsEmpty || body[0] != (byte)'{')
        {
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("__type"u8) || reader.ValueTextEquals("code"u8) || reader.ValueTextEquals("Code"u8);
                var isMessage = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("Message"u8) || reader.ValueTextEquals("errorMessage"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && isType && string.IsNullOrEmpty(code))
                {
                    code = StripNamespace(reader.GetString()!);
                }
                else if (reader.TokenType == JsonTokenType.String && isMessage)
                {
                    message ??= reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // An error body that is not JSON (a proxy's HTML page): the status code and headers still say enough.
        }
    }

    private static void ReadXmlError(ReadOnlySpan<byte> body, ref string? code, ref string? message)
    {
        var text = Encoding.UTF8.GetString(body);
        code = Element(text, "Code");
        message ??= Element(text, "Message");

        static string? Element(string xml, string name)
        {
            var start = xml.IndexOf($"<{name}>", StringComparison.Ordinal);
            if (start < 0)
            {
                return null;
            }

            start += name.Length + 2;
            var end = xml.IndexOf($"</{name}>", start, StringComparison.Ordinal);
            return end > start ? xml[start..end] : null;
        }
    }

    // "com.amazonaws.cloudwatch#ResourceNotFound" and "ThrottlingException:http://internal..." both mean the bare code.
    private static string StripNamespace(string type)
    {
        var hash = type.LastIndexOf('#');
        if (hash >= 0)
        {
            type = type[(hash + 1)..];
        }

        var colon = type.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? type[..colon] : type;
    }

    private static bool TryGetHeader(HttpResponseMessage response, string name, out string value)
    {
        if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
        {
            value = values.FirstOrDefault() ?? "";
            return value.Length > 0;
        }

        value = "";
        return false;
    }
}
