# New-Backup -Storage, Test-Backup and Restore-Backup -Component Storage against the harness's s3rver.
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

Describe 'Storage backup and restore' -Skip:$noServices {
    BeforeAll {
        $s3 = (Get-TestServices).s3
        $credential = [pscredential]::new($s3.accessKey, (ConvertTo-SecureString $s3.secretKey -AsPlainText -Force))
        $storage = @{ Storage = $s3.endpoint; StorageCredential = $credential; StorageRegion = 'us-east-1' }
        $bucket = 'pester-st-' + [guid]::NewGuid().ToString('N').Substring(0, 12)
        Send-S3 PUT $bucket | Out-Null
        $keys = 'a.txt', 'with space/ünïcødé.txt', 'nested/deep/empty'
        Send-S3 PUT "$bucket/a.txt" ([Text.Encoding]::UTF8.GetBytes('alpha')) @{ 'Content-Type' = 'text/plain'; 'x-amz-meta-owner' = 'alice' } | Out-Null
        Send-S3 PUT "$bucket/with space/ünïcødé.txt" ([byte[]](1..200)) @{ 'Content-Type' = 'application/x-test' } | Out-Null
        Send-S3 PUT "$bucket/nested/deep/empty" ([byte[]]@()) @{ 'Content-Type' = 'image/png' } | Out-Null
        $repo = Join-Path $TestDrive 'repo'
        New-BackupRepository -Repository $repo -Confirm:$false | Out-Null
        $backup = New-Backup -Repository $repo @storage -Bucket $bucket -Tag storage
    }
    It 'New-Backup -Storage reports a files backup with a storage component' {
        $backup.Components | Should -Be @('storage')
        $backup.Kind | Should -Be 'files'
        $backup.Database | Should -BeNullOrEmpty
    }
    It 'Test-Backup checks the storage component at Quick and Full' {
        foreach ($level in 'Quick', 'Full') {
            $result = $backup | Test-Backup -Level $level
            $result.Component | Should -Be 'storage'
            $result.Success | Should -BeTrue
        }
    }
    It 'Restore-Backup -Component Storage -TargetBucket gives the same objects, types and metadata' {
        $copy = $bucket + '-copy'
        $result = $backup | Restore-Backup -Component Storage -TargetBucket $copy -StorageCredential $credential -Confirm:$false
        $result.Success | Should -BeTrue
        $result.Component | Should -Be 'Storage'
        $result.ObjectsRestored | Should -Be 3
        $result.BucketsCreated | Should -Be @($copy)
        foreach ($key in $keys) {
            $restored = Get-S3Object $copy $key
            $restored | Should -Not -BeNullOrEmpty -Because $key
            $restored.Sha256 | Should -Be (Get-S3Object $bucket $key).Sha256
            $restored.ContentType | Should -Be (Get-S3Object $bucket $key).ContentType
        }
        (Get-S3Object $copy 'a.txt').Owner | Should -Be 'alice'
    }
    It '-Delta skips identical objects and -Mirror deletes what the backup lacks' {
        $copy = $bucket + '-mirror'
        $backup | Restore-Backup -Component Storage -TargetBucket $copy -StorageCredential $credential -Confirm:$false | Out-Null
        Send-S3 PUT "$copy/stray.txt" ([byte[]](7, 7)) | Out-Null
        $result = $backup | Restore-Backup -Component Storage -TargetBucket $copy -Delta -Mirror -StorageCredential $credential -Confirm:$false
        $result.ObjectsSkipped | Should -Be 3
        $result.ObjectsRestored | Should -Be 0
        $result.ObjectsDeleted | Should -Be 1
        Get-S3Object $copy 'stray.txt' | Should -BeNullOrEmpty
    }
    It '-Mirror -WhatIf deletes nothing' {
        $copy = $bucket + '-whatif'
        $backup | Restore-Backup -Component Storage -TargetBucket $copy -StorageCredential $credential -Confirm:$false | Out-Null
        Send-S3 PUT "$copy/stray.txt" ([byte[]](7, 7)) | Out-Null
        $backup | Restore-Backup -Component Storage -TargetBucket $copy -Mirror -StorageCredential $credential -WhatIf
        Get-S3Object $copy 'stray.txt' | Should -Not -BeNullOrEmpty
    }
    It 'takes the storage keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY without -StorageCredential' {
        $env:AWS_ACCESS_KEY_ID = $s3.accessKey
        $env:AWS_SECRET_ACCESS_KEY = $s3.secretKey
        try {
            $again = New-Backup -Repository $repo -Storage $s3.endpoint -Bucket $bucket
            $again.Parent | Should -Be $backup.Id
            $again.Size | Should -Be 0 # nothing changed: nothing downloaded
        }
        finally { Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY -ErrorAction Ignore }
    }
    It 'a missing bucket is ObjectNotFound naming it, and no backup is written' {
        $before = @(Get-Backup -Repository $repo).Count
        $err = { New-Backup -Repository $repo @storage -Bucket 'pester-no-such-bucket' -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.ToString() | Should -Match 'pester-no-such-bucket'
        @(Get-Backup -Repository $repo).Count | Should -Be $before
    }
    It 'wrong storage keys are an AuthenticationError without the secret' {
        $wrong = [pscredential]::new('NOSUCHKEY', (ConvertTo-SecureString 'Wr0ngSecret-x1' -AsPlainText -Force))
        $err = { New-Backup -Repository $repo -Storage $s3.endpoint -StorageCredential $wrong -Bucket $bucket -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.ToString() | Should -Not -Match 'Wr0ngSecret'
    }
    It 'no source at all is InvalidArgument' {
        $err = { New-Backup -Repository $repo -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
