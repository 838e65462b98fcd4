<#
.SYNOPSIS
    Runs the Pester tests in tests/Pester against a built module folder and writes the counts as JSON.
.DESCRIPTION
    Pester 5.7.1 comes from NuGet (build/tools.proj restores it into the NuGet package folder), not the Gallery.
    The result file holds { Passed, Failed, Skipped }; the exit code is the number of failed tests (max 1).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string] $TestPath = (Join-Path $PSScriptRoot '../tests/Pester')
)
$ErrorActionPreference = 'Stop'
$packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
Import-Module (Join-Path $packages 'pester/5.7.1/tools/Pester.psd1') -Force

$env:BACKUPTOOLS_MODULE_PATH = (Resolve-Path $ModulePath).Path
$config = New-PesterConfiguration
$config.Run.Path = (Resolve-Path $TestPath).Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$run = Invoke-Pester -Configuration $config

[pscustomobject]@{ Passed = $run.PassedCount; Failed = $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount; Skipped = $run.SkippedCount } |
    ConvertTo-Json | Set-Content -Path $ResultPath
exit ([int]($run.Result -ne 'Passed'))
