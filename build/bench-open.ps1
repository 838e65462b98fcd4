# Where opening a repository goes. Run in a fresh pwsh (so first-call JIT compilation counts, as in a scheduled run):
# times each phase of what Get-Backup -Latest does, then unlocks again warm, and prints one JSON object (seconds, and
# how many methods the cold phases JIT-compiled). bench.ps1's storage case runs it; by hand:
#   ./build/bench-open.ps1 -Repository s3://bucket/path -Endpoint http://127.0.0.1:9000
# (passphrase in $env:BACKUPTOOLS_PASSPHRASE, S3 keys in the AWS_* variables).
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$Repository,
    [string]$Endpoint,
    [string]$ModulePath = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/BackupTools/BackupTools.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$none = [Threading.CancellationToken]::None
$phases = [ordered]@{}
$jit0 = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
$sw = [Diagnostics.Stopwatch]::StartNew()
function Lap([string]$Name) { $phases[$Name] = [math]::Round($sw.Elapsed.TotalSeconds, 3); $sw.Restart() }
function Wait($Task) { $Task.GetAwaiter().GetResult() }

# The engine lives in the module's private load context: reach its types through the assembly, not by type literal.
$engine = [Reflection.Assembly]::Load('BackupTools.Core')
$factory = $engine.GetType('BackupTools.Core.Storage.BlobStoreFactory')
$repositoryType = $engine.GetType('BackupTools.Core.Repository.BackupRepository')
$store = $factory::Open($factory::Parse($Repository, $Endpoint, $null, $null, $null))
Lap 'EngineAndClient'
$null = Wait ($store.GetAsync('config.json', $none))
Lap 'FirstRequest'
$opened = Wait ($repositoryType::OpenAsync($store, $env:BACKUPTOOLS_PASSPHRASE, $none))
Lap 'Unlock'
$latest = Wait ($opened.FindLatestManifestAsync($null, $none))
Lap 'LatestManifest'
$phases['JitCompiledMethods'] = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $jit0
$sw.Restart()
$all = Wait ($opened.ListManifestsAsync($none))
Lap 'AllManifests'
$null = Wait ($repositoryType::OpenAsync($store, $env:BACKUPTOOLS_PASSPHRASE, $none))
Lap 'UnlockWarm'
$store.Dispose()
$phases['Manifests'] = $all.Count
$phases['LatestId'] = $latest.Id
[pscustomobject]$phases | ConvertTo-Json -Compress
