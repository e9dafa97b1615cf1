using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

public sealed class ErrorsModelTests
{
    private const string Base = "http://localhost/";
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly FunctionKey Orders = new("111122223333", "eu-west-1", "orders api");

    [Fact]
    public void Parse_EveryFilter_ReadBackAndCarriedByTheLinksWithTheRange()
    {
        var address = ErrorsAddress.Parse(Base + "errors/ab%2Fc?function=orders&account=1&region=eu-west-1&status=Resolved&q=time%20out&sort=first-seen&range=6h", Base);

        Assert.Equal(("orders", "1", "eu-west-1", (ErrorStatus?)ErrorStatus.Resolved, "time out", ErrorSort.FirstSeen, "ab/c"),
            (address.FunctionName, address.Account, address.Region, address.Status, address.Search, address.Sort, address.Fingerprint));
        Assert.Null(address.Error);
        Assert.Equal(new ErrorQuery
        {
            Filter = new FleetFilter("1", "eu-west-1"), FunctionName = "orders", Status = ErrorStatus.Resolved, Text = "time out", Sort = ErrorSort.FirstSeen,
        }, address.ToQuery());
        Assert.Equal("errors?function=orders&account=1&region=eu-west-1&status=resolved&q=time%20out&sort=first-seen&range=6h", address.ListUri());
        Assert.Equal("errors?function=orders&account=1&region=eu-west-1&q=time%20out&sort=first-seen&range=6h", address.With(ErrorsAddress.StatusParameter, null));
        Assert.Equal("errors/x%2Fy?function=orders&account=1&region=eu-west-1&status=resolved&q=time%20out&sort=first-seen&range=6h", address.ErrorUri("x/y"));
        Assert.Equal("errors?sort=first-seen&range=6h", address.ClearedUri());
        Assert.Equal("traces/1-abc?range=6h", address.TraceUri("1-abc"));
        Assert.Equal("functions/111122223333/eu-west-1/orders%20api?range=6h", address.FunctionUri(Orders));
        Assert.True(address.Filtered);
    }

    [Fact]
    public void Parse_UnknownStatusOrSort_SaysWhichParameterAndWhatItTakes()
    {
        Assert.Equal("status: \"open\" is not an error status; use active, ignored or resolved.", ErrorsAddress.Parse(Base + "errors?status=open", Base).Error);
        Assert.Equal("sort: \"size\" is not an order; use count, last-seen or first-seen.", ErrorsAddress.Parse(Base + "errors?sort=size", Base).Error);
        Assert.Equal("page: \"0\" is not a page; use a whole number from 1 to 100 (filter the list to narrow it further).", ErrorsAddress.Parse(Base + "errors?page=0", Base).Error);
        Assert.Equal("page: \"101\" is not a page; use a whole number from 1 to 100 (filter the list to narrow it further).", ErrorsAddress.Parse(Base + "errors?page=101", Base).Error);
        Assert.NotNull(ErrorsAddress.Parse(Base + "errors?page=two", Base).Error);
        var plain = ErrorsAddress.Parse(Base + "errors", Base);
        Assert.Equal((null, ErrorSort.Count, false, (string?)null, 1), (plain.Error, plain.Sort, plain.Filtered, plain.Fingerprint, plain.Page));
    }

    [Fact]
    public void Page_InTheAddressAndItsKey_DroppedByANewFilterOrOrder_KeptByTheError()
    {
        var address = ErrorsAddress.Parse(Base + "errors?status=active&page=3&range=1h", Base);

        Assert.Equal(3, address.Page);
        Assert.Equal("errors?status=active&page=4&range=1h", address.PageUri(4));
        Assert.Equal("errors?status=active&range=1h", address.PageUri(1));
        Assert.Equal("errors?status=active&sort=last-seen&range=1h", address.With(ErrorsAddress.SortParameter, "last-seen"));
        Assert.Equal("errors/fp?status=active&range=1h", address.ErrorUri("fp"));
        Assert.NotEqual(address.QueryKey, ErrorsAddress.Parse(Base + "errors?status=active&page=2", Base).QueryKey);
    }

    [Fact]
    public void QueryKey_DiffersByFilterAndFingerprint_NotByRange()
    {
        string Key(string path) => ErrorsAddress.Parse(Base + path, Base).QueryKey;

        Assert.Equal(Key("errors?status=active&range=1h"), Key("errors?status=active&range=7d"));
        Assert.NotEqual(Key("errors?status=active"), Key("errors?status=ignored"));
        Assert.NotEqual(Key("errors"), Key("errors/fp"));
    }

    [Fact]
    public void ForFunction_FiltersByTheFunctionsAccountRegionAndName_KeepingTheRange()
    {
        Assert.Equal("errors?account=111122223333&region=eu-west-1&function=orders%20api&range=1h", ErrorsAddress.ForFunction(Orders, "?range=1h"));
        Assert.Equal("errors?account=111122223333&region=eu-west-1&function=orders%20api", ErrorsAddress.ForFunction(Orders, ""));
    }

    [Fact]
    public void Create_MarksNewRegressionAndALaterPage()
    {
        var range = new TimeRange(Now.AddHours(-1), Now);
        var summaries = new[]
        {
            Summary("fp-new", firstSeen: Now.AddMinutes(-30)),
            Summary("fp-old", firstSeen: Now.AddDays(-3)) with { Status = new ErrorStatusInfo(ErrorStatus.Active, ErrorStatusChange.RecurrenceActor, Now.AddMinutes(-5), true) },
            Summary("fp-extra", firstSeen: Now.AddDays(-3)),
        };

        var model = ErrorsViewModel.Create(range, summaries, new Dictionary<string, long[]> { ["fp-new"] = [1, 2] }, page: 3, pageSize: 2, []);

        Assert.Equal(["fp-new", "fp-old"], model.Rows.Select(r => r.Summary.Fingerprint));
        Assert.True(model.HasMore);
        Assert.Equal(5, model.FirstRow);
        Assert.Equal((true, false), (model.Rows[0].IsNew, model.Rows[0].IsRegression));
        Assert.Equal((false, true), (model.Rows[1].IsNew, model.Rows[1].IsRegression));
        Assert.Equal([1L, 2], model.Rows[0].Trend!);
        Assert.Empty(model.Rows[1].Trend!);
        Assert.Equal(0, model.Collector.Targets);

        // Trends not read (the prerendered list) are absent, not empty.
        var prerendered = ErrorsViewModel.Create(range, summaries, null, page: 3, pageSize: 2, []);
        Assert.All(prerendered.Rows, r => Assert.Null(r.Trend));
    }

    [Fact]
    public void StatusNote_SaysWhoAndWhen_OrThatNobodyTriagedIt()
    {
        Assert.Equal("Active since first seen; nobody has changed its status", ErrorsFormat.StatusNote(ErrorStatusInfo.Untriaged));
        Assert.Equal("Resolved by alice at 2026-12-03 12:00:00 UTC", ErrorsFormat.StatusNote(new ErrorStatusInfo(ErrorStatus.Resolved, "alice", Now, false)));
        Assert.Equal("Re-opened 2026-12-03 12:00:00 UTC: it was resolved and occurred again",
            ErrorsFormat.StatusNote(new ErrorStatusInfo(ErrorStatus.Active, ErrorStatusChange.RecurrenceActor, Now, true)));
    }

    [Fact]
    public void Points_SpanTheRange_ZeroWhereNoOccurrence_TheFillingBucketPartial()
    {
        var range = new TimeRange(Now.AddMinutes(-4), Now.AddMinutes(1));

        var points = ErrorDetailViewModel.Points(range, TimeSpan.FromMinutes(1), [3, 0, 2], Now);

        Assert.Equal([3d, 0, 2, 0, 0], points.Select(p => p.Value!.Value));
        Assert.Equal([false, false, false, false, true], points.Select(p => p.Partial));
        Assert.Equal(range.From.UtcDateTime, points[0].Time);
    }

    [Theory]
    [InlineData(60, 3)]
    [InlineData(10, 1)]
    [InlineData(30 * 24 * 60, 1800)]
    public void SparklineBucket_WholeMinutesCoveringTheRange(int rangeMinutes, int expectedMinutes) =>
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), ErrorsFormat.SparklineBucket(TimeSpan.FromMinutes(rangeMinutes), 24));

    private static ErrorSummary Summary(string fingerprint, DateTimeOffset firstSeen) => new()
    {
        Fingerprint = fingerprint,
        ErrorType = "TimeoutError",
        Message = "Task timed out",
        FirstSeen = firstSeen,
        LastSeen = Now.AddMinutes(-1),
        Count = 3,
        Functions = 1,
        Status = ErrorStatusInfo.Untriaged,
        SampleFunction = Orders,
    };
}
