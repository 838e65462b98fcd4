using BackupTools.Core;
using BackupTools.Core.Postgres;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public class PgServerTests(PostgresFixture fixture)
{
    private PostgresCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Connects_with_a_uri_and_reads_the_sample_fingerprint()
    {
        var db = await Cluster.CreateDatabaseAsync("sample");
        await SupabaseSample.LoadAsync(Cluster, db);

        await using var conn = await PgServer.ConnectAsync(PgConnectionInfo.Parse(Cluster.Uri(db)));
        var fingerprint = await SupabaseSample.FingerprintAsync(Cluster.ConnectionString(db));

        Assert.Equal(db, conn.Database);
        Assert.Contains(fingerprint, r => r is { Kind: "table", Name: "public.posts" } && r.Value.StartsWith("3000:"));
        Assert.Contains(fingerprint, r => r is { Kind: "table", Name: "public.events" } && r.Value.StartsWith("4000:"));
        Assert.Contains(fingerprint, r => r is { Kind: "sequence", Name: "public.invoice_number_seq", Value: "4242" });
        Assert.Contains(fingerprint, r => r is { Kind: "policy", Name: "public.profiles.Users update their own profile" });
        Assert.Contains(fingerprint, r => r is { Kind: "grant", Name: "public.posts anon", Value: "SELECT" });
    }

    [Fact]
    public async Task A_wrong_password_is_AuthenticationFailed_without_the_password()
    {
        var info = PgConnectionInfo.Parse($"host=127.0.0.1 port={Cluster.State.Port} dbname=postgres user=postgres password=WrongPassw0rd");

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => PgServer.ConnectAsync(info));

        Assert.Equal(BackupErrorKind.AuthenticationFailed, e.Kind);
        Assert.Contains($"127.0.0.1:{Cluster.State.Port}/postgres", e.Message);
        Assert.DoesNotContain("WrongPassw0rd", e.Message);
    }

    [Fact]
    public async Task An_unreachable_server_is_ConnectionFailed_naming_host_and_port()
    {
        var info = PgConnectionInfo.Parse($"postgresql://postgres:Secret1@127.0.0.1:1/postgres");

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => PgServer.ConnectAsync(info));

        Assert.Equal(BackupErrorKind.ConnectionFailed, e.Kind);
        Assert.Contains("127.0.0.1:1/postgres", e.Message);
        Assert.DoesNotContain("Secret1", e.Message);
    }

    [Fact]
    public async Task A_missing_database_is_NotFound_naming_it()
    {
        var info = PgConnectionInfo.Parse(Cluster.Uri("no_such_db"));

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => PgServer.ConnectAsync(info));

        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
        Assert.Contains("'no_such_db'", e.Message);
    }
}
