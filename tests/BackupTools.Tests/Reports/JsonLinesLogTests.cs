using System.Text.Json;
using BackupTools.Core;
using BackupTools.Core.Logging;
using Xunit;

namespace BackupTools.Tests.Reports;

public class JsonLinesLogTests
{
    [Fact]
    public void Events_are_appended_as_one_json_object_a_line_with_the_documented_fields()
    {
        var folder = Directory.CreateTempSubdirectory("bt-log-").FullName;
        try
        {
            var path = Path.Combine(folder, "backup.log");
            File.WriteAllText(path, "{\"earlier\":true}\n");
            using (var log = new JsonLinesLog(path))
            {
                log.Write(LogLevel.Warning, "Roles not dumped");
                log.Write("backup.completed", "information", "done", "20261125T000000Z-abcdef", 1234, 5.25);
            }
            var lines = File.ReadAllLines(path);
            Assert.Equal(3, lines.Length);
            Assert.Equal("{\"earlier\":true}", lines[0]);
            using var message = JsonDocument.Parse(lines[1]);
            Assert.Equal("warning", message.RootElement.GetProperty("level").GetString());
            Assert.Equal("message", message.RootElement.GetProperty("event").GetString());
            Assert.Equal("Roles not dumped", message.RootElement.GetProperty("message").GetString());
            using var done = JsonDocument.Parse(lines[2]);
            var root = done.RootElement;
            Assert.Equal(new[] { "timestamp", "level", "event", "backupId", "bytes", "durationSeconds", "message" },
                root.EnumerateObject().Select(p => p.Name));
            Assert.Equal("20261125T000000Z-abcdef", root.GetProperty("backupId").GetString());
            Assert.Equal(1234, root.GetProperty("bytes").GetInt64());
            Assert.Equal(5.25, root.GetProperty("durationSeconds").GetDouble());
            Assert.True(DateTimeOffset.UtcNow - root.GetProperty("timestamp").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_log_path_in_a_missing_folder_is_not_found()
    {
        var e = Assert.Throws<BackupToolsException>(() => new JsonLinesLog(Path.Combine(Path.GetTempPath(), "bt-no-such-" + Guid.NewGuid().ToString("N"), "x.log")));
        Assert.Equal(BackupErrorKind.NotFound, e.Kind);
    }
}
