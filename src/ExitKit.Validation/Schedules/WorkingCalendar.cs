using System.Collections.Frozen;

namespace ExitKit.Validation.Schedules;

/// <summary>The calendar Working Days are counted in: weekend days, holidays and the time zone deadlines end in.</summary>
/// <remarks>
/// A Working Day is a day that is neither a weekend day nor a listed holiday (MSC Schedule 8.5 and CCS Call-Off
/// Schedule 10 define it as a day other than a Saturday, Sunday or public holiday in England and Wales).
/// </remarks>
public sealed class WorkingCalendar
{
    private readonly FrozenSet<DateOnly> _holidays;
    private readonly FrozenSet<DayOfWeek> _weekend;

    /// <summary>Creates a calendar.</summary>
    public WorkingCalendar(string name, TimeZoneInfo timeZone, IEnumerable<DayOfWeek> weekend, IEnumerable<DateOnly> holidays)
    {
        Name = name;
        TimeZone = timeZone;
        _weekend = weekend.ToFrozenSet();
        _holidays = holidays.ToFrozenSet();
    }

    /// <summary>Saturday and Sunday off, no holidays, UTC.</summary>
    public static WorkingCalendar Default { get; } = new("weekdays", TimeZoneInfo.Utc, [DayOfWeek.Saturday, DayOfWeek.Sunday], []);

    /// <summary>The calendar's name, e.g. <c>england-and-wales</c>.</summary>
    public string Name { get; }

    /// <summary>The time zone a deadline's day ends in.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>The listed holidays.</summary>
    public IReadOnlyCollection<DateOnly> Holidays => _holidays;

    /// <summary>The weekend days.</summary>
    public IReadOnlyCollection<DayOfWeek> Weekend => _weekend;

    /// <summary>True when the day is a Working Day.</summary>
    public bool IsWorkingDay(DateOnly date) => !_weekend.Contains(date.DayOfWeek) && !_holidays.Contains(date);

    /// <summary>The date <paramref name="count"/> Working Days after (negative: before) <paramref name="date"/>.</summary>
    /// <remarks>"Within 15 Working Days of the request": the 15th Working Day after the request day.</remarks>
    public DateOnly AddWorkingDays(DateOnly date, int count)
    {
        var step = count < 0 ? -1 : 1;
        for (var remaining = Math.Abs(count); remaining > 0;)
        {
            date = date.AddDays(step);
            if (IsWorkingDay(date))
            {
                remaining--;
            }
        }
        return date;
    }

    /// <summary>Working Days after <paramref name="from"/> up to and including <paramref name="to"/> (negative when to is earlier).</summary>
    public int WorkingDaysBetween(DateOnly from, DateOnly to)
    {
        if (to < from)
        {
            return -WorkingDaysBetween(to, from);
        }
        var count = 0;
        for (var day = from.AddDays(1); day <= to; day = day.AddDays(1))
        {
            if (IsWorkingDay(day))
            {
                count++;
            }
        }
        return count;
    }
}
