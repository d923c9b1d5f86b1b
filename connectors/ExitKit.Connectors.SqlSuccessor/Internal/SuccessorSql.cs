using System.Globalization;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.SqlSuccessor.Internal;

/// <summary>What the three databases share: the id map's name, value encodings, and how outcomes are assembled.</summary>
internal static class SuccessorSql
{
    public const string IdMap = "exitkit_id_map";

    // "O" on a UTC instant is exactly yyyy-MM-ddTHH:mm:ss.fffffffZ, and .NET formats and parses it on a fast path of its own.
    private const string TimestampFormat = "O";

    /// <summary>The non-key columns, which an update sets and the "row differs" test compares.</summary>
    public static IEnumerable<ColumnSchema> ValueColumns(TableSchema table) => table.Columns.Skip(2);

    /// <summary>Text lists where the database has no array type: a JSON array of strings.</summary>
    public static string ListToJson(string[] items) => JsonSerializer.Serialize(items);

    public static string[] JsonToList(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    /// <summary>Timestamps where the database has no fitting type (SQLite): ISO 8601 in UTC with 100 ns digits, which sorts as text.</summary>
    public static string TimestampToText(DateTimeOffset instant) => instant.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset TextToTimestamp(string text) =>
        new(DateTime.ParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).ToUniversalTime());

    /// <summary>Per-row outcomes of a batch, filled in as the database answers; rows it did not name were left unchanged.</summary>
    public sealed class Outcomes(IReadOnlyList<object?[]> rows)
    {
        private readonly ImportOutcome[] _outcomes = Enumerable.Repeat(ImportOutcome.Skipped, rows.Count).ToArray();
        private readonly string?[] _reasons = new string?[rows.Count];
        // A key can come twice in one batch (the second then updates the first): positions are kept per key.
        // Built only when the database names rows by key (upserts); a bulk load answers by position and never needs it.
        private Dictionary<string, List<int>>? _byKey;

        private Dictionary<string, List<int>> ByKey => _byKey ??= Enumerable.Range(0, rows.Count).Select(index => (Key: Key(KeyColumn(index, 0), KeyColumn(index, 1)), index))
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Select(pair => pair.index).ToList(), StringComparer.Ordinal);

        public int Count => rows.Count;

        public void Skipped(int index) => _outcomes[index] = ImportOutcome.Skipped;

        public void Written(int index, bool created) => _outcomes[index] = created ? ImportOutcome.Created : ImportOutcome.Updated;

        /// <summary>Records a row the database names by key, written by a statement over the rows [from, to), in which each key is once.</summary>
        public void Written(string sourceSystem, string sourceId, bool created, int from, int to)
        {
            if (ByKey.TryGetValue(Key(sourceSystem, sourceId), out var indexes))
            {
                foreach (var index in indexes.Where(index => index >= from && index < to))
                {
                    Written(index, created);
                }
            }
        }

        public void Failed(int index, string reason)
        {
            _outcomes[index] = ImportOutcome.Failed;
            _reasons[index] = reason;
        }

        public IReadOnlyList<RowImportResult> ToResults() =>
            // No successor id: a row's id in the landing zone is its package key (the id map is a view over the keys).
            Enumerable.Range(0, rows.Count).Select(index => new RowImportResult(KeyColumn(index, 1), _outcomes[index], null, _reasons[index])).ToArray();

        // A batch held column by column gives its keys without building its rows.
        private string KeyColumn(int index, int ordinal) =>
            rows is IColumnBatch columns ? columns.Text(ordinal, index) : (string)rows[index][ordinal]!;

        private static string Key(string sourceSystem, string sourceId) => sourceSystem + "\u0000" + sourceId;
    }

    /// <summary>A failure the database reported that is not about a row (connection, permissions, missing table).</summary>
    public static ExitKitException Failed(string provider, string action, Exception error) =>
        new($"Successor sql-successor ({provider}): {action} failed: {error.Message}", FailureKind.UnusableInput, error);
}
