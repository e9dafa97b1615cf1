using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.Extensions.Options;
using MudBlazor;
using Observe.Collectors.Aws;
using Observe.Collectors.LiveTail;
using Observe.Dashboard.Configuration;
using Observe.Dashboard.Model;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// Live log events of up to ten log groups of one account and region, newest first. The selection and filter live in
/// the address; the stream is the shared <see cref="ILiveTail"/> session for it (Live Tail, or polling where Live Tail
/// is not allowed), joined once the circuit is interactive (never while prerendering) and left when the page closes,
/// the selection changes, or nobody used its controls for <see cref="LiveTailPageOptions.IdleTimeout"/>. Not a
/// <see cref="LivePage{TModel}"/>: nothing here is read from the store but the function names the picker offers.
/// </summary>
public sealed partial class LiveTailPage
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    private readonly CancellationTokenSource _disposed = new();
    private ILiveTail? _liveTail;
    private LiveTailOptions? _tailOptions;
    private ILogger _logger = null!;
    private LiveTailAddress _address = new();
    private LiveTailViewModel _model = null!;
    private IReadOnlyList<LiveTailLine> _visible = [];
    private LiveTailRequest? _request;
    private LiveTailSessionState? _session;
    private CancellationTokenSource? _tail;
    private ITimer? _statusTimer;
    private MudAutocomplete<string>? _functionPicker;
    private DateTimeOffset _lastInput;
    private DateTimeOffset _linesDrawnAt = DateTimeOffset.MinValue;
    private bool _interactive;
    private bool _renderQueued;
    private string? _typedGroup;
    private string? _error;
    private string? _stopped;

    [Inject]
    public required IServiceProvider Services { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required IOptions<AwsOptions> AwsOptions { get; init; }

    [Inject]
    public required IOptions<LiveTailPageOptions> PageOptions { get; init; }

    [Inject]
    public required IInventoryReader Inventory { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILoggerFactory LoggerFactory { get; init; }

    private AwsOptions Aws => AwsOptions.Value;

    private LiveTailPageOptions Limits => PageOptions.Value;

    private string? TargetValue => _address is { Account: { } a, Region: { } r } ? $"{a}|{r}" : null;

    private string? SourceToken => _stopped is not null ? "stopped" : (_session?.Source ?? _model.Source) switch
    {
        LiveTailSource.LiveTail => "live-tail",
        LiveTailSource.Polling => "polling",
        _ => _request is null ? null : "starting",
    };

    private string? StreamLabel => SourceToken switch
    {
        "stopped" => "Stopped",
        "live-tail" => "Live Tail",
        "polling" => "Polling",
        "starting" => "Starting",
        _ => null,
    };

    /// <summary>What streams, what it costs so far and who shares it.</summary>
    private string SessionText
    {
        get
        {
            if (_stopped is not null || _request is null)
            {
                return "Not streaming.";
            }

            var viewers = _session is { Viewers: > 1 } s ? string.Create(Culture, $" · shared with {s.Viewers - 1} other viewer{(s.Viewers == 2 ? "" : "s")} of this selection") : "";
            return (_session?.Source ?? _model.Source) switch
            {
                LiveTailSource.LiveTail => LiveTailCost(_session?.LiveTailTime ?? TimeSpan.Zero) + viewers,
                LiveTailSource.Polling => string.Create(Culture, $"Polling FilterLogEvents every {Seconds(_tailOptions!.PollInterval)} (Live Tail is not allowed here, turned off, or at its session quota): no Live Tail charge, lines arrive a poll late") + viewers,
                _ => "Starting the session…",
            };
        }
    }

    private string CountsText
    {
        get
        {
            var text = string.Create(Culture, $"{_model.Received:N0} lines received; this page keeps the newest {Limits.BufferLines:N0} and draws {Limits.DisplayLines:N0}");
            if (_model.DroppedLines > 0)
            {
                text += string.Create(Culture, $"; {_model.DroppedLines:N0} older lines dropped to stay within it");
            }

            if (_model.DroppedBatches > 0)
            {
                text += string.Create(Culture, $"; {_model.DroppedBatches:N0} updates dropped because this page fell behind");
            }

            return text + (_model.LastReceivedAt is { } at ? string.Create(Culture, $"; last at {at:HH:mm:ss} UTC.") : ".");
        }
    }

    private string SampledText => string.Create(Culture,
        $"{(_model.Source == LiveTailSource.Polling ? "a poll found more new events than it keeps (Observe:Collectors:LiveTail:PollMaxEvents)" : "more than 500 events a second matched, so AWS sent a sample")}, {_model.SampledBatches:N0} time{(_model.SampledBatches == 1 ? "" : "s")}, last at {_model.LastSampledAt:HH:mm:ss} UTC. Not every line is here; a filter pattern narrows the stream.");

    protected override void OnInitialized()
    {
        _logger = LoggerFactory.CreateLogger<LiveTailPage>();
        _liveTail = Services.GetService<ILiveTail>();
        _tailOptions = Services.GetService<IOptions<LiveTailOptions>>()?.Value;
        _model = NewModel();
        _address = LiveTailAddress.Parse(Navigation.Uri, Aws);
        Navigation.LocationChanged += OnLocationChanged;
    }

    protected override void OnAfterRender(bool firstRender)
    {
        // Joined only once interactive: a prerender would open an AWS session for a page that is thrown away.
        if (firstRender)
        {
            _interactive = true;
            _statusTimer = Time.CreateTimer(static state => ((LiveTailPage)state!).OnStatusTick(), this, Limits.StatusInterval, Limits.StatusInterval);
            Restart();
            StateHasChanged();
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", Culture) + " s";

    private string LiveTailCost(TimeSpan open)
    {
        var price = Aws.Prices?.LiveTailPerSessionMinute ?? new AwsPriceOptions().LiveTailPerSessionMinute;
        var cost = (decimal)open.TotalMinutes * price;
        var length = open < TimeSpan.FromMinutes(1) ? string.Create(Culture, $"{open.TotalSeconds:0} s") : string.Create(Culture, $"{(int)open.TotalMinutes} min {open.Seconds} s");
        return string.Create(Culture, $"Live Tail session open {length}: about ${cost:0.00##} so far at ${price} per session minute (Observe:Aws:Prices:LiveTailPerSessionMinute); it ends when the last viewer leaves");
    }

    private static string LevelWord(LineLevel level) => level switch
    {
        LineLevel.Error => "ERROR",
        LineLevel.Warning => "WARN",
        LineLevel.Info => "INFO",
        LineLevel.Debug => "DEBUG",
        LineLevel.Platform => "LAMBDA",
        _ => "",
    };

    private static string LineClass(LiveTailLine line) =>
        line.Event is null ? "tail-line tail-line-marker" : "tail-line level-" + line.Parts.Level.ToString().ToLowerInvariant();

    private LiveTailViewModel NewModel() => new(Limits.BufferLines, Limits.DisplayLines);

    private void Touch() => _lastInput = Time.GetUtcNow();

    /// <summary>Leaves the current session (if any) and joins the one the address names.</summary>
    private void Restart()
    {
        Touch();
        StopTail();
        _stopped = null;
        _error = null;
        if (_liveTail is null || !_interactive || !_address.CanTail)
        {
            _visible = _model.Visible();
            return;
        }

        var request = new LiveTailRequest(_address.Account!, _address.Region!, _address.Groups) { FilterPattern = _address.Filter.Length > 0 ? _address.Filter : null };
        var tail = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        _tail = tail;
        _request = request;
        _session = null;
        _ = RunAsync(_liveTail, request, tail.Token);
        _visible = _model.Visible();
    }

    private async Task RunAsync(ILiveTail liveTail, LiveTailRequest request, CancellationToken cancellationToken)
    {
        try
        {
            // Continues on the circuit's dispatcher: the model is only touched there.
            await foreach (var batch in liveTail.TailAsync(request, cancellationToken))
            {
                _model.Add(batch, Time.GetUtcNow());
                if (!_model.Paused)
                {
                    RequestRender();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Left: the selection changed, the page closed or it went idle.
        }
        catch (Exception e) when (e is LiveTailException or ArgumentException)
        {
            _logger.LogWarning(e, "Live tail of {Groups} in {Account} {Region} stopped", string.Join(", ", request.LogGroups), request.AccountId, request.Region);
            _error = Describe(e);
            _stopped = "The stream stopped: nothing new arrives until it is started again.";
            _request = null;
            StateHasChanged();
        }
    }

    /// <summary>One sentence to act on, with the permission or setting involved; the exception is in the log.</summary>
    private static string Describe(Exception e) => e switch
    {
        LiveTailException { ErrorCode: "ResourceNotFoundException" } =>
            "A log group in the selection does not exist in that account and region. Lambda creates /aws/lambda/<function> at the function's first invocation; check the name, or remove it above.",
        LiveTailException { IsNotAllowed: true } or LiveTailException { ErrorCode: "AccessDeniedException" } =>
            "AWS refused the session: the account's credentials need logs:StartLiveTail (and logs:FilterLogEvents for the polling fallback, which Observe:Collectors:LiveTail:Mode Auto uses). See the dashboard's log for AWS's message.",
        LiveTailException { ErrorCode: "SessionQuotaReached" } =>
            "This account already has as many Live Tail sessions open as Observe:Collectors:LiveTail:MaxSessionsPerAccount allows (AWS's quota is 15): close another Live tail page, or set Mode to Auto to poll instead.",
        ArgumentException a => "The selection cannot be tailed: " + a.Message,
        _ => "The stream failed again after reconnecting; see the dashboard's log for the cause (the account, region and log groups are named there). Start it again to retry.",
    };

    private void StopTail()
    {
        if (_tail is { } tail)
        {
            _tail = null;
            tail.Cancel();
            tail.Dispose();
        }

        _request = null;
        _session = null;
    }

    /// <summary>
    /// New lines are drawn at once after a quiet spell, then at most once per <see cref="LiveTailPageOptions.RenderInterval"/>:
    /// the first line of a burst is not delayed, and 500 a second are a few renders.
    /// </summary>
    private void RequestRender()
    {
        if (_renderQueued)
        {
            return;
        }

        var wait = _linesDrawnAt + Limits.RenderInterval - Time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            DrawLines();
            return;
        }

        _renderQueued = true;
        _ = RenderLaterAsync(wait);
    }

    private async Task RenderLaterAsync(TimeSpan wait)
    {
        try
        {
            await Task.Delay(wait, Time, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        _renderQueued = false;
        DrawLines();
    }

    private void DrawLines()
    {
        _linesDrawnAt = Time.GetUtcNow();
        _visible = _model.Visible();
        StateHasChanged();
    }

    private void OnStatusTick() => _ = InvokeAsync(() =>
    {
        if (_disposed.IsCancellationRequested || _request is not { } request || _liveTail is null)
        {
            return;
        }

        var now = Time.GetUtcNow();
        if (now - _lastInput >= Limits.IdleTimeout)
        {
            StopTail();
            _stopped = string.Create(Culture,
                $"Stopped at {now:HH:mm:ss} UTC after {Limits.IdleTimeout.TotalMinutes:0.#} min with no change made here (selection, filter, pause; Observe:Dashboard:LiveTail:IdleTimeout): this page left its session, which ends with its last viewer, since Live Tail is billed per session minute.");
            _model.Mark(_stopped, now);
            _visible = _model.Visible();
        }
        else
        {
            _session = _liveTail.Describe(request);
        }

        StateHasChanged();
    });

    private void OnLocationChanged(object? sender, LocationChangedEventArgs e) => _ = InvokeAsync(() =>
    {
        var address = LiveTailAddress.Parse(Navigation.Uri, Aws);
        if (address.SessionKey == _address.SessionKey && address.Error == _address.Error)
        {
            return;
        }

        var sameGroups = address.Account == _address.Account && address.Region == _address.Region && address.Groups.SequenceEqual(_address.Groups, StringComparer.Ordinal);
        _address = address;
        if (sameGroups)
        {
            // Lines already here stay; the marker says from where the new filter applies.
            _model.SetFilter(address.Filter, Time.GetUtcNow());
        }
        else
        {
            _model = NewModel();
        }

        Restart();
        StateHasChanged();
    });

    private void Go(LiveTailAddress address, bool replace = false)
    {
        Touch();
        Navigation.NavigateTo(address.ToUri(), replace: replace);
    }

    private void SelectTarget(string? value)
    {
        var parts = (value ?? "").Split('|');
        if (parts.Length == 2)
        {
            // Log groups belong to one account and region: another target starts an empty selection.
            Go(new LiveTailAddress { Account = parts[0], Region = parts[1], Filter = _address.Filter });
        }
    }

    private async Task<IEnumerable<string>> SearchFunctionsAsync(string? text, CancellationToken cancellationToken)
    {
        if (_address is not { Account: { } account, Region: { } region })
        {
            return [];
        }

        var functions = await Inventory.GetFunctionsAsync(new FleetFilter(account, region), cancellationToken);
        return functions.Select(f => f.Key.Name)
            .Where(n => string.IsNullOrWhiteSpace(text) || n.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase))
            .Take(20)
            .ToList();
    }

    private async Task AddFunction(string? name)
    {
        if (!string.IsNullOrWhiteSpace(name) && _address is { Account: { } account, Region: { } region })
        {
            Go(_address.WithGroup(FunctionDetailLinks.LogGroup(new FunctionKey(account, region, name))));
            if (_functionPicker is not null)
            {
                await _functionPicker.ClearAsync();
            }
        }
    }

    private void AddTypedGroup()
    {
        if (!string.IsNullOrWhiteSpace(_typedGroup))
        {
            Go(_address.WithGroup(_typedGroup.Trim()));
            _typedGroup = null;
        }
    }

    private void RemoveGroup(string group) => Go(_address.WithoutGroup(group));

    private void SetFilter(string? filter) => Go(_address with { Filter = filter?.Trim() ?? "" }, replace: true);

    private void TogglePause()
    {
        Touch();
        if (_model.Paused)
        {
            _model.Resume();
        }
        else
        {
            _model.Pause(Time.GetUtcNow());
        }

        _visible = _model.Visible();
    }

    public void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        _statusTimer?.Dispose();
        StopTail();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
