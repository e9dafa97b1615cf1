using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Observe.Collectors.Aws;
using Observe.Collectors.CloudWatch;
using Observe.Collectors.Logs;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Aws;

/// <summary>
/// Issue 9 defect 11: what a misbehaving server can make the AWS layer do. The answers are written from the AWS API
/// references (moto cannot be made to repeat a page token or send an oversized body).
/// </summary>
public class ResponseLimitsTests
{
    private const string Account = "123456789012";

    [Fact]
    public async Task ListFunctions_ServerReturnsTheSameMarkerAgain_FailsNamingTheOperation()
    {
        using var guard = new CancellationTokenSource();
        var transport = new StubTransport((_, index) =>
        {
            // Without detection the loop would ask forever: stop it at the 50th request so the test fails instead.
            if (index >= 50)
            {
                guard.Cancel();
            }

            return (HttpStatusCode.OK, """{"Functions":[{"FunctionName":"orders-api","FunctionArn":"arn:aws:lambda:eu-west-1:123456789012:function:orders-api"}],"NextMarker":"same-marker"}""");
        });
        using var host = Host(transport);

        var error = await Assert.ThrowsAsync<AwsServiceException>(async () =>
        {
            await foreach (var _ in host.Clients.Lambda(Account, "eu-west-1").ListFunctionsAsync(guard.Token))
            {
            }
        });

        Assert.Equal("RepeatedPageToken", error.ErrorCode);
        Assert.Contains("Lambda ListFunctions", error.Message, StringComparison.Ordinal);
        Assert.Contains("page token already followed", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, transport.Seen.Count);
    }

    [Fact]
    public async Task DescribeAlarms_TokensCycleThroughTwoPages_FailsAtTheFirstRepeat()
    {
        using var guard = new CancellationTokenSource();
        var transport = new StubTransport((request, index) =>
        {
            if (index >= 50)
            {
                guard.Cancel();
            }

            // Page A names B, page B names A again: a cycle, not the same token twice in a row.
            var next = request.Body.Contains("\"NextToken\":\"A\"", StringComparison.Ordinal) ? "B" : "A";
            return (HttpStatusCode.OK, $$"""{"MetricAlarms":[],"CompositeAlarms":[],"NextToken":"{{next}}"}""");
        });
        using var host = Host(transport);

        var error = await Assert.ThrowsAsync<AwsServiceException>(async () =>
        {
            await foreach (var _ in host.Clients.CloudWatch(Account, "eu-west-1").DescribeAlarmsAsync(new DescribeAlarmsRequest(), guard.Token))
            {
            }
        });

        Assert.Equal("RepeatedPageToken", error.ErrorCode);
        Assert.Contains("CloudWatch DescribeAlarms", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, transport.Seen.Count);
    }

    [Fact]
    public async Task FilterLogEvents_SameNextTokenOnEmptyPages_Fails()
    {
        using var guard = new CancellationTokenSource();
        var transport = new StubTransport((_, index) =>
        {
            if (index >= 50)
            {
                guard.Cancel();
            }

            return (HttpStatusCode.OK, """{"events":[],"nextToken":"f/stuck"}""");
        });
        using var host = Host(transport);
        var filter = new LogEventFilter("/aws/lambda/orders-api", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(5));

        var error = await Assert.ThrowsAsync<AwsServiceException>(async () =>
        {
            await foreach (var _ in host.Clients.Logs(Account, "eu-west-1").FilterLogEventsAsync(filter, guard.Token))
            {
            }
        });

        Assert.Equal(("RepeatedPageToken", 2), (error.ErrorCode, transport.Seen.Count));
    }

    [Fact]
    public async Task BatchGetTraces_SameNextTokenAgain_Fails()
    {
        using var guard = new CancellationTokenSource();
        var transport = new StubTransport((_, index) =>
        {
            if (index >= 50)
            {
                guard.Cancel();
            }

            return (HttpStatusCode.OK, """{"Traces":[],"UnprocessedTraceIds":[],"NextToken":"t/stuck"}""");
        });
        using var host = Host(transport);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            host.Clients.XRay(Account, "eu-west-1").BatchGetTracesAsync(["1-67890abc-0123456789abcdef01234567"], guard.Token));

        Assert.Equal("RepeatedPageToken", error.ErrorCode);
        Assert.Contains("XRay BatchGetTraces", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_GzipBodyInflatingPastTheCap_FailsNamingTheSettingWithoutRetrying()
    {
        // 64 MiB of spaces gzip to about 64 KiB: over HTTP with Content-Encoding: gzip, the real transport (the
        // caller's own SocketsHttpHandler, decompressing) inflates it; the cap must count the inflated bytes.
        var bomb = Gzip(64 * 1024 * 1024);
        using var server = new RawHttpServer(bomb, "gzip");
        var options = Options(server.Url);
        options.MaxResponseBytes = 1024 * 1024;
        using var host = new AwsTestHost(options);

        var error = await Assert.ThrowsAsync<AwsServiceException>(async () =>
        {
            await foreach (var _ in host.Clients.CloudWatch(Account, "eu-west-1").ListMetricsAsync(new ListMetricsRequest(), CancellationToken.None))
            {
            }
        });

        Assert.True(error.ErrorCode == "ResponseTooLarge", error.Message);
        Assert.Contains("CloudWatch ListMetrics", error.Message, StringComparison.Ordinal);
        Assert.Contains("Observe:Aws:MaxResponseBytes (1,048,576 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 1), (error.Attempts, server.Requests));
        Assert.True(bomb.Length < options.MaxResponseBytes, "the body on the wire is under the cap; only its inflated size is over");
    }

    [Fact]
    public async Task Call_PlainBodyOverTheCap_Fails_AndOneUnderItIsRead()
    {
        var body = Encoding.UTF8.GetBytes("{\"Metrics\":[],\"Padding\":\"" + new string('x', 2 * 1024 * 1024) + "\"}");
        using var server = new RawHttpServer(body, null);
        var options = Options(server.Url);
        options.MaxResponseBytes = 1024 * 1024;
        using (var host = new AwsTestHost(options))
        {
            var error = await Assert.ThrowsAsync<AwsServiceException>(async () =>
            {
                await foreach (var _ in host.Clients.CloudWatch(Account, "eu-west-1").ListMetricsAsync(new ListMetricsRequest(), CancellationToken.None))
                {
                }
            });
            Assert.True(error.ErrorCode == "ResponseTooLarge", error.Message);
        }

        options.MaxResponseBytes = 4 * 1024 * 1024;
        using (var host = new AwsTestHost(options))
        {
            await foreach (var _ in host.Clients.CloudWatch(Account, "eu-west-1").ListMetricsAsync(new ListMetricsRequest(), CancellationToken.None))
            {
            }
        }
    }

    [Theory]
    [InlineData(1024L * 1024 - 1)]
    [InlineData(1024L * 1024 * 1024 + 1)]
    public void Validate_MaxResponseBytesOutOfRange_NamesTheSetting(long value)
    {
        var result = new AwsOptionsValidator().Validate(null, new AwsOptions { MaxResponseBytes = value });

        Assert.Contains(result.Failures!, f => f.StartsWith("Observe:Aws:MaxResponseBytes ", StringComparison.Ordinal));
    }

    private static AwsTestHost Host(StubTransport transport)
    {
        return new AwsTestHost(Options("https://aws.test.invalid"), transport: transport);
    }

    private static AwsOptions Options(string endpoint)
    {
        var options = AwsTestHost.OptionsFor(endpoint, (Account, ["eu-west-1"]));
        options.Accounts[0].RoleArn = null;
        return options;
    }

    private static byte[] Gzip(int inflatedBytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            var block = new byte[1024 * 1024];
            Array.Fill(block, (byte)' ');
            for (var written = 0; written < inflatedBytes; written += block.Length)
            {
                gzip.Write(block);
            }
        }

        return output.ToArray();
    }

    /// <summary>
    /// A loopback HTTP/1.1 server that answers every request with one fixed 200 response, so the caller's real
    /// transport (and its automatic decompression) is what reads it.
    /// </summary>
    private sealed class RawHttpServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly byte[] _body;
        private readonly string? _encoding;
        private readonly Task _serving;
        private int _requests;
        private volatile bool _stopping;

        public RawHttpServer(byte[] body, string? encoding)
        {
            _body = body;
            _encoding = encoding;
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
            _serving = ServeAsync();
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose()
        {
            _stopping = true;
            _listener.Stop();
            _serving.GetAwaiter().GetResult();
        }

        private async Task ServeAsync()
        {
            while (true)
            {
                TcpClient accepted;
                try
                {
                    accepted = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception) when (_stopping)
                {
                    // Stopped while waiting (a socket error) or between two accepts ("not listening"): done.
                    return;
                }

                using var client = accepted;
                try
                {
                    await using var stream = client.GetStream();
                    if (!await ReadRequestAsync(stream))
                    {
                        continue;
                    }

                    Interlocked.Increment(ref _requests);
                    var head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: raw-1\r\n"
                        + (_encoding is null ? "" : $"Content-Encoding: {_encoding}\r\n")
                        + $"Content-Length: {_body.Length}\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                    await stream.WriteAsync(_body);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    // The client stopped reading at its cap and closed the connection: what the test wants.
                }
            }
        }

        /// <summary>Reads one request; false when the client closed the connection before sending it whole.</summary>
        private static async Task<bool> ReadRequestAsync(NetworkStream stream)
        {
            var buffer = new byte[64 * 1024];
            var received = new List<byte>();
            int headerEnd;
            while ((headerEnd = IndexOf(received, "\r\n\r\n"u8.ToArray())) < 0)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return false;
                }

                received.AddRange(buffer.AsSpan(0, read).ToArray());
            }

            var head = Encoding.ASCII.GetString([.. received.Take(headerEnd)]);
            var length = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            var have = received.Count - headerEnd - 4;
            while (have < length)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    return false;
                }

                have += read;
            }

            return true;
        }

        private static int IndexOf(List<byte> data, byte[] pattern)
        {
            for (var i = 0; i + pattern.Length <= data.Count; i++)
            {
                var match = true;
                for (var j = 0; j < pattern.Length && match; j++)
                {
                    match = data[i + j] == pattern[j];
                }

                if (match)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
