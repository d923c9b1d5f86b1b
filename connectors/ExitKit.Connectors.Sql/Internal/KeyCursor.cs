using System.Globalization;

namespace ExitKit.Connectors.Sql.Internal;

/// <summary>Turns a key value into the opaque resume cursor and back, keeping its type so the comparison stays typed.</summary>
internal static class KeyCursor
{
    public static string Format(object key) => key switch
    {
        long or int or short or byte or sbyte or ushort or uint => "i:" + Convert.ToInt64(key, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        decimal number => "n:" + number.ToString(CultureInfo.InvariantCulture),
        Guid guid => "g:" + guid.ToString("D"),
        DateTime instant => "t:" + instant.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset instant => "o:" + instant.ToString("O", CultureInfo.InvariantCulture),
        string text => "s:" + text,
        _ => "s:" + Convert.ToString(key, CultureInfo.InvariantCulture),
    };

    /// <exception cref="FormatException">The cursor was not made by <see cref="Format"/>.</exception>
    public static object Parse(string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        if (cursor.Length < 2 || cursor[1] != ':')
        {
            throw new FormatException($"'{cursor}' is not a cursor of the sql connector");
        }
        var value = cursor[2..];
        return cursor[0] switch
        {
            'i' => long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture),
            'n' => decimal.Parse(value, NumberStyles.Number, CultureInfo.InvariantCulture),
            'g' => Guid.Parse(value, CultureInfo.InvariantCulture),
            't' => DateTime.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            'o' => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            's' => value,
            _ => throw new FormatException($"'{cursor}' is not a cursor of the sql connector"),
        };
    }
}
