using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ExitKit.Connectors.Zendesk.Internal;

/// <summary>One id map entry: what Zendesk holds for a package key.</summary>
/// <param name="State"><c>pending</c> (the request went out, its answer was not recorded), <c>done</c>, or <c>dry</c> (a dry run's would-be entry).</param>
/// <param name="ZendeskId">The ticket id, the article id, or <c>{article}/{locale}</c> for a translation; the ticket id for a comment.</param>
/// <param name="ContentSha256">SHA-256 of the request that created or last updated it, to tell a changed row from an unchanged one.</param>
/// <param name="Run">The run that created it (empty when found again after a crash).</param>
/// <param name="ParentId">A comment's ticket key or a translation's article id.</param>
/// <param name="Position">A comment's position in its ticket (from 0), or a translation's version.</param>
/// <param name="BodyFormat">How a comment's body was sent (html, text, markdown).</param>
internal sealed record IdMapEntry(string State, string? ZendeskId, string? ContentSha256, string Run, string? ParentId, long? Position, string? BodyFormat);

/// <summary>
/// The successor's id map, a SQLite file beside the config: every package key and what Zendesk holds for it. A request that
/// creates something is marked pending before it is sent and done when Zendesk's answer is recorded, so a run that was killed in
/// between knows which keys to look for in Zendesk before creating them again.
/// </summary>
/// <remarks>A dry run works in a transaction that is never committed (on a database in memory when there is no file yet).</remarks>
internal sealed class ZendeskIdMap : IAsyncDisposable
{
    public const string Tickets = "interactions";
    public const string Comments = "messages";
    public const string Translations = "kb_articles";
    public const string Articles = "kb_article_ids";

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction? _dryRun;

    private ZendeskIdMap(SqliteConnection connection, SqliteTransaction? dryRun)
    {
        _connection = connection;
        _dryRun = dryRun;
    }

    public static async Task<ZendeskIdMap> OpenAsync(string path, bool dryRun, CancellationToken cancellationToken)
    {
        var inMemory = dryRun && !File.Exists(path);
        if (!inMemory)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = inMemory ? ":memory:" : path,
            Mode = inMemory ? SqliteOpenMode.Memory : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;", cancellationToken);
            var transaction = dryRun ? (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken) : null;
            await ExecuteAsync(connection, transaction, """
                CREATE TABLE IF NOT EXISTS id_map (
                  table_name TEXT NOT NULL, source_system TEXT NOT NULL, source_id TEXT NOT NULL,
                  state TEXT NOT NULL, zendesk_id TEXT, content_sha256 TEXT, run TEXT NOT NULL,
                  parent_id TEXT, position INTEGER, body_format TEXT,
                  recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                  PRIMARY KEY (table_name, source_system, source_id)) STRICT;
                CREATE INDEX IF NOT EXISTS id_map_by_zendesk_id ON id_map (table_name, zendesk_id, position);
                """, cancellationToken);
            return new ZendeskIdMap(connection, transaction);
        }
        catch (SqliteException error)
        {
            await connection.DisposeAsync();
            throw new ExitKitException($"The Zendesk id map {path} cannot be opened: {error.Message} Check the idMapPath setting and that the file is not damaged.", FailureKind.UnusableInput, error);
        }
    }

    public async Task<IdMapEntry?> GetAsync(string table, string system, string id, CancellationToken cancellationToken)
    {
        await using var command = Command("SELECT state, zendesk_id, content_sha256, run, parent_id, position, body_format FROM id_map WHERE table_name = $t AND source_system = $s AND source_id = $i");
        Key(command, table, system, id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Entry(reader, 0) : null;
    }

    public async Task SetAsync(string table, string system, string id, IdMapEntry entry, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            INSERT INTO id_map (table_name, source_system, source_id, state, zendesk_id, content_sha256, run, parent_id, position, body_format)
            VALUES ($t, $s, $i, $state, $z, $h, $r, $p, $n, $f)
            ON CONFLICT (table_name, source_system, source_id) DO UPDATE SET state = excluded.state, zendesk_id = excluded.zendesk_id,
              content_sha256 = excluded.content_sha256, run = excluded.run, parent_id = excluded.parent_id, position = excluded.position,
              body_format = excluded.body_format, recorded_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
            """);
        Key(command, table, system, id);
        command.Parameters.AddWithValue("$state", entry.State);
        command.Parameters.AddWithValue("$z", (object?)entry.ZendeskId ?? DBNull.Value);
        command.Parameters.AddWithValue("$h", (object?)entry.ContentSha256 ?? DBNull.Value);
        command.Parameters.AddWithValue("$r", entry.Run);
        command.Parameters.AddWithValue("$p", (object?)entry.ParentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$n", (object?)entry.Position ?? DBNull.Value);
        command.Parameters.AddWithValue("$f", (object?)entry.BodyFormat ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RemoveAsync(string table, string system, string id, CancellationToken cancellationToken)
    {
        await using var command = Command("DELETE FROM id_map WHERE table_name = $t AND source_system = $s AND source_id = $i");
        Key(command, table, system, id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs several changes as one (a ticket and its comments), so a crash keeps all or none of them.</summary>
    public async Task InOneAsync(Func<Task> changes, CancellationToken cancellationToken)
    {
        if (_dryRun is not null)
        {
            await changes();
            return;
        }
        await using var transaction = (SqliteTransaction)await _connection.BeginTransactionAsync(cancellationToken);
        _current = transaction;
        try
        {
            await changes();
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _current = null;
        }
    }

    private SqliteTransaction? _current;

    /// <summary>Every key of a table that Zendesk holds (state done), in key order, with its entry.</summary>
    public async IAsyncEnumerable<(string System, string Id, IdMapEntry Entry)> DoneAsync(string table,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Read in pages by key, so no reader stays open while the caller sends requests (and memory stays flat).
        string? lastSystem = null, lastId = null;
        while (true)
        {
            var page = new List<(string, string, IdMapEntry)>(500);
            await using (var command = Command("""
                SELECT source_system, source_id, state, zendesk_id, content_sha256, run, parent_id, position, body_format FROM id_map
                WHERE table_name = $t AND state = 'done' AND ($last IS NULL OR (source_system, source_id) > ($ls, $li))
                ORDER BY source_system, source_id LIMIT 500
                """))
            {
                command.Parameters.AddWithValue("$t", table);
                command.Parameters.AddWithValue("$last", lastSystem is null ? DBNull.Value : "x");
                command.Parameters.AddWithValue("$ls", (object?)lastSystem ?? DBNull.Value);
                command.Parameters.AddWithValue("$li", (object?)lastId ?? DBNull.Value);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add((reader.GetString(0), reader.GetString(1), Entry(reader, 2)));
                }
            }
            foreach (var item in page)
            {
                yield return item;
            }
            if (page.Count < 500)
            {
                yield break;
            }
            (lastSystem, lastId, _) = page[^1];
        }
    }

    /// <summary>The key recorded for a Zendesk id (and position): the comment at a ticket's position, the translation of an article's locale.</summary>
    public async Task<(string System, string Id, IdMapEntry Entry)?> ByZendeskIdAsync(string table, string zendeskId, long? position, CancellationToken cancellationToken)
    {
        await using var command = Command("""
            SELECT source_system, source_id, state, zendesk_id, content_sha256, run, parent_id, position, body_format FROM id_map
            WHERE table_name = $t AND zendesk_id = $z AND ($n IS NULL OR position = $n) AND state = 'done' LIMIT 1
            """);
        command.Parameters.AddWithValue("$t", table);
        command.Parameters.AddWithValue("$z", zendeskId);
        command.Parameters.AddWithValue("$n", (object?)position ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1), Entry(reader, 2)) : null;
    }

    private static IdMapEntry Entry(SqliteDataReader reader, int first) => new(
        reader.GetString(first),
        reader.IsDBNull(first + 1) ? null : reader.GetString(first + 1),
        reader.IsDBNull(first + 2) ? null : reader.GetString(first + 2),
        reader.GetString(first + 3),
        reader.IsDBNull(first + 4) ? null : reader.GetString(first + 4),
        reader.IsDBNull(first + 5) ? null : reader.GetInt64(first + 5),
        reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6));

    private SqliteCommand Command(string sql) => new(sql, _connection, _current ?? _dryRun);

    private static void Key(SqliteCommand command, string table, string system, string id)
    {
        command.Parameters.AddWithValue("$t", table);
        command.Parameters.AddWithValue("$s", system);
        command.Parameters.AddWithValue("$i", id);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new SqliteCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_dryRun is not null)
        {
            await _dryRun.RollbackAsync();
            await _dryRun.DisposeAsync();
        }
        await _connection.DisposeAsync();
    }
}
