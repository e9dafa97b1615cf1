using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Observe.Alerting.Channels;

namespace Observe.Alerting.Tests.Channels;

/// <summary>
/// The HTTP channels against a real local receiver on 127.0.0.1 playing Slack, Teams, PagerDuty and a webhook
/// consumer: what they send, and how every kind of answer (200, 429 with Retry-After, 500, 400, no answer, no server)
/// becomes a delivery result without an exception.
/// </summary>
public sealed class HttpChannelTests : IAsyncLifetime
{
    private const string Secret = "whsec-0123456789abcdef0123456789abcdef";
    private const string RoutingKey = "R0123456789ABCDEF0123456789ABCDE";

    private static readonly string Artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "artifacts")).FullName;

    private readonly LocalReceiver _receiver = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 11, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task Slack_Firing_PostsBlockKitWithHeaderSeverityFunctionsAndButton()
    {
        using var registry = Registry("oncall", "slack", ("WebhookUrl", _receiver.At("services/T000/B000/XXXX").AbsoluteUri), ("MaxListedAlerts", "10"));
        var message = TestAlerts.Firing(12, description: "Paging <!channel> & <https://evil.example|click>");

        var result = await registry.Find("oncall")!.SendAsync(message, CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var request = await _receiver.NextAsync();
        Assert.Equal("/services/T000/B000/XXXX", request.Path);
        var json = request.Json;
        Assert.Equal("[FIRING:critical] Error rate above 5%", (string?)json["text"]);
        var blocks = json["blocks"]!.AsArray();
        Assert.Equal("header", (string?)blocks[0]!["type"]);
        Assert.Contains("[FIRING:critical] Error rate above 5%", (string?)blocks[0]!["text"]!["text"]);
        var fields = blocks[1]!["fields"]!.AsArray().Select(f => (string?)f!["text"]).ToList();
        Assert.Equal("*Severity*\ncritical", fields[0]);
        Assert.Equal($"*Since*\n<!date^{TestAlerts.Since.ToUnixTimeSeconds()}^{{date_short_pretty}} {{time}}|2026-12-04 10:15 UTC>", fields[1]);

        // User text cannot mention @channel or make links: Slack's control characters are escaped.
        Assert.Equal("Paging &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;", (string?)blocks[2]!["text"]!["text"]);
        var list = (string)blocks[3]!["text"]!["text"]!;
        Assert.StartsWith("*12 alerts*", list, StringComparison.Ordinal);
        Assert.Contains("<https://observe.example.com/functions/123456789012/eu-west-1/orders-00|orders-00 (123456789012, eu-west-1)>: firing since 2026-12-04 10:15 UTC.", list, StringComparison.Ordinal);
        Assert.Contains("orders-09", list, StringComparison.Ordinal);
        Assert.DoesNotContain("orders-10", list, StringComparison.Ordinal);
        Assert.EndsWith("_and 2 more_", list, StringComparison.Ordinal);
        var button = blocks[4]!["elements"]![0]!;
        Assert.Equal("button", (string?)button["type"]);
        Assert.Equal(TestAlerts.GroupLink.AbsoluteUri, (string?)button["url"]);
    }

    [Fact]
    public async Task Teams_Firing_PostsAdaptiveCardAttachment()
    {
        using var registry = Registry("team", "teams", ("WebhookUrl", _receiver.At("workflows/abc/triggers/manual/paths/invoke?sig=SECRET").AbsoluteUri));

        var result = await registry.Find("team")!.SendAsync(TestAlerts.Firing(3), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var received = await _receiver.NextAsync();

        // Kept with the test artifacts: docs/screenshots/alerting-teams-card.png is this payload rendered (docs/decisions.md).
        await File.WriteAllBytesAsync(Path.Combine(Artifacts, "teams-adaptive-card.json"), received.Body);
        var json = received.Json;
        Assert.Equal("message", (string?)json["type"]);
        var attachment = json["attachments"]!.AsArray().Single()!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        var card = attachment["content"]!;
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        var body = card["body"]!.AsArray();
        Assert.Equal("[FIRING:critical] Error rate above 5%", (string?)body[0]!["text"]);
        var facts = body[1]!["facts"]!.AsArray().ToDictionary(f => (string)f!["title"]!, f => (string?)f!["value"]);
        Assert.Equal("critical", facts["Severity"]);
        Assert.Equal("2026-12-04 10:15 UTC", facts["Since"]);
        Assert.Equal("3", facts["Alerts"]);
        Assert.Equal("[orders-00 (123456789012, eu-west-1)](https://observe.example.com/functions/123456789012/eu-west-1/orders-00): firing since 2026-12-04 10:15 UTC. error rate 12.5% over 5 min (threshold 5%), function 0", (string?)body[2]!["text"]);
        var action = card["actions"]!.AsArray().Single()!;
        Assert.Equal("Action.OpenUrl", (string?)action["type"]);
        Assert.Equal(TestAlerts.GroupLink.AbsoluteUri, (string?)action["url"]);
    }

    [Fact]
    public async Task PagerDuty_FiringThenResolved_TriggersAndResolvesTheSameDedupKey()
    {
        using var registry = Registry("pd", "pagerduty", ("RoutingKey", RoutingKey), ("Endpoint", _receiver.At("v2/enqueue").AbsoluteUri));
        var channel = registry.Find("pd")!;
        _receiver.Answer(202, """{"status":"success","message":"Event processed","dedup_key":"observe:error-rate:123456789012"}""");
        _receiver.Answer(202, """{"status":"success"}""");

        var fired = await channel.SendAsync(TestAlerts.Firing(1, severity: Observe.Alerting.Rules.AlertSeverity.Warning), CancellationToken.None);
        var resolved = await channel.SendAsync(TestAlerts.Resolved(1), CancellationToken.None);

        Assert.True(fired.Delivered, fired.Error);
        Assert.Equal(202, fired.StatusCode);
        Assert.True(resolved.Delivered, resolved.Error);
        var trigger = (await _receiver.NextAsync()).Json;
        Assert.Equal(RoutingKey, (string?)trigger["routing_key"]);
        Assert.Equal("trigger", (string?)trigger["event_action"]);
        Assert.Equal("observe:error-rate:123456789012", (string?)trigger["dedup_key"]);
        var payload = trigger["payload"]!;
        Assert.Equal("[FIRING:warning] Error rate above 5%", (string?)payload["summary"]);
        Assert.Equal("warning", (string?)payload["severity"]);
        Assert.Equal("orders-00 (123456789012, eu-west-1)", (string?)payload["source"]);
        Assert.Equal("orders-00", (string?)payload["component"]);
        Assert.Equal("2026-12-04T10:15:00Z", (string?)payload["timestamp"]);
        Assert.Equal("2026-12-04T10:15:00Z", (string?)payload["custom_details"]!["since"]);
        Assert.Equal(TestAlerts.GroupLink.AbsoluteUri, (string?)trigger["links"]![0]!["href"]);
        var resolve = (await _receiver.NextAsync()).Json;
        Assert.Equal("resolve", (string?)resolve["event_action"]);
        Assert.Equal("observe:error-rate:123456789012", (string?)resolve["dedup_key"]);
        Assert.Equal(RoutingKey, (string?)resolve["routing_key"]);
    }

    [Fact]
    public async Task PagerDuty_BadRequest_IsPermanentWithTheReceiversReason()
    {
        using var registry = Registry("pd", "pagerduty", ("RoutingKey", RoutingKey), ("Endpoint", _receiver.At("v2/enqueue").AbsoluteUri));
        _receiver.Answer(400, """{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}""");

        var result = await registry.Find("pd")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.True(result.Permanent);
        Assert.Equal(400, result.StatusCode);
        Assert.Contains("Length of 'routing_key' is incorrect", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(RoutingKey, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_Firing_SignatureVerifiesWithTheSharedSecret()
    {
        using var registry = Registry("hook", "webhook", ("WebhookUrl", _receiver.At("observe").AbsoluteUri), ("Secret", Secret));

        var result = await registry.Find("hook")!.SendAsync(TestAlerts.Firing(2), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var request = await _receiver.NextAsync();

        // Verified with the receiver's check that docs/alerting-webhooks.md prints, not with the sender's code.
        var timestamp = request.Headers["X-Observe-Timestamp"];
        var signature = request.Headers["X-Observe-Signature"];
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), timestamp);
        Assert.True(WebhookSignature.IsValid(Secret, timestamp, signature, request.Body, _time.GetUtcNow()));

        // The check can fail: another secret, a changed body, or the same request replayed six minutes later.
        Assert.False(WebhookSignature.IsValid("another-secret-another-secret-1234", timestamp, signature, request.Body, _time.GetUtcNow()));
        Assert.False(WebhookSignature.IsValid(Secret, timestamp, signature, [.. request.Body, (byte)' '], _time.GetUtcNow()));
        Assert.False(WebhookSignature.IsValid(Secret, timestamp, signature, request.Body, _time.GetUtcNow().AddMinutes(6)));

        var json = request.Json;
        Assert.Equal(1, (int?)json["version"]);
        Assert.Equal("firing", (string?)json["status"]);
        Assert.Equal("critical", (string?)json["severity"]);
        Assert.Equal("Error rate above 5%", (string?)json["title"]);
        Assert.Equal("2026-12-04T10:15:00Z", (string?)json["since"]);
        Assert.Equal(TestAlerts.GroupLink.AbsoluteUri, (string?)json["link"]);
        var alerts = json["alerts"]!.AsArray();
        Assert.Equal(2, alerts.Count);
        Assert.Equal("orders-01", (string?)alerts[1]!["labels"]!["function"]);

    }

    [Fact]
    public async Task Webhook_ShellExampleFromTheDocs_VerifiesARealRequest()
    {
        // The shell check compares with the machine's clock, so this request is signed on it.
        using var registry = TestAlerts.Registry(
            new Dictionary<string, string?>
            {
                ["Observe:Alerting:Channels:hook:Kind"] = "webhook",
                ["Observe:Alerting:Channels:hook:WebhookUrl"] = _receiver.At("observe").AbsoluteUri,
                ["Observe:Alerting:Channels:hook:Secret"] = Secret,
            },
            TimeProvider.System);
        Assert.True((await registry.Find("hook")!.SendAsync(TestAlerts.Firing(2), CancellationToken.None)).Delivered);
        var request = await _receiver.NextAsync();
        var body = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(body, request.Body);
            var (timestamp, signature) = (request.Headers["X-Observe-Timestamp"]!, request.Headers["X-Observe-Signature"]!);

            Assert.Equal(0, await RunDocumentedShellCheckAsync(Secret, timestamp, signature, body));
            Assert.Equal(1, await RunDocumentedShellCheckAsync("another-secret-another-secret-1234", timestamp, signature, body));
            await File.AppendAllTextAsync(body, " ");
            Assert.Equal(1, await RunDocumentedShellCheckAsync(Secret, timestamp, signature, body));
        }
        finally
        {
            File.Delete(body);
        }
    }

    [Fact]
    public async Task Webhook_TooManyRequestsWithRetryAfterSeconds_IsRetryableAfterThatWait()
    {
        using var registry = Registry("hook", "webhook", ("WebhookUrl", _receiver.At("observe").AbsoluteUri), ("Secret", Secret));
        _receiver.Answer(429, "slow down", retryAfter: "7");

        var result = await registry.Find("hook")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.False(result.Permanent);
        Assert.Equal(429, result.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
    }

    [Fact]
    public async Task Slack_TooManyRequestsWithRetryAfterDate_WaitsUntilThatDate()
    {
        using var registry = Registry("oncall", "slack", ("WebhookUrl", _receiver.At("services/T000/B000/XXXX").AbsoluteUri));
        _receiver.Answer(429, "rate_limited", retryAfter: _time.GetUtcNow().AddSeconds(90).ToString("R", CultureInfo.InvariantCulture));

        var result = await registry.Find("oncall")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);

        Assert.False(result.Permanent);
        Assert.Equal(TimeSpan.FromSeconds(90), result.RetryAfter);
    }

    [Fact]
    public async Task Teams_ServerError_IsRetryableWithoutAWait()
    {
        using var registry = Registry("team", "teams", ("WebhookUrl", _receiver.At("workflows/abc").AbsoluteUri));
        _receiver.Answer(500, "upstream failed");

        var result = await registry.Find("team")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.False(result.Permanent);
        Assert.Equal(500, result.StatusCode);
        Assert.Null(result.RetryAfter);
        Assert.Contains("upstream failed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slack_ReceiverHangsPastTheTimeout_IsARetryableTimeout()
    {
        using var registry = Registry("oncall", "slack", ("WebhookUrl", _receiver.At("services/T000/B000/XXXX").AbsoluteUri), ("Timeout", "00:00:05"));
        _receiver.Hang();

        var sending = registry.Find("oncall")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);
        await _receiver.NextAsync();
        Assert.False(sending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await sending;

        Assert.False(result.Delivered);
        Assert.False(result.Permanent);
        Assert.Null(result.StatusCode);
        Assert.Equal("no answer within Observe:Alerting:Channels:oncall:Timeout (00:00:05)", result.Error);
    }

    [Fact]
    public async Task Webhook_NothingListening_IsRetryableAndDoesNotThrow()
    {
        using var registry = Registry("hook", "webhook", ("WebhookUrl", $"http://127.0.0.1:{LocalReceiver.FreePort()}/observe"), ("Secret", Secret));

        var result = await registry.Find("hook")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.False(result.Permanent);
        Assert.Contains("ConnectionError", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_Redirect_IsPermanentAndNotFollowed()
    {
        using var registry = Registry("hook", "webhook", ("WebhookUrl", _receiver.At("observe").AbsoluteUri), ("Secret", Secret));
        _receiver.Answer(308, "");

        var result = await registry.Find("hook")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);

        Assert.True(result.Permanent);
        Assert.Equal(308, result.StatusCode);
        await _receiver.NextAsync();
    }

    /// <summary>Runs the bash block docs/alerting-webhooks.md marks <c>verify-shell</c>; its exit status.</summary>
    private static async Task<int> RunDocumentedShellCheckAsync(string secret, string timestamp, string signature, string bodyFile)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Observe.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("Observe.sln not found above the test binaries");
        }

        var doc = await File.ReadAllTextAsync(Path.Combine(root.FullName, "docs", "alerting-webhooks.md"));
        var marked = doc[(doc.IndexOf("<!-- verify-shell", StringComparison.Ordinal) + 1)..];
        var start = marked.IndexOf("```bash\n", StringComparison.Ordinal) + "```bash\n".Length;
        var script = marked[start..marked.IndexOf("```", start, StringComparison.Ordinal)];

        var process = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardError = true };
        foreach (var argument in (string[])["-c", script + "verify_observe_webhook \"$1\" \"$2\" \"$3\" \"$4\"", "verify", secret, timestamp, signature, bodyFile])
        {
            process.ArgumentList.Add(argument);
        }

        using var shell = System.Diagnostics.Process.Start(process)!;
        var errors = await shell.StandardError.ReadToEndAsync();
        await shell.WaitForExitAsync();
        Assert.True(errors.Length == 0, errors);
        return shell.ExitCode;
    }

    private ChannelRegistry Registry(string id, string kind, params (string Key, string Value)[] settings)
    {
        var config = new Dictionary<string, string?> { [$"Observe:Alerting:Channels:{id}:Kind"] = kind };
        foreach (var (key, value) in settings)
        {
            config[$"Observe:Alerting:Channels:{id}:{key}"] = value;
        }

        return TestAlerts.Registry(config, _time);
    }
}
