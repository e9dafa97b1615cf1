using Microsoft.Extensions.Time.Testing;
using Observe.Alerting.Console;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public sealed class AlertConfigModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ChannelsBuild_QueuesPerChannel_OutcomesFromTheAttemptAndItsNotification()
    {
        var channels = new[] { new AlertChannelView { Id = "a", Kind = "webhook", Destination = "x" }, new AlertChannelView { Id = "b", Kind = "slack", Destination = "y" } };
        var pending = new[] { Notification("p1", "a", "pending", attempts: 1, next: Now.AddMinutes(2)) };
        var sending = new[] { Notification("s-live", "b", "sending", attempts: 1, next: Now.AddSeconds(20)), Notification("s-dead", "b", "sending", attempts: 1, next: Now.AddSeconds(-5)) };
        var failed = new[] { Notification("f1", "a", "failed", attempts: 2, next: Now) };
        var sent = new[] { Notification("ok", "a", "sent", attempts: 1, next: Now) with { SentAt = Now.AddMinutes(-3) } };
        var attempts = new[]
        {
            Attempt("s-live", "b", 1, DeliveryOutcome.InFlight),
            Attempt("s-dead", "b", 1, DeliveryOutcome.InFlight),
            Attempt("p1", "a", 1, DeliveryOutcome.RetryScheduled, 503, "HTTP 503"),
            Attempt("f1", "a", 2, DeliveryOutcome.GaveUp, 500, "HTTP 500"),
            Attempt("f1", "a", 1, DeliveryOutcome.InFlight),
            Attempt("ok", "a", 1, DeliveryOutcome.Delivered, 200),
        };

        var model = AlertChannelsData.Build(channels, pending, sending, failed, sent, attempts, Now);

        var a = model.Channels[0];
        Assert.Equal((1, 0, 1, Now.AddMinutes(-3), "HTTP 503"), (a.Pending, a.InFlight, a.Failed, a.LastSent, a.LastError));
        Assert.Equal((0, 2), (model.Channels[1].Pending, model.Channels[1].InFlight));
        Assert.Equal(
            [DeliveryLogOutcome.InFlight, DeliveryLogOutcome.MayHaveBeenDelivered, DeliveryLogOutcome.RetryScheduled, DeliveryLogOutcome.Failed, DeliveryLogOutcome.MayHaveBeenDelivered, DeliveryLogOutcome.Delivered],
            model.Log.Select(r => r.Outcome));
        Assert.Equal(Now.AddMinutes(2), model.Log[2].RetryAt);
        Assert.Equal("Failed, gave up", model.Log[3].OutcomeText);
        Assert.Equal(["f1"], model.Filter("a", "failed").Select(r => r.Attempt.NotificationId));
        Assert.Equal(2, model.Filter(null, "may-have-been-delivered").Count());
        Assert.Equal(6, model.Filter(null, "no-such-outcome").Count());
        Assert.Equal("ok", model.LatestOf("ok")!.Attempt.NotificationId);
        Assert.False(model.LogCapped);
    }

    [Fact]
    public async Task Editor_TypingThenPausing_ValidatesOnlyTheLastText()
    {
        var console = new CountingConsole();
        var time = new FakeTimeProvider(Now);
        using var editor = new RuleEditorModel(console, null, "first", time);
        var validated = new TaskCompletionSource();
        editor.Changed += () => validated.TrySetResult();

        editor.Edit("bad");
        time.Advance(RuleEditorModel.Debounce / 2);
        editor.Edit("good");
        Assert.True(editor.Validating);
        Assert.False(editor.Valid);
        time.Advance(RuleEditorModel.Debounce);
        await validated.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["good"], console.Validated);
        Assert.True(editor.Valid);
    }

    private static NotificationRecord Notification(string id, string channel, string status, int attempts, DateTimeOffset next) => new()
    {
        Id = id, ChannelId = channel, GroupKey = "g", ContentHash = id, Status = status, Attempts = attempts, NextAttemptAt = next, CreatedAt = Now.AddMinutes(-10),
    };

    private static DeliveryAttempt Attempt(string id, string channel, int attempt, DeliveryOutcome outcome, int? status = null, string? error = null) => new()
    {
        NotificationId = id, ChannelId = channel, Attempt = attempt, StartedAt = Now.AddMinutes(-1), Outcome = outcome, StatusCode = status, Error = error,
        FinishedAt = outcome == DeliveryOutcome.InFlight ? null : Now.AddMinutes(-1).AddMilliseconds(80),
    };

    /// <summary>A console that records which texts it was asked to validate; "bad" has an error.</summary>
    private sealed class CountingConsole : IAlertingConsole
    {
        public List<string> Validated { get; } = [];

        public IReadOnlyList<AlertChannelView> Channels => [];

        public IReadOnlyList<RuleTemplate> Templates => [];

        public Task<IReadOnlyList<RuleFieldError>> ValidateAsync(string? editingId, string document, CancellationToken cancellationToken)
        {
            lock (Validated)
            {
                Validated.Add(document);
            }

            return Task.FromResult<IReadOnlyList<RuleFieldError>>(document == "bad" ? [new RuleFieldError { Field = "id", Message = "missing" }] : []);
        }

        public Task<AlertRulesView> GetRulesAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RuleChangeResult> SaveRuleAsync(string? editingId, string document, string actor, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RuleChangeResult> DeleteRuleAsync(string ruleId, string actor, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RuleChangeResult> SetRuleEnabledAsync(string ruleId, bool enabled, string actor, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string> QueueTestSendAsync(string channelId, string actor, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
