using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// The alarms a composite alarm's rule names, in the order it names them. CloudWatch's rule language combines
/// <c>ALARM(x)</c>, <c>OK(x)</c>, <c>INSUFFICIENT_DATA(x)</c> and <c>AT_LEAST(M, STATE, (x, y, ...))</c> with AND, OR,
/// NOT, parentheses, TRUE and FALSE, where x is an alarm name or ARN, in double quotes when it holds anything but
/// letters, digits, <c>_</c>, <c>-</c> and <c>.</c>. Only the references matter here: the page shows the rule itself as
/// written, so a rule this reader cannot follow to its end is shown in full and said to be read only in part.
/// </summary>
/// <param name="References">Each alarm the rule names, once, as written (name or ARN).</param>
/// <param name="Complete">False when the text stopped making sense before its end (an open quote, an unclosed call).</param>
public sealed record CompositeAlarmRule(IReadOnlyList<string> References, bool Complete)
{
    private static readonly HashSet<string> StateFunctions = new(StringComparer.Ordinal) { "ALARM", "OK", "INSUFFICIENT_DATA" };

    public static CompositeAlarmRule Parse(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var (tokens, complete) = Tokenize(rule);
        var references = new List<string>();
        void Add(string reference)
        {
            if (reference.Length > 0 && !references.Contains(reference, StringComparer.Ordinal))
            {
                references.Add(reference);
            }
        }

        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] is not { Quoted: false } word || !IsPunct(tokens, i + 1, '('))
            {
                continue;
            }

            if (StateFunctions.Contains(word.Text))
            {
                // STATE(x): exactly one reference, then the closing parenthesis.
                if (i + 2 < tokens.Count && !tokens[i + 2].IsPunct && IsPunct(tokens, i + 3, ')'))
                {
                    Add(tokens[i + 2].Text);
                    i += 3;
                }
                else
                {
                    complete = false;
                }
            }
            else if (word.Text == "AT_LEAST")
            {
                // AT_LEAST(M, STATE, (x, y, ...)): the references are the inner list.
                var open = tokens.FindIndex(i + 2, t => t.IsPunct && t.Text == "(");
                var close = open < 0 ? -1 : tokens.FindIndex(open + 1, t => t.IsPunct && t.Text == ")");
                if (close < 0)
                {
                    complete = false;
                    break;
                }

                foreach (var t in tokens.Skip(open + 1).Take(close - open - 1).Where(t => !t.IsPunct))
                {
                    Add(t.Text);
                }

                i = close;
            }
        }

        return new CompositeAlarmRule(references, complete);
    }

    /// <summary>
    /// The alarms the references name among <paramref name="alarms"/> (an ARN matches its alarm; a name matches the
    /// alarm of that name in the composite's account and region, where CloudWatch resolves it); null for each
    /// reference the store has no alarm for.
    /// </summary>
    public IReadOnlyList<AlarmChild> Resolve(CloudWatchAlarm composite, IReadOnlyCollection<CloudWatchAlarm> alarms)
    {
        ArgumentNullException.ThrowIfNull(composite);
        ArgumentNullException.ThrowIfNull(alarms);
        return References.Select(reference => new AlarmChild(reference, alarms.FirstOrDefault(a => reference.StartsWith("arn:", StringComparison.Ordinal)
            ? string.Equals(a.Arn, reference, StringComparison.Ordinal)
            : a.AccountId == composite.AccountId && a.Region == composite.Region && string.Equals(a.Name, reference, StringComparison.Ordinal))))
            .ToList();
    }

    /// <summary>
    /// The functions an alarm watches: its own for a metric alarm; for a composite, those of the alarms it combines,
    /// through nested composites (a cycle, which CloudWatch refuses, is followed once).
    /// </summary>
    public static IReadOnlyList<FunctionKey> WatchedFunctions(CloudWatchAlarm alarm, IReadOnlyCollection<CloudWatchAlarm> alarms)
    {
        ArgumentNullException.ThrowIfNull(alarm);
        ArgumentNullException.ThrowIfNull(alarms);
        var functions = new List<FunctionKey>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<CloudWatchAlarm>([alarm]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next.Arn))
            {
                continue;
            }

            if (next.FunctionName is { } name && !functions.Contains(new FunctionKey(next.AccountId, next.Region, name)))
            {
                functions.Add(new FunctionKey(next.AccountId, next.Region, name));
            }

            if (next.Rule is { } rule)
            {
                // Pushed in reverse so the functions come out in the order the rule names their alarms.
                foreach (var child in Parse(rule).Resolve(next, alarms).Reverse())
                {
                    if (child.Alarm is { } found)
                    {
                        pending.Push(found);
                    }
                }
            }
        }

        return functions;
    }

    private static bool IsPunct(List<Token> tokens, int index, char c) =>
        index < tokens.Count && tokens[index].IsPunct && tokens[index].Text[0] == c;

    private static (List<Token> Tokens, bool Complete) Tokenize(string rule)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < rule.Length)
        {
            var c = rule[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ',')
            {
                tokens.Add(new Token(c.ToString(), Quoted: false, IsPunct: true));
                i++;
            }
            else if (c == '"')
            {
                // A quoted reference runs to the next quote not escaped by a backslash.
                var text = new System.Text.StringBuilder();
                var j = i + 1;
                while (j < rule.Length && rule[j] != '"')
                {
                    if (rule[j] == '\\' && j + 1 < rule.Length)
                    {
                        j++;
                    }

                    text.Append(rule[j]);
                    j++;
                }

                if (j >= rule.Length)
                {
                    return (tokens, false);
                }

                tokens.Add(new Token(text.ToString(), Quoted: true, IsPunct: false));
                i = j + 1;
            }
            else
            {
                var j = i;
                while (j < rule.Length && !char.IsWhiteSpace(rule[j]) && rule[j] is not ('(' or ')' or ',' or '"'))
                {
                    j++;
                }

                tokens.Add(new Token(rule[i..j], Quoted: false, IsPunct: false));
                i = j;
            }
        }

        return (tokens, true);
    }

    private sealed record Token(string Text, bool Quoted, bool IsPunct);
}

/// <summary>An alarm a composite names: as the rule writes it, and the stored alarm it resolves to (null when none).</summary>
public sealed record AlarmChild(string Reference, CloudWatchAlarm? Alarm);
