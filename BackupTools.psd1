@{
    RootModule           = 'BackupTools.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6d2f7c1e-4b8a-4f0e-9a57-2c3d9e8b1f04'
    Author               = 'BackupTools contributors'
    CompanyName          = 'BackupTools'
    Copyright            = 'BackupTools contributors'
    Description          = 'Backs up and restores a Supabase-style system (PostgreSQL, S3 storage, config) into an encrypted, deduplicating repository.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('BackupTools.Format.ps1xml')
    CmdletsToExport      = @(
        'New-BackupRepository'
        'Register-BackupRepository'
        'Get-BackupRepository'
        'New-Backup'
        'Get-Backup'
        'Test-Backup'
        'Restore-Backup'
        'Get-BackupStatus'
        'Export-BackupReport'
        'Copy-Backup'
        'Register-BackupSchedule'
        'Get-BackupSchedule'
        'Unregister-BackupSchedule'
        'Invoke-BackupSchedule'
        'Remove-ExpiredBackup'
        'Invoke-DisasterRecovery'
        'Enable-WalArchiving'
        'Get-WalArchiveStatus'
        'Invoke-PointInTimeRecovery'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Backup', 'Restore', 'PostgreSQL', 'Supabase', 'S3', 'Encryption')
        }
    }
}
