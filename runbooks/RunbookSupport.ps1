<#
.SYNOPSIS
    Helpers the runbooks' steps share. Invoke-DisasterRecovery dot-sources this file before every step, so the
    functions below are in scope for each Action and Fallback. They compose BackupTools cmdlets only.
#>

function Get-RunbookRepository {
    <# Splatting arguments for the primary repository (or -Copy: the copy repository) from the recovery config. #>
    param([hashtable] $Config, [switch] $Copy)
    $name = if ($Copy) { 'CopyRepository' } else { 'Repository' }
    if (-not $Config[$name]) { throw "The recovery config names no $name." }
    $arguments = @{ Repository = $Config[$name] }
    $prefix = if ($Copy) { 'Copy' } else { '' }
    foreach ($key in 'Endpoint', 'Region') { if ($Config["$prefix$key"]) { $arguments[$key] = $Config["$prefix$key"] } }
    if ($Config.KeyFile) { $arguments.KeyFile = $Config.KeyFile }
    $arguments
}

function Get-RunbookKey {
    <# Splatting arguments for cmdlets that take a backup from the pipeline (its repository binds from it). #>
    param([hashtable] $Config)
    if ($Config.KeyFile) { @{ KeyFile = $Config.KeyFile } } else { @{} }
}

function Get-DatabaseBackupsBefore {
    <# The database backups of a repository taken before the incident, newest first (restore points left out). #>
    param([hashtable] $Repository, [DateTimeOffset] $Before)
    @(Get-Backup @Repository -Before $Before |
        Where-Object { $_.Components -contains 'database' -and $_.Tags -notcontains 'restore-point' } |
        Sort-Object StartTime -Descending)
}

function Select-VerifiedBackup {
    <# The first of the candidates whose Test-Backup -Level Full passes; Rejected lists the ones that did not. #>
    param([object[]] $Candidates, [hashtable] $Key)
    $rejected = @()
    foreach ($backup in $Candidates) {
        $checks = @($backup | Test-Backup -Level Full @Key -ErrorAction SilentlyContinue)
        if ($checks.Count -gt 0 -and $checks.Success -notcontains $false) {
            return [pscustomobject]@{ Backup = $backup; Rejected = $rejected }
        }
        $rejected += $backup.Id
    }
    throw "No backup verifies clean (rejected: $($rejected -join ', '))."
}

function Restore-RunbookDatabase {
    <#
        Restore-Backup of one backup's database to the config's target (TargetDatabase, else Database), then records
        the backup (and the restore point taken, if any) as used and its start as the recovery point, which the
        incident report reads. Returns the RestoreResult.
    #>
    param([hashtable] $Config, [hashtable] $State, $Backup, [switch] $NoRestorePoint)
    $target = if ($Config.TargetDatabase) { $Config.TargetDatabase } else { $Config.Database }
    if (-not $target) { throw 'The recovery config names no TargetDatabase or Database.' }
    $restore = @{ TargetDatabase = $target; Confirm = $false; NoRestorePoint = [bool]$NoRestorePoint }
    if ($Config.Schemas) { $restore.Schema = @($Config.Schemas) }
    if ($Config.Tables) { $restore.Table = @($Config.Tables) }
    if ($Config.PgBinDirectory) { $restore.PgBinDirectory = $Config.PgBinDirectory }
    $key = Get-RunbookKey $Config
    $result = $Backup | Restore-Backup @restore @key
    if (-not $result.Success) { throw "The restore of $($Backup.Id) failed: $($result.Errors -join ' ')" }
    [void]$State.BackupsUsed.Add($Backup.Id)
    if ($result.RestorePointId) { [void]$State.BackupsUsed.Add($result.RestorePointId) }
    $State.RecoveryPoint = $Backup.StartTime
    $result
}

function Restore-RunbookStorage {
    <# Restore-Backup -Component Storage of one backup's buckets to the config's TargetStorage; says so when there are none. #>
    param([hashtable] $Config, $Backup)
    if (-not ($Backup.Components -contains 'storage')) { return 'the backup holds no storage: nothing to do' }
    if (-not $Config.TargetStorage) { throw 'The backup holds storage but the config names no TargetStorage.' }
    $key = Get-RunbookKey $Config
    $result = @($Backup | Restore-Backup -Component Storage -TargetStorage $Config.TargetStorage -Confirm:$false @key)
    if ($result.Success -contains $false) { throw "The storage restore failed: $($result.Errors -join ' ')" }
    "storage restored to $($Config.TargetStorage)"
}
