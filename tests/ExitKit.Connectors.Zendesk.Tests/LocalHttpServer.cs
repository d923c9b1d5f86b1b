using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ExitKit.Connectors.Zendesk.Tests;

/// <summary>A real HTTP server on 127.0.0.1 (HttpListener on a free port) that answers with a routing function.</summary>
internal sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerRequest, Reply> _route;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public sealed record Reply(int Status, byte[] Body, string ContentType = "application/json; charset=utf-8", IReadOnlyDictionary<string, string>? Headers = null)
    {
        public static Reply Json(string json) => new(200, Encoding.UTF8.GetBytes(json));

        public static Reply Error(int status, string? retryAfter = null) => new(status, Encoding.UTF8.GetBytes($"{{\"error\":\"{status}\"}}"),
            Headers: retryAfter is null ? null : new Dictionary<string, string> { ["Retry-After"] = retryAfter });
    }

    public sealed record Seen(string PathAndQuery, string? Authorization, DateTimeOffset At, int Status);

    public LocalHttpServer(Func<HttpListenerRequest, Reply> route)
    {
        _route = route;
        var port = FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add($"{BaseUrl}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string BaseUrl { get; }

    public ConcurrentQueue<Seen> Requests { get; } = new();

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            var arrived = DateTimeOffset.UtcNow;
            _ = Task.Run(() => Answer(context, arrived));
        }
    }

    private void Answer(HttpListenerContext context, DateTimeOffset arrived)
    {
        Reply reply;
        try
        {
            reply = _route(context.Request);
        }
        catch (Exception error)
        {
            reply = new Reply(500, Encoding.UTF8.GetBytes(error.ToString()), "text/plain");
        }
        Requests.Enqueue(new Seen(context.Request.Url!.PathAndQuery, context.Request.Headers["Authorization"], arrived, reply.Status));
        try
        {
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }
            context.Response.ContentLength64 = reply.Body.Length;
            context.Response.OutputStream.Write(reply.Body);
            context.Response.Close();
        }
        catch (HttpListenerException)
        {
            // The client went away (a cancelled export); nothing to answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _listener.Close();
        _stop.Dispose();
    }
}
