using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Observe.Dashboard.Tests.Hosting;

/// <summary>
/// A dashboard started as its own process (the published dll, or <c>dotnet run</c>), its output collected, killed with
/// its children when disposed.
/// </summary>
internal sealed class DashboardProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _signInLink = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DashboardProcess(ProcessStartInfo start)
    {
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) =>
        {
            _listening.TrySetException(new InvalidOperationException($"the dashboard exited before listening:\n{Output}"));
            _signInLink.TrySetException(new InvalidOperationException($"the dashboard exited before printing its sign-in link:\n{Output}"));
        };
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>; <c>null</c> values remove a variable.</summary>
    public static DashboardProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };

        // The test run's own settings must not leak into the process under test.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("Observe__", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new DashboardProcess(start);
        process._process.Start();
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    /// <summary>The address of the process's first "Now listening on:" line, once it logs it.</summary>
    public async Task<Uri> WaitUntilListeningAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            return new Uri(await _listening.Task.WaitAsync(timeout.Token));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the dashboard did not listen within {limit}:\n{Output}");
        }
    }

    /// <summary>The browser-token link the process prints on its console once it listens.</summary>
    public async Task<Uri> WaitForSignInLinkAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            return new Uri(await _signInLink.Task.WaitAsync(timeout.Token));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the dashboard printed no sign-in link within {limit}:\n{Output}");
        }
    }

    /// <summary>A port nothing listens on now (the process binds it a moment later).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // `dotnet run` starts the dashboard as a child: stop the whole tree.
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        const string Marker = "Now listening on: ";
        if (line.IndexOf(Marker, StringComparison.Ordinal) is var at and >= 0)
        {
            _listening.TrySetResult(line[(at + Marker.Length)..].Trim());
        }

        const string SignIn = "Observe dashboard: sign in with ";
        if (line.StartsWith(SignIn, StringComparison.Ordinal))
        {
            _signInLink.TrySetResult(line[SignIn.Length..].Trim());
        }
    }
}
