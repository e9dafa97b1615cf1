using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Configuration;

/// <summary>
/// The Live tail page's limits per viewer, bound from <c>Observe:Dashboard:LiveTail</c> and validated at start. The
/// session itself (Live Tail or polling, reconnects, its own per-viewer batch buffer) is configured under
/// <c>Observe:Collectors:LiveTail</c>.
/// </summary>
public sealed class LiveTailPageOptions
{
    public const string SectionName = "Observe:Dashboard:LiveTail";

    /// <summary>Lines a page keeps (shown, held while paused, searchable); beyond it the oldest go first, counted. Default 5,000.</summary>
    public int BufferLines { get; set; } = 5000;

    /// <summary>
    /// Newest lines drawn in the page at once: the browser's and the circuit's cost per render (at 500 events a second
    /// each update replaces them all). Default 100.
    /// </summary>
    public int DisplayLines { get; set; } = 100;

    /// <summary>New lines are drawn at most this often, so 500 events a second are a few renders, not 500. Default 250 ms.</summary>
    public TimeSpan RenderInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the session's source, viewers and cost are read again, and idleness checked. Default 1 s.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A page whose controls (selection, filter, pause) were not used for this long leaves its session (the last viewer to leave ends it: Live Tail
    /// is billed per session minute); the user resumes it with one click. Default 15 min.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Checks <see cref="LiveTailPageOptions"/> at start; every message names the setting.</summary>
internal sealed class LiveTailPageOptionsValidator : IValidateOptions<LiveTailPageOptions>
{
    private const string Section = LiveTailPageOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, LiveTailPageOptions options)
    {
        var failures = new List<string>();
        if (options.BufferLines is < 100 or > 100_000)
        {
            failures.Add($"{Section}:BufferLines is {options.BufferLines}; it must be between 100 and 100000.");
        }

        if (options.DisplayLines < 10 || options.DisplayLines > options.BufferLines)
        {
            failures.Add($"{Section}:DisplayLines is {options.DisplayLines}; it must be between 10 and BufferLines ({options.BufferLines}).");
        }

        OptionChecks.Between(failures, $"{Section}:RenderInterval", options.RenderInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2));
        OptionChecks.Between(failures, $"{Section}:StatusInterval", options.StatusInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        OptionChecks.Between(failures, $"{Section}:IdleTimeout", options.IdleTimeout, TimeSpan.FromSeconds(10), TimeSpan.FromHours(3));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
