using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BackupTools.Testing;

/// <summary>
/// An HTTP proxy on a free loopback port in front of a real endpoint that fails a share of the requests:
/// with probability <see cref="FaultRate"/> it answers 503 SlowDown or drops the connection (half each)
/// instead of forwarding. Everything else (method, path and query, headers with the client's Host,
/// body) goes to the upstream unchanged, so SigV4 signatures stay valid.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const string SlowDownBody =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>";

    // Hop-by-hop headers and those HttpListener or HttpClient set themselves.
    private static readonly HashSet<string> SkippedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer", "Upgrade",
        "Expect", "Content-Length",
    };

    private readonly HttpListener _listener;
    private readonly HttpClient _upstream;
    private readonly Uri _upstreamBase;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private double _faultRate;
    private int _requests;
    private int _faults;
    private int _inFlight;
    private int _maxInFlight;
    private long _latencyTicks;
    private readonly ConcurrentQueue<string> _getPaths = new();

    private FaultProxy(HttpListener listener, Uri upstream, int port, double faultRate, int seed)
    {
        _listener = listener;
        _upstreamBase = upstream;
        _faultRate = faultRate;
        _random = new Random(seed);
        Endpoint = $"http://127.0.0.1:{port}";
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
        {
            Timeout = TimeSpan.FromMinutes(2),
        };
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The proxy's URL (http://127.0.0.1:port): point the client here instead of the upstream.</summary>
    public string Endpoint { get; }

    /// <summary>Share of requests that fail, 0.0 to 1.0; may be changed while the proxy runs.</summary>
    public double FaultRate
    {
        get => Volatile.Read(ref _faultRate);
        set => Volatile.Write(ref _faultRate, Math.Clamp(value, 0.0, 1.0));
    }

    /// <summary>Requests received, failed ones included.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>A delay added before every request is answered, as a distant S3 region would (default none).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>The most requests the proxy was answering at one time since <see cref="ResetInFlight"/> (or since it started).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Starts counting <see cref="MaxInFlight"/> afresh.</summary>
    public void ResetInFlight() => Volatile.Write(ref _maxInFlight, 0);

    /// <summary>Requests answered with a fault instead of being forwarded.</summary>
    public int FaultCount => Volatile.Read(ref _faults);

    /// <summary>The decoded path of every GET received so far (e.g. "/bucket/a key.txt"; a bucket listing is "/bucket").</summary>
    public IReadOnlyList<string> GetPaths => _getPaths.ToArray();

    /// <summary>GETs of objects (not listings) in <paramref name="bucket"/> received so far.</summary>
    public int ObjectGets(string bucket) => _getPaths.Count(p => p.StartsWith("/" + bucket + "/", StringComparison.Ordinal) && p.Length > bucket.Length + 2);

    /// <summary>Forgets the GETs counted so far.</summary>
    public void ClearGetPaths() => _getPaths.Clear();

    /// <summary>Starts a proxy to <paramref name="upstream"/> on a free loopback port.</summary>
    /// <param name="upstream">The real endpoint, e.g. s3rver's http://127.0.0.1:port.</param>
    /// <param name="faultRate">Initial <see cref="FaultRate"/>.</param>
    /// <param name="seed">Seed of the fault dice, so a run's faults repeat.</param>
    public static FaultProxy Start(string upstream, double faultRate = 0.0, int seed = 12345)
    {
        var upstreamUri = new Uri(upstream.TrimEnd('/') + "/");
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FaultProxy(listener, upstreamUri, port, faultRate, seed);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close(); // someone took the port between probing and binding: try another
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); inFlight > max; max = Volatile.Read(ref _maxInFlight))
            if (Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) == max) break;
        try
        {
            if (Latency > TimeSpan.Zero) await Task.Delay(Latency).ConfigureAwait(false);
            await ForwardOrFailAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task ForwardOrFailAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        if (context.Request.HttpMethod == "GET") _getPaths.Enqueue(Uri.UnescapeDataString(context.Request.RawUrl!.Split('?')[0]));
        var fault = NextFault();
        try
        {
            switch (fault)
            {
                case Fault.Drop:
                    Interlocked.Increment(ref _faults);
                    await DropAsync(context.Response).ConfigureAwait(false);
                    return;
                case Fault.SlowDown:
                    Interlocked.Increment(ref _faults);
                    await WriteSlowDownAsync(context).ConfigureAwait(false);
                    return;
                default:
                    await ForwardAsync(context).ConfigureAwait(false);
                    return;
            }
        }
        catch (Exception)
        {
            // The client went away or the upstream failed: drop the connection like a broken network would.
            context.Response.Abort();
        }
    }

    private enum Fault { None, SlowDown, Drop }

    private Fault NextFault()
    {
        lock (_random)
        {
            if (_random.NextDouble() >= FaultRate) return Fault.None;
            return _random.Next(2) == 0 ? Fault.SlowDown : Fault.Drop;
        }
    }

    // HttpListener's Abort alone still answers 200 with an empty body; promising a body and closing the
    // connection part-way is what a dropped connection looks like to the client.
    private async Task DropAsync(HttpListenerResponse response)
    {
        response.StatusCode = 500;
        response.ContentLength64 = 1024;
        await response.OutputStream.WriteAsync("<?xml"u8.ToArray(), _stop.Token).ConfigureAwait(false);
        await response.OutputStream.FlushAsync(_stop.Token).ConfigureAwait(false);
        response.Abort();
    }

    private async Task WriteSlowDownAsync(HttpListenerContext context)
    {
        var response = context.Response;
        response.StatusCode = 503;
        response.ContentType = "application/xml";
        var body = Encoding.UTF8.GetBytes(SlowDownBody);
        if (context.Request.HttpMethod != "HEAD")
        {
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body, _stop.Token).ConfigureAwait(false);
        }
        response.Close();
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var request = context.Request;
        using var message = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_upstreamBase, request.RawUrl!.TrimStart('/')));
        if (request.HasEntityBody || request.ContentLength64 > 0)
        {
            using var body = new MemoryStream();
            await request.InputStream.CopyToAsync(body, _stop.Token).ConfigureAwait(false);
            message.Content = new ByteArrayContent(body.ToArray());
        }
        foreach (var name in request.Headers.AllKeys)
        {
            if (name is null || SkippedHeaders.Contains(name)) continue;
            var values = request.Headers.GetValues(name) ?? [];
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
                message.Headers.Host = values[0]; // as the client signed it
            else if (!message.Headers.TryAddWithoutValidation(name, values))
                message.Content?.Headers.TryAddWithoutValidation(name, values);
        }

        using var upstream = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, _stop.Token).ConfigureAwait(false);
        var response = context.Response;
        response.StatusCode = (int)upstream.StatusCode;
        foreach (var (name, values) in upstream.Headers.Concat(upstream.Content.Headers))
        {
            if (SkippedHeaders.Contains(name)) continue;
            foreach (var value in values) response.AppendHeader(name, value);
        }
        if (upstream.Content.Headers.ContentLength is { } length) response.ContentLength64 = length;
        else response.SendChunked = true;
        if (request.HttpMethod != "HEAD")
            await upstream.Content.CopyToAsync(response.OutputStream, _stop.Token).ConfigureAwait(false);
        response.Close();
    }

    /// <summary>Stops listening and waits for the accept loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Close();
        try { await _loop.ConfigureAwait(false); }
        catch (ObjectDisposedException) { }
        _upstream.Dispose();
        _stop.Dispose();
    }
}
