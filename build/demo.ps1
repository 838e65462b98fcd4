# The demo: a Supabase-shaped database on a throwaway PostgreSQL 15 cluster, backed up to a local-folder
# repository, damaged, restored, and proved equal (row counts and checksums per table, policies, grants,
# sequence values). Called by `./build.ps1 Demo` after the module is built. Leaves nothing running.
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/BackupTools/BackupTools.psd1'),
    [string]$WorkDirectory = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/demo')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'Services.psm1') -Force
$root = Split-Path -Parent $PSScriptRoot

function Step([string]$Text) { Write-Host "`n==> $Text" -ForegroundColor Cyan }

if (Test-Path $WorkDirectory) { Remove-Item -Recurse -Force $WorkDirectory }
New-Item -ItemType Directory -Force $WorkDirectory | Out-Null
$stateFile = Join-Path $WorkDirectory 'services.json'
$savedEnv = @{ BACKUPTOOLS_PASSPHRASE = $env:BACKUPTOOLS_PASSPHRASE; PGPASSWORD = $env:PGPASSWORD }
$matched = $false
try {
    Step 'Starting a throwaway PostgreSQL 15 cluster'
    $services = Start-BtServices -StateFile $stateFile -NoS3
    $pg = $services.Postgres
    $db = 'supabase_demo'
    Invoke-Psql -Postgres $pg -Sql "CREATE DATABASE $db" | Out-Null

    Step "Creating a Supabase-shaped database '$db' (auth, storage, public; anon/authenticated/service_role; RLS)"
    Invoke-Psql -Postgres $pg -Database $db -File (Join-Path $root 'tests/harness/sql/supabase-sample.sql') | Out-Null
    $before = @(Get-DbFingerprint -Postgres $pg -Database $db)
    $tables = @($before | Where-Object { $_ -like 'table|*' })
    Write-Host ("    {0} tables, {1} rows" -f $tables.Count, (($tables | ForEach-Object { [long](($_ -split '\|')[2] -split ':')[0] } | Measure-Object -Sum).Sum))

    Import-Module $ModulePath -Force
    # Secrets come from the environment, as in a scheduled task: never on a command line.
    $env:BACKUPTOOLS_PASSPHRASE = [Convert]::ToBase64String([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(24))
    $env:PGPASSWORD = $pg.Password
    $conn = Get-PgUri -Postgres $pg -Database $db -WithoutPassword
    $repo = Join-Path $WorkDirectory 'repository'

    Step "Creating an encrypted repository at $repo"
    New-BackupRepository -Repository $repo | Format-List | Out-Host

    Step 'Backing up the database (pg_dump streamed: chunk, compress, encrypt)'
    $backup = New-Backup -Repository $repo -Database $conn -Tag demo -Verify Full
    $backup | Format-List | Out-Host

    Step 'Checking the backup: Get-Backup | Test-Backup -Level Full'
    $tests = @(Get-Backup -Repository $repo | Test-Backup -Level Full)
    $tests | Format-Table | Out-Host
    if ($tests | Where-Object { -not $_.Success }) { throw 'The backup failed verification.' }

    Step 'Damaging the data (a bad migration: deleted rows, overwritten values, a dropped table)'
    Invoke-Psql -Postgres $pg -Database $db -Sql @'
DELETE FROM public.profiles WHERE id IN (SELECT id FROM public.profiles ORDER BY id LIMIT 100);
UPDATE public.posts SET title = 'oops', published = NOT published;
DROP TABLE storage.objects CASCADE;
'@ | Out-Null
    $damaged = @(Get-DbFingerprint -Postgres $pg -Database $db)
    $differences = @(Compare-Object $before $damaged).Count
    Write-Host "    $differences fingerprint lines now differ from the backup"

    Step 'Restoring the backup in place'
    $restore = $backup | Restore-Backup -Confirm:$false
    $restore | Format-List | Out-Host
    if (-not $restore.Success) { throw "Restore failed: $($restore.Errors -join '; ')" }

    Step 'Proving the data is back'
    $after = @(Get-DbFingerprint -Postgres $pg -Database $db)
    $diff = @(Compare-Object $before $after)
    $matched = $diff.Count -eq 0 -and $differences -gt 0
    if ($diff.Count) { $diff | Format-Table | Out-Host }

    Write-Host "`n==== Demo summary ====" -ForegroundColor Green
    Write-Host ("Backup        : {0} ({1} read, {2} stored after compression and encryption)" -f $backup.Id, (Format-Bytes $backup.Size), (Format-Bytes $backup.Added))
    Write-Host ("Verification  : {0}" -f ($(if ($tests | Where-Object { -not $_.Success }) { 'FAILED' } else { 'Full check passed' })))
    Write-Host ("Damage        : {0} fingerprint lines changed" -f $differences)
    Write-Host ("Restore       : {0} in {1:N1} s" -f $(if ($restore.Success) { 'succeeded' } else { 'FAILED' }), $restore.Duration.TotalSeconds)
    Write-Host ("Compared      : {0} tables (row counts + checksums), policies, grants, sequences" -f $tables.Count)
    if ($matched) { Write-Host 'Result        : restored data matches the original' -ForegroundColor Green }
    else { Write-Host 'Result        : restored data DOES NOT match the original' -ForegroundColor Red }
}
finally {
    Stop-BtServices -StateFile $stateFile
    foreach ($k in $savedEnv.Keys) { [Environment]::SetEnvironmentVariable($k, $savedEnv[$k]) }
}
if (-not $matched) { exit 1 }
