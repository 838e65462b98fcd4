using System.Buffers.Binary;
using System.Formats.Tar;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;
using Xunit;

namespace BackupTools.Tests.Pitr;

/// <summary>Reading a data directory for a direct base backup, without a server: identity check, exclusions, parts, torn files.</summary>
public sealed class DataDirectoryReaderTests : IDisposable
{
    private const ulong SystemIdentifier = 7441234567890123456;
    private static readonly Lsn Checkpoint = Lsn.Parse("0/2000060");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "bt-datadir-" + Guid.NewGuid().ToString("N")[..8]);

    public DataDirectoryReaderTests()
    {
        var control = new byte[8192];
        BinaryPrimitives.WriteUInt64LittleEndian(control, SystemIdentifier);
        BinaryPrimitives.WriteUInt64LittleEndian(control.AsSpan(32), Checkpoint.Value);
        Write("global/pg_control", control);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private void Write(string path, byte[] content)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
    }

    private void Write(string path, int size = 10) => Write(path, new byte[size]);

    private DataDirectoryReader Open() => DataDirectoryReader.TryOpen(_root, SystemIdentifier.ToString(), Checkpoint, out _)!;

    [Fact]
    public void The_connected_clusters_data_directory_opens()
    {
        var reader = DataDirectoryReader.TryOpen(_root, SystemIdentifier.ToString(), Checkpoint, out var reason);
        Assert.NotNull(reader);
        Assert.Equal("", reason);
    }

    [Fact]
    public void Another_system_identifier_or_checkpoint_or_no_pg_control_falls_back_with_the_reason()
    {
        Assert.Null(DataDirectoryReader.TryOpen(_root, "123", Checkpoint, out var reason));
        Assert.Contains("another cluster", reason);
        Assert.Null(DataDirectoryReader.TryOpen(_root, SystemIdentifier.ToString(), Lsn.Parse("0/3000028"), out reason));
        Assert.Contains("0/3000028", reason);
        Assert.Null(DataDirectoryReader.TryOpen(Path.Combine(_root, "missing"), SystemIdentifier.ToString(), Checkpoint, out reason));
        Assert.Contains("not readable", reason);
    }

    [Fact]
    public void Tablespaces_fall_back_to_pg_basebackup()
    {
        Directory.CreateDirectory(Path.Combine(_root, "pg_tblspc"));
        File.CreateSymbolicLink(Path.Combine(_root, "pg_tblspc", "16400"), Path.GetTempPath());
        Assert.Null(DataDirectoryReader.TryOpen(_root, SystemIdentifier.ToString(), Checkpoint, out var reason));
        Assert.Contains("tablespaces", reason);
    }

    [Fact]
    public void Listing_leaves_out_what_pg_basebackup_leaves_out()
    {
        foreach (var path in new[]
        {
            "PG_VERSION", "postgresql.auto.conf", "base/1/1259", "base/1/1259_fsm", "base/1/16384_init", "global/1262",
            "postmaster.pid", "postmaster.opts", "backup_label.old", "base/1/16384", "base/1/16384.1", "base/1/16384_vm",
            "base/1/t3_16390", "base/1/pg_internal.init", "base/pgsql_tmp/pgsql_tmp123.0", "global/pg_internal.init",
            "pg_wal/000000010000000000000001", "pg_wal/archive_status/000000010000000000000001.done", "pg_replslot/s1/state",
            "pg_stat_tmp/global.stat", "pg_subtrans/0000", "pg_notify/0000", "pg_dynshmem/mmap.1", "pg_serial/0000", "pg_snapshots/x",
        }) Write(path);
        var entries = Open().List();
        Assert.Equal(new[]
        {
            "base/", "base/1/", "global/", "pg_dynshmem/", "pg_notify/", "pg_replslot/", "pg_serial/", "pg_snapshots/", "pg_stat_tmp/",
            "pg_subtrans/", "pg_wal/", "pg_wal/archive_status/",
            "PG_VERSION", "base/1/1259", "base/1/1259_fsm", "base/1/16384_init", "global/1262", "global/pg_control", "postgresql.auto.conf",
        }, entries.Select(e => e.Kind == DataFileKind.Directory ? e.Path + "/" : e.Path));
        Assert.Equal(8192, entries.Single(e => e.Path == "global/pg_control").Size);
    }

    [Fact]
    public void Parts_are_balanced_by_size_with_directories_first_and_pg_control_last()
    {
        Write("base/1/a", 10000);
        Write("base/1/b", 6000);
        Write("base/1/c", 5000);
        Write("base/1/d", 100);
        var parts = DataDirectoryReader.Split(Open().List(), 2);
        Assert.Equal(2, parts.Count);
        // a (10000) and c (5000) against pg_control (8192), b (6000) and d (100).
        Assert.Equal(new[] { "base", "base/1", "global", "base/1/a", "base/1/c" }, parts[0].Select(e => e.Path));
        Assert.Equal(new[] { "base/1/b", "base/1/d", "global/pg_control" }, parts[1].Select(e => e.Path));
        Assert.Single(DataDirectoryReader.Split(Open().List(), 1));
    }

    [Fact]
    public async Task A_file_that_shrinks_is_padded_one_that_grows_is_cut_one_that_vanishes_is_left_out()
    {
        var content = Enumerable.Range(0, 20000).Select(i => (byte)(i % 251)).ToArray();
        Write("base/1/shrinks", content);
        Write("base/1/grows", content[..100]);
        Write("base/1/vanishes", content);
        var entries = Open().List();
        Write("base/1/shrinks", content[..3000]);
        Write("base/1/grows", content);
        File.Delete(Path.Combine(_root, "base/1/vanishes"));

        using var tar = new MemoryStream();
        await DataDirectoryTar.WriteAsync(_root, entries, tar, CancellationToken.None);
        tar.Position = 0;
        var files = new Dictionary<string, byte[]>();
        using (var reader = new TarReader(tar))
            for (var e = reader.GetNextEntry(); e is not null; e = reader.GetNextEntry())
                if (e.DataStream is { } data) { using var copy = new MemoryStream(); data.CopyTo(copy); files[e.Name] = copy.ToArray(); }

        Assert.Equal(content[..3000].Concat(new byte[17000]), files["base/1/shrinks"]);
        Assert.Equal(content[..100], files["base/1/grows"]);
        Assert.False(files.ContainsKey("base/1/vanishes"));
        Assert.Equal(8192, files["global/pg_control"].Length);
    }

    [Fact]
    public void The_labelfile_of_pg_backup_stop_gives_the_start_and_timeline()
    {
        const string label = "START WAL LOCATION: 0/5000028 (file 000000010000000000000005)\nCHECKPOINT LOCATION: 0/5000060\n" +
                             "BACKUP METHOD: streamed\nBACKUP FROM: primary\nSTART TIME: 2026-11-25 23:50:01 UTC\nLABEL: BackupTools\nSTART TIMELINE: 1\n";
        Assert.Equal((Lsn.Parse("0/5000028"), 1u), BackupLabel.Parse(label));
        Assert.Null(BackupLabel.Parse("LABEL: nothing"));
    }

    [Fact]
    public void Tar_files_of_both_layouts_come_in_part_order()
    {
        static FileEntry F(string name) => new() { Name = name };
        Assert.Equal(new[] { "base.tar" }, PhysicalBackup.TarFiles(new[] { F("base.tar") }).Select(f => f.Name));
        Assert.Equal(new[] { "base.1.tar", "base.2.tar", "base.10.tar" },
            PhysicalBackup.TarFiles(new[] { F("base.10.tar"), F("backup_label"), F("base.2.tar"), F("base.x.tar"), F("base.1.tar"), F("base.0.tar") }).Select(f => f.Name));
    }
}

/// <summary>Base backup parts and their extraction run side by side: one failure stops the rest and is what the caller sees.</summary>
public sealed class ParallelTasksTests
{
    [Fact]
    public async Task The_first_failure_cancels_the_others_and_is_thrown_instead_of_their_cancellations()
    {
        var cancelled = false;
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ParallelTasks.RunAllAsync(new Func<CancellationToken, Task<int>>[]
        {
            async token =>
            {
                try { await Task.Delay(TimeSpan.FromMinutes(1), token); }
                catch (OperationCanceledException) { cancelled = true; throw; }
                return 1;
            },
            async _ => { await Task.Delay(50); throw new InvalidDataException("part 2 is torn"); },
        }, CancellationToken.None));
        Assert.Equal("part 2 is torn", e.Message);
        Assert.True(cancelled);
    }

    [Fact]
    public async Task Results_come_back_in_task_order()
        => Assert.Equal(new[] { 1, 2 }, await ParallelTasks.RunAllAsync(new Func<CancellationToken, Task<int>>[]
        {
            async _ => { await Task.Delay(80); return 1; },
            _ => Task.FromResult(2),
        }, CancellationToken.None));
}
