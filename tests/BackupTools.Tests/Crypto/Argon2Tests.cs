using System.Text;
using BackupTools.Core.Crypto;
using BackupTools.Tests.Format;
using Xunit;

namespace BackupTools.Tests.Crypto;

/// <summary>libsodium's Argon2id and the managed one are the same function; which one a key file gets does not matter.</summary>
public class Argon2Tests
{
    private static readonly byte[] Password = Encoding.UTF8.GetBytes("correct horse battery staple");

    [Theory]
    [InlineData(8, 3)]
    [InlineData(1024, 3)]
    [InlineData(4096, 5)]
    public void Libsodium_and_the_managed_implementation_derive_the_same_key(int memoryKiB, int passes)
    {
        var salt = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");

        var native = Argon2.Native(Password, salt, memoryKiB, passes, 32);
        var managed = Argon2.Managed(Password, salt, memoryKiB, passes, 1, 32);

        Assert.Equal(Convert.ToHexString(managed), Convert.ToHexString(native));
        Assert.NotEqual(native, Argon2.Native(Password, salt, memoryKiB, passes + 1, 32)); // the parameters count
    }

    [Fact]
    public void The_default_parameters_are_derived_by_libsodium_here()
    {
        // A missing native library would fall back silently (and slowly): this platform must not.
        var defaults = new Core.Repository.RepositoryCreateOptions();
        var key = Argon2.Derive(Password, new byte[16], defaults.KdfMemoryKiB, defaults.KdfIterations, defaults.KdfParallelism);

        Assert.Equal(32, key.Length);
        Assert.True(Argon2.UsesNative(defaults.KdfMemoryKiB, defaults.KdfIterations, defaults.KdfParallelism, 16));
        Assert.False(Argon2.UsesNative(defaults.KdfMemoryKiB, defaults.KdfIterations, 4, 16)); // lanes: the managed one
        Assert.False(Argon2.UsesNative(defaults.KdfMemoryKiB, 1, 1, 16)); // Sodium.Core takes 3 passes or more
    }

    [Theory]
    [InlineData(1024, 3, 1)] // libsodium
    [InlineData(1024, 1, 4)] // lanes, as key files written before the default became one lane: managed
    public async Task A_key_file_opens_whichever_implementation_derives_it(int memoryKiB, int passes, int lanes)
    {
        using var temp = new TempRepository();
        var options = TempRepository.FastOptions();
        (options.KdfMemoryKiB, options.KdfIterations, options.KdfParallelism) = (memoryKiB, passes, lanes);
        using (var created = await temp.CreateAsync(options))
            await created.AddKeyAsync("second passphrase", memoryKiB, passes, lanes);

        using var byFirst = await temp.OpenAsync();
        using var bySecond = await temp.OpenAsync("second passphrase");
        Assert.Equal(byFirst.Id, bySecond.Id);
        await Assert.ThrowsAsync<Core.BackupToolsException>(() => temp.OpenAsync("not the passphrase"));
    }
}
