using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Alerting.Channels;
using Observe.Alerting.Delivery;
using Observe.Alerting.Hosting;
using Observe.Alerting.Lifecycle;
using Observe.Alerting.Rules;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Alerting.Console;

/// <summary>
/// <see cref="IAlertingConsole"/> over the store, the rules file loader and the channel registry. It reads rules with
/// the same <see cref="RuleParser"/> (and the same channel ids) as the evaluator, so what it accepts is what runs.
/// </summary>
internal sealed partial class AlertingConsole : IAlertingConsole
{
    /// <summary>The source a dashboard rule shows.</summary>
    internal const string DashboardSource = "dashboard";

    private readonly IAlertRuleReader _rules;
    private readonly IAlertRuleWriter _writer;
    private readonly RulesFileLoader _file;
    private readonly INotificationOutbox _outbox;
    private readonly NotificationDispatcher _dispatcher;
    private readonly AlertingOptions _options;
    private readonly string? _rulesFilePath;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertingConsole> _logger;
    private readonly RuleParser _parser;
    private readonly HashSet<string> _channelIds;

    public AlertingConsole(
        IAlertRuleReader rules,
        IAlertRuleWriter writer,
        RulesFileLoader file,
        ChannelRegistry channels,
        INotificationOutbox outbox,
        NotificationDispatcher dispatcher,
        IOptions<AlertingOptions> options,
        IOptions<RulesFileOptions> rulesFile,
        TimeProvider time,
        ILogger<AlertingConsole> logger)
    {
        _rules = rules;
        _writer = writer;
        _file = file;
        _outbox = outbox;
        _dispatcher = dispatcher;
        _options = options.Value;
        _rulesFilePath = string.IsNullOrWhiteSpace(rulesFile.Value.Path) ? null : Path.GetFullPath(rulesFile.Value.Path);
        _time = time;
        _logger = logger;
        _channelIds = new HashSet<string>(channels.Channels.Select(c => c.Id), StringComparer.Ordinal);
        _parser = new RuleParser(_channelIds);
        Channels = [.. channels.Channels.Select(c => new AlertChannelView { Id = c.Id, Kind = c.Kind, Destination = c.Describe() })];
        Templates = [.. DefaultRules.All.Select(r => new RuleTemplate
        {
            Name = r.Name,
            Description = r.Description,
            Document = RuleWriter.WriteRule(r with { Id = "my-" + r.Id["default-".Length..] }),
        })];
    }

    public IReadOnlyList<AlertChannelView> Channels { get; }

    public IReadOnlyList<RuleTemplate> Templates { get; }

    public async Task<AlertRulesView> GetRulesAsync(CancellationToken cancellationToken)
    {
        var stored = await _rules.GetAlertRulesAsync(cancellationToken);
        var views = new List<AlertRuleView>();
        var problems = new List<AlertRuleProblem>();
        foreach (var rule in stored.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            var view = StoredView(rule);
            views.Add(view);
            problems.AddRange(view.Problems.Select(p => new AlertRuleProblem { Source = $"dashboard rule '{rule.Id}'", RuleId = rule.Id, Message = p }));
        }

        var storedIds = stored.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var fromFile = _file.Current;
        var kept = fromFile.Kept.ToHashSet(StringComparer.Ordinal);
        foreach (var rule in fromFile.Rules.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            var own = new List<string>();
            if (storedIds.Contains(rule.Id))
            {
                own.Add($"id: '{rule.Id}' is also a rule edited in the dashboard; the file's rule is left out (rename one of them)");
            }

            if (kept.Contains(rule.Id))
            {
                own.AddRange(fromFile.Errors.Where(e => e.RuleId == rule.Id).Select(e => $"{e} (its last good version keeps working)"));
            }

            views.Add(View(rule, rule.SourcePath ?? _rulesFilePath ?? "rules file", readOnly: true, RuleWriter.WriteRule(rule), own, null));
            problems.AddRange(own.Select(p => new AlertRuleProblem { Source = rule.SourcePath ?? "rules file", RuleId = rule.Id, Message = p }));
        }

        // Errors of rules the file holds but that never loaded (no last good version): only the problem list shows them.
        var listed = fromFile.Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(fromFile.Errors
            .Where(e => e.RuleId is null || !listed.Contains(e.RuleId))
            .Select(e => new AlertRuleProblem { Source = _rulesFilePath ?? "rules file", RuleId = e.RuleId, Message = e.ToString() }));

        return new AlertRulesView { Rules = views, Problems = problems, RulesFilePath = _rulesFilePath };
    }

    public async Task<IReadOnlyList<RuleFieldError>> ValidateAsync(string? editingId, string document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var (_, errors) = await CheckAsync(editingId, document, cancellationToken);
        return errors;
    }

    public async Task<RuleChangeResult> SaveRuleAsync(string? editingId, string document, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var (rule, errors) = await CheckAsync(editingId, document, cancellationToken);
        if (rule is null)
        {
            return new RuleChangeResult { RuleId = editingId ?? "", Errors = errors };
        }

        // The author's text is what is stored (comments and order kept); it read as exactly this rule.
        await _writer.UpsertAlertRuleAsync(AlertRuleSource.ToStored(rule, actor, _time.GetUtcNow()) with { Document = document }, cancellationToken);
        LogSaved(rule.Id, editingId is null ? "created" : "changed", actor);
        return new RuleChangeResult { RuleId = rule.Id };
    }

    public async Task<RuleChangeResult> DeleteRuleAsync(string ruleId, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ruleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (FileRule(ruleId) is { } fileRule && !await IsStoredAsync(ruleId, cancellationToken))
        {
            return Refused(ruleId, FileRuleRefusal(fileRule));
        }

        if (!await _writer.DeleteAlertRuleAsync(ruleId, cancellationToken))
        {
            return Refused(ruleId, $"there is no dashboard rule '{ruleId}' (deleted meanwhile?)");
        }

        LogSaved(ruleId, "deleted", actor);
        return new RuleChangeResult { RuleId = ruleId };
    }

    public async Task<RuleChangeResult> SetRuleEnabledAsync(string ruleId, bool enabled, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ruleId);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var stored = (await _rules.GetAlertRulesAsync(cancellationToken)).FirstOrDefault(r => r.Id == ruleId);
        if (stored is null)
        {
            return Refused(ruleId, FileRule(ruleId) is { } fileRule ? FileRuleRefusal(fileRule) : $"there is no dashboard rule '{ruleId}' (deleted meanwhile?)");
        }

        var parsed = _parser.ParseRule(stored.Document);
        if (parsed.Rules.Count != 1)
        {
            return new RuleChangeResult { RuleId = ruleId, Errors = [.. Errors(parsed.Errors), Field("enabled", "the rule has errors; fix them in its editor first")] };
        }

        var document = WithEnabled(stored.Document, parsed.Rules[0], enabled);
        await _writer.UpsertAlertRuleAsync(AlertRuleSource.ToStored(parsed.Rules[0] with { Enabled = enabled }, actor, _time.GetUtcNow()) with { Document = document }, cancellationToken);
        LogSaved(ruleId, enabled ? "enabled" : "disabled", actor);
        return new RuleChangeResult { RuleId = ruleId };
    }

    public async Task<string> QueueTestSendAsync(string channelId, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (channelId is null || !_channelIds.Contains(channelId))
        {
            throw new ArgumentException($"no channel '{channelId}' is configured (Observe:Alerting:Channels)", nameof(channelId));
        }

        var now = _time.GetUtcNow();
        var id = "test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var message = new AlertMessage
        {
            GroupKey = "test/" + channelId,
            DedupKey = "observe-" + id,
            Status = AlertMessageStatus.Firing,
            Severity = AlertSeverity.Info,
            Title = "Test notification from Observe",
            Description = $"{actor} sent this from the Channels page to check that channel '{channelId}' delivers. No alert is firing.",
            Since = now,
            Alerts = [],
            Link = AlertMessageBuilder.Link(_options.PublicBaseUrl, "alerts/channels"),
            IsTest = true,
        };
        await _outbox.EnqueueNotificationAsync(
            new NotificationRecord
            {
                Id = id,
                ChannelId = channelId,
                GroupKey = message.GroupKey,
                ContentHash = id,
                CreatedAt = now,
                Kind = "test",
                Payload = AlertMessageJson.Serialize(message),
                DedupKey = message.DedupKey,
                NextAttemptAt = now,
            },
            cancellationToken);

        // Sent at once when this replica holds the lease; otherwise the leader's next poll picks it up.
        _dispatcher.Wake();
        LogTestSend(channelId, id, actor);
        return id;
    }

    /// <summary>The rule <paramref name="document"/> defines and no errors, or null and why it cannot be saved as <paramref name="editingId"/>.</summary>
    private async Task<(RuleDefinition? Rule, IReadOnlyList<RuleFieldError> Errors)> CheckAsync(string? editingId, string document, CancellationToken cancellationToken)
    {
        var stored = await _rules.GetAlertRulesAsync(cancellationToken);
        if (editingId is not null && stored.All(r => r.Id != editingId))
        {
            return (null, [Field("id", FileRule(editingId) is { } fileRule ? FileRuleRefusal(fileRule) : $"there is no dashboard rule '{editingId}' (deleted meanwhile?)")]);
        }

        var parsed = _parser.ParseRule(document);
        var errors = Errors(parsed.Errors);
        if (parsed.Rules.Count != 1)
        {
            return (null, errors);
        }

        var rule = parsed.Rules[0];
        if (editingId is not null && rule.Id != editingId)
        {
            return (null, [Field("id", $"'{rule.Id}' is not this rule's id '{editingId}'; a saved rule keeps its id (create a new rule for a new id)")]);
        }

        if (editingId is null && stored.Any(r => r.Id == rule.Id))
        {
            return (null, [Field("id", $"'{rule.Id}' is already a dashboard rule; open it to change it, or choose another id")]);
        }

        if (FileRule(rule.Id) is { } clash)
        {
            return (null, [Field("id", $"'{rule.Id}' is a rule of the rules file {clash.SourcePath}; choose another id (one id means one rule)")]);
        }

        return (rule, []);
    }

    private AlertRuleView StoredView(AlertRule stored)
    {
        var parsed = string.IsNullOrWhiteSpace(stored.Document) ? null : _parser.ParseRule(stored.Document);
        if (parsed is { Rules: [var rule] })
        {
            var problems = rule.Id == stored.Id ? [] : new List<string> { $"id: its document says '{rule.Id}'; the stored id '{stored.Id}' is used" };
            return View(rule with { Id = stored.Id }, DashboardSource, readOnly: false, stored.Document, problems, stored);
        }

        // Not readable any more (a channel removed from the configuration): listed with the store's copy of its fields,
        // so it can be opened and fixed.
        return new AlertRuleView
        {
            Id = stored.Id,
            Name = stored.Name,
            Description = stored.Description,
            Source = DashboardSource,
            Enabled = stored.Enabled,
            Document = stored.Document,
            Severity = stored.Severity,
            Condition = stored.Condition,
            For = RuleDurations.Format(stored.For),
            KeepFiringFor = RuleDurations.Format(stored.KeepFiringFor),
            Channels = stored.Channels,
            Scope = "",
            UpdatedBy = stored.UpdatedBy,
            UpdatedAt = stored.UpdatedAt,
            Problems = parsed is null
                ? ["(document): it was saved without a rule document (before rules had one); open it and save it again"]
                : [.. parsed.Errors.Select(e => e.ToString())],
        };
    }

    private static AlertRuleView View(RuleDefinition rule, string source, bool readOnly, string document, IReadOnlyList<string> problems, AlertRule? stored) => new()
    {
        UpdatedBy = stored?.UpdatedBy,
        UpdatedAt = stored?.UpdatedAt,
        Id = rule.Id,
        Name = rule.Name,
        Description = rule.Description,
        Source = source,
        ReadOnly = readOnly,
        Enabled = rule.Enabled,
        Document = document,
        Severity = rule.Severity.ToString().ToLowerInvariant(),
        Condition = ConditionSyntax.Format(rule.Condition),
        Window = RuleDurations.Format(rule.Condition.Window),
        Scope = DescribeScope(rule.Scope),
        For = RuleDurations.Format(rule.For),
        KeepFiringFor = RuleDurations.Format(rule.KeepFiringFor),
        Channels = rule.Channels,
        Problems = problems,
    };

    private static string DescribeScope(RuleScope scope)
    {
        var parts = new List<string>();
        void Add(string what, IReadOnlyCollection<string> items)
        {
            if (items.Count > 0)
            {
                parts.Add($"{what} {string.Join(", ", items)}");
            }
        }

        Add("accounts", scope.Accounts);
        Add("regions", scope.Regions);
        Add("functions", scope.Functions);
        Add("runtimes", scope.Runtimes);
        Add("tags", [.. scope.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")]);
        return parts.Count == 0 ? "every function" : string.Join("; ", parts);
    }

    /// <summary>
    /// The document with <c>enabled</c> set, edited as text so the author's comments and layout stay; rewritten from
    /// the rule only when that edit would not read back as intended (an unusual layout).
    /// </summary>
    private string WithEnabled(string document, RuleDefinition rule, bool enabled)
    {
        var value = enabled ? "true" : "false";
        var edited = EnabledLine().IsMatch(document)
            ? EnabledLine().Replace(document, "enabled: " + value, 1)
            : document.TrimEnd('\r', '\n') + "\nenabled: " + value + "\n";
        var wanted = RuleWriter.WriteRule(rule with { Enabled = enabled });
        return _parser.ParseRule(edited) is { Errors: [], Rules: [var read] } && RuleWriter.WriteRule(read) == wanted
            ? edited
            : wanted;
    }

    [GeneratedRegex(@"^enabled:[^\r\n]*", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex EnabledLine();

    private RuleDefinition? FileRule(string id) => _file.Current.Rules.FirstOrDefault(r => r.Id == id);

    private async Task<bool> IsStoredAsync(string id, CancellationToken cancellationToken) =>
        (await _rules.GetAlertRulesAsync(cancellationToken)).Any(r => r.Id == id);

    private static string FileRuleRefusal(RuleDefinition rule) =>
        $"'{rule.Id}' comes from the rules file {rule.SourcePath}; it is read-only here: change it in that file (in its repository)";

    private static RuleChangeResult Refused(string ruleId, string message) => new() { RuleId = ruleId, Errors = [Field("id", message)] };

    private static RuleFieldError Field(string field, string message) => new() { Field = field, Message = message };

    private static RuleFieldError[] Errors(IEnumerable<RuleError> errors) => [.. errors.Select(e => Field(e.Path, e.Message))];

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert rule {RuleId} {Change} by {Actor} in the dashboard")]
    private partial void LogSaved(string ruleId, string change, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Test notification {NotificationId} queued for channel {ChannelId} by {Actor}")]
    private partial void LogTestSend(string channelId, string notificationId, string actor);
}
