using BackupTools.Core;
using BackupTools.Core.Postgres;
using Npgsql;
using Xunit;

namespace BackupTools.Tests.Postgres;

public class PgConnectionInfoTests
{
    [Theory]
    [InlineData("postgresql://app:s3cr%40t%2Fx@db.example.com:6543/my%20db?sslmode=require", "db.example.com", 6543, "my db", "app", "s3cr@t/x", "require")]
    [InlineData("postgres://postgres.abcd:p%3Aw%25d@aws-0-eu.pooler.supabase.com:5432/postgres", "aws-0-eu.pooler.supabase.com", 5432, "postgres", "postgres.abcd", "p:w%d", null)]
    [InlineData("postgresql://u:pw@[::1]:5433/d", "::1", 5433, "d", "u", "pw", null)]
    [InlineData("postgresql://u@h/d?password=qp&port=7000&application_name=x", "h", 7000, "d", "u", "qp", null)]
    [InlineData("host=10.0.0.5 port=5433 dbname='my db' user=admin password='it\\'s a \\\\secret' sslmode=verify-full", "10.0.0.5", 5433, "my db", "admin", "it's a \\secret", "verify-full")]
    [InlineData("host = h  dbname=d user=u password=a=b", "h", 5432, "d", "u", "a=b", null)]
    [InlineData("Host=h;Port=5434;Database=app;Username=svc;Password=\"x;y\";SSL Mode=disable", "h", 5434, "app", "svc", "x;y", "disable")]
    [InlineData("Server=h;Database=app;User Id=svc;Pwd=pw;", "h", 5432, "app", "svc", "pw", null)]
    public void Parses_every_accepted_form(string text, string host, int port, string database, string user, string password, string? sslMode)
    {
        var info = PgConnectionInfo.Parse(text);

        Assert.Equal((host, port, database, user, password, sslMode), (info.Host, info.Port, info.Database, info.User, info.Password, info.SslMode));
        Assert.DoesNotContain(password, info.Description);
    }

    [Theory]
    [InlineData("this is not a connection string", "this is not")]
    [InlineData("host=h password='unterminated", "host=h password=***")]
    [InlineData("postgresql://u:topsecret@h:notaport/d", "postgresql://u:***@h:notaport/d")]
    [InlineData("Host=h;Password=topsecret;Bogus Key=1", "Password=***")]
    [InlineData("host=h password=topsecret flavour=vanilla", "password=***")]
    [InlineData("postgresql://u:topsecret@h/d?sslmode=sometimes", "postgresql://u:***@h/d")]
    public void Garbage_is_InvalidArgument_naming_the_string_without_the_password(string text, string expectedInMessage)
    {
        var e = Assert.Throws<BackupToolsException>(() => PgConnectionInfo.Parse(text));

        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(expectedInMessage, e.Message);
        Assert.DoesNotContain("topsecret", e.Message);
        Assert.DoesNotContain("unterminated", e.Message);
        Assert.DoesNotContain("topsecret", e.Target?.ToString() ?? "");
    }

    [Fact]
    public void The_password_goes_to_the_child_environment_and_npgsql_only()
    {
        var info = PgConnectionInfo.Parse("postgresql://app:pa55@db:5433/shop?sslmode=require");

        var env = info.ToEnvironment();
        Assert.Equal("pa55", env["PGPASSWORD"]);
        Assert.Equal(("db", "5433", "shop", "app", "require"), (env["PGHOST"], env["PGPORT"], env["PGDATABASE"], env["PGUSER"], env["PGSSLMODE"]));
        Assert.StartsWith("BackupTools", env["PGAPPNAME"]);
        var npgsql = info.ToNpgsql();
        Assert.Equal(("db", 5433, "shop", "app", "pa55", SslMode.Require), (npgsql.Host, npgsql.Port, npgsql.Database, npgsql.Username, npgsql.Password, npgsql.SslMode));
        Assert.Equal("db:5433/shop as app", info.Description);
        Assert.DoesNotContain("pa55", info.ToString());
    }

    [Theory]
    [InlineData("postgresql://u:pw@h/d", "postgresql://u:***@h/d")]
    [InlineData("postgresql://u:p@ss@h/d", "postgresql://u:***@h/d")]
    [InlineData("host=h password='a b' user=u", "host=h password=*** user=u")]
    [InlineData("Host=h;Password=\"a;b\";Username=u", "Host=h;Password=***;Username=u")]
    public void MaskPassword_hides_the_password_in_every_form(string text, string masked) =>
        Assert.Equal(masked, PgConnectionInfo.MaskPassword(text));
}
