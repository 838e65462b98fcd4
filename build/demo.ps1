<#
.SYNOPSIS
    Placeholder: the demo script is being written by another helper.
#>
Write-Error 'build/demo.ps1 is not written yet.'
exit 1
