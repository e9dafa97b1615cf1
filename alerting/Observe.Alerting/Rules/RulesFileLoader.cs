using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Observe.Alerting.Channels;

namespace Observe.Alerting.Rules;

/// <summary>The outcome of one read of the rules file.</summary>
/// <param name="Rules">The rules in force after it: the file's valid rules, and the last good version of each rule whose new text is bad.</param>
/// <param name="Errors">What is wrong in the file as read, by field.</param>
/// <param name="Kept">Ids of rules whose last good version was kept because the new text is bad.</param>
internal sealed record RulesFileReload(IReadOnlyList<RuleDefinition> Rules, IReadOnlyList<RuleError> Errors, IReadOnlyList<string> Kept);

/// <summary>
/// Reads the rules file at start and again whenever it changes. A bad rule never takes a working one down: the good
/// rules of the new text load, and a rule whose new text is bad keeps its last good version (until it is fixed or
/// removed from the file); a file that cannot be read or parsed at all keeps the whole last good set.
/// </summary>
internal sealed partial class RulesFileLoader : BackgroundService
{
    private readonly string? _path;
    private readonly RuleParser _parser;
    private readonly ILogger<RulesFileLoader> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile RulesFileReload _current = new([], [], []);

    public RulesFileLoader(IOptions<RulesFileOptions> options, IEnumerable<INotificationChannel> channels, ILogger<RulesFileLoader> logger)
        : this(options, [.. channels.Select(c => c.Id)], logger)
    {
    }

    internal RulesFileLoader(IOptions<RulesFileOptions> options, IReadOnlyCollection<string> channelIds, ILogger<RulesFileLoader> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _path = string.IsNullOrWhiteSpace(options.Value.Path) ? null : Path.GetFullPath(options.Value.Path);
        _parser = new RuleParser(channelIds);
        _logger = logger;
    }

    /// <summary>The latest read: the rules in force and the file's errors.</summary>
    public RulesFileReload Current => _current;

    /// <summary>Raised after every read of the file (at start and after each change), with its outcome.</summary>
    public event EventHandler<RulesFileReload>? Reloaded;

    /// <summary>Reads the file now and merges it into the rules in force as the class describes.</summary>
    public async Task<RulesFileReload> ReloadAsync(CancellationToken cancellationToken)
    {
        if (_path is null)
        {
            return _current;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var previous = _current;
            string text;
            try
            {
                text = await File.ReadAllTextAsync(_path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogUnreadable(_logger, _path, e.Message, previous.Rules.Count);
                return Publish(_path, previous with { Errors = [new RuleError("(file)", $"cannot read {_path}: {e.Message}", null)], Kept = [.. previous.Rules.Select(r => r.Id)] });
            }

            return Publish(_path, Merge(previous, _parser.ParseFile(text, _path)));
        }
        finally
        {
            _gate.Release();
        }
    }

    private RulesFileReload Publish(string path, RulesFileReload next)
    {
        foreach (var error in next.Errors)
        {
            LogRuleError(_logger, path, error.ToString());
        }

        LogLoaded(_logger, path, next.Rules.Count, next.Errors.Count, next.Kept.Count);
        _current = next;
        Reloaded?.Invoke(this, next);
        return next;
    }

    private static RulesFileReload Merge(RulesFileReload previous, RuleParseResult parsed)
    {
        // Nothing of the document could be read: every rule it held keeps its last good version.
        if (parsed.Rules.Count == 0 && parsed.Errors.Any(e => e.Path is "(document)" or "rules"))
        {
            return new RulesFileReload(previous.Rules, parsed.Errors, [.. previous.Rules.Select(r => r.Id)]);
        }

        var loaded = parsed.Rules.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var bad = parsed.Errors.Where(e => e.RuleId is not null && !loaded.Contains(e.RuleId)).Select(e => e.RuleId!).ToHashSet(StringComparer.Ordinal);
        var kept = previous.Rules.Where(r => bad.Contains(r.Id)).ToList();
        return new RulesFileReload([.. parsed.Rules, .. kept], parsed.Errors, [.. kept.Select(r => r.Id)]);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_path is null)
        {
            return;
        }

        // A change is a signal to re-read, however many events one save raises; a read that catches a half-written
        // file reports its errors and the next event reads the rest.
        var changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => changes.Writer.TryWrite(true);
        watcher.Changed += changed;
        watcher.Created += changed;
        watcher.Deleted += changed;
        watcher.Renamed += (_, _) => changes.Writer.TryWrite(true);
        watcher.EnableRaisingEvents = true;

        await ReloadAsync(stoppingToken);
        await foreach (var _ in changes.Reader.ReadAllAsync(stoppingToken))
        {
            await ReloadAsync(stoppingToken);
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rules file {Path}: {Rules} rules in force, {Errors} errors, {Kept} rules kept at their last good version")]
    private static partial void LogLoaded(ILogger logger, string path, int rules, int errors, int kept);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rules file {Path}: {Error}")]
    private static partial void LogRuleError(ILogger logger, string path, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rules file {Path} cannot be read ({Reason}); the {Rules} rules read before stay in force")]
    private static partial void LogUnreadable(ILogger logger, string path, string reason, int rules);
}
