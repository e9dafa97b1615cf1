using Observe.Collectors.Aws;
using Observe.Collectors.LiveTail;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Model;

/// <summary>The Live tail page's buffer, pause, filter terms, line parsing and address, without a page.</summary>
public sealed class LiveTailModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_BeyondTheBuffer_DropsTheOldestFirst_AndCountsThem()
    {
        var model = new LiveTailViewModel(bufferLines: 5, displayLines: 3);
        model.Add(Batch("a", "b", "c", "d"), Now);
        model.Add(Batch("e", "f", "g"), Now);

        Assert.Equal(7, model.Received);
        Assert.Equal(2, model.DroppedLines);
        Assert.Equal(5, model.Count);
        Assert.Equal(["g", "f", "e"], model.Visible().Select(l => l.Event!.Message));
    }

    [Fact]
    public void Pause_HoldsTheViewWhileLinesArrive_ResumeShowsThem()
    {
        var model = new LiveTailViewModel(100, 10);
        model.Add(Batch("one", "two"), Now);
        model.Pause(Now);
        model.Add(Batch("three", "four", "five"), Now);

        Assert.True(model.Paused);
        Assert.Equal(3, model.Waiting);
        Assert.Equal(["two", "one"], model.Visible().Select(l => l.Event!.Message));

        model.Resume();
        Assert.Equal(0, model.Waiting);
        Assert.Equal(["five", "four", "three", "two", "one"], model.Visible().Select(l => l.Event!.Message));
    }

    [Fact]
    public void Add_GapSampledAndDroppedBatches_AreMarkedAndCounted()
    {
        var model = new LiveTailViewModel(100, 10);
        model.Add(new LiveTailBatch([], false, LiveTailSource.LiveTail) { Gap = "the stream failed (NetworkError) and was reconnected" }, Now);
        model.Add(Batch("x") with { Sampled = true, DroppedBatches = 3 }, Now.AddSeconds(1));

        Assert.Equal((1L, 3L, (DateTimeOffset?)Now.AddSeconds(1)), (model.SampledBatches, model.DroppedBatches, model.LastSampledAt));
        var markers = model.Visible().Where(l => l.Event is null).Select(l => l.Marker!).ToList();
        Assert.Contains(markers, m => m.StartsWith("3 updates were dropped here", StringComparison.Ordinal));
        Assert.Contains(markers, m => m.Contains("the stream failed (NetworkError)", StringComparison.Ordinal));
        Assert.Equal(0, model.DroppedLines);
    }

    [Fact]
    public void SetFilter_PlainTerms_FilterLinesAlreadyHere_CaseSensitively_AsCloudWatchTermsDo()
    {
        var model = new LiveTailViewModel(100, 10);
        model.Add(Batch("ERROR timeout calling db", "INFO ok", "error timeout lower case"), Now);
        model.SetFilter("ERROR timeout", Now);

        Assert.Equal(["ERROR timeout calling db"], model.Visible().Where(l => l.Event is not null).Select(l => l.Event!.Message));
        Assert.Null(LiveTailViewModel.PlainTerms("{ $.level = \"ERROR\" }"));
        Assert.Null(LiveTailViewModel.PlainTerms("ERROR -healthcheck"));
        Assert.Equal(["a", "b"], LiveTailViewModel.PlainTerms(" a  b "));

        // A pattern this page cannot evaluate leaves the earlier lines and says so.
        model.SetFilter("?ERROR ?WARN", Now);
        Assert.Equal(3, model.Visible().Count(l => l.Event is not null));
        Assert.Contains("lines before this are not filtered", model.Visible()[0].Marker, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-04T04:00:00.000Z\tc0ffee\tERROR\tInvoke failed", LineLevel.Error)]
    [InlineData("[WARNING]\t2026-12-04T04:00:00.000Z\tc0ffee\tslow downstream", LineLevel.Warning)]
    [InlineData("2026-12-04T04:00:00.000Z\tc0ffee\tinfo\tstarted", LineLevel.Info)]
    [InlineData("[Debug] cache miss", LineLevel.Debug)]
    [InlineData("REPORT RequestId: c0ffee\tDuration: 12.3 ms", LineLevel.Platform)]
    [InlineData("there was no error in this sentence", LineLevel.None)]
    [InlineData("{\"level\":\"warn\",\"msg\":\"retrying\"}", LineLevel.Warning)]
    [InlineData("{\"severity\":\"FATAL\"}", LineLevel.Error)]
    public void Parse_Level_FromLambdaFormatsAndJsonFields(string message, LineLevel expected) =>
        Assert.Equal(expected, LineParts.Parse(message).Level);

    [Fact]
    public void Parse_JsonLine_GivesItsFields_AndTraceIdsAnywhereAsLinks()
    {
        var parts = LineParts.Parse("{\"level\":\"INFO\",\"traceId\":\"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8\",\"n\":3,\"nested\":{\"a\":1}}");

        Assert.Equal(["level", "traceId", "n", "nested"], parts.Fields.Select(f => f.Name));
        Assert.Equal(["Root=", "1-5759e988-bd862e3fe1be46a994272793", ";Parent=53995c3f42cd8ad8"], parts.Fields[1].Segments.Select(s => s.Text));
        Assert.Equal([false, true, false], parts.Fields[1].Segments.Select(s => s.IsTraceId));
        Assert.Equal("{\"a\":1}", Assert.Single(parts.Fields[3].Segments).Text);

        var text = LineParts.Parse("calling <script>x</script> in 1-5759e988-bd862e3fe1be46a994272793");
        Assert.Empty(text.Fields);
        Assert.Equal(["calling <script>x</script> in ", "1-5759e988-bd862e3fe1be46a994272793"], text.Segments.Select(s => s.Text));

        // Looks like JSON, is not: text.
        Assert.Empty(LineParts.Parse("{not json}").Fields);
    }

    [Fact]
    public void Address_RoundTrips_AndNamesWhatCannotBeTailed()
    {
        var aws = new AwsOptions { Accounts = [new AwsAccountOptions { AccountId = "111122223333", Name = "prod", Regions = ["eu-west-1"] }] };
        var address = LiveTailAddress.Parse("http://x/live-tail?account=111122223333&region=eu-west-1&group=%2Faws%2Flambda%2Fa&group=%2Faws%2Flambda%2Fb&group=%2Faws%2Flambda%2Fa&filter=ERROR", aws);

        Assert.True(address.CanTail);
        Assert.Equal(["/aws/lambda/a", "/aws/lambda/b"], address.Groups);
        Assert.Equal("ERROR", address.Filter);
        Assert.Equal(address.SessionKey, LiveTailAddress.Parse("http://x/" + address.ToUri(), aws).SessionKey);
        Assert.Equal("live-tail?account=111122223333&region=eu-west-1&group=%2Faws%2Flambda%2Forders", LiveTailAddress.ForFunction(new FunctionKey("111122223333", "eu-west-1", "orders")));

        Assert.Contains("account=999 is not a configured account", LiveTailAddress.Parse("http://x/live-tail?account=999&region=eu-west-1&group=g", aws).Error, StringComparison.Ordinal);
        Assert.Contains("region=us-east-1 is not one of", LiveTailAddress.Parse("http://x/live-tail?account=111122223333&region=us-east-1&group=g", aws).Error, StringComparison.Ordinal);
        var eleven = string.Concat(Enumerable.Range(0, 11).Select(i => $"&group=g{i}"));
        Assert.Contains("at most 10 log groups", LiveTailAddress.Parse("http://x/live-tail?account=111122223333&region=eu-west-1" + eleven, aws).Error, StringComparison.Ordinal);
        Assert.False(LiveTailAddress.Parse("http://x/live-tail", aws).CanTail);
    }

    private static LiveTailBatch Batch(params string[] messages) =>
        new([.. messages.Select((m, i) => new LiveTailEvent("/aws/lambda/orders", "stream", Now.AddMilliseconds(i), Now.AddMilliseconds(i), m))], false, LiveTailSource.LiveTail);
}
