<#
.SYNOPSIS
    RegionOutage: the primary region is gone. Restore from the cross-region copy repository into another endpoint
    and database.
.DESCRIPTION
    Config: CopyRepository (+ CopyEndpoint, CopyRegion, KeyFile), TargetDatabase (in the surviving region),
    optionally TargetStorage and ConfigDestination.
#>
@(
    @{
        Name     = 'Choose the newest backup in the copy that verifies clean'
        Critical = $true
        Action   = {
            param($Config, $State)
            if (-not $Config.TargetDatabase) { throw 'The recovery config names no TargetDatabase in the surviving region.' }
            $candidates = Get-DatabaseBackupsBefore -Repository (Get-RunbookRepository $Config -Copy) -Before $Config.DetectedAt
            if (-not $candidates) { throw "No database backup in the copy repository $($Config.CopyRepository)." }
            $choice = Select-VerifiedBackup -Candidates $candidates -Key (Get-RunbookKey $Config)
            $State.Backup = $choice.Backup
            "chose $($State.Backup.Id) from $($State.Backup.StartTime.ToString('u'))"
        }
    }
    @{
        Name     = 'Restore the database in the surviving region'
        Critical = $true
        Action   = {
            param($Config, $State)
            $result = Restore-RunbookDatabase -Config $Config -State $State -Backup $State.Backup -NoRestorePoint
            "restored $($State.Backup.Id) into $($result.Database) on $($result.Target)"
        }
    }
    @{
        Name     = 'Restore the storage buckets to the surviving endpoint'
        Critical = $false
        Action   = {
            param($Config, $State)
            Restore-RunbookStorage -Config $Config -Backup $State.Backup
        }
    }
    @{
        Name     = 'Hand over: switch traffic to the surviving region'
        Critical = $false
        Action   = {
            param($Config, $State)
            'point DNS / connection strings at the new database and storage endpoint; start backups there into a repository outside that region'
        }
    }
)
