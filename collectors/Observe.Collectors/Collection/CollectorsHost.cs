using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Collectors.Aws;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Collectors.Collection;

/// <summary>
/// Runs every registered <see cref="ICollector"/> for every configured account and region, each pair in its own loop
/// on the collector's interval. First passes are spread over <see cref="CollectorsOptions.StartSpread"/>; at most
/// <see cref="CollectorsOptions.MaxConcurrentTargets"/> targets of one collector run at once. A failing pass is
/// recorded and retried at the next interval; it never stops another target. Status goes to the store after every
/// pass start and end, so any dashboard reading the store sees it, whichever process collects.
/// </summary>
internal sealed partial class CollectorsHost(
    IEnumerable<ICollector> collectors,
    IOptions<AwsOptions> aws,
    IOptions<CollectorsOptions> options,
    ICollectorStatusReader statusReader,
    ICollectorStatusWriter statusWriter,
    CollectorsInstance instance,
    ILeaseStore leaseStore,
    TimeProvider time,
    ILogger<CollectorsHost> logger) : BackgroundService
{
    /// <summary>Set when <see cref="CollectorsOptions.ShareTargets"/> is on: which targets this worker holds.</summary>
    private TargetLeases? _leases;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Store calls may complete synchronously (SQLite); yield so the host's StartAsync is not held up.
        await Task.Yield();

        var settings = options.Value;
        var all = collectors.ToList();
        var targets = aws.Value.Accounts.SelectMany(a => a.Regions.Select(r => new CollectionTarget(a, r))).ToList();
        if (!settings.Enabled)
        {
            LogDisabled(CollectorsOptions.SectionName);
            return;
        }

        if (all.Count == 0 || targets.Count == 0)
        {
            LogNothingToRun(all.Count, targets.Count);
            return;
        }

        CheckCollectors(all);
        var known = await LoadStatusesAsync(stoppingToken);
        LogStarting(all.Count, string.Join(", ", all.Select(c => $"{c.Name} every {c.Interval}")), targets.Count, settings.MaxConcurrentTargets, instance.Id);

        var gates = all.ToDictionary(c => c.Name, _ => new SemaphoreSlim(settings.MaxConcurrentTargets, settings.MaxConcurrentTargets));
        try
        {
            var loops = new List<Task>();
            if (settings.ShareTargets)
            {
                _leases = new TargetLeases(leaseStore, instance, settings.TargetLeaseDuration, time, logger);
                var names = all.SelectMany(c => targets.Select(t => TargetLeases.NameOf(c.Name, t))).ToList();
                loops.Add(_leases.RunAsync(names, stoppingToken));
            }

            foreach (var collector in all)
            {
                var spread = settings.StartSpread < collector.Interval ? settings.StartSpread : collector.Interval;
                for (var i = 0; i < targets.Count; i++)
                {
                    var target = targets[i];
                    known.TryGetValue((collector.Name, target.AccountId, target.Region), out var previous);
                    var state = new TargetState(collector, target, previous);
                    loops.Add(RunTargetAsync(state, gates[collector.Name], spread * i / targets.Count, settings.PassTimeout, stoppingToken));
                }
            }

            await Task.WhenAll(loops);
        }
        finally
        {
            foreach (var gate in gates.Values)
            {
                gate.Dispose();
            }
        }

        LogStopped();
    }

    private static void CheckCollectors(List<ICollector> all)
    {
        foreach (var collector in all)
        {
            if (string.IsNullOrWhiteSpace(collector.Name) || collector.Interval <= TimeSpan.Zero)
            {
                throw new InvalidOperationException(
                    $"collector {collector.GetType().Name} has name '{collector.Name}' and interval {collector.Interval}: it needs a name and an interval above zero");
            }
        }

        if (all.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new InvalidOperationException(
                $"collectors {string.Join(" and ", twice.Select(c => c.GetType().Name))} are both named '{twice.Key}': their statuses and checkpoints would mix");
        }
    }

    /// <summary>What earlier processes recorded, so a restart keeps the last success and the failure count.</summary>
    private async Task<Dictionary<(string, string, string), CollectorStatus>> LoadStatusesAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await statusReader.GetCollectorStatusAsync(cancellationToken)).ToDictionary(s => (s.Collector, s.AccountId, s.Region));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStatusReadFailed(ex);
            return [];
        }
    }

    private async Task RunTargetAsync(TargetState state, SemaphoreSlim gate, TimeSpan firstDelay, TimeSpan passTimeout, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(firstDelay, time, stoppingToken);
            var interval = state.Collector.Interval;
            var next = time.GetUtcNow();
            while (true)
            {
                if (await HoldsAsync(state, stoppingToken) is { } held)
                {
                    await gate.WaitAsync(stoppingToken);
                    try
                    {
                        await RunPassAsync(state, passTimeout, held, stoppingToken);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }

                // Starts stay on the interval's grid; a pass that overran skips the starts it missed instead of
                // running back to back.
                next += interval;
                var now = time.GetUtcNow();
                if (next < now)
                {
                    next += interval * Math.Ceiling((now - next) / interval);
                }

                await Task.Delay(next - now, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the interrupted pass resumes from its checkpoint at the next start.
        }
    }

    /// <summary>
    /// The token that ends when this worker stops holding the target (none when targets are not shared), or null when
    /// another worker holds it. A target just taken over continues from the status the previous holder recorded.
    /// </summary>
    private async Task<CancellationToken?> HoldsAsync(TargetState state, CancellationToken cancellationToken)
    {
        if (_leases is null)
        {
            return CancellationToken.None;
        }

        var held = _leases.HeldToken(TargetLeases.NameOf(state.Collector.Name, state.Target));
        if (held is null)
        {
            state.Holding = false;
            return null;
        }

        if (!state.Holding)
        {
            var recorded = await LoadStatusesAsync(cancellationToken);
            if (recorded.TryGetValue((state.Collector.Name, state.Target.AccountId, state.Target.Region), out var status))
            {
                state.Status = status;
            }

            state.Holding = true;
        }

        return held;
    }

    private async Task RunPassAsync(TargetState state, TimeSpan passTimeout, CancellationToken held, CancellationToken stoppingToken)
    {
        var (collector, target) = (state.Collector, state.Target);
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        // The timeout and account name go with the status so a dashboard reading the store judges the pass by this
        // process's settings, not its own.
        state.Status = state.Status with
        {
            LastStart = startedAt,
            Instance = instance.Id,
            UpdatedAt = startedAt,
            PassTimeout = passTimeout,
            AccountName = target.Account.Name,
        };
        await SaveAsync(state.Status, stoppingToken);

        using var activity = CollectorsTelemetry.Source.StartActivity("collector pass");
        activity?.SetTag(CollectorsTelemetry.CollectorTag, collector.Name);
        activity?.SetTag(CollectorsTelemetry.AccountTag, target.AccountId);
        activity?.SetTag(CollectorsTelemetry.RegionTag, target.Region);
        using var timeout = new CancellationTokenSource(passTimeout, time);
        using var pass = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token, held);
        var report = new PassReport();
        string? error = null;
        Exception? unexpected = null;
        try
        {
            await collector.CollectAsync(target, report, pass.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (held.IsCancellationRequested)
        {
            // Another worker took the target over: it continues from the checkpoint; this pass is not a failure.
            LogPassHandedOver(collector.Name, target.ToString());
            return;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            error = $"account {target.Account.DisplayName}, {target.Region}: the pass took longer than {CollectorsOptions.SectionName}:PassTimeout ({passTimeout}) and was stopped";
        }
        catch (Exception ex)
        {
            error = CollectorErrors.Describe(ex, target);
            unexpected = ex is AwsServiceException ? null : ex;
        }

        var ended = time.GetUtcNow();
        var duration = time.GetElapsedTime(started);

        // Skips are recorded whether or not the pass finished: what it read and dropped before failing counts too.
        var skips = report.Skips;
        RecordTelemetry(activity, collector.Name, target, duration, error, report.IsDegraded, skips);
        state.Status = state.Status with
        {
            LastDuration = duration,
            LastSkipped = skips,
            TotalSkipped = state.Status.TotalSkipped.Add(skips),
            UpdatedAt = ended,
        };
        if (error is not null)
        {
            state.Status = state.Status with
            {
                ConsecutiveFailures = state.Status.ConsecutiveFailures + 1,
                LastError = error,
                LastFailure = ended,
                LastWarning = null,
                ConsecutiveDegraded = 0,
            };
            LogPassFailed(unexpected, collector.Name, target.ToString(), state.Status.ConsecutiveFailures, collector.Interval, error);
        }
        else if (report.IsDegraded)
        {
            var warning = Warning(report.Problems, target);
            state.Status = state.Status with
            {
                LastSuccess = ended,
                ConsecutiveFailures = 0,
                LastWarning = warning,
                ConsecutiveDegraded = state.Status.ConsecutiveDegraded + 1,
            };
            LogPassDegraded(collector.Name, target.ToString(), state.Status.ConsecutiveDegraded, warning, skips.ToString());
        }
        else
        {
            state.Status = state.Status with { LastSuccess = ended, ConsecutiveFailures = 0, LastWarning = null, ConsecutiveDegraded = 0 };
            LogPassSucceeded(collector.Name, target.ToString(), duration, skips.ToString());
        }

        await SaveAsync(state.Status, stoppingToken);
    }

    private static void RecordTelemetry(Activity? activity, string collector, CollectionTarget target, TimeSpan duration, string? error, bool degraded, SkipCounts skips)
    {
        var outcome = error is not null ? "failed" : degraded ? "degraded" : "ok";
        var tags = new TagList
        {
            { CollectorsTelemetry.CollectorTag, collector },
            { CollectorsTelemetry.AccountTag, target.AccountId },
            { CollectorsTelemetry.RegionTag, target.Region },
        };
        var withOutcome = tags;
        withOutcome.Add(CollectorsTelemetry.OutcomeTag, outcome);
        CollectorsTelemetry.Duration.Record(duration.TotalSeconds, withOutcome);
        if (error is not null)
        {
            CollectorsTelemetry.Failures.Add(1, tags);
            activity?.SetStatus(ActivityStatusCode.Error, error);
        }

        foreach (var (reason, count) in skips.ByReason)
        {
            var withReason = tags;
            withReason.Add(CollectorsTelemetry.ReasonTag, reason);
            CollectorsTelemetry.Skipped.Add(count, withReason);
        }

        activity?.SetTag(CollectorsTelemetry.OutcomeTag, outcome);
        activity?.SetTag("observe.skipped_rows", skips.Total);
    }

    /// <summary>The problems in one line that names the account, as errors do.</summary>
    private static string Warning(IReadOnlyList<string> problems, CollectionTarget target)
    {
        var joined = string.Join("; ", problems);
        return joined.Contains(target.AccountId, StringComparison.Ordinal) ? joined : $"account {target.Account.DisplayName}, {target.Region}: {joined}";
    }

    private async Task SaveAsync(CollectorStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await statusWriter.UpsertCollectorStatusAsync(status, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Collecting matters more than reporting on it: log and carry on.
            LogStatusWriteFailed(ex, status.Collector, status.AccountId, status.Region);
        }
    }

    /// <summary>One loop's status; only its own loop touches it.</summary>
    private sealed class TargetState(ICollector collector, CollectionTarget target, CollectorStatus? previous)
    {
        public ICollector Collector => collector;

        public CollectionTarget Target => target;

        /// <summary>This worker held the target at its last look (shared targets only).</summary>
        public bool Holding { get; set; }

        public CollectorStatus Status { get; set; } = previous ?? new CollectorStatus
        {
            Collector = collector.Name,
            AccountId = target.AccountId,
            Region = target.Region,
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Collectors off: {Section}:Enabled is false")]
    private partial void LogDisabled(string section);

    [LoggerMessage(Level = LogLevel.Information, Message = "Collectors idle: {Collectors} collectors registered, {Targets} account/region targets configured")]
    private partial void LogNothingToRun(int collectors, int targets);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Collectors starting: {Count} collectors ({Collectors}) over {Targets} account/region targets, at most {MaxConcurrent} targets at once per collector, instance {Instance}")]
    private partial void LogStarting(int count, string collectors, int targets, int maxConcurrent, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "Collectors stopped")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Collector {Collector} pass on {Target} done in {Duration}; skipped: {Skipped}")]
    private partial void LogPassSucceeded(string collector, string target, TimeSpan duration, string skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Collector {Collector} pass on {Target} degraded ({Degraded} in a row): {Warning}; skipped: {Skipped}")]
    private partial void LogPassDegraded(string collector, string target, int degraded, string warning, string skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Collector {Collector} pass on {Target} failed ({Failures} in a row; next try in {Interval}): {Error}")]
    private partial void LogPassFailed(Exception? exception, string collector, string target, int failures, TimeSpan interval, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Collector {Collector} pass on {Target} stopped: another worker holds the target now")]
    private partial void LogPassHandedOver(string collector, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the recorded collector status; counting failures from zero")]
    private partial void LogStatusReadFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the status of collector {Collector} on {Account} {Region}")]
    private partial void LogStatusWriteFailed(Exception exception, string collector, string account, string region);
}
