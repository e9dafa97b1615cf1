using System.Security.Cryptography;
using System.Text;

namespace Observe.Collectors.Parsing;

/// <summary>
/// Groups errors that are the same bug: exception type + normalised message + top stack frames. Normalising removes
/// what differs between occurrences of one bug (ids, numbers, GUIDs, hex, quoted values, line numbers), so
/// <c>Order 12345 failed</c> and <c>Order 999 failed</c> share a fingerprint while a different exception type does not.
/// </summary>
internal static class ErrorFingerprint
{
    /// <summary>Frames that take part in the fingerprint.</summary>
    public const int TopFrames = 3;

    /// <summary>Normalised messages are cut here: the start of a message identifies it, the tail is usually data.</summary>
    public const int MaxNormalisedLength = 300;

    /// <summary>
    /// A 16-hex-digit fingerprint. The type is compared by its short name (<c>InvalidOperationException</c>), because
    /// Lambda's runtime reports the short name where the application's logger writes the full one for the same error.
    /// </summary>
    public static string Compute(string errorType, string normalisedMessage, IReadOnlyList<string> frames)
    {
        var text = new StringBuilder(ShortTypeName(errorType).Length + normalisedMessage.Length + 64);
        text.Append(ShortTypeName(errorType)).Append('\n').Append(normalisedMessage);
        for (var i = 0; i < frames.Count && i < TopFrames; i++)
        {
            text.Append('\n').Append(frames[i]);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), hash);
        return Convert.ToHexString(hash[..8]).ToLowerInvariant();
    }

    internal static ReadOnlySpan<char> ShortTypeName(ReadOnlySpan<char> type)
    {
        var cut = type.LastIndexOfAny('.', '+');
        return cut >= 0 && cut < type.Length - 1 ? type[(cut + 1)..] : type;
    }

    private static string ShortTypeName(string type) => ShortTypeName(type.AsSpan()).ToString();

    /// <summary>
    /// The message with the parts that vary between occurrences replaced: quoted text by <c>&lt;str&gt;</c>, GUIDs by
    /// <c>&lt;guid&gt;</c>, hex by <c>&lt;hex&gt;</c>, numbers by <c>&lt;num&gt;</c>, other words containing a digit
    /// (ids, ARNs, timestamps) by <c>&lt;id&gt;</c>; whitespace collapsed; cut at <see cref="MaxNormalisedLength"/>.
    /// </summary>
    public static string NormaliseMessage(ReadOnlySpan<char> message)
    {
        var output = new StringBuilder(Math.Min(message.Length, MaxNormalisedLength) + 8);
        var pendingSpace = false;
        var i = 0;
        while (i < message.Length && output.Length < MaxNormalisedLength)
        {
            var c = message[i];
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = output.Length > 0;
                i++;
                continue;
            }

            if (pendingSpace)
            {
                output.Append(' ');
                pendingSpace = false;
            }

            if (IsQuote(c) && QuoteEnd(message, i) is var close and > 0)
            {
                output.Append("<str>");
                i = close + 1;
                continue;
            }

            if (IsWordChar(c))
            {
                var end = WordEnd(message, i);
                AppendWord(output, message[i..end]);
                i = end;
                continue;
            }

            output.Append(c);
            i++;
        }

        if (output.Length > MaxNormalisedLength)
        {
            output.Length = MaxNormalisedLength;
        }

        return output.ToString();
    }

    /// <summary>
    /// A stack frame reduced to the method it names: <c>at Shop.Orders.Place(Order o) in /src/Orders.cs:line 42</c>
    /// becomes <c>Shop.Orders.Place</c>, async state machines (<c>&lt;PlaceAsync&gt;d__5.MoveNext</c>) become the method,
    /// and digits (compiler-generated indices that change between builds) become <c>#</c>. Null for lines that are not
    /// frames or are runtime plumbing (<c>--- End of stack trace ---</c>, task awaiters).
    /// </summary>
    public static string? NormaliseFrame(ReadOnlySpan<char> line)
    {
        var frame = line.Trim();
        if (frame.StartsWith("at ", StringComparison.Ordinal))
        {
            frame = frame[3..].TrimStart();
        }
        else if (frame.StartsWith("File \"", StringComparison.Ordinal))
        {
            return PythonFrame(frame);
        }
        else
        {
            return null;
        }

        // Node writes "at fn (/var/task/index.js:10:11)"; .NET "at N.T.M(args) in path:line 42"; Java "at p.C.m(C.java:42)".
        var paren = frame.IndexOf('(');
        if (paren > 0)
        {
            frame = frame[..paren].TrimEnd();
        }
        else if (paren == 0)
        {
            return null;
        }

        var inPath = frame.IndexOf(" in ", StringComparison.Ordinal);
        if (inPath > 0)
        {
            frame = frame[..inPath];
        }

        if (frame.IsEmpty || frame.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal)
            || frame.StartsWith("System.Runtime.ExceptionServices.", StringComparison.Ordinal)
            || frame.StartsWith("System.Threading.Tasks.", StringComparison.Ordinal))
        {
            return null;
        }

        var text = new StringBuilder(frame.Length);
        for (var i = 0; i < frame.Length && text.Length < 200; i++)
        {
            var c = frame[i];
            if (c == '<')
            {
                // "<PlaceAsync>d__5.MoveNext" -> "PlaceAsync"; "<>c__DisplayClass3_0.<Handle>b__0" -> "<>c.Handle".
                var close = frame[i..].IndexOf('>');
                if (close > 1)
                {
                    text.Append(frame.Slice(i + 1, close - 1));
                    i += close;
                    while (i + 1 < frame.Length && frame[i + 1] != '.')
                    {
                        i++;
                    }

                    continue;
                }
            }

            if (char.IsAsciiDigit(c))
            {
                if (text.Length == 0 || text[^1] != '#')
                {
                    text.Append('#');
                }

                continue;
            }

            text.Append(c);
        }

        if (text.Length >= 9 && text.ToString().EndsWith(".MoveNext", StringComparison.Ordinal))
        {
            text.Length -= 9;
        }

        return text.Length == 0 ? null : text.ToString();
    }

    // File "/var/task/app.py", line 10, in handler  ->  app.py:handler
    private static string? PythonFrame(ReadOnlySpan<char> frame)
    {
        var rest = frame[6..];
        var close = rest.IndexOf('"');
        if (close <= 0)
        {
            return null;
        }

        var path = rest[..close];
        var slash = path.LastIndexOf('/');
        var file = slash >= 0 ? path[(slash + 1)..] : path;
        var inAt = rest.IndexOf(", in ", StringComparison.Ordinal);
        var function = inAt > 0 ? rest[(inAt + 5)..].Trim() : "";
        return string.Concat(file, ":", function);
    }

    private static bool IsQuote(char c) => c is '"' or '\'' or '`' or '\u2018' or '\u201C';

    // The index of the closing quote on the same line, or -1. An apostrophe inside a word ("can't") opens nothing.
    private static int QuoteEnd(ReadOnlySpan<char> s, int open)
    {
        var quote = s[open];
        if (quote == '\'' && open > 0 && char.IsLetterOrDigit(s[open - 1]))
        {
            return -1;
        }

        var closing = quote switch { '\u2018' => '\u2019', '\u201C' => '\u201D', _ => quote };
        for (var j = open + 1; j < s.Length && j - open < 2048; j++)
        {
            if (s[j] is '\n' or '\r')
            {
                return -1;
            }

            if (s[j] == closing && (quote != '\'' || j + 1 == s.Length || !char.IsLetterOrDigit(s[j + 1])))
            {
                return j;
            }
        }

        return -1;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    // Words run through '-', '.', ':' and '/' when a word character follows, so ARNs, GUIDs, versions and paths are one word.
    private static int WordEnd(ReadOnlySpan<char> s, int start)
    {
        var i = start;
        while (i < s.Length)
        {
            if (IsWordChar(s[i]))
            {
                i++;
            }
            else if (s[i] is '-' or '.' or ':' or '/' && i + 1 < s.Length && IsWordChar(s[i + 1]))
            {
                i += 2;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    private static void AppendWord(StringBuilder output, ReadOnlySpan<char> word)
    {
        var digits = 0;
        var hexOnly = true;
        var numeric = true;
        foreach (var c in word)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else
            {
                hexOnly &= char.IsAsciiHexDigit(c);
                numeric &= c is '.' or ',' or ':' or '-' or '_';
            }
        }

        if (digits == 0)
        {
            output.Append(word);
        }
        else if (IsGuid(word))
        {
            output.Append("<guid>");
        }
        else if (numeric)
        {
            output.Append("<num>");
        }
        else if ((word.Length > 2 && word[0] == '0' && word[1] is 'x' or 'X' && IsHex(word[2..])) || (hexOnly && word.Length >= 8))
        {
            output.Append("<hex>");
        }
        else
        {
            output.Append("<id>");
        }
    }

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsGuid(ReadOnlySpan<char> s) =>
        s.Length == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-'
        && IsHex(s[..8]) && IsHex(s[9..13]) && IsHex(s[14..18]) && IsHex(s[19..23]) && IsHex(s[24..]);
}
