using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Components.Pages;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Hosting;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Components;

public sealed class ErrorsPageTests : MudContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private const string ResponderName = "Rita Responder <script>";
    private static readonly FunctionKey Orders = new("111122223333", "eu-west-1", "orders");
    private static readonly FunctionKey Billing = new("111122223333", "us-east-1", "billing");

    private TestStore _store = null!;
    private DateTimeOffset _now;

    public override async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync();
        Services.AddObserveStore(_store.Store);
        Services.AddSingleton<IStoreChanges>(_store.Changes);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(Options.Create(new DashboardOptions { RefreshThrottle = TimeSpan.FromMilliseconds(100) }));
        Services.AddLiveData();
        _now = DateTimeOffset.UtcNow;
    }

    protected override ValueTask DisposeResourcesAsync() => _store.DisposeAsync();

    [Fact]
    public async Task List_Prerendered_ShowsTheRowsWithoutReadingTheTrends_InteractiveDrawsThem()
    {
        await _store.Store.RecordErrorsAsync([Occurrence(Orders, "fp-timeout", -50, -40, 4), Occurrence(Billing, "fp-timeout", -30, -20, 5)], CancellationToken.None);

        var prerendered = RenderAt("/errors?range=1h", interactive: false);
        prerendered.WaitForAssertion(() => Assert.Single(Rows(prerendered)), Wait);
        Assert.Equal("9", Rows(prerendered)[0].GetAttribute("data-count"));
        // Not read is not zero: no bars, and words saying they follow.
        Assert.Empty(prerendered.FindAll("[data-trend]"));
        Assert.Equal("Drawing…", Rows(prerendered)[0].QuerySelector("[data-trend-pending]")!.TextContent);

        var interactive = RenderAt("/errors?range=1h");
        interactive.WaitForAssertion(() => Assert.Equal(9, Rows(interactive)[0].QuerySelector("[data-trend]")!.GetAttribute("data-trend")!.Split(',').Sum(long.Parse)), Wait);
        Assert.Empty(interactive.FindAll("[data-trend-pending]"));
    }

    [Fact]
    public async Task Errors_GroupsAcrossFunctions_MostOccurrencesFirst_FiguresAsWritten_HostileTextAsText()
    {
        const string hostile = "<script>alert('x')</script> & <b>bold</b>";
        var writes = new[]
        {
            Occurrence(Orders, "fp-timeout", -50, -40, 4),
            Occurrence(Billing, "fp-timeout", -30, -20, 5),
            Occurrence(Orders, "fp-timeout", -3000, -2990, 100),
            Occurrence(Orders, "fp-hostile", -10, -5, 2) with { ErrorType = "<img src=x onerror=alert(1)>", Message = hostile },
        };
        await _store.Store.RecordErrorsAsync(writes, CancellationToken.None);

        var page = RenderAt("/errors?range=1h");

        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count), Wait);
        Assert.Equal(["fp-timeout", "fp-hostile"], Rows(page).Select(r => r.GetAttribute("data-error")));

        // Figures computed here from what was written, not by the view model: occurrences in the last hour, functions.
        var inRange = writes.Where(w => w.LastSeen >= _now.AddHours(-1)).ToList();
        Assert.Equal(inRange.Where(w => w.Fingerprint == "fp-timeout").Sum(w => w.Count).ToString(System.Globalization.CultureInfo.InvariantCulture), Rows(page)[0].GetAttribute("data-count"));
        Assert.Equal("2", Rows(page)[0].GetAttribute("data-functions"));
        Assert.Equal("false", Rows(page)[0].GetAttribute("data-new"));
        Assert.Equal("true", Rows(page)[1].GetAttribute("data-new"));
        Assert.Equal(AlarmRow.FormatUtc(Trunc(_now.AddMinutes(-3000))), Rows(page)[0].QuerySelector("[data-first-seen]")!.GetAttribute("data-first-seen"));
        var trend = Rows(page)[0].QuerySelector("[data-trend]")!.GetAttribute("data-trend")!.Split(',').Sum(long.Parse);
        Assert.Equal(9, trend);

        // Hostile text is shown as typed and never becomes markup.
        Assert.Equal(hostile, Rows(page)[1].QuerySelector("[data-message]")!.TextContent);
        Assert.Empty(page.FindAll("script"));
        Assert.Empty(page.FindAll("[data-error] b"));
        Assert.Empty(page.FindAll("img"));
        Assert.Equal("errors/fp-hostile?range=1h", Rows(page)[1].QuerySelector("[data-open-error]")!.GetAttribute("href"));

        // The sample is drawn only once its row is opened, then linked to its trace at the same range.
        Assert.Empty(page.FindAll("[data-testid=error-sample]"));
        Assert.Equal("false", Rows(page)[0].QuerySelector("[data-sample-toggle]")!.GetAttribute("aria-expanded"));
        Rows(page)[0].QuerySelector("[data-sample-toggle]")!.Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=error-sample]")), Wait);
        Assert.Equal("true", Rows(page)[0].QuerySelector("[data-sample-toggle]")!.GetAttribute("aria-expanded"));
        Assert.Equal("traces/1-abc-def?range=1h", Rows(page)[0].QuerySelector("[data-sample-trace]")!.GetAttribute("href"));
        Assert.Equal("at Orders.Handler()", Rows(page)[0].QuerySelector("[data-sample-stack]")!.TextContent);
        Rows(page)[0].QuerySelector("[data-sample-toggle]")!.Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=error-sample]")), Wait);
    }

    [Fact]
    public async Task Errors_MoreThanAPage_PagedInTheStoresOrder_EveryGroupOnExactlyOnePage()
    {
        // Counts 1..(PageSize + 7), so the order (most occurrences first) is known here without the view model.
        var total = ErrorsData.PageSize + 7;
        await _store.Store.RecordErrorsAsync(
            [.. Enumerable.Range(1, total).Select(i => Occurrence(Orders, $"fp-{i:000}", -10, -5, i))], CancellationToken.None);
        var expected = Enumerable.Range(1, total).Reverse().Select(i => $"fp-{i:000}").ToList();

        var page = RenderAt("/errors?range=1h");
        page.WaitForAssertion(() => Assert.Equal(expected.Take(ErrorsData.PageSize), Rows(page).Select(r => r.GetAttribute("data-error"))), Wait);
        Assert.Equal("errors?page=2&range=1h", page.Find("[data-testid=next-page]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=previous-page]"));
        Assert.Contains($"Errors 1–{ErrorsData.PageSize} with occurrences", page.Find("[data-testid=error-count]").TextContent, StringComparison.Ordinal);

        Navigate("/errors?page=2&range=1h");
        page.WaitForAssertion(() => Assert.Equal(expected.Skip(ErrorsData.PageSize), Rows(page).Select(r => r.GetAttribute("data-error"))), Wait);
        Assert.Empty(page.FindAll("[data-testid=next-page]"));
        Assert.Equal("errors?range=1h", page.Find("[data-testid=previous-page]").GetAttribute("href"));
        // A filter or order starts again at the first page.
        Assert.Equal("errors?sort=last-seen&range=1h", page.Find("[data-facet=sort] [data-value=last-seen]").GetAttribute("href"));

        Navigate("/errors?range=1h&page=3");
        page.WaitForAssertion(() => Assert.Contains("Page 3 is past the last error", page.Find("[data-testid=page-empty]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("errors?range=1h", page.Find("[data-testid=page-empty] a").GetAttribute("href"));
    }

    [Fact]
    public async Task Errors_FiltersInTheAddress_ReadByTheStore_EmptyResultNamesTheFilter()
    {
        await _store.Store.RecordErrorsAsync(
        [
            Occurrence(Orders, "fp-a", -10, -5, 3),
            Occurrence(Billing, "fp-b", -10, -5, 1) with { Message = "Connection reset" },
        ], CancellationToken.None);
        await _store.Store.SetErrorStatusAsync("fp-b", ErrorStatus.Resolved, "alice", _now.AddMinutes(-1), CancellationToken.None);

        var page = RenderAt("/errors?status=resolved&range=1h");
        page.WaitForAssertion(() => Assert.Equal(["fp-b"], Rows(page).Select(r => r.GetAttribute("data-error"))), Wait);
        Assert.Equal("true", page.Find("[data-facet=status] [data-value=resolved]").GetAttribute("aria-pressed"));
        Assert.Equal("errors?range=1h", page.Find("[data-facet=status] [data-value='']").GetAttribute("href"));

        Navigate("/errors?function=orders&range=1h");
        page.WaitForAssertion(() => Assert.Equal(["fp-a"], Rows(page).Select(r => r.GetAttribute("data-error"))), Wait);

        Navigate("/errors?q=CONNECTION&range=1h");
        page.WaitForAssertion(() => Assert.Equal(["fp-b"], Rows(page).Select(r => r.GetAttribute("data-error"))), Wait);

        Navigate("/errors?q=nothing-like-this&status=ignored&range=1h");
        page.WaitForAssertion(() => Assert.Contains("the search \"nothing-like-this\", status Ignored", page.Find("[data-testid=filtered-empty]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("errors?range=1h", page.Find("[data-testid=clear-filters]").GetAttribute("href"));

        Navigate("/errors?status=open");
        page.WaitForAssertion(() => Assert.Contains("\"open\" is not an error status", page.Find("[data-testid=address-error]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public void Errors_NothingCollected_SaysTheLogsCollectorHasNotRun()
    {
        var page = RenderAt("/errors?range=1h");

        page.WaitForAssertion(() => Assert.Contains("the logs collector has not run against this store", page.Find("[data-testid=no-errors]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Fact]
    public async Task ErrorView_StatusSetHere_RecordedWithWhoAndWhen_ReopensAsRegressionWhenItOccursAgain()
    {
        await _store.Store.RecordErrorsAsync([Occurrence(Orders, "fp-a", -20, -10, 3), Occurrence(Billing, "fp-a", -8, -6, 1)], CancellationToken.None);
        SignIn(ResponderName, DashboardRoles.Responder);

        var page = RenderAt("/errors/fp-a?range=1h");

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=error-functions] [data-function]").Count), Wait);
        Assert.Equal(["orders", "billing"], page.FindAll("[data-testid=error-functions] [data-function]").Select(r => r.GetAttribute("data-function")));
        Assert.Equal("functions/111122223333/eu-west-1/orders?range=1h", page.Find("[data-testid=error-functions] [data-function-link]").GetAttribute("href"));
        Assert.Equal("4", page.Find("[data-figure=occurrences]").GetAttribute("data-value"));
        Assert.NotNull(page.Find("[data-testid=no-history]"));
        Assert.Equal("errors?range=1h", page.Find("[data-testid=back-to-list]").GetAttribute("href"));

        Assert.Equal($"Recorded as \"{ResponderName}\".", page.Find("[data-testid=status-actor]").TextContent.Split(" A resolved")[0].Trim());
        await page.Find("[data-set-status=resolved]").ClickAsync(new());

        var history = await _store.Store.GetErrorStatusHistoryAsync("fp-a", 10, CancellationToken.None);
        var change = Assert.Single(history);
        Assert.Equal((ErrorStatus.Active, ErrorStatus.Resolved, ResponderName), (change.From, change.To, change.Actor));
        page.WaitForAssertion(() => Assert.Equal("Resolved", page.Find("[data-testid=status]").TextContent), Wait);
        Assert.Single(page.FindAll("[data-testid=status-history] [data-change]"));

        // It occurs again after it was resolved: the store re-opens it, and the open view follows.
        await _store.Store.RecordErrorsAsync([Occurrence(Orders, "fp-a", 0, 1, 1)], CancellationToken.None);

        page.WaitForAssertion(() => Assert.Equal("Active", page.Find("[data-testid=status]").TextContent), Wait);
        Assert.NotNull(page.Find("[data-badge=regression]"));
        Assert.Equal(2, page.FindAll("[data-testid=status-history] [data-change]").Count);
    }

    [Fact]
    public async Task ErrorView_Viewer_ButtonsDisabledAndTheWriteItselfRefused_NothingRecorded()
    {
        await _store.Store.RecordErrorsAsync([Occurrence(Orders, "fp-a", -20, -10, 3)], CancellationToken.None);
        SignIn("Vic Viewer", DashboardRoles.Viewer);

        var page = RenderAt("/errors/fp-a?range=1h");

        page.WaitForAssertion(() => Assert.Equal("Active", page.Find("[data-testid=status]").TextContent), Wait);
        Assert.All(page.FindAll("[data-set-status]"), b => Assert.True(b.HasAttribute("disabled"), b.OuterHtml));
        Assert.Contains("needs the Responder role; Vic Viewer does not have it", page.Find("[data-testid=status-actor]").TextContent, StringComparison.Ordinal);

        // A disabled button is only a hint: the circuit could still send the click. The write checks the role itself.
        var actions = Services.GetRequiredService<ErrorStatusActions>();
        var denied = await Assert.ThrowsAsync<DashboardAccessDeniedException>(() => actions.SetStatusAsync("fp-a", ErrorStatus.Resolved, CancellationToken.None));
        Assert.Contains("Responder", denied.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.Store.GetErrorStatusHistoryAsync("fp-a", 10, CancellationToken.None));
    }

    [Fact]
    public void ErrorView_UnknownFingerprint_SaysSoWithTheWayBack()
    {
        var page = RenderAt("/errors/fp-none?range=1h");

        page.WaitForAssertion(() => Assert.Contains("no error with the fingerprint \"fp-none\"", page.Find("[data-testid=unknown-error]").TextContent, StringComparison.Ordinal), Wait);
    }

    /// <summary>Renders the page at <paramref name="uri"/>, interactive or as prerendered; after any sign-in, which adds a service.</summary>
    private IRenderedComponent<Errors> RenderAt(string uri, bool interactive = true)
    {
        SetRendererInfo(interactive ? new RendererInfo("Server", isInteractive: true) : new RendererInfo("Static", isInteractive: false));
        Navigate(uri);
        return Render<Errors>();
    }

    private void Navigate(string uri) => Services.GetRequiredService<NavigationManager>().NavigateTo(uri);

    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<Errors> page) => page.FindAll("[data-error]");

    private static DateTimeOffset Trunc(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    private ErrorOccurrences Occurrence(FunctionKey function, string fingerprint, int firstMinute, int lastMinute, long count) =>
        new(function, fingerprint, "TimeoutError", "Task timed out after 3.00 seconds", _now.AddMinutes(firstMinute), _now.AddMinutes(lastMinute), count,
            "at Orders.Handler()", "req-1", "1-abc-def");
}
