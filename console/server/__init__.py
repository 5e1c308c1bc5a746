"""The console's HTTP server: the built application, a JSON API over the gateway's unary methods, and SSE events."""
