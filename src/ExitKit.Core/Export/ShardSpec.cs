using System.Globalization;
using System.Text.RegularExpressions;
using ExitKit.Connectors;

namespace ExitKit.Export;

/// <summary>One of N shards of an export: shard K exports the K-th of N equal day ranges of the export window.</summary>
/// <param name="Index">The shard, from 1 to <paramref name="Count"/>.</param>
/// <param name="Count">How many shards the window is split into.</param>
public sealed partial record ShardSpec(int Index, int Count)
{
    /// <summary>The shard's name, used for its work folder (<c>.exitkit/shard-02-of-04/</c>) and its part files.</summary>
    public string Name => NameOf(Index, Count);

    /// <summary>True for the shard that also exports what has no time (configuration tables and the vendor's originals).</summary>
    public bool TakesUntimed => Index == 1;

    /// <summary>The name of shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    public static string NameOf(int index, int count)
    {
        var width = Math.Max(2, count.ToString(CultureInfo.InvariantCulture).Length);
        return string.Create(CultureInfo.InvariantCulture, $"shard-{index.ToString(new string('0', width), CultureInfo.InvariantCulture)}-of-{count.ToString(new string('0', width), CultureInfo.InvariantCulture)}");
    }

    /// <summary>Parses <c>K/N</c> (as given to <c>--shard</c>).</summary>
    /// <exception cref="ExitKitException">The text is not K/N with 1 ≤ K ≤ N.</exception>
    public static ShardSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = SpecPattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(match.Groups[2].Value, CultureInfo.InvariantCulture, out var count) || count < 1 || index < 1 || index > count)
        {
            throw new ExitKitException($"--shard '{text}' is not K/N with 1 <= K <= N, e.g. --shard 2/4 for the second of four shards.");
        }
        return new ShardSpec(index, count);
    }

    /// <summary>Reads a shard name (<c>shard-02-of-04</c>) back; null when the text is not one.</summary>
    public static ShardSpec? FromName(string name)
    {
        var match = NamePattern().Match(name ?? "");
        return match.Success
            ? new ShardSpec(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>This shard's part of the export window: whole UTC days, the K-th of N ranges as equal as days allow.</summary>
    /// <exception cref="ExitKitException">The window is open at either end, so it cannot be split.</exception>
    public ExportRequest WindowOf(ExportRequest window)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.From is not { } from || window.To is not { } to)
        {
            throw new ExitKitException($"--shard {Index}/{Count} splits the export window by time, so it needs both ends: give --from and --to " +
                "(the same on every shard).");
        }
        var days = (long)Math.Ceiling((to - from).TotalDays);
        DateTimeOffset Boundary(int shard) => shard == Count ? to : Min(from.AddDays(days * shard / Count), to);
        return new ExportRequest(Index == 1 ? from : Boundary(Index - 1), Boundary(Index));
    }

    private static DateTimeOffset Min(DateTimeOffset left, DateTimeOffset right) => left < right ? left : right;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    [GeneratedRegex(@"^(\d{1,4})\s*(?:/|of)\s*(\d{1,4})$")]
    private static partial Regex SpecPattern();

    [GeneratedRegex(@"^shard-(\d+)-of-(\d+)$")]
    private static partial Regex NamePattern();
}
