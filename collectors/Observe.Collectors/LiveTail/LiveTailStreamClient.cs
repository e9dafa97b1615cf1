using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;

namespace Observe.Collectors.LiveTail;

/// <summary>What a Live Tail stream says: the session started, or one second's update.</summary>
internal abstract record LiveTailStreamEvent;

internal sealed record LiveTailSessionStarted(string? SessionId, string? RequestId) : LiveTailStreamEvent;

internal sealed record LiveTailSessionUpdated(bool Sampled, IReadOnlyList<LiveTailEvent> Events) : LiveTailStreamEvent;

/// <summary>
/// StartLiveTail: a signed JSON 1.1 POST (<c>X-Amz-Target: Logs_20140328.StartLiveTail</c>) to the <c>stream-logs</c>
/// host, answered with an <c>application/vnd.amazon.eventstream</c> body read message by message. HTTP/2 is asked for
/// (what AWS serves it over); HTTP/1.1 with a chunked body is accepted too, which is what the tests' server speaks.
/// AwsCaller reads whole bodies, so this has its own signer and transport, but shares credentials and the usage meter.
/// </summary>
internal sealed class LiveTailStreamClient : IDisposable
{
    public const string Operation = "StartLiveTail";

    private static readonly HttpRequestOptionsKey<string> SigningService = new(SigV4SigningHandler.ServiceOptionKey);
    private static readonly HttpRequestOptionsKey<string> SigningRegion = new(SigV4SigningHandler.RegionOptionKey);

    private readonly AwsCredentialsProvider _credentials;
    private readonly AwsUsageMeter _meter;
    private readonly LiveTailOptions _options;
    private readonly ILogger _logger;
    private readonly HttpMessageHandler _transport;

    public LiveTailStreamClient(AwsCredentialsProvider credentials, AwsUsageMeter meter, IOptions<LiveTailOptions> options, ILogger<LiveTailStreamClient> logger, HttpMessageHandler? transport = null)
    {
        _credentials = credentials;
        _meter = meter;
        _options = options.Value;
        _logger = logger;

        // A live stream is never drained on close: disposing the response must drop the connection, which is how
        // AWS learns the session is over.
        _transport = transport ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            MaxResponseDrainSize = 0,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            EnableMultipleHttp2Connections = true,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
    }

    public Uri Endpoint(string region)
    {
        if (_options.Endpoint is { } configured)
        {
            return new Uri(configured.EndsWith('/') ? configured : configured + "/", UriKind.Absolute);
        }

        // The service model's host prefix "stream-" (older SDKs used "streaming-logs", which has no VPC endpoints).
        var suffix = RegionEndpoint.GetBySystemName(region).PartitionDnsSuffix;
        return new Uri($"https://stream-logs.{region}.{(string.IsNullOrEmpty(suffix) ? "amazonaws.com" : suffix)}/", UriKind.Absolute);
    }

    /// <summary>
    /// Opens a session and yields what it sends until the server ends the stream. Ends normally only on
    /// <c>SessionTimeoutException</c> (the 3-hour limit); every other end is a <see cref="LiveTailException"/>.
    /// <paramref name="isExpectedAnswer"/> names the refusals the caller handles by design (Auto mode falls back to
    /// polling when Live Tail is not allowed): they are thrown as ever but not counted as failed calls.
    /// </summary>
    public async IAsyncEnumerable<LiveTailStreamEvent> StartAsync(
        AwsAccountOptions account, string region, IReadOnlyList<string> logGroupArns, string? filterPattern, [EnumeratorCancellation] CancellationToken cancellationToken, Func<LiveTailException, bool>? isExpectedAnswer = null)
    {
        var where = $"account {account.DisplayName}, {region}, Live Tail of {string.Join(", ", logGroupArns.Select(LogGroupArn.ToName))}";
        _meter.RecordCall(account.AccountId, region, AwsService.Logs, Operation);
        _meter.RecordAttempt(account.AccountId, region, AwsService.Logs, Operation);

        using var response = await SendAsync(account, region, logGroupArns, filterPattern, where, isExpectedAnswer, cancellationToken).ConfigureAwait(false);

        // Live Tail is billed per session minute from the moment AWS accepts it until the stream ends, whichever
        // side ends it; the time is billed as the session runs so a long session shows in the usage before it ends.
        using var billing = _meter.StartSession(account.AccountId, region, AwsService.Logs, Operation);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            EventStreamMessage? message;
            try
            {
                message = await EventStreamDecoder.ReadAsync(body, cancellationToken).ConfigureAwait(false);
                billing.Update();
            }
            catch (EventStreamFormatException e)
            {
                throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: the stream is not a valid event stream ({e.Message})", "MalformedStream", null, e));
            }
            catch (Exception e) when (AwsErrorClassifier.IsTransientTransportFailure(e))
            {
                throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: the stream broke ({e.Message})", "NetworkError", null, e));
            }

            if (message is null)
            {
                throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: the server ended the stream without saying why", "StreamEnded"));
            }

            switch (message.MessageType)
            {
                case "event":
                    LiveTailStreamEvent? interpreted;
                    try
                    {
                        interpreted = Interpret(message, where);
                    }
                    catch (LiveTailException e)
                    {
                        throw Failed(account, region, isExpectedAnswer, e);
                    }

                    if (interpreted is not null)
                    {
                        yield return interpreted;
                    }

                    break;
                case "exception" when message.ExceptionType == "SessionTimeoutException":
                    _logger.LogInformation("{Where}: AWS ended the session at its time limit", where);
                    yield break;
                case "exception":
                    var type = message.ExceptionType ?? "UnknownException";
                    throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: AWS sent {type} in the stream: {PayloadMessage(message) ?? "no message"}", type));
                case "error":
                    var code = message.GetString(":error-code") ?? "UnknownError";
                    throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: AWS sent error {code} in the stream: {message.GetString(":error-message") ?? "no message"}", code));
                default:
                    _logger.LogDebug("{Where}: ignored an event-stream message of type {Type}", where, message.MessageType);
                    break;
            }
        }
    }

    public void Dispose() => _transport.Dispose();

    private async Task<HttpResponseMessage> SendAsync(AwsAccountOptions account, string region, IReadOnlyList<string> logGroupArns, string? filterPattern, string where, Func<LiveTailException, bool>? isExpectedAnswer, CancellationToken cancellationToken)
    {
        AWSCredentials credentials;
        try
        {
            credentials = await _credentials.GetAsync(account, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: {e.Message}", e.ErrorCode, null, e));
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new StartLiveTailWire { LogGroupIdentifiers = logGroupArns, LogEventFilterPattern = filterPattern }, LiveTailJsonContext.Default.StartLiveTailWire);
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint(region))
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Logs_20140328." + Operation);
        request.Options.Set(SigningService, "logs");
        request.Options.Set(SigningRegion, region);

        // A signer per session: sessions are rare (minutes to hours long), and credentials may have been renewed.
        using var signer = new HttpMessageInvoker(new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(region), "logs", _transport), disposeHandler: false);
        HttpResponseMessage response;
        try
        {
            response = await signer.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (AwsErrorClassifier.IsTransientTransportFailure(e))
        {
            throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: could not reach {request.RequestUri!.Host} ({e.Message})", "NetworkError", null, e));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // SocketsHttpHandler's ConnectTimeout surfaces as a cancellation nobody asked for.
            throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: could not reach {request.RequestUri!.Host} in time ({e.Message})", "NetworkError", null, e));
        }
        catch (AmazonServiceException e)
        {
            // The signer resolves credentials per request: STS refusing AssumeRole surfaces here and will not change on a retry.
            throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: could not obtain credentials ({e.Message})", e.ErrorCode ?? "AssumeRoleFailed", null, e));
        }
        catch (AmazonClientException e)
        {
            throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: could not sign the request ({e.Message})", "CredentialsUnavailable", null, e));
        }

        if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/vnd.amazon.eventstream")
        {
            return response;
        }

        using (response)
        {
            var content = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                throw Failed(account, region, isExpectedAnswer, new LiveTailException($"{where}: the answer is {response.Content.Headers.ContentType?.MediaType ?? "untyped"}, not an event stream", "MalformedStream", response.StatusCode));
            }

            var error = AwsErrorClassifier.Decode(response, content);
            throw Failed(account, region, isExpectedAnswer, new LiveTailException(
                $"{where}: HTTP {(int)response.StatusCode} {error.Code}: {error.Message ?? "no message"} (request id {error.RequestId ?? "none"})", error.Code, response.StatusCode));
        }
    }

    private static LiveTailStreamEvent? Interpret(EventStreamMessage message, string where)
    {
        try
        {
            switch (message.EventType)
            {
                case "sessionStart":
                    var start = JsonSerializer.Deserialize(message.Payload.Span, LiveTailJsonContext.Default.SessionStartWire);
                    return new LiveTailSessionStarted(start?.SessionId, start?.RequestId);
                case "sessionUpdate":
                    var update = JsonSerializer.Deserialize(message.Payload.Span, LiveTailJsonContext.Default.SessionUpdateWire);
                    var events = (update?.SessionResults ?? []).Select(e => new LiveTailEvent(
                        LogGroupArn.ToName(e.LogGroupIdentifier ?? ""),
                        e.LogStreamName ?? "",
                        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(e.Timestamp, 0, 253402300799999)),
                        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(e.IngestionTime, 0, 253402300799999)),
                        e.Message ?? "")).ToList();
                    return new LiveTailSessionUpdated(update?.SessionMetadata?.Sampled ?? false, events);
                default:
                    // A new kind of event from a newer service model: skipping it keeps the session alive.
                    return null;
            }
        }
        catch (JsonException e)
        {
            throw new LiveTailException($"{where}: a {message.EventType} event is not the JSON AWS documents ({e.Message})", "MalformedStream", null, e);
        }
    }

    private static string? PayloadMessage(EventStreamMessage message)
    {
        try
        {
            return JsonSerializer.Deserialize(message.Payload.Span, LiveTailJsonContext.Default.StreamExceptionWire)?.Message;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // An error body is small JSON; a misbehaving server must not make us read without end.
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
        {
            filled += read;
        }

        return buffer[..filled];
    }

    private LiveTailException Failed(AwsAccountOptions account, string region, Func<LiveTailException, bool>? isExpectedAnswer, LiveTailException e)
    {
        if (isExpectedAnswer?.Invoke(e) != true)
        {
            _meter.RecordFailure(account.AccountId, region, AwsService.Logs, Operation);
        }

        return e;
    }
}

// Shapes from the CloudWatch Logs service model (StartLiveTailRequest, LiveTailSessionStart, LiveTailSessionUpdate,
// LiveTailSessionLogEvent, SessionTimeoutException / SessionStreamingException).
internal sealed class StartLiveTailWire
{
    public IReadOnlyList<string> LogGroupIdentifiers { get; init; } = [];
    public string? LogEventFilterPattern { get; init; }
}

internal sealed class SessionStartWire
{
    public string? RequestId { get; init; }
    public string? SessionId { get; init; }
}

internal sealed class SessionUpdateWire
{
    public SessionMetadataWire? SessionMetadata { get; init; }
    public List<SessionLogEventWire>? SessionResults { get; init; }
}

internal sealed class SessionMetadataWire
{
    public bool Sampled { get; init; }
}

internal sealed class SessionLogEventWire
{
    public string? LogStreamName { get; init; }
    public string? LogGroupIdentifier { get; init; }
    public string? Message { get; init; }
    public long Timestamp { get; init; }
    public long IngestionTime { get; init; }
}

internal sealed class StreamExceptionWire
{
    public string? Message { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(StartLiveTailWire))]
[JsonSerializable(typeof(SessionStartWire))]
[JsonSerializable(typeof(SessionUpdateWire))]
[JsonSerializable(typeof(StreamExceptionWire))]
internal sealed partial class LiveTailJsonContext : JsonSerializerContext;
