using System.Text.Json.Serialization;

namespace ExitKit.Validation.Checks;

/// <summary>How an obligation or a check came out.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Outcome>))]
public enum Outcome
{
    /// <summary>The package shows the obligation is met.</summary>
    [JsonStringEnumMemberName("met")]
    Met,
    /// <summary>The package shows the obligation is not met.</summary>
    [JsonStringEnumMemberName("not_met")]
    NotMet,
    /// <summary>The package or the schedule lacks what is needed to judge (the reason says what).</summary>
    [JsonStringEnumMemberName("not_checkable")]
    NotCheckable,
}

/// <summary>Wording of outcomes for people.</summary>
public static class OutcomeText
{
    /// <summary>"Met", "Not met" or "Not checkable".</summary>
    public static string Describe(this Outcome outcome) => outcome switch
    {
        Outcome.Met => "Met",
        Outcome.NotMet => "Not met",
        _ => "Not checkable",
    };

    /// <summary>The worst of several outcomes: any not met, else any not checkable, else met.</summary>
    public static Outcome Worst(IEnumerable<Outcome> outcomes)
    {
        var worst = Outcome.Met;
        foreach (var outcome in outcomes)
        {
            if (outcome == Outcome.NotMet)
            {
                return Outcome.NotMet;
            }
            if (outcome == Outcome.NotCheckable)
            {
                worst = Outcome.NotCheckable;
            }
        }
        return worst;
    }
}
