# New-Backup, Get-Backup, Test-Backup and Restore-Backup against the harness's PostgreSQL and s3rver.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $noServices = -not (Get-TestServices)
}
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-TestModule
    $env:BACKUPTOOLS_CONFIG_HOME = Join-Path $TestDrive 'config'
    $env:BACKUPTOOLS_PASSPHRASE = 'pester passphrase'
}
AfterAll { Remove-Item Env:BACKUPTOOLS_CONFIG_HOME, Env:BACKUPTOOLS_PASSPHRASE -ErrorAction Ignore }

Describe 'Backup and restore' -Skip:$noServices {
    BeforeAll {
        $repo = Join-Path $TestDrive 'repo'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $source = New-TestDatabase
        $backup = New-Backup -Repository $repo -Database (Get-TestConnectionString $source -WithPassword) -Tag pester -Verify Quick
    }
    It 'New-Backup reports the backup' {
        $backup.Id | Should -Match '^\d{8}T\d{6}Z-[0-9a-f]{6}$'
        $backup.Database | Should -Be $source
        $backup.Verified | Should -Be 'Quick: passed'
    }
    It 'Get-Backup | Test-Backup passes' {
        $results = Get-Backup -Repository $repo -Tag pester | Test-Backup -Level Full
        $results | Should -Not -BeNullOrEmpty
        $results.Success | Should -Not -Contain $false
        (Get-Backup -Repository $repo -Tag pester).Verified | Should -Be 'Full: passed' # the result is kept in the manifest
    }
    It 'an unknown id is ObjectNotFound naming the id' {
        Get-Backup -Repository $repo -Id 20000101T000000Z-000000 -ErrorAction SilentlyContinue -ErrorVariable failure
        $failure[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failure[0].ToString() | Should -Match '20000101T000000Z-000000'
    }
    It 'restore -AsDatabase gives the same fingerprint' {
        $copy = 'pester_copy_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $result = $backup | Restore-Backup -TargetDatabase (Get-TestConnectionString postgres -WithPassword) -AsDatabase $copy -Confirm:$false
        $result.Success | Should -BeTrue
        Get-DatabaseFingerprint $copy | Should -Be (Get-DatabaseFingerprint $source)
    }
    It 'restore -WhatIf changes nothing' {
        Invoke-Psql -Database $source -Arguments @('-c', 'CREATE TABLE whatif_marker(x int)') | Out-Null
        $before = Get-DatabaseFingerprint $source
        $backup | Restore-Backup -TargetDatabase (Get-TestConnectionString $source -WithPassword) -WhatIf
        Get-DatabaseFingerprint $source | Should -Be $before
    }
    It 'an unparseable connection string is InvalidArgument and the password never shows' {
        $err = { New-Backup -Repository $repo -Database 'postgresql://u:S3cretPw@[bad' -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ToString() | Should -Not -Match 'S3cretPw'
    }
    It 'New-Backup -Repository a,b writes one backup to both' {
        $second = Join-Path $TestDrive 'second'
        New-BackupRepository -Repository $second -Confirm:$false | Out-Null
        $both = New-Backup -Repository $repo, $second -Database (Get-TestConnectionString $source -WithPassword) -Tag both
        $both | Should -HaveCount 2
        $both[1].Id | Should -Be $both[0].Id
        (Get-Backup -Repository $second -Id $both[0].Id | Test-Backup -Level Full).Success | Should -Not -Contain $false
    }
    It 'a missing destination is an error of its own and the other still gets the backup' {
        $missing = Join-Path $TestDrive 'not-a-repository'
        $made = New-Backup -Repository $missing, $repo -Database (Get-TestConnectionString $source -WithPassword) -Tag partial `
            -ErrorAction SilentlyContinue -ErrorVariable failures
        $made | Should -HaveCount 1
        $made.Repository | Should -Be $repo
        $failures | Should -HaveCount 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].ToString() | Should -Match 'not-a-repository'
    }
    It 'a backup into an S3 repository on s3rver reads back' {
        $s3 = (Get-TestServices).s3
        $key = ConvertTo-SecureString $s3.secretKey -AsPlainText -Force
        $credential = [pscredential]::new($s3.accessKey, $key)
        $s3repo = 's3://pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '/repo'
        $common = @{ Endpoint = $s3.endpoint; Region = 'us-east-1'; Credential = $credential }
        New-BackupRepository -Repository $s3repo @common -Confirm:$false | Out-Null
        $b = New-Backup -Repository $s3repo -Database (Get-TestConnectionString $source -WithPassword) @common
        (Get-Backup -Repository $s3repo @common -Latest).Id | Should -Be $b.Id
        (Test-Backup -Id $b.Id -Repository $s3repo @common -Level Full).Success | Should -Not -Contain $false
    }
    It 'Test-Backup -Level Restore drills the backup and records the measured recovery time' {
        $drill = $backup | Test-Backup -Level Restore -TargetServer (Get-TestConnectionString postgres -WithPassword)
        $drill.Success | Should -BeTrue
        $drill.Level | Should -Be 'Restore'
        $drill.RecoveryTime | Should -BeGreaterThan ([timespan]::Zero)
        $drill.RtoTarget | Should -Be ([timespan]::FromMinutes(30))
        (Get-Backup -Repository $repo -Id $backup.Id).Verified | Should -Be 'Restore: passed'
    }
    It 'an in-place restore takes a restore point and reports its steps' {
        $result = $backup | Restore-Backup -TargetDatabase (Get-TestConnectionString $source -WithPassword) -Confirm:$false
        $result.Success | Should -BeTrue
        $result.Steps.Name | Should -Contain 'Take a restore point'
        $result.Steps[-2].Name | Should -Match '^Swap'
        $result.Steps[-1].Name | Should -Be "Apply the database's settings, comment and grants"
        $result.Steps.Success | Should -Not -Contain $false
        (Get-Backup -Repository $repo -Tag restore-point).Id | Should -Contain $result.RestorePointId
        Get-DatabaseFingerprint $source | Should -Not -BeNullOrEmpty
    }

}
