using ExitKit.Schema;

namespace ExitKit.Connectors;

/// <summary>The source side of a connector: reads a vendor system into neutral rows.</summary>
/// <remarks>
/// The export pipeline calls <see cref="DescribeAsync"/> once, then <see cref="ExportOriginalsAsync"/> once, then
/// <see cref="ReadTableAsync"/> once per table that the description lists. Implementers must:
/// <list type="bullet">
/// <item>stream rows: never hold a whole table in memory;</item>
/// <item>pass the cancellation token to every call and stop promptly when it fires;</item>
/// <item>report control totals as the source itself counts them (a count endpoint, a COUNT(*)), not by counting what they read;</item>
/// <item>set <see cref="SourceRow.ResumeCursor"/> on rows after which reading can resume, and honour <c>resumeAfter</c>;</item>
/// <item>report, through <see cref="IExportContext.ReportProblem"/>, every record or file they could not read, never drop it silently;</item>
/// <item>never put a secret in a row, a problem, an original or an exception message.</item>
/// </list>
/// </remarks>
public interface ISourceConnector : IAsyncDisposable
{
    /// <summary>Describes the source: its system name, the tables it provides and the source's own control totals.</summary>
    Task<SourceDescription> DescribeAsync(ExportRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stores the vendor's original files (exports, definitions) byte-exact through <see cref="IExportContext.StoreOriginalAsync"/>.</summary>
    /// <remarks>Connectors whose originals arise while reading tables (API responses) may store them in <see cref="ReadTableAsync"/> instead.</remarks>
    Task ExportOriginalsAsync(ExportRequest request, IExportContext context, CancellationToken cancellationToken = default);

    /// <summary>Streams the rows of one table whose time column falls in the request's window.</summary>
    /// <param name="table">A table listed by <see cref="DescribeAsync"/>.</param>
    /// <param name="request">The export window and options.</param>
    /// <param name="resumeAfter">A cursor the connector set on an earlier row; reading continues after it. Null to start.</param>
    /// <param name="context">Where artefacts, originals and problems go.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    IAsyncEnumerable<SourceRow> ReadTableAsync(TableSchema table, ExportRequest request, string? resumeAfter, IExportContext context,
        CancellationToken cancellationToken = default);
}

/// <summary>What to export.</summary>
/// <param name="From">Inclusive start of the export window (UTC); null for the beginning of the source's history.</param>
/// <param name="To">Exclusive end of the export window (UTC); null for now.</param>
public sealed record ExportRequest(DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    /// <summary>True when a row at this instant belongs to the window.</summary>
    public bool Contains(DateTimeOffset instant) => (From is null || instant >= From) && (To is null || instant < To);

    /// <summary>The whole history of the source.</summary>
    public static ExportRequest Everything { get; } = new();
}

/// <summary>One neutral row, with the cursor after which reading can resume.</summary>
/// <param name="Values">The values in the order of the table's columns, of the CLR types that <see cref="ColumnSchema.ClrType"/> gives.</param>
/// <param name="ResumeCursor">An opaque cursor: passing it back as <c>resumeAfter</c> continues after this row. Null when the connector cannot resume here.</param>
public readonly record struct SourceRow(object?[] Values, string? ResumeCursor = null);

/// <summary>The source as the connector found it.</summary>
/// <param name="SourceSystem">The value of <c>source_system</c> in every row, e.g. <c>zendesk:acme</c>.</param>
/// <param name="Vendor">The vendor product, for people (e.g. <c>Zendesk Support</c>).</param>
/// <param name="Tables">The tables the source provides, with control totals.</param>
public sealed record SourceDescription(string SourceSystem, string Vendor, IReadOnlyList<SourceTable> Tables);

/// <summary>A table the source provides and what the source itself says about its size.</summary>
/// <param name="TableName">The neutral table.</param>
/// <param name="ControlTotal">The number of rows the source reports for the export window, or null when it cannot say.</param>
/// <param name="DailyTotals">Rows per UTC day of the table's time column, as the source counts them; null when it cannot say.</param>
/// <param name="TotalMethod">How the totals were obtained (e.g. <c>SELECT COUNT(*)</c>, <c>GET /api/v2/tickets/count</c>).</param>
public sealed record SourceTable(string TableName, long? ControlTotal, IReadOnlyDictionary<DateOnly, long>? DailyTotals = null, string? TotalMethod = null);
