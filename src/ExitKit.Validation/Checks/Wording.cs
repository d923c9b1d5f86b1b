using System.Globalization;
using ExitKit.Schema;
using Humanizer;

namespace ExitKit.Validation.Checks;

/// <summary>How reports write figures, dates and nouns: the way an auditor reads them.</summary>
internal static class Wording
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"1,204 interactions", "1 day".</summary>
    public static string Count(long count, string noun) => noun.ToQuantity(count, "N0", Invariant);

    /// <summary>"every one of the 4 messages", or "the 1 message".</summary>
    public static string EveryOne(long count, string noun) => count == 1 ? $"the 1 {noun}" : $"every one of the {Count(count, noun)}";

    /// <summary>"1,204".</summary>
    public static string Number(long count) => count.ToString("N0", Invariant);

    /// <summary>"0.4%" (rates from 0 to 1).</summary>
    public static string Percent(double rate) => (rate * 100).ToString(rate is > 0 and < 0.001 ? "0.###" : "0.#", Invariant) + "%";

    /// <summary>"12 March 2024".</summary>
    public static string Date(DateOnly date) => date.ToString("d MMMM yyyy", Invariant);

    /// <summary>"12 March 2024", "12–14 March 2024", "30 March – 2 April 2024".</summary>
    public static string Range(DateOnly first, DateOnly last)
    {
        if (first == last)
        {
            return Date(first);
        }
        if (first.Year == last.Year && first.Month == last.Month)
        {
            return string.Create(Invariant, $"{first.Day}–{Date(last)}");
        }
        return first.Year == last.Year
            ? $"{first.ToString("d MMMM", Invariant)} – {Date(last)}"
            : $"{Date(first)} – {Date(last)}";
    }

    /// <summary>The singular noun for a table's rows: interactions → interaction, kb_articles → kb article.</summary>
    public static string Noun(TableSchema table) => table.Name switch
    {
        "business_hours" => "business hours row",
        _ => table.Name.Humanize(LetterCasing.LowerCase).Singularize(inputIsKnownToBePlural: true),
    };

    /// <summary>"a, b and c".</summary>
    public static string List(IEnumerable<string> items) => items.Humanize("and");

    /// <summary>"'i-1', 'i-2'": values quoted, capped list with "…" when there were more.</summary>
    public static string Quoted(IReadOnlyList<string> items, long total) =>
        string.Join(", ", items.Select(item => $"'{item}'")) + (total > items.Count ? ", …" : "");

    /// <summary>"48 KB".</summary>
    public static string Bytes(long bytes) => bytes.Bytes().Humanize("#.#", Invariant);
}
