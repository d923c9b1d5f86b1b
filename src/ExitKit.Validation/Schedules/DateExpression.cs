using System.Globalization;
using System.Text.RegularExpressions;

namespace ExitKit.Validation.Schedules;

/// <summary>The units a period is counted in.</summary>
public enum PeriodUnit
{
    /// <summary>Calendar days.</summary>
    Days,
    /// <summary>Working Days: not a weekend day, not a holiday of the schedule's calendar.</summary>
    WorkingDays,
    /// <summary>Weeks of seven days.</summary>
    Weeks,
    /// <summary>Calendar months; the 31st plus one month is the last day of the next month.</summary>
    Months,
    /// <summary>Calendar years.</summary>
    Years,
}

/// <summary>A period such as <c>36 months</c> or <c>15 working days</c>; <see cref="Amount"/> may be negative.</summary>
public sealed partial record Period(int Amount, PeriodUnit Unit)
{
    [GeneratedRegex(@"^\s*(?<n>\d+)\s*(?<unit>working\s+days?|days?|weeks?|months?|years?)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Parses <c>N days|working days|weeks|months|years</c>; null when the text is not a period.</summary>
    public static Period? TryParse(string text)
    {
        var match = Pattern().Match(text ?? "");
        return match.Success && int.TryParse(match.Groups["n"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            ? new Period(amount, UnitOf(match.Groups["unit"].Value))
            : null;
    }

    internal static PeriodUnit UnitOf(string unit)
    {
        var word = unit.ToLowerInvariant();
        return word.StartsWith("working", StringComparison.Ordinal) ? PeriodUnit.WorkingDays
            : word.StartsWith("day", StringComparison.Ordinal) ? PeriodUnit.Days
            : word.StartsWith("week", StringComparison.Ordinal) ? PeriodUnit.Weeks
            : word.StartsWith("month", StringComparison.Ordinal) ? PeriodUnit.Months
            : PeriodUnit.Years;
    }

    /// <summary>The date this period after (or, when negative, before) <paramref name="date"/>.</summary>
    public DateOnly AddTo(DateOnly date, WorkingCalendar calendar) => Unit switch
    {
        PeriodUnit.Days => date.AddDays(Amount),
        PeriodUnit.Weeks => date.AddDays(7 * Amount),
        PeriodUnit.Months => date.AddMonths(Amount),
        PeriodUnit.Years => date.AddYears(Amount),
        PeriodUnit.WorkingDays => calendar.AddWorkingDays(date, Amount),
        _ => throw new InvalidOperationException($"Unknown unit {Unit}."),
    };

    /// <inheritdoc />
    public override string ToString()
    {
        var count = Math.Abs(Amount);
        var unit = Unit switch
        {
            PeriodUnit.Days => "day",
            PeriodUnit.WorkingDays => "working day",
            PeriodUnit.Weeks => "week",
            PeriodUnit.Months => "month",
            _ => "year",
        };
        return string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")}");
    }
}

/// <summary>
/// A date in a schedule: an ISO date (<c>2024-06-30</c>) or a named date (<c>exit</c>, <c>delivery</c>, or a key of
/// <c>dates:</c>), optionally plus or minus a period: <c>exit - 36 months</c>, <c>notice + 2 months</c>,
/// <c>exit + 10 working days</c>.
/// </summary>
public sealed partial record DateExpression(string Text, DateOnly? AnchorDate, string? AnchorName, Period? Offset)
{
    [GeneratedRegex(@"^\s*(?<anchor>\d{4}-\d{2}-\d{2}|[A-Za-z][A-Za-z0-9_]*)\s*(?:(?<sign>[+-])\s*(?<period>.+?))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Parses a date expression; returns null and a reason when it is malformed.</summary>
    public static DateExpression? TryParse(string text, out string? error)
    {
        error = null;
        var match = Pattern().Match(text ?? "");
        if (!match.Success)
        {
            error = $"'{text}' is not a date: write 2024-06-30, a named date (exit, delivery, a key of dates:), or one of them ± a period, e.g. 'exit - 36 months'";
            return null;
        }
        var anchor = match.Groups["anchor"].Value;
        DateOnly? date = null;
        if (char.IsAsciiDigit(anchor[0]))
        {
            if (!DateOnly.TryParseExact(anchor, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                error = $"'{anchor}' is not a calendar date (YYYY-MM-DD)";
                return null;
            }
            date = parsed;
        }
        Period? offset = null;
        if (match.Groups["period"].Success)
        {
            offset = Period.TryParse(match.Groups["period"].Value);
            if (offset is null)
            {
                error = $"'{match.Groups["period"].Value}' in '{text}' is not a period: write e.g. '36 months', '2 years', '15 working days'";
                return null;
            }
            if (match.Groups["sign"].Value == "-")
            {
                offset = offset with { Amount = -offset.Amount };
            }
        }
        return new DateExpression(text!.Trim(), date, date is null ? anchor : null, offset);
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
