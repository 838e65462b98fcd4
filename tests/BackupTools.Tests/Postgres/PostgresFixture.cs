using Xunit;
using BackupTools.Testing;

namespace BackupTools.Tests.Postgres;

/// <summary>
/// The run's shared PostgreSQL 15 cluster (TestServices: the one build.ps1 started, or one this process starts
/// and stops at exit). Tests take a database each, so they never see each other's data.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = (await TestServices.GetAsync()).Postgres;

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "Postgres";
}
