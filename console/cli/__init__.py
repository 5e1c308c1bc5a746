"""The `emergency` command line: the operator console in a terminal, a client of the gateway like the web console."""
