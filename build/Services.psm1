# Helpers shared by build.ps1's Demo and Bench tasks: start/stop the throwaway services through the
# test harness program, and talk to PostgreSQL with the client tools (password in the environment, never argv).
Set-StrictMode -Version Latest

$script:RepoRoot = Split-Path -Parent $PSScriptRoot

function Get-HarnessPath {
    $dll = Join-Path $script:RepoRoot 'tests/BackupTools.Testing/bin/Release/net10.0/BackupTools.Testing.dll'
    if (-not (Test-Path $dll)) { throw "The test harness is not built ($dll). Run ./build.ps1 Build first." }
    $dll
}

function Start-BtServices {
    <# Starts a throwaway PostgreSQL cluster (and s3rver unless -NoS3; -ArchiveMode: archive_mode = on); returns the state object. #>
    param([Parameter(Mandatory)][string]$StateFile, [switch]$NoS3, [switch]$ArchiveMode)
    $harnessArgs = @((Get-HarnessPath), 'start', '--state', $StateFile)
    if ($NoS3) { $harnessArgs += '--no-s3' }
    if ($ArchiveMode) { $harnessArgs += '--archive' }
    & dotnet @harnessArgs | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Could not start the throwaway services (exit $LASTEXITCODE)." }
    Get-Content -Raw $StateFile | ConvertFrom-Json
}

function Stop-BtServices {
    param([Parameter(Mandatory)][string]$StateFile)
    if (Test-Path $StateFile) {
        & dotnet (Get-HarnessPath) stop --state $StateFile | Out-Host
    }
}

function Get-PgEnvironment {
    <# The libpq environment for a database of the throwaway cluster. #>
    param([Parameter(Mandatory)]$Postgres, [string]$Database = 'postgres')
    @{ PGHOST = $Postgres.Host; PGPORT = [string]$Postgres.Port; PGUSER = $Postgres.User
       PGPASSWORD = $Postgres.Password; PGDATABASE = $Database }
}

function Restore-EnvironmentVariable([string]$Name, [string]$Value) {
    <# Puts a variable back as it was; a variable that was not set is removed. #>
    # [NullString]: a $null passed to a string parameter of a .NET method would become "" (an empty variable).
    if ($null -eq $Value -or $Value -eq '') { [Environment]::SetEnvironmentVariable($Name, [NullString]::Value) }
    else { [Environment]::SetEnvironmentVariable($Name, $Value) }
}

function Invoke-WithPgEnvironment {
    param([Parameter(Mandatory)][hashtable]$Environment, [Parameter(Mandatory)][scriptblock]$Script)
    $saved = @{}
    foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    try { & $Script }
    finally {
        # [NullString]: a $null passed to a string parameter would become "" (an empty variable, not a removed one).
        foreach ($k in $saved.Keys) { Restore-EnvironmentVariable $k $saved[$k] }
    }
}

function Invoke-Psql {
    <# Runs SQL (a string or a file) with psql against one database; returns the unaligned output lines. #>
    param([Parameter(Mandatory)]$Postgres, [string]$Database = 'postgres', [string]$Sql, [string]$File)
    $bin = $Postgres.BinDirectory
    $psql = if ($bin -and (Test-Path (Join-Path $bin 'psql'))) { Join-Path $bin 'psql' } else { 'psql' }
    $a = @('-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1')
    if ($File) { $a += @('-f', $File) } else { $a += @('-c', $Sql) }
    Invoke-WithPgEnvironment (Get-PgEnvironment $Postgres $Database) {
        $out = & $psql @a 2>&1
        if ($LASTEXITCODE -ne 0) { throw "psql failed on database '$Database': $($out -join "`n")" }
        $out | ForEach-Object { "$_" } | Where-Object { $_ -ne '' }
    }
}

function Get-DbFingerprint {
    <# Per-table row counts and checksums, policies, grants and sequence values: lines 'kind|name|value'. #>
    param([Parameter(Mandatory)]$Postgres, [Parameter(Mandatory)][string]$Database)
    Invoke-Psql -Postgres $Postgres -Database $Database -File (Join-Path $script:RepoRoot 'tests/harness/sql/fingerprint.sql')
}

function Get-PgUri {
    param([Parameter(Mandatory)]$Postgres, [Parameter(Mandatory)][string]$Database, [switch]$WithoutPassword)
    $user = [uri]::EscapeDataString($Postgres.User)
    if ($WithoutPassword) { return "postgresql://${user}@$($Postgres.Host):$($Postgres.Port)/$Database" }
    $pw = [uri]::EscapeDataString($Postgres.Password)
    "postgresql://${user}:${pw}@$($Postgres.Host):$($Postgres.Port)/$Database"
}

function Format-Bytes {
    param([double]$Bytes)
    $units = 'B', 'KB', 'MB', 'GB', 'TB'; $i = 0
    while ($Bytes -ge 1024 -and $i -lt $units.Count - 1) { $Bytes /= 1024; $i++ }
    '{0:N1} {1}' -f $Bytes, $units[$i]
}

Export-ModuleMember -Function Start-BtServices, Stop-BtServices, Get-PgEnvironment, Invoke-WithPgEnvironment,
    Invoke-Psql, Get-DbFingerprint, Get-PgUri, Format-Bytes, Get-HarnessPath, Restore-EnvironmentVariable
