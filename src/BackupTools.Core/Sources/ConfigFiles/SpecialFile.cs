using System.Runtime.InteropServices;

namespace BackupTools.Core.Sources.ConfigFiles;

/// <summary>
/// Tells a named pipe, socket or device from a regular file. .NET's FileSystemInfo shows them all as plain files, and
/// opening a named pipe for reading blocks until a writer appears, so a scan must recognise them without opening them.
/// Linux only (statx, whose struct layout is the same on every architecture); elsewhere nothing is reported special.
/// </summary>
internal static partial class SpecialFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    /// <summary>Offset of stx_mode (u16) in struct statx: stx_mask, stx_blksize, stx_attributes (u64), stx_nlink, stx_uid, stx_gid.</summary>
    private const int ModeOffset = 28;
    private const int StatxSize = 256;

    /// <summary>"named pipe", "socket", "character device" or "block device"; null for anything else or when it cannot tell.</summary>
    public static string? KindOf(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        Span<byte> buffer = stackalloc byte[StatxSize];
        int result;
        try
        {
            result = Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, ref MemoryMarshal.GetReference(buffer));
        }
        catch (EntryPointNotFoundException)
        {
            return null; // a C library older than glibc 2.28
        }
        if (result != 0) return null;
        return (BitConverter.ToUInt16(buffer[ModeOffset..]) & 0xF000) switch
        {
            0x1000 => "named pipe",
            0xC000 => "socket",
            0x2000 => "character device",
            0x6000 => "block device",
            _ => null,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
