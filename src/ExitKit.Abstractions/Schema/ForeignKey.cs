namespace ExitKit.Schema;

/// <summary>A reference from a column of one table to the <c>source_id</c> of another, within one source system.</summary>
/// <param name="Column">The referencing column.</param>
/// <param name="ReferencedTable">The table whose <c>source_id</c> it names.</param>
public sealed record ForeignKey(string Column, string ReferencedTable);
