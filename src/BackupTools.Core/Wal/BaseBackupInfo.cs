using System.Globalization;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Wal;

/// <summary>
/// The typed view of a physical backup's database component Source: where the cluster was, which WAL it needs.
/// Keys: host, port, systemIdentifier, serverVersion, timeline, startLsn, stopLsn, walStart, walStop (segment
/// names), walSegmentSize, stopTime.
/// </summary>
public sealed record BaseBackupInfo(
    string Host, int Port, string SystemIdentifier, string ServerVersion, uint Timeline,
    Lsn StartLsn, Lsn StopLsn, long SegmentSize, DateTimeOffset StopTime)
{
    /// <summary>Manifest kind of a physical backup.</summary>
    public const string ManifestKind = "physical";

    /// <summary>The first WAL segment the backup needs.</summary>
    public WalSegment WalStart => WalSegment.Containing(Timeline, StartLsn, SegmentSize);
    /// <summary>The last WAL segment the backup needs to be consistent.</summary>
    public WalSegment WalStop => WalSegment.Containing(Timeline, StopLsn, SegmentSize);

    /// <summary>Every segment from <see cref="WalStart"/> to <paramref name="last"/>, in order.</summary>
    public IEnumerable<WalSegment> SegmentsThrough(WalSegment last)
    {
        for (var n = WalStart.Number; n <= last.Number; n++) yield return new WalSegment(Timeline, n);
    }

    /// <summary>The Source dictionary stored in the manifest.</summary>
    public Dictionary<string, string> ToSource() => new()
    {
        ["host"] = Host,
        ["port"] = Port.ToString(CultureInfo.InvariantCulture),
        ["systemIdentifier"] = SystemIdentifier,
        ["serverVersion"] = ServerVersion,
        ["timeline"] = Timeline.ToString(CultureInfo.InvariantCulture),
        ["startLsn"] = StartLsn.ToString(),
        ["stopLsn"] = StopLsn.ToString(),
        ["walStart"] = WalStart.Name(SegmentSize),
        ["walStop"] = WalStop.Name(SegmentSize),
        ["walSegmentSize"] = SegmentSize.ToString(CultureInfo.InvariantCulture),
        ["stopTime"] = StopTime.ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>The physical component of a manifest read back; null for any other backup. Corrupt when its Source is incomplete.</summary>
    public static BaseBackupInfo? From(Manifest manifest)
    {
        if (manifest.Kind != ManifestKind) return null;
        var component = manifest.Components.FirstOrDefault(c => c.Type == "database");
        if (component is null) return null;
        var s = component.Source;
        try
        {
            return new BaseBackupInfo(s["host"], int.Parse(s["port"], CultureInfo.InvariantCulture), s["systemIdentifier"], s["serverVersion"],
                uint.Parse(s["timeline"], CultureInfo.InvariantCulture), Lsn.Parse(s["startLsn"]), Lsn.Parse(s["stopLsn"]),
                long.Parse(s.GetValueOrDefault("walSegmentSize") ?? WalNames.DefaultSegmentSize.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                DateTimeOffset.Parse(s.GetValueOrDefault("stopTime") ?? manifest.EndTime.ToString("O", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is KeyNotFoundException or FormatException or OverflowException or BackupToolsException)
        {
            throw new BackupToolsException(BackupErrorKind.Corrupt, $"The physical backup {manifest.Id} does not record its WAL range.", manifest.Id, e);
        }
    }
}
