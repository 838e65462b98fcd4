using BackupTools.Core.Repository;

namespace BackupTools.Core.Operations;

/// <summary>
/// Splits the data section of a pg_dump archive's table of contents (the lines of <c>pg_restore -l --section=data</c>)
/// into disjoint lists, one per pg_restore process, balanced by the tables' sizes recorded at backup time (largest
/// first, each to the lightest list). Every list keeps the archive's order, which a pg_restore reading the archive
/// from a pipe needs. Entries that are not table data (sequence values, large objects) go to the lightest list.
/// </summary>
public static class DataSectionPlan
{
    private const string TableData = " TABLE DATA ";

    /// <summary>At most <paramref name="ways"/> non-empty lists covering every entry line once.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Split(IReadOnlyList<string> entries, IReadOnlyCollection<TableInfo> tables, int ways)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ways, 1);
        var weights = entries.Select(line => WeightOf(line, tables)).ToArray();
        var assigned = new int[entries.Count];
        var load = new long[ways];
        var tableEntries = Enumerable.Range(0, entries.Count).Where(i => weights[i] is not null).OrderByDescending(i => weights[i]).ToList();
        foreach (var i in tableEntries)
        {
            var lightest = Array.IndexOf(load, load.Min());
            assigned[i] = lightest;
            load[lightest] += Math.Max(1, weights[i]!.Value);
        }
        var others = Array.IndexOf(load, load.Min());
        foreach (var i in Enumerable.Range(0, entries.Count).Where(i => weights[i] is null)) assigned[i] = others;
        return Enumerable.Range(0, ways)
            .Select(list => (IReadOnlyList<string>)Enumerable.Range(0, entries.Count).Where(i => assigned[i] == list).Select(i => entries[i]).ToList())
            .Where(list => list.Count > 0)
            .ToList();
    }

    /// <summary>The recorded size of the table a "TABLE DATA schema name owner" line loads (0 when unknown); null for other entries.</summary>
    private static long? WeightOf(string line, IReadOnlyCollection<TableInfo> tables)
    {
        var at = line.IndexOf(TableData, StringComparison.Ordinal);
        if (at < 0) return null;
        var rest = line[(at + TableData.Length)..];
        // Names may hold spaces, so the longest known "schema name " prefix wins.
        return tables.Where(t => rest.StartsWith($"{t.Schema} {t.Name} ", StringComparison.Ordinal))
            .OrderByDescending(t => t.Schema.Length + t.Name.Length)
            .Select(t => (long?)t.Bytes)
            .FirstOrDefault() ?? 0;
    }
}
