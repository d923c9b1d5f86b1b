using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ExitKit.Schema;

namespace ExitKit.Connectors.Sql.Internal;

/// <summary>Converts what a database driver returns into the CLR type of a neutral column.</summary>
/// <remarks>
/// Timestamps without an offset (SQL Server datetime2, PostgreSQL timestamp, SQLite text without a zone) are taken
/// as UTC; integers in a timestamp column are Unix seconds. Text lists are arrays, JSON arrays or comma-separated text.
/// </remarks>
internal static class ValueConverter
{
    /// <summary>Converts <paramref name="value"/>; false with a reason when it cannot be.</summary>
    public static bool TryConvert(object value, ColumnType type, out object? converted, out string? reason)
    {
        reason = null;
        converted = null;
        try
        {
            converted = type switch
            {
                ColumnType.Text => ToText(value),
                ColumnType.Integer => ToInteger(value),
                ColumnType.Number => ToNumber(value),
                ColumnType.Boolean => ToBoolean(value),
                ColumnType.Timestamp => ToTimestamp(value),
                ColumnType.Json => ToJson(value),
                ColumnType.TextList => ToTextList(value),
                _ => throw new FormatException($"unknown column type {type}"),
            };
            return true;
        }
        catch (Exception error) when (error is FormatException or InvalidCastException or OverflowException or JsonException)
        {
            reason = $"a {Describe(value)} cannot be read as {type.ToString().ToLowerInvariant()}: {error.Message}";
            return false;
        }
    }

    private static string Describe(object value) => value switch
    {
        string => "text value",
        byte[] => "binary value",
        _ => $"{value.GetType().Name} value",
    };

    private static string ToText(object value) => value switch
    {
        string text => text,
        DateTime instant => Utc(instant).ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset instant => instant.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        Guid guid => guid.ToString("D"),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static long ToInteger(object value) => value switch
    {
        long number => number,
        int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        decimal number when decimal.Truncate(number) == number => (long)number,
        double number when Math.Truncate(number) == number => checked((long)number),
        float number when MathF.Truncate(number) == number => checked((long)number),
        bool flag => flag ? 1 : 0,
        string text => long.Parse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException("it is not a whole number"),
    };

    private static double ToNumber(object value) => value switch
    {
        double number => number,
        string text => double.Parse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture),
        bool or DateTime or DateTimeOffset or byte[] or Guid => throw new InvalidCastException("it is not a number"),
        IConvertible => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => throw new InvalidCastException("it is not a number"),
    };

    private static bool ToBoolean(object value) => value switch
    {
        bool flag => flag,
        long or int or short or byte or decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture) != 0,
        string text => text.Trim().ToUpperInvariant() switch
        {
            "TRUE" or "T" or "YES" or "Y" or "1" => true,
            "FALSE" or "F" or "NO" or "N" or "0" => false,
            _ => throw new FormatException("it is neither true nor false"),
        },
        _ => throw new InvalidCastException("it is not a yes/no value"),
    };

    private static DateTimeOffset ToTimestamp(object value) => value switch
    {
        DateTimeOffset instant => instant.ToUniversalTime(),
        DateTime instant => Utc(instant),
        long seconds => DateTimeOffset.FromUnixTimeSeconds(seconds),
        int seconds => DateTimeOffset.FromUnixTimeSeconds(seconds),
        string text => DateTimeOffset.Parse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal).ToUniversalTime(),
        _ => throw new InvalidCastException("it is not a date and time"),
    };

    private static DateTimeOffset Utc(DateTime instant) => instant.Kind switch
    {
        DateTimeKind.Local => new DateTimeOffset(instant.ToUniversalTime(), TimeSpan.Zero),
        _ => new DateTimeOffset(DateTime.SpecifyKind(instant, DateTimeKind.Utc), TimeSpan.Zero),
    };

    private static string ToJson(object value)
    {
        if (value is string text)
        {
            using var _ = JsonDocument.Parse(text); // throws JsonException when the vendor's "JSON" is not JSON
            return text;
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteValue(writer, value);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string[] ToTextList(object value) => value switch
    {
        string[] list => list,
        string text when text.TrimStart().StartsWith('[') => JsonSerializer.Deserialize<string[]>(text) ?? [],
        string text => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        IEnumerable items and not byte[] => items.Cast<object?>().Where(item => item is not null and not DBNull).Select(item => ToText(item!)).ToArray(),
        _ => throw new InvalidCastException("it is not a list"),
    };

    /// <summary>Writes a driver value as JSON, for source_extra.</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null or DBNull: writer.WriteNullValue(); break;
            case string text: writer.WriteStringValue(text); break;
            case bool flag: writer.WriteBooleanValue(flag); break;
            case long or int or short or byte or sbyte or ushort or uint: writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong number: writer.WriteNumberValue(number); break;
            case decimal number: writer.WriteNumberValue(number); break;
            case double number when double.IsFinite(number): writer.WriteNumberValue(number); break;
            case float number when float.IsFinite(number): writer.WriteNumberValue(number); break;
            case byte[] bytes: writer.WriteBase64StringValue(bytes); break;
            case DateTime or DateTimeOffset or Guid: writer.WriteStringValue(ToText(value)); break;
            case IEnumerable items and not string:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item);
                }
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(ToText(value)); break;
        }
    }
}
