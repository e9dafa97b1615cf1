using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// <c>/settings/audit</c>, for Admins: the audit log newest first, filtered by user, action and time (all in the
/// address), a page of <see cref="PageSize"/> at a time.
/// </summary>
public sealed partial class SettingsAudit : ComponentBase
{
    internal const int PageSize = 50;

    private static readonly string[] TimeFormats = ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd"];

    private IReadOnlyList<string> _actors = [];
    private IReadOnlyList<string> _actions = [];
    private AuditPage? _page;
    private string? _loadError;
    private List<string> _problems = [];
    private ILogger? _log;

    [SupplyParameterFromQuery(Name = "user")]
    public string? User { get; set; }

    [SupplyParameterFromQuery(Name = "action")]
    public string? Action { get; set; }

    [SupplyParameterFromQuery(Name = "from")]
    public string? From { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public string? To { get; set; }

    [SupplyParameterFromQuery(Name = "page")]
    public int? Page { get; set; }

    [Inject]
    public required IAuditLogReader Audit { get; init; }

    [Inject]
    public required ILoggerFactory LoggerFactory { get; init; }

    private int PageNumber => Math.Max(1, Page ?? 1);

    protected override async Task OnParametersSetAsync()
    {
        _log ??= LoggerFactory.CreateLogger<SettingsAudit>();
        _problems = [];
        var from = ParseTime(From, "From");
        var to = ParseTime(To, "To");
        if (from is not null && to is not null && to <= from)
        {
            _problems.Add($"To ({To}) must be after From ({From}).");
        }

        try
        {
            (_actors, _actions) = await Audit.GetAuditFacetsAsync(CancellationToken.None);
            if (_problems.Count > 0)
            {
                _page = null;
                return;
            }

            _page = await Audit.GetAuditEntriesAsync(
                new AuditQuery
                {
                    Actor = Blank(User),
                    Action = Blank(Action),
                    From = from,
                    To = to,
                    Offset = (PageNumber - 1) * PageSize,
                    Limit = PageSize,
                },
                CancellationToken.None);
            _loadError = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError(ex, "Could not read the audit log");
            _loadError = "The audit log could not be read from the store. Try again; if this lasts, check that the store is reachable (the Observe:Store settings) and see the dashboard's log.";
        }
    }

    private DateTimeOffset? ParseTime(string? text, string label)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text.Trim(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        _problems.Add($"{label}: \"{text}\" is not a UTC time; write it as 2026-12-04 18:00 (or a date, 2026-12-04).");
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private string CountText(AuditPage page)
    {
        if (page.Total == 0)
        {
            return User is null && Action is null && From is null && To is null
                ? "No change has been made through the dashboard yet (or the entries are past the retention)."
                : "No entry matches these filters.";
        }

        var first = (PageNumber - 1) * PageSize + 1;
        var last = first + page.Entries.Count - 1;
        return page.Entries.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{page.Total} entries; this page is past the last one.")
            : string.Create(CultureInfo.InvariantCulture, $"Entries {first}-{last} of {page.Total}, newest first.");
    }

    private string PageLink(int page)
    {
        var query = new Dictionary<string, string?>
        {
            ["user"] = Blank(User),
            ["action"] = Blank(Action),
            ["from"] = Blank(From),
            ["to"] = Blank(To),
            ["page"] = page.ToString(CultureInfo.InvariantCulture),
        };
        return QueryHelpers.AddQueryString("settings/audit", query.Where(q => q.Value is not null).ToDictionary(q => q.Key, q => q.Value));
    }
}
