"""The command-centre console: an HTTP server over the gateway and the browser application it serves."""
