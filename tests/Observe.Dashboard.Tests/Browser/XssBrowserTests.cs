using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Observe.Collectors.Tests.LiveTail;
using Observe.Store;
using Observe.Store.Model;
using Xunit.Abstractions;

namespace Observe.Dashboard.Tests.Browser;

/// <summary>
/// Cross-site scripting payloads in every field a user or AWS data controls, seeded into the store (function names,
/// tags, layers, aliases and event sources; error types, messages, stack traces, request ids and the status actor;
/// alarm names, reasons and history; trace entry points, segment names, annotations and metadata; the service graph;
/// collector errors, warnings and account names; alert rule names, descriptions and scopes; alert labels, summaries
/// and who acknowledged; silence matchers, comments and authors; delivery errors), then every routable page of the
/// dashboard, found through its <see cref="RouteAttribute"/>s so a new page is covered without listing it here,
/// opened in Chromium three ways: over the seeded data, with every address parameter the pages read set to a payload,
/// and with a payload as the time range (which the page quotes in its error). Each time: the payload's text is visible
/// as text, no dialog opened, no element carries an event handler or a <c>javascript:</c> address, no inline script
/// other than the import map exists, and the browser reported no Content-Security-Policy violation.
/// </summary>
public sealed class XssBrowserTests(XssStore store, ITestOutputHelper output) : IClassFixture<XssStore>
{
    private const float Timeout = 20_000;

    /// <summary>
    /// Pages that show no stored data, and why; every other page must show at least one payload as text over the
    /// seeded store, or this test fails (a new page showing data is then checked, not silently passed).
    /// </summary>
    private static readonly Dictionary<string, string> ShowsNoStoredData = new(StringComparer.Ordinal)
    {
        ["/"] = "the Overview: fleet figures and charts, no stored text",
        ["/login"] = "the sign-in page; in Unsecured mode it has nothing to sign in to",
        ["/access-denied"] = "says the role is missing; shows only the user's own name",
        ["/not-found"] = "the unknown-address page",
        ["/error"] = "the error page, which never shows exception text",
        ["/settings"] = "the sign-in settings and the signed-in user's own name and roles",
        ["/alerts/rules/new"] = "a blank rule editor",
        ["/live-tail"] = "streams from AWS, not the store; no account is configured here (LiveTailBrowserTests sends a <script> line through it)",
    };

    /// <summary>
    /// Every query parameter a page reads from its address (the search and filter boxes keep their state there), found
    /// as the app declares them: the <c>*Parameter</c> constants of its address classes, the Functions page's facets,
    /// and the components' <see cref="SupplyParameterFromQueryAttribute"/> names.
    /// </summary>
    private static readonly string[] AddressParameters = FindAddressParameters();

    public static TheoryData<string> Routes()
    {
        var data = new TheoryData<string>();
        foreach (var route in RouteTemplates())
        {
            data.Add(route);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Page_OverHostileStoredData_ShowsItAsText_NothingInjected(string route)
    {
        var address = SeededAddress(route);
        var expectText = !ShowsNoStoredData.ContainsKey(route);
        var problems = await OpenAndCheckAsync(address + (address.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "range=24h", expectText);

        Assert.True(problems.Count == 0, $"{address}:\n{string.Join("\n", problems)}");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Page_HostileAddressParameters_NothingInjected(string route)
    {
        // Path parameters hostile too: the page for an unknown function, trace or rule quotes what it was asked for.
        var path = Regex.Replace(route, @"\{\*?(\w+)\}", _ => Uri.EscapeDataString(XssStore.Svg));
        var query = string.Join("&", AddressParameters.Select((name, i) => $"{name}={Uri.EscapeDataString(XssStore.Payloads[i % XssStore.Payloads.Length])}"));
        var problems = await OpenAndCheckAsync(path + "?" + query, expectText: false);

        Assert.True(problems.Count == 0, $"{path}:\n{string.Join("\n", problems)}");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Page_HostileTimeRange_NothingInjected(string route)
    {
        var address = SeededAddress(route);
        var problems = await OpenAndCheckAsync(address + (address.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "range=" + Uri.EscapeDataString(XssStore.Script), expectText: false);

        Assert.True(problems.Count == 0, $"{address}:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public async Task FunctionsSearchBox_HostileText_ShownAsTypedNothingInjected()
    {
        var (page, problems) = await OpenAsync("/functions?range=24h");
        var search = page.Locator("input[data-testid=search], [data-testid=search] input");
        await search.FillAsync(XssStore.Img);
        // The search lives in the address: its arrival there is the page having taken the text.
        await page.WaitForURLAsync(new Regex("[?&]q="), new() { Timeout = Timeout });
        await Assertions.Expect(search).ToHaveValueAsync(XssStore.Img, new() { Timeout = Timeout });
        problems.AddRange(await InjectedAsync(page));

        await page.Context.CloseAsync();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static string[] FindAddressParameters()
    {
        var types = typeof(DashboardApp).Assembly.GetTypes();
        var constants = types
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Parameter", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!);
        var fromQuery = types
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            .Select(p => p.GetCustomAttribute<SupplyParameterFromQueryAttribute>() is { } a ? a.Name ?? p.Name : null)
            .OfType<string>();
        var names = constants.Concat(fromQuery).Concat(Observe.Dashboard.Model.FunctionsQuery.FacetParameters.Values)
            // The time range has its own test: a bad one stops the page before it reads the rest of the address.
            .Where(n => n is not (Observe.Dashboard.Model.TimeRangeQuery.RangeParameter or Observe.Dashboard.Model.TimeRangeQuery.FromParameter or Observe.Dashboard.Model.TimeRangeQuery.ToParameter))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        // The search box's parameter is one of them, or the enumeration found nothing it should.
        Assert.Contains(Observe.Dashboard.Model.FunctionsQuery.SearchParameter, names);
        return names;
    }

    /// <summary>Every route template of the app's routable components, as written in their @page directives.</summary>
    internal static IEnumerable<string> RouteTemplates() =>
        typeof(DashboardApp).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => r.Template))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    /// <summary>The address of a route over the seeded data: its parameters filled with what was seeded.</summary>
    private static string SeededAddress(string route)
    {
        var seeded = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["/functions/{AccountId}/{Region}/{Name}"] = $"/functions/{XssStore.Account}/{XssStore.Region}/{Uri.EscapeDataString(XssStore.ImgFunction.Name)}",
            ["/errors/{*Fingerprint}"] = "/errors/" + XssStore.Fingerprint,
            ["/alarms/{*Arn}"] = "/alarms/" + Uri.EscapeDataString(XssStore.AlarmArn),
            ["/traces/{TraceId}"] = "/traces/" + XssStore.TraceId,
            ["/alerts/rules/{RuleId}"] = "/alerts/rules/" + XssStore.RuleId,
            ["/alerts/alert"] = $"/alerts/alert?rule={XssStore.RuleId}&labels={Uri.EscapeDataString(XssStore.LabelsKey)}",
        };
        if (seeded.TryGetValue(route, out var address))
        {
            return address;
        }

        Assert.False(route.Contains('{', StringComparison.Ordinal), $"{route} takes parameters: add the address of its seeded data to SeededAddress");
        return route;
    }

    private async Task<List<string>> OpenAndCheckAsync(string address, bool expectText)
    {
        var (page, problems) = await OpenAsync(address);
        if (expectText)
        {
            // As text in the page, or as the value of a field (the rule editor shows its document in a text area).
            try
            {
                await page.WaitForFunctionAsync(
                    "payloads => [document.body.innerText, ...[...document.querySelectorAll('input, textarea')].map(e => e.value)].some(t => payloads.some(p => t.includes(p)))",
                    XssStore.Payloads,
                    new() { Timeout = Timeout });
            }
            catch (System.TimeoutException)
            {
                problems.Add("no payload is visible as text: the page shows none of the hostile data seeded for it");
            }
        }

        problems.AddRange(await InjectedAsync(page));
        output.WriteLine($"{address}: {(problems.Count == 0 ? "ok" : problems.Count + " problem(s)")}");
        await page.Context.CloseAsync();
        return problems;
    }

    /// <summary>A new context at <paramref name="address"/> recording dialogs, CSP violations and console errors, once it has rendered.</summary>
    private async Task<(IPage Page, List<string> Problems)> OpenAsync(string address)
    {
        var problems = new List<string>();
        var context = await store.Host.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) =>
        {
            lock (problems)
            {
                problems.Add($"a {dialog.Type} dialog opened: {dialog.Message}");
            }

            _ = dialog.DismissAsync();
        };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (problems)
                {
                    problems.Add("console: " + message.Text);
                }
            }
        };
        await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));");
        await page.GotoAsync(new Uri(store.Host.BaseUrl, address).ToString());
        // Interactive pages re-render once the circuit is up: that render is the one checked. The sign-in and error
        // pages are static (no blazor.web.js).
        if (await page.Locator("script[src*='blazor.web']").CountAsync() > 0)
        {
            await page.Locator(".observe-main[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        }

        return (page, problems);
    }

    /// <summary>What a payload would have left in the page had it become markup, and what the browser reported.</summary>
    internal static async Task<IReadOnlyList<string>> InjectedAsync(IPage page)
    {
        var found = await page.EvaluateAsync<string[]>("""
            () => {
              const bad = [];
              for (const el of document.querySelectorAll('*')) {
                for (const a of el.attributes) {
                  const n = a.name.toLowerCase();
                  if (n.startsWith('on')) bad.push(`<${el.tagName.toLowerCase()}> has an event handler ${n}="${a.value}"`);
                  if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(n) && /^\s*javascript:/i.test(a.value)) bad.push(`<${el.tagName.toLowerCase()}> ${n}="${a.value}"`);
                }
              }
              for (const s of document.querySelectorAll('script:not([src])')) {
                if (s.type !== 'importmap') bad.push('an inline script: ' + s.textContent.slice(0, 80));
              }
              for (const el of document.querySelectorAll('img[src="x"], svg[onload], iframe, object, embed')) bad.push('an injected element: ' + el.outerHTML.slice(0, 80));
              for (const v of window.__csp || []) bad.push('CSP violation: ' + v);
              return bad;
            }
            """);
        return found;
    }
}

/// <summary>
/// Log lines and their JSON fields are not stored: they stream from Live Tail (here <see cref="LiveTailFeed"/>, a fake
/// peer on loopback) straight to the page, so they get their own check, payloads in plain lines and in JSON keys and values.
/// </summary>
public sealed class LiveTailXssBrowserTests(LiveTailDashboardFixture dashboard) : IClassFixture<LiveTailDashboardFixture>
{
    private const float Timeout = 20_000;

    [Fact]
    public async Task HostileLogLinesAndJsonFields_ShownAsText_NothingInjected()
    {
        var context = await dashboard.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            lock (dialogs)
            {
                dialogs.Add(dialog.Message);
            }

            _ = dialog.DismissAsync();
        };
        await page.AddInitScriptAsync("window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));");
        var started = dashboard.Feed.StartedSessions;
        await page.GotoAsync(new Uri(dashboard.BaseUrl, $"live-tail?account={LiveTailDashboardFixture.Account}&region={LiveTailDashboardFixture.Region}&group=%2Faws%2Flambda%2Fxss").ToString());
        await page.Locator(".page[data-interactive]").WaitForAsync(new() { Timeout = Timeout });
        await BrowserPoll.UntilAsync(() => Task.FromResult(dashboard.Feed.StartedSessions > started), () => "no Live Tail session started", Timeout);

        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["level"] = "ERROR",
            ["msg"] = XssStore.Svg,
            [XssStore.Img] = XssStore.Script,
            ["url"] = XssStore.JavaScriptLink,
            ["note"] = XssStore.Razor,
        });
        await dashboard.Feed.SendAsync(
        [
            new FeedEvent($"2026-12-04T04:00:00.000Z\tc0ffee\tERROR\t{XssStore.Script} {XssStore.Img} {XssStore.JavaScriptLink} {XssStore.Razor}", DateTimeOffset.UtcNow),
            new FeedEvent(json, DateTimeOffset.UtcNow),
        ]);
        await Assertions.Expect(page.Locator("[data-line]")).ToHaveCountAsync(2, new() { Timeout = Timeout });

        var text = await page.Locator(".tail-lines").InnerTextAsync();
        foreach (var payload in XssStore.Payloads)
        {
            Assert.Contains(payload, text, StringComparison.Ordinal);
        }

        Assert.Empty(await XssBrowserTests.InjectedAsync(page));
        Assert.Empty(dialogs);
        await context.CloseAsync();
    }
}

/// <summary>The dashboard over a store holding one of everything a page shows, each text in it a payload.</summary>
public sealed class XssStore : IAsyncLifetime
{
    public const string Account = "444455556666";
    public const string Region = "eu-west-1";
    public const string Script = "<script>alert('xss-script')</script>";
    public const string Img = "<img src=x onerror=alert('xss-img')>";
    public const string Svg = "\"><svg onload=alert('xss-svg')>";
    public const string JavaScriptLink = "javascript:alert('xss-link')";
    public const string Razor = "@DateTime.Now {{7*7}} @(1+1) ${7*7}";
    public const string Fingerprint = "0badc0de0badc0de";
    public const string TraceId = "1-6a5f0000-0badc0de0badc0de0badc0de";
    public const string RuleId = "xss-rule";

    /// <summary>In function names: no '/' (a path segment), which rules out the script payload there.</summary>
    public static readonly FunctionKey ImgFunction = new(Account, Region, Img);

    public static readonly FunctionKey SvgFunction = new(Account, Region, Svg);

    public static readonly string AlarmArn = $"arn:aws:cloudwatch:{Region}:{Account}:alarm:{Svg}";

    public static readonly string LabelsKey = $"{Account}/{Region}/{Img}";

    public static readonly string[] Payloads = [Script, Img, Svg, JavaScriptLink, Razor];

    internal BrowserDashboard Host { get; } = new();

    private IObserveStore Store => Host.App.Services.GetRequiredService<IObserveStore>();

    public async Task InitializeAsync()
    {
        Host.Build(new Dictionary<string, string?>
        {
            ["Observe:Demo:Enabled"] = "false",
            ["Observe:Dashboard:RefreshThrottle"] = "00:00:00.500",
            // A channel whose deliveries are seeded below; nothing listens on port 9, so a real send fails quietly.
            ["Observe:Alerting:Channels:xss-hook:Kind"] = "webhook",
            ["Observe:Alerting:Channels:xss-hook:WebhookUrl"] = "http://127.0.0.1:9/hook",
            ["Observe:Alerting:Channels:xss-hook:Secret"] = "xss-test-secret-0123456789abcdef0123456789",
        });
        await Host.StartDashboardAsync();
        await SeedAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        await Host.LaunchChromiumAsync();
    }

    public Task DisposeAsync() => Host.DisposeAsync().AsTask();

    private async Task SeedAsync(DateTimeOffset now, CancellationToken ct)
    {
        var minute = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        FunctionKey[] functions = [ImgFunction, SvgFunction];
        await Store.UpsertFunctionsAsync([.. functions.Select(f => Function(f, now))], ct);
        await Store.WriteMetricsAsync(
            [.. functions.SelectMany(f => Enumerable.Range(1, 5).Select(m => new MetricPoint
            {
                Function = f, Minute = minute.AddMinutes(-m * 5), Invocations = 50, Errors = 9, Throttles = 2, ColdStarts = 4,
                DurationAvgMs = 300, DurationP99Ms = 2900,
            }))],
            ct);
        await Store.RecordFunctionChangesAsync([new FunctionChange(ImgFunction, now.AddMinutes(-30), "configuration", Script + " " + Razor)], ct);
        await Store.WriteInvocationReportsAsync(
            [.. functions.Select((f, i) => new InvocationReport
            {
                Function = f, RequestId = Img + i, Timestamp = now.AddMinutes(-12 - i), DurationMs = 120, BilledDurationMs = 121, MemorySizeMb = 512,
                MaxMemoryUsedMb = 300, InitDurationMs = 800, Status = Svg, TraceId = TraceId,
            })],
            ct);
        await Store.WriteInitEventsAsync([.. functions.Select(f => new InitEvent(f, now.AddMinutes(-12), InitializationType.OnDemand, 800, Script))], ct);

        await Store.RecordErrorsAsync(
        [
            new ErrorOccurrences(ImgFunction, Fingerprint, Script, Img + " " + Svg + " " + Razor, now.AddMinutes(-50), now.AddMinutes(-5), 7,
                "at " + Script + "\n   at " + JavaScriptLink, "req-" + Svg, TraceId),
        ], ct);
        await Store.SetErrorStatusAsync(Fingerprint, ErrorStatus.Ignored, Img, now.AddMinutes(-1), ct);

        await Store.UpsertAlarmsAsync(
        [
            new CloudWatchAlarm
            {
                AccountId = Account, Region = Region, Name = Script + " " + Svg, Arn = AlarmArn, State = AlarmState.Alarm,
                StateReason = Img + " " + Razor, StateUpdated = now.AddMinutes(-20), FunctionName = Img, MetricName = Script, Namespace = "AWS/Lambda",
            },
        ], ct);
        await Store.RecordAlarmStateChangesAsync([new AlarmStateChange(AlarmArn, now.AddMinutes(-20), AlarmState.Ok, AlarmState.Alarm, Script + " " + JavaScriptLink)], ct);

        var start = now.AddMinutes(-10);
        await Store.WriteTracesAsync(
        [
            new TraceTree(
                new TraceSummary { TraceId = TraceId, Start = start, DurationMs = 1900, HasFault = true, EntryPoint = Script, HttpStatus = Svg, Functions = [ImgFunction] },
                [
                    Segment("fn", null, Img, start, 0, 1900, "AWS::Lambda::Function", []),
                    Segment("inv", "fn", "Invocation", start, 100, 1850, null, []),
                    Segment("ddb", "inv", Svg, start, 200, 1700, Script, new()
                    {
                        ["annotation.note"] = Script,
                        ["annotation." + Img] = Razor,
                        ["metadata.default.detail"] = Svg,
                        ["http.url"] = JavaScriptLink,
                        ["error.message"] = Img,
                    }),
                ]),
        ], ct);
        await Store.WriteServiceGraphAsync(
        [
            new ServiceGraphWindow
            {
                AccountId = Account, Region = Region, Start = now.AddMinutes(-15), End = now.AddMinutes(-5),
                Nodes =
                [
                    new ServiceGraphNode { Key = "a", Name = Img, Type = "AWS::Lambda::Function", AccountId = Account },
                    new ServiceGraphNode { Key = "b", Name = Script, Type = Svg },
                ],
                Edges = [new ServiceGraphEdge { SourceKey = "a", TargetKey = "b" }],
            },
        ], ct);

        await Store.UpsertCollectorStatusAsync(new CollectorStatus
        {
            Collector = "inventory", AccountId = Account, Region = Region, AccountName = Svg, LastStart = now.AddMinutes(-2), LastFailure = now.AddMinutes(-2),
            ConsecutiveFailures = 3, LastError = Script + " " + Razor, LastWarning = Img, Instance = JavaScriptLink, UpdatedAt = now,
        }, ct);

        await SeedAlertingAsync(now, ct);
    }

    private async Task SeedAlertingAsync(DateTimeOffset now, CancellationToken ct)
    {
        // Disabled: the engine running beside the test leaves this rule's alerts as seeded.
        await Store.UpsertAlertRuleAsync(new AlertRule
        {
            Id = RuleId, Name = Script, Condition = "error_rate > 5%", Enabled = false, Description = Img, UpdatedAt = now, UpdatedBy = Svg,
            Channels = ["xss-hook"],
            Document = $"""
                id: {RuleId}
                name: {Yaml(Script)}
                description: {Yaml(Img + " " + Razor)}
                condition: error_rate > 5%
                scope:
                  functions: [{Yaml(Svg)}]
                  tags:
                    team: {Yaml(JavaScriptLink)}
                severity: warning
                channels: [xss-hook]
                enabled: false
                """,
        }, ct);

        var instance = new AlertInstance
        {
            RuleId = RuleId, LabelsKey = LabelsKey, Status = AlertStatus.Firing, Severity = "warning", ActiveSince = now.AddMinutes(-15), FiredAt = now.AddMinutes(-15),
            Labels = new Dictionary<string, string>
            {
                ["rule"] = RuleId, ["severity"] = "warning", ["account"] = Account, ["region"] = Region, ["function"] = Img, [Svg] = Script,
            },
            Value = 0.18, Summary = Svg + " " + Razor, UpdatedAt = now, AcknowledgedBy = Script, AcknowledgedAt = now.AddMinutes(-3),
        };
        var notification = new NotificationRecord
        {
                        // Due only in 10 minutes, when the seed below has long failed it for good: the channel loop running beside the
            // test never takes it first.
            Id = "xss-n1", ChannelId = "xss-hook", GroupKey = RuleId + "/" + Img, ContentHash = "xss", CreatedAt = now.AddMinutes(-14), NextAttemptAt = now.AddMinutes(10),
            Kind = "firing", DedupKey = "observe-xss",
            Payload = JsonSerializer.Serialize(new
            {
                groupKey = RuleId + "/" + Img, dedupKey = "observe-xss", status = "Firing", severity = "Warning", title = Script, description = Svg, since = now.AddMinutes(-15),
                alerts = new[] { new { ruleId = RuleId, labelsKey = LabelsKey, labels = instance.Labels, status = "Firing", activeSince = instance.ActiveSince, resolvedAt = (DateTimeOffset?)null, summary = Razor, link = JavaScriptLink } },
                link = JavaScriptLink, isTest = false,
            }),
        };
        var lease = await Store.TryAcquireLeaseAsync("xss-seed", "xss-test", TimeSpan.FromHours(1), now, ct)
            ?? throw new InvalidOperationException("the seed lease is held");
        var committed = await Store.CommitAlertEvaluationAsync(new AlertEvaluationCommit
        {
            Lease = lease, At = now,
            Instances = [instance],
            Transitions =
            [
                new AlertTransition { RuleId = RuleId, LabelsKey = LabelsKey, At = now.AddMinutes(-15), From = null, To = AlertStatus.Firing, Value = 0.18, Summary = Img },
                new AlertTransition { RuleId = RuleId, LabelsKey = LabelsKey, At = now.AddMinutes(-3), From = AlertStatus.Firing, To = AlertStatus.Firing, Summary = Svg, Actor = Script },
            ],
            Notifications = [notification],
        }, ct);
        Assert.True(committed, "the alerting seed was refused");
        var attempt = await Store.BeginDeliveryAsync(notification.Id, lease, now.AddMinutes(10), ct)
            ?? throw new InvalidOperationException("the seeded notification could not be attempted");
        Assert.True(await Store.CompleteDeliveryAsync(attempt with { FinishedAt = now.AddMinutes(10).AddMilliseconds(30), Outcome = DeliveryOutcome.Permanent, StatusCode = 400, Error = "HTTP 400: " + Script }, null, lease, ct));
        await Store.ReleaseLeaseAsync(lease, ct);

        await Store.UpsertSilenceAsync(new Silence
        {
            Id = "xss-silence", Matchers = new Dictionary<string, string> { ["function"] = Img, [Svg] = Razor }, StartsAt = now.AddMinutes(-5), EndsAt = now.AddHours(2),
            CreatedBy = Svg, Comment = Script + " " + JavaScriptLink,
        }, ct);

        // An API key named by an attacker, created by one; and an audit entry whose every text is one.
        Assert.True(await Store.CreateApiKeyAsync(new ApiKey("xsskey", Script + " " + Razor, Observe.Dashboard.Auth.DashboardRoles.Viewer, now.AddMinutes(-40), Img), new string('0', 64), ct));
        await Store.AppendAuditEntryAsync(new AuditEntry
        {
            At = now.AddMinutes(-3), Actor = Img, Action = Svg, Target = Script,
            Before = System.Text.Json.JsonSerializer.Serialize(new { comment = Script }), After = System.Text.Json.JsonSerializer.Serialize(new { comment = JavaScriptLink + " " + Razor }),
        }, ct);
    }

    /// <summary>A YAML single-quoted scalar: the payload as written (JSON would escape its '&lt;' as \u003C in the document).</summary>
    private static string Yaml(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static LambdaFunction Function(FunctionKey key, DateTimeOffset now) => new()
    {
        Key = key, Arn = $"arn:aws:lambda:{key.Region}:{key.AccountId}:function:{key.Name}", Runtime = Script, MemoryMb = 1024, TimeoutSeconds = 3,
        CodeSizeBytes = 1_000_000, Architecture = Svg, PackageType = Img, LastModified = now.AddDays(-3), LastSeen = now, RevisionId = Razor,
        Tags = new Dictionary<string, string> { ["owner"] = Script, ["team"] = JavaScriptLink, [Img] = Razor },
        Layers = [$"arn:aws:lambda:{key.Region}:{key.AccountId}:layer:{Svg}:3"],
        Aliases = [new FunctionAlias(Script, "1")],
        PublishedVersions = ["1", Img],
        EventSources = [new EventSourceMapping(Svg, "arn:aws:sqs:eu-west-1:444455556666:" + Script, Img, 10)],
    };

    private static TraceSegment Segment(string id, string? parent, string name, DateTimeOffset start, int fromMs, int toMs, string? origin, Dictionary<string, string> attributes) => new()
    {
        Id = id, ParentId = parent, Name = name, Origin = origin, Start = start.AddMilliseconds(fromMs), End = start.AddMilliseconds(toMs),
        Fault = id == "ddb", Attributes = attributes,
    };
}
