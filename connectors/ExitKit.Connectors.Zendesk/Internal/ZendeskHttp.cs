using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>A 404 from Zendesk: the record is gone (a deleted ticket's comments, an attachment removed).</summary>
internal sealed class ZendeskNotFoundException(string message) : Exception(message);

/// <summary>A request that changes the account failed in a way that leaves unknown whether Zendesk applied it (a 5xx, a broken connection).</summary>
internal sealed class ZendeskUncertainException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Zendesk's answer to a request of the successor side: the status and the JSON body.</summary>
internal sealed record ZendeskReply(int Status, byte[] Body)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>Talks to the Zendesk API: Basic auth with an API token, pacing, 429 Retry-After and 5xx back-off.</summary>
/// <remarks>The token goes only into the Authorization header of requests to the account's own host; no message contains it.</remarks>
internal sealed class ZendeskHttp : IDisposable
{
    internal const string ConnectorName = "zendesk";

    private readonly HttpClient _client;
    private readonly AuthenticationHeaderValue _authorization;
    private readonly Pacer _pacer;
    private readonly Pacer _incrementalPacer;
    private readonly int _maxAttempts;
    private readonly TimeProvider _time;

    public ZendeskHttp(Uri baseAddress, string email, Secret apiToken, int requestsPerMinute, int incrementalRequestsPerMinute, int maxAttempts,
        TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        BaseAddress = baseAddress;
        _time = time ?? TimeProvider.System;
        _client = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = true }, disposeHandler: true)
        {
            Timeout = TimeSpan.FromMinutes(5),
        };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ExitKit", "0.1"));
        // Zendesk API-token auth: "{email}/token:{token}", Base64, as Basic credentials.
        _authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{email}/token:{apiToken.Reveal()}")));
        _pacer = new Pacer(requestsPerMinute, _time);
        _incrementalPacer = new Pacer(incrementalRequestsPerMinute, _time);
        _maxAttempts = Math.Max(1, maxAttempts);
    }

    public Uri BaseAddress { get; }

    /// <summary>The first back-off after a 5xx; doubles with every attempt. Tests make it short.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many 429 answers in a row one request waits through before giving up.</summary>
    public int MaxRateLimitWaits { get; init; } = 30;

    /// <summary>The longest Retry-After honoured; Zendesk sends tens of seconds at most.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Resolves an API path (<c>/api/v2/...</c>) or a next-page URL the API returned against the account.</summary>
    public Uri Resolve(string pathOrUrl)
    {
        var uri = new Uri(BaseAddress, pathOrUrl);
        if (!IsOwnHost(uri))
        {
            throw ExitKitException.SourceFailed(ConnectorName,
                $"the API pointed at {uri.GetLeftPart(UriPartial.Path)}, which is not the account's host {BaseAddress.Host}; credentials are sent only to the account.");
        }
        return uri;
    }

    private bool IsOwnHost(Uri uri) =>
        string.Equals(uri.Host, BaseAddress.Host, StringComparison.OrdinalIgnoreCase) && uri.Port == BaseAddress.Port;

    /// <summary>GETs a JSON document and returns its bytes.</summary>
    /// <exception cref="ZendeskNotFoundException">Zendesk answered 404.</exception>
    /// <exception cref="ExitKitException">Zendesk refused the request or kept failing.</exception>
    public async Task<byte[]> GetJsonAsync(Uri uri, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(uri, authenticate: true, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>Downloads a file (an attachment's content_url); the caller disposes the response.</summary>
    public Task<HttpResponseMessage> DownloadAsync(Uri uri, CancellationToken cancellationToken = default) =>
        // Attachment URLs may point at Zendesk's file host; the token goes only to the account's own host.
        SendAsync(uri, authenticate: IsOwnHost(uri), cancellationToken);

    /// <summary>
    /// Sends a JSON request for the successor side and returns Zendesk's answer, including the 4xx answers that are about the
    /// record (400, 404, 409, 422), which the caller turns into a refused row. 429 is waited through, as for reads.
    /// </summary>
    /// <exception cref="ZendeskUncertainException">
    /// A request that is not idempotent (POST) failed with a 5xx answer or a broken connection: Zendesk may or may not have
    /// applied it, so it is not blindly sent again; the caller checks the account first.
    /// </exception>
    public async Task<ZendeskReply> SendJsonAsync(HttpMethod method, string pathOrUrl, byte[]? json, CancellationToken cancellationToken = default)
    {
        var uri = Resolve(pathOrUrl);
        var idempotent = method != HttpMethod.Post;
        using var response = await SendAsync(method, uri, json, authenticate: true, idempotent, acceptStatus: status => status is 400 or 404 or 409 or 422,
            cancellationToken);
        return new ZendeskReply((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    private Task<HttpResponseMessage> SendAsync(Uri uri, bool authenticate, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, uri, null, authenticate, idempotent: true, acceptStatus: _ => false, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, byte[]? json, bool authenticate, bool idempotent,
        Func<int, bool> acceptStatus, CancellationToken cancellationToken)
    {
        var where = uri.GetLeftPart(UriPartial.Path);
        var verb = method.Method;
        var incremental = uri.AbsolutePath.Contains("/incremental/", StringComparison.Ordinal);
        var failures = 0;
        var rateLimitWaits = 0;
        while (true)
        {
            // Incremental exports have their own, lower limit and also count towards the account's.
            if (incremental)
            {
                await _incrementalPacer.WaitTurnAsync(cancellationToken);
            }
            await _pacer.WaitTurnAsync(cancellationToken);
            using var request = new HttpRequestMessage(method, uri);
            if (authenticate)
            {
                request.Headers.Authorization = _authorization;
            }
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (json is not null)
            {
                request.Content = new ByteArrayContent(json);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            }
            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException error) when (!idempotent)
            {
                throw new ZendeskUncertainException($"{verb} {where} failed: {error.Message}", error);
            }
            catch (HttpRequestException error) when (++failures < _maxAttempts)
            {
                _ = error;
                await Task.Delay(Backoff(failures), _time, cancellationToken);
                continue;
            }
            catch (HttpRequestException error)
            {
                throw ExitKitException.SourceFailed(ConnectorName, $"{verb} {where} failed {failures} times: {error.Message}", error);
            }
            catch (TaskCanceledException error) when (!cancellationToken.IsCancellationRequested && !idempotent)
            {
                throw new ZendeskUncertainException($"{verb} {where} timed out", error);
            }
            catch (TaskCanceledException error) when (!cancellationToken.IsCancellationRequested && ++failures < _maxAttempts)
            {
                // HttpClient's timeout, not the caller's cancellation: retried like a broken connection.
                _ = error;
                await Task.Delay(Backoff(failures), _time, cancellationToken);
                continue;
            }
            catch (TaskCanceledException error) when (!cancellationToken.IsCancellationRequested)
            {
                throw ExitKitException.SourceFailed(ConnectorName, $"{verb} {where} timed out {failures} times; try again later.", error);
            }

            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode || acceptStatus(status))
            {
                return response;
            }
            var retryAfter = RetryAfter(response);
            response.Dispose();
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                if (++rateLimitWaits > MaxRateLimitWaits)
                {
                    throw ExitKitException.SourceFailed(ConnectorName,
                        $"{verb} {where} was rate-limited (429) {MaxRateLimitWaits} times in a row; lower requestsPerMinute or run when the account is quieter.");
                }
                // Zendesk says how long to wait; waiting is the documented way through, not a failure. A 429 was not applied, so it is safe to resend.
                await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(60), _time, cancellationToken);
                continue;
            }
            if (status >= 500 && !idempotent)
            {
                throw new ZendeskUncertainException($"{verb} {where} answered {status}");
            }
            if (status >= 500 && ++failures < _maxAttempts)
            {
                await Task.Delay(retryAfter ?? Backoff(failures), _time, cancellationToken);
                continue;
            }
            throw status switch
            {
                404 => new ZendeskNotFoundException($"{verb} {where} answered 404 Not Found"),
                401 or 403 => ExitKitException.SourceFailed(ConnectorName,
                    $"{verb} {where} was refused ({status}): check the email and the API token, and that the user is an agent or admin with API access."),
                >= 500 => ExitKitException.SourceFailed(ConnectorName, $"{verb} {where} failed with {status} after {failures} attempts; try again later."),
                _ => ExitKitException.SourceFailed(ConnectorName, $"{verb} {where} answered {status}."),
            };
        }
    }

    private TimeSpan Backoff(int failures) => RetryBaseDelay * Math.Pow(2, failures - 1);

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        TimeSpan? wait = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        if (wait is null && response.Headers.TryGetValues("Retry-After", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            wait = TimeSpan.FromSeconds(seconds);
        }
        if (wait is null)
        {
            return null;
        }
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    public void Dispose()
    {
        _client.Dispose();
        _pacer.Dispose();
        _incrementalPacer.Dispose();
    }

    /// <summary>Spaces request starts evenly so the account's rate limit is never reached.</summary>
    private sealed class Pacer(int requestsPerMinute, TimeProvider time) : IDisposable
    {
        private readonly TimeSpan _interval = requestsPerMinute > 0 ? TimeSpan.FromMinutes(1) / requestsPerMinute : TimeSpan.Zero;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private DateTimeOffset _next = DateTimeOffset.MinValue;

        public async Task WaitTurnAsync(CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                var now = time.GetUtcNow();
                if (_next > now)
                {
                    await Task.Delay(_next - now, time, cancellationToken);
                    // Spaced from when this request really goes, so a late wake-up never lets the next one come early.
                    now = time.GetUtcNow();
                }
                _next = now + _interval;
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => _gate.Dispose();
    }
}
