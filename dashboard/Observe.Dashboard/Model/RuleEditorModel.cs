using Observe.Alerting.Console;

namespace Observe.Dashboard.Model;

/// <summary>
/// The rule editor's state: the document as typed, validated by the console once typing pauses for
/// <see cref="Debounce"/> (the parser the rules file goes through), and whether it may be saved. Results of a
/// validation overtaken by later typing are dropped. <see cref="Changed"/> is raised from a timer thread: the page
/// re-renders through its dispatcher.
/// </summary>
public sealed class RuleEditorModel : IDisposable
{
    /// <summary>How long typing must pause before the document is validated.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly IAlertingConsoleReader _console;
    private readonly ITimer _timer;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private long _version;

    public RuleEditorModel(IAlertingConsoleReader console, string? editingId, string document, TimeProvider time)
    {
        _console = console;
        EditingId = editingId;
        Document = document;
        _timer = time.CreateTimer(_ => _ = ValidateAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The rule being changed; null for a new rule.</summary>
    public string? EditingId { get; }

    public string Document { get; private set; }

    /// <summary>The errors of the last validated text, each naming its field.</summary>
    public IReadOnlyList<RuleFieldError> Errors { get; private set; } = [];

    /// <summary>The text changed since it was last validated.</summary>
    public bool Validating { get; private set; } = true;

    /// <summary>Validated with no errors.</summary>
    public bool Valid => !Validating && Errors.Count == 0;

    /// <summary>Why validation itself failed (the store did not answer), for the page to say.</summary>
    public string? Failure { get; private set; }

    /// <summary>Raised after a validation result is applied.</summary>
    public event Action? Changed;

    /// <summary>Takes the new text; it is validated once typing pauses.</summary>
    public void Edit(string document)
    {
        lock (_gate)
        {
            Document = document;
            _version++;
            Validating = true;
        }

        _timer.Change(Debounce, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Validates the current text now (on opening, and before saving).</summary>
    public async Task ValidateAsync()
    {
        string document;
        long version;
        lock (_gate)
        {
            document = Document;
            version = _version;
        }

        IReadOnlyList<RuleFieldError> errors;
        string? failure = null;
        try
        {
            errors = await _console.ValidateAsync(EditingId, document, _disposed.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            errors = [];
            failure = "The rule could not be checked: the store did not answer. Keep typing to try again; the dashboard's log has the cause.";
        }

        lock (_gate)
        {
            if (version != _version)
            {
                return;
            }

            Errors = errors;
            Failure = failure;
            Validating = failure is not null;
        }

        Changed?.Invoke();
    }

    /// <summary>Replaces the errors with a refused save's (the rules changed meanwhile, say).</summary>
    public void Refused(IReadOnlyList<RuleFieldError> errors)
    {
        lock (_gate)
        {
            Errors = errors;
            Validating = false;
        }
    }

    public void Dispose()
    {
        // The token source is left undisposed: a timer callback already running may still read its token.
        _disposed.Cancel();
        _timer.Dispose();
    }
}
