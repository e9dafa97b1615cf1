using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Demo;
using Observe.Dashboard.Mcp;
using Observe.Dashboard.Model;
using Observe.Dashboard.Tests.Auth;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Mcp;

/// <summary>
/// The MCP endpoint driven by the SDK's own client over real HTTP, against a dashboard whose store holds two hours of
/// the demo fleet and two alerts, with nothing else writing (no demo loop, no collectors, alerting off), so each
/// answer can be compared with what the store and the pages' queries hold.
/// </summary>
public sealed class McpEndpointTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private SignedInDashboard _dashboard = null!;
    private string _key = "";
    private DateTimeOffset _end;
    private TimeRange _range;

    private IServiceProvider Services => _dashboard.App.Services;

    public async Task InitializeAsync()
    {
        _dashboard = await SignedInDashboard.StartAsync(new Dictionary<string, string?> { ["Observe:Alerting:Enabled"] = "false" });
        var now = DateTimeOffset.UtcNow;
        _end = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-1);
        _range = new TimeRange(_end.AddHours(-1), _end);
        var fleet = DemoFleet.Create(seed: 7, count: 40);
        var writer = new DemoWriter(fleet, Services.GetRequiredService<IFleetWriter>());
        await writer.WriteInventoryAsync(_end.AddHours(-2), CancellationToken.None);
        await writer.WriteMinutesAsync(_end.AddHours(-2), _end, CancellationToken.None);
        // The demo's alarms follow its traffic minute by minute, and at some minutes none of these 40 functions' is in
        // ALARM: the alarms are those of the latest minute with one (the demo's figures are a function of the minute).
        var alarmsAt = _end;
        while (!DemoAlarms.Evaluate(fleet, alarmsAt).Any(a => a.State == AlarmState.Alarm))
        {
            alarmsAt = alarmsAt.AddMinutes(-1);
            Assert.True(_end - alarmsAt < TimeSpan.FromDays(1), "no alarm of the demo fleet's 40 functions was in ALARM in the last day");
        }

        await writer.WriteAlarmsAsync(alarmsAt, CancellationToken.None);
        await Services.GetRequiredService<IAlertStateStore>().UpsertAlertInstancesAsync(
        [
            Alert("error-rate", "fn=a", AlertStatus.Firing, "critical", _end.AddMinutes(-20)),
            Alert("p99-near-timeout", "fn=b", AlertStatus.Pending, "warning", _end.AddMinutes(-3)),
            Alert("throttles", "fn=c", AlertStatus.Resolved, "warning", _end.AddMinutes(-50)),
        ], CancellationToken.None);
        _key = await ApiKeyTests.CreateKeyAsync(_dashboard, "assistant");
    }

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Fact]
    public async Task ListTools_TheSixReadOnlyTools()
    {
        await using var client = await ConnectAsync(_key);

        var tools = await client.ListToolsAsync();

        Assert.Equal(["alarms", "error_groups", "firing_alerts", "flagged_functions", "function_summary", "trace"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint, $"{t.Name} is not marked read-only"));
    }

    [Fact]
    public async Task FlaggedFunctions_TheFunctionsPageFlags_FiguresFromTheStore()
    {
        await using var client = await ConnectAsync(_key);

        var answer = await CallAsync<McpFlaggedFunctions>(client, "flagged_functions", Range(new() { ["limit"] = 100 }));

        var page = await Services.GetRequiredService<FunctionsSnapshots>().GetAsync(_range, relative: false, CancellationToken.None);
        var flagged = page.Rows.Where(r => r.Flags.Count > 0).ToList();
        Assert.NotEmpty(flagged);
        Assert.Equal((page.Rows.Count, flagged.Count), (answer.FunctionsInFleet, answer.Flagged));
        Assert.Equal(flagged.Select(r => r.Function.Key.Name).Order(StringComparer.Ordinal), answer.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(answer.Functions.Select(f => Weight(f.Flags)).OrderDescending(), answer.Functions.Select(f => Weight(f.Flags)));

        // Figures read from the store directly, not through the page's model.
        var stats = (await Services.GetRequiredService<IFunctionStatsReader>().GetFunctionStatsAsync(FleetFilter.All, _range, CancellationToken.None))
            .ToDictionary(s => s.Function);
        foreach (var function in answer.Functions)
        {
            var key = new FunctionKey(function.AccountId, function.Region, function.Name);
            Assert.Equal(stats.TryGetValue(key, out var s) && s.SeriesRead ? s.Invocations : null, function.Invocations);
            Assert.Equal(stats.GetValueOrDefault(key)?.DurationP99MaxMs, function.P99MsUpperBound);
        }

        Assert.Equal(Link($"functions?sort=flags&dir=desc&{RangeQuery}"), answer.Link);
        Assert.Equal(Link($"functions/{answer.Functions[0].AccountId}/{answer.Functions[0].Region}/{Uri.EscapeDataString(answer.Functions[0].Name)}?{RangeQuery}"), answer.Functions[0].Link);
        await AssertPageOpensAsync(answer.Functions[0].Link);
    }

    [Fact]
    public async Task FunctionSummary_FiguresOfTheStore_UnknownFunctionSaysSo()
    {
        await using var client = await ConnectAsync(_key);
        var stats = (await Services.GetRequiredService<IFunctionStatsReader>().GetFunctionStatsAsync(FleetFilter.All, _range, CancellationToken.None))
            .First(s => s.SeriesRead && s.Invocations > 0 && s.UnreadErrorInvocations == 0);
        var key = stats.Function;

        var answer = await CallAsync<McpFunctionSummary>(client, "function_summary", Range(new() { ["name"] = key.Name, ["account"] = key.AccountId, ["region"] = key.Region }));
        var unknown = await CallAsync<McpFunctionSummary>(client, "function_summary", Range(new() { ["name"] = "no-such-function" }));

        Assert.True(answer.Found);
        var function = answer.Function!;
        Assert.Equal((key.AccountId, key.Region, key.Name), (function.AccountId, function.Region, function.Name));
        Assert.Equal((stats.Invocations, stats.Errors / stats.Invocations, stats.ColdStarts / stats.Invocations), (function.Invocations, function.ErrorRate, function.ColdStartRate));
        var inventory = await Services.GetRequiredService<IInventoryReader>().GetFunctionAsync(key, CancellationToken.None);
        Assert.Equal((inventory!.MemoryMb, inventory.TimeoutSeconds, inventory.Runtime), (function.MemoryMb, function.TimeoutSeconds, function.Runtime));
        Assert.Equal(Link($"functions/{key.AccountId}/{key.Region}/{Uri.EscapeDataString(key.Name)}?{RangeQuery}"), answer.Link);
        Assert.Equal(Link($"errors?account={key.AccountId}&region={key.Region}&function={Uri.EscapeDataString(key.Name)}&{RangeQuery}"), answer.ErrorsLink);
        await AssertPageOpensAsync(answer.Link);

        Assert.False(unknown.Found);
        Assert.Contains("No function named 'no-such-function'", unknown.NotFound, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorGroups_AllAndOneFunctions_AsTheStoreSumsThem()
    {
        await using var client = await ConnectAsync(_key);
        var reader = Services.GetRequiredService<IErrorGroupReader>();
        var all = await reader.GetErrorSummariesAsync(new ErrorQuery(), _range, 50, CancellationToken.None);
        Assert.NotEmpty(all);
        var function = all[0].SampleFunction.Name;
        var own = await reader.GetErrorSummariesAsync(new ErrorQuery { FunctionName = function }, _range, 50, CancellationToken.None);

        var answer = await CallAsync<McpErrorGroups>(client, "error_groups", Range(new() { ["limit"] = 50 }));
        var filtered = await CallAsync<McpErrorGroups>(client, "error_groups", Range(new() { ["function"] = function, ["limit"] = 50 }));

        Assert.Equal(all.Select(s => (s.Fingerprint, s.Count, s.Message)), answer.Groups.Select(g => (g.Fingerprint, g.Count, g.Message)));
        Assert.Equal(own.Select(s => (s.Fingerprint, s.Count)), filtered.Groups.Select(g => (g.Fingerprint, g.Count)));
        Assert.Equal(function, filtered.Function);
        Assert.Equal(Link($"errors/{Uri.EscapeDataString(all[0].Fingerprint)}?{RangeQuery}"), answer.Groups[0].Link);
        Assert.Equal(Link($"errors?function={Uri.EscapeDataString(function)}&{RangeQuery}"), filtered.Link);
        await AssertPageOpensAsync(filtered.Link);
    }

    [Fact]
    public async Task Trace_StoredTrace_ItsSegmentsInWaterfallOrder_UnknownIdNotFound()
    {
        await using var client = await ConnectAsync(_key);
        var summary = (await Services.GetRequiredService<ITraceReader>().GetTraceSummariesAsync(_range, faultsOrErrorsOnly: false, 1, CancellationToken.None))[0];
        var stored = await Services.GetRequiredService<ITraceReader>().GetTraceAsync(summary.TraceId, CancellationToken.None);

        var answer = await CallAsync<McpTrace>(client, "trace", new() { ["traceId"] = summary.TraceId });
        var unknown = await CallAsync<McpTrace>(client, "trace", new() { ["traceId"] = "1-00000000-000000000000000000000000" });

        Assert.True(answer.Found);
        Assert.Equal(stored!.Segments.Select(s => s.Name).Order(StringComparer.Ordinal), answer.Segments.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal((summary.HasError, summary.HasFault), (answer.HasError, answer.HasFault));
        Assert.Equal(Link($"traces/{summary.TraceId}"), answer.Link);
        await AssertPageOpensAsync(answer.Link);
        Assert.False(unknown.Found);
        Assert.Empty(unknown.Segments);
    }

    [Fact]
    public async Task FiringAlerts_OpenAlertsFiringFirst_ResolvedLeftOut()
    {
        await using var client = await ConnectAsync(_key);

        var answer = await CallAsync<McpAlerts>(client, "firing_alerts", []);
        var firingOnly = await CallAsync<McpAlerts>(client, "firing_alerts", new() { ["includePending"] = false });

        Assert.Equal((1, 1), (answer.Firing, answer.Pending));
        Assert.Equal([("error-rate", "firing"), ("p99-near-timeout", "pending")], answer.Alerts.Select(a => (a.Rule, a.State)));
        Assert.Equal(["error-rate"], firingOnly.Alerts.Select(a => a.Rule));
        Assert.Equal("0.25", answer.Alerts[0].Value);
        Assert.Equal(Link("alerts/alert?rule=error-rate&labels=fn%3Da"), answer.Alerts[0].Link);
        await AssertPageOpensAsync(answer.Alerts[0].Link);
    }

    [Fact]
    public async Task Alarms_InAlarmByDefault_OtherStatesAsked_BadStateNamed()
    {
        await using var client = await ConnectAsync(_key);
        var stored = await Services.GetRequiredService<IAlarmReader>().GetAlarmsAsync(FleetFilter.All, null, CancellationToken.None);
        Assert.Contains(stored, a => a.State == AlarmState.Alarm);

        var answer = await CallAsync<McpAlarms>(client, "alarms", []);
        var all = await CallAsync<McpAlarms>(client, "alarms", new() { ["states"] = "alarm, insufficient-data, ok" });
        var bad = await client.CallToolAsync("alarms", new Dictionary<string, object?> { ["states"] = "red" });

        Assert.Equal(stored.Where(a => a.State == AlarmState.Alarm).Select(a => a.Arn).Order(StringComparer.Ordinal), answer.Alarms.Select(a => AlarmArn(stored, a)).Order(StringComparer.Ordinal));
        Assert.Equal(stored.Count, all.Total);
        Assert.Equal(Link("alarms?state=alarm"), answer.Link);
        await AssertPageOpensAsync(answer.Alarms[0].Link);
        Assert.True(bad.IsError);
        Assert.Contains("'red' is not an alarm state", Text(bad), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_NoKey_401WithWhatToDo()
    {
        using var http = _dashboard.Client();
        var response = await http.PostAsync(new Uri(ApiKeyAuthentication.McpPath, UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("X-Observe-Api-Key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(null));
        Assert.True(Is401(refused), refused.ToString());
    }

    [Fact]
    public async Task RevokedKey_TheNextRequest401()
    {
        var key = await ApiKeyTests.CreateKeyAsync(_dashboard, "to revoke");
        await using var client = await ConnectAsync(key);
        Assert.NotEmpty(await client.ListToolsAsync());

        Assert.NotNull(await Services.GetRequiredService<IApiKeyWriter>().RevokeApiKeyAsync(ApiKeyTests.IdOf(key), "alice", DateTimeOffset.UtcNow, CancellationToken.None));

        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await client.ListToolsAsync());
        Assert.True(Is401(refused), refused.ToString());
        var again = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(key));
        Assert.True(Is401(again), again.ToString());
    }

    [Fact]
    public async Task SessionCookie_NotAcceptedOnMcp()
    {
        using var http = _dashboard.Client(_dashboard.CookieFor("admin", DashboardRoles.Admin));

        var response = await http.PostAsync(new Uri(ApiKeyAuthentication.McpPath, UriKind.Relative), new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private string RangeQuery => $"from={Uri.EscapeDataString(TimeRangeQuery.FormatInstant(_range.From))}&to={Uri.EscapeDataString(TimeRangeQuery.FormatInstant(_range.To))}";

    private Dictionary<string, object?> Range(Dictionary<string, object?> arguments)
    {
        arguments["from"] = TimeRangeQuery.FormatInstant(_range.From);
        arguments["to"] = TimeRangeQuery.FormatInstant(_range.To);
        return arguments;
    }

    private string Link(string relative) => new Uri(_dashboard.BaseAddress, relative).ToString();

    private async Task<McpClient> ConnectAsync(string? key)
    {
        var options = new HttpClientTransportOptions
        {
            Endpoint = new Uri(_dashboard.BaseAddress, ApiKeyAuthentication.McpPath),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = key is null ? null : new Dictionary<string, string> { [ApiKeyAuthentication.HeaderName] = key },
        };
        return await McpClient.CreateAsync(new HttpClientTransport(options));
    }

    private static async Task<T> CallAsync<T>(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        Assert.False(result.IsError == true, Text(result));
        Assert.NotNull(result.StructuredContent);
        return result.StructuredContent.Value.Deserialize<T>(Json)!;
    }

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    private async Task AssertPageOpensAsync(string link)
    {
        using var viewer = _dashboard.Client(_dashboard.CookieFor("vic", DashboardRoles.Viewer));
        var response = await viewer.SendAsync(SignedInDashboard.Page(HttpMethod.Get, new Uri(link).PathAndQuery));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static bool Is401(Exception ex) =>
        ex is HttpRequestException { StatusCode: HttpStatusCode.Unauthorized }
        || (ex.InnerException is { } inner && Is401(inner))
        || ex.Message.Contains("401", StringComparison.Ordinal) || ex.Message.Contains("Unauthorized", StringComparison.Ordinal);

    private static int Weight(IReadOnlyList<McpFlag> flags) => flags.Sum(f => f.Severity switch { FlagChip.Critical => 10_000, FlagChip.Warning => 100, _ => 1 });

    private static string AlarmArn(IReadOnlyList<CloudWatchAlarm> stored, McpAlarm alarm) =>
        stored.Single(a => a.AccountId == alarm.AccountId && a.Region == alarm.Region && a.Name == alarm.Name).Arn;

    private static AlertInstance Alert(string rule, string labelsKey, AlertStatus status, string severity, DateTimeOffset since) => new()
    {
        RuleId = rule,
        LabelsKey = labelsKey,
        Labels = new Dictionary<string, string> { ["fn"] = labelsKey[3..] },
        Status = status,
        Severity = severity,
        ActiveSince = since,
        UpdatedAt = since,
        Value = 0.25,
        Summary = $"{rule} over its threshold",
        FiredAt = status == AlertStatus.Firing ? since : null,
        ResolvedAt = status == AlertStatus.Resolved ? since.AddMinutes(10) : null,
    };
}
