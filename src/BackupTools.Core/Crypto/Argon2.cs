using System.Runtime.CompilerServices;
using Konscious.Security.Cryptography;

namespace BackupTools.Core.Crypto;

/// <summary>
/// Argon2id (RFC 9106), two implementations of the same function: libsodium's <c>crypto_pwhash</c> (native, through
/// Sodium.Core) and Konscious' managed one. libsodium is about five times quicker (64 MiB, 3 passes: 0.09 s against
/// 0.3-0.5 s on this machine's cores) but computes one lane only, and its wrapper takes 3 passes or more; every other
/// parameter set, and any platform where libsodium cannot be loaded, uses the managed implementation. Both give the
/// same key for the same parameters (tested), so a key file opens whichever one derives it.
/// </summary>
internal static class Argon2
{
    /// <summary>The smallest number of passes Sodium.Core's <c>ArgonHashBinary</c> accepts.</summary>
    private const int NativeMinimumPasses = 3;
    private static volatile bool s_nativeUnavailable;

    /// <summary>Whether <see cref="Derive"/> would use libsodium for these parameters (and libsodium loaded so far).</summary>
    public static bool UsesNative(int memoryKiB, int iterations, int parallelism, int saltLength)
        => !s_nativeUnavailable && parallelism == 1 && iterations >= NativeMinimumPasses && saltLength == 16 && memoryKiB <= int.MaxValue / 1024;

    /// <summary>The <paramref name="length"/>-byte Argon2id hash of <paramref name="password"/>.</summary>
    public static byte[] Derive(byte[] password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length = 32)
    {
        if (UsesNative(memoryKiB, iterations, parallelism, salt.Length))
        {
            try
            {
                return Native(password, salt, memoryKiB, iterations, length);
            }
            catch (Exception e) when (e is not ArgumentException)
            {
                // No libsodium for this platform, or not the version Sodium.Core expects (it checks): the managed
                // implementation from now on, which derives the same key.
                s_nativeUnavailable = true;
            }
        }
        return Managed(password, salt, memoryKiB, iterations, parallelism, length);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // Sodium.Core is touched (and libsodium loaded) only here
    internal static byte[] Native(byte[] password, byte[] salt, int memoryKiB, int iterations, int length)
        => Sodium.PasswordHash.ArgonHashBinary(password, salt, iterations, memoryKiB * 1024, length, Sodium.PasswordHash.ArgonAlgorithm.Argon_2ID13);

    internal static byte[] Managed(byte[] password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        byte[] hash;
        using (var argon = new Argon2id(password) { Salt = salt, MemorySize = memoryKiB, Iterations = iterations, DegreeOfParallelism = parallelism })
            hash = argon.GetBytes(length);
        // The managed derivation leaves memoryKiB of garbage blocks behind; give that memory back now, so a backup that
        // follows does not add its buffers on top of it (the process's peak stays the larger of the two).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return hash;
    }
}
