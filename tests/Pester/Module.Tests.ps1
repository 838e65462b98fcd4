BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $moduleDir = Get-TestModulePath
    $manifest = Import-PowerShellDataFile (Join-Path $moduleDir 'BackupTools.psd1')
    $cmdlets = $manifest.CmdletsToExport
    $otherAwsCore = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/awssdk.core/3.7.402/lib/net8.0/AWSSDK.Core.dll'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $moduleDir = Get-TestModulePath
    $cmdlets = (Import-PowerShellDataFile (Join-Path $moduleDir 'BackupTools.psd1')).CmdletsToExport
    $otherAwsCore = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/awssdk.core/3.7.402/lib/net8.0/AWSSDK.Core.dll'
    Import-TestModule
}

Describe 'Module folder' {
    It 'exports exactly the manifest cmdlets' {
        (Get-Command -Module BackupTools).Name | Sort-Object | Should -Be ($cmdlets | Sort-Object)
    }
    It 'keeps System.Management.Automation.dll out and the engine in Dependencies/' {
        Get-ChildItem $moduleDir -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
        Join-Path $moduleDir 'BackupTools.Core.dll' | Should -Not -Exist
        Join-Path $moduleDir 'Dependencies/BackupTools.Core.dll' | Should -Exist
        Join-Path $moduleDir 'Dependencies/AWSSDK.Core.dll' | Should -Exist
    }
    It 'loads the engine in its own load context' {
        $null = Get-BackupRepository
        $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'BackupTools.Core' }
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine).Name | Should -Be 'BackupTools'
    }
}

Describe 'Dependency isolation' {
    It 'imports and runs after another AWSSDK.Core is loaded' -Skip:(-not (Test-Path $otherAwsCore)) {
        $manifestPath = Join-Path $moduleDir 'BackupTools.psd1'
        $output = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
`$env:BACKUPTOOLS_CONFIG_HOME = '$TestDrive'
Add-Type -Path '$otherAwsCore'
Import-Module '$manifestPath'
Get-BackupRepository -Name iso -ErrorAction SilentlyContinue -ErrorVariable failure
`$versions = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object { `$_.GetName().Version.Major }
"ok:{0}:{1}" -f `$failure[0].FullyQualifiedErrorId, ((`$versions | Sort-Object) -join ',')
"@
        ($output -match '^ok:BackupTools\.NotFound,BackupTools\.Cmdlets\.GetBackupRepositoryCommand:3(,4)?$') | Should -Not -BeNullOrEmpty
    }
}
