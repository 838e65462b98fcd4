using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using Xunit;

namespace BackupTools.Tests.Restore;

public class DataSectionPlanTests
{
    private static readonly string[] Entries =
    {
        "3376; 0 16408 TABLE DATA public mixed postgres",
        "3373; 0 16391 TABLE DATA public pgbench_accounts postgres",
        "3374; 0 16394 TABLE DATA public pgbench_branches postgres",
        "3371; 0 16385 TABLE DATA my schema odd name postgres",
        "3387; 0 0 SEQUENCE SET public mixed_id_seq postgres",
    };

    private static readonly TableInfo[] Tables =
    {
        new() { Schema = "public", Name = "mixed", Bytes = 300 },
        new() { Schema = "public", Name = "pgbench_accounts", Bytes = 1000 },
        new() { Schema = "public", Name = "pgbench_branches", Bytes = 10 },
        new() { Schema = "my schema", Name = "odd name", Bytes = 600 },
    };

    [Fact]
    public void The_largest_table_gets_a_list_of_its_own_and_every_list_keeps_the_archive_order()
    {
        var lists = DataSectionPlan.Split(Entries, Tables, 2);

        Assert.Equal(2, lists.Count);
        Assert.Equal(new[] { Entries[1] }, lists.Single(l => l.Contains(Entries[1])));
        // The rest (300 + 600 + 10 bytes, and the sequence value) in the archive's order.
        Assert.Equal(new[] { Entries[0], Entries[2], Entries[3], Entries[4] }, lists.Single(l => !l.Contains(Entries[1])));
    }

    [Fact]
    public void Every_entry_is_in_exactly_one_list_whatever_the_number_of_ways()
    {
        foreach (var ways in new[] { 1, 2, 3, 8 })
        {
            var lists = DataSectionPlan.Split(Entries, Tables, ways);
            Assert.True(lists.Count <= Math.Min(ways, Entries.Length));
            Assert.All(lists, l => Assert.NotEmpty(l));
            Assert.Equal(Entries.OrderBy(e => e), lists.SelectMany(l => l).OrderBy(e => e));
            Assert.All(lists, l => Assert.Equal(l.OrderBy(e => Array.IndexOf(Entries, e)), l));
        }
    }

    [Fact]
    public void Tables_the_backup_did_not_record_are_still_restored()
    {
        var lists = DataSectionPlan.Split(Entries, Array.Empty<TableInfo>(), 3);
        Assert.Equal(Entries.Length, lists.Sum(l => l.Count));
    }
}
