// Filled in by the harness work: start/stop the shared services and write/read the state file.
return 0;
