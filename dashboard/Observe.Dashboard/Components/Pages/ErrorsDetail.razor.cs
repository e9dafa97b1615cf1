using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auditing;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// One error group at <c>/errors/{fingerprint}</c>: its trend over the range, the functions it occurs in, the latest
/// sample, and its status, which this view sets (recorded with who and when, kept in the store).
/// </summary>
public sealed partial class ErrorsDetail : LivePage<ErrorDetailViewModel>
{
    private string? _saveError;
    private bool _saving;
    private ILogger? _log;

    /// <summary>The page's address, naming the fingerprint. Required.</summary>
    [Parameter, EditorRequired]
    public required ErrorsAddress Address { get; set; }

    [Inject]
    public required ErrorStatusActions StatusActions { get; init; }

    [Inject]
    public required DashboardUser User { get; init; }

    /// <summary>The name a change is recorded under, and whether this user may make one (the write checks again).</summary>
    private string? _actor;
    private bool _canRespond;

    protected override async Task OnInitializedAsync()
    {
        _actor = await User.GetNameAsync();
        _canRespond = await User.HasRoleAsync(DashboardRoles.Responder);
        await base.OnInitializedAsync();
    }

    protected override void OnInitialized()
    {
        if (Data is not ErrorDetailData data)
        {
            throw new InvalidOperationException($"the error view needs {nameof(ErrorDetailData)} as its query");
        }

        data.Address = Address;
        _log = LoggerFactory.CreateLogger<ErrorsDetail>();
        base.OnInitialized();
    }

    private IEnumerable<Figure> Figures(ErrorSummary s)
    {
        var range = $"in the {Selection?.Describe().ToLowerInvariant()}";
        yield return new Figure("occurrences", "Occurrences", s.Count, FigureFormat.Count(s.Count), FigureFormat.ExactCount(s.Count), range);
        yield return new Figure("functions", "Functions", s.Functions, FigureFormat.Count(s.Functions), FigureFormat.ExactCount(s.Functions), range);
        // "2 h 5 min ago" fits a card; the UTC instant is its note and title.
        var now = Time.GetUtcNow();
        yield return new Figure("first-seen", "First seen", null, AlarmRow.Ago(now - s.FirstSeen), AlarmRow.FormatUtc(s.FirstSeen), AlarmRow.FormatUtc(s.FirstSeen));
        yield return new Figure("last-seen", "Last seen", null, AlarmRow.Ago(now - s.LastSeen), AlarmRow.FormatUtc(s.LastSeen), AlarmRow.FormatUtc(s.LastSeen));
    }

    private static string ActionWord(ErrorStatus status, ErrorStatusInfo current) => status switch
    {
        ErrorStatus.Ignored => "Ignore",
        ErrorStatus.Resolved => "Resolve",
        _ when current.Regression => "Acknowledge (keep active)",
        _ => current.Status == ErrorStatus.Active ? "Active" : "Re-open",
    };

    private async Task SetStatusAsync(ErrorStatus status)
    {
        var fingerprint = Address.Fingerprint!;
        _saving = true;
        _saveError = null;
        try
        {
            // The store announces the change; this view (and every other open one) reloads from it. Not cancelled when
            // the view closes: the user asked for the change, and a short write finishes either way.
            await StatusActions.SetStatusAsync(fingerprint, status, CancellationToken.None);
        }
        catch (DashboardAccessDeniedException ex)
        {
            _saveError = $"The status was not saved: {ex.Message}";
        }
        catch (AuditWriteException ex)
        {
            _saveError = ex.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log?.LogError(ex, "Could not set the status of error {Fingerprint} to {Status}", fingerprint, status);
            _saveError = $"The status was not saved: the store did not answer. Try again; if this lasts, check that the store is reachable (the Observe:Store settings) and see the dashboard's log.";
        }
        finally
        {
            _saving = false;
        }
    }
}
