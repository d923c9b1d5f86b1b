namespace ExitKit.Connectors.Zendesk;

/// <summary>Settings of the <c>zendesk</c> connector, bound from its JSON config file.</summary>
/// <remarks>
/// Set either <see cref="SavedResponsesPath"/> (a folder of saved API responses, read offline) or the live API settings
/// (<see cref="Subdomain"/> or <see cref="BaseUrl"/>, <see cref="Email"/> and <see cref="ApiToken"/>), not both.
/// </remarks>
public sealed class ZendeskOptions
{
    /// <summary>The account's subdomain: <c>acme</c> for https://acme.zendesk.com.</summary>
    public string? Subdomain { get; set; }

    /// <summary>The API's base address, instead of <see cref="Subdomain"/> (a host-mapped domain or a test server).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The agent's email address the API token belongs to.</summary>
    public string? Email { get; set; }

    /// <summary>A secret reference to the API token: <c>env:ZENDESK_TOKEN</c> or <c>file:/run/secrets/zendesk</c>.</summary>
    public string? ApiToken { get; set; }

    /// <summary>The most requests per minute to send (Zendesk plans allow 200 to 2500); default 200.</summary>
    public int RequestsPerMinute { get; set; } = 200;

    /// <summary>The most requests per minute to the incremental export endpoints, which Zendesk limits to 10 (30 with the high-volume add-on).</summary>
    public int IncrementalRequestsPerMinute { get; set; } = 10;

    /// <summary>How many times a request that failed with a 5xx answer or a broken connection is tried in all; default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Tickets per page of the incremental export (at most 1000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>A folder of saved Zendesk API responses (JSON files) to read instead of the live API.</summary>
    public string? SavedResponsesPath { get; set; }

    /// <summary>
    /// Requires pseudonymised personal data: the export refuses to run when the pipeline was started without a pseudonym key
    /// (<c>exitkit export --pseudonym-key</c>), which applies the package's keyed hash to personal columns and, through this
    /// connector, to the personal fields kept in <c>source_extra</c>.
    /// </summary>
    public bool Pseudonymise { get; set; }

    /// <summary>A secret reference to the pseudonym key, checked to resolve before the export starts; pass the same reference to --pseudonym-key.</summary>
    public string? PseudonymKey { get; set; }

    /// <summary>The name shown in <c>source_system</c> (<c>zendesk:&lt;name&gt;</c>); defaults to the subdomain or the folder name.</summary>
    public string? AccountName { get; set; }

    /// <summary>Import: the Zendesk user who requests every imported ticket (the package's customers are not Zendesk users); required for tickets.</summary>
    public long? RequesterId { get; set; }

    /// <summary>Import: the Zendesk agent who authors the comments that agents, bots and the system wrote; required for tickets.</summary>
    public long? AuthorId { get; set; }

    /// <summary>Import: create closed tickets straight in the ticket archive (the import API's <c>archive_immediately</c>); for large histories.</summary>
    public bool ArchiveImmediately { get; set; }

    /// <summary>Import: Help Center sections by the package's section id (<c>kb_sections.source_id</c>), for articles.</summary>
    public Dictionary<string, long>? Sections { get; set; }

    /// <summary>Import: the Help Center section for articles whose section is not in <see cref="Sections"/>.</summary>
    public long? SectionId { get; set; }

    /// <summary>Import: the permission group of created articles (who may edit and publish them); required for articles.</summary>
    public long? PermissionGroupId { get; set; }

    /// <summary>Import: the user segment of created articles (who may see them); null (the default) for everyone.</summary>
    public long? UserSegmentId { get; set; }

    /// <summary>Import: the id map, a SQLite file relative to the config file; default <c>zendesk-id-map.db</c> beside it.</summary>
    public string? IdMapPath { get; set; }
}
