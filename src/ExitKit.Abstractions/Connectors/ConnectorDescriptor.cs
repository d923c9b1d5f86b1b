using ExitKit.Schema;

namespace ExitKit.Connectors;

/// <summary>What a connector can do, as <c>exitkit connectors</c> lists it.</summary>
/// <param name="Name">The name users pass to <c>--connector</c>, lower case (e.g. <c>sql</c>, <c>zendesk</c>).</param>
/// <param name="Version">The connector's version.</param>
/// <param name="Description">One sentence on what it reads or writes.</param>
/// <param name="Families">The data families it handles.</param>
/// <param name="IsSource">True when it can export from a vendor system.</param>
/// <param name="IsSuccessor">True when it can import into a successor system.</param>
public sealed record ConnectorDescriptor(
    string Name,
    string Version,
    string Description,
    IReadOnlyList<DataFamily> Families,
    bool IsSource,
    bool IsSuccessor);
