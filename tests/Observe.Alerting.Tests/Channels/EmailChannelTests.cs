using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Observe.Alerting.Tests.Channels;

/// <summary>
/// The e-mail channel against a real SMTP server (aiosmtpd, started by scripts/peers.sh), whose Maildir the test reads
/// the message back from and parses with MimeKit.
/// </summary>
public sealed class EmailChannelTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 11, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Email_Firing_ArrivesWithTextAndHtmlPartsAndEscapedFields()
    {
        var token = Guid.NewGuid().ToString("N");
        using var registry = TestAlerts.Registry(Settings("mail", Smtp.Port), _time);
        var message = TestAlerts.Firing(12, title: $"Errors <script>alert(1)</script> & more {token}", description: "Check <b>orders</b> first");

        var result = await registry.Find("mail")!.SendAsync(message, CancellationToken.None);

        Assert.True(result.Delivered, result.Error);

        // aiosmtpd writes the message to its Maildir before it answers 250 to DATA, so it is there now.
        var received = Smtp.Received().Single(m => m.Subject?.Contains(token, StringComparison.Ordinal) == true);
        Assert.Equal($"[FIRING:critical] Errors <script>alert(1)</script> & more {token}", received.Subject);
        Assert.Equal("alerts@example.com", received.From.Mailboxes.Single().Address);
        Assert.Equal(["oncall@example.com", "lead@example.com"], received.To.Mailboxes.Select(m => m.Address));
        Assert.Single(received.References);

        var text = received.TextBody;
        Assert.Contains("Severity: critical", text, StringComparison.Ordinal);
        Assert.Contains("Since: 2026-12-04 10:15 UTC", text, StringComparison.Ordinal);
        Assert.Contains("- orders-00 (123456789012, eu-west-1): firing since 2026-12-04 10:15 UTC.", text, StringComparison.Ordinal);
        Assert.Contains("- and 2 more", text, StringComparison.Ordinal);
        Assert.Contains($"Open in Observe: {TestAlerts.GroupLink.AbsoluteUri}", text, StringComparison.Ordinal);

        var html = received.HtmlBody;
        Assert.Contains("Errors &lt;script&gt;alert(1)&lt;/script&gt; &amp; more", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("Check &lt;b&gt;orders&lt;/b&gt; first", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://observe.example.com/functions/123456789012/eu-west-1/orders-00\">orders-00 (123456789012, eu-west-1)</a>", html, StringComparison.Ordinal);
        Assert.Contains("<li>and 2 more</li>", html, StringComparison.Ordinal);
        Assert.Contains($"<a href=\"{TestAlerts.GroupLink.AbsoluteUri}\">Open in Observe</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Email_NoServerListening_IsRetryableAndDoesNotThrow()
    {
        using var registry = TestAlerts.Registry(Settings("mail", LocalReceiver.FreePort()), _time);

        var result = await registry.Find("mail")!.SendAsync(TestAlerts.Firing(1), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.False(result.Permanent);
        Assert.NotNull(result.Error);
    }

    private static Dictionary<string, string?> Settings(string id, int port) => new()
    {
        [$"Observe:Alerting:Channels:{id}:Kind"] = "email",
        [$"Observe:Alerting:Channels:{id}:Host"] = Smtp.Host,
        [$"Observe:Alerting:Channels:{id}:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Observe:Alerting:Channels:{id}:Security"] = "None",
        [$"Observe:Alerting:Channels:{id}:From"] = "Observe <alerts@example.com>",
        [$"Observe:Alerting:Channels:{id}:To:0"] = "oncall@example.com",
        [$"Observe:Alerting:Channels:{id}:To:1"] = "lead@example.com",
    };

    /// <summary>The aiosmtpd that scripts/peers.sh started.</summary>
    private static class Smtp
    {
        public static string Host => Env("OBSERVE_TEST_SMTP_HOST");

        public static int Port => int.Parse(Env("OBSERVE_TEST_SMTP_PORT"), System.Globalization.CultureInfo.InvariantCulture);

        public static IEnumerable<MimeMessage> Received() =>
            Directory.EnumerateFiles(Path.Combine(Env("OBSERVE_TEST_SMTP_MAILDIR"), "new")).Select(file => MimeMessage.Load(file));

        private static string Env(string name) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"{name} is not set: run the tests with scripts/test.sh, which starts aiosmtpd (or `source .peers/env` after scripts/peers.sh start)");
    }
}
