<#
.SYNOPSIS
    Ransomware: the primary repository and server are untrusted. Verify the copy repository in full, restore the
    database, storage and configuration from it into new infrastructure, then rotate every credential.
.DESCRIPTION
    Config: CopyRepository (+ CopyEndpoint, CopyRegion, KeyFile), TargetDatabase (new server), optionally
    TargetStorage (new endpoint) and ConfigDestination (a new folder), DetectedAt (backups after it are not trusted).
    The primary Repository is never read.
#>
@(
    @{
        Name     = 'Verify every backup in the copy repository in full'
        Critical = $true
        Action   = {
            param($Config, $State)
            if (-not $Config.TargetDatabase) { throw 'The recovery config names no TargetDatabase (the new server).' }
            $copy = Get-RunbookRepository $Config -Copy
            $key = Get-RunbookKey $Config
            $all = @(Get-Backup @copy -Before $Config.DetectedAt | Where-Object Tags -notcontains 'restore-point' | Sort-Object StartTime -Descending)
            if (-not $all) { throw "No backup before $($Config.DetectedAt) in the copy repository $($Config.CopyRepository)." }
            $State.Verified = @()
            $failed = @()
            foreach ($backup in $all) {
                $checks = @($backup | Test-Backup -Level Full @key -ErrorAction SilentlyContinue)
                if ($checks.Count -gt 0 -and $checks.Success -notcontains $false) { $State.Verified += $backup } else { $failed += $backup.Id }
            }
            $State.Backup = $State.Verified | Where-Object Components -contains 'database' | Select-Object -First 1
            if (-not $State.Backup) { throw "No database backup in the copy verifies clean (failed: $($failed -join ', '))." }
            "$($State.Verified.Count) of $($all.Count) backup(s) verify clean; using $($State.Backup.Id)" + $(if ($failed) { "; FAILED: $($failed -join ', ')" } else { '' })
        }
    }
    @{
        Name     = 'Restore the database into the new server'
        Critical = $true
        Action   = {
            param($Config, $State)
            $result = Restore-RunbookDatabase -Config $Config -State $State -Backup $State.Backup -NoRestorePoint
            "restored $($State.Backup.Id) into $($result.Database) on $($result.Target)"
        }
    }
    @{
        Name     = 'Restore the storage buckets into the new endpoint'
        Critical = $false
        Action   = {
            param($Config, $State)
            Restore-RunbookStorage -Config $Config -Backup $State.Backup
        }
    }
    @{
        Name     = 'Restore the configuration into a new folder'
        Critical = $false
        Action   = {
            param($Config, $State)
            if (-not ($State.Backup.Components -contains 'config')) { return 'the backup holds no configuration: nothing to do' }
            if (-not $Config.ConfigDestination) { throw 'The backup holds configuration but the config names no ConfigDestination.' }
            $key = Get-RunbookKey $Config
            $null = $State.Backup | Restore-Backup -Component Config -ConfigDestination $Config.ConfigDestination -Confirm:$false @key
            "configuration restored under $($Config.ConfigDestination)"
        }
    }
    @{
        Name     = 'Rotate every credential (checklist)'
        Critical = $false
        Action   = {
            param($Config, $State)
            'rotate: database role passwords (postgres, authenticator, service roles); Supabase JWT secret and the anon/service_role keys; ' +
            'Storage S3 access keys; SMTP and third-party API keys in the restored .env; the repository passphrase (add a new key, remove the old); ' +
            'revoke the old hosts'' SSH keys and cloud credentials'
        }
    }
)
