using BackupTools.Core.Postgres;
using Xunit;

namespace BackupTools.Tests.Postgres;

public class RoleScriptTests
{
    [Fact]
    public void Reads_definitions_and_memberships_of_pg_dumpall_output()
    {
        const string script = """"
            --
            -- Roles
            --

            CREATE ROLE anon;
            ALTER ROLE anon WITH NOSUPERUSER NOINHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
            CREATE ROLE "Odd ""Name""";
            ALTER ROLE "Odd ""Name""" SET search_path TO public;
            GRANT anon TO authenticator GRANTED BY postgres;
            GRANT "Odd ""Name""" TO anon WITH INHERIT TRUE GRANTED BY postgres;
            """";

        var roles = RoleScript.Parse(script);

        Assert.Equal(new[] { "anon", "Odd \"Name\"" }, roles.Roles);
        Assert.Equal(4, roles.Definitions.Count);
        Assert.Equal(new[] { ("anon", "authenticator"), ("Odd \"Name\"", "anon") }, roles.Grants.Select(g => (g.Role, g.Member)));
    }
}
