using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace ExitKit.Connectors.Sql;

/// <summary>How many rows <see cref="GenericContactCentreSeeder"/> wrote per table.</summary>
public sealed record GenericContactCentreSeedResult(long Contacts, long Turns, long Participants, long Surveys, long Queues, long Agents, long KbSections, long KbArticles);

/// <summary>Fills the generic contact-centre schema with deterministic test data, fast: for tests and benchmarks.</summary>
/// <remarks>
/// PostgreSQL is written with binary COPY, SQLite with prepared inserts in large transactions. Every value derives
/// from the row number, so two runs with the same settings write the same database. Create the schema first
/// (<see cref="GenericContactCentre.CreateSchemaAsync"/>).
/// </remarks>
public sealed class GenericContactCentreSeeder
{
    private static readonly string[] Words =
    [
        "order", "refund", "delivery", "account", "password", "invoice", "thanks", "please", "help", "waiting", "parcel",
        "address", "change", "update", "subscription", "cancel", "charge", "card", "issue", "resolved", "agent", "customer",
        "today", "tomorrow", "week", "number", "reference", "email", "phone", "broken", "replace", "return", "label",
    ];
    private static readonly string[] Channels = ["voice", "chat", "email", "sms", "messaging"];
    private static readonly string[] Statuses = ["solved", "closed", "abandoned", "pending"];

    /// <summary>How many contacts (interactions) to write.</summary>
    public int Contacts { get; init; } = 1000;

    /// <summary>Turns (messages) per contact.</summary>
    public int TurnsPerContact { get; init; } = 5;

    /// <summary>The approximate size of a turn's body in bytes.</summary>
    public int BodyBytes { get; init; } = 700;

    /// <summary>When the first contact starts (UTC).</summary>
    public DateTimeOffset Start { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Time between the starts of two consecutive contacts.</summary>
    public TimeSpan Spacing { get; init; } = TimeSpan.FromMinutes(7);

    /// <summary>The instant contact <paramref name="number"/> (from 1) starts.</summary>
    public DateTimeOffset StartOf(long number) => Start + Spacing * (number - 1);

    /// <summary>Writes the data into an open SQLite or PostgreSQL connection whose generic schema is empty.</summary>
    public async Task<GenericContactCentreSeedResult> SeedAsync(DbConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfNegative(Contacts);
        ArgumentOutOfRangeException.ThrowIfNegative(TurnsPerContact);
        return connection switch
        {
            NpgsqlConnection postgres => await SeedPostgresAsync(postgres, cancellationToken),
            SqliteConnection sqlite => await SeedSqliteAsync(sqlite, cancellationToken),
            _ => throw new ArgumentException($"The seeder writes SQLite and PostgreSQL, not {connection.GetType().Name}.", nameof(connection)),
        };
    }

    private const int QueueCount = 8;
    private const int AgentCount = 50;
    private const int SectionCount = 4;
    private const int ArticleCount = 20;

    // Identifiers are text in the generic schema; the seeder numbers its rows. (SQLite turns a bound number into text itself.)
    private static string Id(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string QueueId(long n) => $"q{n % QueueCount + 1}";
    private static string AgentId(long n) => $"a{n % AgentCount + 1}";
    private static string CustomerId(long n) => $"c{n % 997 + 1}";

    private string[]? _bodies;

    // A pool of distinct bodies, picked by row number: deterministic, and no text is built per row.
    private string Body(long contact, int turn)
    {
        _bodies ??= Enumerable.Range(0, 251).Select(seed =>
        {
            var random = new Random(seed);
            var text = new StringBuilder(BodyBytes + 16);
            while (text.Length < BodyBytes)
            {
                text.Append(Words[random.Next(Words.Length)]).Append(' ');
            }
            return text.ToString(0, BodyBytes);
        }).ToArray();
        return _bodies[(int)((contact * 31 + turn) % _bodies.Length)];
    }

    private static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<GenericContactCentreSeedResult> SeedSqliteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        long turns = 0, participants = 0, surveys = 0;
        await ReferenceDataAsync(connection, (sql, values) => Sqlite(connection, sql, values, cancellationToken), Iso, cancellationToken);

        var transaction = connection.BeginTransaction();
        var contact = Prepare(connection, transaction,
            "INSERT INTO contacts (contact_id, channel, direction, status, subject, started_at, ended_at, updated_at, queue_id, agent_id, customer_id, language, priority, wrap_up_code, handle_seconds, tags, external_ref) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16)", 17);
        var turn = Prepare(connection, transaction,
            "INSERT INTO contact_turns (turn_id, contact_id, seq, author_role, author_id, kind, is_public, body, body_format, sent_at, sentiment, language) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11)", 12);
        var participant = Prepare(connection, transaction,
            "INSERT INTO contact_participants (participant_id, contact_id, role, participant_ref, display_name, joined_at, left_at) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)", 7);
        var survey = Prepare(connection, transaction,
            "INSERT INTO csat_responses (response_id, contact_id, survey_type, score, scale_max, comment, answered_at, channel) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)", 8);
        try
        {
            for (long n = 1; n <= Contacts; n++)
            {
                var started = StartOf(n);
                Bind(contact, n, Channels[n % Channels.Length], n % 10 == 0 ? "outbound" : "inbound", Statuses[n % Statuses.Length],
                    $"Contact {n}", Iso(started), Iso(started.AddMinutes(6)), Iso(started.AddMinutes(10)), QueueId(n), AgentId(n), CustomerId(n),
                    "en", n % 3 == 0 ? "high" : "normal", "resolved", 360L, n % 2 == 0 ? "billing,vip" : "delivery", $"EXT-{n}");
                await contact.ExecuteNonQueryAsync(cancellationToken);
                for (var t = 1; t <= TurnsPerContact; t++)
                {
                    Bind(turn, (n - 1) * TurnsPerContact + t, n, (long)t, t % 2 == 1 ? "customer" : "agent", t % 2 == 1 ? CustomerId(n) : AgentId(n),
                        "turn", 1L, Body(n, t), "text", Iso(started.AddSeconds(30 * t)), t % 2 == 1 ? -0.25 : 0.5, "en");
                    await turn.ExecuteNonQueryAsync(cancellationToken);
                    turns++;
                }
                Bind(participant, 2 * n - 1, n, "customer", CustomerId(n), $"Customer {CustomerId(n)}", Iso(started), Iso(started.AddMinutes(6)));
                await participant.ExecuteNonQueryAsync(cancellationToken);
                Bind(participant, 2 * n, n, "agent", AgentId(n), $"Agent {AgentId(n)}", Iso(started), Iso(started.AddMinutes(6)));
                await participant.ExecuteNonQueryAsync(cancellationToken);
                participants += 2;
                if (n % 5 == 0)
                {
                    Bind(survey, n / 5, n, "csat", (double)(n % 5 + 1), 5.0, "Thanks", Iso(started.AddHours(1)), Channels[n % Channels.Length]);
                    await survey.ExecuteNonQueryAsync(cancellationToken);
                    surveys++;
                }
                if (n % 20_000 == 0)
                {
                    // Large transactions are what makes SQLite fast; bounded ones keep the journal small.
                    await transaction.CommitAsync(cancellationToken);
                    await transaction.DisposeAsync();
                    transaction = connection.BeginTransaction();
                    contact.Transaction = turn.Transaction = participant.Transaction = survey.Transaction = transaction;
                }
            }
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await transaction.DisposeAsync();
            await contact.DisposeAsync();
            await turn.DisposeAsync();
            await participant.DisposeAsync();
            await survey.DisposeAsync();
        }
        return new GenericContactCentreSeedResult(Contacts, turns, participants, surveys, QueueCount, AgentCount, SectionCount, ArticleCount);
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter($"@p{i}", null));
        }
        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static async Task Sqlite(SqliteConnection connection, string sql, object?[] values, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue($"@p{i}", values[i] ?? DBNull.Value);
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Queues, agents, hours, skills and knowledge: small tables, written row by row in either database.</summary>
    private static async Task ReferenceDataAsync(DbConnection connection, Func<string, object?[], Task> execute, Func<DateTimeOffset, object> time, CancellationToken cancellationToken)
    {
        var created = time(new DateTimeOffset(2025, 6, 1, 9, 0, 0, TimeSpan.Zero));
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await execute("INSERT INTO business_hours (hours_id, name, time_zone, weekly_schedule, holidays) VALUES (@p0, @p1, @p2, @p3, @p4)",
            ["bh1", "Weekdays", "Europe/London", """{"mon":[["09:00","17:00"]],"tue":[["09:00","17:00"]]}""", """["2026-12-25"]"""]);
        for (var q = 1; q <= QueueCount; q++)
        {
            await execute("INSERT INTO queues (queue_id, name, description, channel, hours_id, service_level_sec, created_at, updated_at) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7)",
                [$"q{q}", $"Queue {q}", $"Work of queue {q}", Channels[q % Channels.Length], "bh1", 20 * q, created, created]);
        }
        for (var s = 1; s <= 3; s++)
        {
            await execute("INSERT INTO skills (skill_id, name, description, skill_type) VALUES (@p0, @p1, @p2, @p3)", [$"s{s}", $"Skill {s}", null, "skill"]);
        }
        for (var a = 1; a <= AgentCount; a++)
        {
            await execute("INSERT INTO agents (agent_id, display_name, email, team, active, created_at) VALUES (@p0, @p1, @p2, @p3, @p4, @p5)",
                [$"a{a}", $"Agent {a}", $"agent{a}@example.com", $"team{a % 4}", true, created]);
        }
        for (var c = 1; c <= 997; c++)
        {
            await execute("INSERT INTO customers (customer_id, display_name, email, phone, created_at) VALUES (@p0, @p1, @p2, @p3, @p4)",
                [$"c{c}", $"Customer {c}", $"customer{c}@example.com", null, created]);
        }
        for (var s = 1; s <= SectionCount; s++)
        {
            await execute("INSERT INTO kb_sections (section_id, parent_id, kind, name, description, locale, position, created_at, updated_at) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8)",
                [$"sec{s}", s == 1 ? null : "sec1", s == 1 ? "category" : "section", $"Section {s}", null, "en-us", s, created, created]);
        }
        for (var a = 1; a <= ArticleCount; a++)
        {
            await execute("INSERT INTO kb_articles (revision_id, article_id, locale, version, title, body, body_format, section_id, state, labels, author_id, created_at, updated_at, published_at, view_count) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14)",
                [a, $"art{(a + 1) / 2}", "en-us", 2 - a % 2, $"Article {(a + 1) / 2}", $"<p>How to {Words[a % Words.Length]}</p>", "html", $"sec{a % SectionCount + 1}",
                 a % 2 == 0 ? "published" : "draft", "howto,faq", AgentId(a), created, created, a % 2 == 0 ? created : null, 10L * a]);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<GenericContactCentreSeedResult> SeedPostgresAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await ReferenceDataAsync(connection, async (sql, values) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters.Add(new NpgsqlParameter($"p{i}", values[i] ?? DBNull.Value));
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
        }, instant => instant.UtcDateTime, cancellationToken);

        await using (var contacts = await connection.BeginBinaryImportAsync(
            "COPY contacts (contact_id, channel, direction, status, subject, started_at, ended_at, updated_at, queue_id, agent_id, customer_id, language, priority, wrap_up_code, handle_seconds, tags, external_ref) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (long n = 1; n <= Contacts; n++)
            {
                var started = StartOf(n).UtcDateTime;
                await contacts.StartRowAsync(cancellationToken);
                await contacts.WriteAsync(Id(n), NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync(Channels[n % Channels.Length], NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync(n % 10 == 0 ? "outbound" : "inbound", NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync(Statuses[n % Statuses.Length], NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync($"Contact {n}", NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync(started, NpgsqlDbType.TimestampTz, cancellationToken);
                await contacts.WriteAsync(started.AddMinutes(6), NpgsqlDbType.TimestampTz, cancellationToken);
                await contacts.WriteAsync(started.AddMinutes(10), NpgsqlDbType.TimestampTz, cancellationToken);
                await contacts.WriteAsync(QueueId(n), NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync(AgentId(n), NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync(CustomerId(n), NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync("en", NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync(n % 3 == 0 ? "high" : "normal", NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync("resolved", NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync(360, NpgsqlDbType.Integer, cancellationToken);
                await contacts.WriteAsync(n % 2 == 0 ? "billing,vip" : "delivery", NpgsqlDbType.Text, cancellationToken);
                await contacts.WriteAsync($"EXT-{n}", NpgsqlDbType.Text, cancellationToken);
            }
            await contacts.CompleteAsync(cancellationToken);
        }

        long turns = 0, participants = 0, surveys = 0;
        await using (var turn = await connection.BeginBinaryImportAsync(
            "COPY contact_turns (turn_id, contact_id, seq, author_role, author_id, kind, is_public, body, body_format, sent_at, sentiment, language) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (long n = 1; n <= Contacts; n++)
            {
                var started = StartOf(n).UtcDateTime;
                for (var t = 1; t <= TurnsPerContact; t++)
                {
                    await turn.StartRowAsync(cancellationToken);
                    await turn.WriteAsync(Id((n - 1) * TurnsPerContact + t), NpgsqlDbType.Text, cancellationToken);
                    await turn.WriteAsync(Id(n), NpgsqlDbType.Text, cancellationToken);
                    await turn.WriteAsync(t, NpgsqlDbType.Integer, cancellationToken);
                    await turn.WriteAsync(t % 2 == 1 ? "customer" : "agent", NpgsqlDbType.Text, cancellationToken);
                    await turn.WriteAsync(t % 2 == 1 ? CustomerId(n) : AgentId(n), NpgsqlDbType.Text, cancellationToken);
                    await turn.WriteAsync("turn", NpgsqlDbType.Text, cancellationToken);
                    await turn.WriteAsync(true, NpgsqlDbType.Boolean, cancellationToken);
                    await turn.WriteAsync(Body(n, t), NpgsqlDbType.Text, cancellationToken);
                    await turn.WriteAsync("text", NpgsqlDbType.Text, cancellationToken);
                    await turn.WriteAsync(started.AddSeconds(30 * t), NpgsqlDbType.TimestampTz, cancellationToken);
                    await turn.WriteAsync(t % 2 == 1 ? -0.25 : 0.5, NpgsqlDbType.Double, cancellationToken);
                    await turn.WriteAsync("en", NpgsqlDbType.Text, cancellationToken);
                    turns++;
                }
            }
            await turn.CompleteAsync(cancellationToken);
        }

        await using (var participant = await connection.BeginBinaryImportAsync(
            "COPY contact_participants (participant_id, contact_id, role, participant_ref, display_name, joined_at, left_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (long n = 1; n <= Contacts; n++)
            {
                var started = StartOf(n).UtcDateTime;
                foreach (var (id, role, reference, name) in new[] { (2 * n - 1, "customer", CustomerId(n), $"Customer {CustomerId(n)}"), (2 * n, "agent", AgentId(n), $"Agent {AgentId(n)}") })
                {
                    await participant.WriteRowAsync(cancellationToken, Id(id), Id(n), role, reference, name, started, started.AddMinutes(6));
                    participants++;
                }
            }
            await participant.CompleteAsync(cancellationToken);
        }

        await using (var survey = await connection.BeginBinaryImportAsync(
            "COPY csat_responses (response_id, contact_id, survey_type, score, scale_max, comment, answered_at, channel) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (long n = 5; n <= Contacts; n += 5)
            {
                await survey.WriteRowAsync(cancellationToken, Id(n / 5), Id(n), "csat", (double)(n % 5 + 1), 5.0, "Thanks", StartOf(n).UtcDateTime.AddHours(1), Channels[n % Channels.Length]);
                surveys++;
            }
            await survey.CompleteAsync(cancellationToken);
        }
        return new GenericContactCentreSeedResult(Contacts, turns, participants, surveys, QueueCount, AgentCount, SectionCount, ArticleCount);
    }
}
