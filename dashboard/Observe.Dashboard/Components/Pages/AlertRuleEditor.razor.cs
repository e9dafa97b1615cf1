using System.Globalization;
using Microsoft.AspNetCore.Components;
using Observe.Alerting.Console;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// One rule's editor at <c>/alerts/rules/{id}</c>, or a new rule's at <c>/alerts/rules/new</c> (from a template,
/// <c>?template=N</c>): the YAML document, checked as it is typed by the parser the rules file goes through, saved only
/// when valid. A rules-file rule is shown read-only with its file. Nothing is written until Save or Delete, so the
/// rules in force keep working whatever is typed here.
/// </summary>
public sealed partial class AlertRuleEditor : ComponentBase, IDisposable
{
    /// <summary>What a blank new rule starts as: every field a rule usually sets, valid as it stands.</summary>
    internal const string BlankRule = """
        id: my-rule
        name: My rule
        description: What it catches and why it matters.
        condition: error_rate > 5%
        window: 5m
        for: 5m
        severity: warning
        channels: []
        """;

    private RuleEditorModel? _editor;
    private AlertRuleView? _fileRule;
    private bool _missing;
    private bool _interactive;
    private bool _saving;
    private bool _confirmDelete;
    private string? _saveError;
    private string? _loadError;
    private ILogger? _log;

    /// <summary>The rule edited; null at <c>/alerts/rules/new</c>.</summary>
    [Parameter]
    public string? RuleId { get; set; }

    /// <summary>The template a new rule starts from (an index into the console's templates); null for a blank rule.</summary>
    [SupplyParameterFromQuery(Name = "template")]
    public int? Template { get; set; }

    [Inject]
    public required IAlertingConsoleReader Console { get; init; }

    [Inject]
    public required AlertingActions Actions { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILoggerFactory LoggerFactory { get; init; }

    private string Title => RuleId is null ? "New rule" : _fileRule is not null ? $"Rule '{RuleId}' (rules file)" : $"Edit rule '{RuleId}'";

    protected override async Task OnParametersSetAsync()
    {
        _log ??= LoggerFactory.CreateLogger<AlertRuleEditor>();
        _editor?.Dispose();
        _editor = null;
        _fileRule = null;
        _missing = false;
        _loadError = null;
        _confirmDelete = false;
        string document;
        if (RuleId is null)
        {
            document = Template is { } index && index >= 0 && index < Console.Templates.Count ? Console.Templates[index].Document : BlankRule;
        }
        else
        {
            AlertRulesView rules;
            try
            {
                rules = await Console.GetRulesAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log.LogError(ex, "Could not read alert rule {RuleId}", RuleId);
                _loadError = "The rule could not be read: the store did not answer. Reload the page; if this lasts, check the Observe:Store settings and the dashboard's log.";
                return;
            }

            // A dashboard rule wins over a file rule of the same id, as in evaluation.
            var rule = rules.Rules.FirstOrDefault(r => r.Id == RuleId && !r.ReadOnly) ?? rules.Rules.FirstOrDefault(r => r.Id == RuleId);
            if (rule is null)
            {
                _missing = true;
                return;
            }

            if (rule.ReadOnly)
            {
                _fileRule = rule;
                return;
            }

            document = rule.Document;
        }

        _editor = new RuleEditorModel(Console, RuleId, document, Time);
        _editor.Changed += OnValidated;
        await _editor.ValidateAsync();
    }

    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            _interactive = true;
            StateHasChanged();
        }
    }

    private void OnValidated() => _ = InvokeAsync(StateHasChanged);

    private void OnInput(ChangeEventArgs e) => _editor?.Edit(e.Value as string ?? "");

    private static int Rows(string document) => Math.Clamp(document.Count(c => c == '\n') + 2, 8, 30);

    private static string ErrorsSummary(int count) => count == 1
        ? "1 error: the rule cannot be saved until it is fixed."
        : string.Create(CultureInfo.InvariantCulture, $"{count} errors: the rule cannot be saved until they are fixed.");

    private async Task SaveAsync()
    {
        if (_editor is not { } editor)
        {
            return;
        }

        _saving = true;
        _saveError = null;
        try
        {
            var result = await Actions.SaveRuleAsync(RuleId, editor.Document, CancellationToken.None);
            if (result.Succeeded)
            {
                Navigation.NavigateTo("alerts/rules?saved=" + Uri.EscapeDataString(result.RuleId));
                return;
            }

            editor.Refused(result.Errors);
        }
        catch (DashboardActionException denied)
        {
            _saveError = denied.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log?.LogError(ex, "Could not save alert rule {RuleId}", RuleId);
            _saveError = "The rule was not saved: the store did not answer. Try again; if this lasts, check the Observe:Store settings and the dashboard's log.";
        }
        finally
        {
            _saving = false;
        }
    }

    private async Task DeleteAsync()
    {
        _saving = true;
        _saveError = null;
        try
        {
            var result = await Actions.DeleteRuleAsync(RuleId!, CancellationToken.None);
            if (result.Succeeded)
            {
                Navigation.NavigateTo("alerts/rules?deleted=" + Uri.EscapeDataString(result.RuleId));
                return;
            }

            _saveError = string.Join("; ", result.Errors.Select(e => e.ToString()));
        }
        catch (DashboardActionException denied)
        {
            _saveError = denied.Message;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log?.LogError(ex, "Could not delete alert rule {RuleId}", RuleId);
            _saveError = "The rule was not deleted: the store did not answer. Try again; if this lasts, check the Observe:Store settings and the dashboard's log.";
        }
        finally
        {
            _saving = false;
            _confirmDelete = false;
        }
    }

    public void Dispose() => _editor?.Dispose();
}
