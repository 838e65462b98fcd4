<#
    Helpers shared by the Pester tests: the built module, the services the harness started (state file in
    $env:BACKUPTOOLS_TEST_SERVICES), a scratch database per test, and a child pwsh for isolation tests.
#>
Set-StrictMode -Version Latest
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$pgBin = '/usr/lib/postgresql/15/bin'

function Get-TestModulePath {
    # The module folder under test: $env:BACKUPTOOLS_MODULE_PATH (set by build/run-pester.ps1), else out/BackupTools.
    if ($env:BACKUPTOOLS_MODULE_PATH) { return $env:BACKUPTOOLS_MODULE_PATH }
    Join-Path $repoRoot 'out/BackupTools'
}

function Import-TestModule {
    Import-Module (Join-Path (Get-TestModulePath) 'BackupTools.psd1') -Force -Global
}

function Get-TestServices {
    # The harness state ({ postgres: { host, port, user, password }, s3: { endpoint, accessKey, secretKey } }), or $null.
    $path = $env:BACKUPTOOLS_TEST_SERVICES
    if (-not $path -or -not (Test-Path $path)) { return $null }
    Get-Content $path -Raw | ConvertFrom-Json
}

function Invoke-Psql {
    # Runs psql against the test server; the password travels in PGPASSWORD, never in argv.
    param([string] $Database = 'postgres', [string[]] $Arguments)
    $pg = (Get-TestServices).postgres
    $saved = $env:PGPASSWORD
    $env:PGPASSWORD = $pg.password
    try {
        $output = & (Join-Path $pgBin 'psql') -X -q -v ON_ERROR_STOP=1 -h $pg.host -p $pg.port -U $pg.user -d $Database @Arguments
        if ($LASTEXITCODE -ne 0) { throw "psql failed ($LASTEXITCODE): $($Arguments -join ' ')" }
        $output
    }
    finally { $env:PGPASSWORD = $saved } # restores what the caller had (an empty value removes the variable)
}

function New-TestDatabase {
    # Creates a uniquely named database loaded with the sample schema; returns its name.
    $name = 'pester_' + [guid]::NewGuid().ToString('N').Substring(0, 10)
    Invoke-Psql -Arguments @('-c', "CREATE DATABASE $name") | Out-Null
    Invoke-Psql -Database $name -Arguments @('-f', (Join-Path $repoRoot 'tests/harness/sql/supabase-sample.sql')) | Out-Null
    $name
}

function Get-DatabaseFingerprint([string] $Database) {
    # The fingerprint query's output: equal fingerprints mean equal schema and data.
    (Invoke-Psql -Database $Database -Arguments @('-At', '-f', (Join-Path $repoRoot 'tests/harness/sql/fingerprint.sql'))) -join "`n"
}

function Get-TestConnectionString([string] $Database, [switch] $WithPassword) {
    # A postgresql:// URI for the test server; with the password only when asked.
    $pg = (Get-TestServices).postgres
    $auth = if ($WithPassword) { "$($pg.user):$([uri]::EscapeDataString($pg.password))" } else { $pg.user }
    "postgresql://$auth@$($pg.host):$($pg.port)/$Database"
}

function Invoke-ChildPwsh([string] $Command) {
    # Runs a command in a fresh pwsh (the repository's dotnet tool) and returns its output lines.
    Push-Location $repoRoot
    try { & dotnet pwsh -NoProfile -NonInteractive -Command $Command 2>&1 }
    finally { Pop-Location }
}

function New-LargeTestDatabase([int] $Rows) {
    # Creates a database with one table of $Rows rows of hex text (about 110 bytes a row); returns its name.
    $name = 'pester_big_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Invoke-Psql -Arguments @('-c', "CREATE DATABASE $name") | Out-Null
    $sql = 'CREATE TABLE big(id int PRIMARY KEY, body text); ' +
        "INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) FROM generate_series(1, $Rows) g"
    Invoke-Psql -Database $name -Arguments @('-c', $sql) | Out-Null
    $name
}

function Start-ChildPwsh {
    # Starts `dotnet pwsh -NoProfile -NonInteractive -Command $Command` without waiting: argv holds only the command,
    # anything secret goes in $Environment (added to this process's environment). Output is collected in the
    # background; read it with Receive-ChildPwshOutput once the process has ended.
    param([Parameter(Mandatory)] [string] $Command, [hashtable] $Environment = @{})
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in 'pwsh', '-NoProfile', '-NonInteractive', '-Command', $Command) { $info.ArgumentList.Add($argument) }
    $info.WorkingDirectory = $repoRoot
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    foreach ($name in $Environment.Keys) { $info.Environment[$name] = [string] $Environment[$name] }
    $process = [System.Diagnostics.Process]::Start($info)
    [pscustomobject]@{
        Process = $process
        Stdout  = $process.StandardOutput.ReadToEndAsync()
        Stderr  = $process.StandardError.ReadToEndAsync()
    }
}

function Receive-ChildPwshOutput($Child) {
    # The stdout and stderr text of a child started by Start-ChildPwsh that has ended.
    $Child.Process.WaitForExit()
    $Child.Stdout.GetAwaiter().GetResult() + $Child.Stderr.GetAwaiter().GetResult()
}

function Get-ProcessCommandLine {
    # Every process on the machine: its id, its parent's id and its argument list (/proc/<pid>/cmdline, NULs as spaces).
    foreach ($dir in [System.IO.Directory]::GetDirectories('/proc')) {
        $id = 0
        if (-not [int]::TryParse([System.IO.Path]::GetFileName($dir), [ref] $id)) { continue }
        try {
            $bytes = [System.IO.File]::ReadAllBytes("$dir/cmdline")
            $stat = [System.IO.File]::ReadAllText("$dir/stat")
        }
        catch { continue } # the process has gone
        if ($bytes.Length -eq 0) { continue } # a kernel thread or a zombie
        # stat is "pid (comm) state ppid ...", and comm may hold spaces or parentheses.
        $parentId = [int] $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')[1]
        [pscustomobject]@{ Id = $id; ParentId = $parentId; CommandLine = [System.Text.Encoding]::UTF8.GetString($bytes).Replace([char]0, ' ').TrimEnd() }
    }
}

function Watch-ProcessCommandLine {
    # Polls every process until & $Until $seen is true (or $TimeoutSeconds pass) and returns the distinct processes
    # seen (Id, ParentId, CommandLine), so a test can assert what ran and that no secret was in any argv.
    param([Parameter(Mandatory)] [scriptblock] $Until, [int] $TimeoutSeconds = 120, [int] $IntervalMilliseconds = 20)
    $keys = [System.Collections.Generic.HashSet[string]]::new()
    $seen = [System.Collections.Generic.List[object]]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    do {
        foreach ($process in Get-ProcessCommandLine) {
            if ($keys.Add("$($process.Id) $($process.CommandLine)")) { $seen.Add($process) }
        }
        if (& $Until $seen) { break }
        Start-Sleep -Milliseconds $IntervalMilliseconds
    } while ([DateTime]::UtcNow -lt $deadline)
    , $seen
}

function Select-ProcessTree {
    # The processes in $Process that descend from $RootId (children, grandchildren, ...).
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Process, [Parameter(Mandatory)] [int] $RootId)
    $tree = [System.Collections.Generic.HashSet[int]]::new()
    $null = $tree.Add($RootId)
    do {
        $grew = $false
        foreach ($p in $Process) { if ($tree.Contains($p.ParentId) -and $tree.Add($p.Id)) { $grew = $true } }
    } while ($grew)
    $Process | Where-Object { $_.Id -ne $RootId -and $tree.Contains($_.Id) }
}

function Get-RepositoryFile([string] $Repository, [string] $Under = '') {
    # The files of a local repository (relative paths, sorted), without in-flight .tmp- files; empty when it is absent.
    $root = Join-Path $Repository $Under
    if (-not [System.IO.Directory]::Exists($root)) { return @() }
    $files = try { [System.IO.Directory]::GetFiles($root, '*', 'AllDirectories') } catch [System.IO.IOException] { @() }
    $files | Where-Object { $_ -notmatch '\.tmp-' } | ForEach-Object { [System.IO.Path]::GetRelativePath($Repository, $_) } | Sort-Object
}

function Get-FreeTcpPort {
    # A loopback port nothing listens on (taken from the OS, then released).
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

Export-ModuleMember -Function Get-TestModulePath, Import-TestModule, Get-TestServices, Invoke-Psql, New-TestDatabase,
    Get-DatabaseFingerprint, Get-TestConnectionString, Invoke-ChildPwsh, New-LargeTestDatabase, Start-ChildPwsh,
    Receive-ChildPwshOutput, Get-ProcessCommandLine, Watch-ProcessCommandLine, Select-ProcessTree, Get-RepositoryFile, Get-FreeTcpPort
