<#
.SYNOPSIS
    Placeholder: the bench script is being written by another helper.
#>
param([int] $Scale = 70)
Write-Error 'build/bench.ps1 is not written yet.'
exit 1
