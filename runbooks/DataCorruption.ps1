<#
.SYNOPSIS
    DataCorruption: bring the database back to the newest backup taken before the corruption was detected that
    verifies clean, restoring the affected schemas/tables (or all) with a restore point first.
.DESCRIPTION
    Run by Invoke-DisasterRecovery -Scenario DataCorruption -Config <file>. Returns the steps; each Action gets the
    config ($Config) and a state shared by the steps ($State); RunbookSupport.ps1's functions are in scope.
    Config: Repository (+ Endpoint, Region, KeyFile), Database, optionally TargetDatabase, Schemas, Tables,
    DetectedAt, PgBinDirectory, RtoTarget, RpoTarget. Passwords come from PGPASSWORD/.pgpass.
#>
@(
    @{
        Name     = 'List the database backups taken before the incident'
        Critical = $true
        Action   = {
            param($Config, $State)
            if (-not $Config.Database) { throw 'The recovery config names no Database.' }
            $repository = Get-RunbookRepository $Config
            $State.Candidates = Get-DatabaseBackupsBefore -Repository $repository -Before $Config.DetectedAt
            if (-not $State.Candidates) { throw "No database backup taken before $($Config.DetectedAt) in $($Config.Repository)." }
            "$($State.Candidates.Count) backup(s) before the incident; newest $($State.Candidates[0].Id)"
        }
    }
    @{
        Name     = 'Choose the newest of them that verifies clean (older ones when it does not)'
        Critical = $true
        Action   = {
            param($Config, $State)
            $choice = Select-VerifiedBackup -Candidates $State.Candidates -Key (Get-RunbookKey $Config)
            $State.Backup = $choice.Backup
            $note = if ($choice.Rejected) { "; rejected as damaged: $($choice.Rejected -join ', ')" } else { '' }
            "chose $($State.Backup.Id) from $($State.Backup.StartTime.ToString('u'))$note"
        }
    }
    @{
        Name     = 'Restore it over the damaged database (restore point first, checked before the swap)'
        Critical = $true
        Action   = {
            param($Config, $State)
            $result = Restore-RunbookDatabase -Config $Config -State $State -Backup $State.Backup
            "restored $($State.Backup.Id) into $($result.Database) on $($result.Target) in $([int]$result.Duration.TotalSeconds) s; restore point $($result.RestorePointId)"
        }
        Fallback = {
            param($Config, $State)
            # The chosen backup did not restore cleanly: the next older one that verifies.
            $older = @($State.Candidates | Where-Object StartTime -lt $State.Backup.StartTime)
            if (-not $older) { throw 'There is no older backup to fall back to.' }
            $choice = Select-VerifiedBackup -Candidates $older -Key (Get-RunbookKey $Config)
            $result = Restore-RunbookDatabase -Config $Config -State $State -Backup $choice.Backup -NoRestorePoint
            "restored the older backup $($choice.Backup.Id) instead into $($result.Database)"
        }
    }
    @{
        Name     = 'Hand over: what to check before reopening to users'
        Critical = $false
        Action   = {
            param($Config, $State)
            "changes made after $($State.RecoveryPoint.ToString('u')) are lost: re-enter or replay them; " +
            'check the application against the restored data; the restore point keeps the damaged state for analysis'
        }
    }
)
