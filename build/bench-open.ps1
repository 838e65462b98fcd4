# Where opening a repository goes: run in a fresh pwsh (first-call JIT included, as in a scheduled run), times each
# phase of what Get-Backup -Latest does, then the whole thing again warm. Prints one JSON object of seconds.
# Used by hand and by bench.ps1's storage case: ./build/bench-open.ps1 -Repository s3://b/p -Endpoint http://...
# (the passphrase in $env:BACKUPTOOLS_PASSPHRASE, S3 keys in AWS_*).
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$Repository,
    [string]$Endpoint,
    [string]$ModulePath = (Join-Path (Split-Path -Parent $PSScriptRoot) 'out/BackupTools/BackupTools.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$phases = [ordered]@{}
$sw = [Diagnostics.Stopwatch]::StartNew()
function Lap([string]$Name) { $phases[$Name] = [math]::Round($sw.Elapsed.TotalSeconds, 3); $sw.Restart() }
function Wait($Task) { $Task.GetAwaiter().GetResult() }

# The engine lives in the module's private load context: reach its types through the assembly, not by type literal.
$engine = [Reflection.Assembly]::Load('BackupTools.Core')
$factory = $engine.GetType('BackupTools.Core.Storage.BlobStoreFactory')
$repositoryType = $engine.GetType('BackupTools.Core.Repository.BackupRepository')
$passphrase = $env:BACKUPTOOLS_PASSPHRASE
$location = $factory::Parse($Repository, $Endpoint, $null, $null, $null)
$store = $factory::Open($location)
Lap 'LoadEngineAndStore'
$null = Wait ($store.GetAsync('config.json', [Threading.CancellationToken]::None))
Lap 'FirstRequest'
$null = Wait ($store.GetAsync('config.json', [Threading.CancellationToken]::None))
Lap 'SecondRequest'
$opened = Wait ($repositoryType::OpenAsync($store, $passphrase, [Threading.CancellationToken]::None))
Lap 'Unlock'
$manifests = Wait ($opened.ListManifestsAsync([Threading.CancellationToken]::None))
Lap 'AllManifests'
if ($opened.PSObject.Methods['FindLatestManifestAsync']) {
    $latest = Wait ($opened.FindLatestManifestAsync($null, [Threading.CancellationToken]::None))
    Lap 'LatestManifest'
}
$opened = Wait ($repositoryType::OpenAsync($store, $passphrase, [Threading.CancellationToken]::None))
Lap 'UnlockWarm'
$manifests = Wait ($opened.ListManifestsAsync([Threading.CancellationToken]::None))
Lap 'AllManifestsWarm'
$store.Dispose()
$phases['Manifests'] = $manifests.Count
[pscustomobject]$phases | ConvertTo-Json -Compress
