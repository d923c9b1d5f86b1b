using System.Collections.Frozen;

namespace ExitKit.Connectors.Sql.Internal;

/// <summary>Decides whether a SQL text is a single query (SELECT, or WITH … SELECT) and nothing else.</summary>
/// <remarks>
/// The connector reads a vendor's production database: it must never change it, whatever the mapping file says.
/// Comments, string literals and quoted identifiers are skipped, so <c>'DROP'</c> in a literal is harmless, while a
/// second statement after <c>;</c> or a data-modifying CTE (<c>WITH d AS (DELETE …) SELECT …</c>) is refused.
/// The connection is opened read-only as well, where the provider allows, because a function call can still write.
/// </remarks>
internal static class ReadOnlyStatement
{
    // Words that start a writing statement. A statement must start with SELECT or WITH, but SQL Server runs
    // `SELECT 1 DROP TABLE t` as two statements without a ';', and PostgreSQL writes in a CTE, so these are refused
    // anywhere outside literals and quoted names. A column with such a name is written quoted ("lock").
    private static readonly FrozenSet<string> Refused = new[]
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "INTO", "CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "REVOKE", "DENY",
        "EXEC", "EXECUTE", "CALL", "COPY", "ATTACH", "DETACH", "PRAGMA", "VACUUM", "REINDEX", "LOCK", "SET", "BEGIN", "COMMIT",
        "ROLLBACK", "SAVEPOINT", "DECLARE", "SHUTDOWN", "KILL", "BACKUP", "RESTORE", "DBCC", "OPENROWSET", "OPENDATASOURCE",
        "OPENQUERY", "BULK",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when <paramref name="sql"/> is one query; otherwise why it is refused.</summary>
    public static string? WhyRefused(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        string? first = null;
        var afterSemicolon = false;
        foreach (var token in Tokens(sql))
        {
            if (token.Kind == TokenKind.Unterminated)
            {
                return "it has an unterminated string, quoted name or comment";
            }
            if (afterSemicolon)
            {
                return "it holds more than one statement (text follows ';'); give a single SELECT";
            }
            if (token.Kind == TokenKind.Semicolon)
            {
                afterSemicolon = true;
                continue;
            }
            if (first is null)
            {
                if (token.Kind == TokenKind.Symbol && token.Text == "(")
                {
                    continue;
                }
                first = token.Text;
                if (token.Kind != TokenKind.Word
                    || !(first.Equals("SELECT", StringComparison.OrdinalIgnoreCase) || first.Equals("WITH", StringComparison.OrdinalIgnoreCase)))
                {
                    return $"it starts with '{Shorten(first)}'; only a SELECT (or WITH … SELECT) statement is allowed";
                }
            }
            if (token.Kind == TokenKind.Word && Refused.Contains(token.Text))
            {
                return $"it contains '{token.Text.ToUpperInvariant()}'; only statements that read (SELECT, or WITH … SELECT) are allowed (write a column of that name quoted)";
            }
        }
        return first is null ? "it is empty; give a SELECT statement" : null;
    }

    private static string Shorten(string text) => text.Length > 20 ? text[..20] + "…" : text;

    private enum TokenKind { Word, Symbol, Semicolon, Literal, Unterminated }

    private readonly record struct Token(TokenKind Kind, string Text);

    private static IEnumerable<Token> Tokens(string sql)
    {
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && Peek(sql, i + 1) == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (c == '/' && Peek(sql, i + 1) == '*')
            {
                // PostgreSQL nests block comments; counting depth is right for it and harmless for the others.
                var depth = 0;
                var j = i;
                while (j < sql.Length)
                {
                    if (sql[j] == '/' && Peek(sql, j + 1) == '*') { depth++; j += 2; }
                    else if (sql[j] == '*' && Peek(sql, j + 1) == '/') { depth--; j += 2; if (depth == 0) { break; } }
                    else { j++; }
                }
                if (depth != 0)
                {
                    yield return new Token(TokenKind.Unterminated, "/*");
                    yield break;
                }
                i = j;
            }
            else if (c is '\'' or '"' or '`' or '[')
            {
                var close = c == '[' ? ']' : c;
                var j = i + 1;
                var closed = false;
                while (j < sql.Length)
                {
                    if (sql[j] == close)
                    {
                        if (Peek(sql, j + 1) == close && c != '[') { j += 2; continue; }
                        closed = true;
                        j++;
                        break;
                    }
                    j++;
                }
                if (!closed)
                {
                    yield return new Token(TokenKind.Unterminated, c.ToString());
                    yield break;
                }
                yield return new Token(TokenKind.Literal, sql[i..j]);
                i = j;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                if (end < 0)
                {
                    yield return new Token(TokenKind.Unterminated, tag);
                    yield break;
                }
                i = end + tag.Length;
                yield return new Token(TokenKind.Literal, tag);
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var j = i + 1;
                while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] is '_' or '$'))
                {
                    j++;
                }
                yield return new Token(TokenKind.Word, sql[i..j]);
                i = j;
            }
            else if (c == ';')
            {
                yield return new Token(TokenKind.Semicolon, ";");
                i++;
            }
            else
            {
                yield return new Token(TokenKind.Symbol, c.ToString());
                i++;
            }
        }
    }

    private static char Peek(string text, int index) => index < text.Length ? text[index] : '\0';

    /// <summary>A PostgreSQL dollar-quote opener ($$ or $tag$) at <paramref name="start"/>, or null.</summary>
    private static string? DollarTag(string sql, int start)
    {
        var j = start + 1;
        while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_'))
        {
            j++;
        }
        return j < sql.Length && sql[j] == '$' && (j == start + 1 || !char.IsDigit(sql[start + 1])) ? sql[start..(j + 1)] : null;
    }
}
