<#
.SYNOPSIS
    HardwareFailure: rebuild on a new host — from the newest base backup plus WAL (point-in-time recovery to the end
    of the archive) when there is one, else from the newest logical backup that verifies clean.
.DESCRIPTION
    Config: Repository (+ Endpoint, Region, KeyFile); for the physical path DataDirectory (and Port); for the logical
    path TargetDatabase (a connection string on the new server; the database is created there). Passwords come from
    PGPASSWORD/.pgpass.
#>
@(
    @{
        Name     = 'Choose how to rebuild: point-in-time recovery or the newest logical backup'
        Critical = $true
        Action   = {
            param($Config, $State)
            $repository = Get-RunbookRepository $Config
            $physical = @(Get-Backup @repository | Where-Object Kind -eq 'physical')
            if ($physical -and $Config.DataDirectory -and (Get-Command Invoke-PointInTimeRecovery -ErrorAction Ignore)) {
                $State.Method = 'PointInTime'
                $State.Base = $physical | Sort-Object StartTime | Select-Object -Last 1
                return "point-in-time recovery from base backup $($State.Base.Id) plus the WAL archive into $($Config.DataDirectory)"
            }
            if (-not $Config.TargetDatabase) { throw 'No physical backup to recover from, and the config names no TargetDatabase for a logical restore.' }
            $State.Method = 'Logical'
            $State.Candidates = Get-DatabaseBackupsBefore -Repository $repository -Before $Config.DetectedAt
            if (-not $State.Candidates) { throw "No database backup in $($Config.Repository)." }
            "logical restore from the newest of $($State.Candidates.Count) backup(s) into $($Config.TargetDatabase)"
        }
    }
    @{
        Name     = 'Recover the database on the new host'
        Critical = $true
        Action   = {
            param($Config, $State)
            if ($State.Method -eq 'PointInTime') {
                $repository = Get-RunbookRepository $Config
                $pitr = @{ DataDirectory = $Config.DataDirectory; Latest = $true; Start = $true; Confirm = $false }
                if ($Config.Port) { $pitr.Port = [int]$Config.Port }
                $result = Invoke-PointInTimeRecovery @repository @pitr
                if (-not $result.Success) { throw "Point-in-time recovery failed: $($result.Errors -join ' ')" }
                [void]$State.BackupsUsed.Add($State.Base.Id)
                $State.RecoveryPoint = if ($result.PSObject.Properties['ReachedTime'] -and $result.ReachedTime) { $result.ReachedTime } else { $State.Base.StartTime }
                return "recovered into $($Config.DataDirectory); reached $($State.RecoveryPoint)"
            }
            $choice = Select-VerifiedBackup -Candidates $State.Candidates -Key (Get-RunbookKey $Config)
            $result = Restore-RunbookDatabase -Config $Config -State $State -Backup $choice.Backup -NoRestorePoint
            "restored $($choice.Backup.Id) into $($result.Database) on $($result.Target)"
        }
        Fallback = {
            param($Config, $State)
            # Point-in-time recovery failed: the newest logical backup, when the config says where it goes.
            if ($State.Method -ne 'PointInTime' -or -not $Config.TargetDatabase) { throw 'No fallback: the logical path already failed or has no TargetDatabase.' }
            $candidates = Get-DatabaseBackupsBefore -Repository (Get-RunbookRepository $Config) -Before $Config.DetectedAt |
                Where-Object Kind -ne 'physical'
            $choice = Select-VerifiedBackup -Candidates $candidates -Key (Get-RunbookKey $Config)
            $result = Restore-RunbookDatabase -Config $Config -State $State -Backup $choice.Backup -NoRestorePoint
            "fell back to the logical backup $($choice.Backup.Id) in $($result.Database)"
        }
    }
    @{
        Name     = 'Hand over: point the applications at the new host'
        Critical = $false
        Action   = {
            param($Config, $State)
            'update connection strings / DNS to the new server, re-enable WAL archiving there (Enable-WalArchiving) and take a fresh base backup'
        }
    }
)
