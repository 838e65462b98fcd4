using BackupTools.Core.Operations;
using Xunit;

namespace BackupTools.Tests.Restore;

/// <summary>Picking the database-level entries out of pg_restore --create output (no server).</summary>
public sealed class DatabasePropertiesTests
{
    private const string Listing = """
        ;
        ; Archive created at 2026-11-25 23:55:31 UTC
        ;     dbname: app
        ;
        3339; 1262 16384 DATABASE - app postgres
        3340; 0 0 COMMENT - DATABASE app postgres
        3341; 0 0 ACL - DATABASE app postgres
        3342; 0 0 DATABASE PROPERTIES - app postgres
        3343; 2615 2200 SCHEMA - public pg_database_owner
        3344; 0 0 COMMENT - SCHEMA public pg_database_owner
        """;

    private const string Script = """
        --
        -- PostgreSQL database dump
        --

        \restrict abc
        SET statement_timeout = 0;
        SELECT pg_catalog.set_config('search_path', '', false);

        --
        -- Name: app; Type: DATABASE; Schema: -; Owner: postgres
        --

        CREATE DATABASE app WITH TEMPLATE = template0 ENCODING = 'UTF8';


        ALTER DATABASE app OWNER TO postgres;

        \unrestrict abc
        \connect app
        \restrict abc

        SET statement_timeout = 0;

        --
        -- Name: DATABASE app; Type: COMMENT; Schema: -; Owner: postgres
        --

        COMMENT ON DATABASE app IS 'two
        lines; one semicolon';


        --
        -- Name: app; Type: DATABASE PROPERTIES; Schema: -; Owner: postgres
        --

        ALTER DATABASE app SET search_path TO 'app', 'public';
        ALTER DATABASE app SET statement_timeout TO '5s';


        \unrestrict abc
        \connect app
        \restrict abc

        --
        -- Name: DATABASE app; Type: ACL; Schema: -; Owner: postgres
        --

        REVOKE CONNECT,TEMPORARY ON DATABASE app FROM PUBLIC;
        GRANT CONNECT,TEMPORARY ON DATABASE app TO anon;


        --
        -- PostgreSQL database dump complete
        --

        \unrestrict abc
        """;

    [Fact]
    public void Select_keeps_the_comment_acl_and_properties_of_the_database_only()
    {
        Assert.Equal(new[]
        {
            "3340; 0 0 COMMENT - DATABASE app postgres",
            "3341; 0 0 ACL - DATABASE app postgres",
            "3342; 0 0 DATABASE PROPERTIES - app postgres",
        }, DatabaseProperties.Select(Listing));
    }

    [Fact]
    public void Statements_leave_out_create_database_the_preamble_and_psql_commands()
    {
        var statements = DatabaseProperties.Statements(Script);
        Assert.Equal(3, statements.Count);
        Assert.Equal("COMMENT ON DATABASE app IS 'two\nlines; one semicolon';", statements[0]);
        Assert.Equal("ALTER DATABASE app SET search_path TO 'app', 'public';\nALTER DATABASE app SET statement_timeout TO '5s';", statements[1]);
        Assert.StartsWith("REVOKE CONNECT,TEMPORARY ON DATABASE app FROM PUBLIC;", statements[2]);
        Assert.DoesNotContain(statements, s => s.Contains("CREATE DATABASE", StringComparison.Ordinal) || s.Contains('\\') || s.Contains("SET statement_timeout = 0", StringComparison.Ordinal));
    }
}
