using ExitKit.Connectors.Zendesk.Internal;
using ExitKit.Schema;

namespace ExitKit.Connectors.Zendesk;

/// <summary>
/// The <c>zendesk</c> connector: exports Support tickets, comments, attachments, CSAT, Help Center and routing configuration,
/// from the live API or from a folder of saved API responses (<see cref="ZendeskOptions"/>); and, as a successor, imports
/// interactions with their messages as tickets (Ticket Import API) and article versions as Help Center articles and translations.
/// </summary>
public sealed class ZendeskPlugin : ConnectorPlugin
{
    /// <inheritdoc />
    public override ConnectorDescriptor Descriptor { get; } = new(
        ZendeskHttp.ConnectorName,
        "0.1.0",
        "Reads Zendesk Support and Help Center (tickets, comments, attachments, CSAT, articles, groups, triggers, SLAs) from the API or saved API responses; " +
        "imports tickets with their comments (Ticket Import API) and Help Center articles.",
        [DataFamily.Interactions, DataFamily.Knowledge, DataFamily.Routing],
        IsSource: true,
        IsSuccessor: true);

    /// <inheritdoc />
    public override ISourceConnector CreateSource(ConnectorConfiguration configuration) => CreateSource(configuration, null);

    /// <summary>Creates the source; tests pass a handler or shorter back-off through the internal overload.</summary>
    internal static ISourceConnector CreateSource(ConnectorConfiguration configuration, Action<HttpSettings>? adjust)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<ZendeskOptions>();
        var config = configuration.SourcePath;
        if (options.PseudonymKey is not null)
        {
            // Checked here so a missing key stops the export before any request; the pipeline applies the keyed hash.
            _ = configuration.ResolveSecret(options.PseudonymKey, "pseudonymKey");
        }

        var live = options.Subdomain is not null || options.BaseUrl is not null;
        if (options.SavedResponsesPath is { } saved)
        {
            if (live)
            {
                throw ExitKitException.BadSetting(config, "savedResponsesPath",
                    "cannot be combined with subdomain or baseUrl: choose the live API or a folder of saved responses.");
            }
            var folder = configuration.ResolvePath(saved);
            if (!Directory.Exists(folder))
            {
                throw ExitKitException.FileNotFound(folder, "The savedResponsesPath folder");
            }
            var name = options.AccountName ?? Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar));
            return new ZendeskSavedSource(folder, $"zendesk:{name}", options.Pseudonymise);
        }

        if (!live)
        {
            throw ExitKitException.BadSetting(config, "subdomain", "is missing: set subdomain (or baseUrl) for the live API, or savedResponsesPath for saved responses.");
        }
        if (options.PageSize is < 1 or > 1000)
        {
            throw ExitKitException.BadSetting(config, "pageSize", "must be between 1 and 1000 (Zendesk's largest incremental export page).");
        }
        var (http, baseAddress) = CreateHttp(configuration, options, adjust);
        var account = options.AccountName ?? options.Subdomain ?? baseAddress.Host;
        return new ZendeskApiSource(http, $"zendesk:{account}", options.PageSize, options.Pseudonymise);
    }

    /// <inheritdoc />
    public override ISuccessorConnector CreateSuccessor(ConnectorConfiguration configuration) => CreateSuccessor(configuration, null);

    /// <summary>Creates the successor; tests pass a handler or shorter back-off through the internal overload.</summary>
    internal static ISuccessorConnector CreateSuccessor(ConnectorConfiguration configuration, Action<HttpSettings>? adjust)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Bind<ZendeskOptions>();
        var config = configuration.SourcePath;
        if (options.SavedResponsesPath is not null)
        {
            throw ExitKitException.BadSetting(config, "savedResponsesPath", "is for exports; an import needs the live API: set subdomain (or baseUrl), email and apiToken.");
        }
        if (options.Subdomain is null && options.BaseUrl is null)
        {
            throw ExitKitException.BadSetting(config, "subdomain", "is missing: set subdomain (or baseUrl) of the Zendesk account to import into.");
        }
        foreach (var (name, value) in new[] { ("requesterId", options.RequesterId), ("authorId", options.AuthorId), ("sectionId", options.SectionId),
            ("permissionGroupId", options.PermissionGroupId), ("userSegmentId", options.UserSegmentId) })
        {
            if (value is <= 0)
            {
                throw ExitKitException.BadSetting(config, name, $"is {value}; Zendesk ids are positive numbers.");
            }
        }
        if (options.Sections?.FirstOrDefault(pair => pair.Value <= 0) is { Key: not null } bad)
        {
            throw ExitKitException.BadSetting(config, "sections", $"maps '{bad.Key}' to {bad.Value}; Zendesk section ids are positive numbers.");
        }
        var (http, _) = CreateHttp(configuration, options, adjust);
        var idMap = configuration.ResolvePath(options.IdMapPath ?? "zendesk-id-map.db");
        return new ZendeskSuccessor(http, new ZendeskSuccessorSettings(idMap, options.RequesterId, options.AuthorId, options.ArchiveImmediately,
            options.Sections ?? new Dictionary<string, long>(StringComparer.Ordinal), options.SectionId, options.PermissionGroupId, options.UserSegmentId, config));
    }

    /// <summary>The API client: base address, agent e-mail and token checked, the token kept as a secret.</summary>
    private static (ZendeskHttp Http, Uri BaseAddress) CreateHttp(ConnectorConfiguration configuration, ZendeskOptions options, Action<HttpSettings>? adjust)
    {
        var config = configuration.SourcePath;
        if (options.Subdomain is not null && options.BaseUrl is not null)
        {
            throw ExitKitException.BadSetting(config, "baseUrl", "cannot be combined with subdomain: set one of them.");
        }
        Uri baseAddress;
        if (options.BaseUrl is not null)
        {
            if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http"))
            {
                throw ExitKitException.BadSetting(config, "baseUrl", $"'{options.BaseUrl}' is not an http(s) address such as https://acme.zendesk.com.");
            }
            baseAddress = parsed;
        }
        else if (Uri.CheckHostName($"{options.Subdomain}.zendesk.com") == UriHostNameType.Dns && !options.Subdomain!.Contains('.', StringComparison.Ordinal))
        {
            baseAddress = new Uri($"https://{options.Subdomain}.zendesk.com/");
        }
        else
        {
            throw ExitKitException.BadSetting(config, "subdomain", $"'{options.Subdomain}' is not a subdomain: write 'acme' for https://acme.zendesk.com.");
        }
        if (string.IsNullOrWhiteSpace(options.Email))
        {
            throw ExitKitException.BadSetting(config, "email", "is missing: the API token belongs to an agent's email address.");
        }
        if (string.IsNullOrWhiteSpace(options.ApiToken))
        {
            throw ExitKitException.BadSetting(config, "apiToken", "is missing: write a secret reference such as env:ZENDESK_API_TOKEN.");
        }
        var token = configuration.ResolveSecret(options.ApiToken, "apiToken");
        if (options.RequestsPerMinute <= 0 || options.IncrementalRequestsPerMinute <= 0)
        {
            throw ExitKitException.BadSetting(config, "requestsPerMinute", "must be a positive number of requests per minute.");
        }

        var settings = new HttpSettings();
        adjust?.Invoke(settings);
        var http = new ZendeskHttp(baseAddress, options.Email, token, options.RequestsPerMinute, options.IncrementalRequestsPerMinute,
            options.MaxAttempts, settings.Time, settings.Handler)
        {
            RetryBaseDelay = settings.RetryBaseDelay,
            MaxRateLimitWaits = settings.MaxRateLimitWaits,
        };
        return (http, baseAddress);
    }

    internal sealed class HttpSettings
    {
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        public int MaxRateLimitWaits { get; set; } = 30;

        public HttpMessageHandler? Handler { get; set; }

        public TimeProvider? Time { get; set; }
    }
}
