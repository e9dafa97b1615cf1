using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Observe.Collectors.Aws;

/// <summary>Who is called: the account, the region, the service and the operation.</summary>
internal readonly record struct AwsCallTarget(AwsAccountOptions Account, string Region, AwsService Service, string Operation);

/// <summary>
/// One API request, turned into a new HTTP message for every attempt so each attempt is signed anew.
/// <c>PathAndQuery</c> is relative to the endpoint (no leading slash); <c>AmzTarget</c> is the <c>X-Amz-Target</c> header
/// of the JSON RPC protocols; <c>MetricsRequested</c> (GetMetricData only) is the number of metrics AWS bills for.
/// <c>IsExpectedAnswer</c> lets the caller say which errors are answers rather than failures (a log group that does not
/// exist yet means "no events"): they are still thrown, so the caller sees them, but the meter does not count them as
/// failed calls, or the usage figures would show failures where every collector works as designed.
/// </summary>
internal sealed record AwsRequest(HttpMethod Method, string PathAndQuery, byte[]? Body, string? ContentType, string? AmzTarget, int MetricsRequested = 0)
{
    public Func<AwsServiceException, bool>? IsExpectedAnswer { get; init; }
}

/// <summary>
/// Every AWS call goes through here: credentials, the rate budget, SigV4 signing, per-attempt and per-call timeouts,
/// retries with full jitter, the usage meter and error decoding into <see cref="AwsServiceException"/>.
/// Order per attempt: wait for a budget token, then sign and send; retries sit outside the signer, so every attempt
/// carries a fresh signature and timestamp.
/// </summary>
internal sealed class AwsCaller : IDisposable
{
    private static readonly HttpRequestOptionsKey<string> SigningService = new(SigV4SigningHandler.ServiceOptionKey);
    private static readonly HttpRequestOptionsKey<string> SigningRegion = new(SigV4SigningHandler.RegionOptionKey);
    private static readonly ResiliencePropertyKey<Attempt> LastAttempt = new("observe.aws.attempt");

    private readonly HttpMessageHandler _transport;
    private readonly ConcurrentDictionary<string, Signer> _signers = new(StringComparer.Ordinal);
    private readonly AwsOptions _options;
    private readonly AwsCredentialsProvider _credentials;
    private readonly AwsEndpointResolver _endpoints;
    private readonly RateBudgets _budgets;
    private readonly AwsUsageMeter _meter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<Attempt> _pipeline;

    public AwsCaller(
        IOptions<AwsOptions> options,
        AwsCredentialsProvider credentials,
        AwsEndpointResolver endpoints,
        RateBudgets budgets,
        AwsUsageMeter meter,
        TimeProvider time,
        ILogger<AwsCaller> logger,
        HttpMessageHandler? transport = null)
    {
        _options = options.Value;
        _credentials = credentials;
        _endpoints = endpoints;
        _budgets = budgets;
        _meter = meter;
        _time = time;
        _logger = logger;

        // The signer's rule: a redirect followed below it would be replayed with a signature for the old host.
        _transport = transport ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = _options.AttemptTimeout,
        };
        _pipeline = BuildPipeline();
    }

    /// <summary>Sends the request and returns the body of the successful response.</summary>
    /// <exception cref="AwsServiceException">The call failed after its retries, or the account has no usable credentials.</exception>
    public async Task<byte[]> SendAsync(AwsCallTarget target, AwsRequest request, CancellationToken cancellationToken)
    {
        var (account, region, service, operation) = target;
        _meter.RecordCall(account.AccountId, region, service, operation);

        HttpMessageInvoker signer;
        try
        {
            signer = await GetSignerAsync(account, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException)
        {
            _meter.RecordFailure(account.AccountId, region, service, operation);
            throw;
        }

        var state = new CallState(this, target, request, signer, _endpoints.Resolve(service, region), _budgets.For(account.AccountId, region, service, operation));
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        Attempt result;
        try
        {
            result = await _pipeline.ExecuteAsync(static (ctx, s) => s.Caller.AttemptAsync(s, ctx), context, state).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e) when (!cancellationToken.IsCancellationRequested)
        {
            context.Properties.TryGetValue(LastAttempt, out var last);
            result = Attempt.FromException(AttemptClass.Transient, "Timeout", $"the call took longer than {AwsOptions.SectionName}:CallTimeout ({_options.CallTimeout})", last?.Number ?? 0, e);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        if (result.Class == AttemptClass.Success)
        {
            // Units known from the request alone; units only the response tells (bytes scanned, traces) are
            // recorded by the client that reads them.
            if (request.MetricsRequested > 0)
            {
                _meter.RecordBilled(account.AccountId, region, service, operation, request.MetricsRequested);
            }
            else if (AwsBilling.For(service.Name, operation) == BilledAs.CloudWatchRequests)
            {
                _meter.RecordBilled(account.AccountId, region, service, operation, 1);
            }

            return result.Body!;
        }

        var exception = ToException(target, result);
        if (request.IsExpectedAnswer?.Invoke(exception) != true)
        {
            _meter.RecordFailure(account.AccountId, region, service, operation);
        }

        throw exception;
    }

    /// <summary>The meter, for clients that learn a call's billed quantity only from its response.</summary>
    internal AwsUsageMeter Meter => _meter;

    public void Dispose() => _transport.Dispose();

    private async Task<HttpMessageInvoker> GetSignerAsync(AwsAccountOptions account, CancellationToken cancellationToken)
    {
        // The provider's cache answers at once; after a credential error it may hand out new credentials (renewed
        // keys, a new SSO login), and the signer follows them.
        var credentials = await _credentials.GetAsync(account, cancellationToken).ConfigureAwait(false);
        if (_signers.TryGetValue(account.AccountId, out var signer) && ReferenceEquals(signer.Credentials, credentials))
        {
            return signer.Invoker;
        }

        // One signer per account, bound to its credentials; region and service are set per request. All signers share
        // one transport (one connection pool), which only Dispose releases, so a replaced signer needs no disposal.
        signer = new Signer(credentials, new HttpMessageInvoker(
            new SigV4SigningHandler(credentials, RegionEndpoint.GetBySystemName(account.Regions[0]), "lambda", _transport),
            disposeHandler: false));
        _signers[account.AccountId] = signer;
        return signer.Invoker;
    }

    private async ValueTask<Attempt> AttemptAsync(CallState s, ResilienceContext context)
    {
        var (account, region, service, operation) = s.Target;
        var number = context.Properties.TryGetValue(LastAttempt, out var previous) ? previous.Number + 1 : 1;
        var cancellationToken = context.CancellationToken;
        await s.Budget.AcquireAsync(cancellationToken).ConfigureAwait(false);

        using var message = new HttpRequestMessage(s.Request.Method, new Uri(s.Endpoint, s.Request.PathAndQuery));
        message.Options.Set(SigningService, service.SigningName);
        message.Options.Set(SigningRegion, region);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (s.Request.AmzTarget is { } amzTarget)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Target", amzTarget);
        }

        if (s.Request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(s.Request.ContentType ?? "application/json");
        }

        using var attemptTimeout = new CancellationTokenSource(_options.AttemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        _meter.RecordAttempt(account.AccountId, region, service, operation);
        Attempt attempt;
        try
        {
            using var response = await s.Signer.SendAsync(message, linked.Token).ConfigureAwait(false);
            var content = await ReadCappedAsync(response.Content, linked.Token).ConfigureAwait(false);
            attempt = content is null
                ? TooLarge(response, number)
                : response.IsSuccessStatusCode
                    ? Attempt.Succeeded(content, number)
                    : FromErrorResponse(account, response, content, number);
        }
        catch (OperationCanceledException e) when (attemptTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            attempt = Attempt.FromException(AttemptClass.Transient, "Timeout", $"no answer within {AwsOptions.SectionName}:AttemptTimeout ({_options.AttemptTimeout})", number, e);
        }
        catch (Exception e) when (AwsErrorClassifier.IsTransientTransportFailure(e))
        {
            attempt = Attempt.FromException(AttemptClass.Transient, "NetworkError", e.Message, number, e);
        }
        catch (AmazonServiceException e)
        {
            // The signer fetches credentials per request: STS refusing AssumeRole (AccessDenied, a wrong ExternalId)
            // surfaces here and will not change on a retry.
            attempt = Attempt.FromException(AttemptClass.Final, e.ErrorCode ?? "AssumeRoleFailed", e.Message, number, e) with { CredentialFailure = true };
        }
        catch (AmazonClientException e)
        {
            attempt = Attempt.FromException(AttemptClass.Final, "CredentialsUnavailable", e.Message, number, e) with { CredentialFailure = true };
        }

        if (attempt.Class == AttemptClass.Throttled)
        {
            _meter.RecordThrottled(account.AccountId, region, service, operation);
        }

        context.Properties.Set(LastAttempt, attempt);
        return attempt;
    }

    /// <summary>
    /// The body, or null when it is longer than <see cref="AwsOptions.MaxResponseBytes"/>. Bytes are counted as the
    /// transport decompresses them, so a small gzip body that inflates without end (a "gzip bomb") is stopped at the
    /// cap too; a declared length over the cap is refused before reading. HttpMessageInvoker does not buffer the body,
    /// so nothing past the cap is ever held in memory.
    /// </summary>
    private async Task<byte[]?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var cap = _options.MaxResponseBytes;
        if (content.Headers.ContentLength is { } declared && declared > cap && content.Headers.ContentEncoding.Count == 0)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream((int)Math.Min(content.Headers.ContentLength ?? 16 * 1024, cap));
        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > cap)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    // Not retried: the same request would get the same oversized answer.
    private Attempt TooLarge(HttpResponseMessage response, int number) => new(
        AttemptClass.Final,
        number,
        null,
        response.StatusCode,
        "ResponseTooLarge",
        $"the response body is longer than {AwsOptions.SectionName}:MaxResponseBytes ({_options.MaxResponseBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes, counted after decompression); it was not read further",
        AwsErrorClassifier.RequestIdOf(response),
        null);

    private Attempt FromErrorResponse(AwsAccountOptions account, HttpResponseMessage response, byte[] content, int number)
    {
        var error = AwsErrorClassifier.Decode(response, content);
        var attempt = new Attempt(AwsErrorClassifier.Classify(response.StatusCode, error.Code), number, null, response.StatusCode, error.Code, error.Message, error.RequestId, null);
        if (AwsErrorClassifier.CredentialProblem(error.Code) is not null)
        {
            _credentials.Invalidate(account.AccountId);
            attempt = attempt with { CredentialFailure = true };
        }

        return attempt;
    }

    private ResiliencePipeline<Attempt> BuildPipeline()
    {
        var retry = _options.Retry;
        var builder = new ResiliencePipelineBuilder<Attempt> { TimeProvider = _time }.AddTimeout(_options.CallTimeout);

        // MaxAttempts = 1 turns retries off; Polly refuses a retry strategy with zero retries.
        if (retry.MaxAttempts <= 1)
        {
            return builder.Build();
        }

        return builder
            .AddRetry(new RetryStrategyOptions<Attempt>
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result?.Class is AttemptClass.Throttled or AttemptClass.Transient),
                DelayGenerator = args =>
                {
                    var throttled = args.Outcome.Result?.Class == AttemptClass.Throttled;
                    return ValueTask.FromResult<TimeSpan?>(FullJitter(
                        throttled ? retry.ThrottlingBaseDelay : retry.TransientBaseDelay,
                        throttled ? retry.ThrottlingMaxDelay : retry.TransientMaxDelay,
                        args.AttemptNumber,
                        Random.Shared.NextDouble()));
                },
                OnRetry = args =>
                {
                    var a = args.Outcome.Result!;
                    _logger.LogDebug("AWS call attempt {Attempt} got {Outcome} ({Code}); retrying in {Delay}", a.Number, a.Class, a.Code, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>AWS's "full jitter" backoff: uniform in [0, min(max, base x 2^retry)).</summary>
    internal static TimeSpan FullJitter(TimeSpan baseDelay, TimeSpan maxDelay, int retry, double random)
    {
        var ceiling = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30)));
        return TimeSpan.FromMilliseconds(ceiling * random);
    }

    private static AwsServiceException ToException(AwsCallTarget target, Attempt a)
    {
        var (account, region, service, operation) = target;
        var isCredential = a.CredentialFailure;
        string message;
        // Credential errors end the call at once (no retry) and name where the credentials come from, so the
        // fix (renew the profile's SSO login, the role's trust policy) is clear from the message alone.
        if (isCredential && AwsErrorClassifier.CredentialProblem(a.Code) is { } problem)
        {
            message = $"account {account.DisplayName}: {problem} ({a.Code}, {service.Name} {operation}); credentials from {AwsCredentialsProvider.SourceOf(account)}";
        }
        else if (isCredential)
        {
            message = $"account {account.DisplayName}: could not obtain credentials{(account.RoleArn is null ? "" : $" by assuming {account.RoleArn}")}: {a.Message} ({a.Code}); credentials from {AwsCredentialsProvider.SourceOf(account)}";
        }
        else
        {
            var where = $"account {account.DisplayName}, {region}, {service.Name} {operation}";
            var attempts = a.Number == 1 ? "1 attempt" : $"{a.Number} attempts";
            message = a.Status is { } status
                ? $"{where}: HTTP {(int)status} {a.Code}: {a.Message ?? "no message"} (request id {a.RequestId ?? "none"}, {attempts})"
                : $"{where}: {a.Message} ({a.Code}, {attempts})";
        }

        return new AwsServiceException(message, account.AccountId, service.Name, operation, a.Status, a.Code, a.Message, a.RequestId, a.Number, isCredential, a.Exception);
    }

    /// <summary>The outcome of one HTTP attempt; never an exception, so the retry strategy sees every kind of failure alike.</summary>
    private sealed record Attempt(AttemptClass Class, int Number, byte[]? Body, HttpStatusCode? Status, string Code, string? Message, string? RequestId, Exception? Exception)
    {
        public bool CredentialFailure { get; init; }

        public static Attempt Succeeded(byte[] body, int number) => new(AttemptClass.Success, number, body, HttpStatusCode.OK, "", null, null, null);

        public static Attempt FromException(AttemptClass kind, string code, string message, int number, Exception exception) =>
            new(kind, number, null, null, code, message, null, exception);
    }

    private sealed record Signer(AWSCredentials Credentials, HttpMessageInvoker Invoker);

    private sealed record CallState(AwsCaller Caller, AwsCallTarget Target, AwsRequest Request, HttpMessageInvoker Signer, Uri Endpoint, TokenBucket Budget);
}
