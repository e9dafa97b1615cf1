namespace Observe.Dashboard.Tests.Hosting;

/// <summary>
/// app.css is one file that every page appends a section to, so merges meet in it. A brace lost in a merge does not
/// fail any build: the rules after it silently move into the block left open (a phone-only media query, say). This
/// reads the stylesheet as the browser would at its top level and fails where a block is left open or closed twice.
/// </summary>
public sealed class StylesheetTests
{
    [Fact]
    public void AppCss_EveryBlockClosed_NoRuleSwallowedByAnOpenMediaQuery()
    {
        var path = FindStylesheet();
        var depth = 0;
        var openedAt = new Stack<int>();
        var inComment = false;
        var lines = File.ReadAllLines(path);
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            for (var i = 0; i < line.Length; i++)
            {
                if (inComment)
                {
                    if (line[i] == '*' && i + 1 < line.Length && line[i + 1] == '/')
                    {
                        inComment = false;
                        i++;
                    }
                }
                else if (line[i] == '/' && i + 1 < line.Length && line[i + 1] == '*')
                {
                    inComment = true;
                    i++;
                }
                else if (line[i] == '{')
                {
                    depth++;
                    openedAt.Push(n + 1);
                }
                else if (line[i] == '}')
                {
                    Assert.True(depth > 0, $"app.css line {n + 1} closes a block that is not open");
                    depth--;
                    openedAt.Pop();
                }
            }

            // A section's comment at the top level: what follows it must not sit inside an earlier block.
            if (line.StartsWith("/* ----", StringComparison.Ordinal) || line.StartsWith("/* Traces", StringComparison.Ordinal))
            {
                if (depth != 0)
                {
                    Assert.Fail($"app.css line {n + 1} starts a section inside the block opened at line {openedAt.Peek()}");
                }
            }
        }

        Assert.False(inComment, "app.css ends inside a comment");
        if (depth != 0)
        {
            Assert.Fail($"app.css ends with the block opened at line {openedAt.Peek()} still open");
        }
    }

    private static string FindStylesheet()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "dashboard", "Observe.Dashboard", "wwwroot", "app.css");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("dashboard/Observe.Dashboard/wwwroot/app.css not found above " + AppContext.BaseDirectory);
    }
}
